// An import session: files registered in DuckDB, probed, mapped (guessed, remembered, edited), then imported.
import type { BrowserDb, CancellableDb } from '../db/browser-db.ts';
import { probe } from '../data/import/probe.ts';
import { detectCurrency } from '../data/import/currency.ts';
import { detect } from '../data/import/detect.ts';
import { mappingKey } from '../data/import/mapping.ts';
import { runImport } from '../data/import/run-import.ts';
import { validateImportPlan } from '../data/import/plan.ts';
import type { FileMapping, FileProbe, ImportPlan, ImportReport, ImportSource } from '../data/import/types.ts';
import { columnValues } from '../data/import/values.ts';
import { joinOverlap, type JoinOverlap, type ProposedJoin } from '../data/import/joins.ts';
import { sameFile, sameFileError } from '../data/import/same-file.ts';
import { validateFileMapping } from '../data/import/validate.ts';
import { createDataset, writeCurrency, type DatasetRecord } from '../data/datasets.ts';
import { messageOf } from '../errors.ts';
import { CANCELLED } from '../db/types.ts';
import { isEngineStopped, isStorageFull, STORAGE_FULL } from '../db/engine-faults.ts';
import { conversionFor, convertInWorker, dropUpload, type Conversion } from '../data/import/convert/browser.ts';

/** One dropped file through the session. */
export interface ImportFile {
  id: number;
  file: File;
  source: ImportSource;
  status: 'probing' | 'ready' | 'error';
  probe: FileProbe | null;
  mapping: FileMapping | null;
  /** True when the mapping came from a file with the same columns imported before. */
  remembered: boolean;
  /** The most frequent values of the event-type column across the whole file (for the value mapping). */
  eventValues: string[];
  error: string | null;
  /** While a Parquet/JSON file is converted for DuckDB-WASM (which lacks those readers): what is done so far. */
  converting: { label: string; fraction: number } | null;
}

const HEAD_BYTES = 64 * 1024;
let counter = 0;

function remembered(columns: string[]): FileMapping | null {
  try {
    const raw = localStorage.getItem(`strata.mapping.${mappingKey(columns)}`);
    // localStorage is not trusted: a stale or tampered mapping is validated (and dropped if invalid).
    return raw ? validateFileMapping(JSON.parse(raw)) : null;
  } catch {
    return null;
  }
}

function remember(columns: string[], mapping: FileMapping): void {
  try {
    localStorage.setItem(`strata.mapping.${mappingKey(columns)}`, JSON.stringify(mapping));
  } catch {
    // Storage full or disabled: remembering is a convenience, the import itself is done.
  }
}

/** The state of the Import screen. */
export class ImportSession {
  files = $state<ImportFile[]>([]);
  sessionGapMinutes = $state(30);
  stage = $state<'idle' | 'importing' | 'done' | 'failed'>('idle');
  progress = $state<{ label: string; fraction: number } | null>(null);
  report = $state.raw<ImportReport | null>(null);
  error = $state<string | null>(null);
  /** Proposed joins checked on the files (joinKey → result), so a wrong key column shows before importing. */
  overlaps = $state<Record<string, JoinOverlap | 'checking' | { error: string }>>({});
  private work: CancellableDb | null = null;
  private cancelled = false;
  private conversions = new Map<number, Conversion>();
  /** Files to add again when the engine is back from a restart, and those already added again once. */
  private again: File[] = [];
  private readded = new WeakSet<File>();

  constructor(private db: () => BrowserDb | null) {}

  /** Register and probe new files; each gets a guessed (or remembered) mapping or a clear error. */
  async add(files: File[]): Promise<void> {
    const db = this.db();
    if (!db) return;
    if (this.stage !== 'importing') {
      this.stage = 'idle';
      this.report = null;
      this.error = null;
    }
    await Promise.all(files.map((file) => this.addOne(db, file)));
  }

