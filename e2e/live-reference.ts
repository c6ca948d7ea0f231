// The live shop replayed in Node: the same shop, the same number of ticks, appended to native DuckDB; its Overview
// KPIs, its latest orders, and orders / revenue counted by a plain loop over the events.
import { openNodeDb } from '../src/db/node-db.ts';
import { loadShop, type GenParams } from '../src/data/generator/index.ts';
import { OVERVIEW_DECODERS, OVERVIEW_PANELS, validateOverviewSpec, type OverviewKpis } from '../src/analyses/overview/index.ts';
import { LiveSim, DEFAULT_LIVE, initialCounters, type LiveSettings } from '../src/data/live/sim.ts';
import { appendTick, shopCounters, type FeedRow, type LiveState } from '../src/data/live/append.ts';
import { toRows } from '../src/lib/rows.ts';

export async function liveReference(params: GenParams, ticks: number, settings: LiveSettings = DEFAULT_LIVE) {
  const db = await openNodeDb({ threads: 1 });
  try {
    await loadShop(db, params);
    const shop = await shopCounters(db);
    const start = initialCounters(params, shop);
    let state: LiveState = { params, settings, counters: start, start, totals: { orders: 0, revenue: 0, newUsers: 0 }, lastEventMs: shop.lastEventMs, status: 'running' };
    const sim = new LiveSim(params, settings);
    const orders: FeedRow[] = [];
    for (let k = 0; k < ticks; k++) {
      const r = await appendTick(db, state, sim.tick(state.counters));
      state = r.state;
      orders.push(...r.summary.orders);
    }
    const spec = validateOverviewSpec({});
    const k = OVERVIEW_PANELS.kpis(spec);
    const kpis: OverviewKpis = OVERVIEW_DECODERS.kpis(await db.query(k.text, k.params), spec);
    // Independently of the SQL: orders and revenue by a loop over every event.
    const seen = new Set<string>();
    let revenue = 0;
    for (const e of toRows(await db.query('SELECT event_type, order_id, revenue FROM events'))) {
      if (e.event_type !== 'purchase') continue;
      seen.add(String(e.order_id));
      revenue += Number(e.revenue);
    }
    const events = Number(toRows(await db.query('SELECT count(*)::DOUBLE AS n FROM events'))[0].n);
    return { kpis, orders: seen.size, revenue, events, totals: state.totals, latest: orders.slice(-10).reverse() };
  } finally {
    await db.close();
  }
}
