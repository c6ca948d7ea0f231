// Probabilistic customer lifetime value: the BG/NBD purchase model (Fader, Hardie & Lee 2005, "Counting Your
// Customers the Easy Way") and the Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo &
// Jiang 1999), fitted by maximum likelihood.
//
// Data per customer, in one time unit of the caller's choosing (the app uses days; the papers use weeks):
//   x  = repeat purchases (purchase days after the first one), tx = time of the last purchase since the first
//   (0 when x = 0), T = time from the first purchase to the end of the observation period; for Gamma-Gamma
//   m = the mean value of the repeat purchases (customers with x = 0 are left out of its fit).
// BG/NBD: while alive, purchases follow a Poisson process with rate λ ~ Gamma(r, α); after each purchase the
// customer drops out with probability p ~ Beta(a, b). Gamma-Gamma: a customer's purchase values are Gamma(p, ν) with
// ν ~ Gamma(q, γ), independent of the purchase process (an assumption: check that frequency and value are
// uncorrelated).
//
// Fitting: the parameters are optimised in log space (so they stay positive) by Nelder–Mead on the mean negative
// log-likelihood; when the simplex does not converge, or its gradient is not flat, BFGS continues from it and the
// better answer is kept (`lifetimes` fits on raw parameters with one optimiser and reports failed convergence:
// its issues #396, #405, #419). Standard errors: the inverse Hessian of the total negative log-likelihood in log
// space, mapped back by the delta method (se(θ) = θ · se(log θ)).
import { lnBeta, lnGamma, hyp2f1 } from './special.ts';
import { bfgs, gradient, hessian, invert, nelderMead, type Minimum } from './optimize.ts';

export interface BgNbdParams { r: number; alpha: number; a: number; b: number }
export interface GammaGammaParams { p: number; q: number; gamma: number }

/** The customers' summaries (one entry per customer). */
export interface CustomerSummary {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
}

/** How a fit went. */
export interface FitReport<P> {
  params: P;
  /** Total log-likelihood at the estimate. */
  logLikelihood: number;
  /** Standard errors of the parameters (NaN when the Hessian is not invertible: a flat or degenerate fit). */
  standardErrors: P;
  converged: boolean;
  method: Minimum['method'];
  iterations: number;
  /** Customers the fit used. */
  customers: number;
  /**
   * Parameters that ran to the edge of the search box (|log θ| = 12, θ ≈ 1.6e5 or 6e-6): the data do not pin them
   * down. BG/NBD's a and b there mean "almost no drop-out" (P(alive) ≈ 1 for everyone): the fit still predicts,
   * but its standard errors for those parameters mean nothing.
   */
  atBound: string[];
}

/** log(e^u + e^v) without overflow. */
function logAddExp(u: number, v: number): number {
  if (u === -Infinity) return v;
  if (v === -Infinity) return u;
  const m = Math.max(u, v);
  return m + Math.log(Math.exp(u - m) + Math.exp(v - m));
}

/** One customer's BG/NBD log-likelihood (equation 6 of the paper, in logs). */
export function bgnbdLogLikelihood({ r, alpha, a, b }: BgNbdParams, x: number, tx: number, T: number): number {
  const a1 = lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha);
  const a2 = lnBeta(a, b + x) - lnBeta(a, b);
  const a3 = -(r + x) * Math.log(alpha + T);
  const a4 = x > 0 ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx) : -Infinity;
  return a1 + a2 + logAddExp(a3, a4);
}

/** The total BG/NBD log-likelihood of every customer (optionally weighted: w[i] customers share row i). */
export function bgnbdTotalLogLikelihood(p: BgNbdParams, d: CustomerSummary, w?: Float64Array): number {
  // The terms that depend on x alone are the same for every customer with that x: computed once per distinct x
  // (most customers have a handful of repeat purchases), so a customer costs two logs and a log-sum-exp.
  const { r, alpha, a, b } = p;
  const byX = new Map<number, { head: number; tail: number; rx: number }>();
  const lnGr = lnGamma(r), lnBab = lnBeta(a, b), rLnA = r * Math.log(alpha), lnA = Math.log(a);
  let s = 0;
  for (let i = 0; i < d.x.length; i++) {
    const x = d.x[i];
    let c = byX.get(x);
    if (!c) {
      c = { head: lnGamma(r + x) - lnGr + rLnA + lnBeta(a, b + x) - lnBab, tail: x > 0 ? lnA - Math.log(b + x - 1) : -Infinity, rx: r + x };
      byX.set(x, c);
    }
    const a3 = -c.rx * Math.log(alpha + d.T[i]);
    const a4 = x > 0 ? c.tail - c.rx * Math.log(alpha + d.tx[i]) : -Infinity;
    const ll = c.head + logAddExp(a3, a4);
    s += w ? w[i] * ll : ll;
  }
  return s;
}

