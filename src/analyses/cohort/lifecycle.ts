// Lifecycle per period: of the users active in a period (doing the return event), who is new, returning or
// resurrecting; and who went dormant (active the period before, not in this one). PostHog's definitions.
import type { Table } from 'apache-arrow';
import { toRows } from '../../lib/rows.ts';
import { raw, sql, type Sql } from '../../sql/quote.ts';
import type { Field } from '../fields.ts';
import { eventMatchSql, periodSql } from './sql.ts';
import { membersSql } from '../filter/members.ts';
import type { CohortSpec } from './spec.ts';

/** The four lifecycle states. */
export type LifeState = 'new' | 'returning' | 'resurrecting' | 'dormant';

/** Users per state in one period (dormant as a positive count; charts draw it below zero). */
export interface LifecyclePeriod {
  start: number;
  new: number;
  returning: number;
  resurrecting: number;
  dormant: number;
}

// A period's index from the data's first period p0 (bounds: m0 its month number, u0 its epoch in µs), as fixed SQL
// per validated period: never user text. Cheaper than date_diff over date_trunc (1M events: 37 vs 63 ms) and equal:
// p0 is a period start, so whole days / weeks since it are floor divisions and months are month-number differences.
// `ts` is the event's time, `b` the bounds' alias.
const INDEX: Record<CohortSpec['period'], (ts: string, b: string) => string> = {
  day: (ts, b) => `(epoch_us(${ts}) - ${b}.u0) // 86400000000`,
  week: (ts, b) => `(epoch_us(${ts}) - ${b}.u0) // 604800000000`,
  month: (ts, b) => `year(${ts}) * 12 + month(${ts}) - ${b}.m0`,
};

/** The error a `oneWord` lifecycle statement fails with when the data spans more than 64 periods. */
export const LIFECYCLE_SPAN = 'strata: the data spans more than 64 lifecycle periods';

/** How lifecycleSql may group. */
export interface LifecycleOptions {
  /**
   * Group each user's periods as one 64-bit word, by user alone, with no carries between words: right when the data's
   * last event lies within the first 64 periods from its first one (every event then does: the index never decreases
   * with time). The statement checks that first, from the bounds it reads anyway, and fails at once with
   * LIFECYCLE_SPAN when it does not hold (before the events are grouped: ~6 ms at 1M events in DuckDB-WASM);
   * runLifecycle then runs the general statement.
   */
  oneWord?: boolean;
}

/**
 * One row per (period, state) over the periods that began by the data's last day.
 *
 * Each user's active periods as bits: one row per (user, word of 64 periods) with a 64-bit mask, from one GROUP BY
 * over the events (instead of every distinct (user, period) and a window over them). Per period k of a word:
 * active = bit k; new = the lowest bit of the user's first word; returning = bit k and bit k-1 (for k = 0, bit 63 of
 * the word before: the carry); dormant = bit k-1 and not bit k, and a carry into a word the user has no row in.
 * Resurrecting = active - new - returning. The masks are counted per distinct (word, mask, carry, first), then
 * per distinct byte of them, and only then expanded to single periods, so the work after the GROUP BY is small.
 * Same rows as lifecycleWindowSql (the window formulation, kept as the reference; tests/lifecycle-bits.test.ts
 * compares them on random shops), except for events without a time, which the data contract rules out (the
 * import sets them aside) and which are not counted here. Natively, one thread (.spike numbers in README, "Speed"):
 * monthly 1M 93 -> 49 ms, 10M ~1,020 -> ~510; weekly 1.7x; daily 1.1-1.2x. With `oneWord` (the data spans at most
 * 64 periods: runLifecycle tries it first), monthly in DuckDB-WASM (Node) 1M ~72 -> ~58 ms, 10M ~700 -> ~410.
 */
