// One clustering run end to end (what the ML worker runs): preprocessing, each algorithm, quality, z-scores, PCA,
// importance and names, on blobs whose answer is known.
// Run: TZ=UTC node --import tsx --test tests/ml-pipeline.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeBlobs } from '../src/ml/blobs.ts';
import { adjustedRandIndex } from '../src/ml/metrics.ts';
import { runClustering, runClusteringPooled, namedFeature, type ClusterSpec } from '../src/ml/pipeline.ts';
import { localPool } from '../src/ml/kmeans.ts';
import type { FeatureColumn } from '../src/ml/features.ts';
import type { Matrix } from '../src/ml/matrix.ts';

/** 3 separated blobs in 2 informative features, plus a pure-noise third feature. */
function data(n = 600): { x: Matrix; truth: Int32Array; columns: FeatureColumn[] } {
  const b = makeBlobs({ n, centres: [[0, 0], [12, 0], [0, 12]], d: 2, std: 0.6, seed: 3 });
  const x = new Float64Array(n * 3);
  let s = 7;
  for (let i = 0; i < n; i++) {
    x[i * 3] = b.x.data[i * 2];
    x[i * 3 + 1] = b.x.data[i * 2 + 1];
    s = (s * 1103515245 + 12345) % 2147483648;
    x[i * 3 + 2] = s / 2147483648;
  }
  const col = (name: string): FeatureColumn => ({ name, field: `m.${name}`, encoding: 'value', skewed: false });
  return { x: { data: x, rows: n, cols: 3 }, truth: b.labels, columns: [col('revenue'), col('sessions'), col('noise')] };
}

for (const algorithm of ['kmeans', 'gmm', 'agglomerative'] as const) {
  test(`${algorithm}: recovers the blobs, scores them, ranks the noise feature last, names every cluster`, () => {
    const { x, truth, columns } = data();
    const spec: ClusterSpec = { algorithm, k: 3, seed: 5, sampleSize: 200, restarts: 3 };
    const steps: string[] = [];
    const r = runClustering(x, columns, spec, (s) => steps.push(s));
    assert.equal(adjustedRandIndex(r.labels, truth), 1);
    assert.equal(r.k, 3);
    assert.deepEqual([...r.sizes].sort(), [200, 200, 200]);
    // The noise feature, scaled like the others, spreads every blob along it: separated, not tight.
    assert.ok(r.quality.silhouette > 0.4, `silhouette ${r.quality.silhouette}`);
    assert.equal(r.zscores.rows, 3);
    assert.equal(r.names.length, 3);
    assert.equal(new Set(r.names).size, 3, 'names are distinct');
    assert.ok(r.pca.ratio[0] + r.pca.ratio[1] <= 1 + 1e-12);
    assert.equal(r.pca.x.length, 600);
    const noiseRank = [...r.importance.score].map((v, i) => [v, i]).sort((a, b) => b[0] - a[0]).findIndex(([, i]) => i === 2);
    assert.equal(noiseRank, 2, 'the noise feature is least important');
    assert.equal(steps.at(-1), 'Done');
    if (algorithm === 'agglomerative') assert.match(r.notes.join(' '), /built on 200 sampled users/);
  });
}

test('dbscan: noise is its own label and stays out of the scores; k is found, not given', () => {
  const { x, truth, columns } = data(300);
  // One far outlier.
  x.data[0] = 200;
  const r = runClustering(x, columns.slice(0, 3), { algorithm: 'dbscan', k: 0, seed: 1, eps: 0.9, minPts: 5, preprocessing: { scaling: 'none' } });
  assert.ok(r.noise >= 1);
  assert.equal(r.labels[0], -1);
  assert.equal(r.k, 3);
  const clustered = [...r.labels.keys()].filter((i) => r.labels[i] >= 0);
  assert.equal(adjustedRandIndex(clustered.map((i) => r.labels[i]), clustered.map((i) => truth[i])), 1);
  assert.throws(() => runClustering(x, columns, { algorithm: 'dbscan', k: 0, seed: 1 }), /eps/);
});

test('bad input: k above the users, and nothing usable, are clear messages', () => {
  const { x, columns } = data(10);
  assert.throws(() => runClustering(x, columns, { algorithm: 'kmeans', k: 12, seed: 1 }), /k \(12\) is larger than the number of users \(10\)/);
  const constant: Matrix = { data: new Float64Array(20).fill(3), rows: 10, cols: 2 };
  assert.throws(() => runClustering(constant, columns.slice(0, 2), { algorithm: 'kmeans', k: 2, seed: 1 }), /No usable feature/);
  assert.deepEqual(namedFeature('revenue'), { name: 'revenue', word: 'spenders', kind: 'money' });
  // One user: every column has one value for every user, so nothing is usable (a message, not a crash).
  assert.throws(() => runClustering({ data: Float64Array.from([1, 2, 3]), rows: 1, cols: 3 }, columns, { algorithm: 'kmeans', k: 1, seed: 1 }), /No usable feature/);
  // NaN and ±Infinity are missing values, imputed with the median: the run completes and counts them.
  const holes = data(60);
  holes.x.data[0] = NaN;
  holes.x.data[4] = Infinity;
  holes.x.data[7] = -Infinity;
  const r = runClustering(holes.x, holes.columns, { algorithm: 'kmeans', k: 3, seed: 2 });
  assert.equal(r.labels.length, 60);
  assert.deepEqual(r.preprocessing.transforms.map((t) => t.missing + t.nonFinite), [1, 2, 0]);
  assert.ok(r.labels.every((l) => l >= 0 && l < 3));
});

test('k-means on a pool of chunks gives the run the single-thread pipeline gives (labels, scores, names)', async () => {
  const { x, columns } = data(900);
  const spec: ClusterSpec = { algorithm: 'kmeans', k: 3, seed: 4, restarts: 2 };
  const one = runClustering(x, columns, spec);
  let chunks = 0;
  const pooled = await runClusteringPooled(x, columns, spec, () => undefined, async (px) => {
    chunks++;
    return localPool(px, 3);
  }, { poolFrom: 100 });
  assert.equal(chunks, 1, 'the pool was used');
  assert.deepEqual(pooled.labels, one.labels);
  assert.deepEqual(pooled.names, one.names);
  assert.ok(Math.abs(pooled.quality.inertia! - one.quality.inertia!) < 1e-9 * one.quality.inertia!);
  assert.equal(pooled.quality.silhouette, one.quality.silhouette);
  assert.match(pooled.notes.join(' '), /pool of workers/);
  // Below the threshold no pool is made.
  await runClusteringPooled(x, columns, spec, () => undefined, async () => { throw new Error('no pool expected'); });
});
