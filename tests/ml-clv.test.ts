// Probabilistic CLV (src/ml/clv.ts and its helpers): special functions against closed forms, the optimisers on
// Rosenbrock, the BG/NBD and Gamma-Gamma log-likelihoods against values worked out by hand (products, no log Γ),
// and the published CDNOW estimates (Fader, Hardie & Lee 2005) from ../shared/data/CDNOW_sample.txt summarised by a
// plain loop over its lines (the app's own import and SQL are checked against the same figures in
// tests/predict-clv.test.ts).
// Run: TZ=UTC node --import tsx --test tests/ml-clv.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { cdnowSummary } from './fixtures/cdnow.ts';
import { hyp2f1, lnGamma } from '../src/ml/special.ts';
import { bfgs, nelderMead } from '../src/ml/optimize.ts';
import {
  bgnbdLogLikelihood, bgnbdTotalLogLikelihood, customerLifetimeValue, expectedPurchases, expectedPurchasesNew, expectedValue,
  fitBgNbd, fitGammaGamma, gammaGammaLogLikelihood, groupSummaries, probabilityAlive,
} from '../src/ml/clv.ts';

const close = (a: number, b: number, rel: number, what: string) =>
  assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${what}: ${a} vs ${b} (rel ${rel})`);

test('log Γ and 2F1 equal their closed forms', () => {
  close(lnGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-13, 'lnΓ(1/2)');
  close(lnGamma(10), Math.log(362880), 1e-13, 'lnΓ(10)');
  close(lnGamma(0.1), Math.log(9.513507698668732), 1e-12, 'lnΓ(0.1)');
  close(lnGamma(100), 359.1342053695754, 1e-12, 'lnΓ(100) = ln 99!');
  for (const z of [0.01, 0.3, 0.9]) {
    close(hyp2f1(1, 1, 2, z), -Math.log(1 - z) / z, 1e-12, `2F1(1,1;2;${z})`);
    close(hyp2f1(0.7, 2.5, 2.5, z), Math.pow(1 - z, -0.7), 1e-12, `2F1(a,b;b;${z})`);
  }
  assert.throws(() => hyp2f1(1, 1, 2, 1), /0 <= z < 1/);
});

test('Nelder–Mead and BFGS find Rosenbrock\'s minimum at (1, 1)', () => {
  const rosen = (p: number[]) => 100 * (p[1] - p[0] * p[0]) ** 2 + (1 - p[0]) ** 2;
  const nm = nelderMead(rosen, [-1.2, 1]);
  assert.ok(nm.converged);
  assert.ok(Math.abs(nm.x[0] - 1) < 1e-4 && Math.abs(nm.x[1] - 1) < 1e-4, `NM ${nm.x}`);
  const q = bfgs(rosen, [-1.2, 1]);
  assert.ok(Math.abs(q.x[0] - 1) < 1e-4 && Math.abs(q.x[1] - 1) < 1e-4, `BFGS ${q.x}`);
});

// Hand-worked likelihoods: Γ(r + x)/Γ(r) = r (r+1) … (r+x-1); B(a, b+x)/B(a, b) = Π_{j<x} (b+j)/(a+b+j);
// B(a+1, b+x-1)/B(a, b) = a Π_{j<x-1} (b+j) / Π_{j<x} (a+b+j).
function bgnbdByHand(r: number, alpha: number, a: number, b: number, x: number, tx: number, T: number): number {
  let rising = 1, beta1 = 1, num = a, den = 1;
  for (let j = 0; j < x; j++) {
    rising *= r + j;
    beta1 *= (b + j) / (a + b + j);
    den *= a + b + j;
    if (j < x - 1) num *= b + j;
  }
  const common = rising * Math.pow(alpha, r);
  const l = beta1 * common / Math.pow(alpha + T, r + x) + (x > 0 ? (num / den) * common / Math.pow(alpha + tx, r + x) : 0);
  return Math.log(l);
}

test('BG/NBD log-likelihood of three customers equals the hand-worked products', () => {
  const p = { r: 0.5, alpha: 2, a: 0.8, b: 2.5 };
  const customers: [number, number, number][] = [[0, 0, 10], [1, 3, 10], [3, 8, 12]];
  let total = 0;
  for (const [x, tx, T] of customers) {
    const hand = bgnbdByHand(p.r, p.alpha, p.a, p.b, x, tx, T);
    close(bgnbdLogLikelihood(p, x, tx, T), hand, 1e-12, `customer ${x},${tx},${T}`);
    total += hand;
  }
  // The first one in full, as numbers: L = (α/(α+T))^r = (2/12)^0.5.
  close(bgnbdLogLikelihood(p, 0, 0, 10), 0.5 * Math.log(2 / 12), 1e-13, 'x = 0');
  close(bgnbdTotalLogLikelihood(p, { x: Float64Array.of(0, 1, 3), tx: Float64Array.of(0, 3, 8), T: Float64Array.of(10, 10, 12) }), total, 1e-12, 'total');
  // Customers sharing (x, tx, T) are counted once with a weight: the same total.
  const d = { x: Float64Array.of(0, 1, 0, 1, 3), tx: Float64Array.of(0, 3, 0, 3, 8), T: Float64Array.of(10, 10, 10, 10, 12) };
  const g = groupSummaries(d);
  assert.deepEqual([...g.w], [2, 2, 1]);
  let plain = 0;
  for (let i = 0; i < 5; i++) plain += bgnbdLogLikelihood(p, d.x[i], d.tx[i], d.T[i]);
  close(bgnbdTotalLogLikelihood(p, g.d, g.w), plain, 1e-12, 'grouped');
});

test('Gamma-Gamma log-likelihood of three customers equals the hand-worked values (integer p·x and q)', () => {
  // p = 2, q = 3, γ = 5: L = Γ(px+q)/(Γ(px)Γ(q)) · γ^q · m^(px-1) · x^(px) / (γ + m x)^(px+q).
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const par = { p: 2, q: 3, gamma: 5 };
  for (const [x, m] of [[1, 20], [2, 12.5], [3, 40]]) {
    const px = par.p * x;
    const hand = (fact(px + par.q - 1) / (fact(px - 1) * fact(par.q - 1))) * par.gamma ** par.q * m ** (px - 1) * x ** px / (par.gamma + m * x) ** (px + par.q);
    close(gammaGammaLogLikelihood(par, x, m), Math.log(hand), 1e-12, `x=${x}, m=${m}`);
  }
});

test('expected purchases: zero horizon is 0, grows with the horizon, a new customer is the population curve', () => {
  const p = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
  assert.equal(expectedPurchases(p, 0, 2, 30, 38), 0);
  let prev = 0;
  for (const t of [1, 10, 39, 100]) {
    const e = expectedPurchases(p, t, 2, 30.43, 38.86);
    assert.ok(e > prev, `t = ${t}`);
    prev = e;
  }
  // A customer with no purchase history observed for T = 0 is a new customer.
  close(expectedPurchases(p, 39, 0, 0, 0), expectedPurchasesNew(p, 39), 1e-12, 'new customer');
  assert.equal(probabilityAlive(p, 0, 0, 20), 1);
  assert.ok(probabilityAlive(p, 5, 5, 38) < probabilityAlive(p, 5, 37, 38), 'a long silence lowers P(alive)');
  close(expectedValue({ p: 6.25, q: 3.74, gamma: 15.44 }, 0, 0), (6.25 * 15.44) / 2.74, 1e-12, 'population mean value');
});

const CDNOW = '../shared/data/CDNOW_sample.txt';

test('CDNOW: BG/NBD and Gamma-Gamma reproduce the published estimates within 1%', () => {
  if (!existsSync(CDNOW)) assert.fail(`Real-data test needs ${CDNOW}: put the shared data folder at ../shared/data next to the project.`);
  const s = cdnowSummary(readFileSync(CDNOW, 'utf8'));
  assert.equal(s.x.length, 2357);
  assert.equal([...s.x].filter((v) => v > 0).length, 946);
  const bg = fitBgNbd(s);
  close(bg.params.r, 0.243, 0.01, 'r');
  close(bg.params.alpha, 4.414, 0.01, 'α');
  close(bg.params.a, 0.793, 0.01, 'a');
  close(bg.params.b, 2.426, 0.01, 'b');
  close(bg.logLikelihood, -9582.4, 1e-4, 'log-likelihood');
  assert.ok(bg.converged);
  assert.ok(bg.logLikelihood >= bgnbdTotalLogLikelihood({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, s) - 1e-6, 'the fit is at least as likely as the rounded published values');
  for (const v of Object.values(bg.standardErrors)) assert.ok(v > 0 && Number.isFinite(v));
  // The paper's worked example: x = 2, tx = 30.43, T = 38.86 expects 1.226 purchases in the next 39 weeks.
  close(expectedPurchases(bg.params, 39, 2, 30.43, 38.86), 1.226, 0.01, 'the paper\'s example customer');
  const gg = fitGammaGamma(s.x, s.m);
  assert.equal(gg.customers, 946);
  close(gg.params.p, 6.25, 0.01, 'p');
  close(gg.params.q, 3.74, 0.01, 'q');
  close(gg.params.gamma, 15.44, 0.01, 'γ');
  assert.ok(gg.converged);
  // CLV: positive, rises with the horizon, falls with the discount rate.
  const clv = (periods: number, d: number) => customerLifetimeValue(bg.params, gg.params, 2, 30.43, 38.86, 30, { periods, periodLength: 52 / 12, discountRate: d });
  assert.ok(clv(12, 0.01) > 0 && clv(24, 0.01) > clv(12, 0.01) && clv(12, 0.05) < clv(12, 0.01));
});

test('data without drop-out: the fit stops at the edge of the search box, says which parameters, and still predicts', () => {
  // 400 customers buying every 10 days from their first day to the end: nobody ever drops out, and everyone buys at
  // one rate (the likelihood keeps rising as the rate's spread vanishes: α and r run off together).
  const n = 400;
  const x = new Float64Array(n), tx = new Float64Array(n), T = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    T[i] = 100 + (i % 200);
    x[i] = Math.floor(T[i] / 10);
    tx[i] = x[i] * 10;
  }
  const t0 = performance.now();
  const fit = fitBgNbd({ x, tx, T });
  assert.ok(performance.now() - t0 < 20_000, 'bounded work');
  assert.ok(fit.atBound.length > 0, 'some parameter ran to the edge');
  const p = probabilityAlive(fit.params, x[0], tx[0], T[0]);
  assert.ok(p > 0.99, `P(alive) ${p}`);
  assert.ok(Number.isFinite(expectedPurchases(fit.params, 30, x[0], tx[0], T[0])));
  // CDNOW's fit is inside the box.
  assert.deepEqual(fitBgNbd(cdnowSummary(readFileSync(CDNOW, 'utf8'))).atBound, []);
});

test('fits refuse data that cannot identify them', () => {
  assert.throws(() => fitBgNbd({ x: new Float64Array(0), tx: new Float64Array(0), T: new Float64Array(0) }), /no customers/);
  assert.throws(() => fitBgNbd({ x: Float64Array.of(0, 0), tx: Float64Array.of(0, 0), T: Float64Array.of(5, 9) }), /No customer bought twice/);
  assert.throws(() => fitGammaGamma(Float64Array.of(0, 1), Float64Array.of(0, 10)), /at least two customers/);
});
