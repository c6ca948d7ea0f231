// The browser side: dist/ served locally, Debian Chromium driven by Playwright, timings taken inside the page.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { Table, vectorFromArray, type Vector } from 'apache-arrow';
import { chromiumPath, LAUNCH_ARGS } from '../e2e/browser.ts';
import { DIST } from './build.ts';
import type { GenParams } from '../src/data/generator/index.ts';
import { ANALYSIS_NAMES, benchAnalyses, type TimedKeep, type TimedPass, type TimedPaths } from './analyses.ts';
import type { PathsResult } from '../src/analyses/paths/index.ts';
import type { FunnelRow } from '../src/analyses/funnel/index.ts';
import { PIVOT_NAMES, benchPivots, type TimedSql } from './pivots.ts';
import { PREFETCH_MAX_EVENTS } from '../src/views/prefetch.ts';
import { SEGMENT_NAMES, benchSegments, type TimedExec } from './segments.ts';
import type { Sections } from './native.ts';
import { ENGINE_MEMORY_SQL, shortReason, type BenchQuery, type EngineRun, type QueryTiming, type ReaderRun } from './queries.ts';

/** The e2e tests' Chromium flags (LAUNCH_ARGS, e2e/browser.ts) without LIFTOFF_ONLY, which most e2e tests add to
 *  save CPU: the benchmark measures V8's default wasm tiers, what users run. */
export const CHROMIUM_ARGS: string[] = [...LAUNCH_ARGS];

/** A running static server plus Chromium; `close` stops both and never throws. */
export interface BrowserRig {
  browser: Browser;
  url: string;
  close(): Promise<void>;
}

/**
 * Serve dist/ on a free port and launch headless Chromium. `isolate` (default true: what `npm start` serves) sends
 * the cross-origin isolation headers, so the page runs its threaded reader (src/db/reader.ts) beside the main engine.
 */
export async function startRig(extraArgs: string[] = [], isolate = true): Promise<BrowserRig> {
  const servePath = new URL('../e2e/serve.mjs', import.meta.url).href;
  const { serveDist } = (await import(servePath)) as { serveDist: (port: number, dir?: string, opts?: { isolate?: boolean }) => Promise<Server> };
  const server = await serveDist(0, DIST + '/', { isolate });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const stop = () => new Promise<void>((done) => server.close(() => done()));
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS, ...extraArgs], headless: true });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    browser,
    url,
    async close() {
      await browser.close().catch(() => undefined);
      server.closeAllConnections();
      await stop();
    },
  };
}

/** Cold-start milestones of one fresh page load, in ms since navigation start. */
export interface ColdStart {
  fcp: number;
  dbReady: number;
  datasetReady: number;
  dashboard: number;
  /** The first visit's KPIs on screen, ms: the build's figures of the demo shop (shown while DuckDB starts and the
   * shop is generated) when they were shown, else the generated shop's own. */
  firstKpis: number;
  /** A second load in the same context (the shop stored in OPFS, the files cached): KPIs on screen, ms (the last
   * visit's figures from the dashboard cache when it holds them). */
  returning: number;
  /** The same load: every Overview panel answered from the stored data, ms. */
  returningDashboard: number;
}

/** Load the app in a fresh context (empty cache, no service worker yet) and read its milestones; then reload. */
export async function coldStart(rig: BrowserRig): Promise<ColdStart> {
  const context = await rig.browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(rig.url);
    await dashboardRendered(page);
    const first = await page.evaluate(() => {
      const t = (globalThis as unknown as Strata).strata.timings;
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
      return { fcp, dbReady: t.dbReadyMs ?? NaN, datasetReady: t.datasetReadyMs ?? NaN, dashboard: t.dashboardMs ?? NaN, firstKpis: t.cachedDashboardMs ?? t.dashboardMs ?? NaN };
    });
    // The first visit keeps working in the background (segmentations, the stored file): let it settle, then reload.
    try {
      await page.waitForFunction(() => {
        const s = (globalThis as unknown as Strata).strata;
        return (s.segmentsReady && !s.writing) || !!s.segmentError;
      }, null, { timeout: 300_000, polling: 200 });
    } catch (err) {
      // Say what the app was doing (seen once, not reproduced in 14 tries: the first visit's segments never ready).
      const state = await page.evaluate(() => {
        const s = (globalThis as unknown as Strata).strata;
        return JSON.stringify({ phase: s.phase, dataset: s.dataset?.events ?? null, segmentsReady: s.segmentsReady, writing: s.writing, segmentError: s.segmentError, error: s.error, version: s.version });
      }).catch((e: unknown) => `unreadable: ${shortReason(e)}`);
      throw new Error(`first visit: segments not ready after 300 s (${state}): ${shortReason(err)}`);
    }
    await page.reload();
    await dashboardRendered(page);
    const again = await page.evaluate(() => {
      const t = (globalThis as unknown as Strata).strata.timings;
      return { kpis: t.cachedDashboardMs ?? t.dashboardMs ?? NaN, dashboard: t.dashboardMs ?? NaN };
    });
    return { ...first, returning: again.kpis, returningDashboard: again.dashboard };
  } finally {
    await context.close();
  }
}

