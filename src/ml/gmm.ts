// Gaussian mixture fitted by expectation–maximisation, following scikit-learn's GaussianMixture.
//
// - Model: k components with weights w_c, means μ_c and covariances Σ_c, either 'diag' (k × d variances) or 'full'
//   (k × d × d matrices, row-major per component). Default 'full', as sklearn.
// - Start (per restart): k centres, either `init` (k × d, used as given; then nInit is 1) or greedy k-means++
//   seeding from the seeded Prng (sklearn's: first centre uniform, then 2 + floor(ln k) candidates drawn ∝ D² and
//   the one lowering the potential most kept). Every row is assigned to its nearest centre; the initial weights and
//   covariances are those of that hard partition (covariance about the partition's own mean, as sklearn), the
//   initial means are the centres. A centre with no rows gets the whole data's covariance.
// - E-step: log N(x | μ_c, Σ_c) + log w_c, normalised per row by log-sum-exp (responsibilities). Full covariances
//   go through their Cholesky factor L (Σ = L Lᵀ): Mahalanobis = |L⁻¹(x - μ)|², log det Σ = 2 Σ log L_ii. A matrix
//   that is not positive definite after regularisation stops the fit with a StrataError.
// - M-step: n_c = Σ_i r_ic + 10·ε (sklearn's guard against empty components), w = n_c / Σ n_c, μ_c = Σ r x / n_c,
//   Σ_c = Σ r (x - μ_c)(x - μ_c)ᵀ / n_c + regCovar·I (diag: the diagonal only). regCovar defaults to 1e-6, so
//   constant columns give variance 1e-6 instead of 0 (no NaN).
// - Stop: the mean per-row log-likelihood of each E-step is the lower bound; stop when it changes by less than tol
//   (default 1e-3) between iterations (converged) or after maxIter (default 100) iterations. A last E-step with the
//   final parameters gives the labels (argmax responsibility, lowest component on ties) and `logLikelihood`.
// - nInit restarts (default 1) continue one Prng stream (seed default 0); the restart with the highest final
//   log-likelihood is kept (sklearn keeps the best lower bound; the final one is never below it).
// - BIC = -2 · n · logLikelihood + p · ln n, p = k·d means + (k - 1) weights + covariance parameters
//   (diag k·d, full k·d(d+1)/2): sklearn's _n_parameters. Lower is better.
import type { Matrix } from './matrix.ts';
import { Prng } from './random.ts';
import { StrataError } from '../errors.ts';

/** Covariance structure of each component. */
export type CovarianceType = 'diag' | 'full';

/** The parameters of a mixture (k components over d columns). */
export interface GmmParams {
  /** k mixing weights summing to 1. */
  weights: Float64Array;
  /** k × d means. */
  means: Matrix;
  /** diag: k × d variances; full: k × d × d covariance matrices (component-major, row-major within). */
  covariances: Float64Array;
}

/** Options for gmm(). */
export interface GmmOptions {
  k: number;
  covariance?: CovarianceType;
  seed?: number;
  /** k × d initial means (e.g. k-means centres); without it, seeded k-means++ centres. */
  init?: Matrix;
  regCovar?: number;
  tol?: number;
  maxIter?: number;
  nInit?: number;
  /** Called after every E-step with the mean per-row log-likelihood (throw from it to cancel). */
  onIteration?: (logLikelihood: number, iteration: number, restart: number) => void;
}

/** A fitted mixture with its hard labels and fit statistics. */
export interface GmmResult extends GmmParams {
  covariance: CovarianceType;
  /** Most responsible component per row. */
  labels: Int32Array;
  /** Mean per-row log-likelihood under the returned parameters. */
  logLikelihood: number;
  iterations: number;
  converged: boolean;
  bic: number;
  /** Free parameters counted in the BIC. */
  parameters: number;
}

const EPS = 2.220446049250313e-16;
const LOG_2PI = Math.log(2 * Math.PI);

