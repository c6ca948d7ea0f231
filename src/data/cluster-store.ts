// Storing a clustering run as a segmentation: the labels travel as one Int32 column in row order (the feature
// matrix's order, users by user_id), joined back to user ids in SQL, with the cluster names as bound values; the
// run's settings and quality go into the segmentation's definition. Written through the segment seam, so every
// screen uses it like any other segmentation.
import type { Db } from '../db/types.ts';
import { toIpc } from './generator/arrow.ts';
import { joinSql, raw, sql } from '../sql/quote.ts';
import { writeSegmentation } from './segments-store.ts';
import { StrataError } from '../errors.ts';

/** The label of rows a clustering left out (DBSCAN's noise: label -1). */
export const NOISE_LABEL = 'Noise';

/**
 * Store `labels` (one per user in user_id order, as the feature matrix was read; -1 = noise) with `names[label]` as
 * each segment's name. Replaces a model segmentation of the same column. The scratch table is dropped after.
 */
export async function writeClusterSegmentation(
  db: Db, rec: { column: string; name: string; definition: string }, labels: Int32Array, names: readonly string[],
): Promise<void> {
  const users = Number((await db.query('SELECT count(*)::DOUBLE AS n FROM users')).getChild('n')!.get(0));
  if (users !== labels.length) {
    throw new StrataError(`The data changed while clustering (${labels.length.toLocaleString('en-US')} users then, ${users.toLocaleString('en-US')} now): run it again.`);
  }
  for (const l of labels) if (l < -1 || l >= names.length) throw new RangeError(`Label ${l} has no name (${names.length} clusters).`);
  const rn = new Int32Array(labels.length);
  for (let i = 0; i < rn.length; i++) rn[i] = i;
  const scratch = 'strata_cluster_labels';
  await db.insertArrow(scratch, toIpc({ rn, label: labels }));
  try {
    const nameRows = joinSql([sql`(-1, ${NOISE_LABEL})`, ...names.map((n, i) => sql`(${i}, ${n})`)], ', ');
    await writeSegmentation(db, { column: rec.column, name: rec.name, kind: 'model', type: 'label', definition: rec.definition },
      sql`SELECT o.user_id, n.name AS value
FROM (SELECT user_id, (row_number() OVER (ORDER BY user_id) - 1)::INTEGER AS rn FROM users) o
JOIN ${raw(scratch)} l ON l.rn = o.rn
JOIN (VALUES ${nameRows}) n(code, name) ON n.code = l.label`);
  } finally {
    await db.exec(`DROP TABLE IF EXISTS ${scratch}`);
  }
}
