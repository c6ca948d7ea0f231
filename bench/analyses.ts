// The analysis statements on both engines: cohort retention and lifecycle, funnels and journeys — the app's own
// SQL over the fields read from the loaded data, each sent to the engine under test and timed there, like
// bench/pivots.ts. The same code runs for WASM (one `strata.db.query` inside the page) and native (the Node Db).
import type { Table } from 'apache-arrow';
import { cohortSql, lifecycleSql, validateCohortSpec } from '../src/analyses/cohort/index.ts';
import { USER_METRICS_COVER_SQL } from '../src/data/user-metrics.ts';
import { funnelEventsSql, funnelKeysSql, funnelTypesSql, validateFunnelSpec, type FunnelRow, type FunnelSpec } from '../src/analyses/funnel/index.ts';
import { pathsEventsSql, pathsKeysSql, pathsStoredSql, validatePathsSpec, type PathsResult, type PathsSpec } from '../src/analyses/paths/index.ts';
import { decodeFields, fieldsSql, type Field } from '../src/analyses/fields.ts';
import type { Sql } from '../src/sql/quote.ts';
import type { TimedSql } from './pivots.ts';
import { shortReason, type QueryTiming } from './queries.ts';

/**
 * A benchmarked statement: the table row label, how to build it from the data's fields, and the column summed into
 * the cross-engine check; with `pass`, the statement selects a one-pass funnel's rows and the time includes the pass;
 * with `paths`, the same for journeys (the types check before it, once per dataset version, is not timed here).
 */
export interface BenchAnalysis {
  name: string;
  build: (fields: readonly Field[]) => Sql;
  total: string;
  pass?: FunnelSpec;
  paths?: PathsSpec;
  /** The funnels' kept columns for this unit kind, loaded afresh: the statement's rows, then kept (TimedKeep). */
  keep?: FunnelSpec['countBy'];
  /** With `pass`: the funnel computed from the kept columns (loaded by its warm-up run) instead of `build`'s rows. */
  kept?: boolean;
}

/**
 * Run a one-pass funnel as the app runs it, timed there: its rows' statement (`q`), then the pass; or, `kept`, the
 * pass over the columns the app keeps (loaded by the first such run, once per dataset version: TimedKeep times that).
 */
export type TimedPass = (q: Sql, spec: FunnelSpec, kept?: boolean) => Promise<{ ms: number; rows: FunnelRow[] }>;

/**
 * Load the funnels' columns for `countBy` afresh (funnelTypesSql, then funnelColumnsSql's rows, then keepColumns),
 * timed; `sql`: the columns statement.
 */
export type TimedKeep = (countBy: FunnelSpec['countBy']) => Promise<{ ms: number; units: number; rows: number; sql: string }>;

/**
 * Run one-pass journeys: the keys statement (untimed: cached per dataset version), then the rows' statement — `stored`
 * when the keys say the dataset stores its sessions' paths, else `events`, as the app's pathsRowsSql picks — and the
 * pass, timed. `stored` in the answer: which one ran.
 */
export type TimedPaths = (keys: Sql, qs: { events: Sql; stored: Sql }, spec: PathsSpec) => Promise<{ ms: number; result: PathsResult | null; stored: boolean }>;

/** R1: the default spec: monthly cohorts by first purchase, purchase returns, 12 periods, "on". */
const R1 = validateCohortSpec({});

/** R2: weekly cohorts by first event of any kind, any activity returns, 26 periods, "on or after". */
const R2 = validateCohortSpec({
  start: { by: 'event', event: { kind: 'any' } },
  returns: { kind: 'any' },
  period: 'week',
  mode: 'on_or_after',
  periods: 26,
});

/** R3: lifecycle (new / returning / resurrecting / dormant) per month, active = any event. */
const R3 = validateCohortSpec({ returns: { kind: 'any' }, period: 'month' });

/** F1: the default funnel: session_start -> product_view -> add_to_cart -> purchase, users, 14 days, sequential. */
const F1 = validateFunnelSpec({});

