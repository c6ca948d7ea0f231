// The funnel statement's result rows computed from the one-pass best attempts (pass.ts) instead of SQL: the same
// rows funnelSql returns (decode.ts reads both), for sequential funnels without a breakdown or broken down by an
// event field. Each figure is the statement's own arithmetic: counts; gaps in whole milliseconds (epoch_ms of each
// step time, truncated as DuckDB's epoch_ms does); the mean as the sum over the count (exact: sums of whole
// milliseconds below 2^53); the median as DuckDB's quantile_cont(0.5) (the middle value, or the mean of the two
// middle ones); histogram buckets by TIME_EDGES_MIN; trend periods as date_trunc('day' | 'week' | 'month') of the
// entry time (UTC, weeks from Monday); breakdown groups: the top N values by units, ties by value in byte order.
import type { Table } from 'apache-arrow';
import { passRows, passSpec, slicedPass, type SortedRows } from './pass-rows.ts';
import { columnsSupport, decodeTypes, funnelColumnsSql, funnelTypesSql, keepColumns, MAX_KEPT_TYPES, rowsFromColumns, type FunnelColumns } from './columns.ts';
import type { PassRows } from './pass.ts';
import { byteOrder, childOf, inSlices, noPause, Scratch, sharedPool, textCodesAt, type BufferPool, type Pause } from '../pass-kit.ts';
import { funnelEventsSql, funnelKeysSql, funnelSql, runFunnel, TIME_EDGES_MIN } from './sql.ts';
import { windowMinutes, type FunnelSpec, type TrendPeriod } from './spec.ts';
import { decodeFunnel, decodeFunnelRows, type FunnelResult, type FunnelRow } from './decode.ts';
import type { Field } from '../fields.ts';
import type { Sql } from '../../sql/quote.ts';
import { toIo, type Io } from '../../db/coordinator.ts';

/** Whether the one pass computes this funnel (otherwise the statement does). */
export function passSupports(spec: FunnelSpec): boolean {
  return spec.order === 'sequential' && (!spec.breakdown || (spec.breakdown.kind === 'field' && spec.breakdown.field.startsWith('e.')));
}

/**
 * funnelSql's rows for `spec` from funnelEventsSql's result, pausing between slices of the work. The pass's arrays
 * come from `pool` and go back to it when the rows are counted (none is in the result).
 */
export async function funnelRowsByPass(table: Table, spec: FunnelSpec, pause: Pause = noPause, pool: BufferPool | null = sharedPool): Promise<FunnelRow[]> {
  const mem = new Scratch(pool);
  try {
    return await rowsByPass(table, spec, pause, mem);
  } finally {
    mem.done();
  }
}

async function rowsByPass(table: Table, spec: FunnelSpec, pause: Pause, mem: Scratch): Promise<FunnelRow[]> {
  return tallyPass(await passRows(table, spec, pause, mem), spec, pause, mem, table);
}

/**
 * funnelSql's rows for `spec` (columnsSupport) from the kept columns (columns.ts): the same pass and figures as
 * funnelRowsByPass, over the step events taken from the columns instead of a statement's rows.
 */
export async function funnelRowsFromColumns(cols: FunnelColumns, spec: FunnelSpec, pause: Pause = noPause, pool: BufferPool | null = sharedPool): Promise<FunnelRow[]> {
  if (!columnsSupport(spec)) throw new Error('This funnel is not computed from kept columns (columnsSupport).');
  const mem = new Scratch(pool);
  try {
    return await tallyPass(await rowsFromColumns(cols, spec, pause, mem), spec, pause, mem, null);
  } finally {
    mem.done();
  }
}

/**
 * The pass over `rowsIn` and the figures of its best attempts. `table` is the statement's result the rows came
 * from (passRows' `source` indexes it): read for an event-field breakdown's values, so required with one.
 */
