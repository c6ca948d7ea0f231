// Storing a clustering run as a segmentation: the labels travel with their user ids (two Arrow columns), joined
// back to the users in SQL, with the cluster names as bound values; the run's settings and quality go into the
// segmentation's definition. Written through the segment seam, so every screen uses it like any other segmentation.
import type { Db } from '../db/types.ts';
import { toIpc } from './generator/arrow.ts';
import { joinSql, raw, sql } from '../sql/quote.ts';
import { writeSegmentation } from './segments-store.ts';
import { StrataError } from '../errors.ts';

/** The label of rows a clustering left out (DBSCAN's noise: label -1). */
export const NOISE_LABEL = 'Noise';

/**
 * Store `labels` (one per user id of `userIds`, as the feature matrix was read; -1 = noise) with `names[label]` as
 * each segment's name; users the run left out (a users filter) get no label. Replaces a model segmentation of the
 * same column. The scratch table is dropped after.
 */
export async function writeClusterSegmentation(
  db: Db, rec: { column: string; name: string; definition: string }, userIds: readonly string[], labels: Int32Array, names: readonly string[],
): Promise<void> {
  if (userIds.length !== labels.length) throw new RangeError(`${userIds.length} user ids but ${labels.length} labels.`);
  for (const l of labels) if (l < -1 || l >= names.length) throw new RangeError(`Label ${l} has no name (${names.length} clusters).`);
  const scratch = 'strata_cluster_labels';
  await db.insertArrow(scratch, toIpc({ user_id: [...userIds], label: labels }));
  try {
    const found = Number((await db.query(`SELECT count(*)::DOUBLE AS n FROM users u JOIN ${scratch} l ON l.user_id = u.user_id::VARCHAR`)).getChild('n')!.get(0));
    if (found !== userIds.length) {
      throw new StrataError(`The data changed while clustering (${(userIds.length - found).toLocaleString('en-US')} of the clustered users are gone): run it again.`);
    }
    const nameRows = joinSql([sql`(-1, ${NOISE_LABEL})`, ...names.map((n, i) => sql`(${i}, ${n})`)], ', ');
    await writeSegmentation(db, { column: rec.column, name: rec.name, kind: 'model', type: 'label', definition: rec.definition },
      sql`SELECT u.user_id, n.name AS value
FROM users u
JOIN ${raw(scratch)} l ON l.user_id = u.user_id::VARCHAR
JOIN (VALUES ${nameRows}) n(code, name) ON n.code = l.label`);
  } finally {
    await db.exec(`DROP TABLE IF EXISTS ${scratch}`);
  }
}
