// The Overview's KPIs computed independently in Node: the shop's plain event rows read once from native DuckDB,
// then every figure by ordinary TypeScript loops following README "Overview" (never the Overview's SQL or decoder).
import { openNodeDb } from '../src/db/node-db.ts';
import { loadShop, type GenParams } from '../src/data/generator/index.ts';
import { toRows } from '../src/lib/rows.ts';

interface Ev {
  user: string | null;
  type: string;
  order: string | null;
  revenue: number;
  ms: number;
}

export interface RefKpis {
  users: number;
  activeUsers: number;
  orders: number;
  revenue: number;
  buyers: number;
  aov: number | null;
  purchaseConversion: number | null;
}

const cache = new Map<string, Promise<Ev[]>>();
function events(params: GenParams): Promise<Ev[]> {
  const key = JSON.stringify(params);
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      const db = await openNodeDb({ threads: 1 });
      await loadShop(db, params);
      const rows = toRows(await db.query('SELECT user_id, event_type, order_id, revenue, ts FROM events'));
      await db.close();
      return rows.filter((r) => r.ts !== null).map((r) => ({
        user: r.user_id === null ? null : String(r.user_id), type: String(r.event_type), order: r.order_id === null ? null : String(r.order_id),
        revenue: Number(r.revenue ?? 0), ms: Number(r.ts),
      }));
    })();
    cache.set(key, p);
  }
  return p;
}

const DAY_MS = 86_400_000;

/** The KPIs over the inclusive UTC dates from..to: events with from 00:00 ≤ ts < to + 1 day. */
export async function refKpis(params: GenParams, from: string, to: string): Promise<RefKpis> {
  const lo = Date.parse(`${from}T00:00:00Z`);
  const hi = Date.parse(`${to}T00:00:00Z`) + DAY_MS;
  const last = new Map<string, number>();
  const bought = new Set<string>();
  const orders = new Set<string>();
  let revenue = 0;
  for (const e of await events(params)) {
    if (e.ms < lo || e.ms >= hi) continue;
    if (e.user !== null) last.set(e.user, Math.max(last.get(e.user) ?? -Infinity, e.ms));
    if (e.type === 'purchase') {
      if (e.order !== null) orders.add(e.order);
      revenue += e.revenue;
      if (e.user !== null) bought.add(e.user);
    }
  }
  // Active: a user whose last event in the range is after the range's end (to 23:59:59.999999) minus 30 days.
  const activeAfter = hi - 30 * DAY_MS - 0.001;
  const activeUsers = [...last.values()].filter((ms) => ms > activeAfter).length;
  return {
    users: last.size, activeUsers, orders: orders.size, revenue, buyers: bought.size,
    aov: orders.size ? revenue / orders.size : null, purchaseConversion: last.size ? bought.size / last.size : null,
  };
}
