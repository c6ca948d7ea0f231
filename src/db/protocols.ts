// The worker protocols: what each worker in workers/ answers through Comlink. The workers implement these types
// (`const api: DbWorkerApi = …`) and the page wraps them (`Comlink.wrap<DbWorkerApi>(worker)`), so no layer of
// src/ imports a worker file, and a worker that drifts from its protocol fails the type check.
// Plain (non-Promise) results arrive as promises through Comlink's Remote<T>.
import type { SqlValue } from '../sql/quote.ts';
import type { InsertOptions } from './types.ts';
import type { EngineInfo, EngineOptions } from './wasm-engine.ts';
import type { ConvertChunk, ConvertOptions, ConvertResult } from '../data/import/convert/index.ts';
import type { GenParams } from '../data/generator/params.ts';
import type { GenProgress } from '../data/generator/generate.ts';
import type { LiveCounters, LiveSettings, TickRows } from '../data/live/sim.ts';
import type { ClusterRun, ClusterSpec } from '../ml/pipeline.ts';
import type { ChunkSums } from '../ml/kmeans.ts';
import type { PlusPlusAnswer, PlusPlusRequest } from '../ml/plusplus.ts';
import type { KScore } from '../ml/choose-k.ts';
import type { FeatureColumn } from '../ml/features.ts';
import type { PreprocessOptions } from '../ml/preprocess.ts';
import type { CovarianceType } from '../ml/gmm.ts';
import type { ChurnResult, ClvResult, Features, ValueResult } from '../ml/predict.ts';

/** workers/db.worker.ts: DuckDB-WASM; results leave as Arrow IPC bytes (transferred). */
export interface DbWorkerApi {
  init(opts: EngineOptions): Promise<EngineInfo>;
  /** Answered at once even while a long statement runs: the liveness check. */
  ping(): string | null;
  connect(): Promise<number>;
  disconnect(conn: number): Promise<void>;
  query(sql: string, params?: SqlValue[], conn?: number): Promise<Uint8Array>;
  queryOne(sql: string, params?: SqlValue[]): Promise<Uint8Array>;
  exec(sql: string, conn?: number): Promise<void>;
  cancel(conn: number): void;
  insertArrow(table: string, ipc: Uint8Array, opts?: InsertOptions, conn?: number): Promise<void>;
  registerFile(name: string, file: File): Promise<void>;
  dropFile(name: string): Promise<void>;
}

/** workers/reader.worker.ts: the threaded build over a read-only snapshot of the stored file (src/db/reader.ts). */
export interface ReaderWorkerApi {
  /** Start the threaded build with `threads` threads. */
  init(threads: number): Promise<EngineInfo>;
  ping(): string | null;
  /**
   * Attach the file's bytes (transferred) read-only as `catalog`, `schema` current; detach `previous`; then read
   * the schema's tables once (warm). Resolves with the warming's milliseconds. A try that fails leaves no snapshot
   * attached, the previous one included (src/db/snapshot-attach.ts).
   */
  attach(name: string, bytes: Uint8Array, catalog: string, schema: string, previous: string | null): Promise<number>;
  /** Detach the snapshot `name` attached as `catalog` and free its bytes. */
  detach(catalog: string, name: string): Promise<void>;
  query(sql: string, params?: SqlValue[]): Promise<Uint8Array>;
}

/** Where converted chunks go: the main thread stores each in DuckDB before the next is sent. */
export interface RemoteConvertSink {
  chunk(c: ConvertChunk): Promise<void>;
  progress(done: number, total: number): void;
}

/** workers/convert.worker.ts: CSV / JSON / Parquet / Excel files into Arrow chunks. */
export interface ConvertWorkerApi {
  /** Convert one file (read lazily from the File) into chunks sent to `sink`. */
  convert(file: File, opts: ConvertOptions, sink: RemoteConvertSink): Promise<ConvertResult>;
}

/** Where generated tables go: the main thread forwards them to the database worker. */
export interface RemoteSink {
  table(name: string, ipc: Uint8Array, append: boolean): Promise<void>;
  progress(p: GenProgress): void;
}

/** workers/gen.worker.ts: the synthetic shop. */
export interface GenWorkerApi {
  /** Generate; returns the event count and the SQL that turns the staging tables into the shop's tables. */
  generate(params: GenParams, sink: RemoteSink): Promise<{ events: number; finalizeSql: string }>;
}

