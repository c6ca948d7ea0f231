// Shared e2e fixture: every test fails if the page requests anything off its origin or logs a console error.
// Each test's context is a browser profile of its own, copied from one that already stores the default demo shop
// (see demo-profile.ts); `test.use({ freshProfile: true })` starts from an empty profile (a first visit) instead,
// and `test.use({ shared: true })` lets the tests that read the demo shop take turns in one browser per worker
// (SharedPool below: a test that changed the stored data, failed or left a dialog open ends that browser).
import { appendFileSync } from 'node:fs';
import { test as base, expect, type BrowserContext, type ConsoleMessage, type LaunchOptions, type Page, type Request, type ViewportSize } from '@playwright/test';
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

/** What a browser is launched with: the shared session is kept only while the next test asks for the same. */
interface LaunchKey {
  baseURL: string | undefined;
  readerOn: boolean;
  args: string[];
  locale: string | undefined;
}

/** A worker's one shared browser: the demo profile copied, the app open in its first tab. */
interface SharedSession {
  key: string;
  dir: string;
  context: BrowserContext;
  page: Page;
  crashed: boolean;
  /** The app's dataset state once the session had opened it; a test that changed it ends the session. */
  baseline: string;
}

/**
 * What a test that changes nothing leaves as it found: the dataset list, the open dataset, the data version, every
 * stored table's columns and size (a saved segment or clustering is a column, a saved view or prediction rows), and
 * the contents of the small ones (settings changed in place: churn bands, a segmentation's definition). The
 * version alone would not do (a reload starts it again), nor sizes alone (an update keeps them).
 */
async function dataState(): Promise<string> {
  type Col = { get(i: number): unknown; length: number } | null;
  type Probe = { datasets: unknown; dataset: unknown; version: number; query(sql: string): Promise<{ getChild(name: string): Col }> };
  const s = (globalThis as unknown as { strata?: Probe }).strata;
  if (!s) return 'no app';
  const t = await s.query(
    `SELECT database_name AS d, schema_name AS s, table_name AS t, column_count::INTEGER AS c, estimated_size::DOUBLE AS n
       FROM duckdb_tables() WHERE NOT temporary ORDER BY d, s, t`,
  );
  const q = (name: string) => `"${String(name).replaceAll('"', '""')}"`;
  const parts: string[] = [];
  for (let i = 0; i < (t.getChild('t')?.length ?? 0); i++) {
    const [d, sc, tb, c, n] = ['d', 's', 't', 'c', 'n'].map((k) => t.getChild(k)?.get(i));
    let part = `${d}.${sc}.${tb}:${c}:${n}`;
    if (Number(n) <= 10_000) {
      const h = await s.query(`SELECT md5(coalesce(string_agg(x::VARCHAR, '|' ORDER BY x::VARCHAR), '')) AS h FROM ${q(String(d))}.${q(String(sc))}.${q(String(tb))} x`);
      part += `:${h.getChild('h')?.get(0)}`;
    }
    parts.push(part);
  }
  return JSON.stringify([s.datasets, s.dataset, s.version, parts]);
}

/** The route a shared page is parked on between tests: a screen that sends no statement, so the next test's
 *  `goto` to any analysis screen mounts that screen afresh (never finds the previous test's screen still there). */
const PARK = '#/import';

/**
 * The worker's shared session, for the tests that read the stored demo shop and change nothing in it
 * (`test.use({ shared: true })`): instead of a browser and a returning visit of their own (~9 s of CPU each on a
 * 2-core machine: launch, opening the stored file, the Overview, the prefetch), they take turns in one tab, each
 * starting with its own `goto` (a hash change: the app routes as a visit would, with the same data). Between tests
 * the tab is parked on PARK; a test that failed, crashed the tab, left a dialog open or changed the stored data
 * (dataState) ends the session and the next test gets a new one. The page code in dataState quotes the table names
 * it reads itself: it runs in the page, where src/sql/quote.ts cannot be imported.
 */
class SharedPool {
  private current: SharedSession | null = null;

  constructor(private readonly template: () => string, private readonly launchOptions: LaunchOptions) {}

  async take(want: LaunchKey, viewport: ViewportSize | null): Promise<SharedSession> {
    const key = JSON.stringify(want);
    const s = this.current;
    if (s && (s.key !== key || s.crashed || s.page.isClosed())) {
      debugLog(`dropped before (key ${s.key === key ? 'same' : 'changed'}, crashed ${s.crashed}, closed ${s.page.isClosed()})`);
      await this.drop();
    }
    if (!this.current) {
      debugLog('new browser');
      const dir = copyProfile(this.template());
      const context = await launchProfile(dir, { baseURL: want.baseURL, viewport, launchOptions: { ...this.launchOptions, args: want.args } });
      if (want.readerOn) await context.addInitScript(readerInit);
      const page = context.pages()[0] ?? (await context.newPage());
      const session: SharedSession = { key, dir, context, page, crashed: false, baseline: '' };
      page.on('crash', () => (session.crashed = true));
      this.current = session;
      try {
        // The returning visit, parked; the test's own goto then routes the open app.
        await page.goto(PARK);
        // Ready, its segmentations listed (a returning visit checks them after opening the data) and its warm start
        // over: what is left is what tests do.
        await page.waitForFunction(
          () => {
            const s = (globalThis as { strata?: { phase: string; segmentsReady: boolean; segmentError: string | null; prefetch: { status: string } | null } }).strata;
            return s?.phase === 'ready' && (s.segmentsReady || s.segmentError !== null) && s.prefetch?.status !== 'running';
          },
          null,
          { timeout: 90_000, polling: 100 },
        );
        session.baseline = await page.evaluate(dataState);
      } catch (err) {
        await this.drop();
        throw err;
      }
    } else if (viewport) {
      const now = this.current.page.viewportSize();
      if (!now || now.width !== viewport.width || now.height !== viewport.height) await this.current.page.setViewportSize(viewport);
    }
    return this.current;
  }

