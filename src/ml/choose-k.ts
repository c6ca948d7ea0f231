// Choosing the number of segments k: run seeded k-means for every k in [kMin, kMax] and score each clustering.
//
// scanK: for each k (kMax is lowered to rows − 1, the largest k a silhouette is defined for), k-means (src/ml/kmeans.ts,
// the same seed and restarts for every k; or mini-batch k-means with `method: 'mini-batch'` for 1M+ users) and:
//  - inertia (within-cluster sum of squares, always falls as k grows),
//  - silhouette (−1..1, higher is better; on a seeded sample of `silhouetteSample` rows, default 10,000 — the same
//    sample for every k, since it depends only on the seed and the row count),
//  - Calinski–Harabasz (higher is better) and Davies–Bouldin (lower is better) on all rows.
// A score that is undefined for a clustering (fewer than two non-empty clusters, e.g. on constant data) is NaN.
//
// recommendK, the rule (documented for users):
//  1. Take the k with the highest silhouette. Silhouettes within SILHOUETTE_TIE (0.01) of it count as a tie — the
//     difference is below what the two decimals shown can tell apart and within sampling noise — and among the tied
//     k the highest Calinski–Harabasz wins (then the smaller k).
//  2. The elbow is reported beside it: on the inertia curve scaled to [0, 1] on both axes, the k farthest from the
//     straight line between the first and the last point (at least three k values; the smaller k on ties).
//  3. If no silhouette is defined, the elbow is the recommendation.
// The `why` is one or two plain sentences for the UI, including how strong the structure is, after Kaufman &
// Rousseeuw's reading of the silhouette: > 0.70 strong, > 0.50 reasonable, > 0.25 weak, otherwise little.
import type { Matrix } from './matrix.ts';
import { checkFinite, kmeans, miniBatchKmeans, type Engine } from './kmeans.ts';
import { calinskiHarabasz, daviesBouldin, silhouettes, SILHOUETTE_SAMPLE } from './metrics.ts';

/** Silhouettes this close to the best are a tie (broken by Calinski–Harabasz). */
export const SILHOUETTE_TIE = 0.01;

export interface ScanOptions {
  kMin?: number;
  kMax?: number;
  seed?: number;
  /** k-means restarts per k (default 4). */
  restarts?: number;
  /** Rows in the silhouette's sample (default 10,000). */
  silhouetteSample?: number;
  /** 'full' (default): kmeans with restarts; 'mini-batch': miniBatchKmeans, for 1M+ users. */
  method?: 'full' | 'mini-batch';
  engine?: 'auto' | Exclude<Engine, 'pooled'>;
  maxIter?: number;
  /** Called after each k's clustering ('k-means'), then as the silhouettes of them all advance ('silhouettes'). */
  onProgress?: (done: number, total: number, phase: 'k-means' | 'silhouettes') => void;
}

export interface KScore {
  k: number;
  inertia: number;
  silhouette: number;
  calinskiHarabasz: number;
  daviesBouldin: number;
  iterations: number;
}

/** Score k-means for every k in [kMin, kMax] (see the header). */
export function scanK(x: Matrix, options: ScanOptions = {}): KScore[] {
  const {
    kMin = 2, seed = 0, restarts = 4, silhouetteSample = SILHOUETTE_SAMPLE, method = 'full', engine, maxIter, onProgress,
  } = options;
  const n = x.rows;
  const kMax = Math.min(options.kMax ?? 10, n - 1);
  if (!Number.isInteger(kMin) || kMin < 2) throw new RangeError(`The smallest k to compare must be a whole number of at least 2, got ${kMin}.`);
  if (kMin > kMax) {
    throw new RangeError(n - 1 < kMin
      ? `Comparing ${kMin} segments needs at least ${kMin + 1} users; there are ${n}.`
      : `The largest k (${kMax}) is below the smallest (${kMin}).`);
  }
  checkFinite(x);
  const orNaN = (f: () => number): number => {
    try {
      return f();
    } catch (e) {
      if (e instanceof RangeError) return NaN;
      throw e;
    }
  };
  // First every k's clustering, then the silhouettes of all of them in one pass over the sample's pairs (each
  // pair's distance computed once, not once per k: the silhouettes were ~85% of a scan of 5,000 users).
  const ks = kMax - kMin + 1;
  const runs: { k: number; labels: Int32Array; inertia: number; iterations: number }[] = [];
  for (let k = kMin; k <= kMax; k++) {
    const run = method === 'mini-batch'
      ? miniBatchKmeans(x, { k, seed, maxIter })
      : kmeans(x, { k, seed, restarts, engine, maxIter });
    runs.push({ k, labels: run.labels, inertia: run.inertia, iterations: run.iterations });
    onProgress?.(k - kMin + 1, ks, 'k-means');
  }
  const sil = silhouettes(x, runs.map((r) => r.labels), { sampleSize: silhouetteSample, seed },
    onProgress && ((f) => onProgress(Math.round(f * ks), ks, 'silhouettes')));
  onProgress?.(ks, ks, 'silhouettes');
  return runs.map((r, i) => ({
    k: r.k,
    inertia: r.inertia,
    silhouette: sil[i],
    calinskiHarabasz: orNaN(() => calinskiHarabasz(x, r.labels)),
    daviesBouldin: orNaN(() => daviesBouldin(x, r.labels)),
    iterations: r.iterations,
  }));
}

