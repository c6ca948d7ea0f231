// Cell text for the grid, from the Arrow type of a column: the same text in the browser and in Node tests.
import { Type, type DataType } from 'apache-arrow';

/** Turns one Arrow value into display text; null means SQL NULL. */
export type CellFormatter = (v: unknown) => string | null;

/** Longest text a cell shows (the DOM never holds a megabyte-long value). */
export const MAX_CELL_CHARS = 500;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Epoch ms as 'YYYY-MM-DD HH:MM:SS[.mmm]' in UTC (every timestamp in Strata is UTC). */
export function isoTimestamp(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  const base = `${isoDate(ms)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return d.getUTCMilliseconds() ? `${base}.${pad(d.getUTCMilliseconds(), 3)}` : base;
}

/** Epoch ms as 'YYYY-MM-DD' (UTC). */
export function isoDate(ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  return `${y < 0 ? '-' : ''}${pad(Math.abs(y), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function numberText(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  const n = Number(v);
  if (Number.isInteger(n) || !Number.isFinite(n)) return String(n);
  return String(Number(n.toPrecision(15))); // hide binary noise such as 0.30000000000000004
}

function structuredText(v: unknown): string {
  if (ArrayBuffer.isView(v)) return `<${(v as ArrayBufferView).byteLength} bytes>`;
  const json = (v as { toJSON?: () => unknown }).toJSON?.() ?? v;
  return JSON.stringify(json, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
}

const clip = (s: string) => (s.length > MAX_CELL_CHARS ? s.slice(0, MAX_CELL_CHARS) + '…' : s);

/** The formatter for a column of Arrow type `type`. */
export function formatterFor(type: DataType): CellFormatter {
  const wrap = (f: (v: unknown) => string): CellFormatter => (v) => (v === null || v === undefined ? null : clip(f(v)));
  switch (type.typeId) {
    case Type.Timestamp:
      return wrap((v) => isoTimestamp(Number(v)));
    case Type.Date:
      return wrap((v) => isoDate(v instanceof Date ? v.getTime() : Number(v)));
    case Type.Int:
    case Type.Float:
    case Type.Decimal:
      return wrap(numberText);
    case Type.Bool:
      return wrap((v) => (v ? 'true' : 'false'));
    case Type.Utf8:
    case Type.LargeUtf8:
      return wrap(String);
    default:
      return wrap((v) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? numberText(v) : structuredText(v)));
  }
}

/** Whether a DuckDB type is numeric (right-aligned). */
export function isNumericType(type: string): boolean {
  return /^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|FLOAT|REAL|DOUBLE|DECIMAL.*|NUMERIC.*)$/i.test(type);
}

/** A starting width (px) for a column from its name and DuckDB type; the user can drag it wider or narrower. */
export function guessWidth(name: string, type: string): number {
  const t = type.toUpperCase();
  const byType = t.startsWith('TIMESTAMP') ? 200 : t === 'DATE' ? 110 : t === 'BOOLEAN' ? 80 : isNumericType(t) ? 110 : 160;
  return Math.round(Math.min(320, Math.max(byType, name.length * 7.5 + 28)));
}
