// The Clusters screen's full default run on the demo shop, timed in the page (the app's dist-bench build): open
// `#/clusters` (the screen reads the default features from DuckDB), click Run as soon as it is enabled (k-means,
// k = 4, the screen's defaults), wait for the result card, then click "Find k (2–10)" and wait for the scan table.
// Main-thread long tasks (PerformanceObserver 'longtask', buffered) are collected from page load on and reported
// for the Run alone and for the whole sequence. Each run is a fresh page load in one context (the first visit to
// the screen after the app has opened the shop and finished its background segment computation).
import type { BrowserContext } from '@playwright/test';
import type { BrowserRig } from './browser.ts';

/** One pass over the screen, ms from the page's clock. */
export interface ScreenRun {
  /** Hash set → Run enabled (screen mounted, features read from DuckDB). */
  readMs: number;
  /** Run clicked → result card in the DOM. */
  runMs: number;
  /** The screen's own figure ("· 1.9 s" in the quality line), ms. */
  screenMs: number;
  /** "Find k" clicked → scan table in the DOM. */
  scanMs: number;
  /** Longest long task between the Run click and the result (0 = none over 50 ms), and how many. */
  runLongest: number;
  runLongCount: number;
  /** Longest long task from setting the hash to the scan table. */
  allLongest: number;
  allLongCount: number;
  /** The Run's long tasks: start (ms after the click) and duration, for the log. */
  runTasks: { at: number; ms: number }[];
}

export const LONGTASKS = `
  globalThis.__benchLongTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) globalThis.__benchLongTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch (err) {
    globalThis.__benchLongTasks = null;
  }
`;

/** The slice of the page's `strata` object the waits read (exposed by the bench build). */
interface PageApp {
  strata?: { timings?: { dashboardMs?: number }; segmentsReady: boolean; segmentError: string | null; writing: string | null };
}

export async function appSettled(page: import('@playwright/test').Page): Promise<void> {
  await page.waitForFunction(() => (globalThis as unknown as PageApp).strata?.timings?.dashboardMs, null, { timeout: 120_000 });
  await page.waitForFunction(() => {
    const s = (globalThis as unknown as PageApp).strata!;
    return (s.segmentsReady && !s.writing) || !!s.segmentError;
  }, null, { timeout: 300_000, polling: 200 });
  await page.waitForTimeout(300);
  await page.waitForFunction(() => document.querySelectorAll('[data-panel-state="loading"]').length === 0, null, { timeout: 120_000 });
}

/** One fresh load of the app, then the screen's run and scan (see the header). */
async function onePass(context: BrowserContext, url: string): Promise<ScreenRun> {
  const page = await context.newPage();
  try {
    await page.goto(url);
    await appSettled(page);
    const t = await page.evaluate(async () => {
      // Inline code only (no named helpers: tsx may wrap them in a __name() the page does not have).
      const t0 = performance.now();
      location.hash = '#/clusters';
      let tRead = 0;
      for (;;) {
        const b = document.querySelector<HTMLButtonElement>('[data-testid="cluster-run"]');
        if (b && !b.disabled) {
          tRead = performance.now();
          b.click();
          break;
        }
        if (performance.now() - t0 > 120_000) throw new Error('Run never became enabled (features not read?)');
        await new Promise((r) => setTimeout(r, 5));
      }
      for (;;) {
        if (document.querySelector('[data-testid="cluster-result"]')) break;
        const err = document.querySelector('[data-testid="cluster-error"]');
        if (err) throw new Error(`the run failed: ${err.textContent}`);
        if (performance.now() - tRead > 120_000) throw new Error('no result within 120 s');
        await new Promise((r) => setTimeout(r, 5));
      }
      const tResult = performance.now();
      const quality = document.querySelector('[data-testid="cluster-quality"]')?.textContent ?? '';
      let tScan = 0;
      for (;;) {
        const b = document.querySelector<HTMLButtonElement>('[data-testid="cluster-scan"]');
        if (b && !b.disabled) {
          tScan = performance.now();
          b.click();
          break;
        }
        if (performance.now() - tResult > 30_000) throw new Error('"Find k" never became enabled');
        await new Promise((r) => setTimeout(r, 5));
      }
      for (;;) {
        if (document.querySelector('[data-testid="scan-table"]')) break;
        const err = document.querySelector('[data-testid="cluster-error"]');
        if (err) throw new Error(`the k scan failed: ${err.textContent}`);
        if (performance.now() - tScan > 120_000) throw new Error('no scan table within 120 s');
        await new Promise((r) => setTimeout(r, 5));
      }
      return { t0, tRead, tResult, tScan, tEnd: performance.now(), quality };
    });
    await page.waitForTimeout(500); // long-task entries arrive after the task
    const tasks = await page.evaluate(() => (globalThis as unknown as { __benchLongTasks: { start: number; duration: number }[] | null }).__benchLongTasks);
    if (!tasks) throw new Error("this Chromium does not report 'longtask' entries");
    const within = (a: number, b: number) => tasks.filter((x) => x.start + x.duration > a && x.start < b);
    const longest = (xs: { duration: number }[]) => xs.reduce((m, x) => Math.max(m, x.duration), 0);
    const seconds = /·\s*([\d.]+)\s*s\s*$/.exec(t.quality.trim());
    return {
      readMs: t.tRead - t.t0,
      runMs: t.tResult - t.tRead,
      screenMs: seconds ? Number(seconds[1]) * 1000 : NaN,
      scanMs: t.tEnd - t.tScan,
      runLongest: longest(within(t.tRead, t.tResult)),
      runLongCount: within(t.tRead, t.tResult).length,
      allLongest: longest(within(t.t0, t.tEnd)),
      allLongCount: within(t.t0, t.tEnd).length,
      runTasks: within(t.tRead, t.tResult).map((x) => ({ at: x.start - t.tRead, ms: x.duration })),
    };
  } finally {
    await page.close().catch(() => undefined);
  }
}

/** One warm-up pass, then `runs` timed passes (each a fresh page load in the same context). */
export async function benchClustersScreen(rig: BrowserRig, runs: number, log: (m: string) => void): Promise<ScreenRun[]> {
  const context = await rig.browser.newContext({ serviceWorkers: 'block', viewport: { width: 1400, height: 900 } });
  try {
    await context.addInitScript(LONGTASKS);
    const out: ScreenRun[] = [];
    for (let i = 0; i <= runs; i++) {
      const r = await onePass(context, rig.url);
      log(`Clusters screen ${i === 0 ? 'warm-up' : `run ${i}/${runs}`}: read ${r.readMs.toFixed(0)} ms, Run ${r.runMs.toFixed(0)} ms (screen says ${r.screenMs} ms), scan ${r.scanMs.toFixed(0)} ms, longest long task ${r.runLongest.toFixed(0)} ms in the Run, ${r.allLongest.toFixed(0)} ms overall (${r.allLongCount} long tasks); the Run's long tasks (start after the click + duration): ${r.runTasks.map((x) => `+${x.at.toFixed(0)} ${x.ms.toFixed(0)} ms`).join(', ') || 'none'}`);
      if (i > 0) out.push(r);
    }
    return out;
  } finally {
    await context.close().catch(() => undefined);
  }
}
