// Between DuckDB and the one-pass funnel (pass.ts): funnelEventsSql's Arrow rows in (grouped by unit and put in
// sort-key order here), the pass's columns out, run in slices.
import { Type, type Table, type Vector } from 'apache-arrow';
import { keyHasRowid } from './sql.ts';
import type { FunnelSpec } from './spec.ts';
import { passResult, sequentialPass, type PassResult, type PassRows, type PassSpec } from './pass.ts';
import { CHECK, CHECK_FINE, childOf, columnArray, FRESH, groupRuns, HashBits, inGroupSlices, inSlices, noPause, validArray, type Pause, type Scratch } from '../pass-kit.ts';

/** The pass's rows, and for each of them the row of funnelEventsSql's result it came from. */
export type SortedRows = PassRows & { source: Int32Array };

/** Rank of a row matching no step (an exclusion's event): after every step at the same instant, as keySql has it. */
const OTHER_RANK = 31;

/**
 * The pass's rows from funnelEventsSql's result (in any order): grouped by unit with a stable counting sort, then
 * each unit's rows in sort-key order — time, then step rank, then table order (rowid) where the key has it. Rows
 * usually arrive in time order already (events are stored so), and then a unit's slice is only checked. Arrays come
 * from `mem` (the caller hands them back when it is done with the rows).
 */
export async function passRows(table: Table, spec: FunnelSpec, pause: Pause = noPause, mem: Scratch = FRESH): Promise<SortedRows> {
  const n = table.numRows;
  const hu = childOf(table, 'hu');
  const t0 = await columnArray<Float64Array>(table, 't', pause, mem);
  const steps0 = await columnArray<Int32Array>(table, 'steps', pause, mem);
  const excl0 = spec.exclusions.length ? await columnArray<Int32Array>(table, 'excl', pause, mem) : null;
  const ridKey = keyHasRowid(spec);
  const rid0 = ridKey ? await columnArray<Int32Array>(table, 'rid', pause, mem) : null;
  // (Every loop below is a small synchronous function run a slice at a time: inSlices says why.)
  // Dense unit ids in order of appearance: numeric keys (hash bits, checked distinct per id) or the text ids.
  const unit = mem.take(Int32Array, n, false); // every row is given its unit below
  let U = 0;
  if (hu.type.typeId === Type.Utf8) {
    const ids = new Map<unknown, number>();
    await inSlices(n, pause, (lo, hi) => textIds(hu, ids, unit, lo, hi));
    U = ids.size;
  } else {
    const ids = new HashBits(n >> 3, mem);
    const keys = await columnArray<Float64Array>(table, 'hu', pause, mem);
    // Finer slices: the table's pages are first touched here.
    await inSlices(n, pause, (lo, hi) => hashIds(ids, keys, unit, lo, hi), CHECK_FINE);
    U = ids.size;
  }
  // Rows grouped by unit a run at a time (a user's month, a session: events are stored by month, then user, then
  // time). Only when every unit is one run does nothing move (then below the columns are used as they came) — rare in
  // practice: one session across a month's end is enough to need the general placement.
  const { start: unitStart, order: source, kept } = await groupRuns(unit, U, pause, mem);
  mem.give(unit);
  // Step rank: the first step the row matches (its lowest step bit), OTHER_RANK for none.
  const rank = mem.take(Uint8Array, n, false); // every row's rank is set below
  await inSlices(n, pause, (lo, hi) => ranks(steps0, rank, lo, hi));
  const keyed: Keyed = { t: t0, rank, tie: rid0 };
  const resorted: number[] = []; // units put in key order here
  await inGroupSlices(unitStart, U, pause, (u0, u1) => sortUnits(keyed, unitStart, source, resorted, u0, u1));
  // The columns in pass order. Grouped already: the statement's own arrays (read only) — copied, then patched where
  // a unit was re-sorted (rows of one instant stored in another order than the key's), when any was. Else gathered.
  // (A step mask read as DOUBLE — the statement in some tests — is converted; an INTEGER one is read as unsigned.)
  const u32 = (a: Int32Array) => (a instanceof Int32Array ? new Uint32Array(a.buffer, a.byteOffset, a.length) : Uint32Array.from(a));
  const patch = kept && resorted.length > 0;
  // (Gathered arrays are written whole below, so they need no zeroing.)
  const t = !kept ? mem.take(Float64Array, n, false) : patch ? t0.slice() : t0;
  const stepMask = !kept ? mem.take(Uint32Array, n, false) : patch ? u32(steps0.slice()) : u32(steps0);
  const excl = excl0 ? (!kept ? mem.take(Uint32Array, n, false) : patch ? u32(excl0.slice()) : u32(excl0)) : null;
  const keyEq = mem.take(Uint8Array, n);
  const cols: Gathered = { source, t0, steps0, excl0, t, stepMask, excl };
  if (kept) {
    let since = 0;
    for (const u of resorted) {
      gather(cols, unitStart[u], unitStart[u + 1]);
      if ((since += unitStart[u + 1] - unitStart[u]) >= CHECK) {
        since = 0;
        await pause();
      }
    }
  } else {
    await inSlices(n, pause, (lo, hi) => gather(cols, lo, hi));
  }
  // Equal keys (no table order in the key): the same instant and rank, in one unit.
  if (!ridKey) await inGroupSlices(unitStart, U, pause, (u0, u1) => equalKeys(t, rank, source, unitStart, keyEq, u0, u1));
  let hold: Int32Array | null = null;
  let holdCodes = 0;
  if (spec.hold) {
    // Held values as dense codes: hash bits through HashBits, text ids through a Map; NULL is -1.
    const h = childOf(table, 'hh');
    const codesOut = mem.take(Int32Array, n, false); // every row's code is set below
    hold = codesOut;
    if (h.type.typeId === Type.Utf8) {
      const codes = new Map<unknown, number>();
      await inSlices(n, pause, (lo, hi) => textHeld(h, codes, source, codesOut, lo, hi));
      holdCodes = codes.size;
    } else {
      const codes = new HashBits(n >> 4, mem);
      const values = await columnArray<Float64Array>(table, 'hh', pause, mem);
      const valid = await validArray(table, 'hh', pause, mem);
      await inSlices(n, pause, (lo, hi) => hashHeld(codes, values, valid, source, codesOut, lo, hi));
      holdCodes = codes.size;
    }
  }
  return { unitStart, t, keyEq, stepMask, excl, hold, holdCodes, source };
}

