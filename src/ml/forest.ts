// A histogram-based random forest classifier (Breiman 2001 with sklearn's RandomForestClassifier conventions, on
// features binned once like LightGBM / sklearn's HistGradientBoosting), plus permutation importance.
//
// Binning (once, on the training data): per feature, the sorted distinct values. With at most `bins` distinct
// values every gap between neighbours is a candidate threshold (the midpoint, as sklearn's exact trees use);
// otherwise thresholds are cut greedily at equal frequency over the distinct values (a cut after the distinct value
// where the current bin reaches (rows left) / (bins left) rows), so at most `bins` bins (2..255, uint8 codes)
// and a heavy value is never split across bins. Code of v = number of thresholds < v, so "code <= b" is exactly
// "v <= thresholds[b]": a split is stored both ways (bin and raw threshold).
//
// Each tree (tree t is seeded from (seed, t) alone, so trees could be trained in any order or in several workers):
// - bootstrap (default): n draws with replacement; a row drawn m times has weight m (sklearn's sample weights).
//   Without bootstrap every row has weight 1. Sample counts below (minSamplesLeaf, leaf fractions) are weights.
// - grown depth-first from [start, end) ranges of one sample-index array, partitioned in place; no per-node arrays.
// - at each node, features are drawn without replacement in random order and evaluated until `maxFeatures` of them
//   were not constant in the node (sklearn's rule; constant features do not count). For each, a weighted class
//   histogram over its bins; every bin boundary is tried; the split maximising the weighted Gini decrease
//   W·G(node) - W_L·G(left) - W_R·G(right), with W_L, W_R >= minSamplesLeaf, wins (ties: the first found).
//   As sklearn, the best valid split is taken even when its decrease is 0.
// - a node is a leaf when depth = maxDepth, when its weight is < 2 · minSamplesLeaf, when it is pure, or when no
//   valid split exists. A leaf (every node, in fact) stores its weighted class fractions.
// maxFeatures: 'sqrt' = max(1, floor(sqrt(d))) (sklearn's default), 'log2' = max(1, floor(log2 d)), 'all' = d,
// or a whole number >= 1 (at most d).
//
// Prediction: predictProba averages the trees' leaf class fractions (columns in the order of `classes`, the
// sorted distinct training labels); predict takes the most probable class (ties: the smaller label). Rows are
// first coded with the training thresholds, so a step compares uint8 codes — the same decision as
// x[feature] <= threshold, which is how the trees are stored.
// impurityImportance (sklearn's feature_importances_): per tree, the Gini decreases of its splits summed per
// feature and normalised to sum 1 (a tree without splits contributes zeros); averaged over trees; normalised to 1.
// permutationImportance: accuracy on held-out rows minus the accuracy with one column's values shuffled across
// rows, averaged over `repeats` shuffles (can be negative: shuffling a useless column may help by chance).
// Training and prediction inputs must be finite (a StrataError says where not).
import type { Matrix } from './matrix.ts';
import { Prng, permutation } from './random.ts';
import { StrataError } from '../errors.ts';

/** How many features each split considers. */
export type MaxFeatures = 'sqrt' | 'log2' | 'all' | number;

/** Random forest training options (defaults as in the header). */
export interface ForestOptions {
  /** Number of trees. Default 100. */
  trees?: number;
  /** Maximum depth of a tree (the root is depth 0). Default 12. */
  maxDepth?: number;
  /** Minimum (bootstrap-weighted) samples in each leaf. Default 5. */
  minSamplesLeaf?: number;
  /** Features tried per split. Default 'sqrt'. */
  maxFeatures?: MaxFeatures;
  /** Draw each tree's rows with replacement. Default true. */
  bootstrap?: boolean;
  /** Seed for bootstraps and feature draws. Default 1. */
  seed?: number;
  /** Maximum bins per feature, 2..255. Default 64. */
  bins?: number;
  /** Called after each tree with (trees done, trees total). */
  onProgress?: (done: number, total: number) => void;
}

