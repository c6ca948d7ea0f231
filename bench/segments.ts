// The built-in segmentations on both engines: the app's own computeBuiltinSegmentations (src/data/segments-compute.ts)
// and the Segments screen's profile statement, driven from Node against a Db whose every statement is sent to the
// engine under test and timed there, like bench/pivots.ts. The same code runs for WASM (each statement one
// `strata.db.query` / `strata.db.exec` inside the page) and native (the Node Db), so both run identical statements;
// a run's time is the sum of its statements' engine times.
import type { Table } from 'apache-arrow';
import type { Db } from '../src/db/types.ts';
import { toRows } from '../src/lib/rows.ts';
import { ident, type Sql } from '../src/sql/quote.ts';
import { BUILTIN_SEGMENTATIONS } from '../src/analyses/segments/builtin/index.ts';
import { profileColumns, segmentProfileSql } from '../src/analyses/segments/profile.ts';
import { BUILTIN_IDS, computeBuiltinSegmentations, datasetColumns } from '../src/data/segments-compute.ts';
import { ensureSegmentTables, listSegmentations } from '../src/data/segments-store.ts';
import type { TimedSql } from './pivots.ts';
import { median, shortReason, type QueryTiming } from './queries.ts';

/** One statement run for its effect on an engine, and how long the engine took. */
export type TimedExec = (text: string) => Promise<number>;

/** The new thresholds of the two threshold-change rows (what the Segments screen sends after an edit). */
export const CHURN_CHANGE = { 'churn-risk': { medium: 30, high: 60 } } as const;
export const CUSTOMER_CHANGE = { 'customer-segment': { highValueRevenue: 300, highValueOrders: 3, loyalScore: 65, atRiskScore: 25 } } as const;
/** The segmentation the profile row profiles. */
export const PROFILE_COLUMN = 'customer_segment';

const NAMES: Readonly<Record<string, string>> = Object.fromEntries([
  ...BUILTIN_SEGMENTATIONS.map((s) => [s.id, s.name]),
  ['rfm', 'RFM segment'],
]);

export const SEGMENTS_ALL = `all built-ins: computeBuiltinSegmentations(db), ${BUILTIN_SEGMENTATIONS.length} rule sets + RFM`;
export const SEGMENTS_SETUP = '· of which setup (dataset columns, data fingerprint)';
export const segmentIdRow = (id: string): string => `· of which ${NAMES[id] ?? id} (${id}): availability check`;
export const SEGMENTS_WRITE = '· of which computing and storing them all: one script, one commit';
export const SEGMENTS_CHURN = `threshold change: churn-risk bands ${CHURN_CHANGE['churn-risk'].medium} / ${CHURN_CHANGE['churn-risk'].high} days (only: ['churn-risk'])`;
export const SEGMENTS_CUSTOMER = "threshold change: customer-segment thresholds (only: ['customer-segment'])";
export const SEGMENTS_PROFILE = `Segments screen profile: segmentProfileSql('${PROFILE_COLUMN}'), one statement`;

/** Every row label, in table order. */
export const SEGMENT_NAMES: readonly string[] = [
  SEGMENTS_ALL, SEGMENTS_SETUP, ...BUILTIN_IDS.map(segmentIdRow), SEGMENTS_WRITE, SEGMENTS_CHURN, SEGMENTS_CUSTOMER, SEGMENTS_PROFILE,
];

/**
 * A Db that sends each statement to an engine and adds up the engine's times, per tag (the segmentation being
 * computed, told by computeBuiltinSegmentations' progress callback). Nothing else is timed: the Node-side
 * JavaScript between statements, and for the page the Playwright round trip, are left out on both engines.
 */
