// k-means, its metrics and the choice of k (src/ml/kmeans.ts, metrics.ts, choose-k.ts, blobs.ts) against plain,
// obviously-correct reference loops over number[][] written here, known values, and invariants. Small data only.
// Run: TZ=UTC node --import tsx --test tests/ml-kmeans.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fromRows, type Matrix } from '../src/ml/matrix.ts';
import { Prng, sampleIndexes } from '../src/ml/random.ts';
import { PP_BLOCK } from '../src/ml/plusplus.ts';
import { makeBlobs } from '../src/ml/blobs.ts';
import {
  assignAndSum, newBounds, combineSums, checkFinite, chunkBounds, kmeans, kmeansPlusPlus, kmeansPlusPlusPooled, kmeansPooled, localPool, lloyd, lloydPooled, miniBatchKmeans, mlKmeansLloyd,
  ML_KMEANS_MAX_ROWS, scaledTolerance, type ChunkSums, type IterationInfo,
} from '../src/ml/kmeans.ts';
import {
  adjustedRandIndex, calinskiHarabasz, contingency, daviesBouldin, inertia, silhouette, silhouettes,
} from '../src/ml/metrics.ts';
import { elbowK, recommendK, scanK, type KScore } from '../src/ml/choose-k.ts';

// ---------------------------------------------------------------------------------------------------------------
// Plain reference implementations (number[][], double loops)

const rowsOf = (m: Matrix): number[][] =>
  Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
const sq = (a: number[], b: number[]): number => a.reduce((s, v, j) => s + (v - b[j]) ** 2, 0);
const dist = (a: number[], b: number[]): number => Math.sqrt(sq(a, b));
const distinct = (l: ArrayLike<number>): number[] => [...new Set(Array.from(l))].sort((a, b) => a - b);
const mean = (pts: number[][]): number[] => pts[0].map((_, j) => pts.reduce((s, p) => s + p[j], 0) / pts.length);

function refInertia(x: number[][], labels: ArrayLike<number>, centres: number[][]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += sq(x[i], centres[labels[i]]);
  return s;
}

function refSilhouette(x: number[][], labels: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    const byCluster = new Map<number, { sum: number; n: number }>();
    for (let j = 0; j < x.length; j++) {
      if (j === i) continue;
      const e = byCluster.get(labels[j]) ?? { sum: 0, n: 0 };
      e.sum += dist(x[i], x[j]);
      e.n++;
      byCluster.set(labels[j], e);
    }
    const own = byCluster.get(labels[i]);
    if (!own) continue; // alone in its cluster: 0
    const a = own.sum / own.n;
    let b = Infinity;
    for (const [l, e] of byCluster) if (l !== labels[i]) b = Math.min(b, e.sum / e.n);
    total += Math.max(a, b) > 0 ? (b - a) / Math.max(a, b) : 0;
  }
  return total / x.length;
}

function clusters(x: number[][], labels: ArrayLike<number>): Map<number, number[][]> {
  const m = new Map<number, number[][]>();
  for (let i = 0; i < x.length; i++) m.set(labels[i], [...(m.get(labels[i]) ?? []), x[i]]);
  return m;
}

function refCH(x: number[][], labels: ArrayLike<number>): number {
  const all = mean(x);
  const cs = clusters(x, labels);
  let extra = 0;
  let intra = 0;
  for (const pts of cs.values()) {
    const c = mean(pts);
    extra += pts.length * sq(c, all);
    for (const p of pts) intra += sq(p, c);
  }
  const k = cs.size;
  return intra === 0 ? 1 : (extra / (k - 1)) / (intra / (x.length - k));
}

function refDB(x: number[][], labels: ArrayLike<number>): number {
  const cs = [...clusters(x, labels).values()];
  const cents = cs.map(mean);
  const s = cs.map((pts, k) => pts.reduce((t, p) => t + dist(p, cents[k]), 0) / pts.length);
  let total = 0;
  for (let a = 0; a < cs.length; a++) {
    let worst = 0;
    for (let b = 0; b < cs.length; b++) if (b !== a) worst = Math.max(worst, (s[a] + s[b]) / dist(cents[a], cents[b]));
    total += worst;
  }
  return total / cs.length;
}

const choose2 = (v: number): number => (v * (v - 1)) / 2;