/** The elbow of the inertia curve (see the header), or null with fewer than three k values or a flat curve. */
export function elbowK(scan: readonly KScore[]): number | null {
  if (scan.length < 3) return null;
  const first = scan[0];
  const last = scan[scan.length - 1];
  const dk = last.k - first.k;
  const di = first.inertia - last.inertia;
  if (!(dk > 0) || !(di > 0) || !Number.isFinite(di)) return null;
  // Scaled points (u, v) = ((k − k0)/dk, (I − I_last)/di); the line runs from (0, 1) to (1, 0): u + v = 1.
  let best: number | null = null;
  let bestDist = 0;
  for (const s of scan) {
    const u = (s.k - first.k) / dk;
    const v = (s.inertia - last.inertia) / di;
    const dist = Math.abs(u + v - 1) / Math.SQRT2;
    if (dist > bestDist) {
      bestDist = dist;
      best = s.k;
    }
  }
  return best;
}

export interface Recommendation {
  k: number;
  /** One or two sentences for users. */
  why: string;
  /** The elbow of the inertia curve, when there is one. */
  elbow: number | null;
  rule: 'silhouette' | 'elbow';
}

function strength(s: number): string {
  if (s > 0.7) return 'strong structure: users sit clearly closer to their own segment than to any other';
  if (s > 0.5) return 'reasonable structure: most users sit clearly closer to their own segment than to the next';
  if (s > 0.25) return 'weak structure: segments overlap, so read them as a useful split rather than natural groups';
  return 'little structure: the data has no clear groups, so these segments are an arbitrary if consistent split';
}

const fmt2 = (v: number): string => v.toFixed(2);
const fmtInt = (v: number): string => Math.round(v).toLocaleString('en-US');

/** Recommend k from a scan by the documented rule (best silhouette, ties by Calinski–Harabasz; elbow beside it). */
export function recommendK(scan: readonly KScore[]): Recommendation {
  if (scan.length === 0) throw new RangeError('There are no clusterings to choose from.');
  const range = scan.length > 1 ? `k = ${scan[0].k}–${scan[scan.length - 1].k}` : `k = ${scan[0].k}`;
  const elbow = elbowK(scan);
  const scored = scan.filter((s) => Number.isFinite(s.silhouette));
  if (scored.length === 0) {
    const k = elbow ?? scan[0].k;
    const why = elbow === null
      ? `${k} segments: no silhouette could be computed for ${range} and the inertia curve has no elbow, so the smallest k is suggested.`
      : `${k} segments: no silhouette could be computed for ${range}, so this is the elbow of the inertia curve, where adding segments stops paying off.`;
    return { k, why, elbow, rule: 'elbow' };
  }
  const top = scored.reduce((a, b) => (b.silhouette > a.silhouette ? b : a));
  const tied = scored.filter((s) => s.silhouette >= top.silhouette - SILHOUETTE_TIE);
  const chosen = tied.reduce((a, b) => {
    const ca = Number.isFinite(a.calinskiHarabasz) ? a.calinskiHarabasz : -Infinity;
    const cb = Number.isFinite(b.calinskiHarabasz) ? b.calinskiHarabasz : -Infinity;
    return cb > ca || (cb === ca && b.k < a.k) ? b : a;
  });
  let why: string;
  if (tied.length === 1) {
    why = `${chosen.k} segments: the best silhouette of ${range} (${fmt2(chosen.silhouette)}), which means ${strength(chosen.silhouette)}.`;
  } else {
    const others = tied.filter((s) => s !== chosen).map((s) => s.k).join(', ');
    why = `${chosen.k} segments: its silhouette (${fmt2(chosen.silhouette)}) ties with the best of ${range} `
      + `(within ${SILHOUETTE_TIE} of ${fmt2(top.silhouette)}, also k = ${others}) and it separates segments best by the `
      + `Calinski–Harabasz score (${fmtInt(chosen.calinskiHarabasz)}); that silhouette means ${strength(chosen.silhouette)}.`;
  }
  if (elbow !== null) {
    why += elbow === chosen.k
      ? ' The inertia curve\'s elbow is at the same k.'
      : ` The inertia curve's elbow, where adding segments stops paying off, is at k = ${elbow}${elbow < chosen.k ? ', a coarser alternative' : ', a finer alternative'}.`;
  }
  return { k: chosen.k, why, elbow, rule: 'silhouette' };
}