/** Fit a Gaussian mixture by EM (see the header for the exact procedure). */
export function gmm(x: Matrix, opts: GmmOptions): GmmResult {
  const { k, covariance = 'full', seed = 0, init, regCovar = 1e-6, tol = 1e-3, maxIter = 100, onIteration } = opts;
  const n = x.rows;
  const d = x.cols;
  if (!Number.isInteger(k) || k < 1) throw new StrataError(`A Gaussian mixture needs a whole number of components of at least 1 (got ${k}).`);
  if (k > n) throw new StrataError(`Cannot fit ${k} mixture components to ${n} rows: choose at most ${n} components.`);
  if (d < 1) throw new StrataError('A Gaussian mixture needs at least one feature column.');
  if (!(regCovar >= 0)) throw new StrataError(`regCovar must be zero or more (got ${regCovar}).`);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new StrataError(`maxIter must be a whole number of at least 1 (got ${maxIter}).`);
  if (init && (init.rows !== k || init.cols !== d)) throw new StrataError(`The initial means must be ${k} × ${d}, got ${init.rows} × ${init.cols}.`);
  checkFinite(x);
  const nInit = init ? 1 : Math.max(1, Math.floor(opts.nInit ?? 1));
  const rng = new Prng(seed);
  const resp = new Float64Array(n * k);
  let best: GmmResult | null = null;
  for (let restart = 0; restart < nInit; restart++) {
    const centres = init ?? kmeansPlusPlusCentres(x, k, rng);
    let params = initialParams(x, centres, covariance, regCovar);
    let prev = -Infinity;
    let converged = false;
    let iterations = 0;
    for (let iter = 1; iter <= maxIter; iter++) {
      iterations = iter;
      const ll = eStep(x, params, covariance, resp);
      onIteration?.(ll, iter, restart);
      params = gmmMStep(x, resp, k, covariance, regCovar);
      if (Math.abs(ll - prev) < tol) {
        converged = true;
        break;
      }
      prev = ll;
    }
    const logLikelihood = eStep(x, params, covariance, resp);
    if (best && !(logLikelihood > best.logLikelihood)) continue;
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let m = 0;
      for (let c = 1; c < k; c++) if (resp[i * k + c] > resp[i * k + m]) m = c;
      labels[i] = m;
    }
    const parameters = parameterCount(k, d, covariance);
    const bic = -2 * n * logLikelihood + parameters * Math.log(n);
    best = { ...params, covariance, labels, logLikelihood, iterations, converged, bic, parameters };
  }
  return best!;
}

/** sklearn's free-parameter count of a mixture, for the BIC. */
export function parameterCount(k: number, d: number, covariance: CovarianceType): number {
  const cov = covariance === 'full' ? (k * d * (d + 1)) / 2 : k * d;
  return cov + k * d + k - 1;
}

/** One BIC scan entry. */
export interface BicScore {
  k: number;
  bic: number;
  logLikelihood: number;
  converged: boolean;
}

/** Fit every k in kMin..kMax (same options and seed each) and keep the lowest-BIC model. */
export function gmmBicScan(x: Matrix, kMin: number, kMax: number, opts: Omit<GmmOptions, 'k' | 'init'> = {}): { scores: BicScore[]; bestK: number; best: GmmResult } {
  if (!Number.isInteger(kMin) || !Number.isInteger(kMax) || kMin < 1 || kMax < kMin) throw new StrataError(`The BIC scan needs whole numbers 1 <= kMin <= kMax (got ${kMin}..${kMax}).`);
  const scores: BicScore[] = [];
  let best: GmmResult | null = null;
  for (let k = kMin; k <= kMax; k++) {
    const fit = gmm(x, { ...opts, k });
    scores.push({ k, bic: fit.bic, logLikelihood: fit.logLikelihood, converged: fit.converged });
    if (!best || fit.bic < best.bic) best = fit;
  }
  return { scores, bestK: best!.weights.length, best: best! };
}

/** E-step: per-row responsibilities (n × k, row-major) and the mean per-row log-likelihood. */
export function gmmEStep(x: Matrix, params: GmmParams, covariance: CovarianceType): { resp: Float64Array; logLikelihood: number } {
  const resp = new Float64Array(x.rows * params.weights.length);
  const logLikelihood = eStep(x, params, covariance, resp);
  return { resp, logLikelihood };
}

/** Fill `resp` (n × k) with responsibilities; return the mean per-row log-likelihood. */
function eStep(x: Matrix, params: GmmParams, covariance: CovarianceType, resp: Float64Array): number {
  const n = x.rows;
  const d = x.cols;
  const k = params.weights.length;
  const data = x.data;
  const mu = params.means.data;
  const cov = params.covariances;
  const logConst = new Float64Array(k);
  let prec: Float64Array; // diag: 1 / variance (k × d); full: L⁻¹ (k × d × d, lower triangular)
  if (covariance === 'diag') {
    prec = new Float64Array(k * d);
    for (let c = 0; c < k; c++) {
      let logDet = 0;
      for (let j = 0; j < d; j++) {
        const v = cov[c * d + j];
        if (!(v > 0)) throw notPositive(c);
        prec[c * d + j] = 1 / v;
        logDet += Math.log(v);
      }
      logConst[c] = Math.log(params.weights[c]) - 0.5 * (d * LOG_2PI + logDet);
    }
  } else {
    prec = new Float64Array(k * d * d);
    for (let c = 0; c < k; c++) {
      const logDet = choleskyInverse(cov, c * d * d, d, prec, c);
      logConst[c] = Math.log(params.weights[c]) - 0.5 * (d * LOG_2PI + logDet);
    }
  }
  const diff = new Float64Array(d);
  const diag = covariance === 'diag';
  let total = 0;
  for (let i = 0; i < n; i++) {
    const xo = i * d;
    const ro = i * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const maha = diag ? diagMaha(data, xo, mu, prec, c * d, d) : fullMaha(data, xo, mu, prec, c, d, diff);
      const lp = logConst[c] - 0.5 * maha;
      resp[ro + c] = lp;
      if (lp > max) max = lp;
    }
    // Log-sum-exp: exponentiate once relative to the row's largest term, then normalise.
    let s = 0;
    for (let c = 0; c < k; c++) s += resp[ro + c] = Math.exp(resp[ro + c] - max);
    const inv = 1 / s;
    for (let c = 0; c < k; c++) resp[ro + c] *= inv;
    total += max + Math.log(s);
  }
  return total / n;
}

