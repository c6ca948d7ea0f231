// Seeded synthetic customers for the prediction benchmark, made the same way in Node and in the bench page: n users
// × the 14 churn features (CHURN_FEATURES order), a churn label that depends on the silence and the orders, next-
// and last-period revenue, and BG/NBD-style summaries in days (x repeat days, tx, T, m).
import { Prng } from '../../src/data/generator/prng.ts';
import { CHURN_FEATURES } from '../../src/analyses/predict/churn-sql.ts';

export interface PredictData {
  labelled: { data: Float64Array; rows: number; cols: number };
  churned: Int32Array;
  futureRevenue: Float64Array;
  priorRevenue: Float64Array;
  current: { data: Float64Array; rows: number; cols: number };
  clv: { x: Float64Array; tx: Float64Array; T: Float64Array; m: Float64Array };
}

export function predictData(n: number, seed: number): PredictData {
  const rng = new Prng(seed);
  const d = CHURN_FEATURES.length;
  const data = new Float64Array(n * d), churned = new Int32Array(n), future = new Float64Array(n), prior = new Float64Array(n);
  const x = new Float64Array(n), tx = new Float64Array(n), T = new Float64Array(n), m = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const tenure = 30 + rng.next() * 700, silence = rng.next() * Math.min(tenure, 300), orders = 1 + Math.floor(rng.exp(2));
    const aov = 20 + rng.next() * 80, events = orders * 8 + Math.floor(rng.next() * 40), sessions = Math.max(1, Math.floor(events / 6));
    const row = [silence, silence + rng.next() * 20, tenure, orders, orders * aov, aov, events, sessions, Math.min(sessions, Math.ceil(tenure)),
      silence < 30 ? Math.floor(rng.next() * 10) : 0, silence < 90 ? Math.floor(rng.next() * 3) : 0, events * 0.5, events * 0.1, rng.next() < 0.05 ? 1 : 0];
    data.set(row, i * d);
    churned[i] = rng.next() < 1 / (1 + Math.exp(-(silence - 120) / 30 + 0.2 * orders)) ? 1 : 0;
    prior[i] = silence < 90 ? aov * (1 + rng.next()) : 0;
    future[i] = churned[i] ? 0 : aov * (0.5 + rng.next() * 2);
    T[i] = Math.floor(tenure);
    x[i] = Math.max(0, orders - 1);
    tx[i] = x[i] > 0 ? Math.floor(rng.next() * (T[i] - silence)) + 0 : 0;
    if (tx[i] > T[i]) tx[i] = T[i];
    m[i] = x[i] > 0 ? aov * (0.8 + 0.4 * rng.next()) : 0;
  }
  return {
    labelled: { data, rows: n, cols: d }, churned, futureRevenue: future, priorRevenue: prior,
    current: { data: data.slice(), rows: n, cols: d }, clv: { x, tx, T, m },
  };
}
