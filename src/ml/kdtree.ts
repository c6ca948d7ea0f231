// A static k-d tree over the rows of a Matrix, for DBSCAN's eps-neighbourhoods and the k-distance plot.
//
// Algorithm: nodes cover contiguous ranges of a row permutation; a node with more than `leafSize` rows is split at
// the median (quickselect, Hoare partition so duplicate values still split evenly) of the dimension with the widest
// spread of its bounding box. Every node keeps its tight bounding box; queries prune with the squared distance from
// the query to the box, and radius queries take whole nodes unchecked when the farthest box corner is inside the radius.
// Distances are Euclidean. Radius queries are inclusive (distance <= r, as sklearn's radius_neighbors) and compare
// squared distances summed column by column in order, exactly as `sqDist` in matrix.ts, so they return exactly the
// rows a brute-force scan with sqDist returns (floating-point addition and rounding are monotone, so box bounds
// never disagree with the per-row sums).
import type { Matrix } from './matrix.ts';
import { StrataError } from '../errors.ts';

/** k nearest rows of one query: ascending distances (Euclidean) and their row indexes. */
export interface Neighbours {
  indexes: Uint32Array;
  distances: Float64Array;
}

/** A k-d tree over a matrix's rows (the matrix is referenced, not copied: do not mutate it while the tree is used). */
export class KdTree {
  readonly x: Matrix;
  /** Row permutation: node n covers order[start[n] .. end[n]). */
  private readonly order: Uint32Array;
  private readonly start: Uint32Array;
  private readonly end: Uint32Array;
  /** Child node ids; -1 for a leaf. */
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  /** Bounding boxes, node-major: lo[n * cols + j], hi[n * cols + j]. */
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  /** Scratch stack of node ids for radius queries (depth-first, at most one pending sibling per level). */
  private readonly stack: Int32Array;

  /** Build over x's rows; leaves hold at most leafSize rows (32 measured best for 8 columns at 50K rows). */
  constructor(x: Matrix, leafSize = 32) {
    this.x = x;
    const n = x.rows;
    const d = x.cols;
    const leaf = Math.max(1, Math.floor(leafSize));
    this.order = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.order[i] = i;
    // Median splits leave every leaf at least ceil(leaf / 2) rows, so this bounds the node count.
    const cap = n === 0 ? 1 : 2 * Math.ceil(n / Math.ceil(leaf / 2)) + 1;
    this.start = new Uint32Array(cap);
    this.end = new Uint32Array(cap);
    this.left = new Int32Array(cap);
    this.right = new Int32Array(cap);
    this.lo = new Float64Array(cap * d);
    this.hi = new Float64Array(cap * d);
    let count = 0;
    const data = x.data;
    const order = this.order;
    const build = (s: number, e: number): number => {
      const node = count++;
      this.start[node] = s;
      this.end[node] = e;
      const bo = node * d;
      for (let j = 0; j < d; j++) {
        this.lo[bo + j] = Infinity;
        this.hi[bo + j] = -Infinity;
      }
      for (let p = s; p < e; p++) {
        const ro = order[p] * d;
        for (let j = 0; j < d; j++) {
          const v = data[ro + j];
          if (v < this.lo[bo + j]) this.lo[bo + j] = v;
          if (v > this.hi[bo + j]) this.hi[bo + j] = v;
        }
      }
      if (e - s <= leaf) {
        this.left[node] = -1;
        this.right[node] = -1;
        return node;
      }
      let dim = 0;
      let spread = -1;
      for (let j = 0; j < d; j++) {
        const w = this.hi[bo + j] - this.lo[bo + j];
        if (w > spread) {
          spread = w;
          dim = j;
        }
      }
      const mid = (s + e) >>> 1;
      select(order, data, d, dim, s, e - 1, mid);
      this.left[node] = build(s, mid);
      this.right[node] = build(mid, e);
      return node;
    };
    if (n > 0) build(0, n);
    let depth = 1;
    for (let m = n; m > leaf; m = Math.ceil(m / 2)) depth++;
    this.stack = new Int32Array(depth + 2);
  }