/** One fitted tree as flat arrays; node 0 is the root, feature -1 marks a leaf. */
export interface Tree {
  nodeCount: number;
  /** Split feature, or -1 for a leaf. */
  feature: Int32Array;
  /** Rows with x[feature] <= threshold go left. */
  threshold: Float64Array;
  /** The same split on bin codes: rows whose code for the feature is <= bin go left (thresholds[feature][bin]). */
  bin: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** Weighted samples that reached the node. */
  weight: Float64Array;
  /** Gini impurity of the node. */
  impurity: Float64Array;
  /** nodeCount × classes: weighted class fractions of the node. */
  proba: Float64Array;
}

/** A fitted random forest. */
export interface Forest {
  /** The sorted distinct training labels; class k of predictProba is classes[k]. */
  classes: Int32Array;
  nFeatures: number;
  /** Per feature, the ascending bin thresholds (bins - 1 of them at most). */
  thresholds: Float64Array[];
  trees: Tree[];
  /** Mean decrease in Gini per feature, normalised to sum 1 (all zeros if no tree split). */
  impurityImportance: Float64Array;
  /** The most probable label per row. */
  predict(x: Matrix): Int32Array;
  /** n × classes: mean over trees of the leaf class fractions. */
  predictProba(x: Matrix): Matrix;
}

/** Train a histogram random forest classifier on x (n × d) and labels y (any integers). */
export function trainForest(x: Matrix, y: Int32Array, options: ForestOptions = {}): Forest {
  const { rows: n, cols: d } = x;
  const nTrees = options.trees ?? 100;
  const maxDepth = options.maxDepth ?? 12;
  const minLeaf = options.minSamplesLeaf ?? 5;
  const bootstrap = options.bootstrap ?? true;
  const seed = options.seed ?? 1;
  const bins = options.bins ?? 64;
  if (n < 1 || d < 1) throw new StrataError('The random forest needs at least one row and one feature.');
  if (y.length !== n) throw new StrataError(`The random forest got ${n} rows but ${y.length} labels.`);
  if (!Number.isInteger(nTrees) || nTrees < 1) throw new StrataError(`The random forest needs at least one tree (got ${nTrees}).`);
  if (!Number.isInteger(maxDepth) || maxDepth < 0) throw new StrataError(`The tree depth must be a whole number >= 0 (got ${maxDepth}).`);
  if (!Number.isInteger(minLeaf) || minLeaf < 1) throw new StrataError(`The minimum leaf size must be a whole number >= 1 (got ${minLeaf}).`);
  if (!Number.isInteger(bins) || bins < 2 || bins > 255) throw new StrataError(`The number of bins must be between 2 and 255 (got ${bins}).`);
  checkFinite(x, 'training');
  const mtry = featuresPerSplit(options.maxFeatures ?? 'sqrt', d);

  // Labels -> class indexes 0..K-1.
  const classes = Int32Array.from(new Set(y)).sort();
  const K = classes.length;
  if (K > 4096) throw new StrataError(`The random forest got ${K} distinct labels; it is meant for at most 4096 classes.`);
  const yk = new Uint16Array(n);
  for (let i = 0; i < n; i++) yk[i] = searchInt(classes, y[i]);

  // Binning: row-major uint8 codes, so one row's codes for every feature share a cache line.
  const thresholds: Float64Array[] = [];
  const binned = new Uint8Array(n * d);
  const column = new Float64Array(n);
  for (let f = 0; f < d; f++) {
    for (let i = 0; i < n; i++) column[i] = x.data[i * d + f];
    const t = binThresholds(column, bins);
    thresholds.push(t);
    for (let i = 0; i < n; i++) binned[i * d + f] = countBelow(t, column[i]);
  }

  const ctx: Ctx = {
    n, d, K, maxDepth, minLeaf, mtry, binned, thresholds,
    index: new Uint32Array(n),
    label: new Uint16Array(n),
    weight: new Int32Array(n),
    hist: new Float64Array(mtry * 256 * K),
    lo: new Int32Array(mtry),
    hi: new Int32Array(mtry),
    drawn: new Int32Array(mtry),
    order: Int32Array.from({ length: d }, (_, j) => j),
    left: new Float64Array(K),
    best: new Float64Array(K),
  };
  const draws = new Int32Array(n);
  const trees: Tree[] = [];
  const importance = new Float64Array(d);
  const treeImportance = new Float64Array(d);
  for (let t = 0; t < nTrees; t++) {
    const rng = new Prng((seed ^ Math.imul(t + 1, 0x9e3779b9)) >>> 0);
    for (let j = 0; j < d; j++) ctx.order[j] = j;
    if (bootstrap) {
      draws.fill(0);
      for (let i = 0; i < n; i++) draws[rng.int(n)]++;
    } else draws.fill(1);
    let m = 0;
    for (let i = 0; i < n; i++) {
      if (draws[i] === 0) continue;
      ctx.index[m] = i;
      ctx.label[m] = yk[i];
      ctx.weight[m++] = draws[i];
    }
    treeImportance.fill(0);
    trees.push(growTree(ctx, m, rng, treeImportance));
    let s = 0;
    for (let f = 0; f < d; f++) s += treeImportance[f];
    if (s > 0) for (let f = 0; f < d; f++) importance[f] += treeImportance[f] / s;
    options.onProgress?.(t + 1, nTrees);
  }
  normalise(importance);

  const packed = trees.map(packTree);
  const probaOf = (codes: Uint8Array, rows: number) => averageProba(packed, trees, K, codes, rows, d);
  const predictProba = (m: Matrix): Matrix => {
    if (m.cols !== d) throw new StrataError(`The model was trained on ${d} features; this data has ${m.cols}.`);
    checkFinite(m, 'prediction');
    return { data: probaOf(encode(thresholds, m), m.rows), rows: m.rows, cols: K };
  };
  const forest: Forest = {
    classes,
    nFeatures: d,
    thresholds,
    trees,
    impurityImportance: importance,
    predictProba,
    predict(m: Matrix): Int32Array {
      return mostProbable(predictProba(m).data, m.rows, classes);
    },
  };
  coded.set(forest, { probaOf });
  return forest;
}

