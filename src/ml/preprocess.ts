// Preprocessing the feature matrix as scikit-learn pipelines do, on typed arrays, every step recorded:
//   1. missing values: NaN (SQL NULL arrives as NaN) and ±Infinity count as missing; each column's missing values
//      are imputed with the median of its finite values (SimpleImputer(strategy="median")).
//   2. a column with no finite value, or with one value for every user, is dropped with the reason (it carries no
//      information; StandardScaler would turn it into zeros).
//   3. log1p for skewed counts and money (on by default for those, FeatureColumn.skewed); skipped, and said so, for
//      a column with negative values.
//   4. scaling: standard (mean 0, population standard deviation 1, like StandardScaler), robust (median 0, IQR 1
//      with linearly interpolated quartiles, like RobustScaler; a column whose IQR is 0 falls back to its standard
//      deviation), or none.
import type { Matrix } from './matrix.ts';
import type { FeatureColumn } from './features.ts';

export type Scaling = 'standard' | 'robust' | 'none';

export interface PreprocessOptions {
  /** log1p for skewed counts and money (default true). */
  log1p?: boolean;
  scaling?: Scaling;
}

/** What was done to one column that was kept. */
export interface ColumnTransform {
  name: string;
  field: string;
  encoding: FeatureColumn['encoding'];
  /** Values that were missing (NULL / NaN) or not finite (±Infinity), imputed with `median`. */
  missing: number;
  nonFinite: number;
  /** The median of the finite values (before log1p), used for imputation. */
  median: number;
  log1p: boolean;
  /** x' = (f(x) − center) / scale, f = log1p or identity. */
  center: number;
  scale: number;
  /** A sentence: "log1p, then standard scaling (mean 3.1, sd 1.2); 12 missing values imputed with the median 2". */
  summary: string;
}

/** A column left out, and why. */
export interface DroppedColumn {
  name: string;
  why: string;
}

export interface Preprocessed {
  x: Matrix;
  transforms: ColumnTransform[];
  dropped: DroppedColumn[];
}

/** Per-column facts for the preview: raw range, missing and non-finite counts. */
export interface ColumnSummary {
  name: string;
  min: number | null;
  max: number | null;
  missing: number;
  nonFinite: number;
}

/** Rows, columns, and each column's range and missing values (the preview of the matrix). */
export function summarise(x: Matrix, columns: readonly FeatureColumn[]): ColumnSummary[] {
  return columns.map((c, j) => {
    let min = Infinity;
    let max = -Infinity;
    let missing = 0;
    let nonFinite = 0;
    for (let i = 0; i < x.rows; i++) {
      const v = x.data[i * x.cols + j];
      if (Number.isNaN(v)) missing++;
      else if (!Number.isFinite(v)) nonFinite++;
      else {
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    return { name: c.name, min: min === Infinity ? null : min, max: max === -Infinity ? null : max, missing, nonFinite };
  });
}

/** Quantile q of sorted finite values, linear interpolation (numpy's default). */
export function quantileSorted(sorted: Float64Array, q: number): number {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

const fmt = (v: number) => (Math.abs(v) >= 1000 || Number.isInteger(v) ? String(Math.round(v * 100) / 100) : v.toPrecision(3));

/** Run the steps above; throws when no column is left. */
export function preprocess(x: Matrix, columns: readonly FeatureColumn[], opts: PreprocessOptions = {}): Preprocessed {
  if (columns.length !== x.cols) throw new RangeError(`${columns.length} column descriptions for ${x.cols} columns.`);
  const useLog = opts.log1p ?? true;
  const scaling = opts.scaling ?? 'standard';
  const n = x.rows;
  const keep: { j: number; t: ColumnTransform }[] = [];
  const dropped: DroppedColumn[] = [];
  const col = new Float64Array(n);
  for (let j = 0; j < x.cols; j++) {
    const c = columns[j];
    let missing = 0;
    let nonFinite = 0;
    const finite: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = x.data[i * x.cols + j];
      if (Number.isNaN(v)) missing++;
      else if (!Number.isFinite(v)) nonFinite++;
      else finite.push(v);
    }
    if (!finite.length) {
      dropped.push({ name: c.name, why: n ? 'every value is missing' : 'there are no users' });
      continue;
    }
    const sorted = Float64Array.from(finite).sort();
    if (sorted[0] === sorted[sorted.length - 1] && missing + nonFinite === 0) {
      dropped.push({ name: c.name, why: `every user has the same value (${fmt(sorted[0])})` });
      continue;
    }
    const median = quantileSorted(sorted, 0.5);
    const log = useLog && c.skewed && sorted[0] >= 0;
    const f = (v: number) => (log ? Math.log1p(v) : v);
    for (let i = 0; i < n; i++) {
      const v = x.data[i * x.cols + j];
      col[i] = f(Number.isFinite(v) ? v : median);
    }
    let center = 0;
    let scale = 1;
    if (scaling !== 'none') {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += col[i];
      mean /= n;
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (col[i] - mean) * (col[i] - mean);
      const sd = Math.sqrt(ss / n);
      if (scaling === 'standard') {
        center = mean;
        scale = sd;
      } else {
        const s = Float64Array.from(col).sort();
        center = quantileSorted(s, 0.5);
        const iqr = quantileSorted(s, 0.75) - quantileSorted(s, 0.25);
        scale = iqr > 0 ? iqr : sd;
      }
      if (!(scale > 0)) {
        dropped.push({ name: c.name, why: `after imputing missing values every user has the same value (${fmt(median)})` });
        continue;
      }
    }
    const parts: string[] = [];
    if (log) parts.push('log1p');
    else if (useLog && c.skewed) parts.push('no log1p (it has negative values)');
    if (scaling === 'standard') parts.push(`standard scaling (mean ${fmt(center)}, sd ${fmt(scale)})`);
    else if (scaling === 'robust') parts.push(`robust scaling (median ${fmt(center)}, IQR ${fmt(scale)})`);
    if (missing + nonFinite) parts.push(`${missing + nonFinite} missing${nonFinite ? ` or infinite (${nonFinite})` : ''} value${missing + nonFinite === 1 ? '' : 's'} imputed with the median ${fmt(median)}`);
    keep.push({ j, t: { name: c.name, field: c.field, encoding: c.encoding, missing, nonFinite, median, log1p: log, center, scale, summary: parts.join('; ') || 'as is' } });
  }
  if (!keep.length) {
    throw new Error(`No usable feature: ${dropped.map((d) => `${d.name} (${d.why})`).join('; ')}. Pick features that vary between users.`);
  }
  const d = keep.length;
  const out = new Float64Array(n * d);
  keep.forEach(({ j, t }, k) => {
    for (let i = 0; i < n; i++) {
      const v = x.data[i * x.cols + j];
      const y = Number.isFinite(v) ? v : t.median;
      out[i * d + k] = ((t.log1p ? Math.log1p(y) : y) - t.center) / t.scale;
    }
  });
  return { x: { data: out, rows: n, cols: d }, transforms: keep.map((k) => k.t), dropped };
}