  /** Squared distance from q to node's box (0 inside). */
  private minDist2(node: number, q: ArrayLike<number>): number {
    const d = this.x.cols;
    const bo = node * d;
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = q[j];
      const l = this.lo[bo + j];
      const h = this.hi[bo + j];
      const t = v < l ? l - v : v > h ? v - h : 0;
      s += t * t;
    }
    return s;
  }

  private rowDist2(i: number, q: ArrayLike<number>): number {
    const d = this.x.cols;
    const data = this.x.data;
    const o = i * d;
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = data[o + j] - q[j];
      s += t * t;
    }
    return s;
  }

  /** Rows within distance r of q (inclusive), appended to `out` (cleared first) in no particular order. */
  radius(q: ArrayLike<number>, r: number, out: number[] = []): number[] {
    out.length = 0;
    this.walk(q, r, out);
    return out;
  }

  /** How many rows lie within distance r of q (inclusive); whole nodes inside the radius are counted unvisited. */
  radiusCount(q: ArrayLike<number>, r: number): number {
    return this.walk(q, r, null);
  }

  /** Depth-first radius search: counts the rows within r, listing them into `out` unless it is null. */
  private walk(q: ArrayLike<number>, r: number, out: number[] | null): number {
    if (this.x.rows === 0) return 0;
    const r2 = r * r;
    const d = this.x.cols;
    const lo = this.lo;
    const hi = this.hi;
    const order = this.order;
    const stack = this.stack;
    let count = 0;
    let top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const node = stack[--top];
      // Nearest and farthest squared distance from q to the node's box, in one pass.
      const bo = node * d;
      let near = 0;
      let far = 0;
      for (let j = 0; j < d; j++) {
        const v = q[j];
        const a = v - lo[bo + j];
        const b = hi[bo + j] - v;
        const t = a < 0 ? -a : b < 0 ? -b : 0;
        near += t * t;
        const f = a > b ? a : b;
        far += f * f;
      }
      if (near > r2) continue;
      const s = this.start[node];
      const e = this.end[node];
      if (far <= r2) {
        // The whole box is inside: by monotone rounding every row's own sum is <= far too.
        count += e - s;
        if (out) for (let p = s; p < e; p++) out.push(order[p]);
      } else if (this.left[node] < 0) {
        const data = this.x.data;
        for (let p = s; p < e; p++) {
          const o = order[p] * d;
          // Partial sums only grow, so stopping once past r2 cannot change the answer.
          let s2 = 0;
          for (let j = 0; j < d && s2 <= r2; j++) {
            const t = data[o + j] - q[j];
            s2 += t * t;
          }
          if (s2 <= r2) {
            count++;
            out?.push(order[p]);
          }
        }
      } else {
        stack[top++] = this.right[node];
        stack[top++] = this.left[node];
      }
    }
    return count;
  }

  /** The k nearest rows to q (a row queried against its own tree finds itself first, at distance 0). */
  knn(q: ArrayLike<number>, k: number): Neighbours {
    const n = this.x.rows;
    if (!Number.isInteger(k) || k < 1 || k > n) throw new StrataError(`Cannot find ${k} nearest neighbours among ${n} rows.`);
    // A max-heap on squared distance of the best k so far.
    const hd = new Float64Array(k);
    const hi = new Uint32Array(k);
    let size = 0;
    const push = (dist: number, idx: number) => {
      if (size < k) {
        let c = size++;
        while (c > 0) {
          const p = (c - 1) >> 1;
          if (hd[p] >= dist) break;
          hd[c] = hd[p];
          hi[c] = hi[p];
          c = p;
        }
        hd[c] = dist;
        hi[c] = idx;
      } else if (dist < hd[0]) {
        let c = 0;
        for (;;) {
          const l = 2 * c + 1;
          if (l >= k) break;
          const r = l + 1;
          const m = r < k && hd[r] > hd[l] ? r : l;
          if (hd[m] <= dist) break;
          hd[c] = hd[m];
          hi[c] = hi[m];
          c = m;
        }
        hd[c] = dist;
        hi[c] = idx;
      }
    };
    const visit = (node: number, boxDist: number): void => {
      if (size === k && boxDist >= hd[0]) return;
      if (this.left[node] < 0) {
        for (let p = this.start[node]; p < this.end[node]; p++) push(this.rowDist2(this.order[p], q), this.order[p]);
        return;
      }
      const a = this.left[node];
      const b = this.right[node];
      const da = this.minDist2(a, q);
      const db = this.minDist2(b, q);
      if (da <= db) {
        visit(a, da);
        visit(b, db);
      } else {
        visit(b, db);
        visit(a, da);
      }
    };
    visit(0, this.minDist2(0, q));
    // Pop the heap from the farthest down to fill ascending order.
    const indexes = new Uint32Array(k);
    const distances = new Float64Array(k);
    for (let out = k - 1; out >= 0; out--) {
      distances[out] = Math.sqrt(hd[0]);
      indexes[out] = hi[0];
      const lastD = hd[--size];
      const lastI = hi[size];
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        if (l >= size) break;
        const r = l + 1;
        const m = r < size && hd[r] > hd[l] ? r : l;
        if (hd[m] <= lastD) break;
        hd[c] = hd[m];
        hi[c] = hi[m];
        c = m;
      }
      hd[c] = lastD;
      hi[c] = lastI;
    }
    return { indexes, distances };
  }
}

/** Quickselect on order[lo..hi] (inclusive) by column `dim`, so order[k] holds the k-th smallest value. */
function select(order: Uint32Array, data: Float64Array, d: number, dim: number, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    const pivot = data[order[(lo + hi) >>> 1] * d + dim];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (data[order[i] * d + dim] < pivot) i++;
      while (data[order[j] * d + dim] > pivot) j--;
      if (i <= j) {
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}