/** Prediction on bin codes, for permutation importance: shuffling codes is shuffling values, without re-binning. */
const coded = new WeakMap<Forest, { probaOf(codes: Uint8Array, rows: number): Float64Array }>();

/** Row-major bin codes of x: code = number of the feature's thresholds below the value. */
function encode(thresholds: Float64Array[], x: Matrix): Uint8Array {
  const { rows: n, cols: d } = x;
  const codes = new Uint8Array(n * d);
  for (let i = 0; i < n * d; i++) codes[i] = countBelow(thresholds[i % d], x.data[i]);
  return codes;
}

/** A tree as one Int32Array of node pairs [feature << 8 | bin (-1 for a leaf), left child]: one cache line a step. */
function packTree(tree: Tree): Int32Array {
  const out = new Int32Array(2 * tree.nodeCount);
  for (let v = 0; v < tree.nodeCount; v++) {
    out[2 * v] = tree.feature[v] < 0 ? -1 : (tree.feature[v] << 8) | tree.bin[v];
    out[2 * v + 1] = tree.left[v];
  }
  return out;
}

/** Mean over trees of the leaf class fractions reached by each row of codes (rows × K). */
function averageProba(packed: Int32Array[], trees: Tree[], K: number, codes: Uint8Array, rows: number, d: number): Float64Array {
  const out = new Float64Array(rows * K);
  for (let t = 0; t < trees.length; t++) {
    const nodes = packed[t];
    const proba = trees[t].proba;
    for (let i = 0; i < rows; i++) {
      const o = i * d;
      let node = 0;
      // Code <= the node's bin goes left; right = left + 1 (children come in pairs): a branch-free step.
      for (let w = nodes[0]; w >= 0; w = nodes[2 * node]) node = nodes[2 * node + 1] + +(codes[o + (w >>> 8)] > (w & 255));
      for (let k = 0, p = node * K, q = i * K; k < K; k++) out[q + k] += proba[p + k];
    }
  }
  for (let i = 0; i < out.length; i++) out[i] /= trees.length;
  return out;
}

/** The label of the most probable class per row (ties: the smaller label). */
function mostProbable(proba: Float64Array, rows: number, classes: Int32Array): Int32Array {
  const K = classes.length;
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (proba[i * K + k] > proba[i * K + best]) best = k;
    out[i] = classes[best];
  }
  return out;
}

/** Permutation importance's result, per feature. */
export interface PermutationImportance {
  /** Mean drop in accuracy over the repeats when the column is shuffled. */
  mean: Float64Array;
  /** Standard deviation of the drop over the repeats (population, as sklearn's importances_std). */
  std: Float64Array;
  /** Accuracy on the untouched rows. */
  baseline: number;
}