/** Hubert & Arabie's ARI from pair counts. */
function refARI(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const cell = new Map<string, number>();
  const ra = new Map<number, number>();
  const cb = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    cell.set(`${a[i]},${b[i]}`, (cell.get(`${a[i]},${b[i]}`) ?? 0) + 1);
    ra.set(a[i], (ra.get(a[i]) ?? 0) + 1);
    cb.set(b[i], (cb.get(b[i]) ?? 0) + 1);
  }
  let index = 0;
  for (const v of cell.values()) index += choose2(v);
  let sa = 0;
  let sb = 0;
  for (const v of ra.values()) sa += choose2(v);
  for (const v of cb.values()) sb += choose2(v);
  const expected = (sa * sb) / choose2(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

/** Plain Lloyd for `iters` iterations (or to a fixed point), empty clusters keep their centre; then a last assignment. */
function refLloyd(x: number[][], start: number[][], iters = 10_000): { labels: number[]; centres: number[][]; inertia: number } {
  let centres = start.map((c) => [...c]);
  const assign = (): number[] => x.map((p) => {
    let best = 0;
    for (let c = 1; c < centres.length; c++) if (sq(p, centres[c]) < sq(p, centres[best])) best = c;
    return best;
  });
  let labels = assign();
  for (let it = 0; it < iters; it++) {
    centres = centres.map((c, k) => {
      const pts = x.filter((_, i) => labels[i] === k);
      return pts.length ? mean(pts) : c;
    });
    const next = assign();
    const same = next.every((l, i) => l === labels[i]);
    labels = next;
    if (same) break;
  }
  return { labels, centres, inertia: refInertia(x, labels, centres) };
}

/** Greedy k-means++ exactly as documented, on number[][], drawing from the same stream. */
function refPlusPlus(x: number[][], k: number, rng: Prng): number[][] {
  const trials = 2 + Math.floor(Math.log(k));
  const centres = [x[rng.int(x.length)]];
  let closest = x.map((p) => sq(p, centres[0]));
  for (let c = 1; c < k; c++) {
    const total = closest.reduce((s, v) => s + v, 0);
    const cands: number[] = [];
    for (let t = 0; t < trials; t++) {
      const r = rng.next() * total;
      let acc = 0;
      let pick = x.length - 1;
      for (let i = 0; i < x.length; i++) {
        acc += closest[i];
        if (acc > r) { pick = i; break; }
      }
      cands.push(pick);
    }
    const pots = cands.map((ci) => x.reduce((s, p, i) => s + Math.min(closest[i], sq(p, x[ci])), 0));
    const best = pots.indexOf(Math.min(...pots));
    centres.push(x[cands[best]]);
    closest = x.map((p, i) => Math.min(closest[i], sq(p, x[cands[best]])));
  }
  return centres;
}

const close = (a: number, b: number, tol = 1e-9, msg?: string): void =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b)), msg ?? `${a} vs ${b}`);

function randomData(seed: number, n: number, d: number, labelsCount: number): { x: Matrix; labels: Int32Array } {
  const rng = new Prng(seed);
  const data = new Float64Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() * 3 + (i % 3);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = i < labelsCount ? i : rng.int(labelsCount); // every label used
  return { x: { data, rows: n, cols: d }, labels };
}

/** Four well separated blobs in 3-D (distance 20 between centres, std 0.5). */
const separated = (n = 400, seed = 5) => makeBlobs({
  n, seed, std: 0.5, centres: [[10, 10, 10], [-10, -10, 10], [10, -10, -10], [-10, 10, -10]],
});

// ---------------------------------------------------------------------------------------------------------------

