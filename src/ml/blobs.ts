// Isotropic Gaussian blobs for tests and benchmarks, after scikit-learn's `make_blobs`:
//  - `centres` is either a count (centres drawn uniformly in `box`, default [-10, 10] per feature, like sklearn's
//    `center_box`) or the centres themselves (rows of `d` numbers);
//  - the n rows are split as evenly as possible: every blob gets floor(n / c) rows and the first n mod c blobs one
//    more (sklearn's rule);
//  - each row is its centre plus std × N(0, 1) per feature (`std` one number, or one per blob);
//  - rows are then shuffled (sklearn's default shuffle=True), and `labels[i]` is the blob row i came from.
// Everything is drawn from one seeded sfc32 stream (src/ml/random.ts): same options => identical output everywhere.
import type { Matrix } from './matrix.ts';
import { Prng, permutation } from './random.ts';

export interface BlobsOptions {
  /** Number of rows (users). */
  n: number;
  /** How many blobs (centres drawn in `box`), or the centres themselves (each of length `d`). */
  centres: number | readonly (readonly number[])[];
  /** Number of features; taken from `centres` when they are given. */
  d?: number;
  /** Standard deviation of every blob, or one per blob. Default 1. */
  std?: number | readonly number[];
  /** Seed of the stream every draw comes from. Default 0. */
  seed?: number;
  /** Range of each coordinate of a drawn centre. Default [-10, 10]. */
  box?: readonly [number, number];
  /** Shuffle the rows (default true); unshuffled rows come blob by blob. */
  shuffle?: boolean;
}

export interface Blobs {
  /** n × d rows. */
  x: Matrix;
  /** The blob each row was drawn around (0-based). */
  labels: Int32Array;
  /** The blob centres, c × d. */
  centres: Matrix;
}

/** Gaussian blobs like sklearn's make_blobs (see the header for the exact rule). */
export function makeBlobs(options: BlobsOptions): Blobs {
  const { n, seed = 0, box = [-10, 10], shuffle = true } = options;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`makeBlobs needs a whole number of rows, got ${n}.`);
  const rng = new Prng(seed);
  let c: number;
  let d: number;
  let centreData: Float64Array;
  if (typeof options.centres === 'number') {
    c = options.centres;
    d = options.d ?? 2;
    if (!Number.isInteger(c) || c < 1) throw new RangeError(`makeBlobs needs at least one centre, got ${c}.`);
    centreData = new Float64Array(c * d);
    for (let i = 0; i < centreData.length; i++) centreData[i] = box[0] + (box[1] - box[0]) * rng.next();
  } else {
    c = options.centres.length;
    if (c < 1) throw new RangeError('makeBlobs needs at least one centre.');
    d = options.centres[0].length;
    if (options.d !== undefined && options.d !== d) throw new RangeError(`The centres have ${d} features, not ${options.d}.`);
    centreData = new Float64Array(c * d);
    options.centres.forEach((r, i) => {
      if (r.length !== d) throw new RangeError(`Centre ${i} has ${r.length} features, not ${d}.`);
      centreData.set(r, i * d);
    });
  }
  const stds = typeof options.std === 'object' ? options.std : new Array<number>(c).fill(options.std ?? 1);
  if (stds.length !== c) throw new RangeError(`makeBlobs needs one std per centre (${c}), got ${stds.length}.`);

  const data = new Float64Array(n * d);
  const labels = new Int32Array(n);
  const base = Math.floor(n / c);
  const extra = n % c;
  let r = 0;
  for (let b = 0; b < c; b++) {
    const count = base + (b < extra ? 1 : 0);
    for (let t = 0; t < count; t++, r++) {
      labels[r] = b;
      for (let j = 0; j < d; j++) data[r * d + j] = centreData[b * d + j] + stds[b] * rng.normal();
    }
  }
  if (!shuffle) return { x: { data, rows: n, cols: d }, labels, centres: { data: centreData, rows: c, cols: d } };

  const order = permutation(rng, n);
  const outData = new Float64Array(n * d);
  const outLabels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const from = order[i];
    outData.set(data.subarray(from * d, from * d + d), i * d);
    outLabels[i] = labels[from];
  }
  return { x: { data: outData, rows: n, cols: d }, labels: outLabels, centres: { data: centreData, rows: c, cols: d } };
}
