// The browser Db: Comlink over workers/db.worker.ts; decodes Arrow IPC late, on the main thread, when asked.
import * as Comlink from 'comlink';
import { tableFromIPC, type Table } from 'apache-arrow';
import type { Db, InsertOptions } from './types.ts';
import type { SqlValue } from '../sql/quote.ts';
import type { DbWorkerApi } from '../../workers/db.worker.ts';
import type { EngineInfo, EngineOptions } from './wasm-engine.ts';

/** A Db on its own connection whose running statement can be cancelled (imports, long builds). */
export interface CancellableDb extends Db {
  cancel(): Promise<void>;
}

/** A browser Db plus the engine facts it reported at start and the file and connection helpers. */
export interface BrowserDb extends Db {
  readonly kind: 'wasm';
  readonly info: EngineInfo;
  registerFile(name: string, file: File): Promise<void>;
  dropFile(name: string): Promise<void>;
  /** A second connection; its statements run step-wise so `cancel()` can stop them. */
  fork(): Promise<CancellableDb>;
}

function bind(remote: Comlink.Remote<DbWorkerApi>, conn?: number): Db {
  return {
    async query(sql: string, params: readonly SqlValue[] = []): Promise<Table> {
      return tableFromIPC(await remote.query(sql, [...params], conn));
    },
    exec: (sql: string) => remote.exec(sql, conn),
    insertArrow: (table: string, ipc: Uint8Array, opts?: InsertOptions) =>
      remote.insertArrow(table, Comlink.transfer(ipc, [ipc.buffer]), opts, conn),
    close: async () => {
      if (conn !== undefined) await remote.disconnect(conn);
    },
  };
}

/** Start the database worker and resolve once DuckDB-WASM is ready. */
export async function openBrowserDb(opts: EngineOptions): Promise<BrowserDb> {
  const worker = new Worker(new URL('../../workers/db.worker.ts', import.meta.url), { type: 'module', name: 'db' });
  const remote = Comlink.wrap<DbWorkerApi>(worker);
  const info = await remote.init(opts);
  const main = bind(remote);
  return {
    ...main,
    kind: 'wasm',
    info,
    registerFile: (name: string, file: File) => remote.registerFile(name, file),
    dropFile: (name: string) => remote.dropFile(name),
    async fork() {
      const conn = await remote.connect();
      return { ...bind(remote, conn), cancel: () => remote.cancel(conn) };
    },
    async close() {
      remote[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}
