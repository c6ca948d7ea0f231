// How a DuckDB column type is profiled: which statistics make sense, and how its values become numbers.
import { ident } from '../../sql/quote.ts';

/** The profiling family of a column type. */
export type ColumnKind = 'integer' | 'number' | 'temporal' | 'boolean' | 'text' | 'other';

const INTEGER = /^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT))$/;
const NUMBER = /^(FLOAT|REAL|DOUBLE|DECIMAL(\(\d+,\s*\d+\))?|NUMERIC(\(\d+,\s*\d+\))?)$/;
const TEMPORAL = /^(DATE|TIMESTAMP(_S|_MS|_NS)?|TIMESTAMP WITH TIME ZONE|TIMESTAMPTZ|DATETIME)$/;
const TEXT = /^(VARCHAR|TEXT|STRING|UUID|ENUM\(.*\))$/s;

/** Classify a DuckDB type name as duckdb_columns() reports it (e.g. "DECIMAL(4,2)", "TIMESTAMP WITH TIME ZONE"). */
export function columnKind(type: string): ColumnKind {
  const t = type.trim().toUpperCase();
  if (INTEGER.test(t)) return 'integer';
  if (NUMBER.test(t)) return 'number';
  if (TEMPORAL.test(t)) return 'temporal';
  if (t === 'BOOLEAN' || t === 'BOOL') return 'boolean';
  if (TEXT.test(t)) return 'text';
  return 'other';
}

/** Whether min/max/mean/median and a binned histogram apply (numbers and dates). */
export function isOrdinal(kind: ColumnKind): boolean {
  return kind === 'integer' || kind === 'number' || kind === 'temporal';
}

/**
 * The column as a DOUBLE for arithmetic: numbers as themselves, dates and timestamps as epoch milliseconds
 * (UTC; epoch_ms is in DuckDB's core, so it needs no ICU extension in the browser). Null for other kinds.
 */
export function numericExpr(column: string, kind: ColumnKind): string | null {
  const c = ident(column);
  if (kind === 'integer' || kind === 'number') return `${c}::DOUBLE`;
  if (kind === 'temporal') return `epoch_ms(${c})::DOUBLE`;
  return null;
}

/** The column as text, for types whose own ordering or hashing is not meant for display (lists, structs, blobs). */
export function displayExpr(column: string, kind: ColumnKind): string {
  return kind === 'other' ? `${ident(column)}::VARCHAR` : ident(column);
}
