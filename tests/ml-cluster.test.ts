// Agglomerative clustering (Ward, average, complete by NN-chain), DBSCAN and the k-d tree, each checked against a
// plain reference: an O(n^3) "merge the closest pair" loop computing every linkage from its definition, a
// brute-force O(n^2) DBSCAN with sklearn's numbering and border rule, and brute-force neighbour searches; plus
// scipy's own linkage matrices on a small fixed dataset. Data is small and seeded; no timings are asserted.
// Run: TZ=UTC node --import tsx --test tests/ml-cluster.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fromRows, row, sqDist, type Matrix } from '../src/ml/matrix.ts';
import { Prng } from '../src/ml/random.ts';
import { agglomerative, cutTree, linkageMatrix, type Linkage } from '../src/ml/agglomerative.ts';
import { dbscan, kDistance, knee, NOISE } from '../src/ml/dbscan.ts';
import { KdTree } from '../src/ml/kdtree.ts';
import { StrataError } from '../src/errors.ts';

// ---------- small local helpers (independent of the shared blobs / metrics modules) ----------

/** Uniform random rows in [0, scale)^d. */
function uniform(n: number, d: number, seed: number, scale = 1): Matrix {
  const rng = new Prng(seed);
  const data = new Float64Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = rng.next() * scale;
  return { data, rows: n, cols: d };
}

/** Gaussian blobs around fixed centres, rows interleaved (row i from blob i mod c). */
function blobs(perBlob: number, centres: number[][], std: number, seed: number): { x: Matrix; truth: Int32Array } {
  const rng = new Prng(seed);
  const c = centres.length;
  const d = centres[0].length;
  const n = perBlob * c;
  const data = new Float64Array(n * d);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    truth[i] = i % c;
    for (let j = 0; j < d; j++) data[i * d + j] = centres[i % c][j] + std * rng.normal();
  }
  return { x: { data, rows: n, cols: d }, truth };
}

