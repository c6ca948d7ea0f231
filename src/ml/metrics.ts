// Clustering quality measures on a Matrix (rows = users) and one label per row, following scikit-learn's
// definitions exactly (sklearn.metrics, 1.5):
//  - inertia: Σ_i ‖x_i − c_{label_i}‖² (squared Euclidean, the k-means objective).
//  - silhouette: mean over rows of s_i = (b_i − a_i) / max(a_i, b_i), with a_i the mean Euclidean (not squared)
//    distance from i to the other rows of its cluster and b_i the smallest mean distance to the rows of another
//    cluster; s_i = 0 when i is alone in its cluster (and when a_i = b_i = 0). Exact (O(n² d)) up to `sampleSize`
//    rows (default SILHOUETTE_SAMPLE = 10,000); above it, like sklearn's `sample_size`, `sampleSize` distinct rows are
//    drawn with the seeded sfc32 stream (partial Fisher–Yates) and the silhouette of the sample is computed against
//    the sample only. Needs 2 ≤ clusters ≤ rows − 1 (in the sample), like sklearn.
//  - Calinski–Harabasz: [Σ_k n_k ‖m_k − m‖² / (K − 1)] / [Σ_i ‖x_i − m_{label_i}‖² / (n − K)], and 1 when the
//    within-cluster sum is 0 (sklearn's convention). Higher is better.
//  - Davies–Bouldin: mean over clusters of max_{j≠k} (s_k + s_j) / ‖m_k − m_j‖, with s_k the mean Euclidean
//    distance of cluster k's rows to its centroid; 0 when every s_k is 0 or every centroid distance is 0, and a pair
//    of coincident centroids contributes 0 (sklearn divides by +∞ there). Lower is better.
//  - contingency: the table of label pairs (rows: distinct labels of a, sorted; columns: distinct labels of b).
//  - adjusted Rand index: sklearn's pair-confusion form, 2(tp·tn − fn·fp) / ((tp+fn)(fn+tn) + (tp+fp)(fp+tn)), and 1
//    when fn = fp = 0 (identical partitions, including one cluster vs one cluster). Invariant under relabelling.
// Labels may be any numbers (only equality matters); centroids are the plain means of each cluster's rows.
import type { Matrix } from './matrix.ts';
import { Prng, sampleIndexes } from './random.ts';

/** Rows above which `silhouette` samples by default (sklearn's `sample_size` idea): 10,000² / 2 distances ≈ 1 s. */
export const SILHOUETTE_SAMPLE = 10_000;

/** Labels recoded as 0..m−1 in the sorted order of their values. */
export interface Codes {
  codes: Int32Array;
  /** values[c] is the original label of code c (ascending). */
  values: number[];
  counts: Float64Array;
}

/** Recode labels as 0..m−1 (sorted by value), with the size of each. */
export function compactLabels(labels: ArrayLike<number>): Codes {
  const n = labels.length;
  const codes = new Int32Array(n);
  let lo = Infinity;
  let hi = -Infinity;
  let integers = true;
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (Number.isNaN(v)) throw new RangeError(`Label ${i} is NaN.`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (integers && !Number.isInteger(v)) integers = false;
  }
  let values: number[];
  if (n > 0 && integers && hi - lo <= 4 * n + 1024) {
    const slot = new Int32Array(hi - lo + 1).fill(-1);
    for (let i = 0; i < n; i++) slot[labels[i] - lo] = 0;
    values = [];
    for (let v = 0; v < slot.length; v++) if (slot[v] === 0) { slot[v] = values.length; values.push(v + lo); }
    for (let i = 0; i < n; i++) codes[i] = slot[labels[i] - lo];
  } else {
    values = [...new Set(Array.from(labels))].sort((a, b) => a - b);
    const index = new Map(values.map((v, c) => [v, c]));
    for (let i = 0; i < n; i++) codes[i] = index.get(labels[i]) as number;
  }
  const counts = new Float64Array(values.length);
  for (let i = 0; i < n; i++) counts[codes[i]]++;
  return { codes, values, counts };
}

