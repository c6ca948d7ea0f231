// The most frequent values of a column, with counts; ties are broken by the value itself (ascending).
import type { Table } from 'apache-arrow';
import { toRows } from '../../lib/rows.ts';
import { ident, raw, sql, type Sql } from '../../sql/quote.ts';
import { displayExpr, isOrdinal, numericExpr, type ColumnKind } from './kinds.ts';

/** One frequent value: its text form (DuckDB's VARCHAR cast), as a number for numbers and dates (epoch ms), and how many rows hold it. */
export interface TopValue {
  value: string;
  num: number | null;
  count: number;
}

/** How many top values the profile shows. */
export const TOP_N = 10;

/**
 * The `limit` most frequent non-null values, most frequent first; equal counts are ordered by the value in its
 * own type (numbers numerically, dates chronologically, text by DuckDB's collation), so the list is stable.
 */
export function topValuesSql(table: string, column: string, kind: ColumnKind, limit = TOP_N): Sql {
  const c = displayExpr(column, kind);
  const num = isOrdinal(kind) ? numericExpr(column, kind) : null;
  return sql`SELECT ${raw(c)}::VARCHAR AS value, ${raw(num ?? 'NULL')}::DOUBLE AS num, count(*)::DOUBLE AS n FROM ${raw(ident(table))}
WHERE ${raw(ident(column))} IS NOT NULL GROUP BY ${raw(c)} ORDER BY n DESC, ${raw(c)} ASC LIMIT ${limit}`;
}

/** Decode topValuesSql. */
export function decodeTopValues(table: Table): TopValue[] {
  return toRows(table).map((r) => ({ value: String(r.value), num: typeof r.num === 'number' ? r.num : null, count: Number(r.n) }));
}

/**
 * Whether a top-values list is worth computing: not when nearly every value is distinct (ids, timestamps),
 * where the answer is "each value once" and the GROUP BY over millions of keys is the costliest query (2-3 s at
 * 10M rows in the browser). An estimated distinct count is off by up to ~15% (DuckDB's HyperLogLog measured
 * 0.86-0.96 of the truth on unique columns), hence the lower bar when `approx`.
 */
export function topValuesUseful(nonNull: number, distinct: number, approx = false): boolean {
  return nonNull > 0 && distinct < nonNull * (approx ? 0.75 : 0.95);
}