/** F2: product_view -> add_to_cart -> purchase by sessions within 10 minutes, the same product, broken down by device. */
const F2 = validateFunnelSpec({
  steps: [{ eventType: 'product_view' }, { eventType: 'add_to_cart' }, { eventType: 'purchase' }],
  window: { value: 10, unit: 'minute' },
  countBy: 'sessions',
  hold: 'e.product_id',
  breakdown: { kind: 'field', field: 'e.device', top: 5 },
});

/** J1: journeys from session_start, 5 steps, repeats collapsed (the Journeys screen's default). */
const J1 = validatePathsSpec({});

/** J2: journeys ending at purchase, 5 steps, repeats kept. */
const J2 = validatePathsSpec({ anchor: 'end', eventType: 'purchase', collapse: false });

export const BENCH_ANALYSES: readonly BenchAnalysis[] = [
  { name: 'retention R1: monthly first-purchase cohorts, purchase returns, 12 months ("on")', build: (f) => cohortSql(R1, f), total: 'retained' },
  // As the screen runs R2: each user's first and last event read from user_metrics, which the check below (a row of
  // its own, once per dataset version, shared with the Overview's all-time KPIs) allows on both engines' shops.
  {
    name: 'retention R2: weekly first-event cohorts, any-activity returns, 26 weeks ("on or after")',
    build: (f) => cohortSql(R2, f, { userMetrics: true }),
    total: 'retained',
  },
  { name: 'retention: user_metrics accounts for every event (R2 reads it), once per dataset version', build: () => USER_METRICS_COVER_SQL, total: 'ok' },
  // As the screen runs R3 (runLifecycle): grouped by user alone, the data spanning fewer than 64 months (else the
  // statement would fail and the screen run the general one; the bench records a failure, never a wrong time).
  { name: 'retention R3: lifecycle per month, any activity (new / returning / resurrecting / dormant)', build: (f) => lifecycleSql(R3, f, { oneWord: true }), total: 'users' },
  // The Funnels screen's work for a dataset's first funnel: the ordered step events, then the one pass over them (the
  // unit-key check before it runs once per dataset version, and is timed in a row of its own).
  { name: 'funnel F1: 4 steps (session_start → view → cart → purchase), users, 14-day window, sequential', build: (f) => funnelEventsSql(F1, f), total: 'n', pass: F1 },
  { name: 'funnel F2: view → cart → purchase, sessions, 10 min, same product, by device', build: (f) => funnelEventsSql(F2, f), total: 'n', pass: F2 },
  { name: 'funnel key check for F2 (session and product ids), once per dataset version', build: (f) => funnelKeysSql(F2, f), total: 'ok' },
  // F1's steps are plain event types: after a dataset's first funnel the app keeps every event's user, time and type
  // (loaded once per dataset version: the next row), and every funnel of plain steps after it — F1 again, or any
  // edit of it — is a pass over those (funnel-columns.ts). F2 (a held product, a breakdown) always selects its rows.
  { name: 'funnel F1 from kept columns (any funnel of plain steps after the first)', build: (f) => funnelEventsSql(F1, f), total: 'n', pass: F1, kept: true },
  { name: "funnel columns kept for F1 (every event's user, time and type), loaded once per dataset version", build: () => funnelTypesSql(), total: '', keep: 'users' },
  // The Journeys screen's work: every session's stored path as a row (or, for a dataset without them, every session
  // event as a narrow row: `build`), then the one pass giving the top 50 paths and the Sankey together (the types and
  // key check before it runs once per dataset version: a row of its own).
  { name: 'journeys J1: top 50 paths and Sankey from session_start, 5 steps, repeats collapsed', build: (f) => pathsEventsSql(J1, f), total: '', paths: J1 },
  { name: 'journeys J2: top 50 paths and Sankey ending at purchase, 5 steps, repeats kept', build: (f) => pathsEventsSql(J2, f), total: '', paths: J2 },
  { name: 'journeys key check (user and session ids) and event types, once per dataset version', build: () => pathsKeysSql(), total: 'ok' },
];

/** Every row label, in table order. */
export const ANALYSIS_NAMES: readonly string[] = BENCH_ANALYSES.map((c) => c.name);

