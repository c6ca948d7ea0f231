// Application state: the database, the current dataset, long-running work and its progress.
import { openBrowserDb, type BrowserDb } from '../db/browser-db.ts';
import { QueryCoordinator } from '../db/coordinator.ts';
import { DEFAULT_PARAMS, type GenParams } from '../data/generator/params.ts';
import { generateShopInBrowser, Cancelled, type LoadProgress } from './generate.ts';
import { messageOf } from '../errors.ts';

/** What is loaded. */
export interface DatasetInfo {
  kind: 'demo';
  params: GenParams;
  events: number;
  loadedAt: number;
}

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
  dataset = $state<DatasetInfo | null>(null);
  /** Bumped on every dataset change: views re-query when it moves. */
  version = $state(0);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  timings: Timings = {};
  private abort: AbortController | null = null;

  /** Start DuckDB and generate the default demo shop. */
  async boot(): Promise<void> {
    try {
      const db = await openBrowserDb();
      this.timings.dbReadyMs = performance.now();
      this.db = db;
      this.coordinator = new QueryCoordinator(db);
      await this.generate(DEFAULT_PARAMS);
    } catch (err) {
      this.phase = 'error';
      this.error = 'Strata could not start its database: ' + messageOf(err);
    }
  }

  /** Generate a shop; on failure or cancel the previous dataset stays. */
  async generate(params: GenParams): Promise<void> {
    if (!this.db || this.abort) return;
    const previous = this.phase;
    this.abort = new AbortController();
    this.phase = 'loading';
    this.error = null;
    this.notice = null;
    this.progress = { label: 'Starting', fraction: 0 };
    try {
      const { events } = await generateShopInBrowser(this.db, params, (p) => (this.progress = p), this.abort.signal);
      this.coordinator?.invalidate();
      this.dataset = { kind: 'demo', params, events, loadedAt: Date.now() };
      this.version++;
      this.timings.datasetReadyMs ??= performance.now();
      this.phase = 'ready';
    } catch (err) {
      if (err instanceof Cancelled) this.notice = 'Generation cancelled — nothing was changed.';
      else this.error = messageOf(err);
      this.phase = this.dataset ? 'ready' : previous === 'starting' && !(err instanceof Cancelled) ? 'error' : 'ready';
    } finally {
      this.abort = null;
      this.progress = null;
    }
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