/** workers/live.worker.ts: the live shop's simulator. */
export interface LiveWorkerApi {
  /** Prepare the simulator for a shop (replaces any earlier one). */
  init(params: GenParams, settings: LiveSettings): void;
  /** The next tick after `counters`. */
  tick(counters: LiveCounters): TickRows;
}

/** workers/kmeans-chunk.worker.ts: one worker of the k-means pool, holding a contiguous chunk of the rows. */
export interface KmeansChunkApi {
  /** Take rows [start, start + rows) of the matrix (transferred). */
  load(data: Float64Array, rows: number, cols: number, start: number): void;
  /** One k-means++ request for this chunk's blocks (a 'seed' starts a new seeding). */
  plusPlus(req: PlusPlusRequest): PlusPlusAnswer;
  /** One pass with these centres (k × cols); the chunk's labels are kept for the next pass. */
  pass(centres: Float64Array, k: number): ChunkSums;
  /** The labels of the last pass. */
  labels(): Int32Array;
}

/** The benchmark's single-module steps (workers/ml.worker.ts benchStep). */
export type BenchStepName = 'gmm' | 'agglomerative' | 'dbscan' | 'pca' | 'forest' | 'silhouette';
export interface BenchStepOptions { k?: number; seed?: number; covariance?: CovarianceType; restarts?: number; sampleSize?: number; eps?: number; minPts?: number; trees?: number; labels?: Int32Array }

/** workers/ml.worker.ts: clustering and its helpers. */
export interface MlWorkerApi {
  /** One clustering run on the raw feature matrix (rows × cols, NaN = missing). */
  run(data: Float64Array, rows: number, cols: number, columns: FeatureColumn[], spec: ClusterSpec, progress: (step: string, fraction: number) => void): Promise<ClusterRun>;
  /** k-means alone on an already scaled matrix (the benchmark's call). */
  kmeans(data: Float64Array, rows: number, cols: number, opts: { k: number; seed: number; restarts: number; pool?: boolean }): Promise<{ inertia: number; iterations: number; engine: string; ms: number; poolSize: number }>;
  /** k-means for k = kMin..kMax with inertia, silhouette, CH and DB, and the recommended k. */
  scan(data: Float64Array, rows: number, cols: number, columns: FeatureColumn[], opts: { kMin: number; kMax: number; seed: number; preprocessing?: PreprocessOptions }, progress: (done: number, of: number, phase: 'k-means' | 'silhouettes') => void): { scores: KScore[]; k: number; why: string };
  /** The sorted k-distance curve (DBSCAN's eps) and its knee. */
  kDistance(data: Float64Array, rows: number, cols: number, columns: FeatureColumn[], k: number, seed: number, preprocessing?: PreprocessOptions): { distances: Float64Array; suggestedEps: number };
  /** The benchmark's call: one pure src/ml module, timed in the worker. The screen never calls this. */
  benchStep(name: BenchStepName, data: Float64Array, rows: number, cols: number, opts: BenchStepOptions): { ms: number; summary: Record<string, number> };
}

/** What the prediction worker trains on (src/analyses/predict/input.ts reads it from the database). */
export interface PredictWorkerInput {
  labelled: Features;
  churned: Int32Array;
  futureRevenue: Float64Array;
  priorRevenue: Float64Array;
  current: Features;
  clv: { x: Float64Array; tx: Float64Array; T: Float64Array; m: Float64Array };
}

export interface PredictSettings { seed: number; threshold: number; months: number; discount: number; horizon: number }

/** Each model's result or its error (one failing leaves the others shown), and the time each took. */
export interface PredictOutput {
  churn: ChurnResult | null;
  churnError: string | null;
  value: ValueResult | null;
  valueError: string | null;
  clv: ClvResult | null;
  clvError: string | null;
  ms: { churn: number; value: number; clv: number };
}

/** workers/predict.worker.ts: churn, value and probabilistic CLV. */
export interface PredictWorkerApi {
  run(input: PredictWorkerInput, s: PredictSettings, progress: (step: string, fraction: number) => void): PredictOutput;
  /** P(churn) and predicted value of typed feature rows (CHURN_FEATURES order) by the last run's models. */
  score(rows: Features): { churn: Float64Array; value: Float64Array };
}
