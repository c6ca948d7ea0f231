// Whether the needed columns hold any values. Imports give events.source/medium and users.country/region NULL
// placeholders when no file had them (src/data/import/build-sql.ts), so a column can exist and be empty: such a
// segmentation would label everyone Unknown. Run dataNeedsSql, then decodeDataNeeds says what is empty, or null.
import type { Table } from 'apache-arrow';
import { toRows } from '../../../db/rows.ts';
import { ident, joinSql, raw, sql, type Sql } from '../../../sql/quote.ts';
import { pick, type BuiltinSegmentation, type Columns } from './common.ts';

/** The column each need resolves to in this dataset (null when absent: `needs` already says so). */
function resolved(seg: BuiltinSegmentation, columns: Columns): { table: keyof Columns; column: string }[] | null {
  const out: { table: keyof Columns; column: string }[] = [];
  for (const n of seg.requires) {
    const column = pick(columns, n.table, n.anyOf);
    if (column === null) return null;
    out.push({ table: n.table, column });
  }
  return out;
}

/** The output column of a needed column's check. */
const checkName = (c: { table: keyof Columns; column: string }) => `${c.table}.${c.column}`;

/**
 * One row, one statement for any number of segmentations: a column per distinct needed column (named
 * "table.column"), 1 when a row holds a non-blank value in it, else 0. null when no segmentation has a check to run
 * (an absent column: `needs` already says so). One statement for all built-ins instead of one each: a statement in
 * the page costs a few milliseconds however small.
 */
export function dataNeedsSql(segs: BuiltinSegmentation | readonly BuiltinSegmentation[], columns: Columns): Sql | null {
  const list = Array.isArray(segs) ? segs : [segs as BuiltinSegmentation];
  const wanted = new Map<string, { table: keyof Columns; column: string }>();
  let any = false;
  for (const seg of list) {
    const cols = resolved(seg, columns);
    if (!cols) continue;
    any = true;
    for (const c of cols) wanted.set(checkName(c), c);
  }
  if (!any) return null;
  if (!wanted.size) return raw('SELECT 1 AS ok');
  const parts = [...wanted].map(
    // Whether ANY row holds a value (stops at the first one), not how many: a full count scanned whole columns.
    ([name, c]) => sql`(SELECT count(*) FROM (SELECT 1 FROM ${raw(ident(c.table))} WHERE nullif(trim(CAST(${raw(ident(c.column))} AS VARCHAR)), '') IS NOT NULL LIMIT 1))::DOUBLE AS ${raw(ident(name))}`,
  );
  return sql`SELECT ${joinSql(parts, ', ')}`;
}

/** null when every column `seg` needs holds a value, else a sentence naming the empty ones (`table`: dataNeedsSql's answer). */
export function decodeDataNeeds(seg: BuiltinSegmentation, columns: Columns, table: Table): string | null {
  const cols = resolved(seg, columns) ?? [];
  const row = toRows(table)[0] ?? {};
  const empty = cols.filter((c) => !(Number(row[checkName(c)] ?? 0) > 0)).map(checkName);
  if (!empty.length) return null;
  const list = empty.length === 1 ? empty[0] : `${empty.slice(0, -1).join(', ')} and ${empty[empty.length - 1]}`;
  return `Unavailable: ${list} ${empty.length === 1 ? 'has' : 'have'} no values in this dataset.`;
}
