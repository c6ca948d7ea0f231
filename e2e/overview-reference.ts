// The Overview's KPIs computed independently in Node: the shop's plain event rows read once from native DuckDB,
// then every figure by ordinary TypeScript loops following README "Overview" (never the Overview's SQL or decoder).
import { openNodeDb } from '../src/db/node-db.ts';
import { loadShop, type GenParams } from '../src/data/generator/index.ts';
import { toRows } from '../src/lib/rows.ts';

interface Ev {
  user: string | null;
  type: string;
  order: string | null;
  category: string | null;
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
      const rows = toRows(await db.query('SELECT user_id, event_type, order_id, category, revenue, ts FROM events'));
      await db.close();
      return rows.filter((r) => r.ts !== null).map((r) => ({
        user: r.user_id === null ? null : String(r.user_id), type: String(r.event_type), order: r.order_id === null ? null : String(r.order_id),
        category: r.category === null ? null : String(r.category),
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

/** One category of purchase lines, by plain loops (README "Overview": category performance). */
export interface RefCategory {
  category: string | null;
  transactions: number;
  orders: number;
  revenue: number;
  customers: number;
}

/** Category performance over every purchase line (all time): lines, distinct orders, revenue, distinct buyers. */
export async function refCategories(params: GenParams): Promise<RefCategory[]> {
  const by = new Map<string | null, { transactions: number; orders: Set<string>; revenue: number; customers: Set<string> }>();
  for (const e of await events(params)) {
    if (e.type !== 'purchase') continue;
    let c = by.get(e.category);
    if (!c) by.set(e.category, (c = { transactions: 0, orders: new Set(), revenue: 0, customers: new Set() }));
    c.transactions++;
    c.revenue += e.revenue;
    if (e.order !== null) c.orders.add(e.order);
    if (e.user !== null) c.customers.add(e.user);
  }
  return [...by].map(([category, c]) => ({ category, transactions: c.transactions, orders: c.orders.size, revenue: c.revenue, customers: c.customers.size }))
    .sort((a, b) => b.revenue - a.revenue);
}

/** Buyers per churn band (all time): whole calendar days from each buyer's last purchase to the data's last event. */
export async function refChurn(params: GenParams, medium: number, high: number): Promise<Record<'low' | 'medium' | 'high', { customers: number; revenue: number }>> {
  const evs = await events(params);
  let lastEvent = -Infinity;
  for (const e of evs) lastEvent = Math.max(lastEvent, e.ms);
  const buyers = new Map<string, { last: number; spend: number }>();
  for (const e of evs) {
    if (e.type !== 'purchase' || e.user === null) continue;
    const b = buyers.get(e.user) ?? { last: -Infinity, spend: 0 };
    b.last = Math.max(b.last, e.ms);
    b.spend += e.revenue;
    buyers.set(e.user, b);
  }
  const out = { low: { customers: 0, revenue: 0 }, medium: { customers: 0, revenue: 0 }, high: { customers: 0, revenue: 0 } };
  const day = (ms: number) => Math.floor(ms / DAY_MS);
  for (const b of buyers.values()) {
    const days = day(lastEvent) - day(b.last);
    const band = days <= medium ? out.low : days <= high ? out.medium : out.high;
    band.customers++;
    band.revenue += b.spend;
  }
  return out;
}