/** The statement with its bound values plus the result's row count and summed users: equal on both engines when they agree. */
function fingerprint(q: Sql, table: Table, column: string): string {
  const col = table.getChild(column);
  let total = 0;
  for (let i = 0; i < table.numRows; i++) total += Number(col?.get(i) ?? 0);
  return JSON.stringify([q.text, q.params, table.numRows, total]);
}

/** The cross-engine check of a one-pass funnel: its statement, the number of result rows and the units counted. */
function passFingerprint(q: Sql, rows: readonly FunnelRow[]): string {
  const units = rows.filter((r) => r.part === 'depth').reduce((a, r) => a + r.n, 0);
  return JSON.stringify([q.text, q.params, rows.length, units]);
}

/** The cross-engine check of one-pass journeys: its statement and the totals, rows, nodes and links it found. */
function pathsFingerprint(q: Sql, r: PathsResult | null): string {
  if (!r) throw new Error('the journeys pass met an event type the keys statement did not list');
  const { top, sankey } = r;
  return JSON.stringify([q.text, q.params, top.totalUsers, top.totalSessions, top.totalPaths, top.rows.length, sankey.nodes.length, sankey.links.length]);
}

/** Warm up once, then time `runs` executions of one statement (or one-pass analysis). A failure is recorded, not thrown. */
async function timeAnalysis(
  c: BenchAnalysis, exec: TimedSql, pass: TimedPass | null, paths: TimedPaths | null, keep: TimedKeep | null, fields: readonly Field[], runs: number,
): Promise<QueryTiming> {
  try {
    const q = c.build(fields);
    if (c.keep) {
      if (!keep) throw new Error('no runner for the kept columns');
      await keep(c.keep);
      const times: number[] = [];
      let last = { units: 0, rows: 0, sql: '' };
      for (let i = 0; i < runs; i++) {
        const r = await keep(c.keep);
        times.push(r.ms);
        last = r;
      }
      return { name: c.name, times, rows: last.rows, fingerprint: JSON.stringify([q.text, last.sql, last.units, last.rows]) };
    }
    if (c.paths) {
      if (!paths) throw new Error('no one-pass journeys runner');
      const qs = { events: q, stored: pathsStoredSql(c.paths, fields) };
      await paths(pathsKeysSql(), qs, c.paths);
      const times: number[] = [];
      let last: PathsResult | null = null;
      let stored = false;
      for (let i = 0; i < runs; i++) {
        const r = await paths(pathsKeysSql(), qs, c.paths);
        times.push(r.ms);
        last = r.result;
        stored = r.stored;
      }
      return { name: c.name, times, rows: last?.top.rows.length ?? 0, fingerprint: pathsFingerprint(stored ? qs.stored : q, last) };
    }
    if (c.pass) {
      if (!pass) throw new Error('no one-pass runner');
      await pass(q, c.pass, c.kept);
      const times: number[] = [];
      let last: FunnelRow[] = [];
      for (let i = 0; i < runs; i++) {
        const r = await pass(q, c.pass, c.kept);
        times.push(r.ms);
        last = r.rows;
      }
      return { name: c.name, times, rows: last.length, fingerprint: passFingerprint(q, last) };
    }
    await exec(q);
    const times: number[] = [];
    let last: Table | undefined;
    for (let i = 0; i < runs; i++) {
      const r = await exec(q);
      times.push(r.ms);
      last = r.table;
    }
    return { name: c.name, times, rows: last!.numRows, fingerprint: fingerprint(q, last!, c.total) };
  } catch (err) {
    return { name: c.name, error: shortReason(err) };
  }
}

/** Time every benchmark analysis. Timings are pushed onto `out` as they finish (a caller that gives up early keeps those) and returned. */
export async function benchAnalyses(
  exec: TimedSql, runs: number, out: QueryTiming[] = [], pass: TimedPass | null = null, paths: TimedPaths | null = null, keep: TimedKeep | null = null,
): Promise<QueryTiming[]> {
  let fields: Field[];
  try {
    fields = decodeFields((await exec(fieldsSql())).table);
  } catch (err) {
    out.push(...ANALYSIS_NAMES.map((name) => ({ name, error: `fields: ${shortReason(err)}` })));
    return out;
  }
  for (const c of BENCH_ANALYSES) out.push(await timeAnalysis(c, exec, pass, paths, keep, fields, runs));
  return out;
}