describe('metrics against reference loops', () => {
  test('inertia, silhouette, Calinski–Harabasz, Davies–Bouldin, ARI and contingency on random data', () => {
    for (const [seed, n, d, m] of [[1, 60, 3, 3], [2, 45, 5, 4], [3, 30, 1, 2], [4, 25, 2, 6]] as const) {
      const { x, labels } = randomData(seed, n, d, m);
      const X = rowsOf(x);
      const rawLabels = Array.from(labels, (l) => [7, -3, 100, 42, 0, 5][l]); // any label values
      const centres = fromRows(Array.from({ length: m }, (_, k) => X[k]));
      close(inertia(x, labels, centres), refInertia(X, labels, rowsOf(centres)));
      close(silhouette(x, rawLabels), refSilhouette(X, rawLabels));
      close(calinskiHarabasz(x, rawLabels), refCH(X, rawLabels));
      close(daviesBouldin(x, rawLabels), refDB(X, rawLabels));
      const other = randomData(seed + 10, n, 1, m + 1).labels;
      close(adjustedRandIndex(rawLabels, other), refARI(rawLabels, other));
      close(adjustedRandIndex(other, rawLabels), refARI(rawLabels, other));
      const t = contingency(rawLabels, other);
      assert.deepEqual(t.rowLabels, distinct(rawLabels));
      assert.deepEqual(t.colLabels, distinct(other));
      for (let r = 0; r < t.rowLabels.length; r++) for (let c = 0; c < t.colLabels.length; c++) {
        const want = rawLabels.filter((v, i) => v === t.rowLabels[r] && other[i] === t.colLabels[c]).length;
        assert.equal(t.counts.data[r * t.colLabels.length + c], want);
      }
    }
  });

  test('a singleton cluster scores 0 in the silhouette', () => {
    const x = fromRows([[0], [1], [2], [50]]);
    const labels = [0, 0, 0, 1];
    close(silhouette(x, labels), refSilhouette(rowsOf(x), labels));
  });

  test('silhouette above sampleSize is the exact silhouette of the seeded sample', () => {
    const { x, labels } = randomData(8, 120, 2, 3);
    const idx = sampleIndexes(new Prng(11), 120, 50);
    const X = rowsOf(x);
    const want = refSilhouette(Array.from(idx, (i) => X[i]), Array.from(idx, (i) => labels[i]));
    close(silhouette(x, labels, { sampleSize: 50, seed: 11 }), want);
    assert.equal(silhouette(x, labels, { sampleSize: 50, seed: 11 }), silhouette(x, labels, { sampleSize: 50, seed: 11 }));
    close(silhouette(x, labels, { sampleSize: 120 }), refSilhouette(X, labels)); // not above: exact
  });

  test('silhouettes of several labelings in one pass: each equals the reference loop and silhouette() exactly', () => {
    const { x, labels } = randomData(5, 90, 3, 4);
    const X = rowsOf(x);
    const labelings: number[][] = [Array.from(labels), Array.from(labels, (l) => l % 2), Array.from(randomData(6, 90, 1, 7).labels, (l) => 3 * l - 4),
      Array.from(labels, () => 1), Array.from(labels, (_, i) => (i === 0 ? 9 : 2))];
    const fractions: number[] = [];
    const got = silhouettes(x, labelings, {}, (f) => fractions.push(f));
    assert.equal(got.length, labelings.length);
    for (let r = 0; r < 3; r++) {
      close(got[r], refSilhouette(X, labelings[r]));
      assert.equal(got[r], silhouette(x, labelings[r]), `labeling ${r}: the very same sums`);
    }
    assert.ok(Number.isNaN(got[3]), 'one cluster: undefined');
    assert.equal(got[4], silhouette(x, labelings[4]), 'a singleton cluster beside the rest');
    assert.ok(fractions.length > 1 && fractions[0] === 0 && fractions.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f > fractions[i - 1])), 'progress rises within [0, 1]');
    // Above sampleSize: the same seeded sample for every labeling.
    const idx = sampleIndexes(new Prng(11), 90, 40);
    const sampled = silhouettes(x, labelings.slice(0, 3), { sampleSize: 40, seed: 11 });
    for (let r = 0; r < 3; r++) {
      close(sampled[r], refSilhouette(Array.from(idx, (i) => X[i]), Array.from(idx, (i) => labelings[r][i])));
      assert.equal(sampled[r], silhouette(x, labelings[r], { sampleSize: 40, seed: 11 }));
    }
    assert.deepEqual(silhouettes(x, []), []);
    assert.throws(() => silhouettes(x, [[0, 1]]), /2 labels for 90 rows/);
  });

  test('known values', () => {
    // Points 0, 1 | 10, 11: s = 9.5/10.5 for the outer points, 8.5/9.5 for the inner ones.
    close(silhouette(fromRows([[0], [1], [10], [11]]), [0, 0, 1, 1]), (9.5 / 10.5 + 8.5 / 9.5) / 2);
    // 0, 2 | 10, 12: between = 2·25 + 2·25 = 100, within = 4, (100 / 1) / (4 / 2) = 50; DB = (1 + 1) / 10.
    close(calinskiHarabasz(fromRows([[0], [2], [10], [12]]), [0, 0, 1, 1]), 50);
    close(daviesBouldin(fromRows([[0], [2], [10], [12]]), [0, 0, 1, 1]), 0.2);
    // sklearn's documented adjusted_rand_score examples.
    assert.equal(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 1]), 1);
    assert.equal(adjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0]), 1);
    close(adjustedRandIndex([0, 0, 1, 2], [0, 0, 1, 1]), 4 / 7);
    close(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2]), 4 / 7);
    assert.equal(adjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3]), 0);
    close(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1]), -0.5);
    const l = randomData(3, 50, 1, 5).labels;
    assert.equal(adjustedRandIndex(l, l), 1);
    assert.equal(adjustedRandIndex(l, Array.from(l, (v) => 10 - 3 * v)), 1); // a relabelling
  });

  test('undefined cases say so', () => {
    assert.throws(() => silhouette(fromRows([[0], [1], [2]]), [0, 0, 0]), /between 2 and 2 clusters/);
    assert.throws(() => calinskiHarabasz(fromRows([[0], [1], [2]]), [0, 1, 2]), /between 2 and 2 clusters/);
    close(calinskiHarabasz(fromRows([[0], [0], [5], [5]]), [0, 0, 1, 1]), 1); // no within-cluster spread
    assert.equal(daviesBouldin(fromRows([[0], [0], [5], [5]]), [0, 0, 1, 1]), 0);
  });
});

