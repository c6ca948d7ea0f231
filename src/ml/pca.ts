// Principal component analysis through the symmetric eigen-decomposition of the covariance matrix.
//
// Algorithm (exact, not iterative over the data):
// 1. mean: the column means when `center` is true (the default), zeros when false (then the "covariance" below is
//    the raw second-moment matrix and the components are those of the uncentred data).
// 2. C = (X - mean)ᵀ (X - mean) / (n - 1), a d × d symmetric matrix accumulated in one pass over the rows (upper
//    triangle, mirrored). The n - 1 divisor is sklearn's (explained_variance_ are unbiased variances); with one row
//    the divisor is 1 and every variance is 0.
// 3. Cyclic Jacobi rotations (Golub & Van Loan §8.5) diagonalise C: sweeps over every (p, q), p < q, each rotation
//    zeroing C[p][q], until the off-diagonal sum of squares is below 1e-30 of C's squared Frobenius norm (or 100
//    sweeps). Jacobi is accurate to working precision for symmetric matrices and O(d³) per sweep, which is nothing
//    for the d <= ~60 features Strata clusters on.
// 4. Eigenvalues sorted descending (equal values keep Jacobi's order); rounding-level negatives are clipped to 0.
//
// Conventions of the result:
// - components: c × d, row k is the k-th principal axis, a unit vector. The sign of an eigenvector is arbitrary;
//   it is fixed so that the entry of largest absolute value is positive (on an exact tie the first such entry),
//   so the same data always gives the same axes. (sklearn instead flips by the projected scores; compare up to sign.)
// - explainedVariance[k]: the k-th eigenvalue = the variance of the data projected on axis k (n - 1 divisor).
// - explainedVarianceRatio[k]: explainedVariance[k] / trace(C) (the total variance over all d axes), so the c
//   ratios sum to <= 1 and to 1 when c = d. All zeros when the data has no variance at all.
// - project(x): (x - mean) · componentsᵀ, an n × c matrix of scores; any matrix with d columns can be projected.
// - c = min(components, d). Every value must be finite (a StrataError names the first that is not).
import type { Matrix } from './matrix.ts';
import { StrataError } from '../errors.ts';

/** PCA's options: how many axes to keep and whether to centre the data first. */
export interface PcaOptions {
  /** Number of principal components to keep (clamped to the number of features). Default 2. */
  components?: number;
  /** Subtract the column means before the decomposition. Default true. */
  center?: boolean;
}

/** A fitted PCA: the axes, how much variance each explains, and a projection onto them. */
export interface PcaResult {
  /** c × d, one unit-length principal axis per row, sign fixed so its largest-|value| entry is positive. */
  components: Matrix;
  /** Variance along each kept axis (eigenvalues of the covariance, n - 1 divisor), descending. */
  explainedVariance: Float64Array;
  /** Each kept axis's share of the total variance (trace of the covariance). */
  explainedVarianceRatio: Float64Array;
  /** The column means that were subtracted (zeros when center = false). */
  mean: Float64Array;
  /** Scores of the rows of x on the kept axes: (x - mean) · componentsᵀ, n × c. */
  project(x: Matrix): Matrix;
}