async function tallyPass(rowsIn: PassRows | SortedRows, spec: FunnelSpec, pause: Pause, mem: Scratch, table: Table | null): Promise<FunnelRow[]> {
  const n = spec.steps.length;
  const W = windowMinutes(spec.window);
  const res = await slicedPass(passSpec(spec, W === null ? null : W * 60_000_000), rowsIn, pause, undefined, mem);
  const t = rowsIn.t;
  // (Every loop below is a small synchronous function run a slice at a time: inSlices says why.)
  const counted = { n: 0 };
  const all = mem.take(Int32Array, res.depth.length, false); // the first counted.n are written below
  await inSlices(res.depth.length, pause, (lo, hi) => countedUnits(res.depth, all, counted, lo, hi));
  const units = all.subarray(0, counted.n);

  // Breakdown group of each counted unit (an index into `groups`): its anchor's value, kept when among the top N
  // (or missing), else Other. Without a breakdown every unit is in group 0 (no value).
  const groups: { g: string | null; o: boolean }[] = [{ g: null, o: false }];
  const gi = mem.take(Int32Array, units.length);
  const b = spec.breakdown;
  if (b?.kind === 'field') {
    if (!table || !('source' in rowsIn)) throw new Error('A breakdown by an event field needs the rows of funnelEventsSql.');
    const at = mem.take(Int32Array, units.length, false);
    anchorRows(units, res.anchor, rowsIn.source, at);
    const { codes, names } = textCodesAt(childOf(table, 'g'), at);
    const sizes = new Float64Array(names.length);
    for (const c of codes) if (c >= 0) sizes[c]++;
    const index = new Int32Array(names.length).fill(-1);
    const ranked = Array.from(names, (_, c) => c).sort((x, y) => sizes[y] - sizes[x] || byteOrder(names[x], names[y]));
    for (const c of ranked.slice(0, b.top)) {
      index[c] = groups.length;
      groups.push({ g: names[c], o: false });
    }
    const OTHER = groups.length;
    groups.push({ g: null, o: true });
    groupOf(codes, index, OTHER, gi);
  }

  const G = groups.length;
  const B = TIME_EDGES_MIN.length + 1;
  // depth: units per group and depth; gaps per group and transition, and per transition over all groups; hist: per
  // transition and bucket; trend: per group and depth, units per period.
  // The gaps go into pooled arrays, one per (group, transition) and one per transition over all groups (the same
  // array when there is one group: the same values), each sized by a count first and taken with a turn for the
  // page between: growing JS arrays by push (to ~0.5M values each on the 10M shop) made slices of this loop 50-90
  // ms (fresh memory at every growth), and one array for all of them a 100 ms task to allocate, measured.
  const size = new Int32Array(G * n);
  await inSlices(units.length, pause, (lo, hi) => gapCounts(units, res.depth, gi, n, size, lo, hi));
  const take = async (len: number) => {
    await pause();
    return mem.take(Float64Array, Math.max(1, len), false);
  };
  const gaps: Float64Array[] = [];
  for (let x = 0; x < G * n; x++) gaps.push(await take(size[x]));
  const allGaps: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    let len = 0;
    for (let g = 0; g < G; g++) len += size[g * n + k];
    allGaps.push(G === 1 ? gaps[k] : await take(len));
  }
  const tally: Tally = {
    n, G, B, t, depth: res.depth, anchor: res.anchor, stepRow: res.stepRow, gi, trendPeriod: spec.trend,
    depthCount: new Float64Array(G * (n + 1)), gaps, allGaps, gapsLen: new Int32Array(G * n), allLen: new Int32Array(n),
    hist: new Float64Array(n * B), trend: Array.from({ length: G * (n + 1) }, () => new Map()), lastDay: NaN, lastPeriod: 0,
  };
  await inSlices(units.length, pause, (lo, hi) => tallyUnits(tally, units, lo, hi));
  const { depthCount, gapsLen, allLen, hist, trend } = tally;
  const rows: FunnelRow[] = [];
  // With one group its figures are the totals' too (the same gaps): worked out once.
  const once: { x: number; v: number }[] = [];
  for (let g = 0; g < G; g++) {
    const { g: grp, o: other } = groups[g];
    for (let d = 0; d <= n; d++) {
      const c = depthCount[g * (n + 1) + d];
      if (c > 0) rows.push({ part: 'depth', grp, other, tot: false, k: d, x: null, n: c, v: null });
      // In period order, whatever order the units came in (the stored order is by month, then user).
      for (const [p, c2] of [...trend[g * (n + 1) + d]].sort((a, b) => a[0] - b[0])) rows.push({ part: 'trend', grp, other, tot: false, k: d, x: p * DAY, n: c2, v: null });
    }
    for (let k = 1; k < n; k++) {
      const ms = gaps[g * n + k].subarray(0, gapsLen[g * n + k]);
      // A turn for the page between these: the median of a transition's gaps rearranges them (one per converting
      // unit: ~30 ms of one task for F1's three transitions on the 1M shop, measured, before these pauses).
      await pause();
      if (!ms.length) continue;
      once[k] = { x: mean(ms), v: medianInPlace(ms) };
      rows.push({ part: 'time', grp, other, tot: false, k, x: once[k].x, n: ms.length, v: once[k].v });
    }
  }
  for (let k = 1; k < n; k++) {
    const len = G > 1 ? allLen[k] : gapsLen[k];
    if (!len) continue;
    await pause();
    const ms = allGaps[k].subarray(0, len);
    const { x, v } = G > 1 ? { x: mean(ms), v: medianInPlace(ms) } : once[k];
    rows.push({ part: 'time', grp: null, other: null, tot: true, k, x, n: len, v });
  }
  for (let k = 1; k < n; k++) {
    for (let bk = 0; bk < B; bk++) if (hist[k * B + bk] > 0) rows.push({ part: 'hist', grp: null, other: false, tot: true, k, x: bk, n: hist[k * B + bk], v: null });
  }
  return rows;
}

