// Panel 5: one point per buyer (spend vs orders, coloured by churn band), capped by a deterministic sample.
import type { Table } from 'apache-arrow';
import { toRows } from '../../lib/rows.ts';
import { sql, type Sql } from '../../sql/quote.ts';
import { asChurnBand, bandedBuyersCtes, type ChurnBand } from './buyers.ts';
import { num } from './decode-util.ts';
import type { OverviewSpec } from './spec.ts';

/** Most points the scatter draws; beyond this a stable hash sample is shown and the true total reported. */
export const SCATTER_LIMIT = 5000;

/** One buyer in range. */
export interface CustomerPoint {
  userId: string;
  /** Gross purchase revenue in range. */
  spend: number;
  /** Distinct orders in range. */
  orders: number;
  /** Calendar days from the last purchase in range to range_end. */
  daysSinceLastPurchase: number;
  band: ChurnBand;
}

/** The drawn points, how many buyers there really are, and whether the points are a sample. */
export interface CustomersScatter {
  points: CustomerPoint[];
  total: number;
  sampled: boolean;
}

/** SQL: up to `limit` buyers ordered by hash(user_id) (same sample on every run and engine), with the total. */
export function customersScatterSql(spec: OverviewSpec, limit: number = SCATTER_LIMIT): Sql {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`Scatter limit must be a positive integer`);
  return sql`WITH ${bandedBuyersCtes(spec)}
SELECT user_id::VARCHAR AS user_id, spend::DOUBLE AS spend, orders::DOUBLE AS orders,
  days::DOUBLE AS days_since_last_purchase, band, count(*) OVER ()::DOUBLE AS total
FROM banded
ORDER BY hash(user_id), user_id::VARCHAR
LIMIT ${limit}`;
}

/** Decode points; `total` is 0 when there are no buyers. */
export function decodeCustomersScatter(table: Table): CustomersScatter {
  const rows = toRows(table);
  const points = rows.map((r) => ({
    userId: String(r.user_id),
    spend: num(r, 'spend'),
    orders: num(r, 'orders'),
    daysSinceLastPurchase: num(r, 'days_since_last_purchase'),
    band: asChurnBand(r.band),
  }));
  const total = rows.length ? num(rows[0], 'total') : 0;
  return { points, total, sampled: total > points.length };
}
