// Panel 2: revenue and orders per day/week/month over the whole range (empty buckets are zero), plus a trend; for a
// closed range, the previous period's revenue and orders in the same buckets (shifted forward by its length).
import type { Table } from 'apache-arrow';
import { toRows } from '../../lib/rows.ts';
import { raw, sql, type Sql } from '../../sql/quote.ts';
import { num } from './decode-util.ts';
import { GRAIN_SQL, inRange, scopeCtes } from './scope.ts';
import { previousPeriod } from './kpis.ts';
import type { OverviewSpec } from './spec.ts';
import { linearTrend, type LinearTrend } from './trend.ts';

/** One time bucket: its start in epoch ms (UTC; weeks start on Monday), gross revenue and distinct orders. */
export interface RevenueBucket {
  period: number;
  revenue: number;
  orders: number;
}

/** Buckets in time order and the least-squares trend of revenue per bucket (x = bucket index). */
export interface RevenueOverTime {
  buckets: RevenueBucket[];
  trend: LinearTrend;
  /**
   * For a closed range, the period just before it (as many days; previousPeriod) laid over the same buckets: each of
   * its purchases moved forward by the period's length, so bucket i compares like with like. null for an open range.
   */
  previous: { from: string; to: string; buckets: { revenue: number; orders: number }[] } | null;
}

/** The relative change from `prev` to `now` (0.1 = +10%); null when there is nothing before to compare with. */
export function relativeChange(now: number, prev: number | null | undefined): number | null {
  return prev === null || prev === undefined || prev === 0 ? null : (now - prev) / prev;
}

/** SQL: one row per bucket from the bucket holding range_start to the one holding range_end. */
export function revenueOverTimeSql(spec: OverviewSpec): Sql {
  const { unit, step } = GRAIN_SQL[spec.grain];
  const u = raw(unit);
  const prev = previousPeriod(spec);
  const days = prev ? Math.round((Date.parse(`${spec.from}T00:00:00Z`) - Date.parse(`${prev.from}T00:00:00Z`)) / 86_400_000) : 0;
  const member = spec.segment ? raw(' AND user_id IN (SELECT user_id FROM seg_users)') : raw('');
  const prevCtes = prev
    ? sql`,
prev_agg AS (
  SELECT date_trunc(${u}, ts + to_days(CAST(${days} AS INTEGER)))::TIMESTAMP AS period,
    sum(revenue) AS revenue, count(DISTINCT order_id) AS orders
  FROM events WHERE event_type = 'purchase' AND ${inRange(prev)}${member} GROUP BY 1
)`
    : raw('');
  return sql`WITH ${scopeCtes(spec, ['event_type', 'order_id', 'revenue'])},
series AS (
  SELECT unnest(generate_series(
    date_trunc(${u}, range_start)::TIMESTAMP, date_trunc(${u}, range_end)::TIMESTAMP, ${raw(step)}
  )) AS period
  FROM bounds
),
agg AS (
  SELECT date_trunc(${u}, ts)::TIMESTAMP AS period,
    sum(revenue) AS revenue, count(DISTINCT order_id) AS orders
  FROM ev WHERE event_type = 'purchase' GROUP BY 1
)${prevCtes}
SELECT epoch_ms(s.period)::DOUBLE AS period,
  coalesce(a.revenue, 0)::DOUBLE AS revenue,
  coalesce(a.orders, 0)::DOUBLE AS orders,
  ${prev ? raw('coalesce(p.revenue, 0)::DOUBLE AS prev_revenue, coalesce(p.orders, 0)::DOUBLE AS prev_orders') : raw('NULL::DOUBLE AS prev_revenue, NULL::DOUBLE AS prev_orders')}
FROM series s LEFT JOIN agg a ON a.period = s.period${prev ? raw(' LEFT JOIN prev_agg p ON p.period = s.period') : raw('')}
ORDER BY s.period`;
}

/** Decode buckets, fit the revenue trend, and lay out the previous period (when `spec`'s range is closed). */
export function decodeRevenueOverTime(table: Table, spec?: Pick<OverviewSpec, 'from' | 'to'>): RevenueOverTime {
  const rows = toRows(table);
  const buckets = rows.map((r) => ({
    period: num(r, 'period'),
    revenue: num(r, 'revenue'),
    orders: num(r, 'orders'),
  }));
  const prev = spec ? previousPeriod(spec) : null;
  const previous = prev && rows.every((r) => r.prev_revenue !== null)
    ? { ...prev, buckets: rows.map((r) => ({ revenue: num(r, 'prev_revenue'), orders: num(r, 'prev_orders') })) }
    : null;
  return { buckets, trend: linearTrend(buckets.map((b) => b.revenue)), previous };
}
