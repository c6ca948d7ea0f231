// Funnels from columns kept in the page: every event's unit, time and type, loaded once per dataset version and
// grouped by unit, from which each funnel of plain event-type steps takes its step events with no statement at all.
//
// Why: a one-pass funnel's own statement (funnelEventsSql) is most of its time — selecting, hashing and handing over
// ~16-27 MB of rows at 1M events on every run — while the pass over them is a fraction. Most funnels an analyst
// tries are steps of plain event types (the default one among them), and those all read the same three things of
// each event; kept once, grouped by unit and in time order, each such funnel is a filter of the kept rows and the
// pass (README, "Funnels from kept columns"). 9 bytes an event (time and a type index), ~94 MB at 10M events.
//
// Same answers as funnelEventsSql + passRows: the same units (hash bits checked distinct by funnelKeysSql, else
// this is not used), the same rows (events with a unit, a time and a type matching a step or an exclusion), in the
// same key order (time, then step rank; rows equal in both are interchangeable and marked keyEq, as passRows marks
// them — a spec whose key needs table order, keyHasRowid, is not taken here).
import type { Table } from 'apache-arrow';
import { StrataError } from '../../errors.ts';
import { isEmptyFilter } from '../filter/spec.ts';
import { childOf, CHECK_FINE, columnArray, FRESH, groupRuns, HashBits, inGroupSlices, inSlices, noPause, type Pause, type Scratch } from '../pass-kit.ts';
import { literal, raw, type Sql } from '../../sql/quote.ts';
import { keyHasRowid } from './sql.ts';
import type { PassRows } from './pass.ts';
import type { FunnelSpec } from './spec.ts';

/** Rank of a row matching no step (an exclusion's event): after every step at the same instant, as keySql has it. */
const OTHER_RANK = 31;
/** Type indexes fit a byte; a dataset with more distinct event types than this is not kept (its funnels use SQL). */
export const MAX_KEPT_TYPES = 255;

/**
 * Whether a funnel can be computed from kept columns: a one-pass funnel (passSupports) without a breakdown whose
 * steps and exclusions are plain event types (no conditions), no two steps of one type, no held property and no
 * users filter.
 */
export function columnsSupport(spec: FunnelSpec): boolean {
  const plain = (s: { filter?: Parameters<typeof isEmptyFilter>[0] }) => !s.filter || isEmptyFilter(s.filter);
  return (
    spec.order === 'sequential' && !spec.breakdown && !spec.hold && !keyHasRowid(spec) && isEmptyFilter(spec.users) &&
    spec.steps.every(plain) && spec.exclusions.every(plain)
  );
}

/**
 * Every event's unit (`hu`: the top 52 bits of the user's or session's id hash, as funnelEventsSql keys them), time
 * (`t`, epoch µs) and type (`c`: its index in `types`, the dataset's types as funnelTypesSql lists them), for events
 * with all three. Read once per dataset version and unit kind. (The index, one byte, rather than a hash of the type:
 * natively at 1M events 131-198 ms against 160-296, and a quarter of the bytes for the type.)
 */
export function funnelColumnsSql(countBy: FunnelSpec['countBy'], types: readonly string[]): Sql {
  if (types.length > MAX_KEPT_TYPES) throw new StrataError(`Funnel columns are kept for at most ${MAX_KEPT_TYPES} event types, not ${types.length}.`);
  const unit = countBy === 'sessions' ? 'e.session_id' : 'e.user_id';
  // The types are the data's own: written in through the one escaping function.
  const list = types.map((t) => literal(t)).join(', ');
  return raw(`SELECT (hash(${unit}) >> 12)::DOUBLE AS hu, epoch_us(e.ts)::DOUBLE AS t, (list_position([${list}]::VARCHAR[], e.event_type) - 1)::UTINYINT AS c
FROM events e WHERE ${unit} IS NOT NULL AND e.ts IS NOT NULL AND e.event_type IS NOT NULL`);
}

/** The dataset's event types (`t`), in byte order. */
export function funnelTypesSql(): Sql {
  return raw(`SELECT DISTINCT event_type::VARCHAR AS t FROM events WHERE event_type IS NOT NULL ORDER BY 1`);
}

