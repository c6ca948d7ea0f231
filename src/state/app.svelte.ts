// Application state: the database, the stored datasets and the current one, long-running work and its progress.
import { openBrowserDb, type BrowserDb } from '../db/browser-db.ts';
import { QueryCoordinator } from '../db/coordinator.ts';
import { DEFAULT_PARAMS, type GenParams } from '../data/generator/params.ts';
import { createDataset, currentDatasetId, deleteDataset, ensureCatalog, listDatasets, renameDataset, useDataset, type DatasetRecord } from '../data/datasets.ts';
import { generateShopInBrowser, Cancelled, type LoadProgress } from './generate.ts';
import { ImportSession } from './import.svelte.ts';
import { acquireDbLock } from './lock.ts';
import { requestPersistentStorage } from '../lib/storage.ts';
import { messageOf } from '../errors.ts';
import { fmtInt } from '../lib/format.ts';

/** Milestones of a cold start, read by the benchmark. */
export interface Timings {
  dbReadyMs?: number;
  datasetReadyMs?: number;
  dashboardMs?: number;
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
  storage = $state<'persistent' | 'memory-other-tab' | 'memory-unsupported'>('persistent');
  timings: Timings = {};
  /** The Import screen's session (files, mappings, report). */
  importer = new ImportSession(() => this.db);
  private abort: AbortController | null = null;

  /** Start DuckDB, open the stored datasets (or generate the demo shop on a first visit). */
  async boot(): Promise<void> {
    try {
      const owner = await acquireDbLock();
      const db = await openBrowserDb({ persist: owner });
      this.timings.dbReadyMs = performance.now();
      this.storage = !owner ? 'memory-other-tab' : db.info.persistent ? 'persistent' : 'memory-unsupported';
      if (db.info.persistError) console.warn('Persistence unavailable:', db.info.persistError);
      if (db.info.persistent) void requestPersistentStorage().catch(() => false);
      this.db = db;
      this.coordinator = new QueryCoordinator(db);
      await ensureCatalog(db);
      this.datasets = await listDatasets(db);
      const current = await currentDatasetId(db);
      const rec = this.datasets.find((d) => d.id === current) ?? this.datasets[0];
      if (rec) {
        await this.activate(rec);
        this.timings.datasetReadyMs ??= performance.now();
        this.phase = 'ready';
      } else {
        await this.generate(DEFAULT_PARAMS);
      }
    } catch (err) {
      this.phase = 'error';
      this.error = 'Strata could not start its database: ' + messageOf(err);
    }
  }

  private async activate(rec: DatasetRecord): Promise<void> {
    await useDataset(this.db!, rec);
    this.coordinator?.invalidate();
    this.dataset = rec;
    this.version++;
  }

  /** Generate a shop as a new dataset; on failure or cancel the previous dataset stays. */
  async generate(params: GenParams): Promise<void> {
    const db = this.db;
    if (!db || this.abort) return;
    const abort = (this.abort = new AbortController());
    this.phase = 'loading';
    this.error = null;
    this.notice = null;
    this.progress = { label: 'Starting', fraction: 0 };
    const work = await db.fork();
    abort.signal.addEventListener('abort', () => void work.cancel());
    try {
      const name = `Demo shop · ${fmtInt(params.users)} users · ${params.days} days · seed ${params.seed}`;
      const rec = await createDataset(work, { name, kind: 'demo', meta: JSON.stringify(params) }, async () => {
        await generateShopInBrowser(work, params, (p) => (this.progress = p), abort.signal);
      });
      await this.activate(rec);
      this.datasets = await listDatasets(db);
      this.timings.datasetReadyMs ??= performance.now();
    } catch (err) {
      if (err instanceof Cancelled || abort.signal.aborted) this.notice = 'Generation cancelled — nothing was changed.';
      else this.error = messageOf(err);
    } finally {
      await work.close().catch(() => undefined);
      this.phase = 'ready';
      this.abort = null;
      this.progress = null;
    }
  }

  /** Make a freshly created dataset current (after an import). */
  async adopt(rec: DatasetRecord): Promise<void> {
    if (!this.db) return;
    await this.activate(rec);
    this.datasets = await listDatasets(this.db);
  }

  /** Switch to another stored dataset. */
  async switchTo(id: number): Promise<void> {
    const rec = this.datasets.find((d) => d.id === id);
    if (!rec || !this.db || this.busy) return;
    try {
      await this.activate(rec);
    } catch (err) {
      this.error = `Could not open “${rec.name}”: ${messageOf(err)}`;
    }
  }

  /** Rename a stored dataset. */
  async rename(id: number, name: string): Promise<void> {
    if (!this.db) return;
    await renameDataset(this.db, id, name);
    this.datasets = await listDatasets(this.db);
    if (this.dataset?.id === id) this.dataset = this.datasets.find((d) => d.id === id) ?? null;
  }

  /** Delete a stored dataset; if it was current, the next one (if any) becomes current. */
  async remove(id: number): Promise<void> {
    const db = this.db;
    const rec = this.datasets.find((d) => d.id === id);
    if (!db || !rec || this.busy) return;
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
  }

  /** Cancel the running generation, if any. */
  cancel(): void {
    this.abort?.abort();
  }

  /** Whether a generation is running. */
  get busy(): boolean {
    return this.phase === 'loading';
  }
}

/** The app's one instance. */
export const app = new AppState();