describe('makeBlobs', () => {
  test('sizes, shapes and determinism', () => {
    const a = makeBlobs({ n: 10, centres: 3, d: 2, seed: 1 });
    assert.equal(a.x.rows, 10);
    assert.equal(a.x.cols, 2);
    assert.deepEqual([0, 1, 2].map((b) => a.labels.filter((l) => l === b).length), [4, 3, 3]);
    assert.deepEqual(makeBlobs({ n: 10, centres: 3, d: 2, seed: 1 }), a);
    assert.notDeepEqual(makeBlobs({ n: 10, centres: 3, d: 2, seed: 2 }).x.data, a.x.data);
    for (const v of a.centres.data) assert.ok(v >= -10 && v < 10);
  });
});

describe('k-means++', () => {
  test('equals the documented greedy rule written plainly, from the same stream', () => {
    const { x } = makeBlobs({ n: 300, centres: 6, d: 3, seed: 2 });
    for (const k of [1, 2, 5, 9]) {
      const got = kmeansPlusPlus(x, k, new Prng(k));
      assert.deepEqual(rowsOf(got), refPlusPlus(rowsOf(x), k, new Prng(k)));
    }
    // Over several blocks the sums are taken per block (bit-identical across pool sizes); on this data the draws
    // still pick the plain rule's rows.
    const big = makeBlobs({ n: 2 * PP_BLOCK + 500, centres: 6, d: 3, seed: 8 }).x;
    assert.deepEqual(rowsOf(kmeansPlusPlus(big, 6, new Prng(2))), refPlusPlus(rowsOf(big), 6, new Prng(2)));
  });

  test('centres are distinct rows while there are enough distinct rows', () => {
    const x = fromRows([[0, 0], [0, 0], [1, 0], [1, 0], [5, 5], [5, 5], [9, 1]]);
    const c = rowsOf(kmeansPlusPlus(x, 4, new Prng(3)));
    assert.equal(new Set(c.map((r) => r.join())).size, 4);
    for (const r of c) assert.ok(rowsOf(x).some((p) => p.join() === r.join()));
  });
});

