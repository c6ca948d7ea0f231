// Gradient-boosted regression trees (squared loss; Friedman 2001) on binned features, for the lifetime-value model:
// F0 = mean(y); each round fits a depth-limited tree to the residuals y - F and adds learningRate × its leaf
// means. Features are binned once (binThresholds, as the forest), so a split is "code <= b", the same decision as
// x <= threshold. A split maximises the squared-error reduction S_L²/n_L + S_R²/n_R - S²/n with at least
// minSamplesLeaf rows each side (ties: the first feature, then the lowest bin). Deterministic: no sampling.
import type { Matrix } from './matrix.ts';
import { binThresholds } from './forest.ts';

export interface GbmOptions {
  rounds?: number; // default 100
  learningRate?: number; // default 0.1
  maxDepth?: number; // default 3
  minSamplesLeaf?: number; // default 20
  bins?: number; // default 64
  onProgress?: (done: number, total: number) => void;
}

interface Node { feature: number; threshold: number; left: number; right: number; value: number }

export interface GbmModel {
  base: number;
  trees: Node[][];
  learningRate: number;
  /** Squared-error reduction per feature, normalised to sum 1. */
  importance: Float64Array;
  predict(x: Matrix): Float64Array;
}

export function trainGbm(x: Matrix, y: ArrayLike<number>, o: GbmOptions = {}): GbmModel {
  const { rows: n, cols: d } = x;
  const rounds = o.rounds ?? 100, lr = o.learningRate ?? 0.1, maxDepth = o.maxDepth ?? 3, minLeaf = o.minSamplesLeaf ?? 20, bins = o.bins ?? 64;
  if (n === 0) throw new Error('No rows to train the lifetime-value model on.');
  const thresholds: Float64Array[] = [];
  const codes = new Uint8Array(n * d);
  for (let j = 0; j < d; j++) {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = x.data[i * d + j];
    const t = binThresholds(col, bins);
    thresholds.push(t);
    for (let i = 0; i < n; i++) {
      let lo = 0, hi = t.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (t[mid] < col[i]) lo = mid + 1;
        else hi = mid;
      }
      codes[i * d + j] = lo;
    }
  }
  let base = 0;
  for (let i = 0; i < n; i++) base += y[i] / n;
  const f = new Float64Array(n).fill(base);
  const resid = new Float64Array(n);
  const importance = new Float64Array(d);
  const trees: Node[][] = [];
  const idx = new Uint32Array(n);
  const sumB = new Float64Array(256), cntB = new Float64Array(256);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < n; i++) {
      resid[i] = y[i] - f[i];
      idx[i] = i;
    }
    const nodes: Node[] = [];
    const grow = (start: number, end: number, depth: number): number => {
      let s = 0;
      for (let k = start; k < end; k++) s += resid[idx[k]];
      const cnt = end - start;
      const me = nodes.length;
      nodes.push({ feature: -1, threshold: 0, left: -1, right: -1, value: (lr * s) / cnt });
      if (depth >= maxDepth || cnt < 2 * minLeaf) return me;
      let best = 0, bf = -1, bb = -1;
      const parent = (s * s) / cnt;
      for (let j = 0; j < d; j++) {
        const nb = thresholds[j].length + 1;
        if (nb < 2) continue;
        sumB.fill(0, 0, nb);
        cntB.fill(0, 0, nb);
        for (let k = start; k < end; k++) {
          const c = codes[idx[k] * d + j];
          sumB[c] += resid[idx[k]];
          cntB[c]++;
        }
        let sl = 0, nl = 0;
        for (let b = 0; b < nb - 1; b++) {
          sl += sumB[b];
          nl += cntB[b];
          const nr = cnt - nl;
          if (nl < minLeaf) continue;
          if (nr < minLeaf) break;
          const gain = (sl * sl) / nl + ((s - sl) * (s - sl)) / nr - parent;
          if (gain > best + 1e-12) [best, bf, bb] = [gain, j, b];
        }
      }
      if (bf < 0) return me;
      importance[bf] += best;
      let i = start, j = end - 1;
      while (i <= j) {
        if (codes[idx[i] * d + bf] <= bb) i++;
        else {
          const t = idx[i];
          idx[i] = idx[j];
          idx[j] = t;
          j--;
        }
      }
      nodes[me].feature = bf;
      nodes[me].threshold = thresholds[bf][bb];
      nodes[me].left = grow(start, i, depth + 1);
      nodes[me].right = grow(i, end, depth + 1);
      return me;
    };
    grow(0, n, 0);
    trees.push(nodes);
    for (let i = 0; i < n; i++) f[i] += leafOf(nodes, x.data, i * d);
    o.onProgress?.(round + 1, rounds);
  }
  let tot = 0;
  for (const v of importance) tot += v;
  if (tot > 0) for (let j = 0; j < d; j++) importance[j] /= tot;
  return {
    base, trees, learningRate: lr, importance,
    predict(m: Matrix): Float64Array {
      const out = new Float64Array(m.rows).fill(base);
      for (const t of trees) for (let i = 0; i < m.rows; i++) out[i] += leafOf(t, m.data, i * m.cols);
      return out;
    },
  };
}

/** The leaf value a row (at `off` in `data`) reaches. */
function leafOf(nodes: Node[], data: Float64Array, off: number): number {
  let k = 0;
  while (nodes[k].feature >= 0) k = data[off + nodes[k].feature] <= nodes[k].threshold ? nodes[k].left : nodes[k].right;
  return nodes[k].value;
}
