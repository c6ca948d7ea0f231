// The database worker: a thin Comlink shell over WasmEngine; results leave as transferred Arrow IPC bytes.
import * as Comlink from 'comlink';
import { WasmEngine } from '../src/db/wasm-engine.ts';
import type { SqlValue } from '../src/sql/quote.ts';
import type { InsertOptions } from '../src/db/types.ts';

const engine = new WasmEngine();

const api = {
  init: () => engine.init(),
  async query(sql: string, params?: SqlValue[]): Promise<Uint8Array> {
    const bytes = await engine.query(sql, params);
    return Comlink.transfer(bytes, [bytes.buffer]);
  },
  exec: (sql: string) => engine.exec(sql),
  insertArrow: (table: string, ipc: Uint8Array, opts?: InsertOptions) => engine.insertArrow(table, ipc, opts),
};

/** The worker's API as seen through Comlink. */
export type DbWorkerApi = typeof api;

Comlink.expose(api);
