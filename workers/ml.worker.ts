// The ML worker: a thin Comlink shell over src/ml. The feature matrix arrives transferred (one Float64Array), the
// run happens here, and the labels and figures go back transferred; progress goes through a proxied callback.
// Cancel = the page terminates this worker (it takes effect at once, whatever the algorithm is doing).
import * as Comlink from 'comlink';
import { runClusteringPooled, type ClusterRun, type ClusterSpec } from '../src/ml/pipeline.ts';
import { PP_BLOCK } from '../src/ml/plusplus.ts';
import { askChunks, chunkBounds, kmeans, kmeansPooled, ML_KMEANS_MAX_ROWS, type ChunkPool, type ChunkSums } from '../src/ml/kmeans.ts';
import type { Matrix } from '../src/ml/matrix.ts';
import type { BenchStepName, BenchStepOptions, KmeansChunkApi, MlWorkerApi } from '../src/db/protocols.ts';
import { scanK, recommendK, type KScore } from '../src/ml/choose-k.ts';
import { preprocess } from '../src/ml/preprocess.ts';
import { kDistance } from '../src/ml/dbscan.ts';
import type { FeatureColumn } from '../src/ml/features.ts';
import type { PreprocessOptions } from '../src/ml/preprocess.ts';
import { gmm } from '../src/ml/gmm.ts';
import { agglomerative } from '../src/ml/agglomerative.ts';
import { dbscan } from '../src/ml/dbscan.ts';
import { pca } from '../src/ml/pca.ts';
import { trainForest } from '../src/ml/forest.ts';
import { silhouette } from '../src/ml/metrics.ts';

/** Workers in the k-means pool: one per core, 2 to 4. */
const POOL_SIZE = Math.max(2, Math.min(4, navigator.hardwareConcurrency || 2));

/**
 * A pool of chunk workers over the rows of `x` (each gets a copy of its contiguous rows, transferred): k-means'
 * assignment passes run on all of them at once. They end with `close` (or with this worker, on Cancel).
 */
async function startPool(x: Matrix, size = POOL_SIZE): Promise<ChunkPool & { close(): void }> {
  const bounds = chunkBounds(x.rows, size);
  const workers: Worker[] = [];
  const remotes: Comlink.Remote<KmeansChunkApi>[] = [];
  for (let c = 0; c + 1 < bounds.length; c++) {
    const w = new Worker(new URL('./kmeans-chunk.worker.ts', import.meta.url), { type: 'module', name: 'kmeans-pool' });
    workers.push(w);
    const remote = Comlink.wrap<KmeansChunkApi>(w);
    remotes.push(remote);
    const part = x.data.slice(bounds[c] * x.cols, bounds[c + 1] * x.cols);
    await remote.load(Comlink.transfer(part, [part.buffer]), bounds[c + 1] - bounds[c], x.cols, bounds[c]);
  }
  return {
    pass: (centres) => Promise.all(remotes.map((r) => r.pass(centres.data.slice(), centres.rows))) as Promise<ChunkSums[]>,
    async labels() {
      const out = new Int32Array(x.rows);
      const parts = await Promise.all(remotes.map((r) => r.labels()));
      parts.forEach((p, c) => out.set(p, bounds[c]));
      return out;
    },
    plusPlus: (req) => askChunks(req, bounds.slice(0, -1).map((b) => b / PP_BLOCK), (c, r) => remotes[c].plusPlus(r)),
    close: () => workers.forEach((w) => w.terminate()),
  };
}