/** Units lo..hi-1 with a depth (a step-1 row) appended to `out` (counted.n so far). */
function countedUnits(depth: Uint8Array, out: Int32Array, counted: { n: number }, lo: number, hi: number): void {
  let k = counted.n;
  for (let u = lo; u < hi; u++) if (depth[u] > 0) out[k++] = u;
  counted.n = k;
}

/** Per counted unit, the statement's row of its best attempt's anchor. */
function anchorRows(units: Int32Array, anchor: Int32Array, source: Int32Array, out: Int32Array): void {
  for (let i = 0; i < units.length; i++) out[i] = source[anchor[units[i]]];
}

/** Per counted unit, its group: (missing) is 0, a top value its index, else Other. */
function groupOf(codes: Int32Array, index: Int32Array, other: number, out: Int32Array): void {
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    out[i] = c < 0 ? 0 : index[c] >= 0 ? index[c] : other;
  }
}

/** Gaps per (group, transition) among units lo..hi-1. */
function gapCounts(units: Int32Array, depth: Uint8Array, gi: Int32Array, n: number, size: Int32Array, lo: number, hi: number): void {
  for (let i = lo; i < hi; i++) {
    const d = depth[units[i]];
    for (let k = 1; k < d; k++) size[gi[i] * n + k]++;
  }
}

/** What tallyUnits counts into. */
interface Tally {
  n: number;
  G: number;
  B: number;
  t: Float64Array;
  depth: Uint8Array;
  anchor: Int32Array;
  stepRow: Int32Array;
  gi: Int32Array;
  trendPeriod: TrendPeriod;
  depthCount: Float64Array;
  gaps: Float64Array[];
  allGaps: Float64Array[];
  gapsLen: Int32Array;
  allLen: Int32Array;
  hist: Float64Array;
  trend: Map<number, number>[];
  /** The last entry day seen and its period (units come roughly in time order: most share the last one's). */
  lastDay: number;
  lastPeriod: number;
}

