// k-means clustering on a dense row-major Matrix (rows = users, cols = features), seeded and deterministic: the same
// input, options and seed give the same labels in Node and in every browser (one sfc32 stream, src/ml/random.ts;
// sums taken in row order; ties always go to the lowest index).
//
// Conventions (scikit-learn's KMeans, 1.5, unless said otherwise):
//  - Distances are squared Euclidean; inertia = Σ_i ‖x_i − c_{label_i}‖².
//  - Initial centres: greedy k-means++ (Arthur & Vassilvitskii 2007, as sklearn's `_kmeans_plusplus`): the first
//    centre is a uniformly drawn row; each next centre is the best of L = 2 + ⌊ln k⌋ candidates, each drawn with
//    probability D(x)² / Σ D² (D = distance to the nearest centre chosen so far; drawn by inverse CDF: the first row
//    whose running sum of D² exceeds u · Σ D², u ∈ [0, 1) from the stream); "best" = the candidate leaving the
//    smallest Σ D² (the first on ties). Every such sum is taken per block of 4,096 rows and the block totals added
//    in order (src/ml/plusplus.ts), so a worker pool draws bit-identical centres. When Σ D² = 0 (every row already
//    sits on a centre: k > distinct rows) the last row is taken, a duplicate centre. Minimum distances are kept in one Float64Array and updated
//    incrementally, so one centre costs (L + 1) passes over the rows.
//  - Lloyd: each iteration assigns every row to its nearest centre (lowest index on ties) and moves every centre
//    to the mean of its rows. Stop when the assignment and the centres did not change (strict convergence) or when
//    the total squared centre shift Σ_k ‖c_k' − c_k‖² ≤ tol × (mean over features of the population variance)
//    (sklearn's relative `tol`, default 1e-4), or after maxIter (default 300) iterations. Unless strictly converged,
//    a last assignment pass makes labels and inertia match the returned centres (sklearn does the same).
//  - Empty clusters (sklearn's `_relocate_empty_clusters`): a centre left with no rows is moved onto the row
//    farthest from its assigned centre (largest distance first, lowest row index on ties; rows whose own cluster
//    would become empty are skipped), and that row's contribution moves with it. Each empty cluster, in index
//    order, takes the next such row. Only the k farthest rows are candidates (never more than k − 1 clusters can
//    be empty); if none qualifies the centre stays where it was.
//  - Chunked Lloyd for a worker pool: `assignAndSum(x, centres, start, end)` is one assignment pass over rows
//    [start, end) returning the k × d per-cluster sums, k counts, the inertia and the chunk's k farthest rows
//    (for empty clusters), so only O(k·d) numbers travel per worker; `combineSums` merges chunks in order and
//    makes the new centres. `lloyd` is exactly this with one chunk, so a pool gives the same labels (sums differ only
//    by floating-point association, ~1e-15 relative).
//  - Engines: `kmeans` runs `ml-kmeans` (its own Lloyd loop on number[][]) up to ML_KMEANS_MAX_ROWS = 200,000 rows,
//    started from OUR seeded k-means++ centres through its `initialization` option (its own k-means++ copies the
//    data into an ml-matrix, allocates a row array for every distance and draws from ml-random, not our stream);
//    above that the typed loop takes over, because ml-kmeans needs the matrix copied into n JS arrays: ≈ 240 bytes
//    of heap per row of 8 doubles (measured: 240 MB at 1M × 8, against the 64 MB Float64Array; ≈ 48 MB at 200K,
//    comfortable in any browser tab), it allocates new centre arrays and calls a distance function per row × centre
//    every iteration (≈ 1.5× the typed loop's time at 1M × 8 in Node), and it cannot be split across a worker pool
//    or report per-iteration progress. ml-kmeans stops when every centre moved at most `tolerance` (squared); it is
//    given tol_abs / k, at least as strict as the total-shift rule above. A final typed assignment pass gives its
//    labels and inertia; if it left a cluster empty (it keeps an empty cluster's old centre) the typed loop
//    continues from its centres and reseeds that cluster as above (the result still says engine 'ml-kmeans').
//  - `miniBatchKmeans`: sklearn's MiniBatchKMeans for 1M+ rows (see its doc comment).
// Input must be finite (`checkFinite`); k must be a whole number in [1, rows].
import { kmeans as mlKmeans } from 'ml-kmeans';
import type { Matrix } from './matrix.ts';
import { Prng } from './random.ts';
import { blockChunkBounds, plusPlusSteps, PlusPlusRows, type PlusPlusAnswer, type PlusPlusRequest } from './plusplus.ts';

export type Engine = 'ml-kmeans' | 'typed' | 'pooled';

/** `engine: 'auto'` uses ml-kmeans up to this many rows and the typed loop above (see the header for why). */
export const ML_KMEANS_MAX_ROWS = 200_000;

