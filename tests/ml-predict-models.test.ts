// The prediction models' pieces: AUC against a brute-force pair count, the confusion matrix, calibration and lift
// on hand-worked cases, logistic regression against the optimality condition of its objective and a plain
// gradient-descent reference, and gradient boosting (a stump worked by hand; training error never rises).
// Run: TZ=UTC node --import tsx --test tests/ml-predict-models.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibration, confusionAt, liftByDecile, regressionScores, rocAuc } from '../src/ml/classify-metrics.ts';
import { fitLogistic } from '../src/ml/logistic.ts';
import { trainGbm } from '../src/ml/gbm.ts';
import { matrix } from '../src/ml/matrix.ts';
import { Prng } from '../src/ml/random.ts';

test('AUC equals the share of (positive, negative) pairs ordered right, ties half; NaN with one class', () => {
  const rng = new Prng(7);
  const n = 300;
  const y = new Float64Array(n), s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.next() < 0.3 ? 1 : 0;
    s[i] = Math.round((rng.next() + y[i] * 0.4) * 20) / 20; // coarse: many ties
  }
  let good = 0, pairs = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    if (y[i] === 1 && y[j] === 0) {
      pairs++;
      good += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
  }
  assert.ok(Math.abs(rocAuc(y, s) - good / pairs) < 1e-12);
  assert.equal(rocAuc([1, 0, 1], [0.9, 0.1, 0.8]), 1);
  assert.ok(Number.isNaN(rocAuc([1, 1], [0.2, 0.3])));
});

test('confusion, calibration, lift and regression scores on hand-worked cases', () => {
  const y = [1, 1, 0, 0, 1, 0];
  const p = [0.9, 0.6, 0.55, 0.2, 0.3, 0.05];
  assert.deepEqual(confusionAt(y, p, 0.5), { tp: 2, fp: 1, tn: 2, fn: 1, precision: 2 / 3, recall: 2 / 3, accuracy: 4 / 6 });
  assert.ok(Number.isNaN(confusionAt(y, p, 0.95).precision));
  // Bins of 0.5: [0, 0.5) holds 0.2, 0.3, 0.05 (one positive); [0.5, 1) holds 0.9, 0.6, 0.55 (two).
  const cal = calibration(y, p, 2);
  assert.deepEqual(cal.map((b) => [b.count, +b.meanPredicted.toFixed(4), +b.observedRate.toFixed(4)]), [[3, 0.1833, 0.3333], [3, 0.6833, 0.6667]]);
  // 20 users, scores = index; positives are the top 4 → the top decile (2 users) has rate 1, lift 5.
  const yy = Array.from({ length: 20 }, (_, i) => (i >= 16 ? 1 : 0));
  const lift = liftByDecile(yy, yy.map((_, i) => i));
  assert.equal(lift.length, 10);
  assert.deepEqual([lift[0].rate, lift[0].lift, lift[2].rate, lift[9].rate], [1, 5, 0, 0]);
  const r = regressionScores([1, 2, 3], [1, 2, 4]);
  assert.deepEqual([r.r2, r.mae], [0.5, 1 / 3]);
});

test('logistic regression: the objective\'s gradient is zero at the answer, and plain gradient descent agrees', () => {
  const rng = new Prng(3);
  const n = 400, d = 3;
  const data = new Float64Array(n * d), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.next() * 10, b = rng.next() * 100, c = 5; // c constant: weight 0
    data.set([a, b, c], i * d);
    y[i] = rng.next() < 1 / (1 + Math.exp(-(0.8 * (a - 5) - 0.02 * (b - 50)))) ? 1 : 0;
  }
  const x = matrix(data, n, d);
  const m = fitLogistic(x, y, { lambda: 1 });
  assert.ok(m.converged);
  assert.equal(m.weights[3], 0);
  // Reference: gradient descent on the same objective over the standardised features, written out separately.
  const z = (i: number, j: number) => (j === 0 ? 1 : m.sd[j - 1] > 0 ? (data[i * d + j - 1] - m.mean[j - 1]) / m.sd[j - 1] : 0);
  const w = new Float64Array(d + 1);
  for (let it = 0; it < 20000; it++) {
    const g = new Float64Array(d + 1);
    for (let i = 0; i < n; i++) {
      let eta = 0;
      for (let j = 0; j <= d; j++) eta += w[j] * z(i, j);
      const r = 1 / (1 + Math.exp(-eta)) - y[i];
      for (let j = 0; j <= d; j++) g[j] += r * z(i, j);
    }
    for (let j = 1; j <= d; j++) g[j] += 1 * w[j];
    for (let j = 0; j <= d; j++) w[j] -= (0.5 / n) * g[j];
  }
  for (let j = 0; j <= d; j++) assert.ok(Math.abs(w[j] - m.weights[j]) < 1e-4, `w${j}: ${w[j]} vs ${m.weights[j]}`);
  assert.ok(m.weights[1] > 0 && m.weights[2] < 0, 'signs of the true effects');
  assert.ok(rocAuc(y, m.predictProba(x)) > 0.8);
});

test('gradient boosting: one stump worked by hand; the training error never rises; a step is learned', () => {
  // x = 1..6, y = 0,0,0,10,10,10; one round, depth 1, min leaf 1, learning rate 0.5: base 5, best split x <= 3.5,
  // leaves 0.5·(-5) and 0.5·(+5): predictions 2.5 and 7.5.
  const x = matrix(Float64Array.from([1, 2, 3, 4, 5, 6]), 6, 1);
  const y = [0, 0, 0, 10, 10, 10];
  const one = trainGbm(x, y, { rounds: 1, learningRate: 0.5, maxDepth: 1, minSamplesLeaf: 1 });
  assert.deepEqual([...one.predict(x)], [2.5, 2.5, 2.5, 7.5, 7.5, 7.5]);
  assert.equal(one.trees[0][0].threshold, 3.5);
  const rng = new Prng(11);
  const n = 500;
  const data = new Float64Array(n * 2), t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    data[i * 2] = rng.next() * 10;
    data[i * 2 + 1] = rng.next();
    t[i] = (data[i * 2] > 6 ? 50 : 5) + rng.next();
  }
  const xm = matrix(data, n, 2);
  let prev = Infinity;
  for (const rounds of [1, 5, 20, 60]) {
    const m = trainGbm(xm, t, { rounds, minSamplesLeaf: 5 });
    const p = m.predict(xm);
    let sse = 0;
    for (let i = 0; i < n; i++) sse += (p[i] - t[i]) ** 2;
    assert.ok(sse <= prev + 1e-9, `rounds ${rounds}: ${sse} > ${prev}`);
    prev = sse;
    if (rounds === 60) {
      assert.ok(regressionScores(t, p).r2 > 0.99);
      assert.ok(m.importance[0] > 0.95, 'the step feature carries the model');
    }
  }
});
