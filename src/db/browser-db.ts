// The browser Db: Comlink over workers/db.worker.ts; decodes Arrow IPC late, on the main thread, when asked.
import * as Comlink from 'comlink';
import { tableFromIPC, type Table } from 'apache-arrow';
import type { Db, InsertOptions } from './types.ts';
import type { SqlValue } from '../sql/quote.ts';
import type { DbWorkerApi } from '../../workers/db.worker.ts';
import type { EngineInfo } from './wasm-engine.ts';

/** A browser Db plus the engine facts it reported at start. */
export interface BrowserDb extends Db {
  readonly kind: 'wasm';
  readonly info: EngineInfo;
}

/** Start the database worker and resolve once DuckDB-WASM is ready. */
export async function openBrowserDb(): Promise<BrowserDb> {
  const worker = new Worker(new URL('../../workers/db.worker.ts', import.meta.url), { type: 'module', name: 'db' });
  const remote = Comlink.wrap<DbWorkerApi>(worker);
  const info = await remote.init();
  return {
    kind: 'wasm',
    info,
    async query(sql: string, params: readonly SqlValue[] = []): Promise<Table> {
      const bytes = await remote.query(sql, [...params]);
      return tableFromIPC(bytes);
    },
    exec: (sql: string) => remote.exec(sql),
    insertArrow: (table: string, ipc: Uint8Array, opts?: InsertOptions) =>
      remote.insertArrow(table, Comlink.transfer(ipc, [ipc.buffer]), opts),
    async close() {
      remote[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}
