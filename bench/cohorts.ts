// Cohort retention and lifecycle on both engines: the app's own statements (cohortSql / lifecycleSql over the
// fields read from the loaded data), each sent to the engine under test and timed there, like bench/pivots.ts.
// The same code runs for WASM (one `strata.db.query` inside the page) and native (the Node Db).
import type { Table } from 'apache-arrow';
import { cohortSql, lifecycleSql, validateCohortSpec, type CohortSpec } from '../src/analyses/cohort/index.ts';
import { decodeFields, fieldsSql, type Field } from '../src/analyses/fields.ts';
import type { Sql } from '../src/sql/quote.ts';
import type { TimedSql } from './pivots.ts';
import { shortReason, type QueryTiming } from './queries.ts';

/** A benchmarked cohort statement: the table row label, the spec, and which statement the spec feeds. */
export interface BenchCohort {
  name: string;
  spec: CohortSpec;
  build: (spec: CohortSpec, fields: readonly Field[]) => Sql;
  /** The column summed into the cross-engine check (users per cell or per state). */
  total: string;
}

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

export const BENCH_COHORTS: readonly BenchCohort[] = [
  { name: 'retention R1: monthly first-purchase cohorts, purchase returns, 12 months ("on")', spec: R1, build: cohortSql, total: 'retained' },
  {
    name: 'retention R2: weekly first-event cohorts, any-activity returns, 26 weeks ("on or after")',
    spec: R2,
    build: cohortSql,
    total: 'retained',
  },
  { name: 'retention R3: lifecycle per month, any activity (new / returning / resurrecting / dormant)', spec: R3, build: lifecycleSql, total: 'users' },
];

/** Every cohort row label, in table order. */
export const COHORT_NAMES: readonly string[] = BENCH_COHORTS.map((c) => c.name);

/** The statement with its bound values plus the result's row count and summed users: equal on both engines when they agree. */
function fingerprint(q: Sql, table: Table, column: string): string {
  const col = table.getChild(column);
  let total = 0;
  for (let i = 0; i < table.numRows; i++) total += Number(col?.get(i) ?? 0);
  return JSON.stringify([q.text, q.params, table.numRows, total]);
}

/** Warm up once, then time `runs` executions of one statement. A failure is recorded, not thrown. */
async function timeCohort(c: BenchCohort, exec: TimedSql, fields: readonly Field[], runs: number): Promise<QueryTiming> {
  try {
    const q = c.build(c.spec, fields);
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

/** Time every benchmark cohort statement. Timings are pushed onto `out` as they finish (a caller that gives up early keeps those) and returned. */
export async function benchCohorts(exec: TimedSql, runs: number, out: QueryTiming[] = []): Promise<QueryTiming[]> {
  let fields: Field[];
  try {
    fields = decodeFields((await exec(fieldsSql())).table);
  } catch (err) {
    out.push(...COHORT_NAMES.map((name) => ({ name, error: `fields: ${shortReason(err)}` })));
    return out;
  }
  for (const c of BENCH_COHORTS) out.push(await timeCohort(c, exec, fields, runs));
  return out;
}