/** Drop in held-out accuracy when each column in turn is shuffled across rows (Breiman; sklearn's permutation_importance). */
export function permutationImportance(
  model: Forest,
  x: Matrix,
  y: Int32Array,
  options: { repeats?: number; seed?: number } = {},
): PermutationImportance {
  const repeats = options.repeats ?? 3;
  const rng = new Prng(options.seed ?? 1);
  const { rows: n, cols: d } = x;
  if (y.length !== n) throw new StrataError(`Permutation importance got ${n} rows but ${y.length} labels.`);
  if (n < 1) throw new StrataError('Permutation importance needs at least one held-out row.');
  if (!Number.isInteger(repeats) || repeats < 1) throw new StrataError(`Permutation importance needs at least one repeat (got ${repeats}).`);
  if (d !== model.nFeatures) throw new StrataError(`The model was trained on ${model.nFeatures} features; this data has ${d}.`);
  checkFinite(x, 'held-out');
  const internal = coded.get(model);
  if (!internal) throw new StrataError('Permutation importance needs a forest made by trainForest in this thread.');
  // Shuffling a column of bin codes is shuffling its values (code order is value order), without re-binning.
  const codes = encode(model.thresholds, x);
  const work = codes.slice();
  const accuracy = () => {
    const p = mostProbable(internal.probaOf(work, n), n, model.classes);
    let ok = 0;
    for (let i = 0; i < n; i++) if (p[i] === y[i]) ok++;
    return ok / n;
  };
  const baseline = accuracy();
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  const drops = new Float64Array(repeats);
  for (let j = 0; j < d; j++) {
    for (let r = 0; r < repeats; r++) {
      const perm = permutation(rng, n);
      for (let i = 0; i < n; i++) work[i * d + j] = codes[perm[i] * d + j];
      drops[r] = baseline - accuracy();
    }
    for (let i = 0; i < n; i++) work[i * d + j] = codes[i * d + j];
    let s = 0;
    for (let r = 0; r < repeats; r++) s += drops[r];
    mean[j] = s / repeats;
    let v = 0;
    for (let r = 0; r < repeats; r++) v += (drops[r] - mean[j]) ** 2;
    std[j] = Math.sqrt(v / repeats);
  }
  return { mean, std, baseline };
}

/** Ascending thresholds binning one column into at most `bins` bins (see the header). */
export function binThresholds(values: Float64Array, bins: number): Float64Array {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let D = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) D++;
  const distinct = new Float64Array(D);
  const counts = new Int32Array(D);
  for (let i = 0, u = -1; i < n; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) distinct[++u] = sorted[i];
    counts[u]++;
  }
  const out: number[] = [];
  if (D <= bins) {
    for (let i = 0; i + 1 < D; i++) out.push(midpoint(distinct[i], distinct[i + 1]));
  } else {
    let binsLeft = bins;
    let taken = 0;
    let inBin = 0;
    for (let i = 0; i + 1 < D && binsLeft > 1; i++) {
      inBin += counts[i];
      if (inBin >= (n - taken) / binsLeft) {
        out.push(midpoint(distinct[i], distinct[i + 1]));
        taken += inBin;
        inBin = 0;
        binsLeft--;
      }
    }
  }
  return Float64Array.from(out);
}

/** Internal state shared by every tree (buffers reused by every node, never reallocated per node). */
interface Ctx {
  n: number;
  d: number;
  K: number;
  maxDepth: number;
  minLeaf: number;
  mtry: number;
  /** n × d row-major bin codes. */
  binned: Uint8Array;
  thresholds: Float64Array[];
  /** The tree's rows; [start, end) of it is a node. label and weight move with index (sequential reads). */
  index: Uint32Array;
  label: Uint16Array;
  weight: Int32Array;
  /** One 256 × K weighted class histogram per feature evaluated in a batch. */
  hist: Float64Array;
  lo: Int32Array;
  hi: Int32Array;
  drawn: Int32Array;
  /** Feature order for the per-node partial Fisher–Yates draws. */
  order: Int32Array;
  left: Float64Array;
  best: Float64Array;
}

