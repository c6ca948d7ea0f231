// Between DuckDB and the one-pass funnel (pass.ts): funnelEventsSql's Arrow rows in (grouped by unit and put in
// sort-key order here), the pass's columns out, run in slices.
import { Type, type Table } from 'apache-arrow';
import { keyHasRowid } from './sql.ts';
import type { FunnelSpec } from './spec.ts';
import { passResult, sequentialPass, type PassResult, type PassRows, type PassSpec } from './pass.ts';
import { CHECK, CHECK_FINE, childOf, columnArray, FRESH, groupRuns, HashBits, noPause, validArray, type Pause, type Scratch } from '../pass-kit.ts';

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
  // Dense unit ids in order of appearance: numeric keys (hash bits, checked distinct per id) or the text ids.
  const unit = mem.take(Int32Array, n, false); // every row is given its unit below
  let U = 0;
  if (hu.type.typeId === Type.Utf8) {
    const ids = new Map<unknown, number>();
    for (let i = 0; i < n; i++) {
      if (i % CHECK === CHECK - 1) await pause();
      const key = hu.get(i);
      let c = ids.get(key);
      if (c === undefined) ids.set(key, (c = ids.size));
      unit[i] = c;
    }
    U = ids.size;
  } else {
    const ids = new HashBits(n >> 3, mem);
    const keys = await columnArray<Float64Array>(table, 'hu', pause, mem);
    for (let i = 0; i < n; i++) {
      if (i % CHECK_FINE === CHECK_FINE - 1) await pause(); // the table's pages are first touched here
      unit[i] = ids.id(keys[i]);
    }
    U = ids.size;
  }
  // Rows grouped by unit a run at a time (a user's month, a session: events are stored by month, then user, then
  // time). Only when every unit is one run does nothing move (then below the columns are used as they came) — rare in
  // practice: one session across a month's end is enough to need the general placement.
  const { start: unitStart, order: source, kept } = await groupRuns(unit, U, pause, mem);
  mem.give(unit);
  const resorted: number[] = []; // units put in key order here
  // Step rank: the first step the row matches (its lowest step bit), OTHER_RANK for none.
  const rank = mem.take(Uint8Array, n, false); // every row's rank is set below
  for (let i = 0; i < n; i++) {
    if (i % CHECK === CHECK - 1) await pause();
    rank[i] = steps0[i] ? 32 - Math.clz32(steps0[i] & -steps0[i]) : OTHER_RANK;
  }
  const tie = rid0 ?? null;
  const cmp = (a: number, b: number) => t0[a] - t0[b] || rank[a] - rank[b] || (tie ? tie[a] - tie[b] : a - b);
  // Per-unit loops check for a pause every CHECK rows, not units (at 10M events a unit has ~12 rows).
  let nextCheck = CHECK;
  for (let u = 0; u < U; u++) {
    if (unitStart[u] >= nextCheck) {
      nextCheck = unitStart[u] + CHECK;
      await pause();
    }
    const lo = unitStart[u];
    const hi = unitStart[u + 1];
    let sorted = true;
    for (let i = lo + 1; i < hi; i++) {
      const a = source[i - 1];
      const b = source[i];
      const d = t0[a] - t0[b] || rank[a] - rank[b] || (tie ? tie[a] - tie[b] : a - b);
      if (d > 0) {
        sorted = false;
        break;
      }
    }
    if (!sorted) {
      source.set(Array.from(source.subarray(lo, hi)).sort(cmp), lo);
      resorted.push(u);
    }
  }
  await pause();
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
  const gather = (lo: number, hi: number) => {
    for (let i = lo; i < hi; i++) {
      const r = source[i];
      t[i] = t0[r];
      stepMask[i] = steps0[r];
      if (excl) excl[i] = excl0![r];
    }
  };
  if (kept) {
    let since = 0;
    for (const u of resorted) {
      gather(unitStart[u], unitStart[u + 1]);
      if ((since += unitStart[u + 1] - unitStart[u]) >= CHECK) {
        since = 0;
        await pause();
      }
    }
  } else {
    for (let lo = 0; lo < n; lo += CHECK) {
      await pause();
      gather(lo, Math.min(n, lo + CHECK));
    }
  }
  // Equal keys (no table order in the key): the same instant and rank, in one unit.
  if (!ridKey) {
    nextCheck = CHECK;
    for (let u = 0; u < U; u++) {
      if (unitStart[u] >= nextCheck) {
        nextCheck = unitStart[u] + CHECK;
        await pause();
      }
      for (let i = unitStart[u]; i < unitStart[u + 1] - 1; i++) {
        if (t[i] === t[i + 1] && rank[source[i]] === rank[source[i + 1]]) keyEq[i] = 1;
      }
    }
  }
  let hold: Int32Array | null = null;
  let holdCodes = 0;
  if (spec.hold) {
    // Held values as dense codes: hash bits through HashBits, text ids through a Map; NULL is -1.
    const h = childOf(table, 'hh');
    hold = mem.take(Int32Array, n, false); // every row's code is set below
    if (h.type.typeId === Type.Utf8) {
      const codes = new Map<unknown, number>();
      for (let i = 0; i < n; i++) {
        if (i % CHECK === CHECK - 1) await pause();
        const v = h.get(source[i]);
        if (v === null) hold[i] = -1;
        else {
          let c = codes.get(v);
          if (c === undefined) codes.set(v, (c = codes.size));
          hold[i] = c;
        }
      }
      holdCodes = codes.size;
    } else {
      const codes = new HashBits(n >> 4, mem);
      const values = await columnArray<Float64Array>(table, 'hh', pause, mem);
      const valid = await validArray(table, 'hh', pause, mem);
      for (let i = 0; i < n; i++) {
        if (i % CHECK === CHECK - 1) await pause();
        const r = source[i];
        hold[i] = valid[r] ? codes.id(values[r]) : -1;
      }
      holdCodes = codes.size;
    }
  }
  return { unitStart, t, keyEq, stepMask, excl, hold, holdCodes, source };
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
