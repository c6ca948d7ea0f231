// The native side: single-threaded @duckdb/node-api (like the WASM engine), same generator, same SQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openNodeDb } from '../src/db/node-db.ts';
import { literal, scriptSql } from '../src/sql/quote.ts';
import { loadShop, type GenParams } from '../src/data/generator/index.ts';
import type { Db } from '../src/db/types.ts';
import { benchAnalyses, type TimedKeep, type TimedPass, type TimedPaths } from './analyses.ts';
import { pathsByPass, pathTypes } from '../src/analyses/paths/index.ts';
import {
  decodeTypes, funnelColumnsSql, funnelRowsByPass, funnelRowsFromColumns, funnelTypesSql, keepColumns, type FunnelColumns, type FunnelSpec,
} from '../src/analyses/funnel/index.ts';
import { benchPivots, type TimedSql } from './pivots.ts';
import { benchSegments, type SegmentPlan } from './segments.ts';
import { LAST_DAY_SQL, ENGINE_MEMORY_SQL, shortReason, type BenchQuery, type EngineRun, type QueryTiming } from './queries.ts';

/** The 90-day window ending on the data's last day, read from a loaded database. */
export async function window90(db: Db): Promise<{ from: string; to: string }> {
  const row = (await db.query(LAST_DAY_SQL)).get(0)?.toJSON() as { last_day: string; first_day: string } | undefined;
  if (!row?.last_day) throw new Error('events is empty: no last day');
  return { from: row.first_day, to: row.last_day };
}

/** Run each query once to warm up, then `runs` timed times. A failing query is recorded, not thrown. */
export async function timeQueries(db: Db, queries: readonly BenchQuery[], runs: number): Promise<QueryTiming[]> {
  const out: QueryTiming[] = [];
  for (const q of queries) {
    try {
      await db.query(q.text, q.params);
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        rows = (await db.query(q.text, q.params)).numRows;
        times.push(performance.now() - t0);
      }
      out.push({ name: q.name, times, rows });
    } catch (err) {
      out.push({ name: q.name, error: shortReason(err) });
    }
  }
  return out;
}

/** Which parts a size runs: the Overview queries with pivots and analyses, and/or the built-in segmentations. */
export interface Sections {
  queries: boolean;
  /** How to run the segments rows (bench/segments.ts), or null to skip them. */
  segments: SegmentPlan | null;
  log?: (msg: string) => void;
}

/**
 * Load the shop natively (timed), then time `makeQueries(window)`, the benchmark pivots and cohort statements, then
 * the built-in segmentations on the same shop; the window is returned so the browser runs exactly the same SQL.
 */
export async function benchNative(
  params: GenParams,
  runs: number,
  makeQueries: (w: { from: string; to: string } | null) => BenchQuery[],
  sections: Sections = { queries: true, segments: null },
): Promise<{ run: EngineRun; window: { from: string; to: string } | null }> {
  const db = await openNodeDb({ threads: 1 });
  let window: { from: string; to: string } | null = null;
  try {
    const t0 = performance.now();
    const { events } = await loadShop(db, params);
    const loadMs = performance.now() - t0;
    window = await window90(db);
    const memoryMb = Number((await db.query(ENGINE_MEMORY_SQL)).get(0)?.toJSON().mb);
    const exec: TimedSql = async (q) => {
      const t0 = performance.now();
      const table = await db.query(q.text, q.params);
      return { ms: performance.now() - t0, table };
    };
    const run: EngineRun = { loadMs, events, memoryMb, storage: 'in memory', queries: [] };
    if (sections.queries) {
      run.queries = await timeQueries(db, makeQueries(window), runs);
      run.pivots = await benchPivots(exec, runs);
      // A one-pass funnel natively: DuckDB's time to produce the rows (not the Node binding's conversion of them to
      // JavaScript, which the page does not pay: its rows arrive as Arrow) plus the same pass in Node.
      // A funnel of plain steps: the pass over the columns kept here (loaded by the first run, as the app's
      // coordinator keeps them per dataset version); the load itself is timed by `keep`.
      const kept = new Map<string, FunnelColumns>();
      const keepNow = async (countBy: FunnelSpec['countBy']) => {
        const y = await db.queryTimed(scriptSql(funnelTypesSql()));
        const types = decodeTypes(y.table);
        const q = funnelColumnsSql(countBy, types);
        const r = await db.queryTimed(scriptSql(q));
        const t0 = performance.now();
        const cols = await keepColumns(r.table, types);
        if (!cols) throw new Error('the columns cannot be kept for this dataset');
        return { ms: r.engineMs + y.engineMs + performance.now() - t0, cols, sql: q.text };
      };
      const pass: TimedPass = async (q, spec, fromKept = false) => {
        if (fromKept) {
          let cols = kept.get(spec.countBy);
          let loadMs = 0;
          if (!cols) {
            const k = await keepNow(spec.countBy);
            kept.set(spec.countBy, (cols = k.cols));
            loadMs = k.ms;
          }
          const t0 = performance.now();
          const rows = await funnelRowsFromColumns(cols, spec);
          return { ms: loadMs + performance.now() - t0, rows };
        }
        const { table, engineMs } = await db.queryTimed(scriptSql(q));
        const t0 = performance.now();
        const rows = await funnelRowsByPass(table, spec);
        return { ms: engineMs + performance.now() - t0, rows };
      };
      const keep: TimedKeep = async (countBy) => {
        const { ms, cols, sql } = await keepNow(countBy);
        return { ms, units: cols.unitStart.length - 1, rows: cols.t.length, sql };
      };
      const paths: TimedPaths = async (keys, qs, spec) => {
        const types = pathTypes(await db.query(keys.text, keys.params));
        if (!types) throw new Error('two ids share their hash bits: the app would run the statements');
        const { table, engineMs } = await db.queryTimed(scriptSql(types.stored ? qs.stored : qs.events));
        const t0 = performance.now();
        const result = await pathsByPass(table, types, spec);
        return { ms: engineMs + performance.now() - t0, result, stored: types.stored === true };
      };
      run.analyses = await benchAnalyses(exec, runs, [], pass, paths, keep);
    }
    if (sections.segments) {
      const effect = async (text: string) => {
        const t0 = performance.now();
        await db.exec(text);
        return performance.now() - t0;
      };
      // The page stores each segmentation in its dataset's file (OPFS) and commits it; an in-memory database writes
      // nothing, so the segments run on a stored copy of the shop (a database file, checkpointed, as the page's
      // is after a load): the same work on both engines. (Measured at 10M: in memory 2.85 s, on a file 3.7 s.)
      const dir = mkdtempSync(join(tmpdir(), 'strata-bench-'));
      try {
        await db.exec(`ATTACH ${literal(join(dir, 'shop.duckdb'))} AS stored; COPY FROM DATABASE memory TO stored; USE stored; CHECKPOINT stored`);
        run.segments = await benchSegments(exec, effect, sections.segments, [], (m) => sections.log?.(`native segments: ${m}`));
        await db.exec('USE memory; DETACH stored');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return { run, window };
  } catch (err) {
    return { run: { queries: [], error: shortReason(err) }, window };
  } finally {
    await db.close();
  }
}
