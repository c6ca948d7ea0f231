// Generate a demo shop in gen.worker and load it into the database; cancellable, and atomic on success only.
import * as Comlink from 'comlink';
import type { Db } from '../db/types.ts';
import type { GenParams } from '../data/generator/params.ts';
import type { GenProgress } from '../data/generator/generate.ts';
import { installDataset } from '../data/dataset.ts';
import type { GenWorkerApi, RemoteSink } from '../db/protocols.ts';
import { StrataError } from '../errors.ts';

/** Progress as the UI shows it: a phase label and a fraction. */
export interface LoadProgress {
  label: string;
  fraction: number;
}

/** Thrown when the user cancelled; the previous dataset is untouched. */
export class Cancelled extends Error {
  override readonly name = 'Cancelled';
}

const PHASES: Record<GenProgress['phase'], [string, number, number]> = {
  users: ['Creating customers', 0, 0.1],
  products: ['Creating the catalogue', 0.1, 0.12],
  events: ['Simulating sessions and orders', 0.12, 0.85],
};

/** Generate `params` into `db`; `signal` cancels (the worker is stopped and staging tables dropped). */
export async function generateShopInBrowser(
  db: Db,
  params: GenParams,
  onProgress: (p: LoadProgress) => void,
  signal?: AbortSignal,
): Promise<{ events: number }> {
  const worker = new Worker(new URL('../../workers/gen.worker.ts', import.meta.url), { type: 'module', name: 'gen' });
  const remote = Comlink.wrap<GenWorkerApi>(worker);
  let chain: Promise<void> = Promise.resolve();
  const sink: RemoteSink = {
    table(name, ipc, append) {
      chain = chain.then(() => db.insertArrow(name, ipc, { append }));
      return chain;
    },
    progress(p) {
      const [label, a, b] = PHASES[p.phase];
      onProgress({ label, fraction: a + (b - a) * (p.total ? p.done / p.total : 0) });
    },
  };
  const aborted = new Promise<never>((_, reject) => {
    if (signal?.aborted) reject(new Cancelled('Generation cancelled'));
    signal?.addEventListener('abort', () => reject(new Cancelled('Generation cancelled')), { once: true });
  });
  try {
    const result = await Promise.race([remote.generate(params, Comlink.proxy(sink)), aborted]);
    onProgress({ label: 'Loading into DuckDB', fraction: 0.86 });
    await Promise.race([chain, aborted]);
    onProgress({ label: 'Building tables and user metrics', fraction: 0.9 });
    await db.exec(result.finalizeSql);
    await installDataset(db);
    onProgress({ label: 'Done', fraction: 1 });
    return { events: result.events };
  } catch (err) {
    worker.terminate();
    await chain.catch(() => undefined);
    await db.exec('DROP TABLE IF EXISTS stg_users; DROP TABLE IF EXISTS stg_products; DROP TABLE IF EXISTS stg_events').catch(() => undefined);
    if (err instanceof Cancelled) throw err;
    throw new StrataError('Generating the demo shop failed: ' + (err instanceof Error ? err.message : String(err)), undefined, { cause: err });
  } finally {
    remote[Comlink.releaseProxy]();
    worker.terminate();
  }
}
