// Live mode: the cost of one tick (simulate + append + user_metrics for the touched users, as the app runs it) and
// of the Overview KPI refresh that follows it, at 50K / 1M / 10M events, in the page and in native DuckDB (the same
// appendTick and KPI statement from Node); and the page's main-thread long tasks while live.
import { cpus } from 'node:os';
import type { BrowserContext, Page } from '@playwright/test';
import { openNodeDb } from '../src/db/node-db.ts';
import { loadShop, type GenParams } from '../src/data/generator/index.ts';
import { LiveSim, DEFAULT_LIVE, initialCounters } from '../src/data/live/sim.ts';
import { appendTick, shopCounters, type LiveState } from '../src/data/live/append.ts';
import { OVERVIEW_PANELS, validateOverviewSpec } from '../src/analyses/overview/index.ts';
import { appSettled, LONGTASKS } from './ml-screen.ts';
import type { BrowserRig } from './browser.ts';
import { median, type BenchSize } from './queries.ts';

const TICKS = 20;
const KPI_RUNS = 5;


interface Side {
  events: number;
  tick: number;
  kpis: number;
  long?: { count: number; max: number };
  /** The longest main-thread task while switching live on (before the first tick), ms. */
  startup?: number;
}

async function native(params: GenParams): Promise<Side> {
  const db = await openNodeDb({ threads: 1 });
  try {
    await loadShop(db, params);
    const shop = await shopCounters(db);
    const start = initialCounters(params, shop);
    let state: LiveState = { params, settings: DEFAULT_LIVE, counters: start, start, totals: { orders: 0, revenue: 0, newUsers: 0 }, lastEventMs: shop.lastEventMs, status: 'running' };
    const sim = new LiveSim(params, DEFAULT_LIVE);
    const q = OVERVIEW_PANELS.kpis(validateOverviewSpec({}));
    const ticks: number[] = [];
    const kpis: number[] = [];
    for (let k = 0; k < TICKS + 1; k++) {
      const t0 = performance.now();
      state = (await appendTick(db, state, sim.tick(state.counters))).state;
      const t1 = performance.now();
      await db.query(q.text, q.params);
      if (k > 0) {
        ticks.push(t1 - t0);
        kpis.push(performance.now() - t1);
      }
    }
    return { events: shop.events, tick: median(ticks), kpis: median(kpis) };
  } finally {
    await db.close();
  }
}

interface PageStrata {
  strata: {
    generate(p: GenParams): Promise<void>;
    dataset: { events: number } | null;
    error: string | null;
    db: { query(text: string, params?: unknown[]): Promise<unknown> };
    live: { configure(s: object): Promise<void>; start(): Promise<void>; pause(): Promise<void>; ticks: number; tickTimes: number[]; status: string; error: string | null };
  };
  __benchLongTasks: { start: number; duration: number }[] | null;
}