/** The slice of the page's `globalThis.strata` (the app object of src/state/app.svelte.ts, exposed by the bench build) the benchmark touches. */
interface Strata {
  strata: {
    timings: { dbReadyMs?: number; datasetReadyMs?: number; dashboardMs?: number; cachedDashboardMs?: number };
    phase: string;
    dataset: { events: number } | null;
    error: string | null;
    /** The background computation of the built-in segmentations: done when ready and nothing is being written. */
    segmentsReady: boolean;
    segmentError: string | null;
    writing: string | null;
    /** The analysis screens' warm start on small datasets (src/views/prefetch.ts) and the data version it is for. */
    prefetch: { version: number; status: 'running' | 'done' } | null;
    version: number;
    generate(p: GenParams): Promise<void>;
    db: {
      info?: { persistent?: boolean };
      query(sql: string, params?: unknown[], opts?: { engine?: 'main' }): Promise<PageTable>;
      exec(sql: string): Promise<void>;
      reader(): { state: string; threads: number; generation: number; lastSnapshotMs: number | null; error: string | null; answered: number; declined: number; errors: string[]; step: string | null; restarts: number } | null;
      writes(): number;
    };
  };
}

/** The slice of an Arrow table (the page's own apache-arrow) the benchmark reads inside the page. */
interface PageTable {
  numRows: number;
  schema: { fields: { name: string }[] };
  get(i: number): { toJSON(): Record<string, unknown> } | null;
  getChild(name: string): { get(i: number): unknown } | null;
}

/** Cell values as they cross from the page: plain JSON (BigInt, Date and other objects normalised as src/lib/rows.ts does). */
type PageCell = number | string | boolean | null;

/**
 * Run one statement in the page with `strata.db.query` (worker round trip plus Arrow decode on the main thread,
 * like every other WASM figure), timed there; the result comes back column by column and is rebuilt as an
 * Arrow table in Node, so runPivot decodes the page's stats and cells exactly as the app does.
 */
export function pageSql(page: Page): TimedSql {
  return async (q) => {
    const r = await page.evaluate(
      async ({ text, params }) => {
        const db = (globalThis as unknown as Strata).strata.db;
        const t0 = performance.now();
        const t = await db.query(text, params);
        const ms = performance.now() - t0;
        // No named helper functions in here: tsx may wrap them in a __name() the page does not have.
        const names = t.schema.fields.map((f) => f.name);
        const columns = names.map((n) => {
          const c = t.getChild(n);
          const values: PageCell[] = [];
          for (let i = 0; i < t.numRows; i++) {
            const v: unknown = c?.get(i);
            if (v === null || v === undefined) values.push(null);
            else if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') values.push(v);
            else if (typeof v === 'bigint') values.push(Number(v));
            else if (v instanceof Date) values.push(v.getTime());
            else values.push(String(v));
          }
          return values;
        });
        return { ms, names, columns };
      },
      { text: q.text, params: [...q.params] },
    );
    const vectors: Record<string, Vector> = {};
    r.names.forEach((n, i) => {
      vectors[n] = vectorFromArray(r.columns[i]);
    });
    return { ms: r.ms, table: new Table(vectors) };
  };
}

/**
 * A one-pass funnel in the page as the Funnels screen runs it: the rows' statement with `strata.db.query`, then the
 * pass in slices on the main thread (the bench build exposes the screen's runner as `strataBench.funnelRows`); or,
 * `kept`, the pass over the columns the app keeps (`strataBench.funnelKept`: loaded by the first such run, once per
 * dataset version); only the small result rows come back.
 */
export function pagePass(page: Page): TimedPass {
  return (q, spec, kept = false) =>
    page.evaluate(
      async ({ text, params, spec, kept }) => {
        type Bench = { funnelRows(t: unknown, spec: unknown): Promise<FunnelRow[]>; funnelKept(spec: unknown): Promise<FunnelRow[]> };
        const g = globalThis as unknown as Strata & { strataBench: Bench };
        const t0 = performance.now();
        if (kept) {
          const rows = await g.strataBench.funnelKept(spec);
          return { ms: performance.now() - t0, rows };
        }
        const t = await g.strata.db.query(text, params);
        const rows = await g.strataBench.funnelRows(t, spec);
        return { ms: performance.now() - t0, rows };
      },
      { text: q.text, params: [...q.params], spec, kept },
    );
}