/** Counted units lo..hi-1 into the depths, gaps, histograms and trend (periods as day numbers: cheap Map keys). */
function tallyUnits(x: Tally, units: Int32Array, lo: number, hi: number): void {
  const { n, G, B, t, depth, anchor, stepRow, gi, depthCount, gaps, allGaps, gapsLen, allLen, hist, trend } = x;
  for (let i = lo; i < hi; i++) {
    const u = units[i];
    const d = depth[u];
    const g = gi[i];
    depthCount[g * (n + 1) + d]++;
    for (let k = 1; k < d; k++) {
      const c = stepRow[u * n + k];
      if (c < 0) continue;
      const ms = epochMs(t[c]) - epochMs(t[stepRow[u * n + k - 1]]);
      gaps[g * n + k][gapsLen[g * n + k]++] = ms;
      if (G > 1) allGaps[k][allLen[k]++] = ms;
      let bucket = 0;
      for (let e = 0; e < TIME_EDGES_MIN.length; e++) if (ms >= TIME_EDGES_MIN[e] * 60_000) bucket++;
      hist[k * B + bucket]++;
    }
    const day = Math.floor(t[anchor[u]] / 1000 / DAY);
    if (day !== x.lastDay) {
      x.lastDay = day;
      x.lastPeriod = truncDay(day, x.trendPeriod);
    }
    const m = trend[g * (n + 1) + d];
    m.set(x.lastPeriod, (m.get(x.lastPeriod) ?? 0) + 1);
  }
}

/** What Show SQL says above the statement that selected the pass's rows: what the pass then does with them. */
function passNote(spec: FunnelSpec): string {
  const W = windowMinutes(spec.window);
  const unit = spec.countBy === 'sessions' ? 'session' : 'user';
  return (
    `-- Computed in one pass over the rows this statement returns (README, "Funnels: one pass"): each ${unit}'s step events, put in time order.\n` +
    `-- Every step-1 event starts an attempt; step i+1 is the first step-(i+1) event after step i` +
    (spec.hold ? ' with the same held value' : '') +
    (W === null ? '' : `, counted when within ${W} minutes of step 1`) +
    (spec.exclusions.length ? '; an exclusion event between two steps ends the attempt' : '') +
    `;\n-- each ${unit} counts with its deepest attempt (the earliest among equals).\n`
  );
}

/** DuckDB's epoch_ms of a timestamp given in epoch µs: whole milliseconds, truncated toward zero. */
const epochMs = (us: number) => Math.trunc(us / 1000);

function mean(xs: Float64Array): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

/** quantile_cont(0.5) of `xs` (left as they are): the middle value, or halfway between the two middle values. */
export function median(xs: ArrayLike<number>): number {
  return medianInPlace(Float64Array.from(xs));
}

/** median(), rearranging `a`. */
function medianInPlace(a: Float64Array): number {
  const h = (a.length - 1) / 2;
  const k = Math.floor(h);
  const lo = select(a, k);
  if (k === h) return lo;
  // The next value up: the least of those after position k (select leaves them there).
  let hi = a[k + 1];
  for (let i = k + 2; i < a.length; i++) if (a[i] < hi) hi = a[i];
  return lo + (hi - lo) * (h - k);
}

/** The k-th smallest of `a` (0-based), rearranging `a` so that what comes before position k is no greater and what comes after no less (Hoare's quickselect, middle pivot). */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const x = a[i];
        a[i] = a[j];
        a[j] = x;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k];
}

const DAY = 86_400_000;