function checkLength(x: Matrix, labels: ArrayLike<number>): void {
  if (labels.length !== x.rows) throw new RangeError(`There are ${labels.length} labels for ${x.rows} rows.`);
}

function checkClusterCount(what: string, m: number, n: number): void {
  if (m < 2 || m > n - 1) {
    throw new RangeError(`The ${what} needs between 2 and ${n - 1} clusters (one fewer than the ${n} users), got ${m}.`);
  }
}

/** Centroid (mean) of each code's rows, m × d. */
function centroids(x: Matrix, c: Codes): Matrix {
  const m = c.values.length;
  const d = x.cols;
  const out = new Float64Array(m * d);
  for (let i = 0; i < x.rows; i++) {
    const o = c.codes[i] * d;
    for (let j = 0; j < d; j++) out[o + j] += x.data[i * d + j];
  }
  for (let k = 0; k < m; k++) for (let j = 0; j < d; j++) out[k * d + j] /= c.counts[k];
  return { data: out, rows: m, cols: d };
}

/** Σ_i ‖x_i − centres[labels_i]‖² (labels index the rows of `centres`). */
export function inertia(x: Matrix, labels: ArrayLike<number>, centres: Matrix): number {
  checkLength(x, labels);
  if (centres.cols !== x.cols) throw new RangeError(`The centres have ${centres.cols} features, the rows ${x.cols}.`);
  const d = x.cols;
  let total = 0;
  for (let i = 0; i < x.rows; i++) {
    const l = labels[i];
    if (!(l >= 0 && l < centres.rows && Number.isInteger(l))) throw new RangeError(`Label ${l} of row ${i} is not a centre index.`);
    const xo = i * d;
    const co = l * d;
    for (let j = 0; j < d; j++) {
      const t = x.data[xo + j] - centres.data[co + j];
      total += t * t;
    }
  }
  return total;
}

export interface SilhouetteOptions {
  /** Above this many rows, compute on a seeded sample of this many rows. Default SILHOUETTE_SAMPLE; Infinity = exact. */
  sampleSize?: number;
  /** Seed of the sample. Default 0. */
  seed?: number;
}

/** Mean silhouette coefficient (Euclidean); exact up to `sampleSize` rows, on a seeded sample above. */
export function silhouette(x: Matrix, labels: ArrayLike<number>, options: SilhouetteOptions = {}): number {
  checkLength(x, labels);
  const r = silhouettes(x, [labels], options);
  if (Number.isNaN(r[0])) {
    // Say why: the (sampled) labels have too few or too many clusters.
    const n = Math.min(x.rows, options.sampleSize ?? SILHOUETTE_SAMPLE);
    checkClusterCount('silhouette', compactLabels(sampled(x, labels, options).labels).values.length, n);
  }
  return r[0];
}

/** The rows (and labels) the silhouette is computed on: all of them, or the seeded sample of `sampleSize`. */
function sampled(x: Matrix, labels: ArrayLike<number>, options: SilhouetteOptions): { x: Matrix; labels: ArrayLike<number>; idx: Int32Array | null } {
  const { sampleSize = SILHOUETTE_SAMPLE, seed = 0 } = options;
  if (x.rows <= sampleSize) return { x, labels, idx: null };
  const idx = Int32Array.from(sampleIndexes(new Prng(seed), x.rows, sampleSize));
  const d = x.cols;
  const data = new Float64Array(idx.length * d);
  const sl = new Float64Array(idx.length);
  for (let s = 0; s < idx.length; s++) {
    data.set(x.data.subarray(idx[s] * d, idx[s] * d + d), s * d);
    sl[s] = labels[idx[s]];
  }
  return { x: { data, rows: idx.length, cols: d }, labels: sl, idx };
}

