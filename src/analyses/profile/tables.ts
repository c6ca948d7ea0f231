// Which tables the current dataset has (in the current schema), their exact row counts, and their columns.
import type { Table } from 'apache-arrow';
import { toRows } from '../../lib/rows.ts';
import { ident, sql, raw, type Sql } from '../../sql/quote.ts';
import { TABLES } from '../../data/schema.ts';
import { columnKind, type ColumnKind } from './kinds.ts';

/** The dataset tables the Data screen shows, in display order (a fixed allow-list). */
export const PROFILE_TABLES: readonly string[] = [TABLES.events, TABLES.users, TABLES.products, TABLES.userMetrics];

/** A table of the current dataset. */
export interface TableInfo {
  name: string;
  /** Exact row count (count(*)); equals `rowidEnd` when rows are stored densely (no deletions). */
  rows: number;
  columns: number;
  /** max(rowid) + 1: when it equals `rows`, rowid ranges address rows directly (fast paging). */
  rowidEnd: number;
}

/** A column with its DuckDB type and profiling kind. */
export interface ColumnInfo {
  name: string;
  type: string;
  kind: ColumnKind;
}

// The current schema of the current database: datasets may live in other schemas or attached files.
const HERE = raw('database_name = current_database() AND schema_name = current_schema()');

/** Which allow-listed tables exist here, with their column counts, in PROFILE_TABLES order. */
export function listTablesSql(names: readonly string[] = PROFILE_TABLES): Sql {
  if (names.length === 0) throw new TypeError('listTablesSql needs at least one table name');
  const list = names.map((n, i) => sql`(${n}, ${i})`);
  const values = list.reduce((acc, q, i) => (i === 0 ? q : sql`${acc}, ${q}`), raw(''));
  return sql`WITH wanted(name, pos) AS (VALUES ${values})
SELECT t.table_name AS name, t.column_count::DOUBLE AS columns
FROM duckdb_tables() t JOIN wanted w ON w.name = t.table_name
WHERE ${HERE} ORDER BY w.pos`;
}

/** Decode listTablesSql: names and column counts (row counts come from rowCountsSql). */
export function decodeTableList(table: Table): { name: string; columns: number }[] {
  return toRows(table).map((r) => ({ name: String(r.name), columns: Number(r.columns) }));
}

/** Exact row counts and rowid extents of `names` (one count(*) each; cheap even at 10M rows). */
export function rowCountsSql(names: readonly { name: string; columns: number }[]): Sql | null {
  if (names.length === 0) return null;
  const parts = names.map(
    (t) => sql`SELECT ${t.name} AS name, ${t.columns}::DOUBLE AS columns, count(*)::DOUBLE AS n,
  coalesce(max(rowid) + 1, 0)::DOUBLE AS rowid_end FROM ${raw(ident(t.name))}`,
  );
  return parts.reduce((acc, q) => sql`${acc}\nUNION ALL ${q}`);
}

/** Decode rowCountsSql into TableInfo, keeping the order asked for. */
export function decodeTables(table: Table, order: readonly string[] = PROFILE_TABLES): TableInfo[] {
  const rows = toRows(table).map((r) => ({
    name: String(r.name),
    rows: Number(r.n),
    columns: Number(r.columns),
    rowidEnd: Number(r.rowid_end),
  }));
  const pos = (n: string) => (order.includes(n) ? order.indexOf(n) : order.length);
  return rows.sort((a, b) => pos(a.name) - pos(b.name));
}

/** The columns of `table` in the current schema, in table order, with DuckDB's type names. */
export function columnsSql(table: string): Sql {
  return sql`SELECT column_name AS name, data_type AS type FROM duckdb_columns()
WHERE ${HERE} AND table_name = ${table} ORDER BY column_index`;
}

/** Decode columnsSql. */
export function decodeColumns(table: Table): ColumnInfo[] {
  return toRows(table).map((r) => ({ name: String(r.name), type: String(r.type), kind: columnKind(String(r.type)) }));
}

/** `next`, with the entry of `prev` for each table that is not in `changed` and has the same shape. */
export function keepUnchanged(prev: readonly TableInfo[], next: TableInfo[], changed: ReadonlySet<string>): TableInfo[] {
  const old = new Map(prev.map((t) => [t.name, t]));
  return next.map((t) => {
    const p = old.get(t.name);
    const same = p && !changed.has(t.name) && p.rows === t.rows && p.columns === t.columns && p.rowidEnd === t.rowidEnd;
    return same ? p : t;
  });
}
