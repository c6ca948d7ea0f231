// The distinct values of one column over the whole file, most frequent first: the mapping screen uses it to map
// every event-type value (the preview's 50 rows may show only "view" in a file that also has carts and purchases).
import type { Db } from '../../db/types.ts';
import { toRows } from '../../lib/rows.ts';
import { ident } from '../../sql/quote.ts';
import { readSql } from './read-sql.ts';
import { importError } from './import-error.ts';
import type { PlannedFile } from './types.ts';

/** One value of a column and how many rows hold it. */
export interface ValueCount {
  value: string;
  count: number;
}

/** Up to `limit` distinct trimmed non-empty values of `column`, by frequency (one pass over the file). */
export async function columnValues(
  db: Db, file: Pick<PlannedFile, 'source' | 'read'>, column: string, limit = 50,
): Promise<ValueCount[]> {
  const n = Math.max(1, Math.min(10_000, Math.trunc(limit)));
  try {
    const t = await db.query(`SELECT v AS value, count(*)::DOUBLE AS n
FROM (SELECT nullif(trim(CAST(${ident(column)} AS VARCHAR)), '') AS v FROM ${readSql(file.source, file.read)})
WHERE v IS NOT NULL GROUP BY v ORDER BY n DESC, v LIMIT ${n}`);
    return toRows(t).map((r) => ({ value: String(r.value), count: Number(r.n) }));
  } catch (err) {
    throw importError(err, column);
  }
}
