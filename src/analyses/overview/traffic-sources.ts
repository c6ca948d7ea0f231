// Panel 7: sessions by traffic source/medium and what they bought (sessions, users, buyers, orders, revenue).
import type { Table } from 'apache-arrow';
import { toRows } from '../../lib/rows.ts';
import { sql, type Sql } from '../../sql/quote.ts';
import { num, numOrNull, strOrNull } from './decode-util.ts';
import { scopeCtes } from './scope.ts';
import type { OverviewSpec } from './spec.ts';

/** One source/medium pair; null source or medium means the session's attributing event had none. */
export interface TrafficSourceRow {
  source: string | null;
  medium: string | null;
  sessions: number;
  users: number;
  buyers: number;
  orders: number;
  revenue: number;
  /** Sessions with a purchase. */
  convertingSessions: number;
  /** convertingSessions / sessions. */
  conversion: number | null;
}

/**
 * SQL: each session in range (events without session_id are left out) takes source and medium from its
 * earliest session_start row in range, else from its earliest event in range, and belongs to the user of its
 * first event with a user_id. Aggregated per session first (2.5x faster at 10M events than joining events
 * back), so an order whose purchase lines span two sessions counts once in each; a session's orders and revenue
 * from its purchase events alone (a distinct count inside the per-session aggregate over every event was half
 * the statement: 1M events, all time, natively 328 → 226 ms). Most sessions first.
 */
export function trafficSourcesSql(spec: OverviewSpec): Sql {
  const cols = ['session_id', 'user_id', 'event_type', 'order_id', 'revenue', 'source', 'medium'];
  return sql`WITH ${scopeCtes(spec, cols, 'session_id IS NOT NULL')},
visits AS (
  SELECT session_id, coalesce(
      arg_min({'source': source, 'medium': medium}, ts) FILTER (WHERE event_type = 'session_start'),
      arg_min({'source': source, 'medium': medium}, ts)
    ) AS attr,
    arg_min(user_id, ts) AS user_id,
    bool_or(event_type = 'purchase') AS converted
  FROM ev GROUP BY session_id
),
buys AS (SELECT session_id, count(DISTINCT order_id) AS orders, sum(revenue) AS revenue FROM ev WHERE event_type = 'purchase' GROUP BY session_id),
sess AS (SELECT v.attr, v.user_id, b.orders, b.revenue, v.converted FROM visits v LEFT JOIN buys b USING (session_id))
SELECT attr.source::VARCHAR AS source, attr.medium::VARCHAR AS medium,
  count(*)::DOUBLE AS sessions,
  count(DISTINCT user_id)::DOUBLE AS users,
  count(DISTINCT user_id) FILTER (WHERE converted)::DOUBLE AS buyers,
  coalesce(sum(orders), 0)::DOUBLE AS orders,
  coalesce(sum(revenue), 0)::DOUBLE AS revenue,
  count(*) FILTER (WHERE converted)::DOUBLE AS converting_sessions,
  (count(*) FILTER (WHERE converted) / count(*))::DOUBLE AS conversion
FROM sess
GROUP BY 1, 2
ORDER BY sessions DESC, revenue DESC, source NULLS LAST, medium NULLS LAST`;
}

/** Decode source/medium rows. */
export function decodeTrafficSources(table: Table): TrafficSourceRow[] {
  return toRows(table).map((r) => ({
    source: strOrNull(r, 'source'),
    medium: strOrNull(r, 'medium'),
    sessions: num(r, 'sessions'),
    users: num(r, 'users'),
    buyers: num(r, 'buyers'),
    orders: num(r, 'orders'),
    revenue: num(r, 'revenue'),
    convertingSessions: num(r, 'converting_sessions'),
    conversion: numOrNull(r, 'conversion'),
  }));
}
