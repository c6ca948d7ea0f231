// Read DuckDB's rejects tables (read_csv store_rejects) into set-aside groups: one entry per bad line.
import type { Db } from '../../db/types.ts';
import { toRows } from '../../lib/rows.ts';
import { ident } from '../../sql/quote.ts';
import type { RejectTables } from './read-sql.ts';
import { ownKey } from './keys.ts';
import { REASON_MESSAGES, SAMPLES_PER_REASON, clip } from './reasons.ts';
import type { SetAsideGroup, SetAsideReason } from './types.ts';

const BY_ERROR: Readonly<Record<string, SetAsideReason>> = {
  'UNQUOTED VALUE': 'unterminated_quote',
  'TOO MANY COLUMNS': 'too_many_columns',
  'MISSING COLUMNS': 'missing_columns',
  'INVALID UNICODE': 'invalid_text',
  'INVALID ENCODING': 'invalid_text',
  'LINE SIZE OVER MAXIMUM': 'line_too_long',
};

/** Malformed lines grouped by reason (a line with several errors counts once, under its first error). */
export async function rejectGroups(db: Db, t: RejectTables, samples = SAMPLES_PER_REASON): Promise<SetAsideGroup[]> {
  const firsts = `SELECT line, arg_min(error_type::VARCHAR, byte_position) AS err,
    arg_min(csv_line, byte_position) AS csv_line FROM ${ident(t.errors)} GROUP BY line`;
  const rows = toRows(
    await db.query(`WITH f AS (${firsts}), r AS (
  SELECT err, line::DOUBLE AS line, csv_line,
    row_number() OVER (PARTITION BY err ORDER BY line) AS k FROM f
) SELECT err, line, csv_line FROM r WHERE k <= ${samples} ORDER BY err, line`),
  );
  const groups = new Map<SetAsideReason, SetAsideGroup>();
  for (const r of rows) {
    const reason = ownKey(BY_ERROR, String(r.err)) ?? 'malformed_line';
    let g = groups.get(reason);
    if (!g) {
      g = { reason, message: REASON_MESSAGES[reason], count: 0, samples: [] };
      groups.set(reason, g);
    }
    if (!g.samples.some((s) => s.line === r.line)) {
      g.samples.push({ line: Number(r.line), row: null, text: clip(String(r.csv_line ?? '')) });
    }
  }
  // Counts come from a separate pass: several DuckDB error types may fold into one reason.
  const counts = toRows(
    await db.query(`SELECT err, count(*)::DOUBLE AS n FROM (${firsts}) GROUP BY err`),
  );
  for (const c of counts) {
    const reason = ownKey(BY_ERROR, String(c.err)) ?? 'malformed_line';
    const g = groups.get(reason);
    if (g) g.count += Number(c.n);
  }
  for (const g of groups.values()) g.samples = g.samples.slice(0, samples);
  return [...groups.values()];
}

/** Drop the rejects tables a read created (they are temporary, but a long session should not keep them). */
export async function dropRejects(db: Db, t: RejectTables): Promise<void> {
  await db.exec(`DROP TABLE IF EXISTS ${ident(t.errors)}; DROP TABLE IF EXISTS ${ident(t.scans)}`);
}
