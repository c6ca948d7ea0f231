// The database worker: a thin Comlink shell over WasmEngine; results leave as transferred Arrow IPC bytes.
import * as Comlink from 'comlink';
import { WasmEngine, type EngineOptions } from '../src/db/wasm-engine.ts';
import type { SqlValue } from '../src/sql/quote.ts';
import type { InsertOptions } from '../src/db/types.ts';
import type { DbWorkerApi } from '../src/db/protocols.ts';

const engine = new WasmEngine();

const api: DbWorkerApi = {
  init: (opts: EngineOptions) => engine.init(opts, () => new Worker(new URL('./duckdb-eh.worker.ts', import.meta.url), { type: 'module' })),
  /** Answered at once even while a long statement runs (the engine works in its own worker): the liveness check. */
  ping: () => engine.ping(),
  connect: () => engine.connect(),
  disconnect: (conn: number) => engine.disconnect(conn),
  async query(sql: string, params?: SqlValue[], conn?: number): Promise<Uint8Array> {
    const bytes = await engine.query(sql, params, conn);
    return Comlink.transfer(bytes, [bytes.buffer]);
  },
  async queryOne(sql: string, params?: SqlValue[]): Promise<Uint8Array> {
    const bytes = await engine.queryOne(sql, params);
    return Comlink.transfer(bytes, [bytes.buffer]);
  },
  exec: (sql: string, conn?: number) => engine.exec(sql, conn),
  cancel: (conn: number) => engine.cancel(conn),
  insertArrow: (table: string, ipc: Uint8Array, opts?: InsertOptions, conn?: number) => engine.insertArrow(table, ipc, opts, conn),
  registerFile: (name: string, file: File) => engine.registerFile(name, file),
  dropFile: (name: string) => engine.dropFile(name),
};

Comlink.expose(api);