/** Throw a clear message when any value is NaN or ±Infinity (k-means needs finite numbers). */
export function checkFinite(x: Matrix, featureNames?: readonly string[]): void {
  const { data, cols } = x;
  for (let p = 0; p < data.length; p++) {
    const v = data[p];
    if (v - v !== 0) {
      const i = Math.floor(p / cols);
      const j = p - i * cols;
      const name = featureNames?.[j] !== undefined ? `feature "${featureNames[j]}"` : `feature ${j + 1}`;
      const what = Number.isNaN(v) ? 'missing (NaN)' : v > 0 ? 'Infinity' : '-Infinity';
      throw new RangeError(`User ${i + 1}, ${name} is ${what}: clustering needs finite numbers, so fill or drop missing and infinite values first.`);
    }
  }
}

/** Throw unless there is something to cluster and k is a whole number in [1, rows]. */
export function checkK(x: Matrix, k: number): void {
  if (x.rows < 1) throw new RangeError('There are no users to cluster.');
  if (x.cols < 1) throw new RangeError('There are no features to cluster on.');
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a whole number of at least 1, got ${k}.`);
  if (k > x.rows) throw new RangeError(`k (${k}) is larger than the number of users (${x.rows})`);
}

function checkCentres(x: Matrix, centres: Matrix): void {
  if (centres.cols !== x.cols) throw new RangeError(`The centres have ${centres.cols} features, the users ${x.cols}.`);
  if (centres.rows < 1) throw new RangeError('There are no centres.');
}

// ---------------------------------------------------------------------------------------------------------------
// k-means++

export interface PlusPlusOptions {
  /** Candidates per centre; default 2 + ⌊ln k⌋ (sklearn). 1 = classic (non-greedy) k-means++. */
  localTrials?: number;
}

/**
 * Seeded greedy k-means++ initial centres (k × d), drawn from `rng` (see the header for the exact rule), with the
 * sums taken per block of rows (src/ml/plusplus.ts) so that a worker pool draws exactly the same centres.
 */
export function kmeansPlusPlus(x: Matrix, k: number, rng: Prng, options: PlusPlusOptions = {}): Matrix {
  checkK(x, k);
  const d = x.cols;
  const trials = Math.max(1, options.localTrials ?? 2 + Math.floor(Math.log(k)));
  const rows = new PlusPlusRows(x);
  const gen = plusPlusSteps(x.rows, d, k, rng, (i) => x.data.slice(i * d, i * d + d), trials);
  let step = gen.next();
  while (!step.done) step = gen.next(rows.answer(step.value));
  return step.value;
}

// ---------------------------------------------------------------------------------------------------------------
// One assignment pass over a chunk of rows, and combining chunks into new centres

/** The chunk's rows farthest from their assigned centre (at most k), largest distance first, lowest index on ties. */
export interface FarRows {
  count: number;
  /** Global row indexes. */
  index: Int32Array;
  /** Squared distance to the assigned centre. */
  dist: Float64Array;
  /** The assigned centre. */
  label: Int32Array;
  /** The rows' values, count × d (so the combiner needs no access to x). */
  rows: Float64Array;
}

/** What one worker sends back for its chunk of rows: O(k·d) numbers. */
export interface ChunkSums {
  /** k × d sums of the rows assigned to each centre. */
  sums: Float64Array;
  /** Rows assigned to each centre. */
  counts: Float64Array;
  /** Σ squared distance of each row to its nearest centre. */
  inertia: number;
  /** Rows whose label differs from what `labels` held before (all rows when no labels were passed). */
  changed: number;
  /** Rows whose other centres the bounds let the pass skip (0 without bounds). */
  skipped: number;
  far: FarRows;
}

/**
 * What a chunk keeps between assignment passes to skip distance computations (Hamerly's bounds): for each row, a
 * lower bound on its distance to every centre other than its own, and the centres of the last pass. Create with
 * `newBounds(rows)`; pass the same object (with the same labels buffer) to every pass over the same rows.
 */
export interface Bounds {
  /** lower[i − start]: ≤ the distance of row i to every centre but labels[i − start], at `prev`'s centres. */
  lower: Float64Array;
  /** The centres of the last pass (k × d), or null before the first. */
  prev: Float64Array | null;
}

export function newBounds(rows: number): Bounds {
  return { lower: new Float64Array(rows), prev: null };
}

/** Relative margin on the skip test: a row whose bounds are this close to a tie gets every distance computed. */
const BOUND_MARGIN = 1e-9;

/**
 * Assign rows [start, end) to their nearest centre (lowest index on ties) and sum them per centre. When `labels` is
 * given, labels[i − start] receives row i's centre (a worker passes its own chunk's buffer; pass a subarray).
 *
 * With `bounds` (and `labels`), Hamerly's test skips the other centres of a row that cannot have moved: each row's
 * distance u to its own centre is computed exactly (the inertia needs it), and when u < max(s, l) — s half the
 * distance from its centre to the nearest other centre, l the row's lower bound on the distance to every other
 * centre, lowered by how far the centres moved since the last pass — no other centre can be as near (triangle
 * inequality; strictly, so ties still go to the lowest index, with a 1e-9 relative margin for rounding). Every other
 * row gets all k distances, as without bounds. The labels, sums, counts and inertia are therefore the same as
 * without bounds, bit for bit (tested); only the work differs.
 */
export function assignAndSum(x: Matrix, centres: Matrix, start = 0, end = x.rows, labels?: Int32Array, bounds?: Bounds): ChunkSums {
  checkCentres(x, centres);
  if (!(start >= 0 && end <= x.rows && start <= end)) throw new RangeError(`Rows ${start}..${end} are outside 0..${x.rows}.`);
  if (labels && labels.length < end - start) throw new RangeError(`The labels buffer holds ${labels.length} rows, not ${end - start}.`);
  if (bounds && (!labels || bounds.lower.length < end - start)) throw new RangeError('Bounds need a labels buffer and a lower bound per row.');
  const k = centres.rows;
  const d = x.cols;
  const data = x.data;
  const cd = centres.data;
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const m = Math.min(k, end - start);
  const farIndex = new Int32Array(m);
  const farDist = new Float64Array(m);
  const farLabel = new Int32Array(m);
  let farCount = 0;
  let total = 0;
  let changed = 0;
  let skipped = 0;
  // Hamerly: how far each centre moved since the last pass (the two largest, by centre), and half the distance from
  // each centre to its nearest other centre.
  const usable = !!bounds && bounds.prev !== null && bounds.prev.length === k * d;
  const half = new Float64Array(k).fill(Infinity);
  let move1 = 0;
  let move2 = 0;
  let move1At = -1;
  if (bounds) {
    if (usable) {
      const prev = bounds.prev!;
      for (let c = 0; c < k; c++) {
        let t = 0;
        for (let j = 0; j < d; j++) {
          const v = cd[c * d + j] - prev[c * d + j];
          t += v * v;
        }
        const mv = Math.sqrt(t);
        if (mv > move1) {
          move2 = move1;
          move1 = mv;
          move1At = c;
        } else if (mv > move2) move2 = mv;
      }
    }
    for (let a = 0; a < k; a++) {
      for (let b = a + 1; b < k; b++) {
        let t = 0;
        for (let j = 0; j < d; j++) {
          const v = cd[a * d + j] - cd[b * d + j];
          t += v * v;
        }
        const h = Math.sqrt(t) / 2;
        if (h < half[a]) half[a] = h;
        if (h < half[b]) half[b] = h;
      }
    }
  }
  const lower = bounds?.lower;
  for (let i = start; i < end; i++) {
    const io = i * d;
    let best = 0;
    let bestDist = Infinity;
    let full = true;
    if (usable) {
      const a = labels![i - start];
      if (a >= 0 && a < k) {
        const co = a * d;
        let u2 = 0;
        for (let j = 0; j < d; j++) {
          const v = data[io + j] - cd[co + j];
          u2 += v * v;
        }
        const l = lower![i - start] - (a === move1At ? move2 : move1);
        const u = Math.sqrt(u2);
        if (u * (1 + BOUND_MARGIN) < Math.max(half[a], l)) {
          best = a;
          bestDist = u2;
          lower![i - start] = l;
          full = false;
          skipped++;
        }
      }
    }
    if (full) {
      let second = Infinity;
      for (let c = 0; c < k; c++) {
        const co = c * d;
        let s = 0;
        for (let j = 0; j < d; j++) {
          const v = data[io + j] - cd[co + j];
          s += v * v;
        }
        if (s < bestDist) {
          second = bestDist;
          bestDist = s;
          best = c;
        } else if (s < second) second = s;
      }
      if (lower) lower[i - start] = Math.sqrt(second);
    }
    total += bestDist;
    counts[best]++;
    const so = best * d;
    for (let j = 0; j < d; j++) sums[so + j] += data[io + j];
    if (labels) {
      if (labels[i - start] !== best) {
        labels[i - start] = best;
        changed++;
      }
    } else changed++;
    if (farCount < m || bestDist > farDist[farCount - 1]) {
      // Insert after every entry at least as far (keeps lower indexes first on ties).
      let p = farCount < m ? farCount : m - 1;
      while (p > 0 && farDist[p - 1] < bestDist) {
        farDist[p] = farDist[p - 1];
        farIndex[p] = farIndex[p - 1];
        farLabel[p] = farLabel[p - 1];
        p--;
      }
      farDist[p] = bestDist;
      farIndex[p] = i;
      farLabel[p] = best;
      if (farCount < m) farCount++;
    }
  }
  if (bounds) bounds.prev = cd.slice();
  const farRows = new Float64Array(farCount * d);
  for (let f = 0; f < farCount; f++) farRows.set(data.subarray(farIndex[f] * d, farIndex[f] * d + d), f * d);
  return {
    sums, counts, inertia: total, changed, skipped,
    far: { count: farCount, index: farIndex, dist: farDist, label: farLabel, rows: farRows },
  };
}

export interface Combined {
  /** The new centres (means of their rows; relocated centres for empty clusters). */
  centres: Matrix;
  /** Rows per new centre (after relocation). */
  counts: Float64Array;
  /** Σ_k ‖new_k − old_k‖². */
  shift: number;
  /** Inertia of the assignment to the OLD centres (this pass). */
  inertia: number;
  changed: number;
  /** Empty clusters moved onto a far row. */
  relocated: number;
}

/** Merge the chunks of one assignment pass (in chunk order) into new centres, relocating empty clusters. */
export function combineSums(old: Matrix, parts: readonly ChunkSums[]): Combined {
  const k = old.rows;
  const d = old.cols;
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  let total = 0;
  let changed = 0;
  for (const p of parts) {
    if (p.sums.length !== k * d || p.counts.length !== k) throw new RangeError('A chunk was summed with different centres.');
    for (let q = 0; q < k * d; q++) sums[q] += p.sums[q];
    for (let c = 0; c < k; c++) counts[c] += p.counts[c];
    total += p.inertia;
    changed += p.changed;
  }
  let relocated = 0;
  let hasEmpty = false;
  for (let c = 0; c < k; c++) if (counts[c] === 0) hasEmpty = true;
  const centres = new Float64Array(k * d);
  if (hasEmpty) {
    const cands: { dist: number; index: number; label: number; part: ChunkSums; f: number }[] = [];
    for (const p of parts) for (let f = 0; f < p.far.count; f++) {
      cands.push({ dist: p.far.dist[f], index: p.far.index[f], label: p.far.label[f], part: p, f });
    }
    cands.sort((a, b) => b.dist - a.dist || a.index - b.index);
    cands.length = Math.min(cands.length, k); // the same candidates as one chunk over all rows
    let next = 0;
    for (let c = 0; c < k; c++) {
      if (counts[c] !== 0) continue;
      while (next < cands.length && counts[cands[next].label] <= 1) next++;
      if (next === cands.length) break;
      const { label, part, f } = cands[next++];
      const r = part.far.rows.subarray(f * d, f * d + d);
      for (let j = 0; j < d; j++) sums[label * d + j] -= r[j];
      counts[label]--;
      sums.set(r, c * d);
      counts[c] = 1;
      relocated++;
    }
  }
  let shift = 0;
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) {
      const v = counts[c] > 0 ? sums[c * d + j] / counts[c] : old.data[c * d + j];
      centres[c * d + j] = v;
      const t = v - old.data[c * d + j];
      shift += t * t;
    }
  }
  return { centres: { data: centres, rows: k, cols: d }, counts, shift, inertia: total, changed, relocated };
}

// ---------------------------------------------------------------------------------------------------------------
// Lloyd

export interface IterationInfo {
  /** 1-based. */
  iteration: number;
  /** Inertia of this iteration's assignment (to the centres it started from); never rises. */
  inertia: number;
  /** Total squared centre shift of this iteration. */
  shift: number;
  /** Rows whose label changed. */
  changed: number;
  /** Empty clusters reseeded. */
  relocated: number;
}

export interface LloydOptions {
  /** Default 300. */
  maxIter?: number;
  /** Relative to the mean feature variance (sklearn); default 1e-4. */
  tol?: number;
  onIteration?: (info: IterationInfo) => void;
}

export interface LloydSummary {
  centres: Matrix;
  inertia: number;
  iterations: number;
  converged: boolean;
}

export interface LloydResult extends LloydSummary {
  labels: Int32Array;
}

/** sklearn's absolute tolerance: tol × the mean over features of the population variance. */
export function scaledTolerance(x: Matrix, tol: number): number {
  const { rows: n, cols: d, data } = x;
  if (n === 0 || d === 0) return 0;
  let total = 0;
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += data[i * d + j];
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const t = data[i * d + j] - mean;
      v += t * t;
    }
    total += v / n;
  }
  return tol * (total / d);
}

/**
 * The Lloyd loop as a generator, independent of where rows live: it yields the centres to assign next and expects
 * the chunks of that assignment pass back (`gen.next(parts)`); it returns the summary. `lloyd` drives it with one
 * chunk; `lloydPooled` with chunks from workers. Labels stay with whoever ran the passes: after the generator
 * returns, the last pass's labels match the returned centres.
 */
export function* lloydSteps(
  start: Matrix,
  options: { maxIter?: number; tolAbs: number; onIteration?: (info: IterationInfo) => void },
): Generator<Matrix, LloydSummary, readonly ChunkSums[]> {
  const { maxIter = 300, tolAbs, onIteration } = options;
  let centres = start;
  let iterations = 0;
  let converged = false;
  for (let it = 1; it <= maxIter; it++) {
    const parts = yield centres;
    const c = combineSums(centres, parts);
    iterations = it;
    onIteration?.({ iteration: it, inertia: c.inertia, shift: c.shift, changed: c.changed, relocated: c.relocated });
    if (c.changed === 0 && c.shift === 0 && c.relocated === 0) {
      // Strict convergence: the labels just written already belong to `centres`.
      return { centres, inertia: c.inertia, iterations, converged: true };
    }
    centres = c.centres;
    if (c.shift <= tolAbs) {
      converged = true;
      break;
    }
  }
  const last = yield centres; // assignment to the final centres, so labels and inertia match them
  let inertia = 0;
  for (const p of last) inertia += p.inertia;
  return { centres, inertia, iterations, converged };
}

/** Plain typed-array Lloyd from the given centres (see the header for stopping and empty clusters). */
export function lloyd(x: Matrix, centres: Matrix, options: LloydOptions = {}): LloydResult {
  checkCentres(x, centres);
  const { maxIter = 300, tol = 1e-4, onIteration } = options;
  const labels = new Int32Array(x.rows).fill(-1);
  const bounds = newBounds(x.rows);
  const gen = lloydSteps(centres, { maxIter, tolAbs: scaledTolerance(x, tol), onIteration });
  let step = gen.next();
  while (!step.done) step = gen.next([assignAndSum(x, step.value, 0, x.rows, labels, bounds)]);
  return { labels, ...step.value };
}

/**
 * Lloyd over chunks run elsewhere (a worker pool): `passChunks(centres)` runs `assignAndSum` on every chunk (each
 * worker keeping its own labels buffer) and returns the chunks in row order. `tolAbs` is `scaledTolerance(x, tol)`.
 */
export async function lloydPooled(
  centres: Matrix,
  passChunks: (centres: Matrix) => readonly ChunkSums[] | Promise<readonly ChunkSums[]>,
  options: { maxIter?: number; tolAbs: number; onIteration?: (info: IterationInfo) => void },
): Promise<LloydSummary> {
  const gen = lloydSteps(centres, options);
  let step = gen.next();
  while (!step.done) step = gen.next(await passChunks(step.value));
  return step.value;
}

/** Rows of a matrix as number[][] (for ml-kmeans). */
function toArrays(m: Matrix): number[][] {
  const { rows, cols, data } = m;
  const out = new Array<number[]>(rows);
  for (let i = 0; i < rows; i++) {
    const r = new Array<number>(cols);
    for (let j = 0; j < cols; j++) r[j] = data[i * cols + j];
    out[i] = r;
  }
  return out;
}

/**
 * Lloyd by ml-kmeans from the given centres (its `initialization` option), with our stopping rule mapped onto its
 * per-centre `tolerance` (tol_abs / k) and `maxIterations`; labels and inertia come from a final typed assignment
 * pass to its centres. An empty cluster it leaves is finished by the typed loop (see the header).
 */
export function mlKmeansLloyd(x: Matrix, centres: Matrix, options: Omit<LloydOptions, 'onIteration'> & { rows?: number[][] } = {}): LloydResult {
  checkCentres(x, centres);
  const { maxIter = 300, tol = 1e-4 } = options;
  if (maxIter < 1) return lloyd(x, centres, { maxIter, tol });
  const k = centres.rows;
  const rows = options.rows ?? toArrays(x);
  const tolAbs = scaledTolerance(x, tol);
  const res = mlKmeans(rows, k, { initialization: toArrays(centres), maxIterations: maxIter, tolerance: tolAbs / k });
  const out = new Float64Array(k * x.cols);
  res.centroids.forEach((c, i) => out.set(c, i * x.cols));
  const final: Matrix = { data: out, rows: k, cols: x.cols };
  const labels = new Int32Array(x.rows);
  const pass = assignAndSum(x, final, 0, x.rows, labels);
  if (pass.counts.some((c) => c === 0) && res.iterations < maxIter) {
    const rest = lloyd(x, final, { maxIter: maxIter - res.iterations, tol });
    return { ...rest, iterations: res.iterations + rest.iterations };
  }
  return { labels, centres: final, inertia: pass.inertia, iterations: res.iterations, converged: res.converged };
}

// ---------------------------------------------------------------------------------------------------------------
// k-means with restarts

export interface KmeansOptions {
  k: number;
  /** Independent k-means++ starts (sklearn's n_init); the lowest inertia wins (the first on ties). Default 4. */
  restarts?: number;
  /** Default 0. One stream serves every restart in turn. */
  seed?: number;
  maxIter?: number;
  tol?: number;
  /** 'auto' (default): ml-kmeans up to ML_KMEANS_MAX_ROWS rows, typed above. */
  engine?: 'auto' | Exclude<Engine, 'pooled'>;
  /** Progress: after every typed iteration, and once per ml-kmeans restart. */
  onProgress?: (p: { restart: number; restarts: number; iteration: number; inertia: number }) => void;
}

export interface KmeansResult extends LloydResult {
  engine: Engine;
  /** 0-based restart that won. */
  restart: number;
  /** Final inertia of every restart. */
  inertias: number[];
}

/** Best of `restarts` seeded k-means++ + Lloyd runs, by inertia. */
export function kmeans(x: Matrix, options: KmeansOptions): KmeansResult {
  const { k, restarts = 4, seed = 0, maxIter = 300, tol = 1e-4, onProgress } = options;
  checkK(x, k);
  checkFinite(x);
  if (!Number.isInteger(restarts) || restarts < 1) throw new RangeError(`restarts must be a whole number of at least 1, got ${restarts}.`);
  const engine: Engine = options.engine === undefined || options.engine === 'auto'
    ? (x.rows <= ML_KMEANS_MAX_ROWS ? 'ml-kmeans' : 'typed')
    : options.engine;
  const rng = new Prng(seed);
  const rows = engine === 'ml-kmeans' ? toArrays(x) : undefined;
  let best: LloydResult | undefined;
  let bestRestart = 0;
  const inertias: number[] = [];
  for (let r = 0; r < restarts; r++) {
    const init = kmeansPlusPlus(x, k, rng);
    const run = engine === 'ml-kmeans'
      ? mlKmeansLloyd(x, init, { maxIter, tol, rows })
      : lloyd(x, init, {
        maxIter, tol,
        onIteration: onProgress && ((i) => onProgress({ restart: r, restarts, iteration: i.iteration, inertia: i.inertia })),
      });
    if (engine === 'ml-kmeans') onProgress?.({ restart: r, restarts, iteration: run.iterations, inertia: run.inertia });
    inertias.push(run.inertia);
    if (!best || run.inertia < best.inertia) {
      best = run;
      bestRestart = r;
    }
  }
  return { ...(best as LloydResult), engine, restart: bestRestart, inertias };
}

/**
 * Rows split into chunks that live elsewhere (the browser's worker pool: each worker holds its rows and their
 * labels): `pass` runs `assignAndSum` on every chunk with these centres (each chunk remembering its labels) and
 * returns the chunks in row order; `labels` gathers the labels of the last pass in row order.
 */
export interface ChunkPool {
  pass(centres: Matrix): Promise<readonly ChunkSums[]>;
  labels(): Promise<Int32Array>;
  /** One k-means++ request answered by every chunk (src/ml/plusplus.ts), merged in block order. */
  plusPlus(req: PlusPlusRequest): Promise<PlusPlusAnswer>;
}

/**
 * Merge the chunks' answers to one k-means++ request: block sums and candidate sums concatenated in chunk order;
 * finds routed to the chunk that owns the block (`firstBlocks[c]` = chunk c's first global block).
 */
export async function askChunks(
  req: PlusPlusRequest, firstBlocks: readonly number[], ask: (chunk: number, req: PlusPlusRequest) => Promise<PlusPlusAnswer>,
): Promise<PlusPlusAnswer> {
  if (req.kind === 'find') {
    const owner = (block: number) => {
      let c = firstBlocks.length - 1;
      while (c > 0 && firstBlocks[c] > block) c--;
      return c;
    };
    const out = new Int32Array(req.picks.length);
    const byChunk = new Map<number, number[]>();
    req.picks.forEach((p, i) => {
      const c = owner(p.block);
      byChunk.set(c, [...(byChunk.get(c) ?? []), i]);
    });
    await Promise.all([...byChunk].map(async ([c, idx]) => {
      const got = await ask(c, { kind: 'find', picks: idx.map((i) => req.picks[i]) });
      idx.forEach((i, j) => (out[i] = got[j]));
    }));
    return out;
  }
  const parts = await Promise.all(firstBlocks.map((_, c) => ask(c, req)));
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Seeded greedy k-means++ on a pool: the same centres as kmeansPlusPlus(x, k, rng). */
export async function kmeansPlusPlusPooled(x: Matrix, k: number, rng: Prng, pool: ChunkPool): Promise<Matrix> {
  checkK(x, k);
  const d = x.cols;
  const gen = plusPlusSteps(x.rows, d, k, rng, (i) => x.data.slice(i * d, i * d + d), 2 + Math.floor(Math.log(k)));
  let step = gen.next();
  while (!step.done) step = gen.next(await pool.plusPlus(step.value));
  return step.value;
}

/**
 * `kmeans` with the Lloyd passes on a pool: the same seeded k-means++ starts (here, on the whole matrix, drawn from
 * the same stream) and the same Lloyd steps, so the labels equal the typed engine's (`kmeans(x, { engine: 'typed' })`)
 * and the inertia agrees to floating-point association. Only k × d sums travel per chunk and pass; the labels of the
 * best restart are gathered once at the end (the pool keeps the last pass's labels, so the best restart is run
 * again when it was not the last one: its start is kept, and the same start gives the same passes).
 */
export async function kmeansPooled(x: Matrix, options: Omit<KmeansOptions, 'engine'>, pool: ChunkPool): Promise<KmeansResult> {
  const { k, restarts = 4, seed = 0, maxIter = 300, tol = 1e-4, onProgress } = options;
  checkK(x, k);
  checkFinite(x);
  if (!Number.isInteger(restarts) || restarts < 1) throw new RangeError(`restarts must be a whole number of at least 1, got ${restarts}.`);
  const rng = new Prng(seed);
  const tolAbs = scaledTolerance(x, tol);
  let best: { summary: LloydSummary; init: Matrix; restart: number } | undefined;
  const inertias: number[] = [];
  for (let r = 0; r < restarts; r++) {
    const init = await kmeansPlusPlusPooled(x, k, rng, pool);
    const summary = await lloydPooled(init, (c) => pool.pass(c), {
      maxIter, tolAbs,
      onIteration: onProgress && ((i) => onProgress({ restart: r, restarts, iteration: i.iteration, inertia: i.inertia })),
    });
    inertias.push(summary.inertia);
    if (!best || summary.inertia < best.summary.inertia) best = { summary, init, restart: r };
  }
  if (best!.restart !== restarts - 1) await lloydPooled(best!.init, (c) => pool.pass(c), { maxIter, tolAbs });
  return { ...best!.summary, labels: await pool.labels(), engine: 'pooled', restart: best!.restart, inertias };
}

/** A ChunkPool over `x` in this thread (`chunks` row ranges): what the browser's pool does, for tests and Node. */
export function localPool(x: Matrix, chunks: number): ChunkPool {
  const bounds = chunkBounds(x.rows, chunks);
  const labels = new Int32Array(x.rows).fill(-1);
  const kept = bounds.slice(0, -1).map((b, c) => newBounds(bounds[c + 1] - b));
  const pp = bounds.slice(0, -1).map((b, c) => new PlusPlusRows({ data: x.data.subarray(b * x.cols, bounds[c + 1] * x.cols), rows: bounds[c + 1] - b, cols: x.cols }, b));
  return {
    pass: async (centres) => bounds.slice(0, -1).map((b, c) => assignAndSum(x, centres, b, bounds[c + 1], labels.subarray(b, bounds[c + 1]), kept[c])),
    labels: async () => labels.slice(),
    plusPlus: (req) => askChunks(req, pp.map((r) => r.firstBlock), async (c, r) => pp[c].answer(r)),
  };
}

/** Row boundaries of `chunks` contiguous chunks of `rows` rows, each starting on a k-means++ block boundary. */
export const chunkBounds = blockChunkBounds;

// ---------------------------------------------------------------------------------------------------------------
// Mini-batch k-means

export interface MiniBatchOptions {
  k: number;
  /** Rows per step, drawn with replacement. Default 1024 (sklearn). */
  batchSize?: number;
  /** Epochs: at most ⌊maxIter · n / batchSize⌋ steps. Default 100 (sklearn). */
  maxIter?: number;
  seed?: number;
  /** Stop after this many steps without a new low of the smoothed batch inertia. Default 10 (sklearn). */
  maxNoImprovement?: number;
  /** Stop when the total squared centre shift of a step is ≤ tol × mean feature variance; 0 (default) = off. */
  tol?: number;
  /** Clusters with fewer than this fraction of the largest cluster's count move to a random batch row. Default 0.01. */
  reassignmentRatio?: number;
  /** k-means++ starts on init samples, the best on a validation sample wins. Default 3. */
  restarts?: number;
  /** Rows of each init sample; default 3 × batchSize (at least 3k, at most n). */
  initSize?: number;
}

export interface MiniBatchResult extends LloydResult {
  /** Mini-batch steps taken. */
  steps: number;
}

/**
 * sklearn's MiniBatchKMeans (1.5), seeded:
 *  1. init: `restarts` times draw initSize rows with replacement and run k-means++ on them; keep the centres with the
 *     lowest inertia on one validation sample of initSize rows (drawn first, with replacement);
 *  2. each step draws batchSize rows with replacement, assigns them to the current centres (the batch inertia is
 *     taken here) and moves each centre c to (c · w_c + Σ batch rows of c) / (w_c + their count), w_c = rows c has
 *     seen so far; then, at every step (sklearn checks every ⌈10k / batchSize⌉ steps, so every step whenever
 *     batchSize ≥ 10k), centres whose w_c is below reassignmentRatio × max w move onto distinct random rows of the
 *     batch and get w = the smallest w of the others;
 *  3. stopping: the batch inertia per row is smoothed by an exponentially weighted average (α = min(1, 2·batchSize
 *     / (n + 1)), the first step ignored); stop after maxNoImprovement steps with no new minimum, when tol > 0 and
 *     the centre shift is ≤ tol_abs, or after ⌊maxIter · n / batchSize⌋ steps;
 *  4. the labels and inertia are one full assignment pass to the final centres.
 */
export function miniBatchKmeans(x: Matrix, options: MiniBatchOptions): MiniBatchResult {
  const {
    k, batchSize = 1024, maxIter = 100, seed = 0, maxNoImprovement = 10, tol = 0, reassignmentRatio = 0.01, restarts = 3,
  } = options;
  checkK(x, k);
  checkFinite(x);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a whole number of at least 1, got ${batchSize}.`);
  const n = x.rows;
  const d = x.cols;
  const data = x.data;
  const rng = new Prng(seed);
  const initSize = Math.min(n, Math.max(options.initSize ?? 3 * batchSize, 3 * k));
  const draw = (size: number): Matrix => {
    const out = new Float64Array(size * d);
    for (let s = 0; s < size; s++) {
      const i = rng.int(n);
      out.set(data.subarray(i * d, i * d + d), s * d);
    }
    return { data: out, rows: size, cols: d };
  };

  // 1. init
  const valid = draw(initSize);
  let centres: Matrix | undefined;
  let bestInit = Infinity;
  for (let r = 0; r < Math.max(1, restarts); r++) {
    const sample = draw(initSize);
    const init = kmeansPlusPlus(sample, k, rng); // initSize ≥ min(n, 3k) ≥ k
    const v = assignAndSum(valid, init).inertia;
    if (v < bestInit) {
      bestInit = v;
      centres = init;
    }
  }
  const c = (centres as Matrix).data.slice();
  const cm: Matrix = { data: c, rows: k, cols: d };

  // 2–3. steps
  const tolAbs = tol > 0 ? scaledTolerance(x, tol) : 0;
  const weights = new Float64Array(k);
  const batch = new Int32Array(batchSize);
  const bsums = new Float64Array(k * d);
  const bcounts = new Float64Array(k);
  const alpha = Math.min(1, (2 * batchSize) / (n + 1));
  const nSteps = Math.max(1, Math.floor((maxIter * n) / batchSize));
  let ewa = NaN;
  let ewaMin = Infinity;
  let noImprovement = 0;
  let steps = 0;
  let converged = false;
  for (let step = 0; step < nSteps; step++) {
    steps = step + 1;
    bsums.fill(0);
    bcounts.fill(0);
    let batchInertia = 0;
    for (let b = 0; b < batchSize; b++) {
      const i = rng.int(n);
      batch[b] = i;
      const io = i * d;
      let best = 0;
      let bestDist = Infinity;
      for (let q = 0; q < k; q++) {
        let s = 0;
        for (let j = 0; j < d; j++) {
          const v = data[io + j] - c[q * d + j];
          s += v * v;
        }
        if (s < bestDist) {
          bestDist = s;
          best = q;
        }
      }
      batchInertia += bestDist;
      bcounts[best]++;
      for (let j = 0; j < d; j++) bsums[best * d + j] += data[io + j];
    }
    let shift = 0;
    for (let q = 0; q < k; q++) {
      if (bcounts[q] === 0) continue;
      const w = weights[q] + bcounts[q];
      for (let j = 0; j < d; j++) {
        const old = c[q * d + j];
        const v = (old * weights[q] + bsums[q * d + j]) / w;
        shift += (v - old) * (v - old);
        c[q * d + j] = v;
      }
      weights[q] = w;
    }
    // Random reassignment of (nearly) empty clusters.
    if (reassignmentRatio > 0) {
      let maxW = 0;
      for (let q = 0; q < k; q++) if (weights[q] > maxW) maxW = weights[q];
      const small: number[] = [];
      for (let q = 0; q < k; q++) if (weights[q] < reassignmentRatio * maxW) small.push(q);
      if (small.length > 0.5 * batchSize) {
        small.sort((a, b) => weights[a] - weights[b] || a - b);
        small.length = Math.floor(0.5 * batchSize);
        small.sort((a, b) => a - b);
      }
      if (small.length > 0) {
        let minOther = Infinity;
        const isSmall = new Uint8Array(k);
        for (const q of small) isSmall[q] = 1;
        for (let q = 0; q < k; q++) if (!isSmall[q] && weights[q] < minOther) minOther = weights[q];
        // Distinct batch positions (partial Fisher–Yates over 0..batchSize−1).
        const pos = new Int32Array(batchSize);
        for (let b = 0; b < batchSize; b++) pos[b] = b;
        small.forEach((q, s) => {
          const t = s + rng.int(batchSize - s);
          const tmp = pos[s];
          pos[s] = pos[t];
          pos[t] = tmp;
          const i = batch[pos[s]];
          for (let j = 0; j < d; j++) {
            const v = data[i * d + j];
            shift += (v - c[q * d + j]) * (v - c[q * d + j]);
            c[q * d + j] = v;
          }
          weights[q] = minOther === Infinity ? 0 : minOther;
        });
      }
    }
    if (step === 0) continue; // sklearn ignores the first step's inertia
    const perRow = batchInertia / batchSize;
    ewa = Number.isNaN(ewa) ? perRow : ewa * (1 - alpha) + perRow * alpha;
    if (tol > 0 && shift <= tolAbs) {
      converged = true;
      break;
    }
    if (ewa < ewaMin) {
      ewaMin = ewa;
      noImprovement = 0;
    } else if (++noImprovement >= maxNoImprovement) {
      converged = true;
      break;
    }
  }

  // 4. labels
  const labels = new Int32Array(n);
  const pass = assignAndSum(x, cm, 0, n, labels);
  return { labels, centres: cm, inertia: pass.inertia, iterations: Math.ceil((steps * batchSize) / n), converged, steps };
}
