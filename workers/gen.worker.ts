// The generator worker: a thin Comlink shell over src/data/generator; table bytes leave transferred.
import * as Comlink from 'comlink';
import { finalizeShopSql, generateShop, validateParams, type GenParams, type GenProgress } from '../src/data/generator/index.ts';

/** Where generated tables go: the main thread forwards them to the database worker. */
export interface RemoteSink {
  table(name: string, ipc: Uint8Array, append: boolean): Promise<void>;
  progress(p: GenProgress): void;
}

const api = {
  /** Generate; returns the event count and the SQL that turns the staging tables into the shop's tables. */
  async generate(params: GenParams, sink: RemoteSink): Promise<{ events: number; finalizeSql: string }> {
    const pending: Promise<void>[] = [];
    const p = validateParams(params);
    const result = generateShop(p, {
      table: (name, ipc, append) => {
        pending.push(sink.table(name, Comlink.transfer(ipc, [ipc.buffer]), append));
      },
      progress: (p) => sink.progress(p),
    });
    await Promise.all(pending);
    return { events: result.events, finalizeSql: finalizeShopSql(p) };
  },
};

/** The worker's API as seen through Comlink. */
export type GenWorkerApi = typeof api;

Comlink.expose(api);
