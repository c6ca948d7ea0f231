// Panel 7: sessions by traffic source/medium and what they bought (sessions, users, buyers, orders, revenue).
import type { Table } from 'apache-arrow';
import { toRows } from '../../lib/rows.ts';
import { joinSql, raw, sql, type Sql } from '../../sql/quote.ts';
import { num, numOrNull, strOrNull } from './decode-util.ts';
import { inRange, scopeCtes, segmentUsersSql } from './scope.ts';
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

/** Per session (`sess`: attr, user_id, orders, revenue, converted) to the panel's rows; most sessions first. */
const PER_SOURCE = `SELECT attr.source::VARCHAR AS source, attr.medium::VARCHAR AS medium,
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

/** `visits` and `buys` over `ev`: one row per session of the events in scope (the panel's aggregate). */
const VISITS = `visits AS (
  SELECT session_id, coalesce(
      arg_min({'source': source, 'medium': medium}, ts) FILTER (WHERE event_type = 'session_start'),
      arg_min({'source': source, 'medium': medium}, ts)
    ) AS attr,
    arg_min(user_id, ts) AS user_id,
    bool_or(event_type = 'purchase') AS converted
  FROM ev GROUP BY session_id
),
buys AS (SELECT session_id, count(DISTINCT order_id) AS orders, sum(revenue) AS revenue FROM ev WHERE event_type = 'purchase' GROUP BY session_id)`;

const EV_COLUMNS = ['session_id', 'user_id', 'event_type', 'order_id', 'revenue', 'source', 'medium'];

/**
 * SQL: each session in range (events without session_id are left out) takes source and medium from its
 * earliest session_start row in range, else from its earliest event in range, and belongs to the user of its
 * first event with a user_id. Aggregated per session first (2.5x faster at 10M events than joining events
 * back), so an order whose purchase lines span two sessions counts once in each; a session's orders and revenue
 * from its purchase events alone (a distinct count inside the per-session aggregate over every event was half
 * the statement: 1M events, all time, natively 328 → 226 ms). Most sessions first.
 *
 * With `stored` (the dataset has session_metrics, built when it was installed), a session wholly inside the dates
 * (and, with a segment, whose events all belong to one user of it) is read from that table: all its events are in
 * scope, so its stored row is exactly what the aggregate would give. Only sessions that cross a date edge (or mix
 * users, with a segment) are aggregated from their events in scope; with neither dates nor a segment, none are.
 * (Every stored event has a time: imports drop rows without one, so a session's first and last event bound all
 * of its events.)
 */
export function trafficSourcesSql(spec: OverviewSpec, stored = false): Sql {
  if (!stored) {
    return sql`WITH ${scopeCtes(spec, EV_COLUMNS, 'session_id IS NOT NULL')},
${raw(VISITS)},
sess AS (SELECT v.attr, v.user_id, b.orders, b.revenue, v.converted FROM visits v LEFT JOIN buys b USING (session_id))
${raw(PER_SOURCE)}`;
  }
  const seg = spec.segment ? sql`seg_users AS MATERIALIZED (${segmentUsersSql(spec.segment)}),
` : raw('');
  const start = spec.from !== null ? sql`CAST(${spec.from}::DATE AS TIMESTAMP)` : null;
  const end = spec.to !== null ? sql`CAST(${spec.to}::DATE + 1 AS TIMESTAMP)` : null;
  const insideParts: Sql[] = [];
  if (start) insideParts.push(sql`first_ts >= ${start}`);
  if (end) insideParts.push(sql`last_ts < ${end}`);
  const inside = insideParts.length ? joinSql(insideParts, ' AND ') : raw('TRUE');
  const members = spec.segment ? raw(' AND one_user AND user_id IN (SELECT user_id FROM seg_users)') : raw('');
  const whole = sql`SELECT attr, user_id, orders, revenue, converted FROM session_metrics WHERE ${inside}${members}`;
  if (!start && !end && !spec.segment) return sql`WITH sess AS (${whole})
${raw(PER_SOURCE)}`;
  // The others: sessions with an event in range that are not wholly inside it, or (with a segment) mix users.
  const touches: Sql[] = [];
  if (start) touches.push(sql`last_ts >= ${start}`);
  if (end) touches.push(sql`first_ts < ${end}`);
  const edgeWhy = joinSql([...(insideParts.length ? [sql`NOT (${inside})`] : []), ...(spec.segment ? [raw('NOT one_user')] : [])], ' OR ');
  const edgeWhere = touches.length ? sql`${joinSql(touches, ' AND ')} AND (${edgeWhy})` : edgeWhy;
  const evWhere: Sql[] = [raw('session_id IN (SELECT session_id FROM edge)'), inRange(spec)];
  if (spec.segment) evWhere.push(raw('user_id IN (SELECT user_id FROM seg_users)'));
  // edge is MATERIALIZED: a bound parameter inside an IN sub-query of an inlined CTE read twice trips a DuckDB
  // internal error (see scope.ts).
  return sql`WITH ${seg}edge AS MATERIALIZED (SELECT session_id FROM session_metrics WHERE ${edgeWhere}),
ev AS NOT MATERIALIZED (SELECT ${raw([...EV_COLUMNS, 'ts'].join(', '))} FROM events WHERE ${joinSql(evWhere, ' AND ')}),
${raw(VISITS)},
sess AS (${whole}
  UNION ALL
  SELECT v.attr, v.user_id, b.orders, b.revenue, v.converted FROM visits v LEFT JOIN buys b USING (session_id))
${raw(PER_SOURCE)}`;
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
