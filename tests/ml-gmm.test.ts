// Gaussian mixtures by EM: the likelihood never falls between EM steps, separated blobs are recovered, one EM step
// equals a plain reference (explicit inverse and determinant by Gauss–Jordan, no Cholesky) to 1e-9, BIC picks the
// true k, and the failure modes are clear errors or regularised (constant columns). Small seeded data; no timings.
// Run: TZ=UTC node --import tsx --test tests/ml-gmm.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fromRows, type Matrix } from '../src/ml/matrix.ts';
import { Prng } from '../src/ml/random.ts';
import { gmm, gmmBicScan, gmmEStep, gmmMStep, parameterCount, type CovarianceType, type GmmParams } from '../src/ml/gmm.ts';
import { StrataError } from '../src/errors.ts';

// ---------- small local helpers (independent of the shared blobs / metrics modules) ----------

/** Gaussian blobs around fixed centres with per-axis scales, rows interleaved (row i from blob i mod c). */
function blobs(perBlob: number, centres: number[][], std: number | number[], seed: number): { x: Matrix; truth: Int32Array } {
  const rng = new Prng(seed);
  const c = centres.length;
  const d = centres[0].length;
  const n = perBlob * c;
  const data = new Float64Array(n * d);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    truth[i] = i % c;
    for (let j = 0; j < d; j++) data[i * d + j] = centres[i % c][j] + (typeof std === 'number' ? std : std[j]) * rng.normal();
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

/** Inverse and determinant of a small matrix by Gauss–Jordan with partial pivoting. */
function inverseDet(m: number[][]): { inv: number[][]; det: number } {
  const d = m.length;
  const a = m.map((r, i) => [...r, ...Array.from({ length: d }, (_, j) => (i === j ? 1 : 0))]);
  let det = 1;
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    if (p !== c) {
      [a[p], a[c]] = [a[c], a[p]];
      det = -det;
    }
    const pivot = a[c][c];
    det *= pivot;
    for (let j = 0; j < 2 * d; j++) a[c][j] /= pivot;
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = a[r][c];
      for (let j = 0; j < 2 * d; j++) a[r][j] -= f * a[c][j];
    }
  }
  return { inv: a.map((r) => r.slice(d)), det };
}

/** One plain EM step from explicit parameters: responsibilities from densities, then weighted moments. */
function referenceStep(xs: number[][], weights: number[], means: number[][], covs: number[][][], reg: number) {
  const n = xs.length;
  const k = weights.length;
  const d = xs[0].length;
  const dens = xs.map((x) =>
    covs.map((cov, c) => {
      const { inv, det } = inverseDet(cov);
      const diff = x.map((v, j) => v - means[c][j]);
      let q = 0;
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) q += diff[a] * inv[a][b] * diff[b];
      return (weights[c] * Math.exp(-0.5 * q)) / Math.sqrt((2 * Math.PI) ** d * det);
    }),
  );
  const resp = dens.map((r) => r.map((v) => v / r.reduce((s, t) => s + t, 0)));
  const ll = dens.reduce((s, r) => s + Math.log(r.reduce((p, t) => p + t, 0)), 0) / n;
  const nk = Array.from({ length: k }, (_, c) => resp.reduce((s, r) => s + r[c], 0));
  const newMeans = Array.from({ length: k }, (_, c) => Array.from({ length: d }, (_, j) => xs.reduce((s, x, i) => s + resp[i][c] * x[j], 0) / nk[c]));
  const newCovs = Array.from({ length: k }, (_, c) =>
    Array.from({ length: d }, (_, a) =>
      Array.from({ length: d }, (_, b) => xs.reduce((s, x, i) => s + resp[i][c] * (x[a] - newMeans[c][a]) * (x[b] - newMeans[c][b]), 0) / nk[c] + (a === b ? reg : 0)),
    ),
  );
  const newWeights = nk.map((v) => v / n);
  return { resp, ll, means: newMeans, covs: newCovs, weights: newWeights };
}

