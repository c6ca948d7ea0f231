// Lifecycle per period: of the users active in a period (doing the return event), who is new, returning or
// resurrecting; and who went dormant (active the period before, not in this one). PostHog's definitions.
import type { Table } from 'apache-arrow';
import { toRows } from '../../lib/rows.ts';
import { sql, type Sql } from '../../sql/quote.ts';
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

/** One row per (period, state) over the periods that began by the data's last day. */
export function lifecycleSql(spec: CohortSpec, fields: readonly Field[]): Sql {
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
