// How good a probability is: ROC AUC (the Mann–Whitney statistic, ties counted half), the confusion matrix,
// precision and recall at a threshold, a calibration table (mean predicted vs observed rate per bin of
// predictions) and lift by decile (the observed rate in each tenth of users, highest scores first, over the base
// rate). Pure functions on typed arrays; y is 0/1.

/** ROC AUC: P(score of a random positive > score of a random negative), ties half. NaN with one class only. */
export function rocAuc(y: ArrayLike<number>, score: ArrayLike<number>): number {
  const n = y.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let pos = 0;
  for (let i = 0; i < n; i++) if (y[i] === 1) pos++;
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  // Average ranks (1-based) over ties; AUC = (sum of positive ranks - pos(pos+1)/2) / (pos·neg).
  let rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && score[idx[j + 1]] === score[idx[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (y[idx[k]] === 1) rankSum += avg;
    i = j + 1;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export interface Confusion {
  tp: number; fp: number; tn: number; fn: number;
  precision: number; recall: number; accuracy: number;
}

/** Predicted positive when score >= threshold. Precision is NaN when nothing is predicted positive. */
export function confusionAt(y: ArrayLike<number>, score: ArrayLike<number>, threshold: number): Confusion {
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let i = 0; i < y.length; i++) {
    const p = score[i] >= threshold;
    if (p && y[i] === 1) tp++;
    else if (p) fp++;
    else if (y[i] === 1) fn++;
    else tn++;
  }
  return { tp, fp, tn, fn, precision: tp + fp ? tp / (tp + fp) : NaN, recall: tp + fn ? tp / (tp + fn) : NaN, accuracy: (tp + tn) / Math.max(1, y.length) };
}

export interface CalibrationBin { from: number; to: number; count: number; meanPredicted: number; observedRate: number }

/** `bins` equal-width bins of the predicted probability; empty bins are left out. */
export function calibration(y: ArrayLike<number>, p: ArrayLike<number>, bins = 10): CalibrationBin[] {
  const count = new Float64Array(bins), sumP = new Float64Array(bins), sumY = new Float64Array(bins);
  for (let i = 0; i < y.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p[i] * bins)));
    count[b]++;
    sumP[b] += p[i];
    sumY[b] += y[i];
  }
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    if (count[b]) out.push({ from: b / bins, to: (b + 1) / bins, count: count[b], meanPredicted: sumP[b] / count[b], observedRate: sumY[b] / count[b] });
  }
  return out;
}

export interface LiftRow { decile: number; count: number; rate: number; lift: number }

/** Users sorted by score (highest first, ties by index), cut into 10 near-equal groups: each group's rate and lift. */
export function liftByDecile(y: ArrayLike<number>, score: ArrayLike<number>): LiftRow[] {
  const n = y.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b] - score[a] || a - b);
  let total = 0;
  for (let i = 0; i < n; i++) total += y[i];
  const base = n ? total / n : NaN;
  const out: LiftRow[] = [];
  for (let d = 0; d < 10; d++) {
    const from = Math.floor((d * n) / 10), to = Math.floor(((d + 1) * n) / 10);
    if (to <= from) continue;
    let s = 0;
    for (let k = from; k < to; k++) s += y[idx[k]];
    const rate = s / (to - from);
    out.push({ decile: d + 1, count: to - from, rate, lift: base > 0 ? rate / base : NaN });
  }
  return out;
}

/** Regression scores: R² (1 - SSE/SST; NaN when the target is constant) and the mean absolute error. */
export function regressionScores(y: ArrayLike<number>, pred: ArrayLike<number>): { r2: number; mae: number } {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i] / n;
  let sse = 0, sst = 0, ae = 0;
  for (let i = 0; i < n; i++) {
    sse += (y[i] - pred[i]) ** 2;
    sst += (y[i] - mean) ** 2;
    ae += Math.abs(y[i] - pred[i]);
  }
  return { r2: sst > 0 ? 1 - sse / sst : NaN, mae: n ? ae / n : NaN };
}
