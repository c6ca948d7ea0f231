// Panel 5: one point per buyer (spend vs orders, coloured by churn band), capped by a deterministic sample.
import type { Table } from 'apache-arrow';
import { cell } from '../../lib/rows.ts';
import { childOf, textColumn } from '../pass-kit.ts';
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

/**
 * Decode points; `total` is 0 when there are no buyers. Column by column: read row by row, every cell searched for
 * its record batch and decoded its UTF-8 with a call of its own — part of a long task on the Overview's first view at
 * 10M events (README, "Session 33"). The texts are decoded a batch at a time (textColumn); the numbers read as arrays.
 */
export function decodeCustomersScatter(table: Table): CustomersScatter {
  const n = table.numRows;
  const ids = textColumn(childOf(table, 'user_id'));
  const bands = textColumn(childOf(table, 'band'));
  const spend = numberColumn(table, 'spend');
  const orders = numberColumn(table, 'orders');
  const days = numberColumn(table, 'days_since_last_purchase');
  const points: CustomerPoint[] = new Array(n);
  for (let i = 0; i < n; i++) {
    points[i] = { userId: String(ids[i]), spend: spend[i], orders: orders[i], daysSinceLastPurchase: days[i], band: asChurnBand(bands[i]) };
  }
  const total = n ? numberColumn(table, 'total')[0] : 0;
  return { points, total, sampled: total > points.length };
}

/** A numeric column as numbers; a NULL is an error naming the column (as `num` says). */
function numberColumn(table: Table, name: string): ArrayLike<number> {
  const col = childOf(table, name);
  if (col.nullCount > 0) throw new Error(`Overview: column ${name} should be a number, got null`);
  const v = col.toArray() as ArrayLike<unknown>;
  if (v.length > 0 && typeof v[0] !== 'number') return Array.from(v, (x) => num({ [name]: cell(x) }, name));
  return v as ArrayLike<number>;
}