  private async addOne(db: BrowserDb, file: File): Promise<void> {
    const id = ++counter;
    const name = `import_${id}_${file.name.replace(/[^\w.-]+/g, '_')}`;
    const head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
    // The File goes along as the source's blob: probe decompresses a .gz to its end, and duplicates compare tails.
    const entry: ImportFile = { id, file, source: { name, displayName: file.name, size: file.size, head, blob: file }, status: 'probing', probe: null, mapping: null, remembered: false, eventValues: [], error: null, converting: null };
    this.files.push(entry);
    const at = () => this.files.findIndex((f) => f.id === id);
    const update = (patch: Partial<ImportFile>) => {
      const i = at();
      if (i >= 0) this.files[i] = { ...this.files[i], ...patch };
    };
    try {
      // The same file twice would count every row twice. Files dropped together race here, so each is compared
      // only with the files listed before it: the later copy is the one refused.
      for (const f of this.files.slice(0, Math.max(0, at()))) {
        if (f.status !== 'error' && (await sameFile(f.source, entry.source))) throw sameFileError(f.source, entry.source);
      }
      const convert = await conversionFor(db, entry.source);
      if (convert) {
        // DuckDB-WASM has no Parquet/JSON reader: convert in a worker into a table, then probe and import that.
        const run = convertInWorker(db, file, convert, `upload_${id}`, (converting) => update({ converting }));
        this.conversions.set(id, run);
        try {
          entry.source = { ...entry.source, table: await run.done };
        } finally {
          this.conversions.delete(id);
        }
        if (at() < 0) return void (await dropUpload(db, entry.source.table!).catch(() => undefined)); // removed meanwhile
        update({ source: entry.source, converting: null });
      } else {
        await db.registerFile(name, file);
      }
      const p = await probe(db, entry.source);
      const columns = p.columns.map((c) => c.name);
      const known = remembered(columns);
      const mapping = known ?? detect(p);
      update({ status: 'ready', probe: p, mapping, remembered: known !== null });
      void this.loadEventValues(db, id, p, mapping);
    } catch (err) {
      update({ status: 'error', error: messageOf(err), converting: null });
      await this.release(db, entry.source);
    }
  }

  /** Forget a source in DuckDB: its registered file, or the table it was converted into. */
  private async release(db: BrowserDb, source: ImportSource): Promise<void> {
    if (source.table) await dropUpload(db, source.table).catch(() => undefined);
    else await db.dropFile(source.name).catch(() => undefined);
  }

  /** Read the event-type column's top values from the whole file: the preview rows may show only one type. */
  private async loadEventValues(db: BrowserDb, id: number, p: FileProbe, mapping: FileMapping): Promise<void> {
    const col = mapping.columns.find((c) => c.target === 'event_type')?.column;
    if (!col) return;
    try {
      const values = (await columnValues(db, { source: p.source.name, read: p.read }, col)).map((v) => v.value);
      const i = this.files.findIndex((f) => f.id === id);
      if (i >= 0) this.files[i] = { ...this.files[i], eventValues: values };
    } catch {
      // The editor falls back to the values in the preview rows.
    }
  }

  /** The key a proposed join's check is stored under. */
  joinKey(j: ProposedJoin): string {
    return `${j.fromId}:${j.fromColumn}>${j.toId}:${j.toColumn}`;
  }

  /** Check each proposed join not checked yet (one at a time: each reads a whole file). */
  async checkJoins(joins: readonly ProposedJoin[]): Promise<void> {
    const db = this.db();
    if (!db) return;
    for (const j of joins) {
      const key = this.joinKey(j);
      if (key in this.overlaps) continue;
      const from = this.files.find((f) => f.id === j.fromId);
      const to = this.files.find((f) => f.id === j.toId);
      if (!from?.probe || !to?.probe) continue;
      this.overlaps[key] = 'checking';
      try {
        this.overlaps[key] = await joinOverlap(db, { source: from.source.name, read: from.probe.read }, j.fromColumn,
          { source: to.source.name, read: to.probe.read }, j.toColumn);
      } catch (err) {
        this.overlaps[key] = { error: messageOf(err) };
      }
    }
  }

  /** Replace one file's mapping (from the mapping editor). */
  setMapping(id: number, mapping: FileMapping): void {
    const i = this.files.findIndex((f) => f.id === id);
    if (i < 0) return;
    const f = this.files[i];
    const eventCol = (m: FileMapping | null) => m?.columns.find((c) => c.target === 'event_type')?.column;
    this.files[i] = { ...f, mapping, remembered: false };
    if (f.probe && eventCol(mapping) !== eventCol(f.mapping)) void this.loadEventValues(this.db()!, id, f.probe, mapping);
  }

  /** Take a file out of the session. */
  async remove(id: number): Promise<void> {
    const f = this.files.find((x) => x.id === id);
    this.files = this.files.filter((x) => x.id !== id);
    this.conversions.get(id)?.cancel(); // a conversion still running stops and drops what it stored
    const db = this.db();
    if (f && db) await this.release(db, f.source);
  }

