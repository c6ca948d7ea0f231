// What the Segments screen must show, computed independently in Node: the same shop loaded into native DuckDB, its
// plain event rows read once, then every per-user figure worked out with ordinary TypeScript loops (never the
// segment SQL, the user_metrics SQL or the screen's code), so a bug in the segment layer cannot hide in its own
// reference.
import { openNodeDb } from '../src/db/node-db.ts';
import { loadShop, type GenParams } from '../src/data/generator/index.ts';
import { toRows } from '../src/lib/rows.ts';

/** One event as plain values. */
export interface Ev {
  user: string;
  session: string | null;
  type: string;
  /** UTC epoch ms. */
  ms: number;
  order: string | null;
  revenue: number | null;
}

/** The shop as plain rows: every user id, every event with a user, and the last event's time. */
export interface ShopData {
  users: string[];
  events: Ev[];
  maxMs: number;
}

const cache = new Map<string, Promise<ShopData>>();

/** The generated shop's users and events, loaded once per params and worker. */
export function shopData(params: GenParams): Promise<ShopData> {
  const key = JSON.stringify(params);
  let s = cache.get(key);
  if (!s) {
    s = (async () => {
      const db = await openNodeDb({ threads: 1 });
      await loadShop(db, params);
      const str = (v: unknown) => (v === null ? null : String(v));
      const users = toRows(await db.query('SELECT user_id FROM users')).map((r) => String(r.user_id));
      let maxMs = -Infinity;
      const events: Ev[] = [];
      for (const r of toRows(await db.query('SELECT user_id, session_id, event_type, ts, order_id, revenue FROM events'))) {
        const ms = Number(r.ts);
        if (ms > maxMs) maxMs = ms;
        if (r.user_id === null) continue;
        events.push({ user: String(r.user_id), session: str(r.session_id), type: String(r.event_type), ms, order: str(r.order_id), revenue: r.revenue === null ? null : Number(r.revenue) });
      }
      await db.close();
      return { users, events, maxMs };
    })();
    cache.set(key, s);
  }
  return s;
}

/** Orders per user: distinct order ids of purchase events. */
export function ordersByUser(d: ShopData): Map<string, number> {
  const sets = new Map<string, Set<string>>();
  for (const e of d.events) {
    if (e.type !== 'purchase' || e.order === null) continue;
    let s = sets.get(e.user);
    if (!s) sets.set(e.user, (s = new Set()));
    s.add(e.order);
  }
  return new Map([...sets].map(([u, s]) => [u, s.size]));
}

/** How many `type` events each user had after `sinceMs` (strictly). */
export function countByUser(d: ShopData, type: string, sinceMs: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of d.events) if (e.type === type && e.ms > sinceMs) out.set(e.user, (out.get(e.user) ?? 0) + 1);
  return out;
}

/**
 * Engagement level by README's rules, first match wins: Repeat Purchaser (2+ orders), Single Purchaser (1),
 * Cart Abandoner (an add_to_cart), High Engagement Viewer (average session ≥ 10 minutes, a session lasting from its
 * first to its last event in whole seconds, or ≥ 8 events per session), Frequent Viewer (3+ sessions), Occasional.
 */
export function engagementLevels(d: ShopData): Map<string, string> {
  const orders = ordersByUser(d);
  const carts = new Map<string, number>();
  const events = new Map<string, number>();
  const sessions = new Map<string, Map<string, [number, number]>>();
  for (const e of d.events) {
    events.set(e.user, (events.get(e.user) ?? 0) + 1);
    if (e.type === 'add_to_cart') carts.set(e.user, (carts.get(e.user) ?? 0) + 1);
    if (e.session === null) continue;
    let m = sessions.get(e.user);
    if (!m) sessions.set(e.user, (m = new Map()));
    const span = m.get(e.session);
    if (!span) m.set(e.session, [e.ms, e.ms]);
    else {
      span[0] = Math.min(span[0], e.ms);
      span[1] = Math.max(span[1], e.ms);
    }
  }
  const out = new Map<string, string>();
  for (const u of d.users) {
    const o = orders.get(u) ?? 0;
    const s = sessions.get(u);
    const n = s?.size ?? 0;
    let minutes: number | null = null;
    if (s && n) {
      let secs = 0;
      for (const [a, b] of s.values()) secs += Math.floor(b / 1000) - Math.floor(a / 1000);
      minutes = secs / n / 60;
    }
    let label: string;
    if (o >= 2) label = 'Repeat Purchaser';
    else if (o === 1) label = 'Single Purchaser';
    else if ((carts.get(u) ?? 0) >= 1) label = 'Cart Abandoner';
    else if ((minutes !== null && minutes >= 10) || (n >= 1 && (events.get(u) ?? 0) / n >= 8)) label = 'High Engagement Viewer';
    else if (n >= 3) label = 'Frequent Viewer';
    else label = 'Occasional Viewer';
    out.set(u, label);
  }
  return out;
}

/** label -> users, from a user -> label map. */
export function sizes(labels: Map<string, string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of labels.values()) out.set(l, (out.get(l) ?? 0) + 1);
  return out;
}