/** Customers with the same (x, tx, T) counted once with a weight (days are whole numbers: many repeat). */
export function groupSummaries(d: CustomerSummary): { d: CustomerSummary; w: Float64Array } {
  const at = new Map<string, number>();
  const x: number[] = [], tx: number[] = [], T: number[] = [], w: number[] = [];
  for (let i = 0; i < d.x.length; i++) {
    const key = `${d.x[i]}|${d.tx[i]}|${d.T[i]}`;
    const k = at.get(key);
    if (k !== undefined) w[k]++;
    else {
      at.set(key, x.length);
      x.push(d.x[i]);
      tx.push(d.tx[i]);
      T.push(d.T[i]);
      w.push(1);
    }
  }
  return { d: { x: Float64Array.from(x), tx: Float64Array.from(tx), T: Float64Array.from(T) }, w: Float64Array.from(w) };
}

/** One customer's Gamma-Gamma log-likelihood of their mean repeat value m over x > 0 repeat purchases. */
export function gammaGammaLogLikelihood({ p, q, gamma }: GammaGammaParams, x: number, m: number): number {
  return lnGamma(p * x + q) - lnGamma(p * x) - lnGamma(q) + q * Math.log(gamma) + (p * x - 1) * Math.log(m) +
    p * x * Math.log(x) - (p * x + q) * Math.log(gamma + m * x);
}

/** Minimise a mean negative log-likelihood over log-parameters: Nelder–Mead, then BFGS when it is not done. */
/** The search box in log space: a likelihood that keeps rising towards a boundary (no drop-out in the data) stops there. */
export const LOG_BOUND = 12;

function fitLog(nllIn: (logp: number[]) => number, start: number[]): Minimum {
  const nll = (l: number[]) => (l.every((v) => Math.abs(v) <= LOG_BOUND) ? nllIn(l) : Infinity);
  const nm = nelderMead(nll, start, { fTol: 1e-10, xTol: 1e-6, maxIterations: 1500 });
  const flat = Math.max(...gradient(nll, nm.x).map(Math.abs)) < 1e-5;
  if ((nm.converged && flat) || nm.x.some((v) => Math.abs(v) > LOG_BOUND - 0.5)) return nm;
  const q = bfgs(nll, nm.x, { gTol: 1e-8, maxIterations: 200 });
  return q.f < nm.f ? q : nm;
}

const boundNames = (logp: readonly number[], names: readonly string[]) => names.filter((_, i) => Math.abs(logp[i]) > LOG_BOUND - 0.5);

/** Standard errors by the delta method from the inverse Hessian of the total NLL in log space. */
function logSpaceErrors(totalNll: (logp: number[]) => number, logp: number[]): number[] {
  const inv = invert(hessian(totalNll, logp));
  return logp.map((lp, i) => {
    const v = inv?.[i][i];
    return v !== undefined && v > 0 ? Math.exp(lp) * Math.sqrt(v) : NaN;
  });
}

const bgFrom = (l: readonly number[]): BgNbdParams => ({ r: Math.exp(l[0]), alpha: Math.exp(l[1]), a: Math.exp(l[2]), b: Math.exp(l[3]) });

/** Fit BG/NBD. Throws a clear error when the data cannot identify it (no customers, or no repeat purchase at all). */
export function fitBgNbd(d: CustomerSummary): FitReport<BgNbdParams> {
  const n = d.x.length;
  if (n === 0) throw new Error('There are no customers to fit the purchase model (BG/NBD) on.');
  let repeat = 0, meanT = 0;
  for (let i = 0; i < n; i++) {
    if (d.x[i] > 0) repeat++;
    meanT += d.T[i] / n;
  }
  if (repeat === 0) throw new Error('No customer bought twice: the purchase model (BG/NBD) needs repeat buyers to learn how often customers buy.');
  const g = groupSummaries(d);
  const nll = (l: number[]) => -bgnbdTotalLogLikelihood(bgFrom(l), g.d, g.w) / n;
  // Start: r = 1, α = the mean observation time (a rate of about one purchase per history), a = 1, b = 1.
  const m = fitLog(nll, [0, Math.log(Math.max(meanT, 1e-6)), 0, 0]);
  const se = logSpaceErrors((l) => nll(l) * n, m.x);
  return {
    params: bgFrom(m.x), logLikelihood: -m.f * n, standardErrors: { r: se[0], alpha: se[1], a: se[2], b: se[3] },
    converged: m.converged, method: m.method, iterations: m.iterations, customers: n, atBound: boundNames(m.x, ['r', 'alpha', 'a', 'b']),
  };
}

const ggFrom = (l: readonly number[]): GammaGammaParams => ({ p: Math.exp(l[0]), q: Math.exp(l[1]), gamma: Math.exp(l[2]) });

