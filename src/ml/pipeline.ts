// One clustering run, end to end on typed arrays (what the ML worker runs): preprocess the feature matrix, cluster
// it, then everything the Clusters screen shows — quality scores, sizes, the clusters' mean z-scores, a 2-D PCA of a
// sample, feature importance and human-readable names. Pure: Node tests run exactly what the worker runs.
//
// Sampling rules (stated on screen): silhouette on at most 10,000 rows (sklearn's sample_size); the PCA scatter
// and the importance forest on at most 20,000 seeded rows (the forest trains on 70 % of them and permutation
// importance uses the other 30 %); agglomerative builds its hierarchy on at most `sampleSize` rows (default 5,000)
// and assigns the rest to the nearest cluster centre. Mutual information uses every row. DBSCAN's noise (-1) is its
// own "Noise" segment and stays out of the quality scores.
import { clusterMeans } from './centroid-model.ts';
import type { Matrix } from './matrix.ts';
import { takeRows } from './matrix.ts';
import { Prng, sampleIndexes } from './random.ts';
import { preprocess, type PreprocessOptions, type Preprocessed } from './preprocess.ts';
import type { FeatureColumn } from './features.ts';
import { kmeans, kmeansPooled, miniBatchKmeans, ML_KMEANS_MAX_ROWS, type ChunkPool } from './kmeans.ts';
import { gmm, type CovarianceType } from './gmm.ts';
import { agglomerative, type Linkage } from './agglomerative.ts';
import { dbscan } from './dbscan.ts';
import { calinskiHarabasz, daviesBouldin, silhouette, SILHOUETTE_SAMPLE } from './metrics.ts';
import { pca } from './pca.ts';
import { permutationImportance, trainForest } from './forest.ts';
import { mutualInfo } from './mutual-info.ts';
import { combineImportance } from './importance.ts';
import { clusterNames, clusterZScores, type NamedFeature } from './names.ts';
import { clusterDistributions, type FeatureDistribution } from './distributions.ts';

/** Rows the PCA scatter and the importance forest use at most. */
export const ANALYSIS_SAMPLE = 20_000;

export type Algorithm = 'kmeans' | 'gmm' | 'agglomerative' | 'dbscan';

/** What to run. */
export interface ClusterSpec {
  algorithm: Algorithm;
  /** Clusters (not used by DBSCAN). */
  k: number;
  seed: number;
  /** k-means restarts (n_init) and GMM restarts. */
  restarts?: number;
  /** k-means: mini-batch instead of full Lloyd (for 1M+ users). */
  miniBatch?: boolean;
  covariance?: CovarianceType;
  linkage?: Linkage;
  sampleSize?: number;
  eps?: number;
  minPts?: number;
  preprocessing?: PreprocessOptions;
}

/** Everything the screen shows about a run. */
export interface ClusterRun {
  spec: ClusterSpec;
  /** One label per user in matrix order (user_id order); -1 = noise (DBSCAN). */
  labels: Int32Array;
  /** Clusters (noise not counted). */
  k: number;
  sizes: number[];
  noise: number;
  preprocessing: Pick<Preprocessed, 'transforms' | 'dropped'>;
  /** The kept features, in matrix order. */
  features: string[];
  quality: { silhouette: number; calinskiHarabasz: number; daviesBouldin: number; inertia: number | null; bic: number | null; silhouetteSample: number };
  /** k × d mean z-score of each feature per cluster. */
  zscores: Matrix;
  /** k × d mean preprocessed row per cluster (noise out): the centres a saved clustering keeps (centroid-model.ts). */
  centres: Matrix;
  /** Each column as read (before transforms: orders, money, days) per cluster, then noise: five numbers. */
  distributions: { features: string[]; byFeature: FeatureDistribution[] };
  pca: { x: Float32Array; y: Float32Array; labels: Int32Array; ratio: [number, number] };
  /** Per feature (in `features` order): combined score and its parts. */
  importance: { score: Float64Array; impurity: Float64Array | null; permutation: Float64Array | null; mutualInfo: Float64Array | null };
  names: string[];
  /** Sentences about sampling, for the screen ("The hierarchy was built on 5,000 sampled users …"). */
  notes: string[];
}

/** Progress: a step name and a fraction of the whole run. */
export type RunProgress = (step: string, fraction: number) => void;

/** Words and kinds for the names, by feature column name (user metrics the defaults use). */
const NAMED: Readonly<Record<string, Omit<NamedFeature, 'name'>>> = {
  revenue: { word: 'spenders', kind: 'money' },
  aov: { word: 'basket buyers', kind: 'money' },
  orders: { word: 'buyers', kind: 'count' },
  sessions: { word: 'visitors', kind: 'frequency' },
  events: { word: 'users', kind: 'frequency' },
  views: { word: 'browsers', kind: 'frequency' },
  days_since_last_purchase: { word: 'customers', kind: 'recency' },
  days_since_last_visit: { word: 'visitors', kind: 'recency' },
  engagement_score_value: { word: 'users', kind: 'frequency' },
};
/** Display names for 'other' features ("low-tenure" rather than "low-lifetime days"). */
const OTHER_NAMES: Readonly<Record<string, string>> = { lifetime_days: 'tenure', avg_session_minutes: 'session-length' };

