// Per-column statistics: missing share, distinct count, min/max, and (for the selected column) mean and median.
import type { Table } from 'apache-arrow';
import { toRows } from '../../lib/rows.ts';
import { ident, raw, sql, type Sql } from '../../sql/quote.ts';
import { displayExpr, isOrdinal, numericExpr, type ColumnKind } from './kinds.ts';
import type { ColumnInfo } from './tables.ts';

/**
 * Above this many rows, distinct counts use approx_count_distinct (HyperLogLog): exact count(DISTINCT) is ~10x
 * slower in DuckDB-WASM. Medians stay exact (quantile_cont): measured faster than approx_quantile at 1M and 10M
 * rows, in the browser and natively, for 8 bytes a value of memory.
 */
export const EXACT_ROW_LIMIT = 1_000_000;

/** How to count distinct values (exact or estimated), and whether to add mean and median (the detail view). */
export interface StatsOptions {
  exact: boolean;
  moments: boolean;
}

/** One column's statistics. Temporal min/max/mean/median are epoch ms; text min/max are strings. */
export interface ColumnStats {
  name: string;
  kind: ColumnKind;
  rows: number;
  nonNull: number;
  /** Share of rows that are NULL (0..1); null when the table is empty. */
  missing: number | null;
  distinct: number;
  min: number | string | null;
  max: number | string | null;
  mean: number | null;
  median: number | null;
  /** True when `distinct` is an estimate (the table is larger than EXACT_ROW_LIMIT). */
  approx: boolean;
}

function oneColumn(table: string, col: ColumnInfo, opts: StatsOptions): Sql {
  const c = ident(col.name);
  const num = numericExpr(col.name, col.kind);
  const distinctOf = displayExpr(col.name, col.kind);
  const distinct = opts.exact ? `count(DISTINCT ${distinctOf})` : `approx_count_distinct(${distinctOf})`;
  const ordinal = isOrdinal(col.kind) && num !== null;
  const minNum = ordinal ? `min(${num})` : 'NULL';
  const maxNum = ordinal ? `max(${num})` : 'NULL';
  const textual = col.kind === 'text' || col.kind === 'boolean';
  const minText = textual ? `min(${c})::VARCHAR` : 'NULL';
  const maxText = textual ? `max(${c})::VARCHAR` : 'NULL';
  const mean = opts.moments && ordinal ? `avg(${num})` : 'NULL';
  const median = opts.moments && ordinal ? `quantile_cont(${num}, 0.5)` : 'NULL';
  return sql`SELECT ${col.name}::VARCHAR AS name, count(*)::DOUBLE AS n, count(${raw(c)})::DOUBLE AS non_null,
  ${raw(distinct)}::DOUBLE AS n_distinct, ${raw(minNum)}::DOUBLE AS min_num, ${raw(maxNum)}::DOUBLE AS max_num,
  ${raw(minText)}::VARCHAR AS min_text, ${raw(maxText)}::VARCHAR AS max_text,
  ${raw(mean)}::DOUBLE AS mean, ${raw(median)}::DOUBLE AS median
FROM ${raw(ident(table))}`;
}

/**
 * Statistics for a batch of columns of one table: one small SELECT per column joined by UNION ALL, so each
 * reads only its own column (DuckDB is columnar) and a batch of a wide table stays one round trip.
 */
export function columnStatsSql(table: string, columns: readonly ColumnInfo[], opts: StatsOptions): Sql {
  if (columns.length === 0) throw new TypeError('columnStatsSql needs at least one column');
  return columns.map((c) => oneColumn(table, c, opts)).reduce((acc, q) => sql`${acc}\nUNION ALL\n${q}`);
}

/** Decode columnStatsSql in column order; `columns` supplies each column's kind. */
export function decodeColumnStats(table: Table, columns: readonly ColumnInfo[], opts: StatsOptions): ColumnStats[] {
  const rows = toRows(table);
  return columns.map((col, i) => {
    const r = rows[i];
    if (!r || r.name !== col.name) throw new Error(`Profile: expected statistics for ${col.name}`);
    const n = Number(r.n);
    const nonNull = Number(r.non_null);
    const ordinal = isOrdinal(col.kind);
    const numOrNull = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    const textOrNull = (v: unknown) => (v === null || v === undefined ? null : String(v));
    return {
      name: col.name,
      kind: col.kind,
      rows: n,
      nonNull,
      missing: n === 0 ? null : (n - nonNull) / n,
      // An estimate can exceed the non-null count (HyperLogLog overshoots on small inputs): cap it there.
      distinct: opts.exact ? Number(r.n_distinct) : Math.min(nonNull, Number(r.n_distinct)),
      min: ordinal ? numOrNull(r.min_num) : textOrNull(r.min_text),
      max: ordinal ? numOrNull(r.max_num) : textOrNull(r.max_text),
      mean: numOrNull(r.mean),
      median: numOrNull(r.median),
      approx: !opts.exact,
    };
  });
}

/** Options for a table of `rows` rows: exact up to EXACT_ROW_LIMIT. */
export function statsOptions(rows: number, moments: boolean): StatsOptions {
  return { exact: rows <= EXACT_ROW_LIMIT, moments };
}