/** Fit PCA to x (rows = samples, cols = features) by the covariance matrix's Jacobi eigen-decomposition. */
export function pca(x: Matrix, options: PcaOptions = {}): PcaResult {
  const { rows: n, cols: d } = x;
  const wanted = options.components ?? 2;
  const center = options.center ?? true;
  if (!Number.isInteger(wanted) || wanted < 1) throw new StrataError(`PCA needs a whole number of components of at least 1 (got ${wanted}).`);
  if (n < 1 || d < 1) throw new StrataError('PCA needs at least one row and one feature.');
  checkFinite(x);
  const c = Math.min(wanted, d);

  const mean = new Float64Array(d);
  if (center) {
    for (let i = 0; i < n; i++) for (let j = 0, o = i * d; j < d; j++) mean[j] += x.data[o + j];
    for (let j = 0; j < d; j++) mean[j] /= n;
  }
  const cov = covariance(x, mean);
  const { values, vectors } = jacobiEigen(cov, d);

  const order = Array.from({ length: d }, (_, k) => k).sort((a, b) => values[b] - values[a] || a - b);
  let total = 0;
  for (let k = 0; k < d; k++) total += Math.max(0, values[k]);

  const comps = new Float64Array(c * d);
  const explainedVariance = new Float64Array(c);
  const explainedVarianceRatio = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    const e = order[k];
    explainedVariance[k] = Math.max(0, values[e]);
    explainedVarianceRatio[k] = total > 0 ? explainedVariance[k] / total : 0;
    // Column e of the eigenvector matrix, sign-fixed.
    let big = 0;
    let at = 0;
    for (let j = 0; j < d; j++) {
      const a = Math.abs(vectors[j * d + e]);
      if (a > big) {
        big = a;
        at = j;
      }
    }
    const sign = vectors[at * d + e] < 0 ? -1 : 1;
    for (let j = 0; j < d; j++) comps[k * d + j] = sign * vectors[j * d + e];
  }
  const components: Matrix = { data: comps, rows: c, cols: d };

  return {
    components,
    explainedVariance,
    explainedVarianceRatio,
    mean,
    project(m: Matrix): Matrix {
      if (m.cols !== d) throw new StrataError(`PCA was fitted on ${d} features; this data has ${m.cols}.`);
      const out = new Float64Array(m.rows * c);
      const centred = new Float64Array(d);
      for (let i = 0; i < m.rows; i++) {
        for (let j = 0; j < d; j++) centred[j] = m.data[i * d + j] - mean[j];
        for (let k = 0; k < c; k++) {
          let s = 0;
          for (let j = 0; j < d; j++) s += centred[j] * comps[k * d + j];
          out[i * c + k] = s;
        }
      }
      return { data: out, rows: m.rows, cols: c };
    },
  };
}

/** (X - mean)ᵀ (X - mean) / max(1, n - 1) as a dense row-major d × d array. */
function covariance(x: Matrix, mean: Float64Array): Float64Array {
  const { rows: n, cols: d, data } = x;
  const cov = new Float64Array(d * d);
  const r = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) r[j] = data[o + j] - mean[j];
    for (let j = 0; j < d; j++) {
      const rj = r[j];
      if (rj === 0) continue;
      const base = j * d;
      for (let k = j; k < d; k++) cov[base + k] += rj * r[k];
    }
  }
  const div = Math.max(1, n - 1);
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++) {
      const v = cov[j * d + k] / div;
      cov[j * d + k] = v;
      cov[k * d + j] = v;
    }
  }
  return cov;
}

/**
 * Eigenvalues and eigenvectors of a symmetric d × d matrix (row-major, not modified) by cyclic Jacobi rotations.
 * values[k] pairs with column k of `vectors` (row-major d × d, orthonormal columns); values are not sorted.
 */
export function jacobiEigen(sym: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(sym);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  let frob = 0;
  for (let i = 0; i < d * d; i++) frob += a[i] * a[i];
  const tol = 1e-30 * frob;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q] * a[p * d + q];
    if (off <= tol || off === 0) break;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (apq === 0) continue;
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cs = 1 / Math.sqrt(t * t + 1);
        const sn = t * cs;
        // A <- Jᵀ A J with J the rotation in the (p, q) plane: columns first, then rows.
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p];
          const akq = a[k * d + q];
          a[k * d + p] = cs * akp - sn * akq;
          a[k * d + q] = sn * akp + cs * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k];
          const aqk = a[q * d + k];
          a[p * d + k] = cs * apk - sn * aqk;
          a[q * d + k] = sn * apk + cs * aqk;
        }
        a[p * d + q] = 0;
        a[q * d + p] = 0;
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p];
          const vkq = v[k * d + q];
          v[k * d + p] = cs * vkp - sn * vkq;
          v[k * d + q] = sn * vkp + cs * vkq;
        }
      }
    }
  }
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) values[i] = a[i * d + i];
  return { values, vectors: v };
}

function checkFinite(x: Matrix): void {
  for (let i = 0; i < x.data.length; i++) {
    if (!Number.isFinite(x.data[i])) {
      throw new StrataError(
        `Row ${Math.floor(i / x.cols) + 1} has a missing or infinite value in column ${(i % x.cols) + 1}; fill or drop it before PCA.`,
      );
    }
  }
}
