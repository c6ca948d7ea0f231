// Agglomerative (hierarchical) clustering by the nearest-neighbour chain (Murtagh 1983; Müllner 2011, "NN-chain"),
// for Ward, average and complete linkage (all reducible, so the chain finds the same dendrogram as the naive
// "merge the closest pair" loop, up to ties), in O(n^2) distance evaluations.
//
// Distances (scipy.cluster.hierarchy.linkage conventions, Euclidean metric):
// - average:  mean of the pairwise distances between the two clusters' rows (UPGMA);
// - complete: largest pairwise distance;
// - ward:     sqrt(2 * ΔSSE), ΔSSE = |A||B| / (|A| + |B|) * |c_A - c_B|^2 being the growth of the within-cluster sum
//             of squared distances to centroids when A and B merge. For two single rows it is their distance. This
//             is what scipy's Lance–Williams Ward recurrence yields; here it is computed directly from centroids and
//             sizes, so Ward keeps O(n) memory beyond the data (a centroid and a size per cluster).
// Average and complete keep a condensed distance matrix (n(n-1)/2 doubles: 100 MB at n = 5000) updated by
// Lance–Williams: average d(k, A∪B) = (|A| d(k,A) + |B| d(k,B)) / (|A| + |B|), complete max(d(k,A), d(k,B)).
//
// Output is scipy's linkage matrix Z ((n-1) × 4): row i merges clusters Z[i,0] < Z[i,1] (ids < n are rows, id n+i is
// the cluster formed in row i) at height Z[i,2] into a cluster of Z[i,3] rows; rows are in ascending height (the
// chain's merges stably sorted, then renamed with a union–find, as scipy does).
// cutTree(Z, k) applies the first n-k merges and numbers the k clusters by first appearance in row order.
// agglomerative() clusters a seeded sample when the data has more rows than sampleSize (default 5000) and gives every
// other row the label of the nearest sample-cluster centroid (Euclidean); it says `sampled: true` so the UI can say so.
import type { Matrix } from './matrix.ts';
import { takeRows } from './matrix.ts';
import { Prng, sampleIndexes } from './random.ts';
import { StrataError } from '../errors.ts';

/** The linkages supported. */
export type Linkage = 'ward' | 'average' | 'complete';

/** Progress callback: merges done so far of the total. */
export type MergeProgress = (done: number, total: number) => void;

/** scipy-style linkage matrix of a hierarchy over the rows of x ((rows - 1) × 4: a, b, height, size). */
export function linkageMatrix(x: Matrix, method: Linkage, onProgress?: MergeProgress): Matrix {
  checkFinite(x);
  const n = x.rows;
  const merges = method === 'ward' ? wardChain(x, onProgress) : matrixChain(x, method, onProgress);
  return label(merges, n);
}

/** Merges as found by the chain: slot a merged into slot b at height h (size filled in by label()). */
interface Merges {
  a: Uint32Array;
  b: Uint32Array;
  h: Float64Array;
}

/** NN-chain over the condensed matrix of a slot set, shared by both storage schemes through `dist`/`merge`. */
function chain(n: number, dist: (i: number, j: number) => number, merge: (x: number, y: number) => void, onProgress?: MergeProgress): Merges {
  const total = Math.max(0, n - 1);
  const out: Merges = { a: new Uint32Array(total), b: new Uint32Array(total), h: new Float64Array(total) };
  // Active slots in ascending order (scanned in order, so ties break towards the lower slot, deterministically).
  const active = new Uint32Array(n);
  for (let i = 0; i < n; i++) active[i] = i;
  let live = n;
  const stack = new Uint32Array(n);
  let top = 0;
  const step = Math.max(1, Math.floor(total / 100));
  for (let m = 0; m < total; m++) {
    if (top === 0) stack[top++] = active[0];
    let x = 0;
    let y = 0;
    let best = 0;
    for (;;) {
      x = stack[top - 1];
      // Prefer the previous chain element on ties: the strict < below keeps it, which guarantees termination.
      if (top >= 2) {
        y = stack[top - 2];
        best = dist(x, y);
      } else {
        y = x;
        best = Infinity;
      }
      for (let p = 0; p < live; p++) {
        const i = active[p];
        if (i === x) continue;
        const dxi = dist(x, i);
        if (dxi < best) {
          best = dxi;
          y = i;
        }
      }
      if (top >= 2 && y === stack[top - 2]) break;
      stack[top++] = y;
    }
    top -= 2;
    // The merged cluster lives on in slot max(x, y); the other slot retires.
    const keep = x > y ? x : y;
    const drop = x > y ? y : x;
    out.a[m] = drop;
    out.b[m] = keep;
    out.h[m] = best;
    merge(drop, keep);
    let p = 0;
    while (active[p] !== drop) p++;
    active.copyWithin(p, p + 1, live);
    live--;
    if (onProgress && m % step === 0) onProgress(m, total);
  }
  onProgress?.(total, total);
  return out;
}

