// What native DuckDB in Node computes for a shop and a spec: the reference the browser must equal.
import { openNodeDb } from '../src/db/node-db.ts';
import { loadShop, type GenParams } from '../src/data/generator/index.ts';
import { OVERVIEW_DECODERS, OVERVIEW_PANELS, validateOverviewSpec, type OverviewKpis, type ChurnBandCount } from '../src/analyses/overview/index.ts';
import type { Db } from '../src/db/types.ts';

const shops = new Map<string, Promise<{ db: Db; events: number }>>();

async function shop(params: GenParams) {
  const key = JSON.stringify(params);
  let s = shops.get(key);
  if (!s) {
    s = (async () => {
      const db = await openNodeDb({ threads: 1 });
      const { events } = await loadShop(db, params);
      return { db, events };
    })();
    shops.set(key, s);
  }
  return s;
}

/** Event count, KPIs and churn bands for `params` and an Overview spec, computed natively. */
export async function reference(params: GenParams, specInput: unknown = {}) {
  const { db, events } = await shop(params);
  const spec = validateOverviewSpec(specInput);
  const k = OVERVIEW_PANELS.kpis(spec);
  const c = OVERVIEW_PANELS.churn(spec);
  const kpis: OverviewKpis = OVERVIEW_DECODERS.kpis(await db.query(k.text, k.params), spec);
  const churn: ChurnBandCount[] = OVERVIEW_DECODERS.churn(await db.query(c.text, c.params), spec);
  return { events, kpis, churn };
}
