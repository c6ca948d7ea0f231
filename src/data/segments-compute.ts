// Compute the built-in segmentations (rule sets in src/analyses/segments/builtin, and RFM) for the current dataset
// and store them through the segment seam (segments-store.ts), so every screen can use them as s.<column> fields.
// A segmentation the dataset cannot support is not stored: it is returned with the reason, never computed into a
// meaningless "Unknown for everyone".
import type { Db } from '../db/types.ts';
import { toRows } from '../db/rows.ts';
import { raw, sql, type Sql } from '../sql/quote.ts';
import { BUILTIN_SEGMENTATIONS, dataNeedsSql, decodeDataNeeds, type BuiltinSegmentation, type Columns } from '../analyses/segments/builtin/index.ts';
import { rfmSql } from '../analyses/rfm/index.ts';
import { segmentColumn, writeSegmentation } from './segments-store.ts';

/** What happened to one built-in segmentation. */
export interface ComputeOutcome {
  id: string;
  name: string;
  /** Stored columns (a label column, plus a score column for scored ones). */
  columns: string[];
  /** Why it was not computed, or null when it was. */
  unavailable: string | null;
}

/** The RFM segmentation as the compute step sees it (its own module returns more than a label). */
const RFM = { id: 'rfm', name: 'RFM segment', requires: [{ table: 'user_metrics' as const, anyOf: ['days_since_last_purchase'] }, { table: 'user_metrics' as const, anyOf: ['orders'] }, { table: 'user_metrics' as const, anyOf: ['revenue'] }] };

/** The column names of events, users and user_metrics in the current schema. */
export async function datasetColumns(db: Db): Promise<Columns> {
  const rows = toRows(await db.query(`SELECT table_name AS t, column_name AS c FROM duckdb_columns()
    WHERE database_name = current_database() AND schema_name = current_schema()
      AND table_name IN ('events', 'users', 'user_metrics') ORDER BY column_index`));
  const of = (t: string) => rows.filter((r) => r.t === t).map((r) => String(r.c));
  return { events: of('events'), users: of('users'), user_metrics: of('user_metrics') };
}

/** Why `seg` cannot run on this dataset (a missing or empty column), or null. */
async function unavailable(db: Db, seg: BuiltinSegmentation, columns: Columns): Promise<string | null> {
  const missing = seg.needs(columns);
  if (missing) return missing;
  const q = dataNeedsSql(seg, columns);
  return q ? decodeDataNeeds(seg, columns, await db.query(q.text, q.params)) : null;
}

/**
 * Compute and store every built-in segmentation this dataset supports (options per id override the defaults),
 * plus RFM (label, and the R-F-M cell). Each is written in its own transaction; returns what was stored or why not.
 */
export async function computeBuiltinSegmentations(db: Db, options: Readonly<Record<string, unknown>> = {}): Promise<ComputeOutcome[]> {
  const columns = await datasetColumns(db);
  const out: ComputeOutcome[] = [];
  for (const seg of BUILTIN_SEGMENTATIONS) {
    const why = await unavailable(db, seg, columns);
    if (why) {
      out.push({ id: seg.id, name: seg.name, columns: [], unavailable: why });
      continue;
    }
    const body = seg.sql(options[seg.id], columns);
    const definition = JSON.stringify({ builtin: seg.id, options: seg.validate(options[seg.id]) });
    const stored = [segmentColumn(seg.id)];
    await writeSegmentation(db, { column: seg.id, name: seg.name, kind: 'builtin', type: 'label', definition }, pickColumn(body, 'label'));
    if (seg.scored) {
      stored.push(segmentColumn(`${seg.id}_value`));
      await writeSegmentation(db, { column: `${seg.id}_value`, name: `${seg.name} (value)`, kind: 'builtin', type: 'score', definition }, pickColumn(body, 'score'));
    }
    out.push({ id: seg.id, name: seg.name, columns: stored, unavailable: null });
  }
  const rfmMissing = RFM.requires.filter((n) => !n.anyOf.some((c) => columns.user_metrics.includes(c)));
  if (rfmMissing.length) {
    out.push({ id: RFM.id, name: RFM.name, columns: [], unavailable: `Unavailable: this dataset has no ${rfmMissing.map((n) => `user_metrics.${n.anyOf[0]}`).join(', ')} column.` });
  } else {
    const definition = JSON.stringify({ builtin: 'rfm' });
    await writeSegmentation(db, { column: 'rfm', name: RFM.name, kind: 'builtin', type: 'label', definition }, pickColumn(rfmSql(), 'label'));
    await writeSegmentation(db, { column: 'rfm_cell', name: 'RFM cell', kind: 'builtin', type: 'label', definition }, pickColumn(rfmSql(), 'cell'));
    out.push({ id: RFM.id, name: RFM.name, columns: ['rfm', 'rfm_cell'], unavailable: null });
  }
  return out;
}

/** `SELECT user_id, <column> AS value FROM (<body>)`: the shape writeSegmentation stores. Column names are ours. */
function pickColumn(body: Sql, column: 'label' | 'score' | 'cell'): Sql {
  return sql`SELECT user_id, ${raw(column)} AS value FROM (${body}) b`;
}