const close = (a: number, b: number, what: string, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

const WELL_SEPARATED = [
  [0, 0, 0],
  [12, 0, 0],
  [0, 12, 0],
  [0, 0, 12],
];

describe('Gaussian mixture (EM)', () => {
  for (const covariance of ['diag', 'full'] as const) {
    test(`${covariance}: the log-likelihood never decreases across EM steps`, () => {
      // Overlapping, elongated blobs so EM takes many steps.
      const { x } = blobs(80, [[0, 0, 0], [2, 1, 0], [0, 3, 1]], [1, 0.6, 1.4], 2);
      const seen: number[] = [];
      const fit = gmm(x, { k: 3, covariance, seed: 4, tol: 1e-9, maxIter: 60, onIteration: (ll) => seen.push(ll) });
      seen.push(fit.logLikelihood);
      assert.ok(seen.length >= 10, `EM ran ${seen.length} steps`);
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i] >= seen[i - 1] - 1e-12, `step ${i}: ${seen[i - 1]} -> ${seen[i]}`);
      assert.equal(fit.iterations, seen.length - 1);
    });

    test(`${covariance}: separated blobs are recovered exactly (ARI = 1), weights near 1/4`, () => {
      const { x, truth } = blobs(50, WELL_SEPARATED, 1, 3);
      const fit = gmm(x, { k: 4, covariance, seed: 1, nInit: 2 });
      assert.equal(ari(fit.labels, truth), 1);
      assert.ok(fit.converged);
      for (const w of fit.weights) close(w, 0.25, 'weight', 1e-6);
      assert.equal(fit.covariances.length, covariance === 'diag' ? 4 * 3 : 4 * 9);
      const again = gmm(x, { k: 4, covariance, seed: 1, nInit: 2 });
      assert.deepEqual(again.means.data, fit.means.data, 'same seed, same fit');
    });

    test(`${covariance}: one EM step equals a plain reference to 1e-9 (responsibilities, means, covariances)`, () => {
      const xs = [[0.1, 1.2], [0.9, 0.4], [2.2, 2.9], [3.1, 2.5], [0.4, -0.3], [2.6, 3.8], [1.5, 1.4], [-0.2, 0.8]];
      const x = fromRows(xs);
      const reg = 1e-6;
      const means = [[0.2, 0.5], [2.5, 2.8]];
      const full = [[[0.8, 0.3], [0.3, 0.6]], [[1.1, -0.4], [-0.4, 0.9]]];
      const covs = covariance === 'full' ? full : full.map((m) => m.map((r, a) => r.map((v, b) => (a === b ? v : 0))));
      const params: GmmParams = {
        weights: Float64Array.from([0.45, 0.55]),
        means: fromRows(means),
        covariances: Float64Array.from(covariance === 'full' ? covs.flat(2) : covs.map((m) => m.map((r, a) => r[a])).flat()),
      };
      const ref = referenceStep(xs, [0.45, 0.55], means, covs, reg);
      const e = gmmEStep(x, params, covariance);
      close(e.logLikelihood, ref.ll, 'mean log-likelihood');
      ref.resp.forEach((r, i) => r.forEach((v, c) => close(e.resp[i * 2 + c], v, `resp[${i}][${c}]`)));
      const m = gmmMStep(x, e.resp, 2, covariance, reg);
      ref.means.forEach((r, c) => r.forEach((v, j) => close(m.means.data[c * 2 + j], v, `mean[${c}][${j}]`)));
      ref.weights.forEach((v, c) => close(m.weights[c], v, `weight[${c}]`));
      ref.covs.forEach((mat, c) =>
        mat.forEach((r, a) =>
          r.forEach((v, b) => {
            if (covariance === 'full') close(m.covariances[c * 4 + a * 2 + b], v, `cov[${c}][${a}][${b}]`);
            else if (a === b) close(m.covariances[c * 2 + a], v, `var[${c}][${a}]`);
          }),
        ),
      );
    });

    test(`${covariance}: BIC picks the true k on well-separated blobs`, () => {
      const { x } = blobs(40, WELL_SEPARATED.slice(0, 3), 1, 5);
      const scan = gmmBicScan(x, 1, 5, { covariance, seed: 2, nInit: 2 });
      assert.equal(scan.bestK, 3, JSON.stringify(scan.scores));
      assert.deepEqual(scan.scores.map((s) => s.k), [1, 2, 3, 4, 5]);
      const fit = scan.best;
      close(fit.bic, -2 * x.rows * fit.logLikelihood + parameterCount(3, 3, covariance) * Math.log(x.rows), 'bic formula', 1e-6);
    });
  }

  test("parameter counts match sklearn's _n_parameters", () => {
    assert.equal(parameterCount(4, 3, 'diag'), 4 * 3 + 4 * 3 + 3);
    assert.equal(parameterCount(4, 3, 'full'), 4 * 6 + 4 * 3 + 3);
  });

  test('k > rows (and k < 1) is a clear error', () => {
    const x = fromRows([[1, 2], [3, 4], [5, 6]]);
    assert.throws(() => gmm(x, { k: 4 }), (err: unknown) => err instanceof StrataError && /at most 3 components/.test(err.message));
    assert.throws(() => gmm(x, { k: 0 }), StrataError);
    assert.throws(() => gmm(fromRows([[1, NaN]]), { k: 1 }), /missing or infinite/);
  });

  for (const covariance of ['diag', 'full'] as CovarianceType[]) {
    test(`${covariance}: constant columns give no NaN (regCovar is added to every variance)`, () => {
      const { x: b, truth } = blobs(30, [[0, 0], [10, 10]], 1, 8);
      // Columns: blob x, constant 5, blob y, constant 0.
      const rows = Array.from({ length: b.rows }, (_, i) => [b.data[i * 2], 5, b.data[i * 2 + 1], 0]);
      const fit = gmm(fromRows(rows), { k: 2, covariance, seed: 3 });
      assert.ok(Number.isFinite(fit.logLikelihood) && Number.isFinite(fit.bic));
      assert.ok([...fit.means.data, ...fit.covariances, ...fit.weights].every(Number.isFinite));
      assert.equal(ari(fit.labels, truth), 1);
      const varianceOf = (c: number, j: number) => (covariance === 'diag' ? fit.covariances[c * 4 + j] : fit.covariances[c * 16 + j * 4 + j]);
      for (let c = 0; c < 2; c++) for (const j of [1, 3]) close(varianceOf(c, j), 1e-6, 'constant column variance', 1e-12);
    });
  }

  test('a component that collapses without regularisation stops with a clear error', () => {
    const x = fromRows([[0, 0], [10, 10], [10.5, 9], [9, 11], [9.6, 10.4]]);
    for (const covariance of ['diag', 'full'] as const) {
      assert.throws(
        () => gmm(x, { k: 2, covariance, init: fromRows([[0, 0], [10, 10]]), regCovar: 0 }),
        (err: unknown) => err instanceof StrataError && /not positive definite/.test(err.message),
      );
    }
  });

  test('initial means are accepted (and checked), and onIteration can cancel', () => {
    const { x, truth } = blobs(30, WELL_SEPARATED.slice(0, 2), 1, 9);
    const fit = gmm(x, { k: 2, covariance: 'full', init: fromRows([[1, 1, 1], [11, 1, 0]]) });
    assert.equal(ari(fit.labels, truth), 1);
    assert.throws(() => gmm(x, { k: 2, init: fromRows([[1, 1, 1]]) }), /2 × 3/);
    assert.throws(
      () =>
        gmm(x, {
          k: 2,
          onIteration: (_, it) => {
            if (it === 2) throw new Error('cancelled');
          },
        }),
      /cancelled/,
    );
  });
});
