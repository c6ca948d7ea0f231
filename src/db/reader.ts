// The threaded reader: when the page is cross-origin isolated, a second DuckDB-WASM — the threaded ("coi") build —
// answers the analyses' SELECTs from a read-only snapshot of the stored database file. The main engine (single-
// threaded, the only one that can open the file in OPFS: duckdb-wasm#2096) keeps every write and every statement
// the snapshot cannot answer. A snapshot is current while no write has been sent since it was taken; the browser Db
// counts writes (statementKind) and asks the reader only then, so an answer never comes from stale data.
import * as Comlink from 'comlink';
import { tableFromIPC, type Table } from 'apache-arrow';
import { decodeIpc, INCOMPLETE_RESULT } from './ipc-decode.ts';
import type { ReaderWorkerApi } from './protocols.ts';
import type { SqlValue } from '../sql/quote.ts';
import type { QueryOptions } from './types.ts';
import type { StatementKind } from './statement-kind.ts';

/**
 * Where the reader is: waiting for its first snapshot, standing by (the dataset is too small to gain from threads:
 * the main engine answers), taking a snapshot, answering, or given up (with why).
 */
export type ReaderState = 'starting' | 'standby' | 'loading' | 'ready' | 'failed';

/** What the reader needs from the main engine. */
export interface ReaderHost {
  /** Writes sent so far (bumped when a write starts and when it ends). */
  writes(): number;
  /**
   * True when nothing may hold DuckDB's checkpoint lock (no call in flight on another connection, no write in flight,
   * no explicit transaction open): only then is CHECKPOINT sent, in the same turn, so no wait can deadlock the engine.
   */
  idle(): boolean;
  /** Run a statement on the main engine (CHECKPOINT, the current catalog and schema). */
  query(sql: string): Promise<Table>;
  exec(sql: string): Promise<void>;
}

export interface ReaderOptions {
  threads: number;
  /**
   * Take snapshots only while the current dataset has at least this many events. Below it the threads cost more than
   * they give (measured in the page at 50K events: the Overview's panels 1.5–4× slower on the reader, its 7 panels
   * 116 vs 43 ms; at 1M even or faster, pivot B 414 → 292 ms), and the threaded build is not even loaded.
   */
  minEvents: number;
  /** Wait this long after the last write before taking a snapshot (writes come in bursts). */
  quietMs: number;
  /** Read the stored file (OPFS in the page). */
  readFile: () => Promise<Uint8Array>;
  /** Start the reader's worker. */
  startWorker: () => Worker;
  /** Wait this long before replacing a threaded engine that failed (default RESTART_MS). */
  restartMs?: number;
}

/** What the reader reports (the probe, the benchmark). */
export interface ReaderStatus {
  state: ReaderState;
  threads: number;
  /** The write count its state holds for: the snapshot's when ready, the decision's when standing by (-1 before). */
  generation: number;
  snapshots: number;
  /** Statements it answered. */
  answered: number;
  /** Statements it was asked and failed to answer (the main engine answered them instead). */
  declined: number;
  /** Threaded engines replaced after a failure (at most MAX_RESTARTS a page). */
  restarts: number;
  /** What the snapshot being taken is doing (checkpoint, read, attach), or null. */
  step: string | null;
  /** Milliseconds the last snapshot took (checkpoint, read, attach, warm). */
  lastSnapshotMs: number | null;
  /** Of which reading the dataset's tables once after attaching (so the first statements find them in memory). */
  warmMs: number | null;
  /** Milliseconds the threaded engine took to start (fetch and compile its module, start its threads). */
  startMs: number | null;
  error: string | null;
  /** The last few distinct reasons a snapshot failed, oldest first (the first one is often the cause). */
  errors: string[];
}

/**
 * Whether a statement may be answered from the reader's snapshot (when it is current): a read on the page's main
 * connection (not a job's own connection: it may see its uncommitted writes) that does not ask for the main engine.
 * Statements ask for it (Sql.engine, onMainEngine) where the reader's threads were measured slower than the main
 * engine's one thread (README, "Speed"): in the page, DuckDB-WASM's threaded build ran the Overview's KPI row and
 * geography panel 1.4-1.8x slower than the main engine at 1M and 10M events.
 */
