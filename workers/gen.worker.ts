// The generator worker: a thin Comlink shell over src/data/generator; table bytes leave transferred.
import * as Comlink from 'comlink';
import { finalizeShopSql, generateShop, validateParams, type GenParams } from '../src/data/generator/index.ts';
import type { GenWorkerApi, RemoteSink } from '../src/db/protocols.ts';

const api: GenWorkerApi = {
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

Comlink.expose(api);
