// The prediction runs the Predictions screen asks the worker for, as pure functions on typed arrays:
// - churn: a seeded split of the labelled users (features as of the cutoff, label from the H days after) into
//   training and holdout; a random forest and a logistic-regression baseline trained on the training part and
//   judged on the holdout (AUC, confusion at the threshold, calibration, lift); then the forest trained again on
//   every labelled user scores every current user (features as of the data's last day).
// - lifetime value (model-based): gradient-boosted trees predicting the next H days' revenue from the same
//   features, judged on the holdout beside the baseline "the next H days = the last H days"; then refitted on all.
// - probabilistic CLV: BG/NBD + Gamma-Gamma on the customers' summaries (src/ml/clv.ts).
import { matrix, takeRows, type Matrix } from './matrix.ts';
import { Prng, permutation } from './random.ts';
import { trainForest, type Forest } from './forest.ts';
import { fitLogistic } from './logistic.ts';
import { trainGbm, type GbmModel } from './gbm.ts';
import { calibration, confusionAt, liftByDecile, regressionScores, rocAuc, type CalibrationBin, type Confusion, type LiftRow } from './classify-metrics.ts';
import {
  customerLifetimeValue, expectedPurchases, expectedValue, fitBgNbd, fitGammaGamma, probabilityAlive,
  type BgNbdParams, type FitReport, type GammaGammaParams,
} from './clv.ts';

/** A feature matrix as the worker receives it (row-major, rows × cols). */
export interface Features { data: Float64Array; rows: number; cols: number }

/** Fewest labelled users a churn or value model is trained on. */
export const MIN_LABELLED = 40;

export interface ClassifierQuality { auc: number; confusion: Confusion; calibration: CalibrationBin[]; lift: LiftRow[] }

export interface ChurnResult {
  trainRows: number;
  holdoutRows: number;
  /** Share of churners among the labelled users. */
  baseRate: number;
  threshold: number;
  forest: ClassifierQuality;
  logistic: ClassifierQuality;
  /** The forest's impurity importance per feature (sums to 1). */
  importance: Float64Array;
  /** The logistic baseline's weights per standardised feature (intercept left out). */
  logisticWeights: Float64Array;
  /** P(churn) per scored user, from the forest trained on every labelled user. */
  probability: Float64Array;
}

export interface SplitOptions { seed: number; holdoutShare?: number }

/** A seeded split: holdout = the first share of a permutation (at least one row each side). */
export function splitRows(n: number, o: SplitOptions): { train: Uint32Array; holdout: Uint32Array } {
  const perm = permutation(new Prng(o.seed), n);
  const h = Math.min(n - 1, Math.max(1, Math.round(n * (o.holdoutShare ?? 0.3))));
  return { holdout: perm.slice(0, h).sort(), train: perm.slice(h).sort() };
}

function quality(y: Float64Array, p: Float64Array, threshold: number): ClassifierQuality {
  return { auc: rocAuc(y, p), confusion: confusionAt(y, p, threshold), calibration: calibration(y, p, 10), lift: liftByDecile(y, p) };
}

const pick = (a: ArrayLike<number>, idx: Uint32Array) => Float64Array.from(idx, (i) => a[i]);
const positive = (p: Matrix) => Float64Array.from({ length: p.rows }, (_, i) => p.data[i * p.cols + (p.cols - 1)]);