export function readsFromReader(kind: StatementKind, conn: number | undefined, opts?: QueryOptions): boolean {
  return kind === 'read' && conn === undefined && opts?.engine !== 'main';
}

/** The main engine's current catalog and schema, and how many events the current dataset holds (table metadata). */
const WHERE_SQL = `SELECT current_database() AS d, current_schema() AS s,
  (SELECT coalesce(sum(estimated_size), 0) FROM duckdb_tables()
   WHERE database_name = current_database() AND schema_name = current_schema() AND table_name = 'events')::DOUBLE AS n`;

/** How long attaching a snapshot may take: a base plus a time per MB of file (10M events: ~500 MB, ~2 s measured). */
const ATTACH_BASE_MS = 30_000;
const ATTACH_MS_PER_MB = 60;

class AttachTimeout extends Error {
  constructor(ms: number) {
    super(`its snapshot did not load within ${Math.round(ms / 1000)} s`);
  }
}

/** A snapshot that could not be taken (written meanwhile, the file busy) is tried again later, each time waiting
 *  twice as long, up to this many times the quiet period. */
const MAX_BACKOFF = 8;

/**
 * Snapshot tries for one write count that may fail with an error (not "written meanwhile" or "busy": those are no
 * fault) before the threaded engine counts as failed (then `fail`: replaced, or given up). Without the cap a snapshot
 * that can never be taken (one bench run at 10M) would be tried forever, and the reader neither answer nor give up.
 */
export const MAX_FAILED_TRIES = 4;

/** Distinct failure reasons kept in the status. */
const MAX_ERRORS = 5;

/**
 * A threaded engine that failed (its worker or one of its threads threw, or a snapshot never finished attaching —
 * both seen now and then with DuckDB-WASM's threaded build, e.g. one bench run lost it at 1M and at 10M) is replaced
 * by a new one this many times a page, RESTART_MS later; after that the main engine answers everything.
 */
export const MAX_RESTARTS = 2;
const RESTART_MS = 3000;

export class SnapshotReader {
  private worker: Worker | null = null;
  private remote: Comlink.Remote<ReaderWorkerApi> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private busy = false;
  private again = false;
  private tries = 0;
  private triedFor = -1;
  /** Tries for `triedFor` that ended in an error. */
  private failedTries = 0;
  private fileName: string | null = null;
  /** The catalog the snapshot is attached as (the main engine's database name). */
  private catalog = '';
  private dead: Promise<never>;
  private kill: (err: Error) => void = () => undefined;
  private status: ReaderStatus;
  private started: Promise<void> | null = null;
  private closed = false;

  constructor(
    private host: ReaderHost,
    private opts: ReaderOptions,
  ) {
    this.status = { state: 'starting', threads: opts.threads, generation: -1, snapshots: 0, answered: 0, declined: 0, restarts: 0, step: null, lastSnapshotMs: null, warmMs: null, startMs: null, error: null, errors: [] };
    this.dead = new Promise<never>((_, reject) => (this.kill = reject));
    this.dead.catch(() => undefined);
  }

  get info(): ReaderStatus {
    return { ...this.status, errors: [...this.status.errors] };
  }

  private noteError(msg: string): void {
    this.status.error = msg;
    const errors = this.status.errors.filter((e) => e !== msg);
    errors.push(msg);
    this.status.errors = errors.slice(-MAX_ERRORS);
  }

  /** True when the snapshot holds exactly what the main engine holds after `writes` writes. */
  current(writes: number): boolean {
    return this.status.state === 'ready' && this.status.generation === writes;
  }

  /** A write ended (or the host opened): take a new snapshot once writes have been quiet for a moment. */
  schedule(): void {
    if (this.status.state === 'failed') return;
    clearTimeout(this.timer);
    // After failed tries for the same write count, wait longer each time (a long write transaction elsewhere).
    const failed = this.triedFor === this.host.writes() ? this.tries : 0;
    const backoff = Math.min(MAX_BACKOFF, 2 ** Math.max(0, failed - 1));
    this.timer = setTimeout(() => void this.refresh(), this.opts.quietMs * backoff);
  }

