// DuckDB-WASM (eh bundle, bundled locally) behind a byte-level API: SQL in, Arrow IPC bytes out. Runs in db.worker.
import * as duckdb from '@duckdb/duckdb-wasm';
import { tableFromIPC } from 'apache-arrow';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import { CANCELLED, type InsertOptions } from './types.ts';
import { ident, scriptSql, type SqlValue } from '../sql/quote.ts';
import { ENGINE_STOPPED, isEngineFatal } from './engine-faults.ts';

/** Where the database file lives when persistence is on (Origin Private File System). */
export const OPFS_PATH = 'opfs://strata.db';

/** How to open the engine. */
export interface EngineOptions {
  /** Keep every table in OPFS so it survives reloads and browser restarts. */
  persist: boolean;
  /** Open the stored file read-only (recovery: look at and export what a damaged database still holds). */
  readOnly?: boolean;
  /** Fail instead of falling back to memory when the stored file cannot be opened (the app decides what to do). */
  strict?: boolean;
}

/** What the engine reports once it is ready. */
export interface EngineInfo {
  version: string;
  /** Milliseconds from start of init to a usable connection. */
  initMs: number;
  /** True when tables live in OPFS; false for an in-memory session. */
  persistent: boolean;
  /** Why persistence is off although it was asked for, if it is. */
  persistError: string | null;
  /** True when the browser has OPFS, so a persistence failure is about the stored file, not the browser. */
  opfs: boolean;
  /** True when the stored file was opened read-only. */
  readOnly: boolean;
}

/** Which DuckDB-WASM build to start: the single-threaded "eh" one (default) or the threaded "coi" one. */
export interface EngineBundle {
  wasm: string;
  /** The threaded build's helper-thread script (only with `crossOriginIsolated`). */
  pthreadWorker?: string;
  /**
   * The threaded build's thread count, set when the database opens: a `SET threads` sent right after the engine
   * starts hangs it for good (its helper threads are still loading; measured in Chromium), at open it is safe.
   */
  threads?: number;
}

/** The engine: one AsyncDuckDB instance; connection 0 is the main one, others are opened on demand. */
export class WasmEngine {
  private db: duckdb.AsyncDuckDB | null = null;
  private conns = new Map<number, duckdb.AsyncDuckDBConnection>();
  private cancelled = new Set<number>();
  private mainId = 0;
  private broken: string | null = null;
  /** Connections where a statement failed or was cancelled: they may hold an open transaction. */
  private dirty = new Set<number>();
  private waiting = new Set<(err: Error) => void>();