/** Load the funnels' columns afresh in the page (the types, the columns' statement, then kept in slices), timed there. */
export function pageKeep(page: Page): TimedKeep {
  return (countBy) =>
    page.evaluate(async (countBy) => {
      type Kept = { units: number; rows: number; sql: string };
      const g = globalThis as unknown as { strataBench: { keepColumns(countBy: string): Promise<Kept | null> } };
      const t0 = performance.now();
      const kept = await g.strataBench.keepColumns(countBy);
      if (!kept) throw new Error('the columns cannot be kept for this dataset');
      return { ms: performance.now() - t0, ...kept };
    }, countBy);
}

/**
 * One-pass journeys in the page as the Journeys screen runs them: the keys statement (untimed: the app runs it once
 * per dataset version), then the rows' statement and the pass in slices (`strataBench.pathsRows`), timed.
 */
export function pagePaths(page: Page): TimedPaths {
  return (keys, qs, spec) =>
    page.evaluate(
      async ({ keys, events, stored, spec }) => {
        type Bench = { pathTypes(t: unknown): { stored?: boolean } | null; pathsRows(t: unknown, types: unknown, spec: unknown): Promise<PathsResult | null> };
        const g = globalThis as unknown as Strata & { strataBench: Bench };
        const types = g.strataBench.pathTypes(await g.strata.db.query(keys, []));
        if (!types) throw new Error('two ids share their hash bits: the app would run the statements');
        const q = types.stored ? stored : events;
        const t0 = performance.now();
        const t = await g.strata.db.query(q.text, q.params);
        const result = await g.strataBench.pathsRows(t, types, spec);
        return { ms: performance.now() - t0, result, stored: types.stored === true };
      },
      { keys: keys.text, events: { text: qs.events.text, params: [...qs.events.params] }, stored: { text: qs.stored.text, params: [...qs.stored.params] }, spec },
    );
}

/** Run one statement for its effect in the page with `strata.db.exec`, timed there. */
export function pageExec(page: Page): TimedExec {
  return (text) =>
    page.evaluate(async (t) => {
      const db = (globalThis as unknown as Strata).strata.db;
      const t0 = performance.now();
      await db.exec(t);
      return performance.now() - t0;
    }, text);
}

/**
 * Wait until the app's background computation of the built-in segmentations (started when a dataset opens) is
 * over, so it competes with no timed statement; throws with the app's message when it failed.
 */
export async function segmentsSettled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const s = (globalThis as unknown as Strata).strata;
    return (s.segmentsReady && !s.writing) || !!s.segmentError;
  }, null, { timeout: 600_000, polling: 200 });
  // Then the screens' warm start on a small dataset (src/views/prefetch.ts), which would compete with timed work.
  await page.waitForFunction((max) => {
    const s = (globalThis as unknown as Strata).strata;
    return !!s.segmentError || (s.dataset?.events ?? 0) > max || (s.prefetch?.version === s.version && s.prefetch.status === 'done');
  }, PREFETCH_MAX_EVENTS, { timeout: 600_000, polling: 200 });
  const err = await page.evaluate(() => (globalThis as unknown as Strata).strata.segmentError);
  if (err) throw new Error(err);
}

/** How long the bench waits for the reader's snapshot (10M events: ~15 s when it works). */
const READER_WAIT_MS = 300_000;

/**
 * When the page runs the threaded reader, wait until its snapshot holds everything written so far (else the timed
 * reads would go to the main engine, or compete with the snapshot being taken). Returns what it reported.
 */