export function lifecycleSql(spec: CohortSpec, fields: readonly Field[], opts: LifecycleOptions = {}): Sql {
  const { trunc, step } = periodSql(spec.period);
  const events = sql`SELECT e.user_id, ${raw(INDEX[spec.period]('e.ts', 'b'))} AS i FROM events e CROSS JOIN bounds b
    WHERE ${raw(opts.oneWord ? 'b.fits AND ' : '')}e.user_id IS NOT NULL AND e.ts IS NOT NULL AND ${eventMatchSql(spec.returns, fields)} AND ${membersSql(spec, fields, 'e.user_id')}`;
  const masks = opts.oneWord
    ? sql`-- Every period lies in word 0 (bounds.fits: the data spans at most 64 periods): one row per user.
m AS (SELECT user_id, bit_or(1::UBIGINT << i::UBIGINT) AS mask FROM (${events}) GROUP BY user_id),
h AS (SELECT 0::BIGINT AS w, mask, 0::UBIGINT AS cin, true AS first, count(*) AS n FROM m GROUP BY mask),`
    : sql`m AS MATERIALIZED (SELECT user_id, i >> 6 AS w, bit_or(1::UBIGINT << (i & 63)::UBIGINT) AS mask
  FROM (${events})
  GROUP BY user_id, w),
-- A user active in a word's last period carries into the next word's first period.
hi AS (SELECT user_id, w + 1 AS w FROM m WHERE mask >> 63 = 1),
-- The first word of each user active in more than one word (w = 0 is always a first word).
fst AS (SELECT user_id, min(w) AS w FROM m WHERE user_id IN (SELECT user_id FROM m WHERE w > 0) GROUP BY user_id),
h AS (SELECT m.w, m.mask, (hi.user_id IS NOT NULL)::UBIGINT AS cin, (m.w = 0 OR f.user_id IS NOT NULL) AS first, count(*) AS n
  FROM m LEFT JOIN hi ON hi.user_id = m.user_id AND hi.w = m.w LEFT JOIN fst f ON f.user_id = m.user_id AND f.w = m.w
  GROUP BY ALL),
gone AS (SELECT hi.w * 64 AS i, count(*) AS dormant FROM hi WHERE NOT EXISTS (SELECT 1 FROM m WHERE m.user_id = hi.user_id AND m.w = hi.w) GROUP BY 1),`;
  // With oneWord, `fits` fails the statement unless the last event's index is below 64 (no events: NULL, fits).
  const fits = opts.oneWord
    ? sql`, CASE WHEN ${raw(INDEX[spec.period]('t1', 'b1'))} >= 64 THEN error(${LIFECYCLE_SPAN}) ELSE true END AS fits`
    : sql``;
  return sql`WITH b0 AS (SELECT date_trunc('day', max(ts)) + INTERVAL 1 DAY AS data_end, date_trunc(${trunc}, min(ts)) AS p0, max(ts) AS t1 FROM events),
b1 AS (SELECT data_end, p0, t1, year(p0) * 12 + month(p0) AS m0, epoch_us(p0) AS u0 FROM b0),
bounds AS (SELECT b1.*${fits} FROM b1),
${masks}
-- Each mask as 8 bytes, counted per distinct (byte, carry into it, no lower bit of a first word): at most 2,048
-- per byte position, so expanding them to single periods is small whatever the number of users.
hb AS (SELECT h.w * 8 + j.j AS wb, (h.mask >> (8 * j.j)) & 255 AS v,
  ((((h.mask & 9223372036854775807::UBIGINT) << 1) | h.cin) >> (8 * j.j)) & 1 AS pin,
  h.first AND h.mask & ((1::UBIGINT << (8 * j.j)) - 1) = 0 AS lz, sum(h.n) AS n
  FROM h CROSS JOIN (SELECT range::UBIGINT AS j FROM range(8)) j GROUP BY ALL),
st AS (SELECT (hb.wb * 8 + k.k)::BIGINT AS i,
  coalesce(sum(n) FILTER (WHERE (v >> k) & 1 = 1), 0) AS active,
  coalesce(sum(n) FILTER (WHERE lz AND (v >> k) & 1 = 1 AND v & ((1::UBIGINT << k) - 1) = 0), 0) AS new,
  coalesce(sum(n) FILTER (WHERE (v >> k) & 1 = 1 AND (((v << 1) | pin) >> k) & 1 = 1), 0) AS ret,
  coalesce(sum(n) FILTER (WHERE (v >> k) & 1 = 0 AND (((v << 1) | pin) >> k) & 1 = 1), 0) AS dormant
  FROM hb CROSS JOIN (SELECT range::UBIGINT AS k FROM range(8)) k GROUP BY 1),
state AS (
  SELECT i, 'new' AS s, new AS n FROM st
  UNION ALL SELECT i, 'returning', ret FROM st
  UNION ALL SELECT i, 'resurrecting', active - new - ret FROM st
  UNION ALL SELECT i, 'dormant', dormant FROM st${opts.oneWord ? sql`` : sql`
  UNION ALL SELECT i, 'dormant', dormant FROM gone`}
)
SELECT epoch_ms(b.p0 + q.i * ${step})::DOUBLE AS start, q.s AS state, sum(q.n)::DOUBLE AS users FROM state q CROSS JOIN bounds b
WHERE q.n > 0 AND (q.s <> 'dormant' OR b.p0 + q.i * ${step} < b.data_end)
GROUP BY 1, 2 ORDER BY 1, 2`;
}