/**
 * The mean silhouette of each of several labelings of the same rows (the k scan's clusterings), in ONE pass over
 * the pairs: each pair's distance is computed once and added to every labeling's per-cluster sums, in the same
 * order silhouette() adds them, so each result equals silhouette(x, labelings[r], options) exactly. The sample
 * (above `sampleSize` rows) depends only on the seed and the row count: the same rows for every labeling. A
 * labeling the silhouette is undefined for (fewer than 2 clusters, or as many as the rows) gives NaN.
 */
export function silhouettes(
  x: Matrix, labelings: readonly ArrayLike<number>[], options: SilhouetteOptions = {}, onProgress?: (fraction: number) => void,
): number[] {
  for (const l of labelings) checkLength(x, l);
  if (!labelings.length) return [];
  const first = sampled(x, labelings[0], options);
  const xs = first.x;
  const n = xs.rows;
  const d = xs.cols;
  const pick = (l: ArrayLike<number>): ArrayLike<number> => {
    if (!first.idx) return l;
    const out = new Float64Array(n);
    for (let s = 0; s < n; s++) out[s] = l[first.idx[s]];
    return out;
  };
  const codes = labelings.map((l) => compactLabels(pick(l)));
  const ok = codes.map((c) => c.values.length >= 2 && c.values.length <= n - 1);
  const live = codes.map((c, r) => ({ c, r })).filter((e) => ok[e.r]);
  const out = labelings.map(() => NaN);
  if (!live.length) return out;
  // Row i's sums sit together: stride = Σ clusters; labeling e's cluster k at i * stride + offset[e] + k.
  const R = live.length;
  const offset = new Int32Array(R);
  let stride = 0;
  for (let e = 0; e < R; e++) {
    offset[e] = stride;
    stride += live[e].c.values.length;
  }
  // slot[i * R + e]: where row i's own cluster sits in a row of sums, for labeling e.
  const slot = new Int32Array(n * R);
  for (let i = 0; i < n; i++) for (let e = 0; e < R; e++) slot[i * R + e] = offset[e] + live[e].c.codes[i];
  const sums = new Float64Array(n * stride);
  const data = xs.data;
  const pairs = (n * (n - 1)) / 2;
  const every = Math.max(1, Math.floor(n / 50));
  for (let i = 0; i < n; i++) {
    if (onProgress && i % every === 0) onProgress(1 - ((n - i) * (n - i - 1)) / 2 / pairs);
    const io = i * d;
    const is = i * stride;
    const ir = i * R;
    for (let j = i + 1; j < n; j++) {
      const jo = j * d;
      let s = 0;
      for (let t = 0; t < d; t++) {
        const v = data[io + t] - data[jo + t];
        s += v * v;
      }
      const dist = Math.sqrt(s);
      const js = j * stride;
      const jr = j * R;
      for (let e = 0; e < R; e++) {
        sums[is + slot[jr + e]] += dist;
        sums[js + slot[ir + e]] += dist;
      }
    }
  }
  for (let e = 0; e < R; e++) {
    const { c, r } = live[e];
    const m = c.values.length;
    const o = offset[e];
    let total = 0;
    for (let i = 0; i < n; i++) {
      const li = c.codes[i];
      const own = c.counts[li];
      if (own <= 1) continue; // s_i = 0 for a row alone in its cluster
      const base = i * stride + o;
      const a = sums[base + li] / (own - 1);
      let b = Infinity;
      for (let k = 0; k < m; k++) {
        if (k === li) continue;
        const v = sums[base + k] / c.counts[k];
        if (v < b) b = v;
      }
      const den = Math.max(a, b);
      if (den > 0) total += (b - a) / den;
    }
    out[r] = total / n;
  }
  return out;
}

/** Calinski–Harabasz index (variance ratio criterion); higher is better. */
export function calinskiHarabasz(x: Matrix, labels: ArrayLike<number>): number {
  checkLength(x, labels);
  const n = x.rows;
  const d = x.cols;
  const c = compactLabels(labels);
  const m = c.values.length;
  checkClusterCount('Calinski–Harabasz index', m, n);
  const cent = centroids(x, c);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x.data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  let extra = 0;
  for (let k = 0; k < m; k++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = cent.data[k * d + j] - mean[j];
      s += t * t;
    }
    extra += c.counts[k] * s;
  }
  const intra = inertia(x, c.codes, cent);
  return intra === 0 ? 1 : (extra * (n - m)) / (intra * (m - 1));
}

