// The explanation side of machine-learned segments: PCA against a plain one-sided Jacobi SVD, the histogram random
// forest against a brute-force Gini split search and on data whose answer is known, plug-in mutual information
// against hand-computed tables, the combined importance ranking, and cluster names from hand-made z-scores.
// Run: TZ=UTC node --import tsx --test tests/ml-explain.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fromRows, type Matrix } from '../src/ml/matrix.ts';
import { Prng } from '../src/ml/random.ts';
import { pca, jacobiEigen } from '../src/ml/pca.ts';
import { binThresholds, permutationImportance, trainForest } from '../src/ml/forest.ts';
import { equalFrequencyBins, labelEntropy, miCodes, mutualInfo } from '../src/ml/mutual-info.ts';
import { combineImportance } from '../src/ml/importance.ts';
import { clusterNames, clusterZScores, type NamedFeature } from '../src/ml/names.ts';
import { StrataError } from '../src/errors.ts';

const close = (a: number, b: number, tol: number, what = '') =>
  assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tolerance ${tol})`);

/** n × d matrix filled by f(i, j). */
function build(n: number, d: number, f: (i: number, j: number) => number): Matrix {
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data[i * d + j] = f(i, j);
  return { data, rows: n, cols: d };
}

// ---------------------------------------------------------------------------------------------------------------
// PCA

/**
 * Reference: one-sided Jacobi SVD (Hestenes) of a centred n × d matrix A. Columns of A are orthogonalised by plane
 * rotations (accumulated in V) until every pair is orthogonal to 1e-15; then σ_j = |column j| and V's columns are
 * the right singular vectors. Returned sorted by σ descending.
 */
function referenceSvd(a: number[][]): { sigma: number[]; v: number[][] } {
  const n = a.length;
  const d = a[0].length;
  const u = a.map((r) => r.slice());
  const v = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j): number => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < n; i++) {
          alpha += u[i][p] * u[i][p];
          beta += u[i][q] * u[i][q];
          gamma += u[i][p] * u[i][q];
        }
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < n; i++) {
          const x = u[i][p];
          const y = u[i][q];
          u[i][p] = c * x - s * y;
          u[i][q] = s * x + c * y;
        }
        for (let i = 0; i < d; i++) {
          const x = v[i][p];
          const y = v[i][q];
          v[i][p] = c * x - s * y;
          v[i][q] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  const sigma = Array.from({ length: d }, (_, j) => Math.sqrt(u.reduce((s, r) => s + r[j] * r[j], 0)));
  const order = sigma.map((_, j) => j).sort((x, y) => sigma[y] - sigma[x]);
  return { sigma: order.map((j) => sigma[j]), v: order.map((j) => v.map((r) => r[j])) };
}

/** A seeded 40 × 4 dataset with clearly distinct variances along rotated axes. */
function pcaData(): number[][] {
  const rng = new Prng(11);
  const scales = [5, 3, 1.5, 0.5];
  return Array.from({ length: 40 }, () => {
    const s = scales.map((k) => k * rng.normal());
    // Mix the axes so the components are not the coordinate axes.
    return [s[0] + 0.3 * s[1] + 10, -0.5 * s[0] + s[1] + 0.2 * s[3] - 4, 0.2 * s[0] + s[2] + 0.1 * s[1], s[3] - 0.4 * s[2] + 1];
  });
}

describe('pca', () => {
  test('components, variances and ratios equal a one-sided Jacobi SVD of the centred data', () => {
    const rows = pcaData();
    const n = rows.length;
    const d = rows[0].length;
    const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / n);
    const ref = referenceSvd(rows.map((r) => r.map((v, j) => v - mean[j])));
    const refVar = ref.sigma.map((s) => (s * s) / (n - 1));
    const total = refVar.reduce((a, b) => a + b, 0);

    const fit = pca(fromRows(rows), { components: d });
    assert.equal(fit.components.rows, d);
    assert.equal(fit.components.cols, d);
    for (let j = 0; j < d; j++) close(fit.mean[j], mean[j], 1e-12, 'mean');
    let ratioSum = 0;
    for (let k = 0; k < d; k++) {
      close(fit.explainedVariance[k], refVar[k], 1e-9 * refVar[0], `variance ${k}`);
      close(fit.explainedVarianceRatio[k], refVar[k] / total, 1e-9, `ratio ${k}`);
      ratioSum += fit.explainedVarianceRatio[k];
      const comp = Array.from(fit.components.data.subarray(k * d, (k + 1) * d));
      const dot = comp.reduce((s, c, j) => s + c * ref.v[k][j], 0);
      const sign = Math.sign(dot);
      for (let j = 0; j < d; j++) close(comp[j], sign * ref.v[k][j], 1e-9, `component ${k}[${j}]`);
      close(comp.reduce((s, c) => s + c * c, 0), 1, 1e-12, 'unit length');
      // Sign convention: the largest-|value| entry is positive.
      const big = comp.reduce((b, c, j) => (Math.abs(c) > Math.abs(comp[b]) ? j : b), 0);
      assert.ok(comp[big] > 0, `component ${k} sign`);
    }
    assert.ok(ratioSum <= 1 + 1e-12);
    close(ratioSum, 1, 1e-12, 'all components explain everything');
  });

  test('two components: ratios sum below 1; projections have the explained variances and are uncorrelated', () => {
    const rows = pcaData();
    const fit = pca(fromRows(rows));
    assert.equal(fit.components.rows, 2);
    const sum = fit.explainedVarianceRatio[0] + fit.explainedVarianceRatio[1];
    assert.ok(sum < 1 && sum > 0.9, `${sum}`);
    const scores = fit.project(fromRows(rows));
    assert.equal(scores.rows, rows.length);
    assert.equal(scores.cols, 2);
    const n = rows.length;
    const col = (k: number) => Array.from({ length: n }, (_, i) => scores.data[i * 2 + k]);
    const [a, b] = [col(0), col(1)];
    close(a.reduce((s, v) => s + v, 0) / n, 0, 1e-9, 'centred scores');
    close(a.reduce((s, v) => s + v * v, 0) / (n - 1), fit.explainedVariance[0], 1e-9, 'score variance');
    close(b.reduce((s, v) => s + v * v, 0) / (n - 1), fit.explainedVariance[1], 1e-9, 'score variance');
    close(a.reduce((s, v, i) => s + v * b[i], 0), 0, 1e-8, 'uncorrelated');
  });

  test('a rank-1 dataset puts ratio 1 on the first component, along the line, sign fixed', () => {
    const dir = [1, -2, 0.5];
    const norm = Math.hypot(...dir);
    const rows = Array.from({ length: 25 }, (_, i) => dir.map((v, j) => (i - 7) * 0.3 * v + [4, 1, -2][j]));
    const fit = pca(fromRows(rows), { components: 3 });
    close(fit.explainedVarianceRatio[0], 1, 1e-12, 'ratio');
    close(fit.explainedVarianceRatio[1], 0, 1e-12, 'ratio');
    close(fit.explainedVarianceRatio[2], 0, 1e-12, 'ratio');
    // Largest |entry| is the -2: the component is -dir / |dir|.
    for (let j = 0; j < 3; j++) close(fit.components.data[j], -dir[j] / norm, 1e-12, 'axis');
  });

  test('components clamp to d; center = false decomposes the raw second moments; constant data explains nothing', () => {
    const rows = [
      [1, 2],
      [2, 4],
      [3, 6],
    ];
    const fit = pca(fromRows(rows), { components: 5, center: false });
    assert.equal(fit.components.rows, 2);
    assert.deepEqual(Array.from(fit.mean), [0, 0]);
    // Xᵀ X / (n - 1) = [[7, 14], [14, 28]]: eigenvalue 35 along (1, 2)/√5.
    close(fit.explainedVariance[0], 35, 1e-12, 'eigenvalue');
    close(fit.components.data[0], 1 / Math.sqrt(5), 1e-12, 'axis');
    close(fit.components.data[1], 2 / Math.sqrt(5), 1e-12, 'axis');
    const flat = pca(fromRows([[3, 3], [3, 3], [3, 3]]));
    assert.deepEqual(Array.from(flat.explainedVarianceRatio), [0, 0]);
    assert.deepEqual(Array.from(flat.explainedVariance), [0, 0]);
  });

  test('jacobiEigen diagonalises a symmetric matrix: A v = λ v', () => {
    const a = Float64Array.from([4, 1, -2, 2, 1, 2, 0, 1, -2, 0, 3, -2, 2, 1, -2, -1]);
    const { values, vectors } = jacobiEigen(a, 4);
    for (let k = 0; k < 4; k++) {
      for (let i = 0; i < 4; i++) {
        let av = 0;
        for (let j = 0; j < 4; j++) av += a[i * 4 + j] * vectors[j * 4 + k];
        close(av, values[k] * vectors[i * 4 + k], 1e-12, `A v = λ v (${k}, ${i})`);
      }
    }
    close(values.reduce((s, v) => s + v, 0), 4 + 2 + 3 - 1, 1e-12, 'trace');
  });

  test('refuses missing values and bad options', () => {
    assert.throws(() => pca(fromRows([[1, NaN]])), StrataError);
    assert.throws(() => pca(fromRows([[1, 2]]), { components: 0 }), StrataError);
    assert.throws(() => pca(fromRows([[1, 2]])).project(fromRows([[1, 2, 3]])), StrataError);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Random forest

/** Weighted Gini impurity of class counts. */
function gini(counts: number[]): number {
  const w = counts.reduce((a, b) => a + b, 0);
  return w > 0 ? 1 - counts.reduce((s, c) => s + (c / w) ** 2, 0) : 0;
}

/**
 * Brute-force best split: every feature, every midpoint between consecutive distinct values, every valid leaf
 * size; the Gini decrease W·G - W_L·G_L - W_R·G_R of each.
 */
function bruteForceSplits(x: number[][], y: number[], minLeaf: number): { feature: number; threshold: number; gain: number }[] {
  const K = Math.max(...y) + 1;
  const count = (idx: number[]) => {
    const c = new Array<number>(K).fill(0);
    for (const i of idx) c[y[i]]++;
    return c;
  };
  const all = x.map((_, i) => i);
  const parent = all.length * gini(count(all));
  const out: { feature: number; threshold: number; gain: number }[] = [];
  for (let f = 0; f < x[0].length; f++) {
    const values = [...new Set(x.map((r) => r[f]))].sort((a, b) => a - b);
    for (let v = 0; v + 1 < values.length; v++) {
      const threshold = (values[v] + values[v + 1]) / 2;
      const left = all.filter((i) => x[i][f] <= threshold);
      const right = all.filter((i) => x[i][f] > threshold);
      if (left.length < minLeaf || right.length < minLeaf) continue;
      out.push({ feature: f, threshold, gain: parent - left.length * gini(count(left)) - right.length * gini(count(right)) });
    }
  }
  return out;
}

/** n rows: feature 0 decides the class (with some label noise), features 1 and 2 are pure noise. */
function signalData(n: number, seed: number): { x: Matrix; y: Int32Array } {
  const rng = new Prng(seed);
  const x = build(n, 3, () => rng.next());
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = x.data[i * 3] + 0.15 * rng.normal() > 0.5 ? 1 : 0;
  return { x, y };
}

/** Three well-separated Gaussian blobs in 4 dimensions, labels 0..2. */
function blobs(n: number, seed: number): { x: Matrix; y: Int32Array } {
  const rng = new Prng(seed);
  const centres = [
    [0, 0, 0, 0],
    [8, 8, 0, 0],
    [0, 8, 8, 8],
  ];
  const y = new Int32Array(n);
  const x = build(n, 4, () => 0);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(3);
    for (let j = 0; j < 4; j++) x.data[i * 4 + j] = centres[y[i]][j] + rng.normal();
  }
  return { x, y };
}

describe('random forest', () => {
  test('a depth-1 tree picks the brute-force best Gini split (no bootstrap, every feature)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rng = new Prng(seed);
      // Few distinct values per feature (<= 64 bins), so the binned thresholds are every midpoint.
      const rows = Array.from({ length: 60 }, () => [rng.int(20) / 4, rng.int(12) - 6, Math.round(rng.normal() * 10) / 10]);
      const labels = rows.map((r) => (r[0] + 0.5 * r[1] + 2 * rng.normal() > 3 ? 1 : 0) + (r[2] > 0.8 ? 1 : 0));
      for (const minLeaf of [1, 7]) {
        const forest = trainForest(fromRows(rows), Int32Array.from(labels), {
          trees: 1,
          maxDepth: 1,
          minSamplesLeaf: minLeaf,
          maxFeatures: 'all',
          bootstrap: false,
          seed,
        });
        const tree = forest.trees[0];
        const ref = bruteForceSplits(rows, labels, minLeaf);
        const best = Math.max(...ref.map((s) => s.gain));
        assert.equal(tree.nodeCount, 3);
        const gain = tree.weight[0] * tree.impurity[0] - tree.weight[1] * tree.impurity[1] - tree.weight[2] * tree.impurity[2];
        close(gain, best, 1e-9, `seed ${seed} gain`);
        const winners = ref.filter((s) => s.gain >= best - 1e-9);
        assert.ok(
          winners.some((s) => s.feature === tree.feature[0] && Math.abs(s.threshold - tree.threshold[0]) < 1e-12),
          `seed ${seed}: split x${tree.feature[0]} <= ${tree.threshold[0]} is not among the best ${JSON.stringify(winners)}`,
        );
        // Leaves hold their class fractions; weights add up.
        assert.equal(tree.weight[1] + tree.weight[2], rows.length);
        const leftRows = labels.filter((_, i) => rows[i][tree.feature[0]] <= tree.threshold[0]);
        assert.equal(tree.weight[1], leftRows.length);
        for (let k = 0; k < forest.classes.length; k++) {
          close(tree.proba[1 * forest.classes.length + k], leftRows.filter((c) => c === forest.classes[k]).length / leftRows.length, 1e-12, 'leaf fraction');
        }
      }
    }
  });

  test('the class depends only on feature 0: it gets most of the importance, both ways', () => {
    const train = signalData(2000, 21);
    const hold = signalData(800, 22);
    const forest = trainForest(train.x, train.y, { trees: 40, seed: 5 });
    const mdi = forest.impurityImportance;
    close(mdi.reduce((a, b) => a + b, 0), 1, 1e-12, 'MDI sums to 1');
    assert.ok(mdi[0] > 0.6 && mdi[0] > 3 * mdi[1] && mdi[0] > 3 * mdi[2], `MDI ${Array.from(mdi)}`);
    const perm = permutationImportance(forest, hold.x, hold.y, { repeats: 3, seed: 9 });
    assert.ok(perm.baseline > 0.8, `baseline ${perm.baseline}`);
    assert.ok(perm.mean[0] > 0.25, `permutation ${Array.from(perm.mean)}`);
    assert.ok(Math.abs(perm.mean[1]) < 0.03 && Math.abs(perm.mean[2]) < 0.03, `permutation ${Array.from(perm.mean)}`);
    assert.ok(perm.std.every((s) => s >= 0 && s < 0.05));
    // The held-out matrix is left as it was.
    assert.deepEqual(hold.x.data, signalData(800, 22).x.data);
  });

  test('separable blobs: held-out accuracy >= 0.99; probabilities sum to 1', () => {
    const train = blobs(1500, 31);
    const hold = blobs(600, 32);
    const forest = trainForest(train.x, train.y, { trees: 30, seed: 2 });
    const pred = forest.predict(hold.x);
    const acc = pred.reduce((s, p, i) => s + (p === hold.y[i] ? 1 : 0), 0) / hold.y.length;
    assert.ok(acc >= 0.99, `accuracy ${acc}`);
    const proba = forest.predictProba(hold.x);
    assert.equal(proba.cols, 3);
    for (let i = 0; i < proba.rows; i++) close(proba.data[i * 3] + proba.data[i * 3 + 1] + proba.data[i * 3 + 2], 1, 1e-12, 'proba row');
  });

  test('prediction on codes is the raw-threshold walk of every tree, at and beyond the thresholds too', () => {
    const { x, y } = blobs(400, 61);
    const forest = trainForest(x, y, { trees: 7, seed: 4 });
    // Probe rows: training rows, values exactly at thresholds, and values far outside the training range.
    const probe = build(300, 4, (i, j) => {
      if (i < 100) return x.data[i * 4 + j];
      const t = forest.thresholds[j];
      if (i < 200) return t[(i * 7 + j) % t.length];
      return (i % 2 ? 1 : -1) * 1e6 * (j + 1);
    });
    const K = forest.classes.length;
    const expected = new Float64Array(probe.rows * K);
    for (const tree of forest.trees) {
      for (let i = 0; i < probe.rows; i++) {
        let v = 0;
        while (tree.feature[v] >= 0) v = probe.data[i * 4 + tree.feature[v]] <= tree.threshold[v] ? tree.left[v] : tree.right[v];
        for (let k = 0; k < K; k++) expected[i * K + k] += tree.proba[v * K + k] / forest.trees.length;
      }
    }
    const got = forest.predictProba(probe).data;
    for (let i = 0; i < got.length; i++) close(got[i], expected[i], 1e-12, `proba ${i}`);
  });

  test('same seed, same forest and predictions; another seed, another forest', () => {
    const { x, y } = signalData(600, 41);
    const a = trainForest(x, y, { trees: 10, seed: 77 });
    const b = trainForest(x, y, { trees: 10, seed: 77 });
    const c = trainForest(x, y, { trees: 10, seed: 78 });
    assert.deepEqual(a.predictProba(x).data, b.predictProba(x).data);
    assert.deepEqual(a.predict(x), b.predict(x));
    assert.deepEqual(a.impurityImportance, b.impurityImportance);
    assert.deepEqual(a.trees[3].threshold, b.trees[3].threshold);
    assert.notDeepEqual(a.predictProba(x).data, c.predictProba(x).data);
    // Tree t depends on (seed, t) only: a shorter forest is a prefix of a longer one.
    const short = trainForest(x, y, { trees: 4, seed: 77 });
    for (let t = 0; t < 4; t++) assert.deepEqual(short.trees[t], a.trees[t]);
  });

  test('labels keep their values (noise -1 included); depth and leaf size are respected', () => {
    const { x, y } = blobs(300, 51);
    const labels = y.map((v) => [-1, 5, 9][v]);
    const forest = trainForest(x, labels, { trees: 5, maxDepth: 3, minSamplesLeaf: 20, seed: 1 });
    assert.deepEqual(Array.from(forest.classes), [-1, 5, 9]);
    assert.ok(forest.predict(x).every((p) => p === -1 || p === 5 || p === 9));
    for (const tree of forest.trees) {
      const depth = new Int32Array(tree.nodeCount);
      for (let v = 0; v < tree.nodeCount; v++) {
        if (tree.feature[v] < 0) {
          assert.ok(tree.weight[v] >= 20, `leaf weight ${tree.weight[v]}`);
          continue;
        }
        assert.equal(tree.right[v], tree.left[v] + 1);
        depth[tree.left[v]] = depth[tree.right[v]] = depth[v] + 1;
      }
      assert.ok(Math.max(...depth) <= 3);
    }
  });

  test('binning: every midpoint for few distinct values; equal-frequency cuts otherwise, ties kept together', () => {
    assert.deepEqual(Array.from(binThresholds(Float64Array.from([3, 1, 2, 2, 1]), 64)), [1.5, 2.5]);
    assert.deepEqual(Array.from(binThresholds(Float64Array.from([5, 5, 5]), 64)), []);
    const many = Float64Array.from({ length: 1000 }, (_, i) => i);
    const t = binThresholds(many, 10);
    assert.deepEqual(Array.from(t), [99.5, 199.5, 299.5, 399.5, 499.5, 599.5, 699.5, 799.5, 899.5]);
    // Half the rows share one value: it stays one bin, the rest are cut evenly.
    const heavy = Float64Array.from({ length: 1000 }, (_, i) => (i < 500 ? 0 : i));
    const h = binThresholds(heavy, 10);
    assert.ok(h.length <= 9 && h[0] > 0 && h[0] < 501, `${Array.from(h)}`);
    for (const v of [0, 500, 999]) assert.ok(h.every((c) => c !== v));
  });

  test('refuses bad input', () => {
    const { x, y } = blobs(30, 1);
    assert.throws(() => trainForest(x, y.subarray(1)), StrataError);
    assert.throws(() => trainForest(fromRows([[NaN]]), Int32Array.of(0)), StrataError);
    assert.throws(() => trainForest(x, y, { bins: 256 }), StrataError);
    assert.throws(() => trainForest(x, y, { maxFeatures: 0 }), StrataError);
    const forest = trainForest(x, y, { trees: 2 });
    assert.throws(() => forest.predict(fromRows([[1, 2]])), StrataError);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Mutual information

describe('mutual information', () => {
  test('hand-computed: 6 rows, 3 equal-frequency bins, 2 classes = (2/3) ln 2', () => {
    // Bins by rank: [1,2] [3,4] [5,6]. Table: bin 0 = {0,0}, bin 1 = {1,0}, bin 2 = {1,1}.
    // I = 2/6 ln(6·2/(2·3)) + 1/6 ln(6·1/(2·3)) + 1/6 ln(1) + 2/6 ln(6·2/(2·3)) = (2/3) ln 2.
    const x = fromRows([[1], [2], [3], [4], [5], [6]]);
    const mi = mutualInfo(x, Int32Array.of(0, 0, 1, 0, 1, 1), { bins: 3 });
    close(mi[0], (2 / 3) * Math.log(2), 1e-15, 'MI');
  });

  test('equal-frequency bins keep ties together', () => {
    assert.deepEqual(Array.from(equalFrequencyBins(Float64Array.from([2, 1, 3, 1, 2, 1]), 3)), [1, 0, 2, 0, 1, 0]);
    assert.deepEqual(Array.from(equalFrequencyBins(Float64Array.from([7, 7, 7, 7]), 10)), [0, 0, 0, 0]);
    assert.deepEqual(Array.from(equalFrequencyBins(Float64Array.from([4, 3, 2, 1, 0]), 10)), [8, 6, 4, 2, 0]);
  });

  test('miCodes: a 2 × 2 table by hand', () => {
    // Table [[3, 1], [1, 3]], n = 8: I = 2 · (3/8 ln(8·3/16)) + 2 · (1/8 ln(8·1/16)).
    const a = Int32Array.of(0, 0, 0, 0, 1, 1, 1, 1);
    const b = Int32Array.of(0, 0, 0, 1, 0, 1, 1, 1);
    close(miCodes(a, 2, b, 2), (3 / 4) * Math.log(1.5) + (1 / 4) * Math.log(0.5), 1e-15, 'MI');
  });

  test('an independent feature scores about 0, a deterministic one H(C)', () => {
    const rng = new Prng(3);
    const n = 5000;
    const labels = Int32Array.from({ length: n }, () => [0, 0, 1, 2][rng.int(4)]);
    const x = build(n, 3, (i, j) => (j === 0 ? rng.normal() : j === 1 ? labels[i] * 2 - 1 : labels[i] + 0.01 * rng.next()));
    const mi = mutualInfo(x, labels);
    const h = labelEntropy(labels);
    close(h, -(0.5 * Math.log(0.5) + 2 * 0.25 * Math.log(0.25)), 0.01, 'entropy');
    assert.ok(mi[0] < 0.01, `independent ${mi[0]}`);
    close(mi[1], h, 1e-12, 'deterministic');
    // Feature 2 separates the classes too, but its equal-frequency bins straddle the class boundaries.
    assert.ok(mi[2] > 0.8 * h && mi[2] <= h + 1e-12, `${mi[2]} vs ${h}`);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Combined importance

describe('combined importance', () => {
  test('each measure clipped and normalised, then averaged', () => {
    const r = combineImportance({ impurity: [6, 3, 1], permutation: [0.2, -0.05, 0], mutualInfo: [0.5, 0.5, 0] });
    assert.equal(r.used, 3);
    close(r.score[0], (0.6 + 1 + 0.5) / 3, 1e-15, 'f0');
    close(r.score[1], (0.3 + 0 + 0.5) / 3, 1e-15, 'f1');
    close(r.score[2], 0.1 / 3, 1e-15, 'f2');
    assert.deepEqual(Array.from(r.ranking), [0, 1, 2]);
    assert.deepEqual(Array.from(r.parts.permutation!), [1, 0, 0]);
  });

  test('a measure with nothing positive is left out; ties rank by feature order', () => {
    const r = combineImportance({ impurity: [0.25, 0.25, 0.5], permutation: [-0.1, 0, -0.2] });
    assert.equal(r.used, 1);
    assert.deepEqual(Array.from(r.score), [0.25, 0.25, 0.5]);
    assert.deepEqual(Array.from(r.ranking), [2, 0, 1]);
    const none = combineImportance({ permutation: [0, -1] });
    assert.deepEqual(Array.from(none.score), [0, 0]);
    assert.deepEqual(Array.from(none.ranking), [0, 1]);
  });

  test('refuses no measures, uneven lengths and NaN', () => {
    assert.throws(() => combineImportance({}), StrataError);
    assert.throws(() => combineImportance({ impurity: [1, 2], mutualInfo: [1] }), StrataError);
    assert.throws(() => combineImportance({ impurity: [1, NaN] }), StrataError);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Cluster names

const FEATURES: NamedFeature[] = [
  { name: 'revenue', word: 'spenders', kind: 'money' },
  { name: 'orders', word: 'buyers', kind: 'count' },
  { name: 'days since last order', word: 'customers', kind: 'recency' },
  { name: 'sessions', word: 'browsers', kind: 'count' },
  { name: 'visits per month', word: 'visitors', kind: 'frequency' },
  { name: 'discount', word: 'shoppers', kind: 'other' },
];

describe('cluster names', () => {
  test('the two strongest features, by the documented words', () => {
    const z = fromRows([
      [1.8, 0.3, -0.2, 0, 1.1, 0], // revenue high + frequency high
      [-0.3, -1.2, 1.9, 0, -0.4, 0.1], // recency high (strongest, but an adjective) + orders low
      [0, 0, -0.7, 1.2, 0, 0], // sessions high + recency low
      [1.3, 0, 0, 0, 0, 0.2], // revenue alone
      [0.1, 0.2, -0.3, 0.4, 0.3, -0.49], // nothing stands out
      [0, 0, -1.4, 0, 0, 0], // recency alone
      [0.9, 1.5, 0, 0, 0, 0], // orders high + revenue high (money as the adjective)
      [0, 0.6, 0, 0, 0, -2], // discount low ('other') + orders high
      [-0.5, 0, 0, 0, -0.2, 0], // exactly at the threshold
      [0, 0, 0, 0, -3, 0.5], // frequency low + discount high
    ]);
    assert.deepEqual(clusterNames(FEATURES, z), [
      'Engaged high spenders',
      'Lapsed one-time buyers',
      'Recent repeat browsers',
      'High spenders',
      'Typical users',
      'Recent customers',
      'High-value repeat buyers',
      'Repeat low-discount shoppers',
      'Low spenders',
      'High-discount occasional visitors',
    ]);
  });

  test('ties go to the feature listed first; duplicates get " 2", " 3"', () => {
    const z = fromRows([
      [0.8, -0.8, 0, 0, 0, 0], // equal |z|: revenue (listed first) is the head
      [0.7, 0, 0, 0, 0.7, 0.7], // three-way tie: revenue, then frequency (before discount)
      [2, 0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0, 0],
      [1.5, 0, 0, 0, 0.9, 0.9],
      [0.2, 0, 0, 0, 0, 0],
      [0, -0.9, 0, 0, 0, 0.9], // tie between orders and discount: orders is the head
    ]);
    assert.deepEqual(clusterNames(FEATURES, z), [
      'One-time high spenders',
      'Engaged high spenders',
      'Engaged high spenders 2',
      'Typical users',
      'Engaged high spenders 3',
      'Typical users 2',
      'High-discount one-time buyers',
    ]);
  });

  test('a repeated adjective is said once; NaN z counts as 0; two recency features stay in strength order', () => {
    const two: NamedFeature[] = [
      { name: 'orders', word: 'buyers', kind: 'count' },
      { name: 'sessions', word: 'browsers', kind: 'count' },
      { name: 'days since last visit', word: 'visitors', kind: 'recency' },
      { name: 'days since last order', word: 'customers', kind: 'recency' },
    ];
    assert.deepEqual(
      clusterNames(two, fromRows([[-1, -0.8, 0, 0], [NaN, 0.6, 0, 0], [0, 0, 0.9, 1.2], [0, 0, -0.6, 0]])),
      ['One-time buyers', 'Repeat browsers', 'Lapsed customers', 'Recent visitors'],
    );
  });

  test('refuses a z matrix of the wrong width', () => {
    assert.throws(() => clusterNames(FEATURES, fromRows([[1, 2]])), StrataError);
  });

  test('clusterZScores: mean z per cluster against the overall mean and population deviation', () => {
    // Feature 0: values 0, 2, 4, 6 -> mean 3, sd √5. Feature 1 constant -> z 0. Row 3 is noise (-1).
    const x = fromRows([
      [0, 1],
      [2, 1],
      [4, 1],
      [6, 1],
    ]);
    const z = clusterZScores(x, Int32Array.of(0, 0, 1, -1), 3);
    close(z.data[0], (1 - 3) / Math.sqrt(5), 1e-15, 'cluster 0');
    close(z.data[2], (4 - 3) / Math.sqrt(5), 1e-15, 'cluster 1');
    assert.deepEqual([z.data[1], z.data[3], z.data[4], z.data[5]], [0, 0, 0, 0]);
  });
});
