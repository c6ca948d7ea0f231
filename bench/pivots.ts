// Pivots on both engines: the app's own runPivot (plan, stats queries, main query, decode) driven from Node,
// with every statement sent to the engine under test and timed there. The same code runs for WASM (each
// statement is one `strata.db.query` inside the page) and native (the Node Db), so both run identical SQL.
import type { Table } from 'apache-arrow';
import { decodeFields, fieldsSql, type Field } from '../src/analyses/fields.ts';
import { runPivot, validatePivotSpec, type PivotSpec } from '../src/analyses/pivot/index.ts';
import type { Sql } from '../src/sql/quote.ts';
import { shortReason, type QueryTiming } from './queries.ts';

/** One statement run on an engine: its result and how long the engine took (timed where the engine runs). */
export type TimedSql = (q: Sql) => Promise<{ ms: number; table: Table }>;

/** A benchmarked pivot: the table row label and its spec. */
export interface BenchPivot {
  name: string;
  spec: PivotSpec;
}

/** A: users grain, country (top 10) × age (6 equal-width bins), four measures, a filter on a user and a metric column. */
export const PIVOT_A = validatePivotSpec({
  grain: 'users',
  rows: [{ field: 'u.country', bucket: { kind: 'top', n: 10 } }],
  cols: [{ field: 'u.age', bucket: { kind: 'width', bins: 6 } }],
  measures: [{ agg: 'users' }, { agg: 'orders' }, { agg: 'revenue' }, { agg: 'aov' }],
  filter: {
    op: 'and',
    items: [
      { field: 'u.age', op: '>', value: 25 },
      { field: 'm.revenue', op: '<', value: 500 },
    ],
  },
});

/** B: events grain, category × device (raw values) by month, no filter. */
const PIVOT_B = validatePivotSpec({
  grain: 'events',
  rows: [
    { field: 'e.category', bucket: { kind: 'none' } },
    { field: 'e.device', bucket: { kind: 'none' } },
  ],
  cols: [{ field: 'e.ts', bucket: { kind: 'date', unit: 'month' } }],
  measures: [{ agg: 'events' }, { agg: 'users' }, { agg: 'revenue' }],
  filter: { op: 'and', items: [] },
});

/** C: events grain, day of week, median price and conversion over product views and purchases. */
const PIVOT_C = validatePivotSpec({
  grain: 'events',
  rows: [{ field: 'e.ts', bucket: { kind: 'date', unit: 'dow' } }],
  cols: [],
  measures: [{ agg: 'median', field: 'e.price' }, { agg: 'conversion' }],
  filter: { op: 'and', items: [{ field: 'e.event_type', op: 'in', value: ['product_view', 'purchase'] }] },
});

/** A with its last measure (AOV) swapped for conversion: what the screen runs after one measure change. */
const PIVOT_A_CHANGED: PivotSpec = validatePivotSpec({ ...PIVOT_A, measures: [...PIVOT_A.measures.slice(0, -1), { agg: 'conversion' }] });

export const BENCH_PIVOTS: readonly BenchPivot[] = [
  { name: 'pivot A: users, country top 10 × age 6 bins, 4 measures, filtered (2 stats + main)', spec: PIVOT_A },
  { name: 'pivot B: events, category × device × month, events / users / revenue (main only)', spec: PIVOT_B },
  { name: 'pivot C: events, day of week, median price + conversion, 2 event types (main only)', spec: PIVOT_C },
];

/** The UI-change row: pivot A re-run with one measure changed, its stats served from the cache (main query only). */
export const PIVOT_CHANGE_NAME = 'pivot A, one measure changed (stats cached: main query only)';

/** Every pivot row label, in table order. */
export const PIVOT_NAMES: readonly string[] = [...BENCH_PIVOTS.map((p) => p.name), PIVOT_CHANGE_NAME];

const keyOf = (q: Sql): string => JSON.stringify([q.text, q.params]);

/**
 * One runPivot, summing the engine time of each statement it sends. `cache` (SQL key → table) answers a
 * statement without running it, as the screen's coordinator does; `record` collects every result.
 */
async function onePivot(
  exec: TimedSql,
  spec: PivotSpec,
  fields: readonly Field[],
  cache?: ReadonlyMap<string, Table>,
  record?: Map<string, Table>,
): Promise<{ ms: number; executed: number; rows: number; fingerprint: string }> {
  let ms = 0;
  let executed = 0;
  let rows = 0;
  const run = await runPivot(
    async (q) => {
      const hit = cache?.get(keyOf(q));
      if (hit) return hit;
      const r = await exec(q);
      ms += r.ms;
      executed++;
      rows = r.table.numRows; // the main query is the last statement
      record?.set(keyOf(q), r.table);
      return r.table;
    },
    spec,
    fields,
  );
  // The main statement with its bound values: equal on both engines only if their stats (bucket edges, top N) agreed.
  return { ms, executed, rows, fingerprint: keyOf(run.sql) };
}

/** Warm up once, then time `runs` full pivots. A failure is recorded, not thrown. */
async function timePivot(
  name: string,
  exec: TimedSql,
  spec: PivotSpec,
  fields: readonly Field[],
  runs: number,
  cache?: ReadonlyMap<string, Table>,
  expectExecuted?: number,
): Promise<QueryTiming> {
  try {
    await onePivot(exec, spec, fields, cache);
    const times: number[] = [];
    let last = { rows: 0, fingerprint: '', executed: 0 };
    for (let i = 0; i < runs; i++) {
      const r = await onePivot(exec, spec, fields, cache);
      times.push(r.ms);
      last = r;
    }
    if (expectExecuted !== undefined && last.executed !== expectExecuted) {
      return { name, error: `ran ${last.executed} statements, expected ${expectExecuted}` };
    }
    return { name, times, rows: last.rows, fingerprint: last.fingerprint };
  } catch (err) {
    return { name, error: shortReason(err) };
  }
}

/**
 * Time every benchmark pivot, then the one-measure change of pivot A with A's stats cached. Timings are pushed
 * onto `out` as they finish (a caller that gives up early keeps those) and returned.
 */
export async function benchPivots(exec: TimedSql, runs: number, out: QueryTiming[] = []): Promise<QueryTiming[]> {
  let fields: Field[];
  try {
    fields = decodeFields((await exec(fieldsSql())).table);
  } catch (err) {
    out.push(...PIVOT_NAMES.map((name) => ({ name, error: `fields: ${shortReason(err)}` })));
    return out;
  }
  for (const p of BENCH_PIVOTS) out.push(await timePivot(p.name, exec, p.spec, fields, runs));
  try {
    // What the screen's coordinator holds after showing A: its stats (and main) results, keyed by SQL.
    const cache = new Map<string, Table>();
    await onePivot(exec, PIVOT_A, fields, undefined, cache);
    out.push(await timePivot(PIVOT_CHANGE_NAME, exec, PIVOT_A_CHANGED, fields, runs, cache, 1));
  } catch (err) {
    out.push({ name: PIVOT_CHANGE_NAME, error: shortReason(err) });
  }
  return out;
}
