// SQL for one page of a table's rows, in storage order, for the Data screen's grid.
import { ident, raw, sql, type Sql } from '../../sql/quote.ts';

/**
 * Rows [offset, offset + limit) of `table`, all columns or only `columns` (a wide table's grid reads the ones on
 * screen). When rowids are dense (no deletions: rowidEnd == row count) a rowid range is used, which DuckDB answers
 * from the matching row groups; otherwise LIMIT/OFFSET in insertion order.
 */
export function rowsPageSql(table: string, offset: number, limit: number, dense: boolean, columns?: readonly string[]): Sql {
  if (!Number.isInteger(offset) || !Number.isInteger(limit) || offset < 0 || limit <= 0) {
    throw new TypeError(`Invalid page: offset ${offset}, limit ${limit}`);
  }
  const t = raw(ident(table));
  const list = raw(columns && columns.length ? columns.map(ident).join(', ') : '*');
  return dense
    ? sql`SELECT ${list} FROM ${t} WHERE rowid >= ${offset}::BIGINT AND rowid < ${offset + limit}::BIGINT ORDER BY rowid`
    : sql`SELECT ${list} FROM ${t} LIMIT ${limit}::BIGINT OFFSET ${offset}::BIGINT`;
}
