// The ML worker: a thin Comlink shell over src/ml. The feature matrix arrives transferred (one Float64Array), the
// run happens here, and the labels and figures go back transferred; progress goes through a proxied callback.
// Cancel = the page terminates this worker (it takes effect at once, whatever the algorithm is doing).
import * as Comlink from 'comlink';
import { runClustering, type ClusterRun, type ClusterSpec } from '../src/ml/pipeline.ts';
import { scanK, recommendK, type KScore } from '../src/ml/choose-k.ts';
import { preprocess } from '../src/ml/preprocess.ts';
import { kDistance } from '../src/ml/dbscan.ts';
import type { FeatureColumn } from '../src/ml/features.ts';
import type { PreprocessOptions } from '../src/ml/preprocess.ts';

const api = {
  /** One clustering run on the raw feature matrix (rows × cols, NaN = missing). */
  run(data: Float64Array, rows: number, cols: number, columns: FeatureColumn[], spec: ClusterSpec, progress: (step: string, fraction: number) => void): ClusterRun {
    const r = runClustering({ data, rows, cols }, columns, spec, progress);
    // A buffer may appear twice (without sampling the scatter's labels are the run's labels): transfer each once.
    const buffers = new Set<ArrayBufferLike>([r.labels.buffer, r.zscores.data.buffer, r.pca.x.buffer, r.pca.y.buffer, r.pca.labels.buffer]);
    return Comlink.transfer(r, [...buffers] as Transferable[]);
  },

  /** k-means for k = kMin..kMax with inertia, silhouette, CH and DB, and the recommended k. */
  scan(data: Float64Array, rows: number, cols: number, columns: FeatureColumn[], opts: { kMin: number; kMax: number; seed: number; preprocessing?: PreprocessOptions }, progress: (k: number, of: number) => void): { scores: KScore[]; k: number; why: string } {
    const x = preprocess({ data, rows, cols }, columns, opts.preprocessing).x;
    const method = rows > 200_000 ? 'mini-batch' as const : 'full' as const;
    const scores = scanK(x, { kMin: opts.kMin, kMax: opts.kMax, seed: opts.seed, restarts: 2, method, onProgress: (done, total) => progress(done, total) });
    const rec = recommendK(scores);
    return { scores, k: rec.k, why: rec.why };
  },

  /** The sorted k-distance curve (DBSCAN's eps) and its knee. */
  kDistance(data: Float64Array, rows: number, cols: number, columns: FeatureColumn[], k: number, seed: number, preprocessing?: PreprocessOptions): { distances: Float64Array; suggestedEps: number } {
    const x = preprocess({ data, rows, cols }, columns, preprocessing).x;
    const r = kDistance(x, k, { seed });
    return { distances: r.distances, suggestedEps: r.suggestedEps };
  },
};

/** The worker's API as seen through Comlink. */
export type MlWorkerApi = typeof api;

Comlink.expose(api);