/** Fit Gamma-Gamma on the customers with x > 0 and m > 0. */
export function fitGammaGamma(x: Float64Array, m: Float64Array): FitReport<GammaGammaParams> {
  const xs: number[] = [], ms: number[] = [];
  for (let i = 0; i < x.length; i++) if (x[i] > 0 && m[i] > 0) {
    xs.push(x[i]);
    ms.push(m[i]);
  }
  const n = xs.length;
  if (n < 2) throw new Error('The spend model (Gamma-Gamma) needs at least two customers with repeat purchases of a positive value.');
  let mean = 0;
  for (const v of ms) mean += v / n;
  // ln m and ln x do not depend on the parameters; lnΓ(px + q) - lnΓ(px) - lnΓ(q) depends on x alone.
  const lnM = xs.map((v, i) => Math.log(ms[i])), lnX = xs.map((v) => Math.log(v));
  const nll = (l: number[]) => {
    const { p, q, gamma } = ggFrom(l);
    const byX = new Map<number, number>();
    const lnGq = lnGamma(q), qLnG = q * Math.log(gamma);
    let s = 0;
    for (let i = 0; i < n; i++) {
      const x = xs[i], px = p * x;
      let c = byX.get(x);
      if (c === undefined) {
        c = lnGamma(px + q) - lnGamma(px) - lnGq + qLnG;
        byX.set(x, c);
      }
      s += c + (px - 1) * lnM[i] + px * lnX[i] - (px + q) * Math.log(gamma + ms[i] * x);
    }
    return -s / n;
  };
  const mm = fitLog(nll, [0, 0, Math.log(mean)]);
  const se = logSpaceErrors((l) => nll(l) * n, mm.x);
  return {
    params: ggFrom(mm.x), logLikelihood: -mm.f * n, standardErrors: { p: se[0], q: se[1], gamma: se[2] },
    converged: mm.converged, method: mm.method, iterations: mm.iterations, customers: n, atBound: boundNames(mm.x, ['p', 'q', 'gamma']),
  };
}

/** P(alive) of a customer with (x, tx, T) (equation 11 of the BG/NBD paper). */
export function probabilityAlive({ r, alpha, a, b }: BgNbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  return 1 / (1 + (a / (b + x - 1)) * Math.pow((alpha + T) / (alpha + tx), r + x));
}

/** Expected purchases in the next t time units of a customer with (x, tx, T) (equation 10 of the paper). */
export function expectedPurchases({ r, alpha, a, b }: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  if (t <= 0) return 0;
  const z = t / (alpha + T + t);
  const head = (a + b + x - 1) / (a - 1);
  const body = 1 - Math.pow((alpha + T) / (alpha + T + t), r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z);
  const alive = x > 0 ? 1 + (a / (b + x - 1)) * Math.pow((alpha + T) / (alpha + tx), r + x) : 1;
  return (head * body) / alive;
}

/** Expected purchases in t time units of a new customer (equation 9: E[X(t)]). */
export function expectedPurchasesNew({ r, alpha, a, b }: BgNbdParams, t: number): number {
  if (t <= 0) return 0;
  const z = t / (alpha + t);
  return ((a + b - 1) / (a - 1)) * (1 - Math.pow(alpha / (alpha + t), r) * hyp2f1(r, b, a + b - 1, z));
}

/** The expected mean purchase value of a customer with x repeat purchases of mean m (Gamma-Gamma; x = 0: the population mean). */
export function expectedValue({ p, q, gamma }: GammaGammaParams, x: number, m: number): number {
  if (!(x > 0 && m > 0)) return (p * gamma) / (q - 1);
  return (p * (gamma + m * x)) / (p * x + q - 1);
}

export interface ClvOptions {
  /** Horizon in periods (e.g. 12 months). */
  periods: number;
  /** One period in the summary's time unit (e.g. 30 for months when the data is in days). */
  periodLength: number;
  /** Discount rate per period (e.g. 0.01 a month). */
  discountRate: number;
}

/**
 * CLV over the horizon: Σ_{i=1..periods} (E[X(i·L)] - E[X((i-1)·L)]) · E[M] / (1 + d)^i — each period's expected
 * purchases times the expected value, discounted (the sum `lifetimes` takes).
 */
export function customerLifetimeValue(bg: BgNbdParams, gg: GammaGammaParams, x: number, tx: number, T: number, m: number, o: ClvOptions): number {
  const value = expectedValue(gg, x, m);
  let clv = 0, prev = 0;
  for (let i = 1; i <= o.periods; i++) {
    const e = expectedPurchases(bg, i * o.periodLength, x, tx, T);
    clv += ((e - prev) * value) / Math.pow(1 + o.discountRate, i);
    prev = e;
  }
  return clv;
}
