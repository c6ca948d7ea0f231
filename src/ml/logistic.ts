// L2-regularised logistic regression fitted by Newton's method (iteratively reweighted least squares), the
// baseline beside the churn forest. Features are standardised inside the model (mean 0, sd 1 on the training rows;
// a constant feature gets weight 0), the intercept is not penalised. Loss = mean log-loss + (λ / 2n)·|w|² — the
// same objective as scikit-learn's LogisticRegression(C = 1/λ) with its default lbfgs solver, so the answers agree
// to the optimiser's tolerance.
import type { Matrix } from './matrix.ts';
import { invert } from './optimize.ts';

export interface LogisticModel {
  /** Per feature: the training mean and sd used to standardise it. */
  mean: Float64Array;
  sd: Float64Array;
  /** Intercept, then one weight per standardised feature. */
  weights: Float64Array;
  iterations: number;
  converged: boolean;
  /** P(y = 1) for each row of x. */
  predictProba(x: Matrix): Float64Array;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Fit on x (n × d) and y (0/1). lambda: L2 strength (sklearn's 1/C; default 1). */
export function fitLogistic(x: Matrix, y: ArrayLike<number>, options: { lambda?: number; maxIterations?: number } = {}): LogisticModel {
  const { rows: n, cols: d } = x;
  const lambda = options.lambda ?? 1;
  const maxIt = options.maxIterations ?? 50;
  const mean = new Float64Array(d), sd = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x.data[i * d + j];
    mean[j] = s / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (x.data[i * d + j] - mean[j]) ** 2;
    sd[j] = Math.sqrt(v / n);
  }
  const z = new Float64Array(n * (d + 1)); // design matrix with the intercept column
  for (let i = 0; i < n; i++) {
    z[i * (d + 1)] = 1;
    for (let j = 0; j < d; j++) z[i * (d + 1) + j + 1] = sd[j] > 0 ? (x.data[i * d + j] - mean[j]) / sd[j] : 0;
  }
  const p = d + 1;
  const w = new Float64Array(p);
  let it = 0, converged = false;
  for (; it < maxIt; it++) {
    const g = new Float64Array(p);
    const H = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    for (let i = 0; i < n; i++) {
      let eta = 0;
      for (let j = 0; j < p; j++) eta += z[i * p + j] * w[j];
      const mu = sigmoid(eta);
      const r = mu - y[i];
      const s = mu * (1 - mu);
      for (let j = 0; j < p; j++) {
        const zj = z[i * p + j];
        g[j] += r * zj;
        for (let k = j; k < p; k++) H[j][k] += s * zj * z[i * p + k];
      }
    }
    for (let j = 0; j < p; j++) {
      for (let k = 0; k < j; k++) H[j][k] = H[k][j];
      if (j > 0) {
        g[j] += lambda * w[j];
        H[j][j] += lambda;
      }
      H[j][j] += 1e-10; // keeps a separable or constant column invertible
    }
    const inv = invert(H);
    if (!inv) break;
    let step = 0;
    for (let j = 0; j < p; j++) {
      let dj = 0;
      for (let k = 0; k < p; k++) dj += inv[j][k] * g[k];
      w[j] -= dj;
      step = Math.max(step, Math.abs(dj));
    }
    if (step < 1e-10) {
      converged = true;
      it++;
      break;
    }
  }
  return {
    mean, sd, weights: w, iterations: it, converged,
    predictProba(m: Matrix): Float64Array {
      const out = new Float64Array(m.rows);
      for (let i = 0; i < m.rows; i++) {
        let eta = w[0];
        for (let j = 0; j < d; j++) if (sd[j] > 0) eta += w[j + 1] * (m.data[i * d + j] - mean[j]) / sd[j];
        out[i] = sigmoid(eta);
      }
      return out;
    },
  };
}