/** The name words of a feature column (an unknown column is 'other', named by itself). */
export function namedFeature(name: string): NamedFeature {
  const w = NAMED[name];
  return w ? { name, ...w } : { name: OTHER_NAMES[name] ?? name.replace(/_/g, ' '), word: 'users', kind: 'other' };
}

/** Cluster the preprocessed matrix by `spec`. */
function cluster(x: Matrix, spec: ClusterSpec, progress: RunProgress): { labels: Int32Array; inertia: number | null; bic: number | null; notes: string[] } {
  const notes: string[] = [];
  switch (spec.algorithm) {
    case 'kmeans': {
      if (spec.miniBatch) {
        const r = miniBatchKmeans(x, { k: spec.k, seed: spec.seed });
        notes.push('Mini-batch k-means (batches of 1,024 users).');
        return { labels: r.labels, inertia: r.inertia, bic: null, notes };
      }
      const restarts = spec.restarts ?? 4;
      const r = kmeans(x, { k: spec.k, seed: spec.seed, restarts, onProgress: (p) => progress('Clustering', 0.1 + 0.4 * ((p.restart + 1) / p.restarts)) });
      return { labels: r.labels, inertia: r.inertia, bic: null, notes };
    }
    case 'gmm': {
      const r = gmm(x, { k: spec.k, seed: spec.seed, covariance: spec.covariance ?? 'diag', nInit: spec.restarts ?? 1 });
      if (!r.converged) notes.push(`EM stopped after ${r.iterations} iterations without converging.`);
      return { labels: r.labels, inertia: null, bic: r.bic, notes };
    }
    case 'agglomerative': {
      const r = agglomerative(x, { k: spec.k, linkage: spec.linkage ?? 'ward', sampleSize: spec.sampleSize, seed: spec.seed });
      if (r.sampled) notes.push(`The hierarchy was built on ${r.sampleSize.toLocaleString('en-US')} sampled users; the other ${(x.rows - r.sampleSize).toLocaleString('en-US')} joined the nearest cluster centre.`);
      return { labels: r.labels, inertia: null, bic: null, notes };
    }
    case 'dbscan': {
      if (!(spec.eps && spec.eps > 0)) throw new Error('DBSCAN needs a neighbourhood radius (eps) above 0: use the k-distance plot to choose one.');
      const r = dbscan(x, { eps: spec.eps, minPts: spec.minPts ?? 5 });
      notes.push(`${r.noise.toLocaleString('en-US')} users are noise (in no dense region).`);
      return { labels: r.labels, inertia: null, bic: null, notes };
    }
  }
}

/** Preprocess `raw` for `spec` and check k against the users. */
function prepare(raw: Matrix, columns: readonly FeatureColumn[], spec: ClusterSpec, progress: RunProgress): Preprocessed {
  progress('Preparing features', 0);
  const pre = preprocess(raw, columns, spec.preprocessing);
  if (spec.algorithm !== 'dbscan' && spec.k > pre.x.rows) throw new Error(`k (${spec.k}) is larger than the number of users (${pre.x.rows}).`);
  progress('Clustering', 0.1);
  return pre;
}

/** Run everything; `raw` is the feature matrix as read (NaN = missing) with its column descriptions. */
export function runClustering(raw: Matrix, columns: readonly FeatureColumn[], spec: ClusterSpec, progress: RunProgress = () => undefined): ClusterRun {
  const pre = prepare(raw, columns, spec, progress);
  return describeRun(raw, columns, spec, pre, cluster(pre.x, spec, progress), progress);
}

/** Whether `spec` on `rows` users runs its Lloyd passes on a worker pool (full k-means above ML_KMEANS_MAX_ROWS). */
export function usesPool(spec: ClusterSpec, rows: number, from = ML_KMEANS_MAX_ROWS): boolean {
  return spec.algorithm === 'kmeans' && !spec.miniBatch && rows > from;
}

/**
 * runClustering with k-means' Lloyd passes on `pool(x)` when `usesPool` says so (the browser's worker pool): the
 * same labels as runClustering, which runs the typed engine at those sizes (tests/ml-kmeans.test.ts).
 */
export async function runClusteringPooled(
  raw: Matrix, columns: readonly FeatureColumn[], spec: ClusterSpec, progress: RunProgress, pool: (x: Matrix) => Promise<ChunkPool>,
  options: { poolFrom?: number } = {},
): Promise<ClusterRun> {
  const pre = prepare(raw, columns, spec, progress);
  if (!usesPool(spec, pre.x.rows, options.poolFrom)) return describeRun(raw, columns, spec, pre, cluster(pre.x, spec, progress), progress);
  const restarts = spec.restarts ?? 4;
  const r = await kmeansPooled(pre.x, {
    k: spec.k, seed: spec.seed, restarts, onProgress: (p) => progress('Clustering', 0.1 + 0.4 * ((p.restart + 1) / p.restarts)),
  }, await pool(pre.x));
  const notes = [`The assignment passes ran on a pool of workers (${r.iterations} iterations in the best of ${restarts} starts).`];
  return describeRun(raw, columns, spec, pre, { labels: r.labels, inertia: r.inertia, bic: null, notes }, progress);
}

