// Generate a demo shop in gen.worker and load it into the database; cancellable, and atomic on success only.
import * as Comlink from 'comlink';
import type { Db } from '../db/types.ts';
import type { GenParams } from '../data/generator/params.ts';
import type { GenProgress } from '../data/generator/generate.ts';
import { installDataset } from '../data/dataset.ts';
import type { GenWorkerApi, RemoteSink } from '../../workers/gen.worker.ts';
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

/**
 * A shop generated before the database is open (a first visit: the generator and DuckDB's start run side by side).
 * Its tables are held as Arrow IPC bytes until `generateShopInBrowser` takes them.
 */
export interface Pregenerated {
  params: GenParams;
  tables: { name: string; ipc: Uint8Array; append: boolean }[];
  /** Settles when generation ended: the event count and the finalize SQL, or the generator's error. */
  done: Promise<{ events: number; finalizeSql: string }>;
  /** The latest progress (for the bar once the page asks). */
  last: GenProgress | null;
  onProgress: ((p: GenProgress) => void) | null;
  stop(): void;
}

/** Start generating `params` now, holding the tables in memory (small shops only: the demo shop is ~3 MB). */
export function pregenerate(params: GenParams): Pregenerated {
  const worker = new Worker(new URL('../../workers/gen.worker.ts', import.meta.url), { type: 'module', name: 'gen' });
  const remote = Comlink.wrap<GenWorkerApi>(worker);
  const pre: Pregenerated = {
    params,
    tables: [],
    last: null,
    onProgress: null,
    done: Promise.resolve({ events: 0, finalizeSql: '' }),
    stop: () => worker.terminate(),
  };
  const sink: RemoteSink = {
    async table(name, ipc, append) {
      pre.tables.push({ name, ipc, append });
    },
    progress(p) {
      pre.last = p;
      pre.onProgress?.(p);
    },
  };
  pre.done = remote.generate(params, Comlink.proxy(sink)).finally(() => {
    remote[Comlink.releaseProxy]();
    worker.terminate();
  });
  pre.done.catch(() => undefined); // read (and reported) by whoever takes it
  return pre;
}

const sameParams = (a: GenParams, b: GenParams) => a.users === b.users && a.days === b.days && a.seed === b.seed;

/** Load a pregenerated shop (see `pregenerate`) into `db`, like `generateShopInBrowser` does. */
async function loadPregenerated(db: Db, pre: Pregenerated, onProgress: (p: LoadProgress) => void, aborted: Promise<never>): Promise<{ events: number }> {
  const report = (p: GenProgress) => {
    const [label, a, b] = PHASES[p.phase];
    onProgress({ label, fraction: a + (b - a) * (p.total ? p.done / p.total : 0) });
  };
  if (pre.last) report(pre.last);
  pre.onProgress = report;
  try {
    const result = await Promise.race([pre.done, aborted]);
    onProgress({ label: 'Loading into DuckDB', fraction: 0.86 });
    for (const t of pre.tables.splice(0)) await Promise.race([db.insertArrow(t.name, t.ipc, { append: t.append }), aborted]);
    onProgress({ label: 'Building tables and user metrics', fraction: 0.9 });
    await db.exec(result.finalizeSql);
    await installDataset(db);
    onProgress({ label: 'Done', fraction: 1 });
    return { events: result.events };
  } catch (err) {
    pre.stop();
    await db.exec('DROP TABLE IF EXISTS stg_users; DROP TABLE IF EXISTS stg_products; DROP TABLE IF EXISTS stg_events').catch(() => undefined);
    if (err instanceof Cancelled) throw err;
    throw new StrataError('Generating the demo shop failed: ' + (err instanceof Error ? err.message : String(err)), undefined, { cause: err });
  } finally {
    pre.onProgress = null;
    pre.tables.length = 0;
  }
}

/**
 * Generate `params` into `db`; `signal` cancels (the worker is stopped and staging tables dropped). With `pre`
 * (a generation already under way for the same params) its tables are loaded instead of generating again.
 */
export async function generateShopInBrowser(
  db: Db,
  params: GenParams,
  onProgress: (p: LoadProgress) => void,
  signal?: AbortSignal,
  pre?: Pregenerated | null,
): Promise<{ events: number }> {
  const aborted = new Promise<never>((_, reject) => {
    if (signal?.aborted) reject(new Cancelled('Generation cancelled'));
    signal?.addEventListener('abort', () => reject(new Cancelled('Generation cancelled')), { once: true });
  });
  aborted.catch(() => undefined);
  if (pre && sameParams(pre.params, params)) return loadPregenerated(db, pre, onProgress, aborted);
  pre?.stop();
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
