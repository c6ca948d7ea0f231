// Journeys as SQL: each session's path from (or to) the first occurrence of an event, then either the most
// common whole paths (pathsTopSql) or the Sankey's nodes and links per step (pathsSankeySql). Both statements
// share the CTEs below, so the table and the chart always describe the same paths.
import { raw, sql, type Sql } from '../../sql/quote.ts';
import type { Field } from '../fields.ts';
import { membersSql } from '../filter/members.ts';
import { int } from '../validate.ts';
import { STEPS_RANGE, type PathsSpec } from './spec.ts';

/** How many paths the top-paths table lists. */
export const TOP_PATHS = 50;

/**
 * `WITH ev, seq, anchor, path`: `path(u, s, p, t)` holds, per session with the event, its path's events with
 * their step p (1..K). A session is a user's session (user_id, session_id), ordered by ts and then table order
 * (rowid). With collapse on, an event of the same type as the one just before it is dropped before steps are
 * counted. "start": the first occurrence of the event is step 1 and the next K-1 events follow. "end": it is
 * step K and the K-1 events before it precede, so a short path starts after step 1.
 */
function pathCtes(spec: PathsSpec, fields: readonly Field[]): Sql {
  const k = sql`CAST(${spec.steps} AS BIGINT)`;
  const keep = spec.collapse ? raw('WHERE prev IS NULL OR prev <> t') : raw('');
  const window =
    spec.anchor === 'start'
      ? sql`q.i BETWEEN a.a AND a.a + ${k} - 1`
      : sql`q.i BETWEEN a.a - ${k} + 1 AND a.a`;
  const step = spec.anchor === 'start' ? sql`q.i - a.a + 1` : sql`${k} - (a.a - q.i)`;
  return sql`WITH ev AS (
  SELECT e.user_id AS u, e.session_id AS s, e.event_type AS t, e.ts, e.rowid AS r,
    lag(e.event_type) OVER (PARTITION BY e.user_id, e.session_id ORDER BY e.ts, e.rowid) AS prev
  FROM events e
  WHERE e.session_id IS NOT NULL AND e.user_id IS NOT NULL AND e.event_type IS NOT NULL AND ${membersSql(spec, fields, 'e.user_id')}
),
seq AS (SELECT u, s, t, row_number() OVER (PARTITION BY u, s ORDER BY ts, r) AS i FROM ev ${keep}),
anchor AS (SELECT u, s, min(i) AS a FROM seq WHERE t = ${spec.eventType} GROUP BY u, s),
path AS (SELECT q.u, q.s, (${step})::INTEGER AS p, q.t FROM seq q JOIN anchor a ON a.u = q.u AND a.s = q.s WHERE ${window})`;
}

/**
 * The most common paths: `step_1`..`step_K` (the path's event type at each step; NULL where it has none, i.e. after
 * a short "start" path ends or before a short "end" path begins), distinct `users` and `sessions` with exactly
 * that path, `share` = users / users with any session containing the event; every row also carries the totals
 * (`total_users`, `total_sessions`, distinct `total_paths`). No row: no session contains the event. Ties go by
 * step 1, then step 2, ..., a missing step first. One column per step, built by conditional aggregation: an
 * ordered list() per session was the slowest part of the statement (measured: ~40% of it on the demo shop), and
 * DuckDB-WASM has no json extension to carry a list as text.
 */
export function pathsTopSql(spec: PathsSpec, fields: readonly Field[], limit = TOP_PATHS): Sql {
  // K is checked to be a whole number in 2..10, so these column names are fixed text.
  const k = int(spec.steps, STEPS_RANGE[0], STEPS_RANGE[1], 'number of steps');
  const cols = Array.from({ length: k }, (_, i) => `step_${i + 1}`);
  const pick = raw(cols.map((c, i) => `any_value(t) FILTER (WHERE p = ${i + 1}) AS ${c}`).join(', '));
  const list = raw(cols.join(', '));
  const order = raw(cols.map((c) => `${c} NULLS FIRST`).join(', '));
  return sql`${pathCtes(spec, fields)},
sess AS (SELECT u, s, ${pick} FROM path GROUP BY u, s),
grouped AS (SELECT ${list}, count(DISTINCT u)::DOUBLE AS users, count(*)::DOUBLE AS sessions FROM sess GROUP BY ALL),
totals AS (SELECT count(DISTINCT u)::DOUBLE AS total_users, count(*)::DOUBLE AS total_sessions,
  (SELECT count(*) FROM grouped)::DOUBLE AS total_paths FROM sess)
SELECT ${list}, g.users, g.sessions, g.users / t.total_users AS share, t.total_users, t.total_sessions, t.total_paths
FROM grouped g CROSS JOIN totals t
ORDER BY g.users DESC, g.sessions DESC, ${order}
LIMIT CAST(${limit} AS BIGINT)`;
}

/**
 * The Sankey: rows of `kind` 'node' (step, target = event type, users at that step with that type) and 'link'
 * (step = the source's step, source -> target at step + 1, users making that move). Per step the
 * `nodesPerStep` types with the most distinct users (ties: by name) keep their name; the others are NULL, the
 * "Other" node, in nodes and links alike. Ordered by kind, step, users descending.
 */
export function pathsSankeySql(spec: PathsSpec, fields: readonly Field[]): Sql {
  return sql`${pathCtes(spec, fields)},
typed AS (SELECT p, t, count(DISTINCT u) AS users FROM path GROUP BY p, t),
ranked AS (SELECT p, t, row_number() OVER (PARTITION BY p ORDER BY users DESC, t) AS rk FROM typed),
bucketed AS (SELECT x.u, x.s, x.p, CASE WHEN r.rk <= CAST(${spec.nodesPerStep} AS BIGINT) THEN x.t END AS b
  FROM path x JOIN ranked r ON r.p = x.p AND r.t = x.t),
moves AS (SELECT u, p, b, lead(b) OVER w AS nb, lead(p) OVER w AS np FROM bucketed WINDOW w AS (PARTITION BY u, s ORDER BY p))
SELECT 'node' AS kind, p AS step, NULL::VARCHAR AS source, b AS target, count(DISTINCT u)::DOUBLE AS users
FROM bucketed GROUP BY p, b
UNION ALL
SELECT 'link' AS kind, p AS step, b AS source, nb AS target, count(DISTINCT u)::DOUBLE AS users
FROM moves WHERE np IS NOT NULL GROUP BY p, b, nb
ORDER BY kind DESC, step, users DESC, source NULLS LAST, target NULLS LAST`;
}
