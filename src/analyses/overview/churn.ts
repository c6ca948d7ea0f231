// Panel 4: buyers in range by churn risk (days since their last purchase, measured to range_end).
import type { Table } from 'apache-arrow';
import { toRows } from '../../lib/rows.ts';
import { sql, type Sql } from '../../sql/quote.ts';
import { asChurnBand, bandedBuyersCtes, CHURN_BANDS, type ChurnBand } from './buyers.ts';
import { num } from './decode-util.ts';
import type { OverviewSpec } from './spec.ts';

/** One band: how many buyers are in it and their gross revenue in range. */
export interface ChurnBandCount {
  band: ChurnBand;
  customers: number;
  revenue: number;
}

/** SQL: one row per non-empty band. */
export function churnSql(spec: OverviewSpec): Sql {
  return sql`WITH ${bandedBuyersCtes(spec)}
SELECT band, count(*)::DOUBLE AS customers, coalesce(sum(spend), 0)::DOUBLE AS revenue
FROM banded GROUP BY band`;
}

/** Decode into all three bands, low -> medium -> high, empty bands as zeros. */
export function decodeChurn(table: Table): ChurnBandCount[] {
  const found = new Map<ChurnBand, ChurnBandCount>();
  for (const r of toRows(table)) {
    const band = asChurnBand(r.band);
    found.set(band, { band, customers: num(r, 'customers'), revenue: num(r, 'revenue') });
  }
  return CHURN_BANDS.map((band) => found.get(band) ?? { band, customers: 0, revenue: 0 });
}
