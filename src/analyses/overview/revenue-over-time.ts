// Panel 2: revenue and orders per day/week/month over the whole range (empty buckets are zero), plus a trend.
import type { Table } from 'apache-arrow';
import { toRows } from '../../lib/rows.ts';
import { raw, sql, type Sql } from '../../sql/quote.ts';
import { num } from './decode-util.ts';
import { GRAIN_SQL, scopeCtes } from './scope.ts';
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
}

/** SQL: one row per bucket from the bucket holding range_start to the one holding range_end. */
export function revenueOverTimeSql(spec: OverviewSpec): Sql {
  const { unit, step } = GRAIN_SQL[spec.grain];
  const u = raw(unit);
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
)
SELECT epoch_ms(s.period)::DOUBLE AS period,
  coalesce(a.revenue, 0)::DOUBLE AS revenue,
  coalesce(a.orders, 0)::DOUBLE AS orders
FROM series s LEFT JOIN agg a ON a.period = s.period
ORDER BY s.period`;
}

/** Decode buckets and fit the revenue trend. */
export function decodeRevenueOverTime(table: Table): RevenueOverTime {
  const buckets = toRows(table).map((r) => ({
    period: num(r, 'period'),
    revenue: num(r, 'revenue'),
    orders: num(r, 'orders'),
  }));
  return { buckets, trend: linearTrend(buckets.map((b) => b.revenue)) };
}
