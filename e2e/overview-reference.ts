// The Overview's KPIs computed independently in Node: the shop's plain event rows read once from native DuckDB,
// then every figure by ordinary TypeScript loops following README "Overview" (never the Overview's SQL or decoder).
import { openNodeDb } from '../src/db/node-db.ts';
import { loadShop, type GenParams } from '../src/data/generator/index.ts';
import { toRows } from '../src/lib/rows.ts';

interface Ev {
  user: string | null;
  session: string | null;
  source: string | null;
  medium: string | null;
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
      const rows = toRows(await db.query('SELECT user_id, session_id, source, medium, event_type, order_id, category, revenue, ts FROM events'));
      await db.close();
      return rows.filter((r) => r.ts !== null).map((r) => ({
        user: r.user_id === null ? null : String(r.user_id), type: String(r.event_type),
        session: r.session_id === null ? null : String(r.session_id),
        source: r.source === null ? null : String(r.source), medium: r.medium === null ? null : String(r.medium), order: r.order_id === null ? null : String(r.order_id),
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

export interface RefTraffic {
  source: string | null;
  medium: string | null;
  sessions: number;
  users: number;
  orders: number;
  revenue: number;
  conversion: number;
}

/**
 * Traffic sources by plain loops (README "Overview": traffic sources) over the events in from..to (null: open), in
 * table order: a session's source and medium are its earliest session_start's in range, else its earliest event's
 * (the first row at equal times); its user the earliest event's with a user; orders the distinct order ids of its
 * purchases, revenue their sum. Most sessions first, then revenue, then source and medium (none last).
 */
export async function refTraffic(params: GenParams, from: string | null, to: string | null): Promise<RefTraffic[]> {
  const lo = from === null ? -Infinity : Date.parse(`${from}T00:00:00Z`);
  const hi = to === null ? Infinity : Date.parse(`${to}T00:00:00Z`) + DAY_MS;
  type S = { start: Ev | null; first: Ev | null; user: Ev | null; orders: Set<string>; revenue: number; bought: boolean };
  const sessions = new Map<string, S>();
  for (const e of await events(params)) {
    if (e.session === null || e.ms < lo || e.ms >= hi) continue;
    let s = sessions.get(e.session);
    if (!s) sessions.set(e.session, (s = { start: null, first: null, user: null, orders: new Set(), revenue: 0, bought: false }));
    if (!s.first || e.ms < s.first.ms) s.first = e;
    if (e.type === 'session_start' && (!s.start || e.ms < s.start.ms)) s.start = e;
    if (e.user !== null && (!s.user || e.ms < s.user.ms)) s.user = e;
    if (e.type === 'purchase') {
      s.bought = true;
      s.revenue += e.revenue;
      if (e.order !== null) s.orders.add(e.order);
    }
  }
  const by = new Map<string, { source: string | null; medium: string | null; sessions: number; users: Set<string>; orders: number; revenue: number; converting: number }>();
  for (const s of sessions.values()) {
    const attr = s.start ?? s.first!;
    const key = JSON.stringify([attr.source, attr.medium]);
    let r = by.get(key);
    if (!r) by.set(key, (r = { source: attr.source, medium: attr.medium, sessions: 0, users: new Set(), orders: 0, revenue: 0, converting: 0 }));
    r.sessions++;
    if (s.user) r.users.add(s.user.user!);
    r.orders += s.orders.size;
    r.revenue += s.revenue;
    if (s.bought) r.converting++;
  }
  const nullsLast = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
  return [...by.values()]
    .map((r) => ({ source: r.source, medium: r.medium, sessions: r.sessions, users: r.users.size, orders: r.orders, revenue: r.revenue, conversion: r.converting / r.sessions }))
    .sort((a, b) => b.sessions - a.sessions || b.revenue - a.revenue || nullsLast(a.source, b.source) || nullsLast(a.medium, b.medium));
}
