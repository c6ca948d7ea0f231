// Rows of a query (e.g. the users behind a cell or a funnel step) as CSV: RFC 4180, formula-injection safe.
import { csvField } from '../analyses/pivot/csv.ts';
import type { Row } from './rows.ts';

/** One header line from the first row's columns (or `fallback` when there are no rows), then one line per row. */
export function rowsCsv(rows: readonly Row[], fallback: readonly string[] = ['user_id']): string {
  const cols = rows.length ? Object.keys(rows[0]) : [...fallback];
  return [cols.map(csvField).join(','), ...rows.map((r) => cols.map((c) => csvField(typeof r[c] === 'boolean' ? String(r[c]) : (r[c] as string | number | null))).join(','))].join('\r\n') + '\r\n';
}
