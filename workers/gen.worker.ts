// The generator worker: a thin Comlink shell over src/data/generator; table bytes leave transferred.
import * as Comlink from 'comlink';
import { generateShop, validateParams, type GenParams, type GenProgress } from '../src/data/generator/index.ts';

/** Where generated tables go: the main thread forwards them to the database worker. */
export interface RemoteSink {
  table(name: string, ipc: Uint8Array, append: boolean): Promise<void>;
  progress(p: GenProgress): void;
}

const api = {
  async generate(params: GenParams, sink: RemoteSink): Promise<{ events: number }> {
    const pending: Promise<void>[] = [];
    const result = generateShop(validateParams(params), {
      table: (name, ipc, append) => {
        pending.push(sink.table(name, Comlink.transfer(ipc, [ipc.buffer]), append));
      },
      progress: (p) => sink.progress(p),
    });
    await Promise.all(pending);
    return result;
  },
};

/** The worker's API as seen through Comlink. */
export type GenWorkerApi = typeof api;

Comlink.expose(api);
