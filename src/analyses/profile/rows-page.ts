// SQL for one page of a table's rows, in storage order, for the Data screen's grid.
import { ident, raw, sql, type Sql } from '../../sql/quote.ts';

/**
 * Rows [offset, offset + limit) of `table`. When rowids are dense (no deletions: rowidEnd == row count) a rowid
 * range is used, which DuckDB answers from the matching row groups; otherwise LIMIT/OFFSET in insertion order.
 */
export function rowsPageSql(table: string, offset: number, limit: number, dense: boolean): Sql {
  if (!Number.isInteger(offset) || !Number.isInteger(limit) || offset < 0 || limit <= 0) {
    throw new TypeError(`Invalid page: offset ${offset}, limit ${limit}`);
  }
  const t = raw(ident(table));
  return dense
    ? sql`SELECT * FROM ${t} WHERE rowid >= ${offset}::BIGINT AND rowid < ${offset + limit}::BIGINT ORDER BY rowid`
    : sql`SELECT * FROM ${t} LIMIT ${limit}::BIGINT OFFSET ${offset}::BIGINT`;
}
