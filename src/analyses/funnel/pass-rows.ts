// Between DuckDB and the one-pass funnel (pass.ts): funnelEventsSql's Arrow rows in, the pass's columns out, and
// each unit's best attempt read back as `best` rows (the shape funnelCoreSql's `best` CTE has).
import { Type, type Table, type Vector } from 'apache-arrow';
import { keyHasRowid } from './sql.ts';
import type { FunnelSpec } from './spec.ts';
import { passResult, sequentialPass, type PassResult, type PassRows, type PassSpec } from './pass.ts';

/** One unit's best attempt, as funnelCoreSql's `best` has it (times in epoch µs; ts past the depth are null). */
export interface BestRow {
  /** The unit's key: its id (text keys) or its hash's top 52 bits. */
  u: string | number;
  depth: number;
  entry: number;
  g: string | null;
  ts: (number | null)[];
}

/** Rows handled between two pauses (a few milliseconds of work): long passes never hold the page's main thread. */
export const SLICE_ROWS = 1 << 18;

/** Give the event loop a turn (the page: a task, not a clamped timer); resolves at once where nothing waits. */
export type Pause = () => Promise<void>;
export const noPause: Pause = () => Promise.resolve();

/** The pass's rows from funnelEventsSql's result. */
export async function passRows(table: Table, spec: FunnelSpec, pause: Pause = noPause): Promise<PassRows> {
  const n = table.numRows;
  const hu = table.getChild('hu')!;
  const t = Float64Array.from(table.getChild('t')!.toArray() as ArrayLike<number>);
  const rank = table.getChild('rank')!.toArray() as Int32Array;
  const steps = table.getChild('steps')!.toArray() as Int32Array;
  const excl = spec.exclusions.length ? Uint32Array.from(table.getChild('excl')!.toArray() as Int32Array) : null;
  const ridKey = keyHasRowid(spec);
  const starts: number[] = [];
  const keyEq = new Uint8Array(n);
  // Units: runs of one key. Numeric keys (hash bits, checked distinct per id) compare as numbers; text ids as
  // UTF-8 bytes, never decoded.
  const text = hu.type.typeId === Type.Utf8;
  const ids = text ? utf8Rows(hu) : null;
  const keys = text ? null : (hu.toArray() as ArrayLike<number>);
  for (let i = 0; i < n; i++) {
    if (i % SLICE_ROWS === SLICE_ROWS - 1) await pause();
    if (i === 0 || (ids ? !ids.same(i, i - 1) : keys![i] !== keys![i - 1])) {
      starts.push(i);
    } else if (!ridKey && t[i] === t[i - 1] && rank[i] === rank[i - 1]) {
      keyEq[i - 1] = 1;
    }
  }
  starts.push(n);
  let hold: Int32Array | null = null;
  if (spec.hold) {
    const h = table.getChild('hh')!;
    const codes = new Map<unknown, number>();
    hold = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (i % SLICE_ROWS === SLICE_ROWS - 1) await pause();
      const v = h.get(i);
      if (v === null) hold[i] = -1;
      else {
        let c = codes.get(v);
        if (c === undefined) codes.set(v, (c = codes.size));
        hold[i] = c;
      }
    }
  }
  return { unitStart: Int32Array.from(starts), t, keyEq, stepMask: Uint32Array.from(steps), excl, hold };
}

/** Row-wise byte access to a text column (any number of record batches): `same(i, j)` compares two rows' bytes. */
function utf8Rows(v: Vector): { same(i: number, j: number): boolean } {
  const offs: Int32Array[] = [];
  const vals: Uint8Array[] = [];
  const chunkOf = new Int32Array(v.length);
  const base: number[] = [];
  let row = 0;
  for (const d of v.data) {
    base.push(row);
    offs.push(d.valueOffsets as Int32Array);
    vals.push(d.values as Uint8Array);
    chunkOf.fill(offs.length - 1, row, row + d.length);
    row += d.length;
  }
  return {
    same(i, j) {
      const ci = chunkOf[i];
      const cj = chunkOf[j];
      const oi = offs[ci], oj = offs[cj];
      const li = i - base[ci] + v.data[ci].offset, lj = j - base[cj] + v.data[cj].offset;
      const a0 = oi[li], a1 = oi[li + 1], b0 = oj[lj], b1 = oj[lj + 1];
      if (a1 - a0 !== b1 - b0) return false;
      const va = vals[ci], vb = vals[cj];
      for (let k = 0; k < a1 - a0; k++) if (va[a0 + k] !== vb[b0 + k]) return false;
      return true; // unit ids are never NULL here (funnelEventsSql keeps only events with a unit)
    },
  };
}

/** Run the pass over the units of `rows` in slices of about SLICE_ROWS rows, pausing between them. */
export async function slicedPass(spec: PassSpec, rows: PassRows, pause: Pause = noPause, sliceRows = SLICE_ROWS): Promise<PassResult> {
  const units = rows.unitStart.length - 1;
  const out = passResult(units, spec.steps);
  for (let from = 0; from < units; ) {
    let to = from + 1;
    while (to < units && rows.unitStart[to] - rows.unitStart[from] < sliceRows) to++;
    sequentialPass(spec, rows, from, to, out);
    from = to;
    if (from < units) await pause();
  }
  return out;
}

/** The pass's shape for `spec` with its window in µs. */
export function passSpec(spec: FunnelSpec, windowUs: number | null): PassSpec {
  return { steps: spec.steps.length, windowUs, exclusions: spec.exclusions.map((x, j) => ({ bit: j, from: x.from, to: x.to })) };
}

/** Run the sequential pass over funnelEventsSql's rows: each unit's best attempt. */
export async function sequentialBest(table: Table, spec: FunnelSpec, windowUs: number | null): Promise<BestRow[]> {
  const rows = await passRows(table, spec);
  const n = spec.steps.length;
  const res = await slicedPass(passSpec(spec, windowUs), rows);
  const got = { rows };
  const hu = table.getChild('hu')!;
  const g = table.getChild('g');
  const t = got.rows.t;
  const out: BestRow[] = [];
  for (let k = 0; k < res.depth.length; k++) {
    const d = res.depth[k];
    if (d === 0) continue;
    const a = res.anchor[k];
    const ts: (number | null)[] = [];
    for (let s = 0; s < n; s++) {
      const r = res.stepRow[k * n + s];
      ts.push(r < 0 ? null : t[r]);
    }
    out.push({ u: hu.get(a) as string | number, depth: d, entry: t[a], g: (g?.get(a) as string | null) ?? null, ts });
  }
  return out;
}
