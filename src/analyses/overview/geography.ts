// Panel 6: revenue by users.country or users.region, the top 15 places plus one 'Other' row.
import type { Table } from 'apache-arrow';
import { toRows } from '../../lib/rows.ts';
import { ident, raw, sql, type Sql } from '../../sql/quote.ts';
import { num } from './decode-util.ts';
import { scopeCtes } from './scope.ts';
import type { OverviewSpec } from './spec.ts';

/** How many places are listed before the rest fold into 'Other'. */
export const GEO_TOP = 15;

/** One place. `place` is null for buyers with no users row or no value ("Unknown"), and for the Other row. */
export interface GeoRow {
  place: string | null;
  /** True for the single row folding every place ranked below GEO_TOP. */
  isOther: boolean;
  revenue: number;
  orders: number;
  customers: number;
}

/** SQL: purchases in range joined to users on user_id, grouped by the chosen column; Other last. */
export function geographySql(spec: OverviewSpec): Sql {
  const col = raw(ident(spec.geo === 'region' ? 'region' : 'country'));
  return sql`WITH ${scopeCtes(spec, ['user_id', 'order_id', 'revenue'], "event_type = 'purchase'")},
u AS (SELECT user_id, min(${col})::VARCHAR AS place FROM users GROUP BY user_id),
per AS (
  SELECT u.place, sum(ev.revenue) AS revenue,
    count(DISTINCT ev.order_id) AS orders, count(DISTINCT ev.user_id) AS customers
  FROM ev LEFT JOIN u ON u.user_id = ev.user_id
  GROUP BY u.place
),
ranked AS (
  SELECT *, row_number() OVER (ORDER BY revenue DESC NULLS LAST, place NULLS LAST) AS rk FROM per
),
flagged AS (SELECT *, rk > ${GEO_TOP} AS is_other FROM ranked)
SELECT CASE WHEN is_other THEN NULL ELSE place END AS place, is_other,
  coalesce(sum(revenue), 0)::DOUBLE AS revenue,
  sum(orders)::DOUBLE AS orders, sum(customers)::DOUBLE AS customers
FROM flagged
GROUP BY 1, 2
ORDER BY is_other, min(rk)`;
}

/** Decode places in rank order, 'Other' (if any) last. */
export function decodeGeography(table: Table): GeoRow[] {
  return toRows(table).map((r) => ({
    place: r.place === null ? null : String(r.place),
    isOther: r.is_other === true,
    revenue: num(r, 'revenue'),
    orders: num(r, 'orders'),
    customers: num(r, 'customers'),
  }));
}