  /**
   * Answer a read from the snapshot: the table, or null when the snapshot is not current or the reader failed to
   * answer (the caller runs it on the main engine), or 'write' when the reader refused it as a write (a statement
   * the classifier let through: the caller counts it as one).
   */
  async answer(sql: string, params: readonly SqlValue[], writes: number): Promise<Table | null | 'write'> {
    if (!this.current(writes) || !this.remote) return null;
    try {
      const bytes = await Promise.race([this.remote.query(sql, [...params]), this.dead]);
      const table = await decodeIpc(bytes);
      this.status.answered++;
      return table;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (/read-only|read only/i.test(msg)) return 'write';
      this.status.declined++;
      this.noteError(msg);
      return null;
    }
  }

  /** Run a read on the snapshot only (the tests' cross-engine check): fails unless the snapshot is current. */
  async only(sql: string, params: readonly SqlValue[], writes: number): Promise<Table> {
    // A result cut short by duckdb-wasm#2256 (the app's path declines it and asks the main engine) is asked again.
    for (let attempt = 1; ; attempt++) {
      if (!this.current(writes) || !this.remote) throw new Error(`The threaded reader's snapshot is not current (${this.status.state}).`);
      try {
        return await decodeIpc(await Promise.race([this.remote.query(sql, [...params]), this.dead]));
      } catch (err) {
        if (attempt >= 3 || !String(err instanceof Error ? err.message : err).includes(INCOMPLETE_RESULT)) throw err;
      }
    }
  }

  /** Start the threaded engine (once). */
  private start(): Promise<void> {
    this.started ??= (async () => {
      const worker = this.opts.startWorker();
      this.worker = worker;
      worker.addEventListener('error', (e) => {
        if (this.worker === worker) this.fail(e.message || 'the reader worker failed');
      });
      const remote = Comlink.wrap<ReaderWorkerApi>(worker);
      this.remote = remote;
      const t0 = performance.now();
      await Promise.race([remote.init(this.opts.threads), this.dead]);
      this.status.startMs = performance.now() - t0;
      const t = tableFromIPC(await Promise.race([remote.query("SELECT current_setting('threads')::INTEGER AS t"), this.dead]));
      this.status.threads = Number(t.getChild('t')?.get(0) ?? 1);
    })();
    return this.started;
  }

