// DuckDB-WASM (eh bundle, bundled locally) behind a byte-level API: SQL in, Arrow IPC bytes out. Runs in db.worker.
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import type { SqlValue } from '../sql/quote.ts';
import type { InsertOptions } from './types.ts';
import { ident } from '../sql/quote.ts';

/** What the engine reports once it is ready. */
export interface EngineInfo {
  version: string;
  /** Milliseconds from start of init to a usable connection. */
  initMs: number;
}

/** The engine: one AsyncDuckDB instance and one connection, serialised per call. */
export class WasmEngine {
  private db: duckdb.AsyncDuckDB | null = null;
  private conn: duckdb.AsyncDuckDBConnection | null = null;
  private connId = 0;

  /** Start DuckDB from the locally bundled files (never a CDN). */
  async init(): Promise<EngineInfo> {
    const t0 = performance.now();
    const bundle = await duckdb.selectBundle({
      mvp: { mainModule: ehWasm, mainWorker: ehWorker },
      eh: { mainModule: ehWasm, mainWorker: ehWorker },
    });
    const worker = new Worker(bundle.mainWorker!);
    const logger = new duckdb.VoidLogger();
    const db = new duckdb.AsyncDuckDB(logger, worker);
    await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
    await db.open({ query: { castBigIntToDouble: true, castDecimalToDouble: true, castTimestampToDate: false } });
    this.db = db;
    this.conn = await db.connect();
    this.connId = (this.conn as unknown as { _conn: number })._conn;
    // Never fetch extensions: Strata makes no request beyond its own origin (timestamps are plain, UTC).
    await this.conn.query('SET autoinstall_known_extensions = false; SET autoload_known_extensions = false');
    const version = await db.getVersion();
    return { version, initMs: performance.now() - t0 };
  }

  private ready(): duckdb.AsyncDuckDB {
    if (!this.db || !this.conn) throw new Error('The database is not ready yet');
    return this.db;
  }

  /** Run a statement; returns its result as Arrow IPC stream bytes. */
  async query(sql: string, params: readonly SqlValue[] = []): Promise<Uint8Array> {
    const db = this.ready();
    if (params.length === 0) return db.runQuery(this.connId, sql);
    const stmt = await db.createPrepared(this.connId, sql);
    try {
      return await db.runPrepared(this.connId, stmt, params as SqlValue[]);
    } finally {
      await db.closePrepared(this.connId, stmt);
    }
  }

  /** Run statements for their effect. */
  async exec(sql: string): Promise<void> {
    await this.ready().runQuery(this.connId, sql);
  }

  /** Create or append a table from Arrow IPC stream bytes. */
  async insertArrow(table: string, ipc: Uint8Array, opts: InsertOptions = {}): Promise<void> {
    const db = this.ready();
    if (!opts.append) await db.runQuery(this.connId, `DROP TABLE IF EXISTS ${ident(table)}`);
    await db.insertArrowFromIPCStream(this.connId, ipc, { name: table, create: !opts.append });
  }
}