/** Σ_j (x_j - μ_j)² / σ²_j for row xo and the component whose means and precisions start at mo. */
function diagMaha(data: Float64Array, xo: number, mu: Float64Array, prec: Float64Array, mo: number, d: number): number {
  let maha = 0;
  for (let j = 0; j < d; j++) {
    const t = data[xo + j] - mu[mo + j];
    maha += t * t * prec[mo + j];
  }
  return maha;
}

/** |L⁻¹ (x - μ_c)|² for row xo, with component c's L⁻¹ (lower triangular) in prec. */
function fullMaha(data: Float64Array, xo: number, mu: Float64Array, prec: Float64Array, c: number, d: number, diff: Float64Array): number {
  const mo = c * d;
  for (let j = 0; j < d; j++) diff[j] = data[xo + j] - mu[mo + j];
  const po = c * d * d;
  let maha = 0;
  for (let r = 0; r < d; r++) {
    let y = 0;
    const lo = po + r * d;
    for (let j = 0; j <= r; j++) y += prec[lo + j] * diff[j];
    maha += y * y;
  }
  return maha;
}

/** M-step: new parameters from responsibilities (n × k), with regCovar added to every variance / diagonal. */
export function gmmMStep(x: Matrix, resp: Float64Array, k: number, covariance: CovarianceType, regCovar: number): GmmParams {
  const n = x.rows;
  const d = x.cols;
  const data = x.data;
  const nk = new Float64Array(k).fill(10 * EPS);
  const mu = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    const xo = i * d;
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      nk[c] += r;
      const mo = c * d;
      for (let j = 0; j < d; j++) mu[mo + j] += r * data[xo + j];
    }
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) mu[c * d + j] /= nk[c];
  const covariances = scatter(x, resp, k, mu, covariance);
  finishCovariances(covariances, nk, d, covariance, regCovar);
  let sum = 0;
  for (let c = 0; c < k; c++) sum += nk[c];
  const weights = new Float64Array(k);
  for (let c = 0; c < k; c++) weights[c] = nk[c] / sum;
  return { weights, means: { data: mu, rows: k, cols: d }, covariances };
}

/** Σ_i r_ic (x_i - μ_c)(x_i - μ_c)ᵀ per component (diag: the diagonal only; full: lower triangle mirrored). */
function scatter(x: Matrix, resp: Float64Array, k: number, mu: Float64Array, covariance: CovarianceType): Float64Array {
  const n = x.rows;
  const d = x.cols;
  const data = x.data;
  const diff = new Float64Array(d);
  if (covariance === 'diag') {
    const out = new Float64Array(k * d);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < k; c++) {
        const r = resp[i * k + c];
        for (let j = 0; j < d; j++) {
          const t = data[i * d + j] - mu[c * d + j];
          out[c * d + j] += r * t * t;
        }
      }
    }
    return out;
  }
  const out = new Float64Array(k * d * d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      for (let j = 0; j < d; j++) diff[j] = data[i * d + j] - mu[c * d + j];
      const co = c * d * d;
      for (let a = 0; a < d; a++) {
        const ra = r * diff[a];
        const ro = co + a * d;
        for (let b = 0; b <= a; b++) out[ro + b] += ra * diff[b];
      }
    }
  }
  for (let c = 0; c < k; c++) {
    const co = c * d * d;
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) out[co + b * d + a] = out[co + a * d + b];
  }
  return out;
}

/** Divide scatters by n_c and add regCovar to the variances / diagonals (in place). */
function finishCovariances(cov: Float64Array, nk: Float64Array, d: number, covariance: CovarianceType, regCovar: number): void {
  const k = nk.length;
  if (covariance === 'diag') {
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) cov[c * d + j] = cov[c * d + j] / nk[c] + regCovar;
    return;
  }
  for (let c = 0; c < k; c++) {
    const co = c * d * d;
    for (let e = 0; e < d * d; e++) cov[co + e] /= nk[c];
    for (let j = 0; j < d; j++) cov[co + j * d + j] += regCovar;
  }
}

