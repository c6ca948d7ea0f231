// A saved clustering as a nearest-centre model (src/ml/centroid-model.ts): stored users land in their own cluster,
// typed values go through the run's transforms, and a definition that does not read as a model is refused.
// Run: TZ=UTC node --import tsx --test tests/ml-centroid-model.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeBlobs } from '../src/ml/blobs.ts';
import { runClustering, type ClusterSpec } from '../src/ml/pipeline.ts';
import { centroidDefinition, clusterMeans, nearestCentre, readCentroidModel, transformValue, type CentroidColumn } from '../src/ml/centroid-model.ts';
import type { FeatureColumn } from '../src/ml/features.ts';

/** Three blobs of skewed positive "money" and "count" values (log1p applies), 600 users. */
function data() {
  const b = makeBlobs({ n: 600, centres: [[1, 1], [4, 1], [1, 4]], d: 2, std: 0.25, seed: 9 });
  const x = new Float64Array(600 * 2);
  for (let i = 0; i < x.length; i++) x[i] = Math.expm1(b.x.data[i]);
  const columns: FeatureColumn[] = [
    { name: 'revenue', field: 'm.revenue', encoding: 'value', skewed: true },
    { name: 'orders', field: 'm.orders', encoding: 'value', skewed: true },
  ];
  return { x: { data: x, rows: 600, cols: 2 }, columns };
}

for (const [algorithm, scaling] of [['kmeans', 'standard'], ['kmeans', 'robust'], ['gmm', 'standard']] as const) {
  test(`${algorithm} (${scaling} scaling): every clustered user's nearest centre is their own cluster, after a JSON round trip`, () => {
    const { x, columns } = data();
    const spec: ClusterSpec = { algorithm, k: 3, seed: 4, restarts: 2, preprocessing: { scaling } };
    const r = runClustering(x, columns, spec);
    assert.ok(r.preprocessing.transforms.every((t) => t.log1p), 'log1p was used');
    const def = JSON.stringify({ algorithm, fieldIds: ['m.revenue', 'm.orders'], names: r.names, ...centroidDefinition(r.preprocessing.transforms, r.centres) });
    const model = readCentroidModel(def)!;
    assert.ok(model);
    assert.deepEqual(model.fieldIds, ['m.revenue', 'm.orders']);
    for (let i = 0; i < x.rows; i++) {
      const got = nearestCentre(model, { revenue: x.data[i * 2], orders: x.data[i * 2 + 1] });
      assert.equal(got.cluster, r.labels[i], `user ${i}`);
      assert.equal(got.name, r.names[r.labels[i]]);
      assert.deepEqual(got.imputed, []);
    }
  });
}

test('transforms by hand: median imputation, log1p, centre and scale; distances; means leave noise out', () => {
  const cols: CentroidColumn[] = [
    { name: 'revenue', field: 'm.revenue', encoding: 'value', median: 20, log1p: true, center: 1, scale: 2 },
    { name: 'age', field: 'u.age', encoding: 'value', median: 40, log1p: false, center: 30, scale: 10 },
  ];
  assert.equal(transformValue(cols[0], Math.E - 1), 0); // (log(e) - 1) / 2
  assert.equal(transformValue(cols[1], null), 1); // median 40 → (40 - 30) / 10
  assert.equal(transformValue(cols[1], NaN), 1);
  const model = { algorithm: 'kmeans', columns: cols, centres: [[0, 0], [0, 1], [3, 4]], names: ['A', 'B', 'C'], fieldIds: ['m.revenue', 'u.age'] };
  const got = nearestCentre(model, { revenue: Math.E - 1 });
  assert.equal(got.name, 'B');
  assert.deepEqual(got.imputed, ['age']);
  assert.deepEqual(got.distances, [1, 0, Math.sqrt(9 + 9)]);
  // Means per cluster, noise (-1) out, an empty cluster NaN (stored as null, never nearest).
  const m = clusterMeans({ data: Float64Array.from([1, 2, 3, 4, 100, 100]), rows: 3, cols: 2 }, Int32Array.from([0, 0, -1]), 2);
  assert.deepEqual([...m.data.subarray(0, 2)], [2, 3]);
  assert.ok(Number.isNaN(m.data[2]) && Number.isNaN(m.data[3]));
  const def = centroidDefinition(cols.map((c) => ({ ...c, missing: 0, nonFinite: 0, summary: '' })), m);
  assert.deepEqual(def.centres, [[2, 3], [null, null]]);
  const back = readCentroidModel(JSON.stringify({ algorithm: 'kmeans', names: ['A', 'B'], ...def }))!;
  assert.equal(nearestCentre(back, { revenue: 1e9, age: 1e9 }).name, 'A', 'the empty cluster is never nearest');
  assert.deepEqual(back.fieldIds, ['m.revenue', 'u.age'], 'field ids default to the columns’ fields');
});

test('definitions that are not a model read as null', () => {
  const ok = { algorithm: 'kmeans', names: ['A'], model: [{ name: 'x', field: 'm.x', encoding: 'value', median: 1, log1p: false, center: 0, scale: 1 }], centres: [[0]] };
  assert.ok(readCentroidModel(JSON.stringify(ok)));
  assert.equal(readCentroidModel(null), null);
  assert.equal(readCentroidModel('not json'), null);
  assert.equal(readCentroidModel(JSON.stringify({ algorithm: 'kmeans', names: ['A'], sizes: [3] })), null, 'saved before centres were kept');
  assert.equal(readCentroidModel(JSON.stringify({ ...ok, model: [{ ...ok.model[0], scale: 0 }] })), null, 'scale 0');
  assert.equal(readCentroidModel(JSON.stringify({ ...ok, model: [{ ...ok.model[0], median: 'x' }] })), null);
  assert.equal(readCentroidModel(JSON.stringify({ ...ok, centres: [[0, 1]] })), null, 'row length');
  assert.equal(readCentroidModel(JSON.stringify({ ...ok, names: ['A', 'B'] })), null, 'names vs centres');
});
