// Derive `session_metrics` (one row per session) from `events`: what the Overview's traffic-sources panel needs of
// a session, computed once per dataset instead of on every look. The panel reads it for every session that lies
// wholly inside the chosen dates (and, with a segment, belongs to one user), and aggregates the events of the few
// others as before (traffic-sources.ts), so the answers are the same either way.
import type { Db } from '../db/types.ts';
import { ident, raw, type Sql } from '../sql/quote.ts';
import { hasColumns } from './user-metrics.ts';
import { firstRow } from '../lib/rows.ts';

/**
 * The SELECT behind session_metrics: per session_id (events without one are left out) its first and last event
 * time; `attr`, the {source, medium} of its earliest session_start, else of its earliest event (arg_min: at equal
 * times the first row in table order, as the panel's own aggregate picks); `user_id`, the user of its first event
 * with one; `one_user`, whether every event has that same user (a segment filter then keeps or drops the session
 * whole); `converted` (a purchase event); `orders` (distinct order ids of its purchase events) and `revenue` (their
 * sum; both NULL without purchases); `path`, its events' types in order — time (no time last), then table order —
 * as the low 32 bits of their hashes, what the journeys' one pass walks (paths/pass.ts; NULL when no event has a
 * type). With `sessionsIn` (trusted SQL: a query returning session_id), only those sessions, reading only their
 * events (the live feed refreshes the sessions a tick touched this way). `path: false` leaves that column out (a
 * table stored before it had none).
 */
export function sessionMetricsSelectSql(sessionsIn?: string, opts: { path?: boolean } = {}): string {
  const only = sessionsIn ? ` AND session_id IN (${sessionsIn})` : '';
  const path = opts.path === false ? '' : `,
    ${SESSION_PATH_SQL} AS path`;
  return `WITH visits AS (
  SELECT session_id, min(ts) AS first_ts, max(ts) AS last_ts,
    coalesce(
      arg_min({'source': source, 'medium': medium}, ts) FILTER (WHERE event_type = 'session_start'),
      arg_min({'source': source, 'medium': medium}, ts)
    ) AS attr,
    arg_min(user_id, ts) AS user_id,
    coalesce(min(user_id) = max(user_id) AND count(user_id) = count(*), FALSE) AS one_user,
    bool_or(event_type = 'purchase') AS converted${path}
  FROM events WHERE session_id IS NOT NULL${only} GROUP BY session_id
),
buys AS (
  SELECT session_id, count(DISTINCT order_id) AS orders, sum(revenue) AS revenue
  FROM events WHERE session_id IS NOT NULL AND event_type = 'purchase'${only} GROUP BY session_id
)
SELECT v.session_id, v.first_ts, v.last_ts, v.attr, v.user_id, v.one_user, v.converted,
  b.orders::BIGINT AS orders, b.revenue::DOUBLE AS revenue${opts.path === false ? '' : ', v.path'}
FROM visits v LEFT JOIN buys b USING (session_id)`;
}

/**
 * A session's event types in order, as an aggregate over its events: the low 32 bits of each type's hash (what
 * pathsEventsSql's rows carry), in time order with events without a time last, then in table order. Collected with
 * their (time, rowid) and sorted as a list: 4-5x faster than `list(… ORDER BY ts, rowid)` natively (1M events: 200-257
 * vs 1,024-1,241 ms), whose sorted aggregate is DuckDB's slow path.
 */
export const SESSION_PATH_SQL =
  "list_transform(list_sort(list({'t': coalesce(epoch_us(ts), 9223372036854775807), 'r': rowid, 'c': (hash(event_type) & 4294967295)::UINTEGER}) FILTER (WHERE event_type IS NOT NULL)), x -> x.c)";

/** SQL that (re)builds session_metrics into `target` (trusted SQL text: a quoted, schema-qualified name). */
export function sessionMetricsSql(target: string): string {
  return `CREATE OR REPLACE TABLE ${target} AS\n${sessionMetricsSelectSql()}`;
}

/**
 * Whether the current dataset stores session_metrics (`n` = 1): datasets stored before it was introduced do not,
 * and the panel then aggregates every event as it always did.
 */
export const SESSION_METRICS_PRESENT_SQL: Sql = raw(`SELECT count(*)::INTEGER AS n FROM duckdb_tables()
  WHERE database_name = current_database() AND schema_name = current_schema() AND table_name = 'session_metrics'`);

/** The event columns session_metrics reads (every import and generated shop has them; a hand-made table may not). */
export const SESSION_COLUMNS = ['session_id', 'ts', 'event_type', 'user_id', 'order_id', 'revenue', 'source', 'medium'] as const;

/** Whether the current schema's events have every column session_metrics needs. */
export function eventsHaveSessions(db: Db): Promise<boolean> {
  return hasColumns(db, 'events', SESSION_COLUMNS);
}

/**
 * Whether the current schema's events are worth a session_metrics table: its users' sessions average at least two
 * events (read from user_metrics, one row per user, so the check is cheap enough to repeat each time a dataset
 * opens). Where most sessions are single events (an import whose rows each got their own session), the table is as
 * large as the events and reading it saves nothing, while building it cost a third more import time (1M such rows:
 * 29 → 42 s in the page); the panel then reads the events.
 */
export async function sessionsWorthStoring(db: Db): Promise<boolean> {
  return firstRow<{ ok: boolean | null }>(await db.query(`SELECT (coalesce(sum(sessions), 0) > 0 AND sum(sessions) * 2 <= sum(events)) AS ok FROM user_metrics`)).ok === true;
}

/**
 * Build session_metrics for the dataset in `schema` when it lacks one that it is worth having (a dataset stored
 * before the table existed); the app does this in the background after opening a dataset. Returns whether it built.
 * `db` reads unqualified names from `schema` (its `SET schema`); the table is created under that schema's name.
 */
export async function ensureSessionMetrics(db: Db, schema: string): Promise<boolean> {
  // A table stored before it had each session's path is built again (the journeys read the events until then).
  if (((await hasSessionMetrics(db)) && (await hasSessionPaths(db))) || !(await eventsHaveSessions(db)) || !(await sessionsWorthStoring(db))) return false;
  await db.exec(sessionMetricsSql(`${ident(schema)}.session_metrics`));
  return true;
}

/**
 * One row, `n` = 1 when the current schema's session_metrics stores each session's path (SESSION_PATH_SQL), else 0.
 * (Its text names session_metrics: the app drops cached results that do when it builds the table.)
 */
export const SESSION_PATHS_PRESENT_SQL: Sql = raw(`SELECT count(*)::INTEGER AS n FROM duckdb_columns()
  WHERE database_name = current_database() AND schema_name = current_schema() AND table_name = 'session_metrics' AND column_name = 'path'`);

/** Whether the current schema's session_metrics stores each session's path. */
export async function hasSessionPaths(db: Db): Promise<boolean> {
  return Number(firstRow<{ n: number }>(await db.query(SESSION_PATHS_PRESENT_SQL.text)).n) === 1;
}

/** Whether the current schema stores session_metrics (the live feed keeps it; the app builds it when missing). */
export async function hasSessionMetrics(db: Db): Promise<boolean> {
  return Number(firstRow<{ n: number }>(await db.query(SESSION_METRICS_PRESENT_SQL.text)).n) === 1;
}
