// The retention triangle as one SQL statement: cohort members, return events and purchases, one row per
// (cohort, period index) with the cohort size, users retained, orders, revenue and whether the period is
// observed / complete by the data's last day.
import { StrataError } from '../../errors.ts';
import { raw, sql, type Sql } from '../../sql/quote.ts';
import { fieldById, fieldSql, fromSql, isUserField, type Field } from '../fields.ts';
import { filterFields, filterSql, membersSql } from '../filter/index.ts';
import { isEmptyFilter, type FilterGroup } from '../filter/spec.ts';
import type { CohortPeriod, CohortSpec, EventMatch } from './spec.ts';

// Fixed SQL text per validated period: never user text.
const UNIT: Record<CohortPeriod, { trunc: string; step: string }> = {
  day: { trunc: "'day'", step: 'INTERVAL 1 DAY' },
  week: { trunc: "'week'", step: 'INTERVAL 7 DAY' },
  month: { trunc: "'month'", step: 'INTERVAL 1 MONTH' },
};

/** date_trunc unit and one period's interval, as trusted SQL pieces. */
export function periodSql(p: CohortPeriod): { trunc: Sql; step: Sql } {
  return { trunc: raw(UNIT[p].trunc), step: raw(UNIT[p].step) };
}

/** The predicate on `events e` for a start or return event; its filter may use event fields only. */
export function eventMatchSql(m: EventMatch, fields: readonly Field[]): Sql {
  const own = m.filter && !isEmptyFilter(m.filter) ? eventFilter(m.filter, fields) : raw('TRUE');
  if (m.kind === 'any') return own;
  if (m.kind === 'purchase') return sql`e.event_type = 'purchase' AND ${own}`;
  return sql`e.event_type = ${m.eventType!} AND ${own}`;
}

function eventFilter(f: NonNullable<EventMatch['filter']>, fields: readonly Field[]): Sql {
  for (const id of filterFields(f)) {
    if (!id.startsWith('e.')) throw new StrataError('Conditions on a start or return event use event columns; filter users under "Users".');
  }
  return filterSql(f, fields.filter((x) => !isUserField(x)), 'events');
}

/** An event match that every event passes: any kind, no condition. */
const anyEvent = (m: EventMatch) => m.kind === 'any' && (!m.filter || isEmptyFilter(m.filter));

/**
 * Whether each user's cohort is the period of their first event of any kind (first-time, no condition): then it is
 * user_metrics' first_seen, and the retention statement can read it there instead of grouping every event by user
 * when the dataset's user_metrics accounts for every event with a user (`USER_METRICS_COVER_SQL`, which the screen
 * asks first — and only for such a spec).
 */
export function startsAtFirstEvent(spec: CohortSpec): boolean {
  return !spec.recurring && spec.start.by === 'event' && anyEvent(spec.start.event);
}

/** How the statement may read per-user figures: `userMetrics` true when USER_METRICS_COVER_SQL said ok. */
export interface CohortSqlOptions {
  userMetrics?: boolean;
}

/**
 * Each user's first and last event (user_metrics' first_seen and last_seen: min and max of ts over the user's events,
 * exactly what grouping the events by user gives when user_metrics accounts for every such event), truncated.
 */
function seenSql(spec: CohortSpec, fields: readonly Field[], trunc: Sql): Sql {
  return sql`SELECT m.user_id, date_trunc(${trunc}, m.first_seen) AS c, date_trunc(${trunc}, m.last_seen) AS p FROM user_metrics m
  WHERE m.events > 0 AND ${membersSql(spec, fields, 'm.user_id')}`;
}

function startsSql(spec: CohortSpec, fields: readonly Field[], trunc: Sql, opts: CohortSqlOptions = {}): Sql {
  const s = spec.start;
  if (opts.userMetrics && startsAtFirstEvent(spec)) return sql`SELECT user_id, c FROM (${seenSql(spec, fields, trunc)})`;
  if (s.by === 'event') {
    const where = sql`e.user_id IS NOT NULL AND ${eventMatchSql(s.event, fields)} AND ${membersSql(spec, fields, 'e.user_id')}`;
    return spec.recurring
      ? sql`SELECT DISTINCT e.user_id, date_trunc(${trunc}, e.ts) AS c FROM events e WHERE ${where}`
      : sql`SELECT e.user_id, date_trunc(${trunc}, min(e.ts)) AS c FROM events e WHERE ${where} GROUP BY e.user_id`;
  }
  const f = s.by === 'signup' ? fieldById(fields, 'u.signup_ts', 'users') : fieldById(fields, s.field, 'users');
  if (f.kind !== 'temporal') throw new StrataError(`Cohorts by property need a date column; ${f.column} is not one.`);
  const x = fieldSql(f);
  return sql`SELECT u.user_id, date_trunc(${trunc}, ${x}::TIMESTAMP) AS c FROM ${fromSql('users', [f.source])}
  WHERE ${x} IS NOT NULL AND ${membersSql(spec, fields, 'u.user_id')}`;
}

