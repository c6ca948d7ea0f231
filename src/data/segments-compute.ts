// Compute the built-in segmentations (rule sets in src/analyses/segments/builtin, and RFM) for the current dataset
// and store them through the segment seam (segments-store.ts), so every screen can use them as s.<column> fields.
// A segmentation the dataset cannot support is not stored: it is returned with the reason, never computed into a
// meaningless "Unknown for everyone".
import type { Db } from '../db/types.ts';
import { toRows } from '../lib/rows.ts';
import { BUILTIN_SEGMENTATIONS, dataNeedsSql, decodeDataNeeds, type BuiltinSegmentation, type Columns } from '../analyses/segments/builtin/index.ts';
import { rfmSql } from '../analyses/rfm/index.ts';
import { DATA_FINGERPRINT_SQL, dataFingerprint, fingerprintUsers, segmentColumn, writeSegmentation, writeSegmentations, type SegmentBatch, type SegmentationRecord } from './segments-store.ts';
import { ident, raw, sql } from '../sql/quote.ts';

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

/** What the compute step reads before it starts, in one statement. */
export interface DatasetSchema {
  /** The column names of events, users and user_metrics. */
  columns: Columns;
  /** `table.column` of those that are text. */
  text: Set<string>;
  /** The stored segment table's columns (besides user_id), or null when the segment tables are not all there yet. */
  stored: string[] | null;
  /** The data's fingerprint now (DATA_FINGERPRINT_SQL). */
  fingerprint: string;
}

/**
 * The columns of the current schema's events, users, user_metrics and segment tables and the data fingerprint, in
 * one statement (each statement in the page costs milliseconds, however small).
 */
async function datasetSchema(db: Db): Promise<DatasetSchema> {
  const rows = toRows(await db.query(`SELECT table_name AS t, column_name AS c, data_type = 'VARCHAR' AS text,
      (${DATA_FINGERPRINT_SQL}) AS fp FROM duckdb_columns()
    WHERE database_name = current_database() AND schema_name = current_schema()
      AND table_name IN ('events', 'users', 'user_metrics', 'user_segments', 'segmentations') ORDER BY column_index`));
  const of = (t: string) => rows.filter((r) => r.t === t).map((r) => String(r.c));
  const meta = of('segmentations');
  const segs = of('user_segments');
  return {
    columns: { events: of('events'), users: of('users'), user_metrics: of('user_metrics') },
    text: new Set(rows.filter((r) => r.text && r.t !== 'user_segments' && r.t !== 'segmentations').map((r) => `${String(r.t)}.${String(r.c)}`)),
    // The segment tables count as there when both exist at their current shape (segmentations.data_version).
    stored: segs.length && meta.includes('data_version') ? segs.filter((c) => c !== 'user_id') : null,
    fingerprint: rows.length ? String(rows[0].fp) : await dataFingerprint(db),
  };
}

/** The column names of events, users and user_metrics in the current schema. */
export async function datasetColumns(db: Db): Promise<Columns> {
  return (await datasetSchema(db)).columns;
}

/**
 * What listing and computing the built-ins both read first: the dataset's schema (columns, fingerprint) and why each
 * built-in cannot run, or null. The app reads it once per segment job and hands it to both (two statements saved);
 * it is valid until the data or the segment tables change.
 */
export interface BuiltinsContext {
  readonly schema: DatasetSchema;
  readonly whyNot: ReadonlyMap<string, string | null>;
}

/** Read the BuiltinsContext of the current dataset (two statements). */
export async function builtinsContext(db: Db): Promise<BuiltinsContext> {
  const schema = await datasetSchema(db);
  return { schema, whyNot: await unavailability(db, BUILTIN_SEGMENTATIONS, schema.columns, schema.text) };
}