describe('Lloyd', () => {
  const { x } = makeBlobs({ n: 500, centres: 5, d: 3, std: 2.5, seed: 9 }); // overlapping: several iterations
  const X = rowsOf(x);

  test('inertia never rises; the result matches a plain reference loop from the same centres', () => {
    for (const seed of [1, 2, 3]) {
      const init = kmeansPlusPlus(x, 5, new Prng(seed));
      const seen: IterationInfo[] = [];
      const r = lloyd(x, init, { onIteration: (i) => seen.push(i) });
      assert.ok(seen.length >= 2);
      for (let t = 1; t < seen.length; t++) assert.ok(seen[t].inertia <= seen[t - 1].inertia * (1 + 1e-12), `iteration ${t + 1}`);
      assert.ok(r.inertia <= seen[seen.length - 1].inertia * (1 + 1e-12));
      // Same number of iterations by hand: never above it.
      const ref = refLloyd(X, rowsOf(init), r.iterations);
      assert.ok(r.inertia <= ref.inertia * (1 + 1e-9), `${r.inertia} > ${ref.inertia}`);
      // Run to the fixed point (tol 0): the same labels and inertia as the reference at its fixed point.
      const full = lloyd(x, init, { tol: 0 });
      const refFull = refLloyd(X, rowsOf(init));
      assert.ok(full.converged);
      assert.deepEqual(Array.from(full.labels), refFull.labels);
      close(full.inertia, refFull.inertia);
      close(full.inertia, inertia(x, full.labels, full.centres));
    }
  });

  test("Hamerly's bounds change no result: every pass equals the pass without bounds, bit for bit, and skips rows", () => {
    // Overlapping blobs, a grid of integer points (exact ties between centres), duplicated rows; k from 1 to 7.
    const grid = fromRows(Array.from({ length: 120 }, (_, i) => [i % 6, Math.floor(i / 20) % 6, i % 2]));
    const dup = fromRows([...Array(30)].map((_, i) => (i < 10 ? [0, 0] : i < 20 ? [4, 0] : [2, 0])));
    let skippedAny = 0;
    for (const [name, m, ks] of [['blobs', x, [1, 3, 5, 7]], ['grid', grid, [2, 4, 6]], ['duplicates', dup, [2, 3]]] as const) {
      for (const k of ks) {
        let centres = kmeansPlusPlus(m, k, new Prng(k + 1));
        const plainLabels = new Int32Array(m.rows).fill(-1);
        const boundLabels = new Int32Array(m.rows).fill(-1);
        const b = newBounds(m.rows);
        for (let pass = 0; pass < 40; pass++) {
          const plain = assignAndSum(m, centres, 0, m.rows, plainLabels);
          const bound = assignAndSum(m, centres, 0, m.rows, boundLabels, b);
          assert.deepEqual(boundLabels, plainLabels, `${name} k=${k} pass ${pass}: labels`);
          assert.deepEqual(bound.sums, plain.sums, `${name} k=${k} pass ${pass}: sums`);
          assert.deepEqual(bound.counts, plain.counts);
          assert.equal(bound.inertia, plain.inertia);
          assert.equal(bound.changed, plain.changed);
          assert.deepEqual(bound.far, plain.far);
          assert.equal(plain.skipped, 0);
          if (pass === 0) assert.equal(bound.skipped, 0, 'the first pass computes every distance');
          skippedAny += bound.skipped;
          const next = combineSums(centres, [bound]).centres;
          // Also jump the centres around now and then (as a relocation or a new restart would).
          centres = pass % 9 === 8 ? kmeansPlusPlus(m, k, new Prng(100 + pass)) : next;
        }
      }
    }
    assert.ok(skippedAny > 1000, `the bounds skipped ${skippedAny} rows`);
  });

  test('chunked passes (3 chunks, as a worker pool would) give the same result as lloyd', async () => {
    const init = kmeansPlusPlus(x, 5, new Prng(4));
    const one = lloyd(x, init);
    const labels = new Int32Array(x.rows).fill(-1);
    const bounds = [0, 137, 301, x.rows];
    const pooled = await lloydPooled(init, (centres) => {
      const parts: ChunkSums[] = [];
      for (let c = 0; c < 3; c++) parts.push(assignAndSum(x, centres, bounds[c], bounds[c + 1], labels.subarray(bounds[c], bounds[c + 1])));
      return parts;
    }, { tolAbs: scaledTolerance(x, 1e-4) });
    assert.deepEqual(labels, one.labels);
    close(pooled.inertia, one.inertia);
    assert.equal(pooled.iterations, one.iterations);
    for (let q = 0; q < one.centres.data.length; q++) close(pooled.centres.data[q], one.centres.data[q]);
  });

  test('an empty cluster moves onto the row farthest from its centre, pooled or not', async () => {
    const pts = fromRows([[0, 0], [1, 0], [0, 1], [10, 0], [11, 0], [10, 1], [30, 30]]);
    const init = fromRows([[0, 0], [10, 0], [-500, -500]]); // the third centre wins no row
    const seen: IterationInfo[] = [];
    const r = lloyd(pts, init, { onIteration: (i) => seen.push(i) });
    assert.equal(seen[0].relocated, 1);
    assert.deepEqual(Array.from(r.centres.data.subarray(4, 6)), [30, 30]); // [30, 30] is the farthest from its centre
    assert.deepEqual(Array.from(r.labels), [0, 0, 0, 1, 1, 1, 2]);
    close(r.inertia, 4 / 3 * 2);
    const labels = new Int32Array(7).fill(-1);
    const pooled = await lloydPooled(init, (c) => [
      assignAndSum(pts, c, 0, 3, labels.subarray(0, 3)), assignAndSum(pts, c, 3, 7, labels.subarray(3, 7)),
    ], { tolAbs: scaledTolerance(pts, 1e-4) });
    assert.deepEqual(labels, r.labels);
    close(pooled.inertia, r.inertia);
  });
});

