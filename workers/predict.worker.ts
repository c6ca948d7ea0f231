// The prediction worker: a thin Comlink shell over src/ml/predict.ts. The feature matrices arrive transferred;
// churn, the value model and the probabilistic CLV run one after the other, each failing on its own (a clear
// message in its place, the others still shown); progress goes through a proxied callback. Cancel = the page
// terminates this worker.
import * as Comlink from 'comlink';
import { runChurn, runClv, runValue, scoreRows, type ChurnResult, type ClvResult, type Features, type ValueResult } from '../src/ml/predict.ts';
import type { Forest } from '../src/ml/forest.ts';
import type { GbmModel } from '../src/ml/gbm.ts';
import type { PredictOutput, PredictSettings, PredictWorkerApi, PredictWorkerInput } from '../src/db/protocols.ts';

/** The last run's final models (trained on every labelled customer), kept to score typed feature values. */
let kept: { forest: Forest | null; gbm: GbmModel | null } = { forest: null, gbm: null };

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

const api: PredictWorkerApi = {
  run(input: PredictWorkerInput, s: PredictSettings, progress: (step: string, fraction: number) => void): PredictOutput {
    const out: PredictOutput = { churn: null, churnError: null, value: null, valueError: null, clv: null, clvError: null, ms: { churn: 0, value: 0, clv: 0 } };
    let t = performance.now();
    kept = { forest: null, gbm: null };
    try {
      out.churn = runChurn(input.labelled, input.churned, input.current, { seed: s.seed, threshold: s.threshold, onProgress: (step, f) => progress(step, 0.6 * f), keep: (m) => (kept.forest = m) });
    } catch (err) {
      out.churnError = message(err);
    }
    out.ms.churn = performance.now() - t;
    t = performance.now();
    try {
      out.value = runValue(input.labelled, input.futureRevenue, input.priorRevenue, input.current, { seed: s.seed, onProgress: (step, f) => progress(step, 0.6 + 0.3 * f), keep: (m) => (kept.gbm = m) });
    } catch (err) {
      out.valueError = message(err);
    }
    out.ms.value = performance.now() - t;
    t = performance.now();
    progress('Fitting BG/NBD and Gamma-Gamma', 0.92);
    try {
      out.clv = runClv(input.clv, { months: s.months, monthlyDiscount: s.discount, purchaseDays: s.horizon });
    } catch (err) {
      out.clvError = message(err);
    }
    out.ms.clv = performance.now() - t;
    const transfers: ArrayBuffer[] = [];
    if (out.churn) transfers.push(out.churn.probability.buffer as ArrayBuffer);
    if (out.value) transfers.push(out.value.predicted.buffer as ArrayBuffer);
    if (out.clv) for (const a of [out.clv.clv, out.clv.expectedPurchases, out.clv.probabilityAlive, out.clv.expectedValue]) transfers.push(a.buffer as ArrayBuffer);
    return Comlink.transfer(out, transfers);
  },

  /** P(churn) and predicted value of typed feature rows (CHURN_FEATURES order) by the last run's models. */
  score(rows: Features): { churn: Float64Array; value: Float64Array } {
    return scoreRows(rows, kept.forest, kept.gbm);
  },
};

Comlink.expose(api);