/** Whether users start a cohort with their first event of exactly the kind a return counts (same predicate). */
function sameMatch(spec: CohortSpec, fields: readonly Field[]): boolean {
  // Not for "any event": then the returns are every user-period of activity, and a GROUP BY user over the events
  // was measured faster than grouping them again (1M events: 152 vs 164 ms; purchases: 118 → 91 ms).
  return !spec.recurring && spec.returns.kind !== 'any' && samePredicate(spec, fields);
}

/** Whether the start event and the return event are the same predicate (text and values), "any" included. */
function samePredicate(spec: CohortSpec, fields: readonly Field[]): boolean {
  if (spec.start.by !== 'event') return false;
  const a = eventMatchSql(spec.start.event, fields);
  const b = eventMatchSql(spec.returns, fields);
  return a.text === b.text && JSON.stringify(a.params) === JSON.stringify(b.params);
}

/**
 * "On or after": a member counts at period k when they returned in k or later, so only each member's LAST return
 * period matters — one row per user (max(ts)) instead of every distinct (user, period) of activity. For a member of
 * cohort c whose last return period p is ≥ c, their latest k is date_diff(c, p) (date_diff and date_trunc never
 * decrease with time), exactly the max(k) over their hits; a last return before c means no hit at all. When users
 * start with their first event of the very kind that counts as a return, first and last come from one GROUP BY.
 * Measured (R2: weekly, any event, 26 weeks): README, 'Retention "on or after" from each member's last return'.
 */
function onOrAfterSql(spec: CohortSpec, fields: readonly Field[], trunc: Sql, opts: CohortSqlOptions): Sql {
  const periods = sql`CAST(${spec.periods} AS BIGINT)`;
  // First event of any kind, back by any activity: each user's first and last event, from user_metrics when it may.
  const span = opts.userMetrics && startsAtFirstEvent(spec) && anyEvent(spec.returns)
    ? seenSql(spec, fields, trunc)
    : sql`SELECT e.user_id, date_trunc(${trunc}, min(e.ts)) AS c, date_trunc(${trunc}, max(e.ts)) AS p FROM events e
  WHERE e.user_id IS NOT NULL AND ${eventMatchSql(spec.returns, fields)} AND ${membersSql(spec, fields, 'e.user_id')} GROUP BY e.user_id`;
  // Members per (cohort, latest k capped at the last period shown): counted at every k up to it in `kept`, over
  // this small histogram instead of every member (same counts: date_diff >= k iff least(date_diff, periods) >= k).
  const cohorts = !spec.recurring && samePredicate(spec, fields)
    ? sql`span AS MATERIALIZED (${span}),
starts AS (SELECT user_id, c FROM span),
hist AS (SELECT c, least(date_diff(${trunc}, c, p), ${periods}) AS k, count(*) AS n FROM span GROUP BY 1, 2)`
    : sql`starts AS (${startsSql(spec, fields, trunc, opts)}),
last AS (SELECT e.user_id, date_trunc(${trunc}, max(e.ts)) AS p FROM events e WHERE e.user_id IS NOT NULL AND ${eventMatchSql(spec.returns, fields)} GROUP BY e.user_id),
hist AS (SELECT s.c, least(date_diff(${trunc}, s.c, l.p), ${periods}) AS k, count(*) AS n FROM starts s JOIN last l ON l.user_id = s.user_id AND l.p >= s.c GROUP BY 1, 2)`;
  return sql`${cohorts},
sized AS (SELECT c, count(*)::DOUBLE AS size FROM starts GROUP BY c),
kept AS (SELECT h.c, g.k, sum(h.n)::DOUBLE AS retained FROM hist h JOIN range(0, ${periods} + 1) g(k) ON h.k >= g.k GROUP BY h.c, g.k)`;
}

/**
 * The retention statement: one row per cohort and period index 0..spec.periods (zeros included). With
 * `opts.userMetrics` (user_metrics accounts for every event with a user), cohorts by first event of any kind read
 * each user's first (and, for "on or after" any activity, last) event from user_metrics: same rows.
 */
