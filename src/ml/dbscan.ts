// DBSCAN (Ester et al. 1996) with sklearn's conventions, plus the k-distance curve used to choose eps.
//
// - Neighbourhood of a row: every row at Euclidean distance <= eps, the row itself included, found through a k-d tree.
// - A row is a core point when its neighbourhood holds at least `minPts` rows (counting itself, as sklearn's
//   min_samples): minPts = 1 makes every row core; minPts = 2 means "has one other row within eps".
// - Clusters are the connected components of core points (core rows within eps of each other) plus the non-core rows
//   within eps of one of their core points (border points).
// - Numbering (sklearn's dbscan_inner): rows are scanned in row order; each unlabelled core row starts the next
//   cluster (0, 1, 2, ...) and the cluster is expanded completely before the scan goes on. So clusters are numbered
//   by their lowest-index core row, and a border point within eps of core points of several clusters joins the
//   first of them discovered (the lowest-numbered one).
// - Label -1 is noise: rows in no cluster. The UI shows them as the segment "Noise", not as a cluster.
// Memory: a first pass finds every row's neighbourhood once and keeps the neighbour lists of core rows only (as
// sklearn keeps all of them), up to `maxStored` ids (default 2^24 = 64 MB); past that budget it only counts
// (whole k-d tree nodes at once) and the expansion asks the tree again for those core rows. Same labels either way.
//
// kDistance: for each (sampled) row the distance to its k-th nearest row of the whole data, the row itself counted
// first at distance 0 (so pass k = minPts: a row is core at eps exactly when its k-distance <= eps), sorted
// ascending. The suggested eps is the knee of that curve: with both axes scaled to [0, 1] (position, and distance
// between the smallest and largest), the point farthest below the chord from the first to the last point.
import type { Matrix } from './matrix.ts';
import { row } from './matrix.ts';
import { KdTree } from './kdtree.ts';
import { Prng, sampleIndexes } from './random.ts';
import { StrataError } from '../errors.ts';

/** The label DBSCAN gives rows that belong to no cluster (shown as "Noise" in the UI). */
export const NOISE = -1;

/** DBSCAN's parameters. */
export interface DbscanOptions {
  /** Neighbourhood radius (Euclidean, inclusive). */
  eps: number;
  /** Rows (the row itself included) an eps-neighbourhood needs for a core point; sklearn's min_samples. */
  minPts: number;
  /** Called with (rows done, total) now and then during both passes, for a progress bar. */
  onProgress?: (done: number, total: number) => void;
  /** Most neighbour ids kept from the first pass (default 2^24); beyond it, core rows are queried again. */
  maxStored?: number;
}

/** DBSCAN's output: one label per row (-1 noise, else 0..clusters-1) and which rows are core points. */
export interface DbscanResult {
  labels: Int32Array;
  core: Uint8Array;
  clusters: number;
  noise: number;
}