/** Why each of `segs` cannot run on this dataset (a missing or empty column), or null; one statement for them all. */
async function unavailability(db: Db, segs: readonly BuiltinSegmentation[], columns: Columns, text: ReadonlySet<string>): Promise<Map<string, string | null>> {
  const q = dataNeedsSql(segs, columns, text);
  const answer = q ? await db.query(q.text, q.params) : null;
  return new Map(segs.map((seg) => [seg.id, seg.needs(columns) ?? (answer ? decodeDataNeeds(seg, columns, answer) : null)]));
}

/** Up to this many users, the rule bodies run inside the one table rebuild (measured faster at 5,000 users). */
export const INLINE_BODIES_MAX_USERS = 20_000;

/** Every built-in id the compute step knows, RFM last. */
export const BUILTIN_IDS: readonly string[] = [...BUILTIN_SEGMENTATIONS.map((s) => s.id), RFM.id];

/**
 * Compute and store every built-in segmentation this dataset supports (options per id override the defaults),
 * plus RFM (label, and the R-F-M cell). Each is written in its own transaction; returns what was stored or why not.
 * `only` limits the work to some ids (a threshold change recomputes just the segmentation it belongs to).
 * `progress` is told each segmentation's name before it runs.
 */
export async function computeBuiltinSegmentations(
  db: Db, options: Readonly<Record<string, unknown>> = {}, only?: readonly string[], progress?: (name: string, i: number, n: number) => void,
  how: {
    /** Force the bodies inline or into temporary tables (tests compare both ways); by default chosen by size. */
    inlineBodies?: boolean;
    /** The dataset's BuiltinsContext, just read on the same connection (else read here). */
    context?: BuiltinsContext;
  } = {},
): Promise<ComputeOutcome[]> {
  const { inlineBodies, context } = how;
  const { columns, text, stored, fingerprint: dataVersion } = context?.schema ?? await datasetSchema(db);
  const out: ComputeOutcome[] = [];
  const want = (id: string) => !only || only.includes(id);
  const total = BUILTIN_IDS.filter(want).length;
  let i = 0;
  const batches: SegmentBatch[] = [];
  /** Built-in id → its batch's index, for those computed as a body. */
  const bodyIndex = new Map<string, number>();
  const whyNot = context?.whyNot ?? await unavailability(db, BUILTIN_SEGMENTATIONS.filter((seg) => want(seg.id)), columns, text);
  for (const seg of BUILTIN_SEGMENTATIONS) {
    if (!want(seg.id)) continue;
    progress?.(seg.name, i++, total + 1);
    const why = whyNot.get(seg.id) ?? null;
    if (why) {
      out.push({ id: seg.id, name: seg.name, columns: [], unavailable: why });
      continue;
    }
    const opts = seg.validate(options[seg.id]);
    const definition = JSON.stringify({ builtin: seg.id, options: opts });
    const cols: SegmentBatch['columns'] = [{ from: 'label', rec: { column: seg.id, name: seg.name, kind: 'builtin', type: 'label', definition } }];
    if (seg.scored) cols.push({ from: 'score', rec: { column: `${seg.id}_value`, name: `${seg.name} (value)`, kind: 'builtin', type: 'score', definition } });
    // A rule over another built-in's body computed in this run reads that body's columns (b<index>, as
    // writeSegmentations aliases each body) instead of repeating its work.
    const dep = seg.over ? bodyIndex.get(seg.over.id) : undefined;
    const row = seg.row?.(opts, columns) ?? (seg.over && dep !== undefined ? seg.over.row(opts, (c) => raw(`b${dep}.${ident(c)}`)) : undefined);
    if (!row) bodyIndex.set(seg.id, batches.length);
    batches.push({ body: seg.sql(opts, columns), row, columns: cols });
    out.push({ id: seg.id, name: seg.name, columns: cols.map((c) => segmentColumn(c.rec.column)), unavailable: null });
  }
  if (want(RFM.id)) {
    progress?.(RFM.name, i++, total + 1);
    const rfmMissing = RFM.requires.filter((n) => !n.anyOf.some((c) => columns.user_metrics.includes(c)));
    if (rfmMissing.length) {
      out.push({ id: RFM.id, name: RFM.name, columns: [], unavailable: `Unavailable: this dataset has no ${rfmMissing.map((n) => `user_metrics.${n.anyOf[0]}`).join(', ')} column.` });
    } else {
      const definition = JSON.stringify({ builtin: 'rfm' });
      batches.push({
        body: rfmSql(),
        columns: [
          { from: 'label', rec: { column: 'rfm', name: RFM.name, kind: 'builtin', type: 'label', definition } },
          { from: 'cell', rec: { column: 'rfm_cell', name: 'RFM cell', kind: 'builtin', type: 'label', definition } },
        ],
      });
      out.push({ id: RFM.id, name: RFM.name, columns: ['rfm', 'rfm_cell'], unavailable: null });
    }
  }
  progress?.('saving', i, total + 1);
  if (only && batches.length === 1 && batches[0].columns.length === 1) {
    // One column (a threshold change): update it in place; rebuilding the table would copy every other column
    // (measured at 10M events: 8.3 s in the page rebuilt, against 1.5 s in place).
    const { rec, from } = batches[0].columns[0];
    await writeSegmentation(db, { ...rec, dataVersion }, sql`SELECT user_id, ${raw(from)} AS value FROM (${batches[0].body}) b`);
  } else {
    // Every segmentation in one table rebuild and one commit (a label and its score computed together).
    // Small datasets: one statement, the rule bodies inline (writeSegmentations says why).
    await writeSegmentations(db, batches, dataVersion, stored ?? undefined, { inlineBodies: inlineBodies ?? fingerprintUsers(dataVersion) <= INLINE_BODIES_MAX_USERS });
  }
  return out;
}



