// The pivot as CSV, laid out like the table: one column per row dimension, then one per value column.
import type { LayoutCol, LayoutRow } from './layout.ts';
import type { PivotResult } from './model.ts';

/** One CSV field: quoted when needed; text that a spreadsheet would run as a formula is prefixed with '. */
export function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** CSV text (RFC 4180, CRLF) of the laid-out pivot; shares are written as fractions (0.25 = 25%). */
export function pivotCsv(res: PivotResult, rows: LayoutRow[], cols: LayoutCol[], rowDimNames: string[]): string {
  const head = [
    ...rowDimNames,
    ...cols.map((c) => [...(c.keys.length ? c.path : []), ...(c.isTotal && res.colDims > 0 ? ['Total'] : []), res.measures[c.measure].title].join(' / ')),
  ];
  const lines = [head.map(csvField).join(',')];
  for (const r of rows) {
    const dims = rowDimNames.map((_, i) => (r.isTotal ? (i === 0 ? 'Total' : '') : i < r.depth ? r.path[i] : i === r.depth ? 'Total' : ''));
    const values = cols.map((c) => res.value(r.keys, c.keys, c.measure));
    lines.push([...dims.map(csvField), ...values.map(csvField)].join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
