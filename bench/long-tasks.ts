// Main-thread long tasks while each analysis screen computes and draws its default view (issue 17: "no main-thread
// long task over 50 ms while any analysis runs"), on the 50K demo shop. Each run is a fresh context: the demo shop
// is generated, the Overview drawn, the segments computed and the warm start over; then every screen is opened in turn and the page's
// 'longtask' entries (PerformanceObserver, buffered) are read from the moment its address is set until its status
// says ready and two frames have been drawn. A row per screen: the longest task of the median run, and the count.
import type { BrowserContext, Page } from '@playwright/test';
import { segmentsSettled, type BrowserRig } from './browser.ts';
import { median, shortReason } from './queries.ts';
import type { Row } from './table.ts';

/** A screen: its address and how the page says its analysis is on screen. */
interface Screen {
  name: string;
  hash: string;
  /** A CSS selector whose presence means "still computing"; the screen is ready when none matches. */
  busy: string;
  /** A CSS selector that must match once the screen is ready (its results are drawn). */
  done: string;
}

export const LONG_TASK_SCREENS: readonly Screen[] = [
  { name: 'Pivot', hash: '#/pivot', busy: '[data-testid="pivot-status"][data-status="loading"]', done: '[data-testid="pivot-status"][data-status="ready"]' },
  { name: 'Retention', hash: '#/retention', busy: '[data-testid="retention-status"][data-status="loading"]', done: '[data-testid="retention-status"][data-status="ready"]' },
  { name: 'Funnels', hash: '#/funnels', busy: '[data-testid="funnel-status"][data-status="loading"]', done: '[data-testid="funnel-status"][data-status="ready"]' },
  { name: 'Journeys', hash: '#/journeys', busy: '[data-testid="journeys-status"][data-status="loading"]', done: '[data-testid="journeys-status"][data-status="ready"]' },
  { name: 'Segments', hash: '#/segments', busy: '[data-testid="segments-status"][data-status="loading"]', done: '[data-testid="segments-status"]' },
  { name: 'Overview', hash: '#/overview', busy: '[data-panel-state="loading"]', done: '[data-testid="kpi-users"]' },
];

/** The step label of a screen's row. */
export const longTaskStep = (name: string): string => `${name} screen opened: longest main-thread task while it computes and draws`;

/** One run's long tasks per screen: [longest ms (0 = none over 50 ms), how many]. */
export type RunResult = Record<string, [number, number]>;

/** Record the page's long tasks from its first script on (read by screensLongTasks). */
export async function observeLongTasks(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = globalThis as unknown as { __long: { start: number; ms: number }[] };
    w.__long = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__long.push({ start: e.startTime, ms: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** First check that the observer reports a task we make (an 80 ms busy loop): else "0 long tasks" would mean nothing. */
async function observerSees(page: Page): Promise<void> {
  const seen = await page.evaluate(async () => {
    const w = globalThis as unknown as { __long: { start: number; ms: number }[] };
    const t0 = performance.now();
    await new Promise<void>((r) =>
      setTimeout(() => {
        while (performance.now() - t0 < 80);
        r();
      }),
    );
    await new Promise((r) => setTimeout(r, 200));
    return w.__long.some((t) => t.start >= t0 - 1 && t.ms >= 70);
  });
  if (!seen) throw new Error('the long-task observer did not report an 80 ms task made to check it');
}

/** Open every screen in turn (from the Datasets screen); per screen its longest long task and how many there were. */
export async function screensLongTasks(page: Page): Promise<RunResult> {
  await observerSees(page);
  const out: RunResult = {};
  // From a screen with no analysis of its own, so each screen's work starts at its hash change.
  for (const s of LONG_TASK_SCREENS) {
    await page.evaluate(() => (location.hash = '#/datasets'));
    await page.waitForTimeout(300);
    const t0 = await page.evaluate((hash) => {
      const now = performance.now();
      location.hash = hash;
      return now;
    }, s.hash);
    await page.waitForFunction(({ busy, done }) => !document.querySelector(busy) && !!document.querySelector(done), { busy: s.busy, done: s.done }, { timeout: 300_000, polling: 50 });
    // Two frames: the charts drawn after the data arrived.
    await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
    await page.waitForTimeout(100);
    const tasks = await page.evaluate((from) => (globalThis as unknown as { __long: { start: number; ms: number }[] }).__long.filter((t) => t.start >= from), t0);
    out[s.name] = [tasks.reduce((m, t) => Math.max(m, t.ms), 0), tasks.length];
  }
  return out;
}

/** Rows for one run at a big size (the page the timed statements ran in: each screen's first view). */
export function bigLongTaskRows(size: string, r: RunResult | string): Row[] {
  return LONG_TASK_SCREENS.map((s) =>
    typeof r === 'string'
      ? { size, step: longTaskStep(s.name), wasm: { text: `failed: ${r}` }, native: null }
      : { size, step: `${longTaskStep(s.name)} (first view, one run: ${r[s.name][1]} long tasks)`, wasm: { ms: r[s.name][0] }, native: null },
  );
}

async function oneRun(rig: BrowserRig): Promise<RunResult> {
  const context = await rig.browser.newContext({ serviceWorkers: 'block', viewport: { width: 1400, height: 900 } });
  try {
    await observeLongTasks(context);
    const page = await context.newPage();
    await page.goto(rig.url + '#/overview');
    await page.waitForFunction(() => {
      const s = (globalThis as unknown as { strata?: { segmentsReady?: boolean; writing?: unknown; timings?: { dashboardMs?: number } } }).strata;
      return !!s?.timings?.dashboardMs && !!s.segmentsReady && !s.writing && !document.querySelector('[data-panel-state="loading"]');
    }, null, { timeout: 180_000, polling: 100 });
    // And the screens' warm start, so each screen's tasks are its own.
    await segmentsSettled(page);
    return await screensLongTasks(page);
  } finally {
    await context.close().catch(() => undefined);
  }
}

/** Rows: per screen, the median over `runs` fresh contexts of the longest long task (0 when none), and the counts. */
export async function longTasksOnScreens(rig: BrowserRig, runs: number, log: (m: string) => void): Promise<Row[]> {
  const results: RunResult[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const r = await oneRun(rig);
      results.push(r);
      log(`long tasks run ${i + 1}/${runs}: ${Object.entries(r).map(([k, [ms, n]]) => `${k} ${ms.toFixed(0)} ms (${n})`).join(', ')}`);
    }
  } catch (err) {
    return LONG_TASK_SCREENS.map((s) => ({ size: '50K', step: longTaskStep(s.name), wasm: { text: `failed: ${shortReason(err)}` }, native: null }));
  }
  return LONG_TASK_SCREENS.map((s) => {
    const longest = results.map((r) => r[s.name][0]);
    const counts = results.map((r) => r[s.name][1]);
    return { size: '50K', step: `${longTaskStep(s.name)} (long tasks per run: ${counts.join(', ')})`, wasm: { ms: median(longest) }, native: null };
  });
}
