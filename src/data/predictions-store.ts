// Predictions stored as user fields: numeric score columns (churn probability, predicted revenue over the
// horizon, CLV, expected purchases, probability alive) and the churn-risk band (a label segmentation with
// editable cut-offs), all in user_segments through the segment seam, so every screen reads them as s.<column>.
// The scores travel with their user ids (Arrow), are joined back to the users in SQL, and are written in one table
// rebuild and one commit. NaN (a model that could not score) is stored as NULL.
import type { Db } from '../db/types.ts';
import { toIpc } from './generator/arrow.ts';
import { joinSql, raw, sql, type Sql } from '../sql/quote.ts';
import { dataFingerprint, writeSegmentation, writeSegmentations, type SegmentBatch } from './segments-store.ts';
import { StrataError } from '../errors.ts';

/** The stored columns. */
export const PREDICTION_COLUMNS = {
  churn: 'predicted_churn',
  band: 'predicted_churn_band',
  value: 'predicted_value',
  clv: 'predicted_clv',
  purchases: 'expected_purchases',
  alive: 'p_alive',
} as const;

export const BAND_LABELS = ['High', 'Medium', 'Low'] as const;

export interface BandCutoffs { medium: number; high: number }

/** The band of a probability column (trusted SQL for `p`; the cut-offs are bound). */
export function bandSql(p: Sql, c: BandCutoffs): Sql {
  return sql`CASE WHEN ${p} IS NULL THEN NULL WHEN ${p} >= ${c.high} THEN 'High' WHEN ${p} >= ${c.medium} THEN 'Medium' ELSE 'Low' END`;
}

export interface PredictionWrite {
  /** The scored customers of the churn and value models (features as of the last day). */
  users: readonly string[];
  churn: Float64Array | null;
  value: Float64Array | null;
  /** The customers of the probabilistic CLV model. */
  clvUsers: readonly string[];
  clv: Float64Array | null;
  purchases: Float64Array | null;
  alive: Float64Array | null;
  band: BandCutoffs;
  horizonDays: number;
  months: number;
  /** JSON: the settings and the models' quality, kept with each column. */
  definition: string;
}

const finiteOrNull = (c: string) => raw(`CASE WHEN isnan(${c}) THEN NULL ELSE ${c} END`);

/** Store every prediction present in `w`; columns of a model that did not run are left as they were. */
export async function writePredictions(db: Db, w: PredictionWrite): Promise<string[]> {
  for (const [name, a, n] of [['churn', w.churn, w.users.length], ['value', w.value, w.users.length], ['clv', w.clv, w.clvUsers.length], ['purchases', w.purchases, w.clvUsers.length], ['alive', w.alive, w.clvUsers.length]] as const) {
    if (a && a.length !== n) throw new RangeError(`${n} users but ${a.length} ${name} values.`);
  }
  const def = w.definition;
  const batches: SegmentBatch[] = [];
  const scratch: string[] = [];
  try {
    if (w.churn || w.value) {
      const cols: Record<string, string[] | Float64Array> = { user_id: [...w.users] };
      if (w.churn) cols.churn = w.churn;
      if (w.value) cols.value = w.value;
      await db.insertArrow('strata_pred_users', toIpc(cols));
      scratch.push('strata_pred_users');
      const out: Sql[] = [];
      const columns: SegmentBatch['columns'] = [];
      if (w.churn) {
        out.push(sql`${finiteOrNull('p.churn')} AS churn`, sql`${bandSql(finiteOrNull('p.churn'), w.band)} AS band`);
        columns.push(
          { from: 'churn', rec: { column: PREDICTION_COLUMNS.churn, name: 'Predicted churn probability', kind: 'model', type: 'score', definition: def } },
          { from: 'band', rec: { column: PREDICTION_COLUMNS.band, name: 'Predicted churn risk', kind: 'model', type: 'label', definition: def } },
        );
      }
      if (w.value) {
        out.push(sql`${finiteOrNull('p.value')} AS value`);
        columns.push({ from: 'value', rec: { column: PREDICTION_COLUMNS.value, name: `Predicted revenue, next ${w.horizonDays} days`, kind: 'model', type: 'score', definition: def } });
      }
      batches.push({ body: sql`SELECT u.user_id, ${joinSql(out, ', ')} FROM users u JOIN strata_pred_users p ON p.user_id = u.user_id::VARCHAR`, columns });
    }
    if (w.clv || w.purchases || w.alive) {
      const cols: Record<string, string[] | Float64Array> = { user_id: [...w.clvUsers] };
      const out: Sql[] = [];
      const columns: SegmentBatch['columns'] = [];
      const add = (key: 'clv' | 'purchases' | 'alive', a: Float64Array | null, name: string) => {
        if (!a) return;
        cols[key] = a;
        out.push(sql`${finiteOrNull(`p.${key}`)} AS ${raw(key)}`);
        columns.push({ from: key, rec: { column: PREDICTION_COLUMNS[key], name, kind: 'model', type: 'score', definition: def } });
      };
      add('clv', w.clv, `Predicted CLV (${w.months} months)`);
      add('purchases', w.purchases, `Expected purchases, next ${w.horizonDays} days`);
      add('alive', w.alive, 'Probability alive');
      await db.insertArrow('strata_pred_clv', toIpc(cols));
      scratch.push('strata_pred_clv');
      batches.push({ body: sql`SELECT u.user_id, ${joinSql(out, ', ')} FROM users u JOIN strata_pred_clv p ON p.user_id = u.user_id::VARCHAR`, columns });
    }
    if (!batches.length) throw new StrataError('No model produced predictions to store.');
    const found = Number((await db.query(`SELECT count(*)::DOUBLE AS n FROM users u JOIN ${scratch[0]} p ON p.user_id = u.user_id::VARCHAR`)).getChild('n')!.get(0));
    const expected = scratch[0] === 'strata_pred_users' ? w.users.length : w.clvUsers.length;
    if (found !== expected) throw new StrataError(`The data changed while the models trained (${(expected - found).toLocaleString('en-US')} of the scored users are gone): train again.`);
    await writeSegmentations(db, batches, await dataFingerprint(db));
    return batches.flatMap((b) => b.columns.map((c) => c.rec.column));
  } finally {
    for (const t of scratch) await db.exec(`DROP TABLE IF EXISTS ${t}`);
  }
}

/** Re-cut the stored churn probabilities into bands (a cut-off edit: no retraining). */
export async function writeChurnBand(db: Db, band: BandCutoffs, definition: string): Promise<void> {
  const p = raw(PREDICTION_COLUMNS.churn);
  await writeSegmentation(db, { column: PREDICTION_COLUMNS.band, name: 'Predicted churn risk', kind: 'model', type: 'label', definition },
    sql`SELECT user_id, ${bandSql(p, band)} AS value FROM user_segments WHERE ${p} IS NOT NULL`);
}

/** Every user with a stored prediction and each prediction column there is (`have`: the stored columns). */
export function predictionsCsvSql(have: readonly string[]): Sql {
  const cols = Object.values(PREDICTION_COLUMNS).filter((c) => have.includes(c));
  if (!cols.length) throw new StrataError('There are no stored predictions to export: train the models first.');
  return raw(`SELECT user_id, ${cols.join(', ')} FROM user_segments WHERE ${cols.map((c) => `${c} IS NOT NULL`).join(' OR ')} ORDER BY user_id`);
}
