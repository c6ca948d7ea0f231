// The clustering benchmark's page: one ML worker (the app's workers/ml.worker.ts, through Comlink as the Clusters
// screen uses it), the benchmark matrices fetched from data/NAME.f64 (+ .i32 labels, written by bench/ml-data.ts),
// and globalThis.mlBench for bench/ml.ts to call from Playwright. Every call sends the worker a fresh copy of the
// matrix, transferred (the copy is made before the clock starts).
import * as Comlink from 'comlink';
import type { MlWorkerApi, PredictWorkerApi } from '../../src/db/protocols.ts';
import { predictData } from './predict-data.ts';
import type { FeatureColumn } from '../../src/ml/features.ts';

type StepName = Parameters<MlWorkerApi['benchStep']>[0];
type StepOptions = Omit<Parameters<MlWorkerApi['benchStep']>[4], 'labels'>;

/** What bench/ml.ts calls in the page. Times: `ms` as the worker measured it, `roundTripMs` from the page. */
export interface MlBench {
  /** Fetch a matrix (once) and start nothing else. */
  load(name: string, rows: number, cols: number): Promise<void>;
  kmeans(name: string, opts: { k: number; seed: number; restarts: number; pool?: boolean }): Promise<{ ms: number; roundTripMs: number; inertia: number; iterations: number; engine: string; poolSize: number }>;
  /** The ML worker's k scan (what the screen's "Find k" runs; its preprocessing re-standardises the matrix). */
  scan(name: string, opts: { kMin: number; kMax: number; seed: number }): Promise<{ roundTripMs: number; k: number; silhouettes: number[] }>;
  step(step: StepName, name: string, opts: StepOptions & { withLabels?: boolean }): Promise<{ ms: number; roundTripMs: number; summary: Record<string, number> }>;
}

const worker = new Worker(new URL('../../workers/ml.worker.ts', import.meta.url), { type: 'module', name: 'ml' });
const api = Comlink.wrap<MlWorkerApi>(worker);
const matrices = new Map<string, { data: Float64Array; labels: Int32Array; rows: number; cols: number }>();

function matrix(name: string) {
  const m = matrices.get(name);
  if (!m) throw new Error(`Matrix ${name} is not loaded.`);
  return m;
}

const bench: MlBench = {
  async load(name, rows, cols) {
    if (matrices.has(name)) return;
    const [d, l] = await Promise.all([fetch(`data/${name}.f64`), fetch(`data/${name}.i32`)]);
    if (!d.ok || !l.ok) throw new Error(`data/${name}: HTTP ${d.status} / ${l.status}`);
    const data = new Float64Array(await d.arrayBuffer());
    const labels = new Int32Array(await l.arrayBuffer());
    if (data.length !== rows * cols || labels.length !== rows) throw new Error(`data/${name}: ${data.length} values and ${labels.length} labels, expected ${rows} × ${cols}.`);
    matrices.set(name, { data, labels, rows, cols });
  },
  async kmeans(name, opts) {
    const m = matrix(name);
    const copy = m.data.slice();
    const t0 = performance.now();
    const r = await api.kmeans(Comlink.transfer(copy, [copy.buffer]), m.rows, m.cols, opts);
    return { ...r, roundTripMs: performance.now() - t0 };
  },
  async scan(name, opts) {
    const m = matrix(name);
    const columns: FeatureColumn[] = Array.from({ length: m.cols }, (_, j) => ({ name: `f${j}`, field: `f${j}`, encoding: 'value', skewed: false }));
    const copy = m.data.slice();
    const t0 = performance.now();
    const r = await api.scan(Comlink.transfer(copy, [copy.buffer]), m.rows, m.cols, columns, opts, Comlink.proxy(() => undefined));
    return { roundTripMs: performance.now() - t0, k: r.k, silhouettes: r.scores.map((s) => s.silhouette) };
  },
  async step(step, name, opts) {
    const m = matrix(name);
    const { withLabels, ...rest } = opts;
    const copy = m.data.slice();
    const labels = withLabels ? m.labels.slice() : undefined;
    const transfers: Transferable[] = labels ? [copy.buffer, labels.buffer] : [copy.buffer];
    const t0 = performance.now();
    const r = await api.benchStep(step, Comlink.transfer(copy, transfers), m.rows, m.cols, { ...rest, labels });
    return { ...r, roundTripMs: performance.now() - t0 };
  },
};

(globalThis as unknown as { mlBench: MlBench }).mlBench = bench;

/** The prediction worker as the Predictions screen starts it, on predictData(n, seed) made in this page. */
export interface PredictBench {
  run(n: number, seed: number): Promise<{ roundTripMs: number; ms: { churn: number; value: number; clv: number }; auc: number; r2: number; errors: string[] }>;
}
const predictWorker = new Worker(new URL('../../workers/predict.worker.ts', import.meta.url), { type: 'module', name: 'predict' });
const predictApi = Comlink.wrap<PredictWorkerApi>(predictWorker);
(globalThis as unknown as { predictBench: PredictBench }).predictBench = {
  async run(n, seed) {
    const d = predictData(n, seed);
    const t0 = performance.now();
    const out = await predictApi.run(d, { seed, threshold: 0.5, months: 12, discount: 0.01, horizon: 90 }, Comlink.proxy(() => undefined));
    return {
      roundTripMs: performance.now() - t0, ms: out.ms, auc: out.churn?.forest.auc ?? NaN, r2: out.value?.model.r2 ?? NaN,
      errors: [out.churnError, out.valueError, out.clvError].filter((e): e is string => !!e),
    };
  },
};
document.getElementById('status')!.textContent = 'ready';