describe('engines', () => {
  test('ml-kmeans and the typed loop agree from the same initial centres', () => {
    const { x } = makeBlobs({ n: 400, centres: 4, d: 3, std: 2, seed: 12 });
    for (const seed of [1, 2]) {
      const init = kmeansPlusPlus(x, 4, new Prng(seed));
      const a = lloyd(x, init);
      const b = mlKmeansLloyd(x, init);
      close(a.inertia, b.inertia, 1e-6);
      assert.deepEqual(b.labels, a.labels);
    }
    const auto = kmeans(x, { k: 4, seed: 3, restarts: 2 });
    const typed = kmeans(x, { k: 4, seed: 3, restarts: 2, engine: 'typed' });
    assert.equal(auto.engine, 'ml-kmeans');
    assert.equal(typed.engine, 'typed');
    close(auto.inertia, typed.inertia, 1e-6);
    assert.deepEqual(auto.labels, typed.labels);
    assert.ok(ML_KMEANS_MAX_ROWS >= 100_000);
  });
});

describe('k-means invariants', () => {
  test('separated blobs are recovered exactly, by both engines and by mini-batch', () => {
    const { x, labels } = separated();
    for (const engine of ['ml-kmeans', 'typed'] as const) {
      const r = kmeans(x, { k: 4, seed: 1, engine, restarts: 2 });
      assert.equal(adjustedRandIndex(r.labels, labels), 1, engine);
      close(r.inertia, inertia(x, r.labels, r.centres));
    }
    assert.equal(adjustedRandIndex(miniBatchKmeans(x, { k: 4, seed: 1, batchSize: 64 }).labels, labels), 1);
  });

  test('same seed: identical labels; different seeds on separated blobs: the same partition', () => {
    const { x } = separated(300, 8);
    const a = kmeans(x, { k: 4, seed: 42, restarts: 2 });
    const b = kmeans(x, { k: 4, seed: 42, restarts: 2 });
    assert.deepEqual(a, b);
    for (const seed of [1, 2, 3]) assert.equal(adjustedRandIndex(kmeans(x, { k: 4, seed, restarts: 1 }).labels, a.labels), 1);
  });

  test('k = 1: one cluster at the mean', () => {
    const { x } = makeBlobs({ n: 50, centres: 3, d: 2, seed: 4 });
    const X = rowsOf(x);
    for (const engine of ['ml-kmeans', 'typed'] as const) {
      const r = kmeans(x, { k: 1, engine, restarts: 1 });
      assert.ok(r.labels.every((l) => l === 0));
      const m = mean(X);
      for (let j = 0; j < 2; j++) close(r.centres.data[j], m[j]);
      close(r.inertia, refInertia(X, r.labels, [m]));
    }
  });

  test('k equal to the number of distinct points, and rows with identical points', () => {
    const base = [[0, 0], [3, 1], [-2, 5], [8, 8], [1, -7]];
    const x = fromRows([...base, ...base, base[0], base[3], base[3]]);
    const who = rowsOf(x).map((p) => base.findIndex((b) => b.join() === p.join()));
    for (const engine of ['ml-kmeans', 'typed'] as const) {
      const r = kmeans(x, { k: 5, engine, seed: 2 });
      assert.equal(r.inertia, 0);
      assert.equal(adjustedRandIndex(r.labels, who), 1);
      const more = kmeans(x, { k: 7, engine, seed: 2 }); // more clusters than distinct points: no crash
      assert.equal(more.inertia, 0);
      assert.ok(more.labels.every((l) => l >= 0 && l < 7));
    }
    const same = fromRows(Array.from({ length: 6 }, () => [2, 2]));
    const r = kmeans(same, { k: 3, engine: 'typed' });
    assert.equal(r.inertia, 0);
    assert.equal(kmeans(fromRows([[4, 4]]), { k: 1 }).inertia, 0);
  });

  test('k larger than the rows is refused with a clear message', () => {
    const x = fromRows([[0], [1], [2], [3], [4]]);
    assert.throws(() => kmeans(x, { k: 12 }), { message: 'k (12) is larger than the number of users (5)' });
    assert.throws(() => miniBatchKmeans(x, { k: 12 }), { message: 'k (12) is larger than the number of users (5)' });
    assert.throws(() => kmeans(x, { k: 0 }), /at least 1/);
    assert.throws(() => kmeans(x, { k: 2.5 }), /whole number/);
  });

  test('constant columns change nothing', () => {
    const { x, labels } = separated(200, 3);
    const X = rowsOf(x).map((r) => [r[0], 7, r[1], r[2], -1]);
    const wide = fromRows(X);
    const r = kmeans(wide, { k: 4, seed: 1, restarts: 2 });
    assert.equal(adjustedRandIndex(r.labels, labels), 1);
    for (let c = 0; c < 4; c++) {
      close(r.centres.data[c * 5 + 1], 7);
      close(r.centres.data[c * 5 + 4], -1);
    }
    const flat = fromRows(Array.from({ length: 20 }, (_, i) => [3, i % 2 ? 3 : 3]));
    assert.equal(scaledTolerance(flat, 1e-4), 0);
    assert.equal(kmeans(flat, { k: 2 }).inertia, 0);
  });

  test('NaN and Infinity are refused with a clear message', () => {
    assert.throws(() => checkFinite(fromRows([[1, 2], [3, NaN]])), /User 2, feature 2 is missing \(NaN\)/);
    assert.throws(() => checkFinite(fromRows([[1, Infinity]]), ['orders', 'revenue']), /User 1, feature "revenue" is Infinity/);
    assert.throws(() => kmeans(fromRows([[1], [-Infinity], [2]]), { k: 2 }), /-Infinity: clustering needs finite numbers/);
    assert.throws(() => miniBatchKmeans(fromRows([[1], [NaN], [2]]), { k: 2 }), /NaN/);
    checkFinite(fromRows([[0, -1e300], [1e300, 5e-324]]));
  });
});

