// The seeded synthetic shop generator: public API for the worker (generateShop) and Node/tests (loadShop).
import type { Db } from '../../db/types.ts';
import { installDataset } from '../dataset.ts';
import { generateShop, type GenProgress } from './generate.ts';
import { finalizeShopSql } from './finalize.ts';
import { validateParams, type GenParams } from './params.ts';

// Re-exports: params and validation, the synchronous generator (for the worker), and the finalize SQL.
export { DEFAULT_PARAMS, validateParams, type GenParams } from './params.ts';
export { generateShop, type GenProgress, type ShopSink } from './generate.ts';
export { finalizeShopSql } from './finalize.ts';

/** Generate a shop straight into `db` (staging inserts, finalize SQL, atomic install); returns the event count. */
export async function loadShop(
  db: Db,
  params: GenParams,
  onProgress?: (p: GenProgress) => void,
): Promise<{ events: number }> {
  const p = validateParams(params);
  // generateShop is synchronous and Db is async, so chunks are queued and inserted after generation
  // (10M events hold ~300 MB of IPC bytes at the peak; the worker path streams them instead).
  const pending: { name: string; ipc: Uint8Array; append: boolean }[] = [];
  const result = generateShop(p, {
    table: (name, ipc, append) => void pending.push({ name, ipc, append }),
    progress: onProgress,
  });
  for (let t = pending.shift(); t; t = pending.shift()) await db.insertArrow(t.name, t.ipc, { append: t.append });
  await db.exec(finalizeShopSql(p));
  await installDataset(db);
  return result;
}
