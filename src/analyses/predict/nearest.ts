// A stored customer's values of a saved clustering's features, read exactly as the Clusters screen reads its matrix
// (the same statement, for that one user), by column name: a column today's data no longer produces (a one-hot value
// that dropped out of the top values) is simply absent and nearestCentre gives it the run's median.
import type { Db } from '../../db/types.ts';
import type { Field } from '../fields.ts';
import { checkFeatures, decodeFeatureMatrix, decodeTextStats, featureMatrixSql, textStatsSql } from '../../ml/features.ts';
import { toRows } from '../../lib/rows.ts';
import { sql } from '../../sql/quote.ts';

/** `userId`'s value of each feature column (by column name; NaN for a missing value), or null when there is no such user. */
export async function customerFeatureValues(db: Db, fieldIds: readonly string[], fields: readonly Field[], userId: string): Promise<Record<string, number> | null> {
  const known = fieldIds.filter((id) => fields.some((f) => f.id === id));
  if (!known.length) return {};
  const feats = checkFeatures(known, fields);
  const ts = textStatsSql(feats);
  const stats = decodeTextStats(ts ? toRows(await db.query(ts.text, ts.params)) : [], feats);
  const { sql: matrix, columns } = featureMatrixSql(feats, stats);
  const q = sql`SELECT * FROM (${matrix}) t WHERE CAST(t.user_id AS VARCHAR) = ${userId}`;
  const table = await db.query(q.text, q.params);
  if (table.numRows === 0) return null;
  const { data } = decodeFeatureMatrix(table, columns);
  return Object.fromEntries(columns.map((c, j) => [c.name, data[j]]));
}
