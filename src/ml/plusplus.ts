// Greedy k-means++ seeding (the rule in kmeans.ts's header) written so that its sums do not depend on how the rows
// are split: every running sum and every total is taken per block of PP_BLOCK rows (a block's sums start from 0)
// and the block totals are added in block order. A draw first finds the block (running total of block sums), then
// the row inside it (running sum within the block against the remainder). One thread, two chunk workers or four
// give bit-identical centres, so Node equals the browser whatever the pool size. With one block (≤ 4,096 rows) the
// arithmetic is exactly the plain sequential rule.
//
// `plusPlusSteps` is the driver (a generator: it asks for block sums, finds and candidate sums, and is answered
// by `PlusPlusRows` objects, here or in pool workers); `kmeansPlusPlus` (kmeans.ts) answers it in this thread.
import type { Matrix } from './matrix.ts';
import type { Prng } from './random.ts';

/** Rows per block of the blocked sums. */
export const PP_BLOCK = 4096;

/** What the driver asks for. Block numbers are global. */
export type PlusPlusRequest =
  | { kind: 'seed'; centre: Float64Array }
  | { kind: 'find'; picks: { block: number; target: number }[] }
  | { kind: 'candidates'; cands: Float64Array; trials: number }
  | { kind: 'accept'; centre: Float64Array };

/** Answers: block sums (Float64Array, one per block, in block order), row indexes (Int32Array, one per pick), or
 *  candidate sums (Float64Array, blocks × trials, block-major). */
export type PlusPlusAnswer = Float64Array | Int32Array;

/** The greedy k-means++ driver over n rows of d columns; `row(i)` gives row i's values (the driver keeps copies). */
export function* plusPlusSteps(
  n: number, d: number, k: number, rng: Prng, row: (i: number) => Float64Array, trials: number,
): Generator<PlusPlusRequest, Matrix, PlusPlusAnswer> {
  const out = new Float64Array(k * d);
  const first = rng.int(n);
  out.set(row(first), 0);
  let sums = (yield { kind: 'seed', centre: out.slice(0, d) }) as Float64Array;
  const blocks = sums.length;
  for (let c = 1; c < k; c++) {
    let acc = 0;
    for (let b = 0; b < blocks; b++) acc += sums[b];
    const picks: { block: number; target: number }[] = [];
    for (let t = 0; t < trials; t++) {
      const r = rng.next() * acc;
      let total = 0;
      let b = 0;
      while (b < blocks - 1 && !(total + sums[b] > r)) total += sums[b++];
      picks.push({ block: b, target: r - total });
    }
    const idx = (yield { kind: 'find', picks }) as Int32Array;
    const cands = new Float64Array(trials * d);
    for (let t = 0; t < trials; t++) cands.set(row(idx[t]), t * d);
    const part = (yield { kind: 'candidates', cands, trials }) as Float64Array;
    const pot = new Float64Array(trials);
    for (let b = 0; b < blocks; b++) for (let t = 0; t < trials; t++) pot[t] += part[b * trials + t];
    let best = 0;
    for (let t = 1; t < trials; t++) if (pot[t] < pot[best]) best = t;
    const centre = cands.slice(best * d, best * d + d);
    out.set(centre, c * d);
    if (c + 1 < k) sums = (yield { kind: 'accept', centre }) as Float64Array;
  }
  return { data: out, rows: k, cols: d };
}

/**
 * Rows [0, x.rows) of a chunk whose first row is global row `offset` (a multiple of PP_BLOCK) and their distance to
 * the nearest chosen centre: the driver's answers for the chunk's blocks.
 */
export class PlusPlusRows {
  private closest: Float64Array;
  readonly blocks: number;
  constructor(private x: Matrix, private offset = 0) {
    if (offset % PP_BLOCK) throw new RangeError(`A chunk must start at a multiple of ${PP_BLOCK} rows, not ${offset}.`);
    this.closest = new Float64Array(x.rows);
    this.blocks = Math.ceil(x.rows / PP_BLOCK);
  }

  /** The first block of this chunk, globally. */
  get firstBlock(): number {
    return this.offset / PP_BLOCK;
  }

  answer(req: PlusPlusRequest): PlusPlusAnswer {
    switch (req.kind) {
      case 'seed': return this.update(req.centre, true);
      case 'accept': return this.update(req.centre, false);
      case 'find': return Int32Array.from(req.picks, (p) => this.find(p.block - this.firstBlock, p.target));
      case 'candidates': return this.candidates(req.cands, req.trials);
    }
  }

  /** closest = distance to `centre` (seed) or the smaller of it and the current; returns the block sums. */
  private update(centre: Float64Array, seed: boolean): Float64Array {
    const { rows: n, cols: d, data } = this.x;
    const closest = this.closest;
    const sums = new Float64Array(this.blocks);
    for (let b = 0; b < this.blocks; b++) {
      const end = Math.min(n, (b + 1) * PP_BLOCK);
      let s = 0;
      for (let i = b * PP_BLOCK; i < end; i++) {
        const io = i * d;
        let v = 0;
        for (let j = 0; j < d; j++) {
          const t = data[io + j] - centre[j];
          v += t * t;
        }
        if (seed || v < closest[i]) closest[i] = v;
        s += closest[i];
      }
      sums[b] = s;
    }
    return sums;
  }

  /** The first row of local block `b` whose running sum within the block exceeds `target` (else the block's last
   *  row), as a global row index. */
  private find(b: number, target: number): number {
    const end = Math.min(this.x.rows, (b + 1) * PP_BLOCK);
    let s = 0;
    for (let i = b * PP_BLOCK; i < end; i++) {
      s += this.closest[i];
      if (s > target) return this.offset + i;
    }
    return this.offset + end - 1;
  }

  /** Per block and candidate: Σ min(closest, distance to the candidate). */
  private candidates(cands: Float64Array, trials: number): Float64Array {
    const { rows: n, cols: d, data } = this.x;
    const closest = this.closest;
    const out = new Float64Array(this.blocks * trials);
    const pot = new Float64Array(trials);
    for (let b = 0; b < this.blocks; b++) {
      const end = Math.min(n, (b + 1) * PP_BLOCK);
      pot.fill(0);
      for (let i = b * PP_BLOCK; i < end; i++) {
        const io = i * d;
        const ci = closest[i];
        for (let t = 0; t < trials; t++) {
          const to = t * d;
          let s = 0;
          for (let j = 0; j < d; j++) {
            const v = data[io + j] - cands[to + j];
            s += v * v;
          }
          pot[t] += s < ci ? s : ci;
        }
      }
      out.set(pot, b * trials);
    }
    return out;
  }
}

/** Row boundaries for `chunks` contiguous chunks of `rows` rows, each starting at a multiple of PP_BLOCK. */
export function blockChunkBounds(rows: number, chunks: number): number[] {
  const blocks = Math.max(1, Math.ceil(rows / PP_BLOCK));
  const n = Math.max(1, Math.min(chunks, blocks));
  const out = Array.from({ length: n + 1 }, (_, c) => Math.min(rows, Math.round((blocks * c) / n) * PP_BLOCK));
  out[n] = rows;
  return out;
}
