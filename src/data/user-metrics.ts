// Derive `user_metrics` (one row per user) from `users` and `events`; every segment and model reads it.
import type { Db } from '../db/types.ts';
import { toRows } from '../lib/rows.ts';
import { FIRST_TOUCH_COLUMNS, firstTouchAggSql, firstTouchCtes } from '../analyses/segments/builtin/traffic-source.ts';
import { raw, scriptSql, type Sql } from '../sql/quote.ts';
import { columnsSql } from '../analyses/profile/tables.ts';

/**
 * SQL that (re)builds user_metrics into `target` (trusted SQL text: a quoted, schema-qualified name). "Now" is the last event in the data, so a historic dataset is judged
 * by its own clock, not today's. Users with no events keep a row of zeros.
 */
export function userMetricsSql(target: string, firstTouch = false): string {
  return `
CREATE OR REPLACE TABLE ${target} AS
${userMetricsSelectSql(undefined, firstTouch)}`;
}

/**
 * The SELECT behind user_metrics; with \`usersIn\` (trusted SQL: a query returning user_id), only those users' rows,
 * reading only their events (the live feed refreshes the users a tick touched this way). \`firstTouch\` (for events
 * with source and medium columns) adds each user's first touch, \`first_source\` and \`first_medium\` (the raw values
 * of their earliest event with a non-blank source or medium: traffic-source.ts), which the traffic-source
 * segmentation then reads per user instead of scanning every event.
 */
export function userMetricsSelectSql(usersIn?: string, firstTouch = false): string {
  const only = usersIn ? ` AND user_id IN (${usersIn})` : '';
  // The first touch: for every user, from their (source, medium) pairs (firstTouchCtes); for a few users, inside
  // the pass over their events below (firstTouchAggSql), which reads them once.
  const touchCtes = firstTouch && !usersIn ? `${scriptSql(firstTouchCtes())},\n` : '';
  const touchAgg = firstTouch && usersIn ? `,\n    ${scriptSql(firstTouchAggSql())} AS ft` : '';
  return `WITH bounds AS (SELECT max(ts) AS now_ts FROM events),
${touchCtes}
per_session AS (
  SELECT user_id, session_id, min(ts) AS s_start, max(ts) AS s_end
  FROM events WHERE user_id IS NOT NULL AND session_id IS NOT NULL${only}
  GROUP BY user_id, session_id
),
sess AS (
  SELECT user_id, count(*)::BIGINT AS sessions,
         avg(date_diff('second', s_start, s_end)) / 60.0 AS avg_session_minutes
  FROM per_session GROUP BY user_id
),
ev AS (
  SELECT user_id,
    min(ts) AS first_seen, max(ts) AS last_seen,
    count(*)::BIGINT AS events,
    count(*) FILTER (WHERE event_type = 'product_view')::BIGINT AS views,
    count(*) FILTER (WHERE event_type = 'add_to_cart')::BIGINT AS cart_adds,
    count(*) FILTER (WHERE event_type = 'checkout')::BIGINT AS checkouts,
    count(DISTINCT order_id) FILTER (WHERE event_type = 'purchase')::BIGINT AS orders,
    coalesce(sum(revenue) FILTER (WHERE event_type = 'purchase'), 0)::DOUBLE AS revenue,
    coalesce(sum(revenue) FILTER (WHERE event_type = 'refund'), 0)::DOUBLE AS refunds,
    min(ts) FILTER (WHERE event_type = 'purchase') AS first_purchase,
    max(ts) FILTER (WHERE event_type = 'purchase') AS last_purchase${touchAgg}
  FROM events WHERE user_id IS NOT NULL${only}
  GROUP BY user_id
)
SELECT
  u.user_id,
  ev.first_seen, ev.last_seen, ev.first_purchase, ev.last_purchase,
  coalesce(sess.sessions, 0)::BIGINT AS sessions,
  coalesce(ev.events, 0)::BIGINT AS events,
  coalesce(ev.views, 0)::BIGINT AS views,
  coalesce(ev.cart_adds, 0)::BIGINT AS cart_adds,
  coalesce(ev.checkouts, 0)::BIGINT AS checkouts,
  coalesce(ev.orders, 0)::BIGINT AS orders,
  coalesce(ev.revenue, 0)::DOUBLE AS revenue,
  coalesce(ev.refunds, 0)::DOUBLE AS refunds,
  CASE WHEN coalesce(ev.orders, 0) > 0 THEN ev.revenue / ev.orders END::DOUBLE AS aov,
  date_diff('day', ev.last_seen, b.now_ts)::INTEGER AS days_since_last_visit,
  date_diff('day', ev.last_purchase, b.now_ts)::INTEGER AS days_since_last_purchase,
  coalesce(date_diff('day', ev.first_seen, ev.last_seen), 0)::INTEGER AS lifetime_days,
  sess.avg_session_minutes::DOUBLE AS avg_session_minutes${firstTouch ? `,
  CAST(${usersIn ? 'ev.ft' : 'ft'}.source AS VARCHAR) AS first_source,
  CAST(${usersIn ? 'ev.ft' : 'ft'}.medium AS VARCHAR) AS first_medium` : ''}
FROM users u
LEFT JOIN ev USING (user_id)
LEFT JOIN sess USING (user_id)${firstTouch && !usersIn ? `
LEFT JOIN first_touch ft USING (user_id)` : ''}
CROSS JOIN bounds b${usersIn ? `
WHERE u.user_id IN (${usersIn})` : ''}
`;
}

/** The same SQL building the unqualified `user_metrics` table. */
export const USER_METRICS_SQL = userMetricsSql('user_metrics');

/**
 * Whether `user_metrics` accounts for every event that has a user (`ok`): its per-user event counts add up to the
 * number of events with a user and a time. True for every dataset the app builds or imports (`users` holds every
 * user of the events and `user_metrics` is rebuilt or refreshed with them); false for a table whose events name users
 * missing from `users`, or whose metrics are stale. Panels that read per-user figures from `user_metrics` instead of
 * aggregating the events ask this first (cached per dataset version).
 */
export const USER_METRICS_COVER_SQL: Sql = raw(`SELECT coalesce((SELECT sum(events) FROM user_metrics)
  = (SELECT count(*) FROM events WHERE user_id IS NOT NULL AND ts IS NOT NULL), false) AS ok`);

/** Whether the current schema's `table` has every one of `columns` (one catalog read). */
export async function hasColumns(db: Db, table: string, columns: readonly string[]): Promise<boolean> {
  const q = columnsSql(table);
  const names = new Set(toRows(await db.query(q.text, q.params)).map((r) => String(r.name)));
  return columns.every((c) => names.has(c));
}

/** Whether user_metrics of the current schema stores the first touch (datasets built before it do not). */
export function storesFirstTouch(db: Db): Promise<boolean> {
  return hasColumns(db, 'user_metrics', FIRST_TOUCH_COLUMNS);
}

/** Whether the current schema's events can give a first touch (they have source and medium columns). */
export function eventsHaveTouch(db: Db): Promise<boolean> {
  return hasColumns(db, 'events', ['source', 'medium']);
}
