// SQL pieces every Overview panel shares: the date-range filter, the range bounds and the time grain.
import { ident, joinSql, raw, sql, type Sql } from '../../sql/quote.ts';
import type { Grain, OverviewSpec } from './spec.ts';

export { joinSql };

/** `ts` inside the range: ts >= from 00:00 and ts < to + 1 day (UTC); TRUE when both ends are open. */
export function inRange(spec: Pick<OverviewSpec, 'from' | 'to'>): Sql {
  const parts: Sql[] = [];
  if (spec.from !== null) parts.push(sql`ts >= CAST(${spec.from}::DATE AS TIMESTAMP)`);
  if (spec.to !== null) parts.push(sql`ts < CAST(${spec.to}::DATE + 1 AS TIMESTAMP)`);
  return parts.length ? joinSql(parts, ' AND ') : raw('TRUE');
}

/**
 * Two CTEs: `ev` (events in range matching `where`, only `columns`, inlined so filters push down) and `bounds`
 * (one row over ALL events in range, whatever `where` says: range_start = `from` 00:00 or the first event;
 * range_end = `to` 23:59:59.999999 or the last event). `columns` and `where` are trusted SQL from this module.
 */
export function scopeCtes(spec: OverviewSpec, columns: readonly string[], where?: string): Sql {
  const cols = columns.includes('ts') ? columns : [...columns, 'ts'];
  const parts = [inRange(spec)];
  if (where) parts.unshift(sql`(${raw(where)})`);
  // The segment's members go through a materialized CTE: a bound parameter inside an IN sub-query of an inlined
  // CTE read twice trips a DuckDB internal error ("Expected unified vector format of type VARCHAR, but found INT32",
  // DuckDB 1.4, both engines), which also invalidates the database.
  if (spec.segment) parts.push(raw('user_id IN (SELECT user_id FROM seg_users)'));
  const filter = joinSql(parts, ' AND ');
  const start = spec.from !== null ? sql`CAST(${spec.from}::DATE AS TIMESTAMP)` : raw('min_ts');
  const end =
    spec.to !== null ? sql`CAST(${spec.to}::DATE + 1 AS TIMESTAMP) - INTERVAL 1 MICROSECOND` : raw('max_ts');
  const seg = spec.segment ? sql`seg_users AS MATERIALIZED (${segmentUsersSql(spec.segment)}),
` : raw('');
  return sql`${seg}ev AS NOT MATERIALIZED (SELECT ${raw(cols.join(', '))} FROM events WHERE ${filter}),
bounds AS (
  SELECT ${start} AS range_start, ${end} AS range_end
  FROM (SELECT min(ts) AS min_ts, max(ts) AS max_ts FROM events WHERE ${inRange(spec)})
)`;
}

/** The segment's users: the column through the one quoting function, the value a bound parameter. */
export function segmentUsersSql(seg: NonNullable<OverviewSpec['segment']>): Sql {
  return sql`SELECT user_id FROM user_segments WHERE ${raw(ident(seg.column))} = ${seg.value}`;
}

/** date_trunc unit and series step per grain: fixed SQL text chosen from a validated enum, never user text. */
export const GRAIN_SQL: Readonly<Record<Grain, { unit: string; step: string }>> = {
  day: { unit: "'day'", step: 'INTERVAL 1 DAY' },
  week: { unit: "'week'", step: 'INTERVAL 1 WEEK' },
  month: { unit: "'month'", step: 'INTERVAL 1 MONTH' },
};

/** Churn band of `days` since last purchase: low <= medium < medium band <= high < high. */
export function churnBandSql(spec: OverviewSpec, days: string): Sql {
  const d = raw(days);
  return sql`CASE WHEN ${d} <= ${spec.churn.medium} THEN 'low' WHEN ${d} <= ${spec.churn.high} THEN 'medium' ELSE 'high' END`;
}
