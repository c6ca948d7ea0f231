// Read decoded cells with the type a panel promises; a wrong type is a bug in the SQL, so say which column.
import type { Row } from '../../lib/rows.ts';

/** A numeric cell; null counts as 0 only when `zero` says so, otherwise it is an error. */
export function num(row: Row, key: string, zero = false): number {
  const v = row[key];
  if (typeof v === 'number') return v;
  if (v === null && zero) return 0;
  throw new Error(`Overview: column ${key} should be a number, got ${v === null ? 'null' : typeof v}`);
}

/** A numeric cell that may be null (ratios whose denominator is zero). */
export function numOrNull(row: Row, key: string): number | null {
  const v = row[key];
  if (v === null || typeof v === 'number') return v;
  throw new Error(`Overview: column ${key} should be a number or null, got ${typeof v}`);
}

/** A text cell that may be null (unknown category, country, source). */
export function strOrNull(row: Row, key: string): string | null {
  const v = row[key];
  if (v === null) return null;
  return String(v);
}
