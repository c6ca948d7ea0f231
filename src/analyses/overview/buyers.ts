// Buyers in range with their last purchase, spend, orders and churn band: shared by the churn and scatter panels.
import { sql, type Sql } from '../../sql/quote.ts';
import { churnBandSql, scopeCtes } from './scope.ts';
import type { OverviewSpec } from './spec.ts';

/** The churn bands, lowest risk first. */
export const CHURN_BANDS = ['low', 'medium', 'high'] as const;

/** A churn-risk band by days since last purchase: low <= medium < medium band <= high < high. */
export type ChurnBand = (typeof CHURN_BANDS)[number];

/** Narrow a decoded cell to a ChurnBand (the SQL only produces these three). */
export function asChurnBand(v: unknown): ChurnBand {
  if (typeof v === 'string' && (CHURN_BANDS as readonly string[]).includes(v)) return v as ChurnBand;
  throw new Error(`Overview: unexpected churn band ${String(v)}`);
}

/**
 * CTEs ev, bounds, buyers and `banded`(user_id, spend, orders, days, band): days = calendar days from the
 * buyer's last purchase in range to range_end (a purchase on the last day is 0).
 */
export function bandedBuyersCtes(spec: OverviewSpec): Sql {
  return sql`${scopeCtes(spec, ['user_id', 'order_id', 'revenue'], "event_type = 'purchase' AND user_id IS NOT NULL")},
buyers AS (
  SELECT user_id, max(ts) AS last_purchase,
    coalesce(sum(revenue), 0) AS spend, count(DISTINCT order_id) AS orders
  FROM ev GROUP BY user_id
),
days AS (
  SELECT buyers.*, date_diff('day', last_purchase, bounds.range_end) AS days FROM buyers CROSS JOIN bounds
),
banded AS (SELECT days.*, ${churnBandSql(spec, 'days')} AS band FROM days)`;
}