/** Davies–Bouldin index; lower is better (0 is the best). */
export function daviesBouldin(x: Matrix, labels: ArrayLike<number>): number {
  checkLength(x, labels);
  const n = x.rows;
  const d = x.cols;
  const c = compactLabels(labels);
  const m = c.values.length;
  checkClusterCount('Davies–Bouldin index', m, n);
  const cent = centroids(x, c);
  const scatter = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const k = c.codes[i];
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = x.data[i * d + j] - cent.data[k * d + j];
      s += t * t;
    }
    scatter[k] += Math.sqrt(s);
  }
  for (let k = 0; k < m; k++) scatter[k] /= c.counts[k];
  const between = new Float64Array(m * m);
  let anyScatter = false;
  let anyBetween = false;
  for (let k = 0; k < m; k++) if (scatter[k] !== 0) anyScatter = true;
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = cent.data[a * d + j] - cent.data[b * d + j];
        s += t * t;
      }
      between[a * m + b] = Math.sqrt(s);
      if (between[a * m + b] !== 0) anyBetween = true;
    }
  }
  if (!anyScatter || !anyBetween) return 0;
  let total = 0;
  for (let a = 0; a < m; a++) {
    let worst = 0;
    for (let b = 0; b < m; b++) {
      if (b === a || between[a * m + b] === 0) continue;
      const r = (scatter[a] + scatter[b]) / between[a * m + b];
      if (r > worst) worst = r;
    }
    total += worst;
  }
  return total / m;
}

export interface Contingency {
  /** Distinct labels of `a`, ascending (the table's rows). */
  rowLabels: number[];
  /** Distinct labels of `b`, ascending (the table's columns). */
  colLabels: number[];
  /** counts.data[r * cols + c]: how many rows have a = rowLabels[r] and b = colLabels[c]. */
  counts: Matrix;
}

/** The table of label pairs of two labelings of the same rows (for comparing two runs). */
export function contingency(a: ArrayLike<number>, b: ArrayLike<number>): Contingency {
  if (a.length !== b.length) throw new RangeError(`The labelings have different lengths (${a.length} and ${b.length}).`);
  const ca = compactLabels(a);
  const cb = compactLabels(b);
  const r = ca.values.length;
  const c = cb.values.length;
  const data = new Float64Array(r * c);
  for (let i = 0; i < a.length; i++) data[ca.codes[i] * c + cb.codes[i]]++;
  return { rowLabels: ca.values, colLabels: cb.values, counts: { data, rows: r, cols: c } };
}

/** Adjusted Rand index between two labelings (1: the same partition; about 0: chance agreement). */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return adjustedRandFromCounts(contingency(a, b).counts);
}

/** Adjusted Rand index from a contingency table of counts (rows: one labeling, columns: the other). */
export function adjustedRandFromCounts(counts: Matrix): number {
  const { rows, cols, data } = counts;
  let n = 0;
  for (const v of data) n += v;
  const rowSums = new Float64Array(rows);
  const colSums = new Float64Array(cols);
  let sumSquares = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = data[r * cols + c];
      rowSums[r] += v;
      colSums[c] += v;
      sumSquares += v * v;
    }
  }
  let rowSq = 0;
  let colSq = 0;
  for (let r = 0; r < rows; r++) rowSq += rowSums[r] * rowSums[r];
  for (let c = 0; c < cols; c++) colSq += colSums[c] * colSums[c];
  // Ordered pair counts (sklearn's pair_confusion_matrix).
  const tp = sumSquares - n;
  const fp = colSq - sumSquares; // same b cluster, different a cluster
  const fn = rowSq - sumSquares; // same a cluster, different b cluster
  const tn = n * n - fp - fn - sumSquares;
  if (fn === 0 && fp === 0) return 1;
  return (2 * (tp * tn - fn * fp)) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}