export async function readerSettled(page: Page): Promise<ReaderRun> {
  const settled = await page
    .waitForFunction(() => {
      const db = (globalThis as unknown as Strata).strata.db;
      const r = db.reader();
      return !r || r.state === 'failed' || ((r.state === 'ready' || r.state === 'standby') && r.generation === db.writes());
    }, null, { timeout: READER_WAIT_MS, polling: 200 })
    .then(() => true, () => false);
  const run = await page.evaluate(() => {
    const db = (globalThis as unknown as Strata).strata.db;
    const r = db.reader();
    return r ? { state: r.state, threads: r.threads, snapshotMs: r.state === 'ready' ? r.lastSnapshotMs : null, error: r.error, errors: r.errors, step: r.step, generation: r.generation, writes: db.writes(), restarts: r.restarts } : null;
  });
  if (!run) return null;
  const { errors, step, generation, writes, restarts, ...reported } = run;
  if (!settled) {
    // Say where it stood (the timed reads then go to the main engine, or race a snapshot): not a silent wait.
    const why = `not settled within ${READER_WAIT_MS / 1000} s (${run.state}${step ? `, step ${step}` : ''}, snapshot of write ${generation} vs ${writes}, ${restarts} restarts${errors.length ? `; errors: ${errors.join(' | ')}` : ''})`;
    console.error(`  reader ${why}`);
    return { ...reported, state: 'unsettled', error: why };
  }
  if (restarts || errors.length) console.error(`  reader ${run.state} after ${restarts} restarts; errors: ${errors.join(' | ') || 'none'}`);
  return reported;
}

/** What the reader answered and declined so far. */
async function readerCounts(page: Page): Promise<{ answered?: number; declined?: number }> {
  return page.evaluate(() => {
    const r = (globalThis as unknown as Strata).strata.db.reader();
    return r ? { answered: r.answered, declined: r.declined } : {};
  });
}

/** Wait for the app's first dashboard; on timeout say what state the app was in. */
async function dashboardRendered(page: Page, timeoutS = 90): Promise<void> {
  try {
    await page.waitForFunction(() => (globalThis as unknown as Strata).strata?.timings?.dashboardMs, null, {
      timeout: timeoutS * 1000,
    });
  } catch (err) {
    const state = await page
      .evaluate(() => {
        const s = (globalThis as unknown as Strata).strata;
        return s ? `phase ${s.phase}${s.error ? `, error: ${s.error}` : ''}` : 'no strata object';
      })
      .catch(() => shortReason(err));
    throw new Error(`no dashboard within ${timeoutS} s (${state})`);
  }
}

/** Wait until no Overview panel is loading (the dashboard re-queries after every dataset change). */
async function dashboardIdle(page: Page): Promise<void> {
  await page.waitForTimeout(300);
  await page.waitForFunction(() => document.querySelectorAll('[data-panel-state="loading"]').length === 0, null, {
    timeout: 600_000,
  });
}

async function runInPage(page: Page, params: GenParams, queries: readonly BenchQuery[], runs: number): Promise<EngineRun> {
  await dashboardRendered(page);
  await dashboardIdle(page);
  const gen = await page.evaluate(async (p) => {
    const s = (globalThis as unknown as Strata).strata;
    const t0 = performance.now();
    await s.generate(p);
    const ms = performance.now() - t0;
    return { ms, events: s.dataset?.events ?? null, error: s.error, persistent: s.db.info?.persistent };
  }, params);
  if (gen.error) return { queries: [], error: shortReason(gen.error) };
  await segmentsSettled(page);
  await dashboardIdle(page);
  const reader = await readerSettled(page);
  const memoryMb = await page.evaluate(async (sql) => {
    const t = await (globalThis as unknown as Strata).strata.db.query(sql);
    return Number(t.get(0)?.toJSON().mb);
  }, ENGINE_MEMORY_SQL);
  const timed = await page.evaluate(
    async ({ queries, runs }) => {
      const db = (globalThis as unknown as Strata).strata.db;
      const out: ({ name: string; times: number[]; rows: number } | { name: string; error: string })[] = [];
      for (const q of queries) {
        try {
          // As the app sends it: a statement that asks for the main engine skips the reader (Sql.engine).
          const opts = q.engine ? { engine: q.engine } : undefined;
          await db.query(q.text, q.params, opts);
          const times: number[] = [];
          let rows = 0;
          for (let i = 0; i < runs; i++) {
            const t0 = performance.now();
            rows = (await db.query(q.text, q.params, opts)).numRows;
            times.push(performance.now() - t0);
          }
          out.push({ name: q.name, times, rows });
        } catch (err) {
          out.push({ name: q.name, error: String(err instanceof Error ? err.message : err).slice(0, 200) });
        }
      }
      return out;
    },
    { queries: queries as BenchQuery[], runs },
  );
  const storage = gen.persistent === undefined ? undefined : gen.persistent ? 'OPFS' : 'in memory';
  return { loadMs: gen.ms, events: gen.events ?? undefined, memoryMb, storage, reader, queries: timed as QueryTiming[] };
}

/** Time limits of benchBrowser's parts, in ms. */
export interface BrowserTimeouts {
  /** Boot, generate, the app's own segment computation and the Overview queries. */
  main: number;
  pivots: number;
  analyses: number;
  segments: number;
}

