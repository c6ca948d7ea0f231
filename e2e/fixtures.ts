// Shared e2e fixture: every test fails if the page requests anything off its origin or logs a console error.
// Each test's context is a browser profile of its own, copied from one that already stores the default demo shop
// (see demo-profile.ts); `test.use({ freshProfile: true })` starts from an empty profile (a first visit) instead.
import { test as base, expect, type Page } from '@playwright/test';
import { DEMO_PROFILE_OPTIONS, copyProfile, demoProfileFixture, launchProfile, removeProfile } from './demo-profile.ts';
import { LAUNCH_ARGS, LIFTOFF_ONLY } from './browser.ts';

interface Guard {
  external: string[];
  errors: string[];
}

/** The options a project may set (playwright.config.ts). */
export interface ReaderFixtures {
  readerOn: boolean;
  liftoff: boolean;
}

/** `test` with a guard that watches requests and the console of every page in the context. */
export const test = base.extend<{ guard: Guard; freshProfile: boolean; readerOn: boolean; liftoff: boolean }, { demoProfile: string }>({
  /** The worker's template profile: the app's first visit, until the demo shop is stored (demo-profile.ts). */
  demoProfile: [demoProfileFixture, DEMO_PROFILE_OPTIONS],
  /** Start from an empty profile: the test is about the first visit itself. */
  freshProfile: [false, { option: true }],
  /** The threaded reader answers whatever the dataset's size (`strata.reader` = on): the isolated project's tests. */
  readerOn: [false, { option: true }],
  /**
   * The test's browser compiles DuckDB-WASM with V8's baseline compiler only (LIFTOFF_ONLY, e2e/browser.ts: ~1/3
   * less CPU for a page that opens the stored demo shop). Off for the tests that generate shops or import files in
   * the page (and for the whole `imports` project), which run slower unoptimised.
   */
  liftoff: [true, { option: true }],
  context: async ({ demoProfile, freshProfile, readerOn, liftoff, baseURL, viewport, launchOptions }, use) => {
    const dir = copyProfile(freshProfile ? undefined : demoProfile);
    const args = [...(launchOptions.args ?? LAUNCH_ARGS), ...(liftoff ? [LIFTOFF_ONLY] : [])];
    const context = await launchProfile(dir, { baseURL, viewport, launchOptions: { ...launchOptions, args } });
    if (readerOn) {
      await context.addInitScript(() => {
        try {
          localStorage.setItem('strata.reader', 'on');
        } catch {
          // a document without storage (a download, an opaque frame): nothing to set
        }
      });
    }
    try {
      await use(context);
    } finally {
      await context.close();
      removeProfile(dir);
    }
  },
  // A persistent context opens with one blank tab: the test's page is that tab.
  page: async ({ context }, use) => {
    await use(context.pages()[0] ?? (await context.newPage()));
  },
  guard: [
    async ({ context }, use) => {
      const guard: Guard = { external: [], errors: [] };
      // The page's origin is whatever the test navigates to; every other request must stay on it.
      const origins = new Set<string>();
      const seen: string[] = [];
      context.on('request', (req) => {
        const url = req.url();
        if (url.startsWith('data:') || url.startsWith('blob:')) return;
        if (req.isNavigationRequest() && req.frame()?.parentFrame() === null) origins.add(new URL(url).origin);
        seen.push(url);
      });
      const watch = (page: Page) => {
        page.on('console', (msg) => {
          if (msg.type() === 'error') guard.errors.push(msg.text());
        });
        page.on('pageerror', (err) => guard.errors.push(String(err)));
      };
      context.pages().forEach(watch);
      context.on('page', watch);
      await use(guard);
      guard.external.push(...seen.filter((u) => !origins.has(new URL(u).origin)));
      expect(guard.external, 'requests that left the page origin').toEqual([]);
      expect(guard.errors, 'console errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Wait until the app has a dataset and the Overview KPIs are rendered. */
export async function waitForDashboard(page: Page): Promise<void> {
  await expect(page.getByTestId('kpi-users')).toHaveAttribute('data-value', /\d/, { timeout: 90_000 });
  await expect(page.locator('[data-panel-state="loading"]')).toHaveCount(0, { timeout: 60_000 });
  await readerSettled(page);
}

/** Wait until the app has started and is not generating (any screen). */
export async function waitForApp(page: Page): Promise<void> {
  await page.waitForFunction(() => (globalThis as { strata?: { phase: string } }).strata?.phase === 'ready', null, { timeout: 90_000 });
  await readerSettled(page);
}

/**
 * When the test asked for the threaded reader (the `threads` project: `strata.reader` = on), wait until its snapshot
 * holds everything written so far, so the test's next statements are answered by it; a reader that failed fails
 * the test. Without it (the other projects: no isolation, no reader) this returns at once.
 */
export async function readerSettled(page: Page): Promise<void> {
  const wanted = await page.evaluate(() => localStorage.getItem('strata.reader') === 'on' && crossOriginIsolated);
  if (!wanted) return;
  await page.waitForFunction(() => {
    const r = (globalThis as { strata?: { reader: { state: string; current: boolean } | null } }).strata?.reader;
    return !!r && (r.current || r.state === 'failed');
  }, null, { timeout: 90_000, polling: 100 });
  const r = await page.evaluate(() => (globalThis as unknown as { strata: { reader: { state: string; error: string | null } } }).strata.reader);
  expect(r.state, `the threaded reader failed: ${r.error}`).toBe('ready');
}

/**
 * Wait until a screen's run is ready (`<screen>-status` reads ready); a failed run fails with the screen's own error
 * text (`<screen>-error`) in the message, not only "received: error".
 */
export async function expectRunReady(page: Page, screen: string, timeout = 60_000): Promise<void> {
  const status = page.getByTestId(`${screen}-status`);
  await expect.poll(async () => {
    const now = await status.getAttribute('data-status');
    return now === 'error' ? `error: ${await page.getByTestId(`${screen}-error`).textContent()}` : now;
  }, { timeout }).toBe('ready');
}

/** The raw number behind a KPI card. */
export async function kpi(page: Page, name: string): Promise<number> {
  return Number(await page.getByTestId(`kpi-${name}`).getAttribute('data-value'));
}