  /** Take a snapshot if the current one is not for the current write count. */
  async refresh(): Promise<void> {
    if (this.status.state === 'failed') return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      const w0 = this.host.writes();
      if (this.status.generation === w0 && (this.status.state === 'ready' || this.status.state === 'standby')) return;
      if (this.triedFor !== w0) {
        this.triedFor = w0;
        this.tries = 0;
        this.failedTries = 0;
      }
      this.tries++;
      let t0 = performance.now();
      const where = (await this.host.query(WHERE_SQL)).get(0)?.toJSON() as { d: string; s: string; n: number };
      if (Number(where.n) < this.opts.minEvents) {
        if (this.fileName && this.remote) {
          // The last snapshot (a big dataset's: ~500 MB at 10M events) is of no more use: free it.
          const [name, catalog] = [this.fileName, this.catalog];
          this.fileName = null;
          await Promise.race([this.remote.detach(catalog, name), this.dead]);
        }
        this.status.state = 'standby';
        this.status.generation = w0;
        return;
      }
      try {
        await this.start();
      } catch (err) {
        // The threaded engine could not start (or died starting): the main engine answers everything.
        this.fail(err instanceof Error ? err.message : String(err));
        return;
      }
      if (!this.host.idle()) {
        // A job is running on another connection or a transaction is open: its CHECKPOINT would wait for it, which in
        // a single-threaded engine never ends. Try again later.
        this.again = true;
        return;
      }
      this.status.state = 'loading';
      t0 = performance.now(); // the snapshot's own time, not the engine's first start
      this.status.step = 'checkpoint';
      await this.host.exec('CHECKPOINT'); // sent in this turn: nothing can start between the check and it
      this.status.step = 'read';
      // After a CHECKPOINT that succeeded, the file alone holds every committed change (its write-ahead log, which
      // DuckDB-WASM leaves in OPFS with stale content, is not read: DuckDB would skip it as older than the file).
      const bytes = await this.opts.readFile();
      if (this.host.writes() !== w0) {
        // Something was written meanwhile: try again once writes are quiet.
        this.status.state = this.fileName ? 'ready' : 'starting';
        if (!this.fileName) this.status.generation = -1;
        this.again = true;
        return;
      }
      const name = `strata-snapshot-${this.status.snapshots + 1}.db`;
      this.status.step = 'attach';
      // Seen twice in some twenty 10M-event loads here: the threaded engine never finished attaching (no error). The
      // main engine answers meanwhile; past a generous limit the reader is given up for this page, freeing its memory.
      const limitMs = ATTACH_BASE_MS + (bytes.length / 1e6) * ATTACH_MS_PER_MB;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new AttachTimeout(limitMs)), limitMs);
      });
      try {
        this.status.warmMs = await Promise.race([
          this.remote!.attach(name, Comlink.transfer(bytes, [bytes.buffer]), String(where.d), String(where.s), this.fileName),
          this.dead,
          late,
        ]);
      } finally {
        clearTimeout(timer);
      }
      this.fileName = name;
      this.catalog = String(where.d);
      this.status.snapshots++;
      this.status.generation = w0;
      this.status.state = 'ready';
      this.status.lastSnapshotMs = performance.now() - t0;
      this.status.error = null;
      this.tries = 0;
      this.failedTries = 0;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (err instanceof AttachTimeout) {
        this.fail(msg);
        return;
      }
      if (++this.failedTries >= MAX_FAILED_TRIES) {
        this.failedTries = 0;
        this.fail(`no snapshot after ${MAX_FAILED_TRIES} tries (${msg})`);
        return;
      }
      // A snapshot that failed (the file changed while read, a write transaction open elsewhere): try again later
      // (schedule: each failed try waits longer). Before its attach step the last snapshot is still there (no longer
      // current); a failed attach leaves none (the worker detached it first), so none is claimed.
      this.noteError(msg);
      if (this.status.step === 'attach') this.fileName = null;
      if (this.status.state === 'loading') {
        this.status.state = this.fileName ? 'ready' : 'starting';
        if (!this.fileName) this.status.generation = -1;
      }
      this.again = true;
    } finally {
      this.status.step = null;
      this.busy = false;
      if (this.again && !this.failed()) {
        this.again = false;
        this.schedule();
      }
    }
  }

  private failed(): boolean {
    return this.status.state === 'failed';
  }

  /**
   * The threaded engine failed: drop it (statements in flight on it end; the main engine answers them). A new one
   * takes a snapshot RESTART_MS later, up to MAX_RESTARTS times; then give up — every later read goes to the main
   * engine.
   */
  fail(reason: string): void {
    if (this.status.state === 'failed') return;
    this.noteError(reason);
    clearTimeout(this.timer);
    this.kill(new Error(`The threaded reader stopped: ${reason}`));
    this.stopEngine();
    if (!this.closed && this.status.restarts < MAX_RESTARTS) {
      this.status.restarts++;
      this.status.state = 'starting';
      this.status.generation = -1;
      this.dead = new Promise<never>((_, reject) => (this.kill = reject));
      this.dead.catch(() => undefined);
      this.timer = setTimeout(() => void this.refresh(), this.opts.restartMs ?? RESTART_MS);
      return;
    }
    this.status.state = 'failed';
  }

  private stopEngine(): void {
    if (this.remote) this.remote[Comlink.releaseProxy]();
    this.worker?.terminate();
    this.remote = null;
    this.worker = null;
    this.started = null;
    this.fileName = null;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.kill(new Error('The threaded reader was closed'));
    this.stopEngine();
    if (this.status.state !== 'failed') this.status.state = 'failed';
    this.status.error ??= 'closed';
  }
}

