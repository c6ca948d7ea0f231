// Map DuckDB type names onto Strata's closed list of value kinds (the only "types" a mapping may name).
import type { ValueKind } from './types.ts';

/** The value kind closest to a DuckDB type name (anything unfamiliar is text). */
export function kindOf(duckType: string): ValueKind {
  const t = duckType.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(t)) return 'integer';
  if (/^(FLOAT|DOUBLE|REAL)$/.test(t) || t.startsWith('DECIMAL')) return 'number';
  if (t.startsWith('TIMESTAMP')) return 'timestamp';
  if (t === 'DATE') return 'date';
  if (t === 'BOOLEAN') return 'boolean';
  return 'text';
}

/** True for DuckDB numeric type names (the source is already a number, no text parsing needed). */
export function isNumericType(duckType: string): boolean {
  const k = kindOf(duckType);
  return k === 'integer' || k === 'number';
}

/** The closed list of kinds, for validators and pickers. */
export const VALUE_KINDS: readonly ValueKind[] = ['text', 'integer', 'number', 'timestamp', 'date', 'boolean'];