/** Everything after the clustering itself: sizes, quality, z-scores, distributions, PCA, importance, names. */
function describeRun(
  raw: Matrix, columns: readonly FeatureColumn[], spec: ClusterSpec, pre: Preprocessed,
  c: { labels: Int32Array; inertia: number | null; bic: number | null; notes: string[] }, progress: RunProgress,
): ClusterRun {
  const x = pre.x;
  const features = pre.transforms.map((t) => t.name);
  const labels = c.labels;
  let k = 0;
  for (const l of labels) if (l + 1 > k) k = l + 1;
  const sizes = new Array<number>(k).fill(0);
  let noise = 0;
  for (const l of labels) if (l < 0) noise++; else sizes[l]++;

  progress('Scoring', 0.55);
  // Quality over clustered rows only (noise out), and only when there are at least two clusters.
  const kept: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) kept.push(i);
  const xs = noise ? takeRows(x, kept) : x;
  const ls = noise ? Int32Array.from(kept, (i) => labels[i]) : labels;
  const scored = k >= 2 && xs.rows > k;
  const silhouetteSample = Math.min(xs.rows, SILHOUETTE_SAMPLE);
  const quality = {
    silhouette: scored ? silhouette(xs, ls, { sampleSize: SILHOUETTE_SAMPLE, seed: spec.seed }) : NaN,
    calinskiHarabasz: scored ? calinskiHarabasz(xs, ls) : NaN,
    daviesBouldin: scored ? daviesBouldin(xs, ls) : NaN,
    inertia: c.inertia,
    bic: c.bic,
    silhouetteSample,
  };

  progress('Profiling clusters', 0.65);
  const zscores = clusterZScores(x, labels, k);
  const centres = clusterMeans(x, labels, k);
  const names = clusterNames(features.map((f) => namedFeature(pre.transforms.find((t) => t.name === f)!.name)), zscores);
  const distributions = { features: columns.map((c) => c.name), byFeature: clusterDistributions(raw, labels, k) };

  // PCA and the forest on one seeded sample.
  const rng = new Prng(spec.seed + 7);
  const sample = x.rows > ANALYSIS_SAMPLE ? Array.from(sampleIndexes(rng, x.rows, ANALYSIS_SAMPLE)).sort((a, b) => a - b) : null;
  const xSample = sample ? takeRows(x, sample) : x;
  const lSample = sample ? Int32Array.from(sample, (i) => labels[i]) : labels;
  const notes = [...c.notes];
  if (sample) notes.push(`The scatter and the importance forest use ${ANALYSIS_SAMPLE.toLocaleString('en-US')} sampled users.`);
  if (xs.rows > SILHOUETTE_SAMPLE) notes.push(`The silhouette is computed on ${SILHOUETTE_SAMPLE.toLocaleString('en-US')} sampled users.`);

  progress('PCA', 0.7);
  const p = pca(xSample, { components: 2 });
  const proj = p.project(xSample);
  const px = new Float32Array(proj.rows);
  const py = new Float32Array(proj.rows);
  for (let i = 0; i < proj.rows; i++) {
    px[i] = proj.data[i * proj.cols];
    py[i] = proj.cols > 1 ? proj.data[i * proj.cols + 1] : 0;
  }
  const ratio: [number, number] = [p.explainedVarianceRatio[0] ?? 0, p.explainedVarianceRatio[1] ?? 0];

  progress('Feature importance', 0.8);
  let impurity: Float64Array | null = null;
  let permutation: Float64Array | null = null;
  const mi = k >= 2 ? mutualInfo(x, labels) : null;
  if (k >= 2 && xSample.rows >= 20) {
    const order = sampleIndexes(new Prng(spec.seed + 11), xSample.rows, xSample.rows);
    const cut = Math.floor(order.length * 0.7);
    const trainIdx = order.subarray(0, cut);
    const testIdx = order.subarray(cut);
    const forest = trainForest(takeRows(xSample, trainIdx), Int32Array.from(trainIdx, (i) => lSample[i]), {
      trees: 50, seed: spec.seed, onProgress: (done, total) => progress('Feature importance', 0.8 + 0.15 * (done / total)),
    });
    impurity = forest.impurityImportance;
    permutation = permutationImportance(forest, takeRows(xSample, testIdx), Int32Array.from(testIdx, (i) => lSample[i]), { seed: spec.seed }).mean;
  }
  const combined = combineImportance({ impurity: impurity ?? undefined, permutation: permutation ?? undefined, mutualInfo: mi ?? undefined });
  progress('Done', 1);
  return {
    spec, labels, k, sizes, noise,
    preprocessing: { transforms: pre.transforms, dropped: pre.dropped },
    features, quality, zscores, centres, distributions,
    pca: { x: px, y: py, labels: lSample, ratio },
    importance: { score: combined.score, impurity, permutation, mutualInfo: mi },
    names, notes,
  };
}
