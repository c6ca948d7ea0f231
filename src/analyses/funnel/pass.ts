// A sequential funnel in one pass over each unit's time-ordered step events (issue 17's windowFunnel-style lever):
// the same answer as funnelCoreSql's ASOF joins for order = 'sequential', computed over typed arrays.
//
// Input: the rows funnelEventsSql selects, as passRows (pass-rows.ts) arranges them: grouped by unit, each unit's
// rows in sort-key order (time, then step rank, then table order where keySql includes it). Per unit, a backward sweep records for every row the next row, with a
// strictly greater key, that matches each step (and, with a held property, the same held value) and each
// exclusion. Every step-1 row is an attempt: its chain follows those pointers (step i+1 is the first step-(i+1) row
// after step i), so each attempt costs O(steps). A unit's best attempt is the deepest, then the earliest anchor;
// its depth counts steps 2..j that happen within the window from the anchor with no exclusion event between two
// steps of the range (the first exclusion event strictly later in time than step m cuts at m when it is strictly
// earlier than step m+1) — exactly funnelCoreSql's `depth`, `best` and `ts`.
// Pure: no DuckDB, no DOM; the rows come in as columns and the result goes out as columns.
import { FRESH, type Scratch } from '../pass-kit.ts';

/** One exclusion as the pass needs it: its bit in `excl`, and the steps it sits between (1-based, from < to). */
export interface PassExclusion {
  bit: number;
  from: number;
  to: number;
}

/** What the pass computes from: the funnel's shape. */
export interface PassSpec {
  /** Number of steps (2..). */
  steps: number;
  /** The conversion window in microseconds, or null for none. */
  windowUs: number | null;
  exclusions: readonly PassExclusion[];
}

/** The rows (length n), grouped by unit, each unit's in sort-key order. */
export interface PassRows {
  /** unitStart[i] is the first row of unit i; the last entry is n (length units + 1). */
  unitStart: Int32Array;
  /** Event time, epoch microseconds. */
  t: Float64Array;
  /** Rows i and i+1 (of one unit) have the same sort key: keyEq[i] = 1 (so neither is "after" the other). */
  keyEq: Uint8Array;
  /** Bit s-1 set: the row matches step s (with its held value present, when a property is held). */
  stepMask: Uint32Array;
  /** Bit j set: the row is exclusion j's event (null without exclusions). */
  excl: Uint32Array | null;
  /** The held property's value as a dense code (equal codes = equal values), or null when none is held. */
  hold: Int32Array | null;
  /** How many held codes there are (0..holdCodes-1; -1 is a missing value). */
  holdCodes: number;
}

/**
 * Per held code and step, the last row seen by the current unit's sweep (valid where the code's stamp is that
 * unit): kept per rows for all slices, so no unit allocates (a Map and an array per held value had cost F2 ~30%).
 */
const heldScratch = new WeakMap<PassRows, { last: Int32Array; stamp: Int32Array }>();

/** Per unit: its best attempt. */
export interface PassResult {
  /** Depth of the best attempt (0: the unit has no step-1 row). */
  depth: Uint8Array;
  /** The best attempt's anchor row (its step-1 event), -1 when depth is 0. */
  anchor: Int32Array;
  /** stepRow[u * steps + s] = row of step s+1 in the best attempt, -1 past its depth or when missing. */
  stepRow: Int32Array;
}

/** An empty result for `units` units of a funnel of `steps` steps (sequentialPass fills it). */
export function passResult(units: number, steps: number, mem: Scratch = FRESH): PassResult {
  return { depth: mem.take(Uint8Array, units), anchor: mem.take(Int32Array, units, false).fill(-1), stepRow: mem.take(Int32Array, units * steps, false).fill(-1) };
}

/**
 * Run the pass over units `from`..`to`-1 (all by default) into `out`. Units whose only rows match no step-1 event
 * get depth 0 (funnelCoreSql has no row for them). A caller may run the units in slices, yielding in between.
 */
