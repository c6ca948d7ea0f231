// Decode Arrow results into plain rows with JS numbers (BigInt, Decimal and dates normalised).
import type { Table } from 'apache-arrow';

/** A plain row: numbers, strings, booleans or null. */
export type Row = Record<string, number | string | boolean | null>;

/** Normalise one Arrow cell: BigInt -> number, Date -> epoch ms, anything else object-like -> string. */
export function cell(v: unknown): number | string | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  if (ArrayBuffer.isView(v)) return Number((v as unknown as { valueOf(): unknown }).valueOf?.() ?? NaN);
  return String(v);
}

/** All rows of a table as plain objects. */
export function toRows<T extends Row = Row>(table: Table): T[] {
  const names = table.schema.fields.map((f) => f.name);
  const cols = names.map((n) => table.getChild(n));
  const out: T[] = new Array(table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    const r: Row = {};
    for (let c = 0; c < names.length; c++) {
      // Column names are data: "__proto__" must become an own property, not replace the row's prototype.
      if (names[c] === '__proto__') Object.defineProperty(r, names[c], { value: cell(cols[c]?.get(i)), enumerable: true, writable: true, configurable: true });
      else r[names[c]] = cell(cols[c]?.get(i));
    }
    out[i] = r as T;
  }
  return out;
}

/** The first row, or an error naming what was expected. */
export function firstRow<T extends Row = Row>(table: Table): T {
  const rows = toRows<T>(table);
  if (rows.length === 0) throw new Error('Expected one row, got none');
  return rows[0];
}

/** One column as numbers (nulls become NaN). */
export function numbers(table: Table, name: string): Float64Array {
  const col = table.getChild(name);
  const out = new Float64Array(table.numRows);
  for (let i = 0; i < out.length; i++) {
    const v = cell(col?.get(i));
    out[i] = typeof v === 'number' ? v : NaN;
  }
  return out;
}
