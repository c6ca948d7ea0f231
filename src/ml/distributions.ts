// The distribution of each feature per cluster, on the values as read (before log1p and scaling, so the figures
// are orders, euros and days): five-number summaries for a box plot. Quantiles interpolate linearly between order
// statistics (numpy's default, "linear" / type 7). Missing values (NaN) are left out; a cluster with no value for
// a feature gets nulls. Noise (label -1) is its own group after the clusters when present.
import type { Matrix } from './matrix.ts';

/** min, first quartile, median, third quartile, max — or null when the group has no value. */
export type FiveNumbers = [number, number, number, number, number] | null;

export interface FeatureDistribution {
  /** Per cluster 0..k-1, then noise when any row is noise. */
  groups: FiveNumbers[];
}

/** Quantile q of sorted `v` (type 7). */
export function quantileSorted(v: ArrayLike<number>, q: number): number {
  const h = (v.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(v.length - 1, lo + 1);
  return v[lo] + (h - lo) * (v[hi] - v[lo]);
}

/**
 * Five numbers per cluster and column of `raw` (rows × cols, NaN = missing). Every row once per column: rows are
 * bucketed by label, each bucket sorted (Float64Array sort, numeric).
 */
export function clusterDistributions(raw: Matrix, labels: Int32Array, k: number): FeatureDistribution[] {
  const { rows: n, cols: d, data } = raw;
  let noise = 0;
  const size = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (l < 0) noise++;
    else if (l < k) size[l]++;
  }
  const groups = noise ? k + 1 : k;
  const groupOf = (l: number) => (l < 0 ? k : l);
  // Row indexes by group, once.
  const start = new Int32Array(groups + 1);
  for (let i = 0; i < n; i++) if (labels[i] < k) start[groupOf(labels[i]) + 1]++;
  for (let g = 0; g < groups; g++) start[g + 1] += start[g];
  const fill = start.slice(0, groups);
  const order = new Int32Array(start[groups]);
  for (let i = 0; i < n; i++) if (labels[i] < k) order[fill[groupOf(labels[i])]++] = i;
  const out: FeatureDistribution[] = [];
  const buf = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    const five: FiveNumbers[] = [];
    for (let g = 0; g < groups; g++) {
      let m = 0;
      for (let p = start[g]; p < start[g + 1]; p++) {
        const v = data[order[p] * d + j];
        if (v === v) buf[m++] = v; // not NaN
      }
      if (!m) {
        five.push(null);
        continue;
      }
      const s = buf.subarray(0, m).sort();
      five.push([s[0], quantileSorted(s, 0.25), quantileSorted(s, 0.5), quantileSorted(s, 0.75), s[m - 1]]);
    }
    out.push({ groups: five });
  }
  return out;
}