/** DBSCAN over the rows of x (see the header for the exact rules and numbering). */
export function dbscan(x: Matrix, opts: DbscanOptions): DbscanResult {
  const { eps, minPts, onProgress } = opts;
  if (!(eps > 0) || !Number.isFinite(eps)) throw new StrataError(`DBSCAN needs a positive eps (got ${eps}).`);
  if (!Number.isInteger(minPts) || minPts < 1) throw new StrataError(`DBSCAN needs minPts to be a whole number of at least 1 (got ${minPts}).`);
  checkFinite(x);
  const n = x.rows;
  const tree = new KdTree(x);
  const step = Math.max(1, Math.floor(n / 100));
  const core = new Uint8Array(n);
  const maxStored = Math.max(0, Math.floor(opts.maxStored ?? 2 ** 24));
  let store = new Int32Array(Math.min(maxStored, 1024));
  let used = 0;
  let full = maxStored === 0;
  const at = new Int32Array(n).fill(-1);
  const len = new Int32Array(n);
  const neighbours: number[] = [];
  for (let i = 0; i < n; i++) {
    if (onProgress && i % step === 0) onProgress(i, 2 * n);
    if (full) {
      if (tree.radiusCount(row(x, i), eps) >= minPts) core[i] = 1;
      continue;
    }
    tree.radius(row(x, i), eps, neighbours);
    const count = neighbours.length;
    if (count < minPts) continue;
    core[i] = 1;
    if (used + count > maxStored) {
      full = true;
      continue;
    }
    if (used + count > store.length) {
      const grown = new Int32Array(Math.min(maxStored, Math.max(2 * store.length, used + count)));
      grown.set(store.subarray(0, used));
      store = grown;
    }
    for (let p = 0; p < count; p++) store[used + p] = neighbours[p];
    at[i] = used;
    len[i] = count;
    used += count;
  }
  const labels = new Int32Array(n).fill(NOISE);
  const stack: number[] = [];
  let clusters = 0;
  const visit = (q: number, c: number) => {
    if (labels[q] !== NOISE) return;
    labels[q] = c;
    if (core[q]) stack.push(q);
  };
  for (let i = 0; i < n; i++) {
    if (onProgress && i % step === 0) onProgress(n + i, 2 * n);
    if (labels[i] !== NOISE || !core[i]) continue;
    const c = clusters++;
    labels[i] = c;
    stack.push(i);
    while (stack.length) {
      const p = stack.pop()!;
      if (at[p] >= 0) {
        for (let e = at[p], end = at[p] + len[p]; e < end; e++) visit(store[e], c);
      } else {
        for (const q of tree.radius(row(x, p), eps, neighbours)) visit(q, c);
      }
    }
  }
  let noise = 0;
  for (let i = 0; i < n; i++) if (labels[i] === NOISE) noise++;
  onProgress?.(2 * n, 2 * n);
  return { labels, core, clusters, noise };
}

/** Options for the k-distance curve. */
export interface KDistanceOptions {
  /** Query at most this many rows (a seeded sample; distances are still to the whole data). Default 5000. */
  sample?: number;
  seed?: number;
}

/** The k-distance curve (ascending) and the eps at its knee. */
export interface KDistance {
  distances: Float64Array;
  kneeIndex: number;
  suggestedEps: number;
}

/** Sorted k-th neighbour distances (the row itself counts as the first neighbour) and the knee as suggested eps. */
export function kDistance(x: Matrix, k: number, opts: KDistanceOptions = {}): KDistance {
  const n = x.rows;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new StrataError(`The k-distance plot needs k between 1 and the number of rows (${n}); got ${k}.`);
  checkFinite(x);
  const tree = new KdTree(x);
  const m = Math.min(n, opts.sample ?? 5000);
  const rows = m < n ? sampleIndexes(new Prng(opts.seed ?? 0), n, m) : null;
  const distances = new Float64Array(m);
  for (let s = 0; s < m; s++) {
    const i = rows ? rows[s] : s;
    distances[s] = tree.knn(row(x, i), k).distances[k - 1];
  }
  distances.sort();
  const kneeIndex = knee(distances);
  return { distances, kneeIndex, suggestedEps: distances[kneeIndex] };
}

/** Index of the point of an ascending curve farthest below its chord, both axes scaled to [0, 1]. */
export function knee(ys: Float64Array): number {
  const m = ys.length;
  if (m < 3) return m - 1;
  const y0 = ys[0];
  const span = ys[m - 1] - y0;
  if (!(span > 0)) return m - 1;
  let best = m - 1;
  let bestGap = 0;
  for (let i = 0; i < m; i++) {
    const t = i / (m - 1);
    // Chord height at t is t itself once y is scaled to [0, 1]; the perpendicular distance is the gap / sqrt(2).
    const gap = t - (ys[i] - y0) / span;
    if (gap > bestGap) {
      bestGap = gap;
      best = i;
    }
  }
  return best;
}

function checkFinite(x: Matrix): void {
  for (let i = 0; i < x.data.length; i++) {
    if (!Number.isFinite(x.data[i])) {
      throw new StrataError(`Row ${Math.floor(i / x.cols) + 1} has a missing or infinite value in column ${(i % x.cols) + 1}; fill or drop it before clustering.`);
    }
  }
}
