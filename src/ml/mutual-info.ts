// Mutual information between each feature and a cluster label, by the plain plug-in estimator on binned features.
//
// 1. Discretise each feature into (at most) `bins` equal-frequency bins, 10 by default: rows are ranked by value
//    and the row at rank r (0-based, ascending) falls in bin floor(r · bins / n) — except that equal values always
//    share a bin, the bin of the first of them. So a feature with few distinct values gets fewer, uneven bins
//    (a binary feature gets 2), and a constant feature gets 1.
// 2. Count the contingency table n(x, c) of bin x against label c (every distinct label value is a class, so
//    DBSCAN's noise label -1 is a class of its own).
// 3. I(X; C) = Σ_x Σ_c n(x,c)/n · ln( n · n(x,c) / (n(x) · n(c)) ), in nats (natural log), over non-empty cells.
//
// This is the plug-in (maximum-likelihood) estimate, not sklearn's mutual_info_classif (a k-nearest-neighbour
// estimator on the raw values). It is biased upwards by about (bins_X - 1)(classes - 1) / (2n) nats, so an
// independent feature scores slightly above 0 on small samples; it is at most min(H(X_binned), H(C)), and a
// feature whose bins determine the label scores exactly H(C), the label entropy.
import type { Matrix } from './matrix.ts';
import { StrataError } from '../errors.ts';

/** Equal-frequency bins used by default. */
export const MI_BINS = 10;

/** Per feature (column of x), the plug-in mutual information with `labels` in nats. */
export function mutualInfo(x: Matrix, labels: Int32Array, options: { bins?: number } = {}): Float64Array {
  const { rows: n, cols: d } = x;
  const bins = options.bins ?? MI_BINS;
  if (labels.length !== n) throw new StrataError(`Mutual information got ${n} rows but ${labels.length} labels.`);
  if (!Number.isInteger(bins) || bins < 1) throw new StrataError(`Mutual information needs a whole number of bins >= 1 (got ${bins}).`);
  const out = new Float64Array(d);
  if (n === 0) return out;
  const { codes: cls, count: k } = classCodes(labels);
  const column = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) {
      const v = x.data[i * d + j];
      if (Number.isNaN(v)) throw new StrataError(`Row ${i + 1} has a missing value in column ${j + 1}; fill or drop it first.`);
      column[i] = v;
    }
    out[j] = miCodes(equalFrequencyBins(column, bins), bins, cls, k);
  }
  return out;
}

/** Bin index (0..bins-1) per value: equal-frequency by rank, ties sharing the bin of their first rank. */
export function equalFrequencyBins(values: Float64Array, bins: number): Int32Array {
  const n = values.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => values[a] - values[b] || a - b);
  const out = new Int32Array(n);
  let bin = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r];
    if (r === 0 || values[i] !== values[order[r - 1]]) bin = Math.floor((r * bins) / n);
    out[i] = bin;
  }
  return out;
}

/** Plug-in I(A; B) in nats for codes a in 0..ka-1 and b in 0..kb-1. */
export function miCodes(a: Int32Array, ka: number, b: Int32Array, kb: number): number {
  const n = a.length;
  if (n === 0) return 0;
  const joint = new Float64Array(ka * kb);
  const na = new Float64Array(ka);
  const nb = new Float64Array(kb);
  for (let i = 0; i < n; i++) {
    joint[a[i] * kb + b[i]]++;
    na[a[i]]++;
    nb[b[i]]++;
  }
  let mi = 0;
  for (let u = 0; u < ka; u++) {
    for (let v = 0; v < kb; v++) {
      const c = joint[u * kb + v];
      if (c > 0) mi += (c / n) * Math.log((n * c) / (na[u] * nb[v]));
    }
  }
  // Rounding can leave -1e-17 for independent codes; MI is never negative.
  return Math.max(0, mi);
}

/** Entropy of the labels in nats (the largest mutual information any feature can have with them). */
export function labelEntropy(labels: Int32Array): number {
  const n = labels.length;
  if (n === 0) return 0;
  const { codes, count } = classCodes(labels);
  const counts = new Float64Array(count);
  for (let i = 0; i < n; i++) counts[codes[i]]++;
  let h = 0;
  for (let c = 0; c < count; c++) if (counts[c] > 0) h -= (counts[c] / n) * Math.log(counts[c] / n);
  return h;
}

/** Labels (any integers) -> codes 0..count-1 in ascending label order. */
function classCodes(labels: Int32Array): { codes: Int32Array; count: number } {
  const distinct = Int32Array.from(new Set(labels)).sort();
  const index = new Map<number, number>();
  distinct.forEach((v, i) => index.set(v, i));
  const codes = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) codes[i] = index.get(labels[i]) ?? 0;
  return { codes, count: distinct.length };
}