  /** After a test: keep the session when the test passed and the tab is clean and parked; otherwise end it. */
  async release(passed: boolean): Promise<void> {
    const s = this.current;
    if (!s) return;
    for (const p of s.context.pages()) if (p !== s.page) await p.close().catch(() => undefined);
    let keep = passed && !s.crashed && !s.page.isClosed() && s.page.url().startsWith('http');
    if (keep) {
      keep = await s.page
        .evaluate(async (park) => {
          if (location.hash === park) location.hash = '#/overview';
          location.hash = park;
          await new Promise((r) => setTimeout(r, 0));
          return !document.querySelector('dialog[open], [role="dialog"], [aria-modal="true"]');
        }, PARK)
        .catch(() => false);
      // A test that stored, changed or removed anything (a dataset, a segment, a prediction, churn bands) leaves a
      // different app behind: the next test gets a session of its own.
      if (keep) {
        const now = await s.page.evaluate(dataState).catch(() => '');
        keep = now === s.baseline;
        if (!keep) debugLog(`the data changed: ${s.baseline} -> ${now}`);
      }
    }
    if (!keep) {
      debugLog(`ended (passed ${passed}, crashed ${s.crashed}, url ${s.page.isClosed() ? 'closed' : s.page.url()})`);
      await this.drop();
    }
  }

  async drop(): Promise<void> {
    const s = this.current;
    this.current = null;
    if (!s) return;
    await s.context.close().catch(() => undefined);
    removeProfile(s.dir);
  }
}

/** E2E_SHARED_DEBUG=<file>: the shared sessions' starts and ends, appended to that file. */
function debugLog(what: string): void {
  const file = process.env.E2E_SHARED_DEBUG;
  if (file) appendFileSync(file, `${process.pid} ${base.info().title}: ${what}\n`);
}

function readerInit(): void {
  try {
    localStorage.setItem('strata.reader', 'on');
  } catch {
    // a document without storage (a download, an opaque frame): nothing to set
  }
}

/** `test` with a guard that watches requests and the console of every page in the context. */
export const test = base.extend<{ guard: Guard; freshProfile: boolean; shared: boolean; readerOn: boolean; liftoff: boolean }, { demoProfile: string; sharedPool: SharedPool }>({
  /** The worker's template profile: the app's first visit, until the demo shop is stored (demo-profile.ts). */
  demoProfile: [demoProfileFixture, DEMO_PROFILE_OPTIONS],
  /** The worker's shared session (SharedPool), launched when a `shared` test first asks for it. */
  sharedPool: [
    async ({ demoProfile, launchOptions }, use) => {
      const pool = new SharedPool(() => demoProfile, launchOptions);
      await use(pool);
      await pool.drop();
    },
    { scope: 'worker' },
  ],
  /** The test reads the stored demo shop and changes nothing in it: it may run in the worker's shared session. */
  shared: [false, { option: true }],
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
  context: async ({ demoProfile, freshProfile, shared, sharedPool, readerOn, liftoff, baseURL, viewport, locale, launchOptions }, use, testInfo) => {
    const args = [...(launchOptions.args ?? LAUNCH_ARGS), ...(liftoff ? [LIFTOFF_ONLY] : [])];
    if (shared && !freshProfile) {
      // The runner applies `locale` to the browsers it launches: a test of another language gets a session of its own.
      const session = await sharedPool.take({ baseURL, readerOn, args, locale }, viewport);
      try {
        await use(session.context);
      } finally {
        await sharedPool.release(testInfo.status === testInfo.expectedStatus && testInfo.errors.length === 0);
      }
      return;
    }
    const dir = copyProfile(freshProfile ? undefined : demoProfile);
    const context = await launchProfile(dir, { baseURL, viewport, launchOptions: { ...launchOptions, args } });
    if (readerOn) await context.addInitScript(readerInit);
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
      // The page's origin is whatever the test navigates to (or, in a shared session, the one its tab already
      // shows); every other request must stay on it. The listeners are the test's own and removed after it.
      const origins = new Set<string>();
      for (const p of context.pages()) if (p.url().startsWith('http')) origins.add(new URL(p.url()).origin);
      const seen: string[] = [];
      const onRequest = (req: Request) => {
        const url = req.url();
        if (url.startsWith('data:') || url.startsWith('blob:')) return;
        if (req.isNavigationRequest() && req.frame()?.parentFrame() === null) origins.add(new URL(url).origin);
        seen.push(url);
      };
      const onConsole = (msg: ConsoleMessage) => {
        if (msg.type() === 'error') guard.errors.push(msg.text());
      };
      const onPageError = (err: Error) => guard.errors.push(String(err));
      const watched: Page[] = [];
      const watch = (page: Page) => {
        page.on('console', onConsole);
        page.on('pageerror', onPageError);
        watched.push(page);
      };
      context.on('request', onRequest);
      context.pages().forEach(watch);
      context.on('page', watch);
      try {
        await use(guard);
      } finally {
        context.off('request', onRequest);
        context.off('page', watch);
        for (const p of watched) {
          p.off('console', onConsole);
          p.off('pageerror', onPageError);
        }
      }
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