/**
 * Which built-ins this dataset supports, without computing any: each outcome names the columns it would store, or
 * why it cannot run (cheap: column names and a few emptiness checks).
 */
export async function builtinAvailability(db: Db, context?: BuiltinsContext): Promise<ComputeOutcome[]> {
  const { schema: { columns }, whyNot } = context ?? await builtinsContext(db);
  const out: ComputeOutcome[] = [];
  for (const seg of BUILTIN_SEGMENTATIONS) {
    const why = whyNot.get(seg.id) ?? null;
    const cols = why ? [] : seg.scored ? [segmentColumn(seg.id), segmentColumn(`${seg.id}_value`)] : [segmentColumn(seg.id)];
    out.push({ id: seg.id, name: seg.name, columns: cols, unavailable: why });
  }
  const rfmMissing = RFM.requires.filter((n) => !n.anyOf.some((c) => columns.user_metrics.includes(c)));
  out.push(rfmMissing.length
    ? { id: RFM.id, name: RFM.name, columns: [], unavailable: `Unavailable: this dataset has no ${rfmMissing.map((n) => `user_metrics.${n.anyOf[0]}`).join(', ')} column.` }
    : { id: RFM.id, name: RFM.name, columns: ['rfm', 'rfm_cell'], unavailable: null });
  return out;
}

/** The options each stored built-in was computed with (from its definition), by built-in id. */
export function storedOptions(records: readonly SegmentationRecord[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of records) {
    if (r.kind !== 'builtin' || !r.definition) continue;
    try {
      const d = JSON.parse(r.definition) as { builtin?: unknown; options?: unknown };
      if (typeof d.builtin === 'string' && d.options !== undefined) out[d.builtin] = d.options;
    } catch {
      // A definition that does not parse is recomputed with the defaults.
    }
  }
  return out;
}

/** The built-in ids whose stored columns are missing or were computed from other data than `fingerprint`. */
export function builtinsToCompute(available: readonly ComputeOutcome[], records: readonly SegmentationRecord[], fingerprint: string): string[] {
  const byColumn = new Map(records.map((r) => [r.column, r]));
  return available
    .filter((o) => !o.unavailable && o.columns.some((c) => byColumn.get(c)?.dataVersion !== fingerprint))
    .map((o) => o.id);
}