/** date_trunc(period, ts) for the day number `day` of ts (UTC; weeks start on Monday, as DuckDB's ISO weeks), as a day number. */
function truncDay(day: number, period: TrendPeriod): number {
  if (period === 'day') return day;
  if (period === 'week') return day - (((day + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  const d = new Date(day * DAY);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / DAY;
}

/**
 * How the one pass is run on a result of funnelEventsSql: straight through (Node), or pausing (the page); `pause`
 * is the same pause, for the passes computeFunnel runs over kept columns.
 */
export interface PassRunner {
  (rows: Table, spec: FunnelSpec): Promise<FunnelRow[]>;
  readonly pause?: Pause;
}

/** Run the pass straight through. */
export const passHere: PassRunner = (rows, spec) => funnelRowsByPass(rows, spec);

/** Run the pass giving the page a turn with `pause` between slices (passHere without one). */
export const passWith = (pause: Pause | undefined): PassRunner =>
  pause ? Object.assign((rows: Table, spec: FunnelSpec) => funnelRowsByPass(rows, spec, pause), { pause }) : passHere;

/**
 * The kept columns for funnels counting `countBy` (columns.ts), loaded through `io` — in the page cached once per
 * dataset version (the coordinator keeps a `cols:` value until the data changes) — or null when this dataset's
 * cannot be kept (see keepColumns).
 */
export async function keptColumns(io: Io, countBy: FunnelSpec['countBy'], pause: Pause = noPause): Promise<FunnelColumns | null> {
  const types = decodeTypes(await io.run(funnelTypesSql()));
  if (types.length > MAX_KEPT_TYPES) return null;
  return io.derive(colsKeyOf(countBy), funnelColumnsSql(countBy, types), (rows) => keepColumns(rows, types, pause));
}

/** The key the kept columns of a unit kind are derived under. */
const colsKeyOf = (countBy: FunnelSpec['countBy']) => `cols:funnel:${countBy}`;

/**
 * A funnel's result: by the one pass where it applies (passSupports), selecting the step events with hashed unit
 * keys and again with the unit ids if two units share a hash; otherwise by the statement (runFunnel). A funnel of
 * plain event-type steps (columnsSupport) takes its step events from the kept columns (keptColumns) when the
 * dataset's can be kept. `sql` is the statement that answered: for the pass, the one that selected its rows (with
 * kept columns, after the statement that loaded them, as a comment). `behind`: the columns' load this funnel
 * started for the next ones (settles when they are kept or could not be; never rejects).
 */
export async function computeFunnel(
  io: Io | ((q: Sql) => Promise<Table>), spec: FunnelSpec, fields: readonly Field[], pass: PassRunner | null = passHere,
): Promise<{ result: FunnelResult; sql: Sql; onePass: boolean; behind?: Promise<void> }> {
  const both = toIo(io);
  const { run, derive } = both;
  if (pass && passSupports(spec)) {
    // Hashed keys where no two ids of the dataset share one (checked once per dataset version), else the ids.
    const ok = (await run(funnelKeysSql(spec, fields))).getChild('ok')?.get(0) === true;
    const q = funnelEventsSql(spec, fields, { kind: ok ? 'hash' : 'text' });
    // Plain steps: from the kept columns once they are kept (or on their way); where an Io keeps values and they
    // are not, this funnel selects its own rows as before and the columns are loaded behind it, for the next one —
    // so the first funnel on a dataset takes no longer than it did, and the ones after take a pass.
    const plain = ok && columnsSupport(spec);
    const colsKey = colsKeyOf(spec.countBy);
    if (plain && (!both.has || both.has(colsKey))) {
      const cols = await keptColumns(both, spec.countBy, pass.pause);
      if (cols) {
        // Each funnel's figures are kept too (a screen opened again shows them at once), dropped with the columns.
        const compute = () => funnelRowsFromColumns(cols, spec, pass.pause);
        const rows = await (both.memo ? both.memo(`funnel-kept:${spec.countBy}:${JSON.stringify(spec)}`, compute) : compute());
        const text = passNote(spec) + keptNote(spec, funnelColumnsSql(spec.countBy, cols.types)) + q.text;
        return { result: decodeFunnelRows(rows, spec), sql: { text, params: q.params }, onePass: true };
      }
    }
    // The rows depend on the steps, exclusions' events, hold and breakdown field; the figures on the rest too.
    const rows = await derive(`funnel:${JSON.stringify(spec)}`, q, (t) => pass(t, spec));
    // (Not while live mode appends: each tick would drop them again.)
    const behind = plain && both.has && both.settled?.() !== false ? keptColumns(both, spec.countBy, pass.pause).then(() => undefined, () => undefined) : undefined;
    return { result: decodeFunnelRows(rows, spec), sql: { text: passNote(spec) + q.text, params: q.params }, onePass: true, behind };
  }
  const { value, sql } = await runFunnel(run, (keys) => funnelSql(spec, fields, keys));
  return { result: decodeFunnel(value, spec), sql, onePass: false };
}

/** What Show SQL says about kept columns: the statement that loaded them (as a comment), above the rows' equivalent. */
function keptNote(spec: FunnelSpec, loaded: Sql): string {
  const unit = spec.countBy === 'sessions' ? 'session' : 'user';
  return (
    `-- The step events are taken from every event's ${unit}, time and type, kept in this page and loaded once per dataset version by:\n` +
    loaded.text.split('\n').map((l) => `--   ${l}`).join('\n') +
    `\n-- which hold the same rows as this statement selects:\n`
  );
}