/** Starting parameters from centres: hard nearest-centre partition for weights and covariances, centres as means. */
function initialParams(x: Matrix, centres: Matrix, covariance: CovarianceType, regCovar: number): GmmParams {
  const n = x.rows;
  const d = x.cols;
  const k = centres.rows;
  const resp = new Float64Array(n * k);
  for (let i = 0; i < n; i++) resp[i * k + nearest(x.data, i * d, centres.data, k, d)] = 1;
  const params = gmmMStep(x, resp, k, covariance, regCovar);
  // Components no row chose get the whole data's covariance, so they can still attract rows.
  let whole: Float64Array | null = null;
  for (let c = 0; c < k; c++) {
    if (params.weights[c] * n >= 0.5) continue;
    whole ??= gmmMStep(x, new Float64Array(n).fill(1), 1, covariance, regCovar).covariances;
    params.covariances.set(whole, c * whole.length);
  }
  params.means = { data: Float64Array.from(centres.data), rows: k, cols: d };
  return params;
}

function nearest(data: Float64Array, xo: number, centres: Float64Array, k: number, d: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = data[xo + j] - centres[c * d + j];
      s += t * t;
    }
    if (s < bestD) {
      bestD = s;
      best = c;
    }
  }
  return best;
}

/** Greedy k-means++ seeding (sklearn's): k rows of x as centres, drawn from rng. */
export function kmeansPlusPlusCentres(x: Matrix, k: number, rng: Prng): Matrix {
  const n = x.rows;
  const d = x.cols;
  const data = x.data;
  const out = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const closest = new Float64Array(n);
  const cand = new Float64Array(n);
  const bestCand = new Float64Array(n);
  const cum = new Float64Array(n);
  const dist2 = (i: number, j: number) => {
    let s = 0;
    for (let c = 0; c < d; c++) {
      const t = data[i * d + c] - data[j * d + c];
      s += t * t;
    }
    return s;
  };
  let first = rng.int(n);
  out.set(data.subarray(first * d, first * d + d), 0);
  let pot = 0;
  for (let i = 0; i < n; i++) pot += closest[i] = dist2(i, first);
  for (let c = 1; c < k; c++) {
    let s = 0;
    for (let i = 0; i < n; i++) cum[i] = s += closest[i];
    let chosen = -1;
    let bestPot = Infinity;
    for (let t = 0; t < trials; t++) {
      // All rows already coincide with a centre: any row will do.
      const idx = pot > 0 ? rng.pickCum(cum) : rng.int(n);
      let p = 0;
      for (let i = 0; i < n; i++) {
        const v = Math.min(closest[i], dist2(i, idx));
        cand[i] = v;
        p += v;
      }
      if (p < bestPot) {
        bestPot = p;
        chosen = idx;
        bestCand.set(cand);
      }
    }
    first = chosen;
    out.set(data.subarray(chosen * d, chosen * d + d), c * d);
    closest.set(bestCand);
    pot = bestPot;
  }
  return { data: out, rows: k, cols: d };
}

/**
 * Cholesky of the d × d matrix at a[off..], writing L⁻¹ (lower triangular) into inv[c·d·d..]; returns log det.
 * Throws a StrataError naming component c when the matrix is not positive definite.
 */
function choleskyInverse(a: Float64Array, off: number, d: number, inv: Float64Array, c: number): number {
  const L = new Float64Array(d * d);
  let logDet = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[off + i * d + j];
      for (let m = 0; m < j; m++) s -= L[i * d + m] * L[j * d + m];
      if (i === j) {
        if (!(s > 0)) throw notPositive(c);
        L[i * d + i] = Math.sqrt(s);
        logDet += 2 * Math.log(L[i * d + i]);
      } else L[i * d + j] = s / L[j * d + j];
    }
  }
  // Forward substitution column by column: L · inv = I.
  const io = c * d * d;
  for (let col = 0; col < d; col++) {
    for (let i = col; i < d; i++) {
      let s = i === col ? 1 : 0;
      for (let m = col; m < i; m++) s -= L[i * d + m] * inv[io + m * d + col];
      inv[io + i * d + col] = s / L[i * d + i];
    }
  }
  return logDet;
}

function notPositive(c: number): StrataError {
  return new StrataError(
    `Mixture component ${c + 1} collapsed: its covariance is not positive definite even after regularisation. ` +
      'Use fewer components, standardise the features, drop duplicated columns, use diagonal covariances or raise regCovar.',
  );
}

function checkFinite(x: Matrix): void {
  for (let i = 0; i < x.data.length; i++) {
    if (!Number.isFinite(x.data[i])) {
      throw new StrataError(`Row ${Math.floor(i / x.cols) + 1} has a missing or infinite value in column ${(i % x.cols) + 1}; fill or drop it before clustering.`);
    }
  }
}