class MeteredDb implements Db {
  ms = 0;
  statements = 0;
  tag = 'setup';
  readonly byTag = new Map<string, number>();
  /** Time by kind of statement (for the log: where a computation's time goes). */
  readonly byKind = new Map<string, number>();
  private kind = '';
  constructor(private readonly q: TimedSql, private readonly x: TimedExec) {}
  reset(): void {
    this.ms = 0;
    this.statements = 0;
    this.tag = 'setup';
    this.byTag.clear();
    this.byKind.clear();
  }
  private add(ms: number): void {
    this.ms += ms;
    this.statements++;
    this.byTag.set(this.tag, (this.byTag.get(this.tag) ?? 0) + ms);
    this.byKind.set(this.kind, (this.byKind.get(this.kind) ?? 0) + ms);
  }
  async query(text: string, params: readonly (string | number | boolean | null)[] = []): Promise<Table> {
    this.kind = kindOf(text);
    const r = await this.q({ text, params });
    this.add(r.ms);
    return r.table;
  }
  async exec(text: string): Promise<void> {
    this.kind = kindOf(text);
    this.add(await this.x(text));
  }
  insertArrow(): Promise<void> {
    return Promise.reject(new Error('insertArrow is not part of the segments benchmark'));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A statement's kind for the log's breakdown. */
function kindOf(text: string): string {
  const t = text.trimStart();
  if (/^SELECT \* FROM \(SELECT/.test(t)) return 'availability checks';
  if (/BEGIN TRANSACTION;\s*INSERT INTO user_segments/.test(t)) return 'one column: new users, DROP/ADD COLUMN, UPDATE, record (one script)';
  if (/^DROP TABLE IF EXISTS user_segments_next/.test(t)) return 'rule bodies, rebuild, swap + records (one script)';
  if (/^CREATE TABLE IF NOT EXISTS user_segments/.test(t) && !/BEGIN TRANSACTION/.test(t)) return 'ensure tables';
  if (/duckdb_columns\(\)/.test(t)) return 'column lists';
  return 'other (fingerprint)';
}

/**
 * Label counts of stored columns (score columns: count and mean to 4 decimals), as one text: equal on both engines
 * when they computed the same segments. Not timed.
 */
async function storedFingerprint(db: Db, columns?: readonly string[]): Promise<string> {
  const recs = (await listSegmentations(db)).filter((r) => !columns || columns.includes(r.column));
  const parts: string[] = [];
  for (const r of recs) {
    const c = ident(r.column);
    const q = r.type === 'score'
      ? `SELECT count(${c})::DOUBLE AS n, round(avg(${c}), 4)::DOUBLE AS v FROM user_segments`
      : `SELECT CAST(${c} AS VARCHAR) AS v, count(*)::DOUBLE AS n FROM user_segments GROUP BY ALL ORDER BY v NULLS LAST`;
    parts.push(`${r.column}=${JSON.stringify(toRows(await db.query(q)).map((x) => [x.v, x.n]))}`);
  }
  return parts.join(';');
}

/** The profile result's rows, users and revenue (revenue to cents): equal on both engines when they agree. */
function profileFingerprint(q: Sql, table: Table): string {
  const rows = toRows(table);
  const sum = (k: string) => rows.reduce((s, r) => s + Number(r[k] ?? 0), 0);
  return JSON.stringify([q.text, q.params, rows.map((r) => r.value), sum('users'), Math.round(sum('revenue') * 100)]);
}

/** How the all-built-ins row runs: `warmUp` adds one untimed computation first, then `runs` timed ones. */
export interface SegmentPlan {
  runs: number;
  /** Runs of the full computation (the per-segmentation rows come from the same runs). */
  allRuns: number;
  /** An untimed full computation before the timed ones. */
  allWarmUp: boolean;
}

/**
 * Time every segments row on one engine. Timings are pushed onto `out` as they finish (a caller that gives up early
 * keeps those) and returned. Leaves every built-in stored with its default options.
 */
export async function benchSegments(
  q: TimedSql, x: TimedExec, plan: SegmentPlan, out: QueryTiming[] = [], log: (msg: string) => void = () => undefined,
): Promise<QueryTiming[]> {
  const db = new MeteredDb(q, x);
  const fail = (names: readonly string[], err: unknown) => {
    for (const name of names) if (!out.some((t) => t.name === name)) out.push({ name, error: shortReason(err) });
  };
  const perIdNames = [SEGMENTS_SETUP, ...BUILTIN_IDS.map(segmentIdRow), SEGMENTS_WRITE];
  try {
    await ensureSegmentTables(db);
    if (plan.allWarmUp) await computeBuiltinSegmentations(db);
    const totals: number[] = [];
    const tags = new Map<string, number[]>();
    let statements = 0;
    let unavailable: string[] = [];
    for (let i = 0; i < plan.allRuns; i++) {
      db.reset();
      const outcomes = await computeBuiltinSegmentations(db, {}, undefined, (_name, k) => {
        db.tag = k < BUILTIN_IDS.length ? BUILTIN_IDS[k] : 'write';
      });
      totals.push(db.ms);
      statements = db.statements;
      for (const [tag, ms] of db.byTag) tags.set(tag, [...(tags.get(tag) ?? []), ms]);
      unavailable = outcomes.filter((o) => o.unavailable).map((o) => o.id);
      log(`all built-ins run ${i + 1}/${plan.allRuns}: ${db.ms.toFixed(0)} ms, ${statements} statements; ` +
        [...db.byTag].map(([t, ms]) => `${t} ${ms.toFixed(0)}`).join(', ') + '; by kind: ' +
        [...db.byKind].map(([k, ms]) => `${k} ${ms.toFixed(0)}`).join(', '));
    }
    const fp = await storedFingerprint(db);
    out.push({ name: SEGMENTS_ALL, times: totals, rows: statements, fingerprint: fp });
    out.push({ name: SEGMENTS_SETUP, times: tags.get('setup') ?? [0], rows: 0 });
    for (const id of BUILTIN_IDS) {
      const t = tags.get(id);
      // (A check answered from the column list alone, like RFM's, sends no statement: 0 ms.)
      if (!t) out.push({ name: segmentIdRow(id), times: [0], rows: 0 });
      else if (unavailable.includes(id)) out.push({ name: segmentIdRow(id), error: 'unavailable on this dataset' });
      else out.push({ name: segmentIdRow(id), times: t, rows: 0 });
    }
    out.push({ name: SEGMENTS_WRITE, times: tags.get('write') ?? [0], rows: 0 });
  } catch (err) {
    fail([SEGMENTS_ALL, ...perIdNames], err);
  }

  // The profile (the Segments screen's one statement per segmentation), with every built-in stored at its defaults.
  try {
    const cols = profileColumns(await datasetColumns(db), await listSegmentations(db));
    const pq = segmentProfileSql(PROFILE_COLUMN, cols);
    await db.query(pq.text, pq.params);
    const times: number[] = [];
    let last: Table | undefined;
    for (let i = 0; i < plan.runs; i++) {
      const r = await q(pq);
      times.push(r.ms);
      last = r.table;
    }
    out.push({ name: SEGMENTS_PROFILE, times, rows: last!.numRows, fingerprint: profileFingerprint(pq, last!) });
  } catch (err) {
    fail([SEGMENTS_PROFILE], err);
  }

  // A threshold change: what the Segments screen (and the Overview's churn bands) recompute — one segmentation.
  const change = async (name: string, options: Record<string, unknown>, id: string, column: string) => {
    try {
      const times: number[] = [];
      let statements = 0;
      for (let i = 0; i <= plan.runs; i++) {
        db.reset();
        const outcomes = await computeBuiltinSegmentations(db, options, [id]);
        const ids = outcomes.map((o) => o.id).join(',');
        if (ids !== id) throw new Error(`computed ${ids || 'nothing'}, expected only ${id}`);
        if (i > 0) times.push(db.ms); // the first is the warm-up
        statements = db.statements;
      }
      out.push({ name, times, rows: statements, fingerprint: await storedFingerprint(db, [column]) });
    } catch (err) {
      fail([name], err);
    }
  };
  await change(SEGMENTS_CHURN, CHURN_CHANGE, 'churn-risk', 'churn_risk');
  await change(SEGMENTS_CUSTOMER, CUSTOMER_CHANGE, 'customer-segment', 'customer_segment');
  // Back to the defaults (untimed), as the app would have them.
  await computeBuiltinSegmentations(db, {}, ['churn-risk', 'customer-segment']).catch(() => undefined);
  return out;
}

/** The median of a timing, or NaN for a failure. */
export function medianOf(t: QueryTiming | undefined): number {
  return t && !('error' in t) ? median(t.times) : NaN;
}