/** The stored file in OPFS (the main engine's `opfs://strata.db`), read while the main engine holds it open. */
export async function readStoredFile(name = 'strata.db'): Promise<Uint8Array> {
  const root = await navigator.storage.getDirectory();
  const file = await (await root.getFileHandle(name)).getFile();
  return new Uint8Array(await file.arrayBuffer());
}

/** Whether this page can run the threaded build (cross-origin isolated, SharedArrayBuffer, OPFS). */
export function canUseReader(): boolean {
  return (
    typeof crossOriginIsolated !== 'undefined' &&
    crossOriginIsolated === true &&
    typeof SharedArrayBuffer === 'function' &&
    typeof navigator !== 'undefined' &&
    typeof navigator.storage?.getDirectory === 'function'
  );
}

/** Events from which the reader takes snapshots by default (see ReaderOptions.minEvents). */
export const READER_MIN_EVENTS = 500_000;

/**
 * The page's address may turn the reader off (`?reader=off`: to compare, or to work around a browser's fault) or on
 * for any size (`?reader=on`: the tests, on the demo shop); so may the `strata.reader` local setting (the same
 * words), which the address overrides. Otherwise it answers from READER_MIN_EVENTS events.
 */
export function readerMode(): { on: boolean; minEvents: number } {
  let asked: string | null = null;
  try {
    asked = new URLSearchParams(location.search).get('reader') ?? localStorage.getItem('strata.reader');
  } catch {
    asked = null; // no location or storage (a worker, a sandboxed frame): the default
  }
  return { on: asked !== 'off', minEvents: asked === 'on' ? 0 : READER_MIN_EVENTS };
}

/**
 * A second sentence for the Datasets screen while the reader answers (`status` ready and `current`): the statements
 * that still run on the main engine (Sql.engine), by name; null otherwise, or when there are none.
 */
export function mainEngineNote(status: ReaderStatus | null, current: boolean, panels: readonly string[]): string | null {
  if (!status || status.state !== 'ready' || !current || panels.length === 0) return null;
  const list = panels.length === 1 ? panels[0] : `${panels.slice(0, -1).join(', ')} and ${panels[panels.length - 1]}`;
  return `The Overview's ${list} ${panels.length === 1 ? 'runs' : 'run'} on one thread: measured faster there.`;
}

/** Why the page runs without the reader (readerSummary). */
export type NoReader = 'not-isolated' | 'off' | 'not-stored' | 'read-only';

/**
 * One sentence for the Datasets screen: which engine answers the analyses now, and why. `status` is null when the
 * page runs without the reader (`why` says why); `current` whether its snapshot holds everything written so far.
 */
export function readerSummary(status: ReaderStatus | null, current: boolean, why: NoReader, minEvents = READER_MIN_EVENTS): string {
  const n = new Intl.NumberFormat('en-US').format(minEvents);
  if (!status) {
    if (why === 'off') return 'Analyses run on one thread: the threaded engine is turned off (reader=off in the address or this browser\'s strata.reader setting).';
    if (why === 'read-only') return 'Analyses run on one thread: the stored data is open read-only for recovery.';
    if (why === 'not-stored') return 'Analyses run on one thread: the threaded engine reads datasets stored in this browser only.';
    return 'Analyses run on one thread: this page is not cross-origin isolated, so the threaded engine cannot start.';
  }
  const t = `${status.threads}-thread`;
  switch (status.state) {
    case 'standby':
      return `Analyses run on one thread: a ${t} engine takes over from ${n} events, and this dataset has fewer.`;
    case 'failed':
      return `The threaded engine stopped (${status.error ?? 'no reason given'}); one thread answers everything.`;
    case 'ready':
      if (current) {
        const took = status.lastSnapshotMs == null ? '' : ` (taken in ${(status.lastSnapshotMs / 1000).toFixed(1)} s)`;
        return `Analyses run on ${status.threads} threads, from a read-only snapshot of the stored data${took}.`;
      }
      return `The data changed since the ${t} engine's snapshot: one thread answers until the next one is taken.`;
    default:
      return `Taking a snapshot for the ${t} engine; one thread answers meanwhile.`;
  }
}