const api: MlWorkerApi = {
  /** One clustering run on the raw feature matrix (rows × cols, NaN = missing); large k-means runs on the pool. */
  async run(data: Float64Array, rows: number, cols: number, columns: FeatureColumn[], spec: ClusterSpec, progress: (step: string, fraction: number) => void): Promise<ClusterRun> {
    let pool: (ChunkPool & { close(): void }) | null = null;
    let r: ClusterRun;
    try {
      r = await runClusteringPooled({ data, rows, cols }, columns, spec, progress, async (x) => (pool = await startPool(x)));
    } finally {
      (pool as (ChunkPool & { close(): void }) | null)?.close();
    }
    // A buffer may appear twice (without sampling the scatter's labels are the run's labels): transfer each once.
    const buffers = new Set<ArrayBufferLike>([r.labels.buffer, r.zscores.data.buffer, r.centres.data.buffer, r.pca.x.buffer, r.pca.y.buffer, r.pca.labels.buffer]);
    return Comlink.transfer(r, [...buffers] as Transferable[]);
  },

  /**
   * k-means alone on an already scaled matrix (the benchmark's call): on the pool above ML_KMEANS_MAX_ROWS rows
   * (or when `pool` says so), else the single-thread engines. Returns the inertia, iterations, engine and the time
   * spent in this worker.
   */
  async kmeans(data: Float64Array, rows: number, cols: number, opts: { k: number; seed: number; restarts: number; pool?: boolean }): Promise<{ inertia: number; iterations: number; engine: string; ms: number; poolSize: number }> {
    const t0 = performance.now();
    const x = { data, rows, cols };
    const pooled = opts.pool ?? rows > ML_KMEANS_MAX_ROWS;
    if (!pooled) {
      const r = kmeans(x, { k: opts.k, seed: opts.seed, restarts: opts.restarts });
      return { inertia: r.inertia, iterations: r.iterations, engine: r.engine, ms: performance.now() - t0, poolSize: 1 };
    }
    const pool = await startPool(x);
    try {
      const r = await kmeansPooled(x, { k: opts.k, seed: opts.seed, restarts: opts.restarts }, pool);
      return { inertia: r.inertia, iterations: r.iterations, engine: r.engine, ms: performance.now() - t0, poolSize: POOL_SIZE };
    } finally {
      pool.close();
    }
  },

  /** k-means for k = kMin..kMax with inertia, silhouette, CH and DB, and the recommended k. */
  scan(data: Float64Array, rows: number, cols: number, columns: FeatureColumn[], opts: { kMin: number; kMax: number; seed: number; preprocessing?: PreprocessOptions }, progress: (done: number, of: number, phase: 'k-means' | 'silhouettes') => void): { scores: KScore[]; k: number; why: string } {
    const x = preprocess({ data, rows, cols }, columns, opts.preprocessing).x;
    const method = rows > 200_000 ? 'mini-batch' as const : 'full' as const;
    const scores = scanK(x, { kMin: opts.kMin, kMax: opts.kMax, seed: opts.seed, restarts: 2, method, onProgress: (done, total, phase) => progress(done, total, phase) });
    const rec = recommendK(scores);
    return { scores, k: rec.k, why: rec.why };
  },

  /** The sorted k-distance curve (DBSCAN's eps) and its knee. */
  kDistance(data: Float64Array, rows: number, cols: number, columns: FeatureColumn[], k: number, seed: number, preprocessing?: PreprocessOptions): { distances: Float64Array; suggestedEps: number } {
    const x = preprocess({ data, rows, cols }, columns, preprocessing).x;
    const r = kDistance(x, k, { seed });
    return { distances: r.distances, suggestedEps: r.suggestedEps };
  },
  /**
   * The benchmark's call (bench/ml.ts): one pure src/ml module on an already scaled matrix, timed in this worker.
   * `labels` (the known groups) feed the forest and the silhouette. Returns the ms and a few figures to compare
   * with scikit-learn's (clusters, iterations, ...). The screen never calls this.
   */
  benchStep(
    name: BenchStepName,
    data: Float64Array, rows: number, cols: number,
    opts: BenchStepOptions,
  ): { ms: number; summary: Record<string, number> } {
    const x = { data, rows, cols };
    const { k = 8, seed = 0 } = opts;
    const need = (): Int32Array => {
      if (!opts.labels || opts.labels.length !== rows) throw new Error(`benchStep ${name} needs one label per row.`);
      return opts.labels;
    };
    const t0 = performance.now();
    let summary: Record<string, number>;
    switch (name) {
      case 'gmm': {
        const r = gmm(x, { k, seed, covariance: opts.covariance ?? 'diag', nInit: opts.restarts ?? 1 });
        summary = { iterations: r.iterations, logLikelihood: r.logLikelihood, converged: r.converged ? 1 : 0 };
        break;
      }
      case 'agglomerative': {
        const r = agglomerative(x, { k, linkage: 'ward', sampleSize: opts.sampleSize, seed });
        summary = { sampleSize: r.sampleSize };
        break;
      }
      case 'dbscan': {
        const r = dbscan(x, { eps: opts.eps ?? 0.5, minPts: opts.minPts ?? 5 });
        summary = { clusters: r.clusters, noise: r.noise };
        break;
      }
      case 'pca': {
        const p = pca(x, { components: 2 });
        p.project(x);
        summary = { ratio0: p.explainedVarianceRatio[0] ?? 0, ratio1: p.explainedVarianceRatio[1] ?? 0 };
        break;
      }
      case 'forest': {
        const f = trainForest(x, need(), { trees: opts.trees ?? 100, seed });
        summary = { nodes: f.trees.reduce((s, t) => s + t.nodeCount, 0) };
        break;
      }
      case 'silhouette':
        summary = { silhouette: silhouette(x, need(), { sampleSize: opts.sampleSize, seed }) };
        break;
      default:
        throw new Error(`Unknown benchmark step ${String(name)}.`);
    }
    return { ms: performance.now() - t0, summary };
  },
};

Comlink.expose(api);