export function sequentialPass(spec: PassSpec, rows: PassRows, from = 0, to = rows.unitStart.length - 1, out?: PassResult): PassResult {
  const n = spec.steps;
  const res = out ?? passResult(rows.unitStart.length - 1, n);
  const { depth, anchor, stepRow } = res;
  // Per unit, for its row r (index i = r - lo): next[s * len + i] is the first row after r (strictly greater key)
  // matching step s+1 (and r's held value for s >= 1: steps after the first share the anchor's); nextX[j * len + i]
  // the first row at or after r that is exclusion j's event; -1 for none. Buffers grow to the longest unit.
  const nx = spec.exclusions.length;
  let next = new Int32Array(0);
  let nextX = new Int32Array(0);
  let len = 0;
  let lo = 0;
  const { t, keyEq, stepMask, excl, hold } = rows;
  const W = spec.windowUs;
  const chain = new Int32Array(n);
  const last = new Int32Array(n);
  let held = heldScratch.get(rows);
  if (!held) heldScratch.set(rows, (held = { last: new Int32Array(hold ? rows.holdCodes * n : 0), stamp: new Int32Array(hold ? rows.holdCodes : 0).fill(-1) }));
  const heldLast = held.last;
  const heldStamp = held.stamp;
  const lastX = new Int32Array(Math.max(1, nx));
  for (let u = from; u < to; u++) {
    lo = rows.unitStart[u];
    const hi = rows.unitStart[u + 1];
    if (hi <= lo) continue;
    len = hi - lo;
    if (next.length < n * len) next = new Int32Array(Math.max(n * len, next.length * 2));
    if (nextX.length < Math.max(1, nx) * len) nextX = new Int32Array(Math.max(Math.max(1, nx) * len, nextX.length * 2));
    sweep(lo, hi, u);
    let bestDepth = 0;
    for (let r = lo; r < hi; r++) {
      if (!(stepMask[r] & 1)) continue;
      chain[0] = r;
      for (let s = 1; s < n; s++) chain[s] = chain[s - 1] < 0 ? -1 : next[s * len + chain[s - 1] - lo];
      const d = depthOf(r);
      // Deepest, then earliest anchor: rows come in key order, so a later anchor wins only by going deeper.
      if (d > bestDepth) {
        bestDepth = d;
        anchor[u] = r;
        for (let s = 0; s < n; s++) stepRow[u * n + s] = s < d ? chain[s] : -1;
      }
    }
    depth[u] = bestDepth;
  }
  return res;

  /** Fill `next` and `nextX` for rows lo..hi-1 (one unit), from its last row back. */
  function sweep(lo: number, hi: number, unit: number): void {
    // Rows of equal key form a block; every row of a block gets the pointers as they stood after the block.
    last.fill(-1);
    lastX.fill(-1);
    // With a held property, steps after the first look for the next row with the same held value: heldLast for
    // codes stamped with this unit (others have not been seen in it).
    let end = hi;
    while (end > lo) {
      let start = end - 1;
      while (start > lo && keyEq[start - 1]) start--;
      for (let r = start; r < end; r++) {
        next[r - lo] = last[0];
        if (hold === null) {
          for (let s = 1; s < n; s++) next[s * len + r - lo] = last[s];
        } else {
          const code = hold[r];
          const seen = code >= 0 && heldStamp[code] === unit;
          for (let s = 1; s < n; s++) next[s * len + r - lo] = seen ? heldLast[code * n + s] : -1;
        }
      }
      // Exclusions are "at or after" a time: filled per row (the block's own rows included), from the back.
      for (let r = end - 1; r >= start; r--) {
        for (let j = 0; j < nx; j++) {
          if (excl && excl[r] & (1 << spec.exclusions[j].bit)) lastX[j] = r;
          nextX[j * len + r - lo] = lastX[j];
        }
      }
      for (let r = end - 1; r >= start; r--) {
        const m = stepMask[r];
        if (!m) continue;
        for (let s = 0; s < n; s++) {
          if (!(m & (1 << s))) continue;
          last[s] = r;
          const code = hold === null ? -1 : hold[r];
          if (code >= 0) {
            if (heldStamp[code] !== unit) {
              heldStamp[code] = unit;
              heldLast.fill(-1, code * n, code * n + n);
            }
            heldLast[code * n + s] = r;
          }
        }
      }
      end = start;
    }
  }

  /** Depth of the attempt in `chain` anchored at row a. */
  function depthOf(a: number): number {
    const t0 = t[a];
    for (let s = 1; s < n; s++) {
      const r = chain[s];
      if (r < 0) return s;
      if (W !== null && !(t[r] <= t0 + W)) return s;
      // Cut between step m (= s, 1-based) and step s+1: the first exclusion event strictly later than step m's time.
      for (let j = 0; j < nx; j++) {
        const x = spec.exclusions[j];
        if (s < x.from || s >= x.to) continue;
        const tm = t[chain[s - 1]];
        const q = firstAfterTime(chain[s - 1], tm, j);
        if (q >= 0 && t[q] < t[r]) return s;
      }
    }
    return n;
  }

  /** The first row of exclusion j with time strictly later than tm, from row r on (the current unit's rows). */
  function firstAfterTime(r: number, tm: number, j: number): number {
    let q = nextX[j * len + r - lo];
    // Rows at the same instant as step m are not "strictly later": step past them (few, in practice).
    while (q >= 0 && t[q] <= tm) q = q + 1 - lo < len ? nextX[j * len + q + 1 - lo] : -1;
    return q;
  }
}