function textIds(hu: Vector, ids: Map<unknown, number>, unit: Int32Array, lo: number, hi: number): void {
  for (let i = lo; i < hi; i++) {
    const key = hu.get(i);
    let c = ids.get(key);
    if (c === undefined) ids.set(key, (c = ids.size));
    unit[i] = c;
  }
}

function hashIds(ids: HashBits, keys: Float64Array, unit: Int32Array, lo: number, hi: number): void {
  for (let i = lo; i < hi; i++) unit[i] = ids.id(keys[i]);
}

function ranks(steps: Int32Array, rank: Uint8Array, lo: number, hi: number): void {
  for (let i = lo; i < hi; i++) rank[i] = steps[i] ? 32 - Math.clz32(steps[i] & -steps[i]) : OTHER_RANK;
}

/** What orders a unit's rows: time, then step rank, then table order (rowid, where the key has it) or row order. */
interface Keyed {
  t: Float64Array;
  rank: Uint8Array;
  tie: Int32Array | null;
}

/** Units u0..u1-1 put in key order (each only checked when in order already, as it mostly is); re-sorted ones listed. */
function sortUnits(k: Keyed, unitStart: Int32Array, source: Int32Array, resorted: number[], u0: number, u1: number): void {
  const { t, rank, tie } = k;
  for (let u = u0; u < u1; u++) {
    const lo = unitStart[u];
    const hi = unitStart[u + 1];
    for (let i = lo + 1; i < hi; i++) {
      const a = source[i - 1];
      const b = source[i];
      const d = t[a] - t[b] || rank[a] - rank[b] || (tie ? tie[a] - tie[b] : a - b);
      if (d > 0) {
        const cmp = (x: number, y: number) => t[x] - t[y] || rank[x] - rank[y] || (tie ? tie[x] - tie[y] : x - y);
        source.set(Array.from(source.subarray(lo, hi)).sort(cmp), lo);
        resorted.push(u);
        break;
      }
    }
  }
}

/** The statement's columns (…0) and the pass's, in the order `source` gives. */
interface Gathered {
  source: Int32Array;
  t0: Float64Array;
  steps0: Int32Array;
  excl0: Int32Array | null;
  t: Float64Array;
  stepMask: Uint32Array;
  excl: Uint32Array | null;
}

function gather(c: Gathered, lo: number, hi: number): void {
  const { source, t0, steps0, excl0, t, stepMask, excl } = c;
  for (let i = lo; i < hi; i++) {
    const r = source[i];
    t[i] = t0[r];
    stepMask[i] = steps0[r];
    if (excl) excl[i] = excl0![r];
  }
}

function equalKeys(t: Float64Array, rank: Uint8Array, source: Int32Array, unitStart: Int32Array, keyEq: Uint8Array, u0: number, u1: number): void {
  for (let u = u0; u < u1; u++) {
    for (let i = unitStart[u]; i < unitStart[u + 1] - 1; i++) {
      if (t[i] === t[i + 1] && rank[source[i]] === rank[source[i + 1]]) keyEq[i] = 1;
    }
  }
}

function textHeld(h: Vector, codes: Map<unknown, number>, source: Int32Array, hold: Int32Array, lo: number, hi: number): void {
  for (let i = lo; i < hi; i++) {
    const v = h.get(source[i]);
    if (v === null) hold[i] = -1;
    else {
      let c = codes.get(v);
      if (c === undefined) codes.set(v, (c = codes.size));
      hold[i] = c;
    }
  }
}

function hashHeld(codes: HashBits, values: Float64Array, valid: Uint8Array, source: Int32Array, hold: Int32Array, lo: number, hi: number): void {
  for (let i = lo; i < hi; i++) {
    const r = source[i];
    hold[i] = valid[r] ? codes.id(values[r]) : -1;
  }
}

/** Run the pass over the units of `rows` in slices of about `sliceRows` rows, pausing between them. */
export async function slicedPass(
  spec: PassSpec, rows: PassRows, pause: Pause = noPause, sliceRows = CHECK, mem: Scratch = FRESH,
): Promise<PassResult> {
  const units = rows.unitStart.length - 1;
  const out = passResult(units, spec.steps, mem);
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
