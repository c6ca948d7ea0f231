// Application state: the database, the stored datasets and the current one, long-running work and its progress.
// Two promises it keeps: writes to the stored database run one at a time (never interleaved), and a dead engine
// is restarted from the stored file within seconds, with the user told what happened.
import { openBrowserDb, type BrowserDb } from '../db/browser-db.ts';
import { QueryCoordinator } from '../db/coordinator.ts';
import { DEFAULT_PARAMS, type GenParams } from '../data/generator/params.ts';
import {
  createDataset, currentDatasetId, deleteDataset, ensureCatalog, listDatasets, renameDataset, repairCatalog, useDataset,
  type DatasetRecord, type Repair,
} from '../data/datasets.ts';
import { generateShopInBrowser, Cancelled, type LoadProgress } from './generate.ts';
import { ImportSession } from './import.svelte.ts';
import { acquireDbLock } from './lock.ts';
import { requestPersistentStorage } from '../lib/storage.ts';
import { messageOf, StrataError } from '../errors.ts';
import { isEngineStopped, isStorageFull, readableEngineError, STORAGE_FULL } from '../db/engine-faults.ts';
import { fmtInt } from '../lib/format.ts';
import { literal } from '../sql/quote.ts';

/** Milestones of a cold start, read by the benchmark. */
export interface Timings {
  dbReadyMs?: number;
  datasetReadyMs?: number;
  dashboardMs?: number;
}

/** When the stored database cannot be opened: why, and what the user may do about it (nothing is deleted). */
export interface Recovery {
  reason: string;
  /** The file was opened read-only after the user asked: look and export, no changes. */
  readOnly: boolean;
}

/** The single app state object. */
export class AppState {
  db = $state.raw<BrowserDb | null>(null);
  coordinator = $state.raw<QueryCoordinator | null>(null);
  phase = $state<'starting' | 'loading' | 'ready' | 'error'>('starting');
  progress = $state<LoadProgress | null>(null);
  datasets = $state<DatasetRecord[]>([]);
  dataset = $state<DatasetRecord | null>(null);
  /** Bumped on every dataset change: views re-query when it moves. */
  version = $state(0);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  /** Set when this tab could not take the stored database (another tab has it). */
  storage = $state<'persistent' | 'memory-other-tab' | 'memory-unsupported' | 'memory-recovery' | 'read-only'>('persistent');
  /** Set while the stored database cannot be opened (the recovery panel), or is open read-only for recovery. */
  recovery = $state<Recovery | null>(null);
  /** What is changing stored data right now ("an import", "deleting a dataset"…), or null: one write at a time. */
  writing = $state<string | null>(null);
  /** True while a dead engine is being restarted. */
  restarting = $state(false);
  timings: Timings = {};
  /** The Import screen's session (files, mappings, report). */
  importer = new ImportSession(() => this.db);
  private abort: AbortController | null = null;
  private owner = false;

  /** Start DuckDB, open the stored datasets (or generate the demo shop on a first visit). */
  async boot(): Promise<void> {
    try {
      this.owner = await acquireDbLock();
      const db = await this.openEngine(this.owner);
      if (!db) return; // the recovery panel is showing
      this.timings.dbReadyMs = performance.now();
      await this.attach(db);
      if (this.dataset) {
        this.timings.datasetReadyMs ??= performance.now();
        this.phase = 'ready';
      } else {
        this.phase = 'ready';
        await this.generate(DEFAULT_PARAMS);
      }
    } catch (err) {
      this.phase = 'error';
      this.error = 'Strata could not start its database: ' + messageOf(err);
    }
  }