function growTree(ctx: Ctx, m: number, rng: Prng, importance: Float64Array): Tree {
  const { d, K, maxDepth, minLeaf, mtry, binned, thresholds, index, label, weight, hist, lo, hi, drawn, order } = ctx;
  const L = ctx.left;
  const bestL = ctx.best;
  const stride = 256 * K;
  let total = 0;
  for (let p = 0; p < m; p++) total += weight[p];
  // Leaves <= 2^maxDepth and <= total / minLeaf (each leaf but a lone root holds >= minLeaf).
  const maxLeaves = Math.max(1, Math.min(2 ** Math.min(maxDepth, 30), Math.floor(total / minLeaf)));
  const cap = 2 * maxLeaves - 1;
  const feature = new Int32Array(cap).fill(-1);
  const threshold = new Float64Array(cap);
  const binAt = new Uint8Array(cap);
  const leftChild = new Int32Array(cap).fill(-1);
  const rightChild = new Int32Array(cap).fill(-1);
  const nodeWeight = new Float64Array(cap);
  const impurity = new Float64Array(cap);
  const counts = new Float64Array(cap * K);
  // Explicit depth-first stack of (node, start, end, depth): at most two entries per level.
  const stack = new Int32Array(8 * (Math.min(maxDepth, cap) + 2));
  let sp = 0;
  let nodeCount = 1;
  for (let p = 0; p < m; p++) counts[label[p]] += weight[p];
  stack[sp++] = 0;
  stack[sp++] = 0;
  stack[sp++] = m;
  stack[sp++] = 0;

  while (sp > 0) {
    const depth = stack[--sp];
    const end = stack[--sp];
    const start = stack[--sp];
    const node = stack[--sp];
    const c0 = node * K;
    let W = 0;
    let sumSq = 0;
    let nonZero = 0;
    for (let k = 0; k < K; k++) {
      const v = counts[c0 + k];
      W += v;
      sumSq += v * v;
      if (v > 0) nonZero++;
    }
    nodeWeight[node] = W;
    impurity[node] = W > 0 ? 1 - sumSq / (W * W) : 0;
    if (depth >= maxDepth || W < 2 * minLeaf || nonZero <= 1) continue;

    // Best split. Features are drawn (partial Fisher–Yates over `order`) until mtry of them were not constant in
    // the node: a batch of (mtry - found) draws at a time, histogrammed in one pass over the node's rows — the
    // same features, in the same order, as drawing them one by one.
    let bestScore = -Infinity;
    let bestF = -1;
    let bestB = -1;
    let found = 0;
    let next = 0;
    while (found < mtry && next < d) {
      const q = Math.min(mtry - found, d - next);
      for (let t = 0; t < q; t++, next++) {
        const j = next + rng.int(d - next);
        const f = order[j];
        order[j] = order[next];
        order[next] = f;
        drawn[t] = f;
      }
      accumulate(ctx, q, start, end);
      for (let t = 0; t < q; t++) {
        const h0 = t * stride;
        const a = lo[t];
        const z = hi[t];
        if (a === z) {
          hist.fill(0, h0 + a * K, h0 + (a + 1) * K);
          continue;
        }
        found++;
        L.fill(0);
        let WL = 0;
        for (let b = a; b < z; b++) {
          let sqL = 0;
          let sqR = 0;
          for (let k = 0, h = h0 + b * K; k < K; k++) {
            const add = hist[h + k];
            const l = (L[k] += add);
            WL += add;
            const r = counts[c0 + k] - l;
            sqL += l * l;
            sqR += r * r;
          }
          const WR = W - WL;
          if (WL < minLeaf || WR < minLeaf) continue;
          const score = sqL / WL + sqR / WR;
          if (score > bestScore) {
            bestScore = score;
            bestF = drawn[t];
            bestB = b;
            bestL.set(L);
          }
        }
        hist.fill(0, h0 + a * K, h0 + (z + 1) * K);
      }
    }
    if (bestF < 0) continue;

    // Gini decrease in weighted units: W·G - W_L·G_L - W_R·G_R = score - Σ counts² / W.
    importance[bestF] += bestScore - sumSq / W;
    const split = partition(binned, d, bestF, bestB, index, label, weight, start, end);
    const l = nodeCount++;
    const r = nodeCount++;
    feature[node] = bestF;
    threshold[node] = thresholds[bestF][bestB];
    binAt[node] = bestB;
    leftChild[node] = l;
    rightChild[node] = r;
    for (let k = 0; k < K; k++) {
      counts[l * K + k] = bestL[k];
      counts[r * K + k] = counts[c0 + k] - bestL[k];
    }
    // Right pushed first so the left subtree is grown first.
    stack[sp++] = r;
    stack[sp++] = split;
    stack[sp++] = end;
    stack[sp++] = depth + 1;
    stack[sp++] = l;
    stack[sp++] = start;
    stack[sp++] = split;
    stack[sp++] = depth + 1;
  }

  const proba = counts.slice(0, nodeCount * K);
  for (let v = 0; v < nodeCount; v++) {
    const w = nodeWeight[v];
    if (w > 0) for (let k = 0; k < K; k++) proba[v * K + k] /= w;
  }
  return {
    nodeCount,
    feature: feature.slice(0, nodeCount),
    threshold: threshold.slice(0, nodeCount),
    bin: binAt.slice(0, nodeCount),
    left: leftChild.slice(0, nodeCount),
    right: rightChild.slice(0, nodeCount),
    weight: nodeWeight.slice(0, nodeCount),
    impurity: impurity.slice(0, nodeCount),
    proba,
  };
}

