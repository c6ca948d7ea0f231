// Per-cluster distributions: five numbers per feature and cluster against a plain reference (filter, sort, the
// numpy "linear" quantile written out), with missing values, noise and an empty group.
// Run: TZ=UTC node --import tsx --test tests/ml-distributions.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterDistributions } from '../src/ml/distributions.ts';
import { Prng } from '../src/ml/random.ts';

function refFive(values: number[]): number[] | null {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  // numpy.percentile(v, q, method='linear'): position (n - 1) q between the two nearest order statistics.
  const q = (p: number) => {
    const pos = (v.length - 1) * p;
    const i = Math.floor(pos);
    return i + 1 < v.length ? v[i] + (pos - i) * (v[i + 1] - v[i]) : v[i];
  };
  return [v[0], q(0.25), q(0.5), q(0.75), v[v.length - 1]];
}

test('five numbers per cluster equal a plain reference; NaN left out; noise last; a group with no value is null', () => {
  // By hand first: cluster 0 holds 1, 2, 3, 4 in column 0 -> [1, 1.75, 2.5, 3.25, 4].
  const small = clusterDistributions({ data: Float64Array.from([1, 5, 2, NaN, 3, NaN, 4, NaN, 10, 7]), rows: 5, cols: 2 }, Int32Array.from([0, 0, 0, 0, -1]), 1);
  assert.deepEqual(small[0].groups, [[1, 1.75, 2.5, 3.25, 4], [10, 10, 10, 10, 10]]);
  assert.deepEqual(small[1].groups, [[5, 5, 5, 5, 5], [7, 7, 7, 7, 7]]);

  const rng = new Prng(3);
  const n = 2_000;
  const d = 3;
  const k = 4;
  const data = new Float64Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = rng.next() < 0.05 ? -1 : Math.floor(rng.next() * (k - 1)); // cluster 3 stays empty
    for (let j = 0; j < d; j++) data[i * d + j] = rng.next() < 0.1 ? NaN : Math.round(rng.next() * 1000) / 10 + labels[i] * 50;
  }
  const got = clusterDistributions({ data, rows: n, cols: d }, labels, k);
  for (let j = 0; j < d; j++) {
    assert.equal(got[j].groups.length, k + 1);
    for (let g = 0; g <= k; g++) {
      const label = g === k ? -1 : g;
      const col: number[] = [];
      for (let i = 0; i < n; i++) if (labels[i] === label) col.push(data[i * d + j]);
      const want = refFive(col);
      const have = got[j].groups[g];
      if (want === null) assert.equal(have, null, `feature ${j} group ${g}`);
      else want.forEach((w, t) => assert.ok(Math.abs(w - have![t]) < 1e-9, `feature ${j} group ${g} stat ${t}: ${have![t]} vs ${w}`));
    }
  }
  assert.equal(got[0].groups[3], null, 'the empty cluster');
});