async function page(rig: BrowserRig, params: GenParams, isDefault: boolean): Promise<Side> {
  const context: BrowserContext = await rig.browser.newContext({ serviceWorkers: 'block', viewport: { width: 1400, height: 900 } });
  try {
    await context.addInitScript(LONGTASKS);
    const p: Page = await context.newPage();
    await p.goto(rig.url);
    await appSettled(p);
    if (!isDefault) {
      const err = await p.evaluate(async (gp) => {
        const s = (globalThis as unknown as PageStrata).strata;
        await s.generate(gp);
        return s.error;
      }, params);
      if (err) throw new Error(err);
      await appSettled(p);
    }
    const events = await p.evaluate(() => (globalThis as unknown as PageStrata).strata.dataset?.events ?? 0);
    const q = OVERVIEW_PANELS.kpis(validateOverviewSpec({}));
    const r = await p.evaluate(async ({ ticks, q, runs }) => {
      const g = globalThis as unknown as PageStrata;
      const live = g.strata.live;
      await live.configure({ intervalMs: 1000 });
      const from = performance.now();
      const base = live.ticks;
      await live.start();
      let first = 0;
      while (live.ticks < base + ticks + 1 && !live.error) {
        await new Promise((r) => setTimeout(r, 50));
        if (!first && live.ticks > base) first = performance.now();
      }
      const to = performance.now();
      await live.pause();
      const times = live.tickTimes.slice(-ticks);
      const all = g.__benchLongTasks ?? [];
      const long = all.filter((t) => t.start >= first && t.start <= to);
      const startup = all.filter((t) => t.start >= from && t.start < first && t.duration > 50);
      const kpis: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await g.strata.db.query(q.text, q.params);
        kpis.push(performance.now() - t0);
      }
      const saveError = (live as unknown as { saveError: string | null }).saveError;
      return { saveError, times, kpis, long: { count: long.filter((t) => t.duration > 50).length, max: Math.max(0, ...long.map((t) => t.duration)) }, startup: Math.max(0, ...startup.map((t) => t.duration)), error: live.error };
    }, { ticks: TICKS, q: { text: q.text, params: q.params as unknown[] }, runs: KPI_RUNS });
    if (r.error) throw new Error(r.error);
    if (r.saveError) console.warn(`live bench: ${r.saveError}`);
    return { events, tick: median(r.times), kpis: median(r.kpis), long: r.long, startup: r.startup };
  } finally {
    await context.close();
  }
}

/** The Live table (markdown) for `sizes`. */
export async function benchLive(rig: BrowserRig, sizes: readonly BenchSize[], log: (m: string) => void): Promise<string> {
  const rows: string[] = [];
  for (const size of sizes) {
    const isDefault = size.params.users === 5000 && size.params.days === 365 && size.params.seed === 42;
    log(`${size.label}: native`);
    const n = await native(size.params);
    log(`${size.label}: page`);
    let w: Side | null = null;
    let why = '';
    try {
      w = await page(rig, size.params, isDefault);
    } catch (err) {
      why = String(err instanceof Error ? err.message : err).slice(0, 120);
    }
    const f = (x: number) => (Number.isFinite(x) ? `${Math.round(x)} ms` : '—');
    const ratio = (a: number, b: number) => (Number.isFinite(a) && b > 0 ? `${(a / b).toFixed(1)}×` : '—');
    rows.push(w
      ? `| ${size.label} (${n.events.toLocaleString('en-US')} events) | ${f(w.tick)} | ${f(n.tick)} | ${ratio(w.tick, n.tick)} | ${f(w.kpis)} | ${f(n.kpis)} | ${f(w.tick + w.kpis)} | ${w.long!.count}${w.long!.count ? ` (max ${Math.round(w.long!.max)} ms)` : ''} | ${w.startup ? `${Math.round(w.startup)} ms` : 'none'} |`
      : `| ${size.label} | failed: ${why} | ${f(n.tick)} | — | — | ${f(n.kpis)} | — | — | — |`);
  }
  const head = '| shop | tick in the page (simulate + append + metrics) | native | ratio | KPI refresh, page | native | one tick, page total | page long tasks > 50 ms over the ticks | switching live on: longest task |\n|---|---|---|---|---|---|---|---|---|';
  const caption = `_${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores. Median of ${TICKS} ticks (after one) at the default settings (${DEFAULT_LIVE.simMinutes} simulated minutes, ${DEFAULT_LIVE.traffic} visits per simulated minute), the page's ticks every second as the app runs them (its own clock: worker simulation + appendTick on the live connection); the KPI refresh is the Overview's KPI statement, median of ${KPI_RUNS}; native = the same appendTick and statement from Node, @duckdb/node-api, threads=1, in memory. Long tasks from a PerformanceObserver from the first tick to the last (a heavy refresh is due every 30 s: none falls in the 20 s); switching live on (mounting the live panel, starting the worker) is shown on its own._`;
  return `${head}\n${rows.join('\n')}\n\n${caption}\n`;
}