/**
 * Weighted class histograms of the node's rows for the q features in ctx.drawn (slot t at t · 256 · K), and each
 * one's range of codes seen. One pass per feature (in a micro-benchmark 3× faster than one pass over all q
 * features keeping the ranges in arrays).
 */
function accumulate(ctx: Ctx, q: number, start: number, end: number): void {
  const { d, K, binned, index, label, weight, hist, lo, hi, drawn } = ctx;
  for (let t = 0; t < q; t++) {
    const f = drawn[t];
    const h0 = t * 256 * K;
    let a = 255;
    let z = 0;
    for (let p = start; p < end; p++) {
      const b = binned[index[p] * d + f];
      hist[h0 + b * K + label[p]] += weight[p];
      if (b < a) a = b;
      if (b > z) z = b;
    }
    lo[t] = a;
    hi[t] = z;
  }
}

/** Reorders [start, end) of index (label, weight alongside) so rows with bin <= b come first; returns the boundary. */
function partition(
  binned: Uint8Array,
  d: number,
  f: number,
  b: number,
  index: Uint32Array,
  label: Uint16Array,
  weight: Int32Array,
  start: number,
  end: number,
): number {
  let i = start;
  let j = end - 1;
  while (i <= j) {
    if (binned[index[i] * d + f] <= b) i++;
    else {
      const s = index[i];
      index[i] = index[j];
      index[j] = s;
      const y = label[i];
      label[i] = label[j];
      label[j] = y;
      const w = weight[i];
      weight[i] = weight[j];
      weight[j] = w;
      j--;
    }
  }
  return i;
}

function featuresPerSplit(option: MaxFeatures, d: number): number {
  if (option === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(d)));
  if (option === 'log2') return Math.max(1, Math.floor(Math.log2(d)));
  if (option === 'all') return d;
  if (!Number.isInteger(option) || option < 1) throw new StrataError(`maxFeatures must be 'sqrt', 'log2', 'all' or a whole number >= 1 (got ${option}).`);
  return Math.min(option, d);
}

/** Number of entries of the ascending array t that are < v (binary search). */
function countBelow(t: Float64Array, v: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function searchInt(sorted: Int32Array, v: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** a <= result < b for a < b: the midpoint, or a when no double lies strictly between. */
function midpoint(a: number, b: number): number {
  const m = a / 2 + b / 2;
  return m >= a && m < b ? m : a;
}

function normalise(v: Float64Array): void {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  if (s > 0) for (let i = 0; i < v.length; i++) v[i] /= s;
}

function checkFinite(x: Matrix, what: string): void {
  for (let i = 0; i < x.data.length; i++) {
    if (!Number.isFinite(x.data[i])) {
      throw new StrataError(
        `Row ${Math.floor(i / x.cols) + 1} of the ${what} data has a missing or infinite value in column ${(i % x.cols) + 1}; fill or drop it first.`,
      );
    }
  }
}