/** Ward by NN-chain on centroids and sizes; the chain compares 2·ΔSSE and the merge height is its square root. */
function wardChain(x: Matrix, onProgress?: MergeProgress): Merges {
  const n = x.rows;
  const d = x.cols;
  const cen = Float64Array.from(x.data);
  const size = new Float64Array(n).fill(1);
  const dist = (i: number, j: number): number => {
    const oi = i * d;
    const oj = j * d;
    let s = 0;
    for (let c = 0; c < d; c++) {
      const t = cen[oi + c] - cen[oj + c];
      s += t * t;
    }
    const a = size[i];
    const b = size[j];
    return ((2 * a * b) / (a + b)) * s;
  };
  const merge = (drop: number, keep: number) => {
    const a = size[drop];
    const b = size[keep];
    const od = drop * d;
    const ok = keep * d;
    for (let c = 0; c < d; c++) cen[ok + c] = (a * cen[od + c] + b * cen[ok + c]) / (a + b);
    size[keep] = a + b;
  };
  const merges = chain(n, dist, merge, onProgress);
  for (let m = 0; m < merges.h.length; m++) merges.h[m] = Math.sqrt(merges.h[m]);
  return merges;
}

/** Average or complete linkage by NN-chain over a condensed distance matrix with Lance–Williams updates. */
function matrixChain(x: Matrix, method: 'average' | 'complete', onProgress?: MergeProgress): Merges {
  const n = x.rows;
  const d = x.cols;
  const cells = (n * (n - 1)) / 2;
  let D: Float64Array;
  try {
    D = new Float64Array(cells);
  } catch (err) {
    throw new StrataError(`Not enough memory for ${method} linkage on ${n} rows; use a smaller sample or Ward linkage.`, undefined, { cause: err });
  }
  // Row i's pairs (i, j > i) start at base[i]; the pair index is base[i] + j.
  const base = new Float64Array(n);
  for (let i = 0; i < n; i++) base[i] = n * i - (i * (i + 1)) / 2 - i - 1;
  const data = x.data;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) {
        const t = data[i * d + c] - data[j * d + c];
        s += t * t;
      }
      D[base[i] + j] = Math.sqrt(s);
    }
  }
  const size = new Float64Array(n).fill(1);
  const at = (i: number, j: number) => (i < j ? base[i] + j : base[j] + i);
  const dist = (i: number, j: number) => D[at(i, j)];
  const alive = new Uint8Array(n).fill(1);
  const merge = (drop: number, keep: number) => {
    const a = size[drop];
    const b = size[keep];
    alive[drop] = 0;
    for (let k = 0; k < n; k++) {
      if (!alive[k] || k === keep) continue;
      const da = D[at(k, drop)];
      const db = D[at(k, keep)];
      D[at(k, keep)] = method === 'average' ? (a * da + b * db) / (a + b) : da > db ? da : db;
    }
    size[keep] = a + b;
  };
  return chain(n, dist, merge, onProgress);
}

/** Sort the chain's merges by height (stably) and rename slots to scipy cluster ids with a union–find. */
function label(merges: Merges, n: number): Matrix {
  const total = merges.h.length;
  const order = Array.from({ length: total }, (_, i) => i).sort((p, q) => merges.h[p] - merges.h[q] || p - q);
  const parent = new Uint32Array(2 * n);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const size = new Float64Array(2 * n).fill(1);
  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r];
    while (parent[i] !== r) {
      const next = parent[i];
      parent[i] = r;
      i = next;
    }
    return r;
  };
  const out = new Float64Array(total * 4);
  for (let r = 0; r < total; r++) {
    const m = order[r];
    const a = find(merges.a[m]);
    const b = find(merges.b[m]);
    const id = n + r;
    parent[a] = id;
    parent[b] = id;
    size[id] = size[a] + size[b];
    out[r * 4] = Math.min(a, b);
    out[r * 4 + 1] = Math.max(a, b);
    out[r * 4 + 2] = merges.h[m];
    out[r * 4 + 3] = size[id];
  }
  return { data: out, rows: total, cols: 4 };
}