/**
 * In a fresh context: boot the app, generate `params` in the page (timed there), wait for the app's background
 * segment computation, then time `queries`, then the benchmark pivots (bench/pivots.ts), then the analysis statements
 * (bench/analyses.ts), then the built-in segmentations (bench/segments.ts) — the last three as `sections` says. Any
 * failure (crash, out of memory, timeout) comes back as `error`, or for the pivots, analyses and segments as their
 * own failed rows (each has a separate time limit, so a slow one cannot cost the figures before it); the context is
 * always closed.
 */
export async function benchBrowser(
  rig: BrowserRig,
  params: GenParams,
  queries: readonly BenchQuery[],
  runs: number,
  timeouts: BrowserTimeouts,
  sections: Sections & {
    /** Before the context opens: e.g. record long tasks from the page's first script. */
    prepare?: (context: BrowserContext) => Promise<void>;
    /** After the timed analyses, before the segmentations (which write): more work in the same page. */
    afterAnalyses?: (page: Page) => Promise<void>;
  } = { queries: true, segments: null },
): Promise<EngineRun> {
  // No service worker here: its background precache of the 34 MB wasm would compete with the timed work.
  const context: BrowserContext = await rig.browser.newContext({ serviceWorkers: 'block', viewport: { width: 1400, height: 900 } });
  await sections.prepare?.(context);
  let timer: NodeJS.Timeout | undefined;
  const deadline = (ms: number) =>
    new Promise<never>((_, reject) => {
      clearTimeout(timer);
      timer = setTimeout(() => reject(new Error(`timed out after ${Math.round(ms / 1000)} s`)), ms);
    });
  try {
    const page = await context.newPage();
    const crashed = new Promise<never>((_, reject) => page.on('crash', () => reject(new Error('page crashed'))));
    crashed.catch(() => undefined); // a crash after the race is over must not become an unhandled rejection
    await page.goto(rig.url);
    const run = await Promise.race([runInPage(page, params, sections.queries ? queries : [], runs), crashed, deadline(timeouts.main)]);
    if (run.error) return run;
    const notRun = (names: readonly string[], why: string) => names.map((name) => ({ name, error: `not run: ${why}` }));
    if (sections.queries) {
      const pivots: QueryTiming[] = [];
      try {
        await Promise.race([benchPivots(pageSql(page), runs, pivots), crashed, deadline(timeouts.pivots)]);
        run.pivots = pivots;
      } catch (err) {
        // Keep the pivots that finished; the rest are marked with why they did not.
        const done = pivots.slice();
        run.pivots = [...done, ...PIVOT_NAMES.filter((n) => !done.some((t) => t.name === n)).map((name) => ({ name, error: shortReason(err) }))];
        // The page is gone or its worker still busy with a pivot: later timings now would be meaningless.
        run.analyses = notRun(ANALYSIS_NAMES, `pivots ${shortReason(err)}`);
        if (sections.segments) run.segments = notRun(SEGMENT_NAMES, `pivots ${shortReason(err)}`);
        return run;
      }
      const analyses: QueryTiming[] = [];
      try {
        await Promise.race([benchAnalyses(pageSql(page), runs, analyses, pagePass(page), pagePaths(page), pageKeep(page)), crashed, deadline(timeouts.analyses)]);
        run.analyses = analyses;
        if (run.reader) Object.assign(run.reader, await readerCounts(page));
        await Promise.race([sections.afterAnalyses?.(page), crashed, deadline(timeouts.analyses)]);
      } catch (err) {
        const done = analyses.slice();
        run.analyses = [...done, ...ANALYSIS_NAMES.filter((n) => !done.some((t) => t.name === n)).map((name) => ({ name, error: shortReason(err) }))];
        if (sections.segments) run.segments = notRun(SEGMENT_NAMES, `analyses ${shortReason(err)}`);
        return run;
      }
    }
    if (sections.segments) {
      const segments: QueryTiming[] = [];
      try {
        const log = (m: string) => sections.log?.(`browser segments: ${m}`);
        await Promise.race([benchSegments(pageSql(page), pageExec(page), sections.segments, segments, log), crashed, deadline(timeouts.segments)]);
        run.segments = segments;
      } catch (err) {
        const done = segments.slice();
        run.segments = [...done, ...SEGMENT_NAMES.filter((n) => !done.some((t) => t.name === n)).map((name) => ({ name, error: shortReason(err) }))];
      }
    }
    return run;
  } catch (err) {
    return { queries: [], error: shortReason(err) };
  } finally {
    clearTimeout(timer);
    await context.close().catch(() => undefined);
  }
}
