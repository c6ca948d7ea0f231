// One worker of the k-means pool: it holds a contiguous chunk of the (preprocessed) rows and their labels, answers
// the k-means++ seeding's requests for its blocks (src/ml/plusplus.ts) and runs one assignment pass per call
// (src/ml/kmeans.ts assignAndSum, with its Hamerly bounds kept between passes); only block sums, the k × d sums, k counts, the inertia and the chunk's farthest
// rows go back. A thin shell: the algorithm is the pure module's.
import * as Comlink from 'comlink';
import { assignAndSum, newBounds, type ChunkSums } from '../src/ml/kmeans.ts';
import { PlusPlusRows, type PlusPlusAnswer, type PlusPlusRequest } from '../src/ml/plusplus.ts';
import type { Matrix } from '../src/ml/matrix.ts';
import type { KmeansChunkApi } from '../src/db/protocols.ts';

let x: Matrix | null = null;
let labels = new Int32Array(0);
let bounds = newBounds(0);
let offset = 0;
let seeding: PlusPlusRows | null = null;

const api: KmeansChunkApi = {
  /** Take rows [start, start + rows) of the matrix (transferred). */
  load(data: Float64Array, rows: number, cols: number, start: number): void {
    x = { data, rows, cols };
    labels = new Int32Array(rows).fill(-1);
    bounds = newBounds(rows);
    offset = start;
    seeding = null;
  },
  /** One k-means++ request for this chunk's blocks (a 'seed' starts a new seeding). */
  plusPlus(req: PlusPlusRequest): PlusPlusAnswer {
    if (!x) throw new Error('The pool worker has no rows.');
    if (req.kind === 'seed' || !seeding) seeding = new PlusPlusRows(x, offset);
    const out = seeding.answer(req);
    return Comlink.transfer(out, [out.buffer]);
  },
  /** One pass with these centres (k × cols); the chunk's labels are kept for the next pass. */
  pass(centres: Float64Array, k: number): ChunkSums {
    if (!x) throw new Error('The pool worker has no rows.');
    const r = assignAndSum(x, { data: centres, rows: k, cols: x.cols }, 0, x.rows, labels, bounds);
    for (let f = 0; f < r.far.count; f++) r.far.index[f] += offset; // global row numbers (ties go to the lowest)
    return Comlink.transfer(r, [r.sums.buffer, r.counts.buffer, r.far.index.buffer, r.far.dist.buffer, r.far.label.buffer, r.far.rows.buffer]);
  },
  /** The labels of the last pass. */
  labels(): Int32Array {
    const out = labels.slice();
    return Comlink.transfer(out, [out.buffer]);
  },
};

Comlink.expose(api);