/** Labels 0..k-1 for the n = rows(Z) + 1 rows after the first n - k merges, numbered by first appearance in row order. */
export function cutTree(z: Matrix, k: number): Int32Array {
  const n = z.rows + 1;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new StrataError(`Cannot cut a hierarchy of ${n} rows into ${k} clusters.`);
  const parent = new Uint32Array(2 * n);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  for (let r = 0; r < n - k; r++) {
    parent[find(z.data[r * 4])] = n + r;
    parent[find(z.data[r * 4 + 1])] = n + r;
  }
  const labels = new Int32Array(n);
  const seen = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const root = find(i);
    let l = seen.get(root);
    if (l === undefined) seen.set(root, (l = seen.size));
    labels[i] = l;
  }
  return labels;
}

/** Options for agglomerative(). */
export interface AgglomerativeOptions {
  k: number;
  linkage?: Linkage;
  /** Cluster at most this many rows; larger data is sampled (seeded) and the rest assigned. Default 5000. */
  sampleSize?: number;
  seed?: number;
  onProgress?: MergeProgress;
}

/** Labels for every row, and whether (and on how many rows) the hierarchy was built on a sample. */
export interface AgglomerativeResult {
  labels: Int32Array;
  sampled: boolean;
  /** Rows the hierarchy was built on (all rows when not sampled). */
  sampleSize: number;
  /** The hierarchy of those rows (a dendrogram's input); row ids refer to `sampleRows` when sampled. */
  linkage: Matrix;
  /** The sampled rows, ascending (null when every row was clustered). */
  sampleRows: Uint32Array | null;
  /** k × cols centroids of the clusters (of the sample's members when sampled). */
  centres: Matrix;
}

/** Agglomerative clustering into k clusters, on a seeded sample when rows > sampleSize (see the header). */
export function agglomerative(x: Matrix, opts: AgglomerativeOptions): AgglomerativeResult {
  const { k, linkage = 'ward', sampleSize = 5000, seed = 0, onProgress } = opts;
  const n = x.rows;
  const d = x.cols;
  if (!Number.isInteger(sampleSize) || sampleSize < 1) throw new StrataError(`The sample size must be a whole number of at least 1 (got ${sampleSize}).`);
  const sampled = n > sampleSize;
  const m = sampled ? sampleSize : n;
  if (!Number.isInteger(k) || k < 1 || k > m) throw new StrataError(`Cannot make ${k} clusters from ${m} rows: choose between 1 and ${m}.`);
  const sampleRows = sampled ? sampleIndexes(new Prng(seed), n, m).sort() : null;
  const xs = sampleRows ? takeRows(x, sampleRows) : x;
  const z = linkageMatrix(xs, linkage, onProgress);
  const sampleLabels = cutTree(z, k);
  const centres = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let i = 0; i < m; i++) {
    const l = sampleLabels[i];
    counts[l]++;
    for (let c = 0; c < d; c++) centres[l * d + c] += xs.data[i * d + c];
  }
  for (let l = 0; l < k; l++) for (let c = 0; c < d; c++) centres[l * d + c] /= counts[l];
  let labels = sampleLabels;
  if (sampleRows) {
    labels = new Int32Array(n).fill(-1);
    for (let s = 0; s < m; s++) labels[sampleRows[s]] = sampleLabels[s];
    for (let i = 0; i < n; i++) {
      if (labels[i] >= 0) continue;
      let best = 0;
      let bestD = Infinity;
      for (let l = 0; l < k; l++) {
        let s = 0;
        for (let c = 0; c < d; c++) {
          const t = x.data[i * d + c] - centres[l * d + c];
          s += t * t;
        }
        if (s < bestD) {
          bestD = s;
          best = l;
        }
      }
      labels[i] = best;
    }
  }
  return { labels, sampled, sampleSize: m, linkage: z, sampleRows, centres: { data: centres, rows: k, cols: d } };
}

function checkFinite(x: Matrix): void {
  for (let i = 0; i < x.data.length; i++) {
    if (!Number.isFinite(x.data[i])) {
      throw new StrataError(`Row ${Math.floor(i / x.cols) + 1} has a missing or infinite value in column ${(i % x.cols) + 1}; fill or drop it before clustering.`);
    }
  }
}