  /**
   * Start DuckDB from the locally bundled files (never a CDN). `startWorker` starts DuckDB-WASM's own worker for its
   * "eh" build (workers/duckdb-eh.worker.ts, which lets the browser cache the compiled module).
   */
  async init(opts: EngineOptions, startWorker: () => Worker, bundle: EngineBundle = { wasm: ehWasm }): Promise<EngineInfo> {
    const t0 = performance.now();
    const inner = startWorker();
    // DuckDB-WASM forgets (never settles) its pending requests when its worker fails: notice, and fail them.
    inner.addEventListener('error', (e) => this.fail(e.message || 'its worker failed'));
    const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), inner);
    await db.instantiate(bundle.wasm, bundle.pthreadWorker);
    const query = { castBigIntToDouble: true, castDecimalToDouble: true, castTimestampToDate: false };
    const opfs = typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function';
    let persistent = false;
    let persistError: string | null = null;
    if (opts.persist) {
      const accessMode = opts.readOnly ? duckdb.DuckDBAccessMode.READ_ONLY : duckdb.DuckDBAccessMode.READ_WRITE;
      try {
        await db.open({ path: OPFS_PATH, accessMode, query });
        persistent = true;
      } catch (err) {
        persistError = err instanceof Error ? err.message : String(err);
        if (opts.strict) {
          await db.terminate();
          throw new Error(persistError);
        }
        await db.open({ query });
      }
    } else {
      await db.open(bundle.threads ? { query, maximumThreads: bundle.threads } : { query });
    }
    this.db = db;
    this.mainId = await this.connect();
    const version = await db.getVersion();
    return { version, initMs: performance.now() - t0, persistent, persistError, opfs, readOnly: persistent && !!opts.readOnly };
  }

  /** Why the engine can no longer be used, or null while it is healthy (the main thread polls this). */
  ping(): string | null {
    return this.broken;
  }

  /** Mark the engine dead: every pending and later call fails with the reason instead of hanging. */
  private fail(reason: string): void {
    if (this.broken) return;
    this.broken = reason;
    this.rejectAll(new Error(`${ENGINE_STOPPED}: ${reason}`));
  }

  /** Run one engine call: fail fast when broken, notice traps, and never hang on a request DuckDB dropped. */
  private async guard<T>(call: () => Promise<T>): Promise<T> {
    if (this.broken) throw new Error(`${ENGINE_STOPPED}: ${this.broken}`);
    let reject: (err: Error) => void = () => undefined;
    const dropped = new Promise<never>((_, r) => (reject = r));
    this.waiting.add(reject);
    try {
      return await Promise.race([call(), dropped]);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (isEngineFatal(msg)) this.fail(msg);
      throw err;
    } finally {
      this.waiting.delete(reject);
    }
  }

  private rejectAll(err: Error): void {
    for (const reject of this.waiting) reject(err);
    this.waiting.clear();
  }

  private ready(): duckdb.AsyncDuckDB {
    if (!this.db) throw new Error('The database is not ready yet');
    return this.db;
  }

  /** Open another connection (for work that must be cancellable or run beside the main one). */
  async connect(): Promise<number> {
    return this.guard(async () => {
      const conn = await this.ready().connect();
      const id = (conn as unknown as { _conn: number })._conn;
      this.conns.set(id, conn);
      // Never fetch extensions: Strata makes no request beyond its own origin (timestamps are plain, UTC).
      await this.ready().runQuery(id, 'SET autoinstall_known_extensions = false; SET autoload_known_extensions = false');
      return id;
    });
  }

  /**
   * Close a connection opened with connect(). A cancelled job may have left a transaction open on it (a statement
   * stopped between BEGIN and COMMIT): roll it back first, so no write transaction outlives its job and blocks
   * CHECKPOINT for everyone else.
   */
  async disconnect(id: number): Promise<void> {
    this.cancelled.delete(id);
    const conn = this.conns.get(id);
    this.conns.delete(id);
    const dirty = this.dirty.delete(id);
    if (!conn || this.broken) return;
    await this.guard(async () => {
      if (dirty) {
        await this.ready().cancelPendingQuery(id).catch(() => false);
        await this.ready().runQuery(id, 'ROLLBACK').catch(() => undefined); // "no transaction is active" is fine
      }
      await conn.close();
    });
  }

  /** Run a statement; returns its result as Arrow IPC stream bytes. Other connections run it step-wise (cancellable). */
  async query(sql: string, params: readonly SqlValue[] = [], conn = this.mainId): Promise<Uint8Array> {
    try {
      return await this.guard(() => this.run(sql, params, conn));
    } catch (err) {
      if (conn !== this.mainId) this.dirty.add(conn);
      throw err;
    }
  }

  /** Run one statement that must be a single statement (prepared, even without parameters): for read-only probes. */
  async queryOne(sql: string, params: readonly SqlValue[] = []): Promise<Uint8Array> {
    return this.guard(async () => {
      const db = this.ready();
      checkParamBytes(params);
      const stmt = await db.createPrepared(this.mainId, sql);
      try {
        return await db.runPrepared(this.mainId, stmt, params as SqlValue[]);
      } finally {
        await db.closePrepared(this.mainId, stmt);
      }
    });
  }

  private async run(sql: string, params: readonly SqlValue[], conn: number): Promise<Uint8Array> {
    const db = this.ready();
    checkParamBytes(params);
    // A cancelled connection stays cancelled: every later statement of the same job fails fast.
    if (this.cancelled.has(conn)) throw new Error(CANCELLED);
    // Values are written into the text through the one escaping function (`scriptSql`: numbers as DOUBLE, as a
    // bound number is), not bound to a prepared statement: DuckDB plans a prepared statement that reads a table
    // again when it runs, so binding cost a second planning of every analysis (10-30 % of a statement at 50K events).
    if (params.length > 0) sql = scriptSql({ text: sql, params });
    if (conn === this.mainId) return db.runQuery(conn, sql);
    // Step-wise: start, poll until the schema header is ready, then fetch batches until an empty one.
    const stop = async () => {
      if (!this.cancelled.has(conn)) return;
      await db.cancelPendingQuery(conn).catch(() => false);
      throw new Error(CANCELLED);
    };
    let header = await db.startPendingQuery(conn, sql);
    while (header === null) {
      await stop();
      header = await db.pollPendingQuery(conn);
    }
    const parts: Uint8Array[] = [header];
    for (;;) {
      await stop();
      const chunk = await db.fetchQueryResults(conn);
      if (chunk === null) continue;
      if (chunk.length === 0) break;
      parts.push(chunk);
    }
    return concat(parts);
  }

  /** Run statements for their effect. */
  async exec(sql: string, conn = this.mainId): Promise<void> {
    await this.query(sql, [], conn);
  }

  /** Ask a connection's running query to stop at its next step. */
  cancel(conn: number): void {
    if (!this.conns.has(conn)) return;
    this.cancelled.add(conn);
    this.dirty.add(conn);
  }

  /** Create or append a table (in the connection's current schema) from Arrow IPC stream bytes. */
  async insertArrow(table: string, ipc: Uint8Array, opts: InsertOptions = {}, conn = this.mainId): Promise<void> {
    try {
      await this.guard(async () => {
        if (this.cancelled.has(conn)) throw new Error(CANCELLED);
        const db = this.ready();
        const schemaBytes = await db.runQuery(conn, 'SELECT current_schema() AS s');
        const schema = schemaOf(schemaBytes);
        if (!opts.append) await db.runQuery(conn, `DROP TABLE IF EXISTS ${ident(schema)}.${ident(table)}`);
        await db.insertArrowFromIPCStream(conn, ipc, { name: table, schema, create: !opts.append });
      });
    } catch (err) {
      if (conn !== this.mainId) this.dirty.add(conn);
      throw err;
    }
  }

  /** Make a dropped File readable by SQL under `name` (read lazily; the file is never copied). */
  async registerFile(name: string, file: File): Promise<void> {
    await this.guard(() => this.ready().registerFileHandle(name, file, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true));
  }

  /** Make bytes readable by SQL under `name` (the reader's snapshot: src/db/snapshot-attach.ts). */
  async registerBuffer(name: string, bytes: Uint8Array): Promise<void> {
    await this.guard(() => this.ready().registerFileBuffer(name, bytes));
  }

  /** Forget a registered file. */
  async dropFile(name: string): Promise<void> {
    await this.guard(() => this.ready().dropFile(name));
  }
}

/**
 * DuckDB-WASM hands a prepared statement's values to the engine as one JSON string on its 1 MiB stack: past about
 * 1 MB it traps (measured in Chromium: 50,000 values of 20 characters crash, of 10 run). Refuse well before that,
 * so no input, whatever the link limits let through, can take the engine down this way.
 */
export const MAX_PARAM_BYTES = 512 * 1024;

function checkParamBytes(params: readonly SqlValue[]): void {
  if (params.length === 0) return;
  const bytes = new TextEncoder().encode(JSON.stringify(params)).length;
  if (bytes > MAX_PARAM_BYTES) {
    throw new Error(
      `This query carries ${Math.round(bytes / 1024)} KB of values; the database engine takes at most ${MAX_PARAM_BYTES / 1024} KB ` +
        'in one query. Use fewer or shorter values (for example a shorter list in a filter).',
    );
  }
}

function schemaOf(ipc: Uint8Array): string {
  return String(tableFromIPC(ipc).getChild('s')?.get(0) ?? 'main');
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
