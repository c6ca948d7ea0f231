// The Predictions screen's work: read the time-split features (training: as of the cutoff, with labels; scoring:
// as of the data's last day) and the CLV summaries from DuckDB, train in the prediction worker (transferred,
// progress, Cancel ends the worker), then store the scores as user fields.
import * as Comlink from 'comlink';
import type { PredictOutput, PredictWorkerApi } from '../../db/protocols.ts';
import { app } from '../../state/app.svelte.ts';
import { messageOf, StrataError } from '../../errors.ts';
import { JobGate } from '../../lib/job-gate.ts';
import { readPredictInput } from '../../analyses/predict/input.ts';
import type { PredictView } from './url-spec.ts';

/** What the last training read and decided, beside the models' output. */
export interface PredictRun {
  view: PredictView;
  cutoff: string;
  lastDay: string;
  labelled: number;
  /** The scored customers (churn, value) and the CLV customers, in row order. */
  users: string[];
  clvUsers: string[];
  /** The CLV customers' summaries (days), for the one-customer view and exports. */
  clvSummary: { x: Float64Array; tx: Float64Array; T: Float64Array; m: Float64Array };
  /** The scored customers' features as of the last day (row-major, CHURN_FEATURES order). */
  current: Float64Array;
  out: PredictOutput;
  ms: number;
}

/** The definition stored with each prediction column: settings and quality, no per-user data. */
export function predictionDefinition(r: PredictRun): string {
  const o = r.out;
  return JSON.stringify({
    model: 'predictions', settings: r.view, cutoff: r.cutoff, lastDay: r.lastDay, labelled: r.labelled,
    churn: o.churn ? { aucForest: o.churn.forest.auc, aucLogistic: o.churn.logistic.auc, baseRate: o.churn.baseRate } : { error: o.churnError },
    value: o.value ? { r2: o.value.model.r2, mae: o.value.model.mae, baselineMae: o.value.baseline.mae } : { error: o.valueError },
    clv: o.clv ? { bgnbd: o.clv.bgnbd.params, gammaGamma: o.clv.gammaGamma?.params ?? null } : { error: o.clvError },
  });
}

export class PredictState {
  progress = $state<{ step: string; fraction: number } | null>(null);
  error = $state<string | null>(null);
  run = $state.raw<PredictRun | null>(null);
  saved = $state<string[] | null>(null);
  saveError = $state<string | null>(null);
  private worker: Worker | null = null;
  /** The worker of the last successful run, kept to score typed feature values with its models. */
  private scorer = $state.raw<Comlink.Remote<PredictWorkerApi> | null>(null);
  private abort: ((err: Error) => void) | null = null;
  private gate = new JobGate();

  /** Read, train, store. */
  async train(view: PredictView): Promise<void> {
    const db = app.db;
    if (!db || !app.dataset) return;
    this.error = null;
    this.saved = null;
    this.saveError = null;
    this.progress = { step: 'Reading the customers', fraction: 0 };
    const report = this.gate.begin((step: string, fraction: number) => (this.progress = { step, fraction: 0.1 + 0.85 * fraction }));
    const t0 = performance.now();
    let trained = false;
    this.scorer = null;
    try {
      const { cutoff, lastDay, labelled, current, clv } = await readPredictInput(db, view);
      if (!this.progress) return; // cancelled while reading
      this.progress = { step: 'Training', fraction: 0.1 };
      const api = this.spawn();
      const keep = { current: current.data.slice(), clv: { x: clv.x.slice(), tx: clv.tx.slice(), T: clv.T.slice(), m: clv.m.slice() } };
      const input = {
        labelled: { data: labelled.data, rows: labelled.rows, cols: labelled.cols }, churned: labelled.churned!,
        futureRevenue: labelled.futureRevenue!, priorRevenue: labelled.priorRevenue!,
        current: { data: current.data, rows: current.rows, cols: current.cols }, clv: { x: clv.x, tx: clv.tx, T: clv.T, m: clv.m },
      };
      const transfer = [input.labelled.data, input.churned, input.futureRevenue, input.priorRevenue, input.current.data, clv.x, clv.tx, clv.T, clv.m].map((a) => a.buffer as ArrayBuffer);
      const out = await this.cancellable(api.run(Comlink.transfer(input, transfer),
        { seed: view.seed, threshold: view.threshold, months: view.months, discount: view.discount, horizon: view.horizon }, Comlink.proxy(report)));
      const run: PredictRun = {
        view, cutoff, lastDay, labelled: labelled.rows, users: current.userIds, clvUsers: clv.userIds, clvSummary: keep.clv,
        current: keep.current, out, ms: performance.now() - t0,
      };
      this.run = run;
      this.scorer = api;
      trained = true;
      this.gate.end();
      this.progress = { step: 'Storing the predictions as user fields', fraction: 0.97 };
      try {
        this.saved = await app.savePredictions({
          users: run.users, churn: out.churn?.probability ?? null, value: out.value?.predicted ?? null,
          clvUsers: run.clvUsers, clv: out.clv && out.clv.gammaGamma ? out.clv.clv : null,
          purchases: out.clv?.expectedPurchases ?? null, alive: out.clv?.probabilityAlive ?? null,
          band: { medium: view.medium, high: view.high }, horizonDays: view.horizon, months: view.months, definition: predictionDefinition(run),
        });
      } catch (err) {
        this.saveError = messageOf(err);
      }
    } catch (err) {
      if (this.progress) this.error = messageOf(err);
    } finally {
      this.gate.end();
      this.progress = null;
      if (trained) this.abort = null;
      else this.stop();
    }
  }