/** Whether `err` is a `oneWord` lifecycle statement refusing data that spans more than 64 periods. */
export function isLifecycleSpanError(err: unknown): boolean {
  return String(err instanceof Error ? err.message : err).includes(LIFECYCLE_SPAN);
}

/**
 * The lifecycle as the screen runs it: grouped by user alone (`oneWord`), and should the data span more than 64
 * periods (that statement then fails at once), the general statement. The statement that answered comes back too.
 */
export async function runLifecycle(run: (q: Sql) => Promise<Table>, spec: CohortSpec, fields: readonly Field[]): Promise<{ table: Table; sql: Sql }> {
  const one = lifecycleSql(spec, fields, { oneWord: true });
  try {
    return { table: await run(one), sql: one };
  } catch (err) {
    if (!isLifecycleSpanError(err)) throw err;
  }
  const q = lifecycleSql(spec, fields);
  return { table: await run(q), sql: q };
}

/** The lifecycle as a window over every distinct (user, period) of activity: lifecycleSql's reference. */
export function lifecycleWindowSql(spec: CohortSpec, fields: readonly Field[]): Sql {
  const { trunc, step } = periodSql(spec.period);
  return sql`WITH bounds AS (SELECT date_trunc('day', max(ts)) + INTERVAL 1 DAY AS data_end FROM events),
act AS (SELECT DISTINCT e.user_id, date_trunc(${trunc}, e.ts) AS p FROM events e
  WHERE e.user_id IS NOT NULL AND ${eventMatchSql(spec.returns, fields)} AND ${membersSql(spec, fields, 'e.user_id')}),
seq AS (SELECT user_id, p, lag(p) OVER w AS prev, lead(p) OVER w AS next FROM act WINDOW w AS (PARTITION BY user_id ORDER BY p)),
state AS (
  SELECT p, CASE WHEN prev IS NULL THEN 'new' WHEN prev = p - ${step} THEN 'returning' ELSE 'resurrecting' END AS s FROM seq
  UNION ALL
  -- Dormant in the period after an active one that is not active itself: the user's next active period (periods
  -- are truncated, so none lies between p and p + one period) is not that one. One window for both directions.
  SELECT q.p + ${step} AS p, 'dormant' AS s FROM seq q CROSS JOIN bounds
  WHERE q.p + ${step} < bounds.data_end AND (q.next IS NULL OR q.next <> q.p + ${step})
)
SELECT epoch_ms(p)::DOUBLE AS start, s AS state, count(*)::DOUBLE AS users FROM state GROUP BY p, s ORDER BY p, s`;
}

/** Decode lifecycleSql into one entry per period (missing states are 0). */
export function decodeLifecycle(table: Table): LifecyclePeriod[] {
  const by = new Map<number, LifecyclePeriod>();
  for (const r of toRows(table)) {
    const start = Number(r.start);
    let p = by.get(start);
    if (!p) by.set(start, (p = { start, new: 0, returning: 0, resurrecting: 0, dormant: 0 }));
    p[String(r.state) as LifeState] = Number(r.users);
  }
  return [...by.values()].sort((a, b) => a.start - b.start);
}