  /**
   * Open the engine on the stored file. When OPFS exists but the file will not open (damaged, or a dying tab
   * still holds it), retry briefly, then show the recovery panel instead of silently working in memory.
   */
  private async openEngine(persist: boolean): Promise<BrowserDb | null> {
    if (!persist) {
      if (this.storage === 'persistent') this.storage = 'memory-other-tab';
      return openBrowserDb({ persist: false });
    }
    let lastError = '';
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        const db = await openBrowserDb({ persist: true, strict: true });
        this.storage = 'persistent';
        void requestPersistentStorage().catch(() => false);
        return db;
      } catch (err) {
        lastError = readableEngineError(messageOf(err));
        console.warn(`Opening the stored database failed (attempt ${attempt + 1}):`, lastError);
        if (typeof navigator.storage?.getDirectory !== 'function') break; // no OPFS in this browser at all
        // Only a file still held by a dying worker (a restart, a tab closing) is worth waiting for.
        if (!/NoModificationAllowed|Access Handles? cannot|being used|locked|InvalidState/i.test(lastError)) break;
        await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
      }
    }
    if (typeof navigator.storage?.getDirectory !== 'function') {
      this.storage = 'memory-unsupported';
      return openBrowserDb({ persist: false });
    }
    this.recovery = { reason: lastError, readOnly: false };
    this.phase = 'error';
    return null;
  }

  /** Take a freshly opened engine into use: catalog, repair, datasets, the current one; restart it if it dies. */
  private async attach(db: BrowserDb): Promise<void> {
    this.db = db;
    this.coordinator = new QueryCoordinator(db);
    void db.stopped.then((reason) => {
      if (this.db === db) void this.restart(reason);
    });
    let repair: Repair | null = null;
    if (!db.info.readOnly) {
      await ensureCatalog(db);
      repair = await repairCatalog(db);
    }
    this.datasets = await listDatasets(db);
    const current = await currentDatasetId(db);
    const order = [...this.datasets].sort((a, b) => (a.id === current ? -1 : b.id === current ? 1 : 0));
    this.dataset = null;
    for (const rec of order) {
      try {
        await this.activate(rec);
        break;
      } catch (err) {
        if (isEngineStopped(messageOf(err))) throw err;
        this.error = `Could not open “${rec.name}”: ${messageOf(err)}`;
      }
    }
    if (repair?.removedRows.length) {
      this.notice = `An interrupted change was cleaned up: ${repair.removedRows.map((n) => `“${n}”`).join(', ')} had not finished saving and is no longer listed. Your other datasets are intact.`;
    }
  }

  private async activate(rec: DatasetRecord): Promise<void> {
    const db = this.db!;
    if (db.info.readOnly) await db.exec(`SET schema = ${literal(rec.schema)}`); // a read-only file keeps its settings
    else await useDataset(db, rec);
    this.coordinator?.invalidate();
    this.dataset = rec;
    this.version++;
  }

  /**
   * The engine died (a WebAssembly trap, the worker killed or silent): throw it away, open a new one on the stored
   * file, repair the catalog and reopen the current dataset. Whatever was running fails; stored data is intact
   * because every write is atomic.
   */
  async restart(reason: string): Promise<void> {
    if (this.restarting) return;
    this.restarting = true;
    const t0 = performance.now();
    const old = this.db;
    this.db = null;
    this.coordinator = null;
    this.abort?.abort();
    this.importer.engineLost();
    this.notice = null;
    this.error = `The database engine stopped (${short(reason)}). Restarting it from the stored file…`;
    await old?.close().catch(() => undefined);
    try {
      const db = this.recovery?.readOnly
        ? await openBrowserDb({ persist: true, strict: true, readOnly: true })
        : await this.openEngine(this.owner);
      if (!db) return;
      await this.attach(db);
      this.error = null;
      const s = ((performance.now() - t0) / 1000).toFixed(1);
      this.notice =
        `The database engine stopped (${short(reason)}) and was restarted from the stored file in ${s} s. ` +
        'Your stored datasets are intact; the action that was running did not complete.';
      this.phase = 'ready';
      this.version++;
    } catch (err) {
      this.phase = 'error';
      this.error = 'The database engine stopped and could not be restarted: ' + messageOf(err) + ' Reload the page.';
    } finally {
      this.restarting = false;
    }
  }

  /** Run one write to the stored database; refused with a clear message while another one runs. */
  private async write<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.writing) throw new StrataError(`Please wait: ${this.writing} is still running. Strata saves one change at a time (or cancel it first).`);
    if (this.db?.info.readOnly) throw new StrataError('The stored database is open read-only for recovery: nothing can be changed.');
    this.writing = what;
    try {
      return await fn();
    } catch (err) {
      const msg = messageOf(err);
      if (isStorageFull(msg)) {
        this.afterStorageFull();
        throw new StrataError(STORAGE_FULL, msg, { cause: err });
      }
      throw err;
    } finally {
      this.writing = null;
    }
  }

  /**
   * A write the browser refused for lack of space can leave DuckDB-WASM's in-memory state out of step with its
   * file (measured: the next statement traps with "null function"), so the engine restarts from the stored file.
   */
  private afterStorageFull(): void {
    const db = this.db;
    queueMicrotask(() => {
      if (this.db === db) void this.restart("the browser's storage was full during a write");
    });
  }

  /** Generate a shop as a new dataset; on failure or cancel the previous dataset stays. */
  async generate(params: GenParams): Promise<void> {
    const db = this.db;
    if (!db || this.abort) return;
    if (this.writing) {
      this.error = `Please wait: ${this.writing} is still running. Strata saves one change at a time.`;
      return;
    }
    const abort = (this.abort = new AbortController());
    this.phase = 'loading';
    this.error = null;
    this.notice = null;
    this.progress = { label: 'Starting', fraction: 0 };
    try {
      await this.write('generating a shop', async () => {
        const work = await db.fork();
        abort.signal.addEventListener('abort', () => void work.cancel().catch(() => undefined));
        if (abort.signal.aborted) await work.cancel();
        try {
          const name = `Demo shop · ${fmtInt(params.users)} users · ${params.days} days · seed ${params.seed}`;
          const rec = await createDataset(work, { name, kind: 'demo', meta: JSON.stringify(params) }, async () => {
            await generateShopInBrowser(work, params, (p) => (this.progress = p), abort.signal);
          }, { main: db, release: () => work.close() });
          await this.activate(rec);
          this.datasets = await listDatasets(db);
          this.timings.datasetReadyMs ??= performance.now();
        } finally {
          await work.close().catch(() => undefined);
        }
      });
    } catch (err) {
      const msg = messageOf(err);
      if (err instanceof Cancelled || abort.signal.aborted) {
        if (!this.restarting && !isEngineStopped(msg)) this.notice = 'Generation cancelled — nothing was changed.';
      } else if (!isEngineStopped(msg)) this.error = msg;
    } finally {
      if (this.phase === 'loading') this.phase = 'ready';
      this.abort = null;
      this.progress = null;
    }
  }

  /** Import the Import screen's files as a new dataset and open it; one write at a time, like every change. */
  async importData(): Promise<DatasetRecord | null> {
    const db = this.db;
    if (!db || this.importer.stage === 'importing') return null;
    if (this.writing) {
      this.importer.error = `Please wait: ${this.writing} is still running. Strata saves one change at a time.`;
      return null;
    }
    try {
      return await this.write('an import', async () => {
        const rec = await this.importer.run(db);
        if (!rec && this.importer.error === STORAGE_FULL) this.afterStorageFull();
        if (rec) {
          await this.activate(rec);
          this.datasets = await listDatasets(db);
        }
        return rec;
      });
    } catch (err) {
      this.importer.error = messageOf(err);
      return null;
    }
  }

  /** Switch to another stored dataset. */
  async switchTo(id: number): Promise<void> {
    const rec = this.datasets.find((d) => d.id === id);
    if (!rec || !this.db) return;
    try {
      await this.write('opening a dataset', () => this.activate(rec));
    } catch (err) {
      this.error = `Could not open “${rec.name}”: ${messageOf(err)}`;
    }
  }

  /** Rename a stored dataset. */
  async rename(id: number, name: string): Promise<void> {
    const db = this.db;
    if (!db) return;
    await this.write('renaming a dataset', async () => {
      await renameDataset(db, id, name);
      this.datasets = await listDatasets(db);
      if (this.dataset?.id === id) this.dataset = this.datasets.find((d) => d.id === id) ?? null;
    });
  }

  /** Delete a stored dataset; if it was current, the next one (if any) becomes current. */
  async remove(id: number): Promise<void> {
    const db = this.db;
    const rec = this.datasets.find((d) => d.id === id);
    if (!db || !rec) return;
    await this.write('deleting a dataset', async () => {
      const next = this.datasets.find((d) => d.id !== id) ?? null;
      if (this.dataset?.id === id) {
        if (next) await this.activate(next);
        else {
          await db.exec("SET schema = 'main'");
          this.dataset = null;
          this.version++;
        }
      }
      await deleteDataset(db, rec);
      this.datasets = await listDatasets(db);
    });
  }

  /** Cancel the running generation, if any. */
  cancel(): void {
    this.abort?.abort();
  }

  /** Recovery: open the stored file read-only, to look at it and export what it holds. */
  async openReadOnly(): Promise<void> {
    const rec = this.recovery;
    if (!rec) return;
    this.phase = 'starting';
    try {
      const db = await openBrowserDb({ persist: true, strict: true, readOnly: true });
      this.recovery = { ...rec, readOnly: true };
      this.storage = 'read-only';
      await this.attach(db);
      this.phase = 'ready';
    } catch (err) {
      this.recovery = { reason: `${rec.reason} Read-only did not work either: ${readableEngineError(messageOf(err))}`, readOnly: false };
      this.phase = 'error';
    }
  }

  /** Recovery: work in memory for this tab; the stored file is left exactly as it is. */
  async continueInMemory(): Promise<void> {
    if (!this.recovery) return;
    this.phase = 'starting';
    this.storage = 'memory-recovery';
    this.owner = false;
    try {
      const db = await openBrowserDb({ persist: false });
      this.recovery = null;
      await this.attach(db);
      this.phase = 'ready';
      if (!this.dataset) await this.generate(DEFAULT_PARAMS);
    } catch (err) {
      this.phase = 'error';
      this.error = 'Strata could not start its database: ' + messageOf(err);
    }
  }

  /** Whether a generation or any other write is running (buttons that change data are disabled meanwhile). */
  get busy(): boolean {
    return this.phase === 'loading' || this.writing !== null || this.restarting;
  }
}

function short(reason: string): string {
  const line = reason.split('\n')[0];
  return line.length > 160 ? line.slice(0, 157) + '…' : line;
}

/** The app's one instance. */
export const app = new AppState();