  /** The plan the Import button runs (validated), from every ready file. */
  plan(): ImportPlan {
    const ready = this.files.filter((f) => f.status === 'ready' && f.probe && f.mapping);
    return validateImportPlan({
      files: ready.map((f) => ({ source: f.source.name, read: f.probe!.read, mapping: f.mapping! })),
      sessionGapMinutes: this.sessionGapMinutes,
      joinUsersOn: 'user_id',
    });
  }

  /**
   * Import every ready file as a new dataset; the previous dataset is untouched unless this succeeds. Called
   * through `app.importData()`, which holds the app's write lock: no other change runs meanwhile.
   */
  async run(db: BrowserDb): Promise<DatasetRecord | null> {
    if (this.stage === 'importing') return null;
    this.error = null;
    this.report = null;
    let plan: ImportPlan;
    try {
      plan = this.plan();
    } catch (err) {
      this.error = messageOf(err);
      return null;
    }
    const ready = this.files.filter((f) => f.status === 'ready');
    this.stage = 'importing';
    this.cancelled = false;
    this.progress = { label: 'Starting', fraction: 0 };
    let work: CancellableDb | null = null;
    try {
      work = this.work = await db.fork();
      // A Cancel pressed while the connection was being opened still counts.
      if (this.cancelled) await work.cancel();
      const conn = work;
      const name = ready.map((f) => f.source.displayName).join(' + ');
      let report: ImportReport | null = null;
      const rec = await createDataset(conn, { name, kind: 'import', meta: JSON.stringify(plan) }, async () => {
        report = await runImport(conn, plan, ready.map((f) => f.source), {
          onPhase: (label, fraction) => (this.progress = { label, fraction }),
        });
      }, { main: db, release: () => conn.close() });
      for (const f of ready) remember(f.probe!.columns.map((c) => c.name), f.mapping!);
      // The currency the files say their money is in, kept with the dataset (none: the screens ask).
      const guess = detectCurrency(ready.map((f) => f.probe!), ready.map((f) => f.mapping!));
      if (guess) await writeCurrency(db, rec.id, guess.code);
      if (report) (report as ImportReport).currency = guess;
      this.report = report;
      this.stage = 'done';
      await this.clear();
      return rec;
    } catch (err) {
      this.stage = 'failed';
      const msg = messageOf(err);
      if (isEngineStopped(msg)) this.error = 'The import stopped because the database engine stopped; nothing was changed. Drop the files again to retry.';
      else if (this.cancelled || msg.includes(CANCELLED)) this.error = 'Import cancelled — nothing was changed.';
      else if (isStorageFull(msg)) this.error = STORAGE_FULL;
      else this.error = msg;
      return null;
    } finally {
      this.progress = null;
      this.work = null;
      await work?.close().catch(() => undefined);
    }
  }

  /** Stop a running import at its next step; the previous dataset stays. */
  cancel(): void {
    this.cancelled = true;
    void this.work?.cancel().catch(() => undefined);
  }

  /**
   * The engine died and is being replaced: files registered in it are gone. Files added while nothing was being
   * imported are added again once the new engine is up (`engineBack`) — each file once: one that stops the engine a
   * second time is dropped, since it may be what stops it. After an import (running, failed or done) the session
   * starts over and says so.
   */
  engineLost(): void {
    for (const c of this.conversions.values()) c.cancel();
    this.conversions.clear();
    const idle = this.stage === 'idle';
    const files = this.files.map((f) => f.file);
    this.again = idle ? files.filter((f) => !this.readded.has(f)) : [];
    const had = files.length > 0 || this.stage === 'importing';
    this.files = [];
    this.work = null;
    if (this.stage === 'importing') this.stage = 'failed';
    this.progress = null;
    if (!had || (idle && this.again.length === files.length)) return;
    const dropped = 'The database engine was restarted, so the files you had added were dropped; nothing was changed. Add them again to import.';
    this.error = this.error ? `${this.error} ${dropped}` : dropped;
  }

  /** The new engine is ready: add again the files engineLost kept (probed afresh, as when first dropped). */
  async engineBack(): Promise<void> {
    const files = this.again;
    this.again = [];
    for (const f of files) this.readded.add(f);
    if (files.length) await this.add(files);
  }

  /** Forget finished files (after a successful import). */
  async clear(): Promise<void> {
    const db = this.db();
    for (const c of this.conversions.values()) c.cancel();
    if (db) for (const f of this.files) await this.release(db, f.source);
    this.files = [];
  }
}