/** Train, judge and score churn. `churned`: 0/1 per labelled row. Throws clear errors for data that cannot train. */
export function runChurn(
  labelled: Features, churned: ArrayLike<number>, current: Features,
  o: SplitOptions & { threshold?: number; trees?: number; onProgress?: (step: string, fraction: number) => void; keep?: (model: Forest) => void },
): ChurnResult {
  const n = labelled.rows;
  if (n < MIN_LABELLED) throw new Error(`Too few customers to learn churn from: ${n} before the cutoff, at least ${MIN_LABELLED} are needed. Shorten the horizon or import more history.`);
  let pos = 0;
  for (let i = 0; i < n; i++) pos += churned[i] ? 1 : 0;
  if (pos === 0 || pos === n) {
    throw new Error(`Every customer ${pos === 0 ? 'came back' : 'churned'} in the days after the cutoff: with one outcome only there is nothing to learn. Change the horizon or the churn definition.`);
  }
  const threshold = o.threshold ?? 0.5;
  const trees = o.trees ?? 100;
  const x = matrix(labelled.data, n, labelled.cols);
  const y = Float64Array.from({ length: n }, (_, i) => (churned[i] ? 1 : 0));
  const { train, holdout } = splitRows(n, o);
  const xt = takeRows(x, train), xh = takeRows(x, holdout);
  const yt = pick(y, train), yh = pick(y, holdout);
  const forestOpts = { trees, maxDepth: 10, minSamplesLeaf: 5, seed: o.seed };
  o.onProgress?.('Training the churn forest', 0.05);
  const f1 = trainForest(xt, Int32Array.from(yt), { ...forestOpts, onProgress: (d, t) => o.onProgress?.('Training the churn forest', 0.05 + 0.35 * (d / t)) });
  const pf = f1.classes.length === 2 ? positive(f1.predictProba(xh)) : new Float64Array(xh.rows).fill(f1.classes[0]);
  o.onProgress?.('Logistic baseline', 0.4);
  const lr = fitLogistic(xt, yt);
  const pl = lr.predictProba(xh);
  o.onProgress?.('Scoring every customer', 0.5);
  const all = trainForest(x, Int32Array.from(y), { ...forestOpts, onProgress: (d, t) => o.onProgress?.('Scoring every customer', 0.5 + 0.45 * (d / t)) });
  const probability = positive(all.predictProba(matrix(current.data, current.rows, current.cols)));
  o.keep?.(all);
  return {
    trainRows: train.length, holdoutRows: holdout.length, baseRate: pos / n, threshold,
    forest: quality(yh, pf, threshold), logistic: quality(yh, pl, threshold),
    importance: all.impurityImportance, logisticWeights: lr.weights.slice(1), probability,
  };
}

export interface ValueResult {
  trainRows: number;
  holdoutRows: number;
  model: { r2: number; mae: number };
  baseline: { r2: number; mae: number };
  importance: Float64Array;
  /** Predicted revenue in the next H days per scored user (never below 0). */
  predicted: Float64Array;
}

/** The model-based lifetime value: next-H-days revenue from the features, beside the "same as the last H days" baseline. */
export function runValue(
  labelled: Features, future: ArrayLike<number>, prior: ArrayLike<number>, current: Features,
  o: SplitOptions & { rounds?: number; onProgress?: (step: string, fraction: number) => void; keep?: (model: GbmModel) => void },
): ValueResult {
  const n = labelled.rows;
  if (n < MIN_LABELLED) throw new Error(`Too few customers to learn lifetime value from: ${n} before the cutoff, at least ${MIN_LABELLED} are needed.`);
  const x = matrix(labelled.data, n, labelled.cols);
  const y = Float64Array.from(future);
  const { train, holdout } = splitRows(n, o);
  const rounds = o.rounds ?? 100;
  const m1 = trainGbm(takeRows(x, train), pick(y, train), { rounds, onProgress: (d, t) => o.onProgress?.('Training the value model', 0.5 * (d / t)) });
  const yh = pick(y, holdout);
  const ph = m1.predict(takeRows(x, holdout)).map((v) => Math.max(0, v));
  const all = trainGbm(x, y, { rounds, onProgress: (d, t) => o.onProgress?.('Scoring every customer', 0.5 + 0.5 * (d / t)) });
  o.keep?.(all);
  return {
    trainRows: train.length, holdoutRows: holdout.length,
    model: regressionScores(yh, ph), baseline: regressionScores(yh, pick(prior, holdout)),
    importance: all.importance,
    predicted: all.predict(matrix(current.data, current.rows, current.cols)).map((v) => Math.max(0, v)),
  };
}