describe('mini-batch k-means', () => {
  test('inertia within 2% of full k-means on blobs, and deterministic', () => {
    const { x } = makeBlobs({ n: 6000, centres: 6, d: 4, std: 1.5, seed: 21 });
    const full = kmeans(x, { k: 6, seed: 1, restarts: 2 });
    const mb = miniBatchKmeans(x, { k: 6, seed: 1, batchSize: 256 });
    assert.ok(mb.inertia <= full.inertia * 1.02, `${mb.inertia} vs ${full.inertia}`);
    close(mb.inertia, inertia(x, mb.labels, mb.centres));
    assert.deepEqual(miniBatchKmeans(x, { k: 6, seed: 1, batchSize: 256 }), mb);
  });
});

describe('choosing k', () => {
  test('scanK scores every k like the metrics do, and recommendK picks the four blobs', () => {
    const { x } = separated(240, 2);
    const scan = scanK(x, { kMin: 2, kMax: 6, seed: 1, restarts: 2 });
    assert.deepEqual(scan.map((s) => s.k), [2, 3, 4, 5, 6]);
    const k4 = kmeans(x, { k: 4, seed: 1, restarts: 2 });
    close(scan[2].inertia, k4.inertia);
    close(scan[2].silhouette, silhouette(x, k4.labels));
    close(scan[2].calinskiHarabasz, calinskiHarabasz(x, k4.labels));
    close(scan[2].daviesBouldin, daviesBouldin(x, k4.labels));
    const rec = recommendK(scan);
    assert.equal(rec.k, 4);
    assert.equal(rec.elbow, 4);
    assert.equal(rec.rule, 'silhouette');
    assert.match(rec.why, /^4 segments: the best silhouette of k = 2–6 \(0\.\d\d\), which means strong structure/);
    assert.match(rec.why, /elbow is at the same k/);
  });

  test('kMax is lowered to rows − 1, and too few users are refused', () => {
    const x = fromRows([[0], [1], [5], [6], [20]]);
    assert.deepEqual(scanK(x, { kMax: 10, restarts: 1 }).map((s) => s.k), [2, 3, 4]);
    assert.throws(() => scanK(fromRows([[0], [1]])), /Comparing 2 segments needs at least 3 users; there are 2/);
  });

  test('the rule: silhouette ties (within 0.01) go to the higher Calinski–Harabasz; the elbow by distance to the chord', () => {
    const s = (k: number, inertia: number, silhouette: number, calinskiHarabasz: number): KScore =>
      ({ k, inertia, silhouette, calinskiHarabasz, daviesBouldin: 1, iterations: 1 });
    const scan = [s(2, 100, 0.40, 50), s(3, 40, 0.506, 90), s(4, 30, 0.51, 80), s(5, 25, 0.3, 70), s(6, 22, 0.2, 60)];
    const rec = recommendK(scan);
    assert.equal(rec.k, 3);
    assert.match(rec.why, /^3 segments: its silhouette \(0\.51\) ties with the best of k = 2–6/);
    assert.match(rec.why, /also k = 4/);
    assert.equal(elbowK(scan), 3);
    assert.equal(elbowK(scan.slice(0, 2)), null);
    const none = recommendK(scan.map((e) => ({ ...e, silhouette: NaN })));
    assert.equal(none.k, 3);
    assert.equal(none.rule, 'elbow');
  });
});

