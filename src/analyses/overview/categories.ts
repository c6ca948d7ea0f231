// Panel 3: performance per product category over purchase lines in range, best-selling first.
import type { Table } from 'apache-arrow';
import { toRows } from '../../lib/rows.ts';
import { sql, type Sql } from '../../sql/quote.ts';
import { num, numOrNull, strOrNull } from './decode-util.ts';
import { scopeCtes } from './scope.ts';
import type { OverviewSpec } from './spec.ts';

/** One category; `category` is null for purchase lines without one. */
export interface CategoryPerformance {
  category: string | null;
  /** Purchase lines (events) in the category. */
  transactions: number;
  /** Distinct orders containing the category. */
  orders: number;
  /** Gross revenue of those lines. */
  revenue: number;
  /** revenue / orders (null when no order ids). */
  aov: number | null;
  /** Distinct buyers of the category. */
  customers: number;
}

/** SQL: one row per category, revenue descending (ties by name). */
export function categoriesSql(spec: OverviewSpec): Sql {
  return sql`WITH ${scopeCtes(spec, ['user_id', 'order_id', 'category', 'revenue'], "event_type = 'purchase'")}
SELECT category::VARCHAR AS category,
  count(*)::DOUBLE AS transactions,
  count(DISTINCT order_id)::DOUBLE AS orders,
  coalesce(sum(revenue), 0)::DOUBLE AS revenue,
  (coalesce(sum(revenue), 0) / nullif(count(DISTINCT order_id), 0))::DOUBLE AS aov,
  count(DISTINCT user_id)::DOUBLE AS customers
FROM ev
GROUP BY category
ORDER BY revenue DESC, category NULLS LAST`;
}

/** Decode category rows. */
export function decodeCategories(table: Table): CategoryPerformance[] {
  return toRows(table).map((r) => ({
    category: strOrNull(r, 'category'),
    transactions: num(r, 'transactions'),
    orders: num(r, 'orders'),
    revenue: num(r, 'revenue'),
    aov: numOrNull(r, 'aov'),
    customers: num(r, 'customers'),
  }));
}