export interface ClvSettings {
  /** CLV horizon in months (30-day periods). */
  months: number;
  /** Discount rate per month. */
  monthlyDiscount: number;
  /** The horizon of "expected purchases", in days. */
  purchaseDays: number;
}

export interface ClvResult {
  bgnbd: FitReport<BgNbdParams>;
  /** null with the reason when the spend model could not be fitted (CLV then uses nothing: NaN). */
  gammaGamma: FitReport<GammaGammaParams> | null;
  gammaGammaError: string | null;
  /** Correlation of repeat purchases and mean repeat value (Gamma-Gamma assumes none). */
  frequencyValueCorrelation: number;
  expectedPurchases: Float64Array;
  probabilityAlive: Float64Array;
  expectedValue: Float64Array;
  clv: Float64Array;
}

/** P(churn) and predicted value of typed feature rows by the kept models (either may be missing: NaN). */
export function scoreRows(rows: Features, forest: Forest | null, gbm: GbmModel | null): { churn: Float64Array; value: Float64Array } {
  const x = matrix(rows.data, rows.rows, rows.cols);
  return {
    churn: forest && forest.classes.length === 2 ? positive(forest.predictProba(x)) : new Float64Array(rows.rows).fill(NaN),
    value: gbm ? gbm.predict(x).map((v) => Math.max(0, v)) : new Float64Array(rows.rows).fill(NaN),
  };
}

/** Fit BG/NBD (+ Gamma-Gamma) on the summaries (days) and score every customer. */
export function runClv(s: { x: Float64Array; tx: Float64Array; T: Float64Array; m: Float64Array }, o: ClvSettings): ClvResult {
  const bgnbd = fitBgNbd(s);
  let gammaGamma: FitReport<GammaGammaParams> | null = null, gammaGammaError: string | null = null;
  try {
    gammaGamma = fitGammaGamma(s.x, s.m);
    if (!(gammaGamma.params.q > 1)) {
      gammaGammaError = `The spend model's q came out at ${gammaGamma.params.q.toFixed(3)} (it must exceed 1 for a finite expected value): CLV is not shown.`;
      gammaGamma = null;
    }
  } catch (err) {
    gammaGammaError = err instanceof Error ? err.message : String(err);
  }
  const n = s.x.length;
  const ep = new Float64Array(n), pa = new Float64Array(n), ev = new Float64Array(n), clv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ep[i] = expectedPurchases(bgnbd.params, o.purchaseDays, s.x[i], s.tx[i], s.T[i]);
    pa[i] = probabilityAlive(bgnbd.params, s.x[i], s.tx[i], s.T[i]);
    ev[i] = gammaGamma ? expectedValue(gammaGamma.params, s.x[i], s.m[i]) : NaN;
    clv[i] = gammaGamma
      ? customerLifetimeValue(bgnbd.params, gammaGamma.params, s.x[i], s.tx[i], s.T[i], s.m[i], { periods: o.months, periodLength: 30, discountRate: o.monthlyDiscount })
      : NaN;
  }
  return { bgnbd, gammaGamma, gammaGammaError, frequencyValueCorrelation: correlation(s.x, s.m), expectedPurchases: ep, probabilityAlive: pa, expectedValue: ev, clv };
}

/** Pearson correlation over the repeat customers (x > 0); NaN with fewer than 3. */
function correlation(x: Float64Array, m: Float64Array): number {
  const xs: number[] = [], ms: number[] = [];
  for (let i = 0; i < x.length; i++) if (x[i] > 0) {
    xs.push(x[i]);
    ms.push(m[i]);
  }
  const n = xs.length;
  if (n < 3) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n, mm = ms.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ms[i] - mm);
    sxx += (xs[i] - mx) ** 2;
    syy += (ms[i] - mm) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}