describe('kmeans on a pool', () => {
  test('the same labels as the typed engine and the same inertia, whichever restart wins; chunk bounds cover every row', async () => {
    // Over three k-means++ blocks of 4,096 rows, so 2, 3 and 4 chunks really split the rows.
    const { x } = makeBlobs({ n: 3 * PP_BLOCK + 777, centres: 5, d: 4, std: 3, seed: 21 });
    for (const [seed, chunks] of [[1, 2], [2, 3], [9, 4]] as const) {
      const typed = kmeans(x, { k: 5, seed, restarts: 3, engine: 'typed' });
      const pooled = await kmeansPooled(x, { k: 5, seed, restarts: 3 }, localPool(x, chunks));
      assert.equal(pooled.engine, 'pooled');
      assert.equal(pooled.restart, typed.restart);
      assert.deepEqual(pooled.labels, typed.labels, `seed ${seed}, ${chunks} chunks`);
      assert.equal(pooled.inertias.length, 3);
      pooled.inertias.forEach((v, i) => close(v, typed.inertias[i]));
      close(pooled.inertia, typed.inertia);
    }
    assert.deepEqual(chunkBounds(10, 3), [0, 10], 'one block: one chunk');
    assert.deepEqual(chunkBounds(3 * PP_BLOCK + 5, 2), [0, 2 * PP_BLOCK, 3 * PP_BLOCK + 5]);
    assert.deepEqual(chunkBounds(4 * PP_BLOCK, 4), [0, PP_BLOCK, 2 * PP_BLOCK, 3 * PP_BLOCK, 4 * PP_BLOCK]);
  });

  test('k-means++ on 1 to 4 chunks draws bit-identical centres to one thread (blocked sums)', async () => {
    const { x } = makeBlobs({ n: 4 * PP_BLOCK + 123, centres: 7, d: 3, std: 4, seed: 5 });
    for (const k of [1, 2, 8]) {
      const one = kmeansPlusPlus(x, k, new Prng(k + 1));
      for (const chunks of [1, 2, 3, 4]) {
        const pooled = await kmeansPlusPlusPooled(x, k, new Prng(k + 1), localPool(x, chunks));
        assert.deepEqual(pooled, one, `k ${k}, ${chunks} chunks`);
      }
    }
  });
});
