// The Clusters screen's pure parts: its URL settings, the saved-runs list read back from stored definitions, and
// the out-of-memory message.
// Run: TZ=UTC node --import tsx --test tests/clusters-view.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CLUSTERS, clustersFromParams, clustersToParams, validateClustersView } from '../src/views/clusters/url-spec.ts';
import { savedRuns } from '../src/views/clusters/saved-runs.ts';
import { friendly } from '../src/views/clusters/messages.ts';
import type { SegmentationRecord } from '../src/data/segments-store.ts';

test('settings: defaults, a round trip through the URL, and clear refusals', () => {
  assert.deepEqual(clustersFromParams(new URLSearchParams('')).view, DEFAULT_CLUSTERS);
  const v = { ...DEFAULT_CLUSTERS, algorithm: 'gmm' as const, k: 6, seed: 3, miniBatch: true, features: ['m.orders', 'u.country'],
    users: { op: 'and' as const, items: [{ field: 'm.orders', op: '>=' as const, value: 1 }] } };
  const p = new URLSearchParams(Object.entries(clustersToParams(v)).filter((e): e is [string, string] => e[1] !== null));
  assert.deepEqual(clustersFromParams(p).view, v);
  assert.throws(() => validateClustersView({ k: 0 }), /number of clusters \(k\) must be a whole number from 1 to 50/);
  assert.throws(() => validateClustersView({ miniBatch: 'yes' }), /"miniBatch" must be true or false/);
  assert.throws(() => validateClustersView({ features: ['orders'] }), /field ids such as "m.orders"/);
  assert.throws(() => validateClustersView({ depth: 1 }), /Unknown clustering setting "depth"/);
  assert.throws(() => validateClustersView({ users: { op: 'xor', items: [] } }), /"and" or "or"/);
  const bad = clustersFromParams(new URLSearchParams('c=notjson'));
  assert.deepEqual(bad.view, DEFAULT_CLUSTERS);
  assert.match(bad.error ?? '', /clustering settings were ignored/);
});

const rec = (column: string, kind: SegmentationRecord['kind'], definition: string | null, updatedAt: number, dataVersion = 'v1'): SegmentationRecord =>
  ({ column, name: column.toUpperCase(), kind, type: 'label', definition, updatedAt, dataVersion });

test('saved runs: clusterings only, newest first, stale when the data changed, settings when they validate', () => {
  const def = (o: unknown) => JSON.stringify(o);
  const runs = savedRuns([
    rec('cluster_a', 'model', def({ algorithm: 'kmeans', spec: { algorithm: 'kmeans', k: 2, seed: 7, preprocessing: { log1p: false, scaling: 'robust' } }, fieldIds: ['m.orders'],
      users: { op: 'and', items: [{ field: 'm.orders', op: '>', value: 0 }] }, quality: { silhouette: 0.41 }, names: ['X', 'Y'], sizes: [3, 5], noise: 0 }), 10),
    rec('cluster_b', 'model', def({ algorithm: 'dbscan', spec: { algorithm: 'dbscan', k: 0, seed: 1, eps: 0.5, minPts: 4 }, names: ['Z'], sizes: [4], noise: 2 }), 20, 'v0'),
    rec('cluster_c', 'model', '{not json', 30),
    rec('engagement_level', 'builtin', def({ algorithm: 'kmeans' }), 40),
    rec('cluster_d', 'model', def({ algorithm: 'kmeans', spec: { k: 99 }, sizes: [1] }), 5),
  ], 'v1');
  assert.deepEqual(runs.map((r) => r.column), ['cluster_b', 'cluster_a', 'cluster_d']);
  const [b, a, d] = runs;
  assert.deepEqual({ k: a.k, silhouette: a.silhouette, names: a.names, sizes: a.sizes, stale: a.stale }, { k: 2, silhouette: 0.41, names: ['X', 'Y'], sizes: [3, 5], stale: false });
  assert.deepEqual(a.view, { ...DEFAULT_CLUSTERS, features: ['m.orders'], k: 2, seed: 7, log1p: false, scaling: 'robust',
    users: { op: 'and', items: [{ field: 'm.orders', op: '>', value: 0 }] } });
  assert.equal(b.stale, true);
  assert.equal(b.noise, 2);
  // DBSCAN's spec holds k = 0 (it finds its own k): the settings keep the default k.
  assert.deepEqual(b.view, { ...DEFAULT_CLUSTERS, algorithm: 'dbscan', seed: 1, eps: 0.5, minPts: 4 });
  assert.equal(d.view, null, 'k = 99 is refused');
});

test('an allocation failure reads as a memory message; anything else is kept', () => {
  assert.match(friendly('RangeError: Array buffer allocation failed', { rows: 1_000_000, columns: [1, 2, 3] }), /Not enough memory in this tab to cluster 1,000,000 users × 3 features/);
  assert.equal(friendly('k (9) is larger than the number of users (3).', { rows: 3, columns: [] }), 'k (9) is larger than the number of users (3).');
});