/** funnelTypesSql's rows as a list. */
export function decodeTypes(table: Table): string[] {
  const col = childOf(table, 't');
  return Array.from({ length: table.numRows }, (_, i) => String(col.get(i)));
}

/** The kept columns: units' rows side by side, each unit's in time order. */
export interface FunnelColumns {
  /** unitStart[u] .. unitStart[u + 1] - 1 are unit u's rows; the last entry is the row count. */
  unitStart: Int32Array;
  /** Event time, epoch µs. */
  t: Float64Array;
  /** Index of the event's type in `types`. */
  type: Uint8Array;
  /** The event types by index. */
  types: string[];
}

/**
 * The kept columns from funnelColumnsSql's rows (read with `types`), or null when they cannot be kept: more than
 * MAX_KEPT_TYPES types, or an event whose type is not among them (the data changed between the two statements).
 * Work arrays come from `mem`; the kept arrays are fresh (they outlive the run).
 */
export async function keepColumns(rows: Table, types: readonly string[], pause: Pause = noPause, mem: Scratch = FRESH): Promise<FunnelColumns | null> {
  if (types.length > MAX_KEPT_TYPES) return null;
  const n = rows.numRows;
  if (childOf(rows, 'c').nullCount > 0) return null;
  const hu = await columnArray<Float64Array>(rows, 'hu', pause, mem);
  const t0 = await columnArray<Float64Array>(rows, 't', pause, mem);
  const type0 = await columnArray<Uint8Array>(rows, 'c', pause, mem);
  const unit = mem.take(Int32Array, n, false);
  const ids = new HashBits(n >> 3, mem);
  await inSlices(n, pause, (lo, hi) => hashIds(ids, hu, unit, lo, hi), CHECK_FINE);
  const U = ids.size;
  const { start, order } = await groupRuns(unit, U, pause, mem);
  mem.give(unit);
  await inGroupSlices(start, U, pause, (u0, u1) => timeOrder(t0, start, order, u0, u1));
  const t = new Float64Array(n);
  const type = new Uint8Array(n);
  await inSlices(n, pause, (lo, hi) => gatherKept(order, t0, type0, t, type, lo, hi));
  return { unitStart: start.slice(), t, type, types: [...types] };
}

function hashIds(ids: HashBits, keys: Float64Array, unit: Int32Array, lo: number, hi: number): void {
  for (let i = lo; i < hi; i++) unit[i] = ids.id(keys[i]);
}

/** Units u0..u1-1's rows (indexes into the statement's rows, in `order`) in time order, ties in statement order. */
function timeOrder(t: Float64Array, start: Int32Array, order: Int32Array, u0: number, u1: number): void {
  for (let u = u0; u < u1; u++) {
    const lo = start[u];
    const hi = start[u + 1];
    for (let i = lo + 1; i < hi; i++) {
      const a = order[i - 1];
      const b = order[i];
      if (t[a] > t[b] || (t[a] === t[b] && a > b)) {
        order.set(Array.from(order.subarray(lo, hi)).sort((x, y) => t[x] - t[y] || x - y), lo);
        break;
      }
    }
  }
}

function gatherKept(order: Int32Array, t0: Float64Array, type0: Uint8Array, t: Float64Array, type: Uint8Array, lo: number, hi: number): void {
  for (let i = lo; i < hi; i++) {
    const r = order[i];
    t[i] = t0[r];
    type[i] = type0[r];
  }
}

/** Per type index: the step bits, exclusion bits and rank a row of that type gets in `spec`. */
interface TypeBits {
  step: Uint32Array;
  excl: Uint32Array;
  rank: Uint8Array;
}

