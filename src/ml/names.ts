// Human-readable cluster names from the clusters' mean z-scores.
//
// Input: the features, each with a semantic kind and a display word (the people a feature describes, e.g.
// { name: 'revenue', word: 'spenders', kind: 'money' }), and a k × d matrix: row i = cluster i's mean z-score of
// every feature (the members' mean minus the overall mean, over the overall standard deviation; clusterZScores).
//
// Rules, applied to each cluster on its own:
// 1. A feature stands out when |z| >= 0.5: "high" when z >= +0.5, "low" when z <= -0.5. (Recency is the number of
//    days since the last purchase, so high recency means long ago.) A non-finite z counts as 0.
// 2. The name is made from the two features with the largest |z| that stand out; equal |z|: the feature listed
//    first wins. None stands out: "Typical users".
// 3. Of those two, the stronger is the head and the other the modifier — except that a recency feature is the
//    modifier whenever the other feature is not recency (it reads as an adjective: "Lapsed one-time buyers").
// 4. Words by kind (the head uses "<qualifier> <word>", the modifier its adjective):
//      kind        high (z >= +0.5)                       low (z <= -0.5)
//      money       head "high <word>", adj "high-value"    head "low <word>", adj "low-value"
//      count       "repeat"                               "one-time"
//      frequency   "engaged"                              "occasional"
//      recency     "lapsed"                               "recent"
//      other       "high-<name>"                          "low-<name>"
//    (for count, frequency, recency and other the head qualifier and the adjective are the same word).
// 5. Name = "<adjective> <qualifier> <word>" with the first letter capitalised, e.g. "Engaged high spenders"
//    (frequency high + revenue high), "Lapsed one-time buyers" (recency high + orders low), "Recent repeat
//    browsers" (recency low + sessions high), "High spenders" (revenue alone). When the adjective equals the head's
//    qualifier (two count features both low: "one-time one-time buyers") the adjective is dropped.
// 6. Equal names: the first cluster (in cluster order) keeps the name, the next ones get " 2", " 3", … .
// For 'other' features the `name` appears in the label, so give them a short display name ("discount").
import type { Matrix } from './matrix.ts';
import { StrataError } from '../errors.ts';

/** What a feature measures, which decides the words used for it. */
export type FeatureKind = 'money' | 'count' | 'recency' | 'frequency' | 'other';

/** A feature as the namer sees it. */
export interface NamedFeature {
  /** Display name (used in labels for kind 'other'). */
  name: string;
  /** The noun for the people the feature describes: 'spenders', 'buyers', 'visitors'. */
  word: string;
  kind: FeatureKind;
}

/** |z| at or above which a feature stands out. */
export const NAME_THRESHOLD = 0.5;

/** The name of a cluster in which no feature stands out. */
export const TYPICAL = 'Typical users';

/** One name per cluster (row of z), by the rules in the header; names are unique. */
export function clusterNames(features: readonly NamedFeature[], z: Matrix): string[] {
  const d = features.length;
  if (z.cols !== d) throw new StrataError(`Cluster naming got ${d} features but z-scores for ${z.cols}.`);
  const names: string[] = [];
  for (let i = 0; i < z.rows; i++) names.push(nameOne(features, z.data.subarray(i * d, (i + 1) * d)));
  return dedupe(names);
}

function nameOne(features: readonly NamedFeature[], z: Float64Array): string {
  let first = -1;
  let second = -1;
  const mag = (j: number) => (Number.isFinite(z[j]) ? Math.abs(z[j]) : 0);
  for (let j = 0; j < features.length; j++) {
    if (mag(j) < NAME_THRESHOLD) continue;
    if (first < 0 || mag(j) > mag(first)) {
      second = first;
      first = j;
    } else if (second < 0 || mag(j) > mag(second)) second = j;
  }
  if (first < 0) return TYPICAL;
  let head = first;
  let mod = second;
  if (mod >= 0 && features[head].kind === 'recency' && features[mod].kind !== 'recency') {
    head = second;
    mod = first;
  }
  const h = features[head];
  const qualifier = words(h, z[head] > 0).qualifier;
  const adjective = mod >= 0 ? words(features[mod], z[mod] > 0).adjective : '';
  const parts = adjective && adjective !== qualifier ? [adjective, qualifier, h.word] : [qualifier, h.word];
  const name = parts.join(' ');
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** The head qualifier and the modifier adjective of a feature in one direction (the table in the header). */
function words(f: NamedFeature, high: boolean): { qualifier: string; adjective: string } {
  switch (f.kind) {
    case 'money':
      return high ? { qualifier: 'high', adjective: 'high-value' } : { qualifier: 'low', adjective: 'low-value' };
    case 'count':
      return same(high ? 'repeat' : 'one-time');
    case 'frequency':
      return same(high ? 'engaged' : 'occasional');
    case 'recency':
      return same(high ? 'lapsed' : 'recent');
    case 'other':
      return same(`${high ? 'high' : 'low'}-${f.name}`);
  }
}

function same(word: string): { qualifier: string; adjective: string } {
  return { qualifier: word, adjective: word };
}

/** Second and later copies of a name get " 2", " 3", …, skipping any suffix already taken. */
function dedupe(names: string[]): string[] {
  const taken = new Set(names);
  const seen = new Map<string, number>();
  return names.map((name) => {
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    if (count === 1) return name;
    let k = count;
    while (taken.has(`${name} ${k}`)) k++;
    const unique = `${name} ${k}`;
    taken.add(unique);
    seen.set(name, k);
    return unique;
  });
}

/**
 * Mean z-score of every feature per cluster (k × d): z = (x - overall mean) / overall population standard
 * deviation, over all rows; a constant feature has z 0. Rows whose label is outside 0..k-1 (noise) count in the
 * overall mean and deviation but in no cluster; a cluster without rows gets zeros.
 */
export function clusterZScores(x: Matrix, labels: Int32Array, k: number): Matrix {
  const { rows: n, cols: d } = x;
  if (labels.length !== n) throw new StrataError(`Cluster z-scores got ${n} rows but ${labels.length} labels.`);
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x.data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= Math.max(1, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sd[j] += (x.data[i * d + j] - mean[j]) ** 2;
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j] / Math.max(1, n));
  const out = new Float64Array(k * d);
  const size = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (c < 0 || c >= k) continue;
    size[c]++;
    for (let j = 0; j < d; j++) out[c * d + j] += x.data[i * d + j];
  }
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) {
      out[c * d + j] = size[c] > 0 && sd[j] > 0 ? (out[c * d + j] / size[c] - mean[j]) / sd[j] : 0;
    }
  }
  return { data: out, rows: k, cols: d };
}
