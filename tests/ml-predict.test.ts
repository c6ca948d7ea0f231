// The prediction runs (src/ml/predict.ts): churn and value models on seeded synthetic users whose outcome depends
// on known features (holdout quality well above chance, same answer for the same seed, clear refusals), the split,
// and the probabilistic CLV run on CDNOW's summary (days).
// Run: TZ=UTC node --import tsx --test tests/ml-predict.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MIN_LABELLED, runChurn, runClv, runValue, splitRows, type Features } from '../src/ml/predict.ts';
import { Prng } from '../src/ml/random.ts';
import { cdnowSummary } from './fixtures/cdnow.ts';

/** n users × 4 features: days since last purchase, orders, revenue, noise; churn is likelier the longer the silence. */
function users(n: number, seed: number) {
  const rng = new Prng(seed);
  const data = new Float64Array(n * 4), churned = new Int32Array(n), future = new Float64Array(n), prior = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const silence = rng.next() * 200, orders = 1 + Math.floor(rng.next() * 8), revenue = orders * (20 + rng.next() * 40);
    data.set([silence, orders, revenue, rng.next()], i * 4);
    churned[i] = rng.next() < 1 / (1 + Math.exp(-(silence - 100) / 15)) ? 1 : 0;
    prior[i] = revenue / 4;
    future[i] = churned[i] ? 0 : revenue / 3 + rng.next() * 5;
  }
  return { f: { data, rows: n, cols: 4 } as Features, churned, future, prior };
}

test('the split: disjoint, covering, seeded', () => {
  const a = splitRows(100, { seed: 5 });
  assert.equal(a.holdout.length, 30);
  assert.deepEqual([...a.train, ...a.holdout].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(splitRows(100, { seed: 5 }), a);
  assert.notDeepEqual(splitRows(100, { seed: 6 }).holdout, a.holdout);
});

test('churn: the forest and the baseline find the signal on the holdout; deterministic; scores every current user', () => {
  const u = users(1500, 1);
  const now = users(300, 2);
  const r = runChurn(u.f, u.churned, now.f, { seed: 9, trees: 40 });
  assert.equal(r.trainRows + r.holdoutRows, 1500);
  assert.ok(r.forest.auc > 0.85, `forest AUC ${r.forest.auc}`);
  assert.ok(r.logistic.auc > 0.85, `logistic AUC ${r.logistic.auc}`);
  assert.ok(r.importance[0] > r.importance[3] * 3, 'silence matters more than noise');
  assert.equal(r.probability.length, 300);
  for (const p of r.probability) assert.ok(p >= 0 && p <= 1);
  // The scored users who were silent longest are the likeliest churners.
  const silent = [...Array(300).keys()].sort((a, b) => now.f.data[b * 4] - now.f.data[a * 4]);
  const meanOf = (idx: number[]) => idx.reduce((s, i) => s + r.probability[i], 0) / idx.length;
  assert.ok(meanOf(silent.slice(0, 50)) > meanOf(silent.slice(-50)) + 0.4);
  const again = runChurn(u.f, u.churned, now.f, { seed: 9, trees: 40 });
  assert.deepEqual([...again.probability], [...r.probability]);
  assert.equal(again.forest.auc, r.forest.auc);
});

test('churn refuses too few customers and one outcome only, with a clear message', () => {
  const u = users(MIN_LABELLED - 1, 3);
  assert.throws(() => runChurn(u.f, u.churned, u.f, { seed: 1 }), /Too few customers to learn churn from: 39/);
  const v = users(200, 4);
  assert.throws(() => runChurn(v.f, new Int32Array(200), v.f, { seed: 1 }), /Every customer came back/);
  assert.throws(() => runChurn(v.f, new Int32Array(200).fill(1), v.f, { seed: 1 }), /Every customer churned/);
});

test('value: the boosted model beats the last-period baseline on the holdout; predictions are never negative', () => {
  const u = users(1500, 5);
  const r = runValue(u.f, u.future, u.prior, u.f, { seed: 2, rounds: 60 });
  assert.ok(r.model.r2 > 0.6, `model R² ${r.model.r2}`);
  assert.ok(r.model.mae < r.baseline.mae, `MAE ${r.model.mae} vs baseline ${r.baseline.mae}`);
  for (const p of r.predicted) assert.ok(p >= 0);
});

test('probabilistic CLV on CDNOW (days): probabilities in [0, 1], expected purchases and CLV positive', () => {
  const s = cdnowSummary(readFileSync('../shared/data/CDNOW_sample.txt', 'utf8'));
  const days = { x: s.x, tx: s.tx.map((v) => v * 7), T: s.T.map((v) => v * 7), m: s.m };
  const r = runClv(days, { months: 12, monthlyDiscount: 0.01, purchaseDays: 90 });
  assert.ok(r.gammaGamma && !r.gammaGammaError);
  assert.ok(Math.abs(r.bgnbd.params.alpha / 7 - 4.414) < 0.05);
  for (let i = 0; i < days.x.length; i++) {
    assert.ok(r.probabilityAlive[i] > 0 && r.probabilityAlive[i] <= 1);
    assert.ok(r.expectedPurchases[i] > 0 && r.clv[i] > 0);
  }
  // Gamma-Gamma assumes frequency and value independent: on CDNOW the correlation is small.
  assert.ok(Math.abs(r.frequencyValueCorrelation) < 0.2, `${r.frequencyValueCorrelation}`);
});