export function cohortSql(spec: CohortSpec, fields: readonly Field[], opts: CohortSqlOptions = {}): Sql {
  const { trunc } = periodSql(spec.period);
  if (spec.mode === 'on_or_after') return triangleSql(spec, onOrAfterSql(spec, fields, trunc, opts));
  // "On": a member counts at period k when they returned in period k.
  const retSql = sql`SELECT DISTINCT e.user_id, date_trunc(${trunc}, e.ts) AS p FROM events e WHERE e.user_id IS NOT NULL AND ${eventMatchSql(spec.returns, fields)}`;
  // When users start with their first event of the same kind that counts as a return (first purchase / purchases),
  // each cohort is the user's earliest return period: read from the returns (one pass over the events, not two). date_trunc(min(ts)) = min(date_trunc(ts)), and a user with no such event is in
  // neither.
  const cohorts = sameMatch(spec, fields)
    ? sql`ret AS MATERIALIZED (${retSql}),
starts AS (SELECT r.user_id, min(r.p) AS c FROM ret r WHERE ${membersSql(spec, fields, 'r.user_id')} GROUP BY r.user_id),
sized AS (SELECT c, count(*)::DOUBLE AS size FROM starts GROUP BY c)`
    : sql`starts AS (${startsSql(spec, fields, trunc, opts)}),
sized AS (SELECT c, count(*)::DOUBLE AS size FROM starts GROUP BY c),
ret AS (${retSql})`;
  return triangleSql(spec, sql`${cohorts},
kept AS (SELECT s.c, date_diff(${trunc}, s.c, r.p) AS k, count(*)::DOUBLE AS retained FROM starts s JOIN ret r ON r.user_id = s.user_id AND r.p >= s.c GROUP BY 1, 2)`);
}

/**
 * The statement around CTEs that define starts(user_id, c), sized(c, size) and kept(c, k, retained). Revenue is
 * summed as DECIMAL(38, 6) (exact: the same cents whatever order the rows are read in — a DOUBLE sum's last digit
 * depends on it, and the order of a join's output with it).
 */
function triangleSql(spec: CohortSpec, ctes: Sql): Sql {
  const { trunc, step } = periodSql(spec.period);
  return sql`WITH bounds AS (SELECT date_trunc('day', max(ts)) + INTERVAL 1 DAY AS data_end FROM events),
${ctes},
buys AS (SELECT e.user_id, date_trunc(${trunc}, e.ts) AS p, count(DISTINCT e.order_id)::DOUBLE AS orders,
  coalesce(sum(e.revenue::DECIMAL(38, 6)), 0)::DOUBLE AS revenue FROM events e WHERE e.event_type = 'purchase' AND e.user_id IS NOT NULL GROUP BY 1, 2),
money AS (SELECT s.c, date_diff(${trunc}, s.c, b.p) AS k, sum(b.orders)::DOUBLE AS orders, sum(b.revenue::DECIMAL(38, 6))::DOUBLE AS revenue
  FROM starts s JOIN buys b ON b.user_id = s.user_id AND b.p >= s.c GROUP BY 1, 2),
grid AS (SELECT z.c, z.size, g.k FROM sized z CROSS JOIN range(0, CAST(${spec.periods} AS BIGINT) + 1) g(k))
SELECT epoch_ms(grid.c)::DOUBLE AS cohort, grid.k::INTEGER AS k, grid.size,
  coalesce(kept.retained, 0)::DOUBLE AS retained, coalesce(money.orders, 0)::DOUBLE AS orders,
  coalesce(money.revenue, 0)::DOUBLE AS revenue,
  (grid.c + grid.k * ${step} < bounds.data_end) AS observed,
  (grid.c + (grid.k + 1) * ${step} <= bounds.data_end) AS complete
FROM grid CROSS JOIN bounds
LEFT JOIN kept ON kept.c = grid.c AND kept.k = grid.k
LEFT JOIN money ON money.c = grid.c AND money.k = grid.k
ORDER BY grid.c, grid.k`;
}

/**
 * The users behind one cell (cohort starting at `cohortMs`, period index `k`): members of that cohort who came
 * back in period k ("on") or in k or later ("on or after"), with their user columns, for the list and CSV export.
 */
export function cohortCellUsersSql(spec: CohortSpec, fields: readonly Field[], cohortMs: number, k: number, limit = 10_000): Sql {
  const { trunc, step } = periodSql(spec.period);
  const cmp = raw(spec.mode === 'on' ? '=' : '>=');
  return sql`WITH starts AS (${startsSql(spec, fields, trunc)}),
cohort AS (SELECT user_id, c FROM starts WHERE c = make_timestamp(CAST(${cohortMs} AS BIGINT) * 1000)),
ret AS (SELECT DISTINCT e.user_id, date_trunc(${trunc}, e.ts) AS p FROM events e WHERE e.user_id IS NOT NULL AND ${eventMatchSql(spec.returns, fields)})
SELECT u.* FROM users u WHERE u.user_id IN (
  SELECT c.user_id FROM cohort c JOIN ret r ON r.user_id = c.user_id AND r.p ${cmp} c.c + CAST(${k} AS BIGINT) * ${step})
ORDER BY u.user_id LIMIT ${limit}`;
}
