// Whether the needed columns hold any values. Imports give events.source/medium and users.country/region NULL
// placeholders when no file had them (src/data/import/build-sql.ts), so a column can exist and be empty: such a
// segmentation would label everyone Unknown. Run dataNeedsSql, then decodeDataNeeds says what is empty, or null.
import type { Table } from 'apache-arrow';
import { toRows } from '../../../lib/rows.ts';
import { ident, raw, type Sql } from '../../../sql/quote.ts';
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
 * "table.column"), > 0 when a row holds a non-blank value in it, else 0. null when no segmentation has a check to
 * run (an absent column: `needs` already says so). One statement for all built-ins instead of one each: a statement
 * in the page costs a few milliseconds however small. `text`: which "table.column"s are text (VARCHAR); a column not
 * named there is read as text too (always right, only slower), one that is named as not text only needs a non-NULL.
 *
 * events (large): a subquery per column that stops at the first value. users and user_metrics (a row per user):
 * one aggregate per table over every needed column — measured in DuckDB-WASM at 50K events, 15 stop-at-the-first-
 * value subqueries took 23 ms (each costs ~1.3 ms to plan and run), the per-table aggregates ~5.
 */
export function dataNeedsSql(segs: BuiltinSegmentation | readonly BuiltinSegmentation[], columns: Columns, text?: ReadonlySet<string>): Sql | null {
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
  const isText = (name: string) => !text || text.has(name);
  const value = (name: string, column: string) =>
    isText(name) ? `nullif(trim(CAST(${ident(column)} AS VARCHAR)), '')` : ident(column);
  const byTable = new Map<keyof Columns, string[]>();
  for (const [name, c] of wanted) byTable.set(c.table, [...(byTable.get(c.table) ?? []), name]);
  const froms: string[] = [];
  for (const [table, names] of byTable) {
    const parts = names.map((name) => {
      const { column } = wanted.get(name)!;
      // Whether ANY row holds a value (stops at the first one): a full count would scan the whole events table.
      return table === 'events'
        ? `(SELECT count(*) FROM (SELECT 1 FROM events WHERE ${value(name, column)} IS NOT NULL LIMIT 1))::DOUBLE AS ${ident(name)}`
        : `count(${value(name, column)})::DOUBLE AS ${ident(name)}`;
    });
    froms.push(table === 'events' ? `(SELECT ${parts.join(', ')})` : `(SELECT ${parts.join(', ')} FROM ${ident(table)})`);
  }
  return raw(`SELECT * FROM ${froms.join(', ')}`);
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