/** Adjusted Rand index (Hubert & Arabie) from the contingency table. */
function ari(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const cells = new Map<string, number>();
  const ra = new Map<number, number>();
  const rb = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    cells.set(`${a[i]},${b[i]}`, (cells.get(`${a[i]},${b[i]}`) ?? 0) + 1);
    ra.set(a[i], (ra.get(a[i]) ?? 0) + 1);
    rb.set(b[i], (rb.get(b[i]) ?? 0) + 1);
  }
  const c2 = (v: number) => (v * (v - 1)) / 2;
  let index = 0;
  for (const v of cells.values()) index += c2(v);
  let sa = 0;
  let sb = 0;
  for (const v of ra.values()) sa += c2(v);
  for (const v of rb.values()) sb += c2(v);
  const expected = (sa * sb) / c2(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

const CENTRES_2D = [
  [0, 0],
  [10, 0],
  [0, 10],
  [10, 10],
];

// ---------- agglomerative ----------

/** The definition-level O(n^3) loop: merge the closest pair of clusters (lowest pair on ties) until one is left. */
function referenceHierarchy(x: Matrix, method: Linkage): { heights: number[]; partitions: Map<number, Int32Array> } {
  const n = x.rows;
  const d = x.cols;
  const dist = (i: number, j: number) => Math.sqrt(sqDist(x, i, x, j));
  const sse = (members: number[]) => {
    const c = new Array<number>(d).fill(0);
    for (const i of members) for (let j = 0; j < d; j++) c[j] += x.data[i * d + j] / members.length;
    let s = 0;
    for (const i of members) for (let j = 0; j < d; j++) s += (x.data[i * d + j] - c[j]) ** 2;
    return s;
  };
  const linkageOf = (a: number[], b: number[]): number => {
    if (method === 'ward') return Math.sqrt(2 * (sse([...a, ...b]) - sse(a) - sse(b)));
    let agg = method === 'average' ? 0 : -Infinity;
    for (const i of a) for (const j of b) agg = method === 'average' ? agg + dist(i, j) : Math.max(agg, dist(i, j));
    return method === 'average' ? agg / (a.length * b.length) : agg;
  };
  let clusters: number[][] = Array.from({ length: n }, (_, i) => [i]);
  const heights: number[] = [];
  const partitions = new Map<number, Int32Array>();
  const snapshot = () => {
    const labels = new Int32Array(n);
    // Number by first appearance in row order, as cutTree does.
    const ordered = [...clusters].sort((p, q) => Math.min(...p) - Math.min(...q));
    ordered.forEach((members, l) => members.forEach((i) => (labels[i] = l)));
    partitions.set(clusters.length, labels);
  };
  snapshot();
  while (clusters.length > 1) {
    let best = Infinity;
    let bp = -1;
    let bq = -1;
    for (let p = 0; p < clusters.length; p++) {
      for (let q = p + 1; q < clusters.length; q++) {
        const h = linkageOf(clusters[p], clusters[q]);
        if (h < best) {
          best = h;
          bp = p;
          bq = q;
        }
      }
    }
    heights.push(best);
    const merged = [...clusters[bp], ...clusters[bq]];
    clusters = clusters.filter((_, i) => i !== bp && i !== bq);
    clusters.push(merged);
    snapshot();
  }
  return { heights, partitions };
}

describe('agglomerative clustering', () => {
  for (const method of ['ward', 'average', 'complete'] as const) {
    test(`${method}: NN-chain equals the O(n^3) reference on 40 points (heights to 1e-9, the partition at every k)`, () => {
      const x = uniform(40, 3, 7 + method.length);
      const z = linkageMatrix(x, method);
      const ref = referenceHierarchy(x, method);
      assert.equal(z.rows, 39);
      for (let r = 0; r < z.rows; r++) {
        assert.ok(Math.abs(z.data[r * 4 + 2] - ref.heights[r]) < 1e-9, `merge ${r}: ${z.data[r * 4 + 2]} vs ${ref.heights[r]}`);
        assert.ok(z.data[r * 4] < z.data[r * 4 + 1], 'smaller cluster id first');
        assert.ok(z.data[r * 4 + 1] < 40 + r, 'merges only clusters formed earlier');
        if (r > 0) assert.ok(z.data[r * 4 + 2] >= z.data[(r - 1) * 4 + 2], 'heights ascend');
      }
      assert.equal(z.data[38 * 4 + 3], 40, 'the last merge holds every row');
      for (let k = 1; k <= 40; k++) assert.deepEqual(cutTree(z, k), ref.partitions.get(k), `k = ${k}`);
    });
  }

  test("scipy's linkage matrices on a fixed 8-point dataset (Ward height = sqrt(2·ΔSSE))", () => {
    const x = fromRows([[0, 0], [1, 0.5], [4, 4], [4.2, 3.1], [9, 1], [8.5, 2], [0.3, 2.2], [6, 6.5]]);
    // scipy.cluster.hierarchy.linkage(X, method) with scipy 1.17.1.
    const expected: Record<Linkage, number[][]> = {
      ward: [[2, 3, 0.9219544457292886, 2], [0, 1, 1.118033988749895, 2], [4, 5, 1.118033988749895, 2], [6, 9, 2.263478149515328, 3], [7, 8, 4.0517485937144055, 3], [10, 12, 7.797649218407644, 5], [11, 13, 12.36099375724568, 8]],
      average: [[2, 3, 0.9219544457292886, 2], [0, 1, 1.118033988749895, 2], [4, 5, 1.118033988749895, 2], [6, 9, 2.0294189811012378, 3], [7, 8, 3.5243194655253465, 3], [10, 12, 5.307653478752335, 5], [11, 13, 6.797308635584767, 8]],
      complete: [[2, 3, 0.9219544457292886, 2], [0, 1, 1.118033988749895, 2], [4, 5, 1.118033988749895, 2], [6, 9, 2.220360331117452, 3], [7, 8, 3.8470768123342687, 3], [10, 12, 6.264982043070834, 5], [11, 13, 9.055385138137417, 8]],
    };
    for (const method of ['ward', 'average', 'complete'] as const) {
      const z = linkageMatrix(x, method);
      expected[method].forEach((e, r) => {
        assert.deepEqual([z.data[r * 4], z.data[r * 4 + 1], z.data[r * 4 + 3]], [e[0], e[1], e[3]], `${method} merge ${r}`);
        assert.ok(Math.abs(z.data[r * 4 + 2] - e[2]) < 1e-12, `${method} height ${r}`);
      });
      // scipy's cut_tree(Z, 3) gives [0, 0, 1, 1, 2, 2, 0, 1].
      assert.deepEqual([...cutTree(z, 3)], [0, 0, 1, 1, 2, 2, 0, 1]);
    }
  });

  for (const method of ['ward', 'average', 'complete'] as const) {
    test(`${method}: separated blobs are recovered exactly (ARI = 1)`, () => {
      const { x, truth } = blobs(30, CENTRES_2D, 0.6, 3);
      const out = agglomerative(x, { k: 4, linkage: method });
      assert.equal(out.sampled, false);
      assert.equal(out.sampleSize, 120);
      assert.equal(out.sampleRows, null);
      assert.equal(ari(out.labels, truth), 1);
    });
  }

  test('rows > sampleSize: a seeded sample is clustered, every row labelled, sampled: true', () => {
    const { x, truth } = blobs(150, CENTRES_2D, 0.6, 4);
    const progress: number[] = [];
    const out = agglomerative(x, { k: 4, linkage: 'ward', sampleSize: 100, seed: 9, onProgress: (done) => progress.push(done) });
    assert.equal(out.sampled, true);
    assert.equal(out.sampleSize, 100);
    assert.equal(out.sampleRows!.length, 100);
    assert.equal(out.linkage.rows, 99);
    assert.equal(out.labels.length, 600);
    assert.ok(out.labels.every((l) => l >= 0 && l < 4));
    assert.equal(ari(out.labels, truth), 1);
    assert.equal(progress.at(-1), 99, 'progress ends at the number of merges');
    const again = agglomerative(x, { k: 4, linkage: 'ward', sampleSize: 100, seed: 9 });
    assert.deepEqual(again.labels, out.labels, 'same seed, same labels');
  });

  test('clear errors: k out of range, non-finite values', () => {
    const x = uniform(5, 2, 1);
    assert.throws(() => agglomerative(x, { k: 6 }), StrataError);
    assert.throws(() => agglomerative(x, { k: 0 }), StrataError);
    assert.throws(() => linkageMatrix(fromRows([[0, 1], [NaN, 2]]), 'ward'), /missing or infinite/);
    assert.deepEqual([...agglomerative(fromRows([[3, 4]]), { k: 1 }).labels], [0], 'one row is one cluster');
  });
});

// ---------- DBSCAN ----------

/** Brute-force DBSCAN: core points from O(n^2) counts, core components numbered by lowest core row, border = lowest cluster. */
function referenceDbscan(x: Matrix, eps: number, minPts: number): { labels: Int32Array; core: Uint8Array } {
  const n = x.rows;
  const e2 = eps * eps;
  const nb: number[][] = [];
  for (let i = 0; i < n; i++) {
    nb.push([]);
    for (let j = 0; j < n; j++) if (sqDist(x, i, x, j) <= e2) nb[i].push(j);
  }
  const core = new Uint8Array(n);
  for (let i = 0; i < n; i++) core[i] = nb[i].length >= minPts ? 1 : 0;
  const labels = new Int32Array(n).fill(-1);
  let next = 0;
  for (let i = 0; i < n; i++) {
    if (!core[i] || labels[i] !== -1) continue;
    const queue = [i];
    labels[i] = next;
    while (queue.length) {
      const p = queue.shift()!;
      for (const q of nb[p]) {
        if (core[q] && labels[q] === -1) {
          labels[q] = next;
          queue.push(q);
        }
      }
    }
    next++;
  }
  for (let i = 0; i < n; i++) {
    if (core[i]) continue;
    let best = -1;
    for (const q of nb[i]) if (core[q] && (best === -1 || labels[q] < best)) best = labels[q];
    labels[i] = best;
  }
  return { labels, core };
}

describe('DBSCAN', () => {
  test('equals the brute-force reference on 200 points for several eps, minPts and memory budgets (labels and core points)', () => {
    const { x: b } = blobs(45, [[0, 0], [3, 0], [0, 3], [6, 6]], 0.8, 11);
    const noise = uniform(20, 2, 12, 9);
    const x: Matrix = { data: new Float64Array([...b.data, ...noise.data]), rows: 200, cols: 2 };
    for (const [eps, minPts] of [[0.3, 3], [0.5, 5], [0.7, 4], [1, 10], [0.4, 1], [0.6, 2]] as const) {
      const ref = referenceDbscan(x, eps, minPts);
      // Neighbour lists kept for every core row, for none, and for some (the budget runs out part way).
      for (const maxStored of [undefined, 0, 300]) {
        const got = dbscan(x, { eps, minPts, maxStored });
        assert.deepEqual(got.labels, ref.labels, `eps ${eps}, minPts ${minPts}, maxStored ${maxStored}`);
        assert.deepEqual(got.core, ref.core, `core, eps ${eps}, minPts ${minPts}, maxStored ${maxStored}`);
        assert.equal(got.clusters, Math.max(-1, ...ref.labels) + 1);
        assert.equal(got.noise, ref.labels.filter((l) => l === -1).length);
      }
    }
  });

  test('a border point shared by two clusters joins the one discovered first (lowest core row)', () => {
    const a = [[-1.6], [-1.4], [-1.2], [-1.0]];
    const c = [[1.0], [1.2], [1.4], [1.6]];
    // Row order C, A, border, outlier: C is cluster 0 and takes the border; A first reverses it.
    const first = dbscan(fromRows([...c, ...a, [0], [10]]), { eps: 1, minPts: 4 });
    assert.deepEqual([...first.labels], [0, 0, 0, 0, 1, 1, 1, 1, 0, NOISE]);
    assert.deepEqual([...first.core], [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    const second = dbscan(fromRows([...a, ...c, [0], [10]]), { eps: 1, minPts: 4 });
    assert.deepEqual([...second.labels], [0, 0, 0, 0, 1, 1, 1, 1, 0, NOISE]);
    const borderFirst = dbscan(fromRows([[0], ...c, ...a]), { eps: 1, minPts: 4 });
    assert.deepEqual([...borderFirst.labels], [0, 0, 0, 0, 0, 1, 1, 1, 1], 'a border row before every core row still waits for its cluster');
  });

  test('outliers far from the blobs are noise (-1); the blobs are found exactly', () => {
    const { x: b, truth } = blobs(50, CENTRES_2D, 0.4, 5);
    const outliers = [[30, 30], [-25, 5], [5, -40]];
    const x: Matrix = { data: new Float64Array([...b.data, ...outliers.flat()]), rows: 203, cols: 2 };
    const out = dbscan(x, { eps: 1, minPts: 5 });
    assert.deepEqual([...out.labels.subarray(200)], [NOISE, NOISE, NOISE]);
    assert.equal(out.clusters, 4);
    const inliers = out.labels.subarray(0, 200);
    const kept = [...inliers.keys()].filter((i) => inliers[i] !== NOISE);
    assert.ok(kept.length >= 195, `few blob rows are noise (${200 - kept.length})`);
    assert.equal(ari(kept.map((i) => inliers[i]), kept.map((i) => truth[i])), 1);
  });

  test('kDistance: ascending k-th neighbour distances; the suggested eps separates the blobs', () => {
    const { x, truth } = blobs(60, CENTRES_2D, 0.5, 6);
    const k = 4;
    const kd = kDistance(x, k);
    assert.equal(kd.distances.length, 240);
    for (let i = 1; i < kd.distances.length; i++) assert.ok(kd.distances[i] >= kd.distances[i - 1]);
    // Brute force: the k-th smallest distance from each row, the row itself counted (distance 0).
    const brute = Array.from({ length: x.rows }, (_, i) => {
      const ds = Array.from({ length: x.rows }, (_, j) => Math.sqrt(sqDist(x, i, x, j))).sort((p, q) => p - q);
      return ds[k - 1];
    }).sort((p, q) => p - q);
    assert.deepEqual([...kd.distances], brute);
    assert.equal(kd.suggestedEps, kd.distances[kd.kneeIndex]);
    assert.ok(kd.suggestedEps > kd.distances[120] && kd.suggestedEps < 3, `eps ${kd.suggestedEps} is above the median and far below the gap`);
    const out = dbscan(x, { eps: kd.suggestedEps, minPts: k });
    assert.equal(out.clusters, 4);
    assert.ok(out.noise <= 24, `noise ${out.noise} (at most a tenth of the rows)`);
    const kept = [...out.labels.keys()].filter((i) => out.labels[i] !== NOISE);
    assert.equal(ari(kept.map((i) => out.labels[i]), kept.map((i) => truth[i])), 1);

    const sampled = kDistance(x, k, { sample: 50, seed: 3 });
    assert.equal(sampled.distances.length, 50);
    for (const v of sampled.distances) assert.ok(brute.includes(v), 'sampled rows still measure against the whole data');
    assert.deepEqual(kDistance(x, k, { sample: 50, seed: 3 }).distances, sampled.distances, 'seeded');
  });

  test('knee: the point farthest below the chord; flat or tiny curves fall back to the last point', () => {
    assert.equal(knee(Float64Array.from([0, 0.1, 0.2, 0.3, 5, 10])), 3);
    assert.equal(knee(Float64Array.from([1, 1, 1, 1])), 3);
    assert.equal(knee(Float64Array.from([1, 2])), 1);
  });

  test('clear errors for bad eps, minPts or k', () => {
    const x = uniform(10, 2, 1);
    assert.throws(() => dbscan(x, { eps: 0, minPts: 3 }), StrataError);
    assert.throws(() => dbscan(x, { eps: 1, minPts: 0 }), StrataError);
    assert.throws(() => kDistance(x, 11), StrataError);
  });
});

// ---------- k-d tree ----------

describe('k-d tree', () => {
  const bruteKnn = (x: Matrix, q: Float64Array, k: number) =>
    Array.from({ length: x.rows }, (_, j) => ({ j, d: Math.sqrt(sqDist({ data: q, rows: 1, cols: x.cols }, 0, x, j)) }))
      .sort((a, b) => a.d - b.d || a.j - b.j)
      .slice(0, k);

  test('kNN, radius and radiusCount equal brute force (continuous data, rows and outside queries)', () => {
    const x = uniform(300, 3, 21);
    const tree = new KdTree(x, 8);
    const queries = [...Array.from({ length: 60 }, (_, i) => Float64Array.from(row(x, i * 5))), ...Array.from({ length: 20 }, (_, i) => Float64Array.from(row(uniform(20, 3, 22, 1.4), i)))];
    for (const q of queries) {
      for (const k of [1, 5, 20]) {
        const got = tree.knn(q, k);
        const want = bruteKnn(x, q, k);
        assert.deepEqual([...got.distances], want.map((w) => w.d));
        assert.deepEqual([...got.indexes], want.map((w) => w.j));
      }
      for (const r of [0.05, 0.2, 0.6, 2]) {
        const want = bruteKnn(x, q, x.rows).filter((w) => w.d * w.d <= r * r).map((w) => w.j).sort((a, b) => a - b);
        assert.deepEqual(tree.radius(q, r).sort((a, b) => a - b), want);
        assert.equal(tree.radiusCount(q, r), want.length);
      }
    }
  });

  test('many duplicate values (an integer grid with repeats) and a single-row tree', () => {
    const rng = new Prng(5);
    const x = fromRows(Array.from({ length: 400 }, () => [rng.int(4), rng.int(3), 7]));
    const tree = new KdTree(x, 4);
    for (let i = 0; i < 400; i += 37) {
      const q = Float64Array.from(row(x, i));
      for (const k of [1, 10, 150]) assert.deepEqual([...tree.knn(q, k).distances], bruteKnn(x, q, k).map((w) => w.d));
      for (const r of [0, 1, 1.5]) assert.equal(tree.radiusCount(q, r), bruteKnn(x, q, 400).filter((w) => w.d <= r).length);
    }
    const one = new KdTree(fromRows([[1, 2]]));
    assert.deepEqual([...one.knn([1, 3], 1).distances], [1]);
    assert.deepEqual(one.radius([1, 3], 0.5), []);
  });
});
