// generateShop: the whole synthetic shop, synchronously, into a sink (a Web Worker posting bytes, or loadShop).
import { Prng } from './prng.ts';
import { validateParams, type GenParams } from './params.ts';
import { vocabFor } from './vocab.ts';
import { buildCalendar } from './calendar.ts';
import { generateUsers } from './users.ts';
import { buildCatalog } from './catalog.ts';
import { EventBuffer } from './buffer.ts';
import { Simulator } from './simulate.ts';
import { toIpc } from './arrow.ts';

/** Progress of a running generation; `done` of `total` within the current phase. */
export interface GenProgress {
  phase: 'users' | 'products' | 'events';
  done: number;
  total: number;
}

/** Where generated tables go; called synchronously. Bytes are Arrow IPC stream format. */
export interface ShopSink {
  /** Create (append=false) or append to a staging table. The sink may take ownership of the bytes. */
  table(name: 'stg_users' | 'stg_products' | 'stg_events', ipc: Uint8Array, append: boolean): void;
  /** Optional progress callback. */
  progress?(p: GenProgress): void;
}

/** Generate users, products and events for `params` into `sink`; same params => same bytes, everywhere. */
export function generateShop(params: GenParams, sink: ShopSink): { events: number } {
  const p = validateParams(params);
  const report = (phase: GenProgress['phase'], done: number, total: number): void => sink.progress?.({ phase, done, total });
  const vocab = vocabFor(p.seed);
  const cal = buildCalendar(p);
  const rng = new Prng(p.seed);
  report('users', 0, p.users);
  const users = generateUsers(p, cal, vocab, rng);
  sink.table('stg_users', toIpc(users.columns), false);
  report('users', p.users, p.users);
  report('products', 0, 1);
  const catalog = buildCatalog(p.seed, vocab);
  sink.table('stg_products', toIpc(catalog.columns), false);
  report('products', 1, 1);
  const buf = new EventBuffer((ipc, append) => sink.table('stg_events', ipc, append));
  const sim = new Simulator(rng, cal, catalog, users, vocab, buf);
  const step = Math.max(1, Math.floor(p.users / 100));
  for (let u = 0; u < p.users; u++) {
    sim.user(u);
    if (u % step === 0) report('events', u, p.users);
  }
  buf.flush();
  report('events', p.users, p.users);
  return { events: buf.total };
}