function typeBits(cols: FunnelColumns, spec: FunnelSpec): TypeBits {
  const T = cols.types.length;
  const step = new Uint32Array(T);
  const excl = new Uint32Array(T);
  const rank = new Uint8Array(T).fill(OTHER_RANK);
  const index = new Map(cols.types.map((name, i) => [name, i]));
  // Steps of distinct types (columnsSupport): each type has at most one step bit, and its rank is that step.
  spec.steps.forEach((s, i) => {
    const j = index.get(s.eventType);
    if (j === undefined) return;
    step[j] |= 2 ** i;
    rank[j] = Math.min(rank[j], i + 1);
  });
  spec.exclusions.forEach((x, i) => {
    const j = index.get(x.eventType);
    if (j !== undefined) excl[j] |= 2 ** i;
  });
  return { step, excl, rank };
}

/**
 * The pass's rows for `spec` (columnsSupport) from the kept columns: each unit's rows whose type is a step or an
 * exclusion, in key order (time, then step rank), equal keys marked. Arrays come from `mem`.
 */
export async function rowsFromColumns(cols: FunnelColumns, spec: FunnelSpec, pause: Pause = noPause, mem: Scratch = FRESH): Promise<PassRows> {
  const bits = typeBits(cols, spec);
  const U = cols.unitStart.length - 1;
  const unitStart = mem.take(Int32Array, U + 1);
  await inGroupSlices(cols.unitStart, U, pause, (u0, u1) => countKept(cols, bits, unitStart, u0, u1));
  for (let u = 0; u < U; u++) unitStart[u + 1] += unitStart[u];
  const n = unitStart[U];
  const out: Picked = {
    t: mem.take(Float64Array, n, false), // every kept row is written below
    stepMask: mem.take(Uint32Array, n, false),
    excl: spec.exclusions.length ? mem.take(Uint32Array, n, false) : null,
    rank: mem.take(Uint8Array, n, false),
    keyEq: mem.take(Uint8Array, n),
  };
  await inGroupSlices(cols.unitStart, U, pause, (u0, u1) => pickKept(cols, bits, unitStart, out, u0, u1));
  mem.give(out.rank);
  return { unitStart, t: out.t, keyEq: out.keyEq, stepMask: out.stepMask, excl: out.excl, hold: null, holdCodes: 0 };
}

/** unitStart[u + 1] = how many of unit u's rows are kept, for units u0..u1-1. */
function countKept(cols: FunnelColumns, bits: TypeBits, unitStart: Int32Array, u0: number, u1: number): void {
  const { type } = cols;
  const { step, excl } = bits;
  for (let u = u0; u < u1; u++) {
    let k = 0;
    for (let i = cols.unitStart[u]; i < cols.unitStart[u + 1]; i++) if (step[type[i]] | excl[type[i]]) k++;
    unitStart[u + 1] = k;
  }
}

/** The pass's columns being filled. */
interface Picked {
  t: Float64Array;
  stepMask: Uint32Array;
  excl: Uint32Array | null;
  rank: Uint8Array;
  keyEq: Uint8Array;
}

/** Units u0..u1-1's kept rows, in key order (time, then rank), with equal keys marked. */
function pickKept(cols: FunnelColumns, bits: TypeBits, unitStart: Int32Array, out: Picked, u0: number, u1: number): void {
  const { type } = cols;
  const ct = cols.t;
  const { step, excl, rank } = bits;
  const { t, stepMask, keyEq } = out;
  const x = out.excl;
  const r = out.rank;
  for (let u = u0; u < u1; u++) {
    let k = unitStart[u];
    const lo = k;
    for (let i = cols.unitStart[u]; i < cols.unitStart[u + 1]; i++) {
      const y = type[i];
      if (!(step[y] | excl[y])) continue;
      // Kept rows come in time order; at one instant a lower rank goes first (insertion: such ties are rare).
      let j = k++;
      while (j > lo && t[j - 1] === ct[i] && r[j - 1] > rank[y]) {
        t[j] = t[j - 1];
        stepMask[j] = stepMask[j - 1];
        if (x) x[j] = x[j - 1];
        r[j] = r[j - 1];
        j--;
      }
      t[j] = ct[i];
      stepMask[j] = step[y];
      if (x) x[j] = excl[y];
      r[j] = rank[y];
    }
    for (let i = lo; i < k - 1; i++) if (t[i] === t[i + 1] && r[i] === r[i + 1]) keyEq[i] = 1;
  }
}