  /** Whether typed feature values can be scored (a run trained in this page, its worker still there). */
  get canScore(): boolean {
    return this.scorer !== null && !!this.run;
  }

  /** P(churn) and predicted value for one row of typed features (CHURN_FEATURES order). */
  async score(values: readonly number[]): Promise<{ churn: number; value: number }> {
    if (!this.scorer) throw new StrataError('Train the models in this page first: typed values are scored by the models of that run.');
    const data = Float64Array.from(values);
    const r = await this.scorer.score({ data, rows: 1, cols: values.length });
    return { churn: r.churn[0], value: r.value[0] };
  }

  /** The screen is gone: end any run and the kept worker. */
  dispose(): void {
    this.cancel();
    this.scorer = null;
    this.stop();
  }

  private recutting: Promise<void> | null = null;
  private nextCut: PredictView | null = null;

  /**
   * Re-cut the bands after a cut-off edit (the probabilities stay). Edits made while a re-cut is being saved are
   * not refused ("one change at a time"): the latest waits and is saved next, so the stored bands always end at the
   * last cut-offs typed.
   */
  recut(view: PredictView): Promise<void> {
    this.nextCut = view;
    if (this.recutting) return this.recutting;
    this.recutting = (async () => {
      for (let v = this.nextCut; v; v = this.nextCut) {
        this.nextCut = null;
        const r = this.run;
        if (!r?.out.churn) return;
        try {
          await app.saveChurnBand({ medium: v.medium, high: v.high }, predictionDefinition({ ...r, view: v }));
          this.saveError = null;
        } catch (err) {
          this.saveError = messageOf(err);
        }
      }
    })().finally(() => {
      this.recutting = null;
    });
    return this.recutting;
  }

  private spawn(): Comlink.Remote<PredictWorkerApi> {
    this.worker?.terminate();
    const w = new Worker(new URL('../../../workers/predict.worker.ts', import.meta.url), { type: 'module', name: 'predict' });
    w.addEventListener('error', (e) => {
      e.preventDefault();
      this.abort?.(new StrataError(`The prediction worker stopped (${e.message || 'it ran out of memory or crashed'}). Nothing was changed.`));
    });
    this.worker = w;
    return Comlink.wrap<PredictWorkerApi>(w);
  }

  private cancellable<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, new Promise<never>((_, reject) => (this.abort = reject))]);
  }

  cancel(): void {
    if (!this.progress) return;
    this.error = 'Cancelled — nothing was changed.';
    const abort = this.abort;
    this.gate.end();
    this.progress = null;
    this.stop();
    abort?.(new Error('Cancelled'));
  }

  private stop(): void {
    this.scorer = null;
    this.worker?.terminate();
    this.worker = null;
    this.abort = null;
  }
}
