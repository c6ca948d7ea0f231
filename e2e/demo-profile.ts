// A browser profile that already holds the default demo shop, made once per origin and test run (by the first worker
// that needs it; the others wait for it) by the app's own first visit, then copied for every test that wants it:
// each test starts as a returning visitor does (the shop in the stored file, the service worker installed), instead
// of generating the very same 5,000-user shop again and installing the service worker again (together ~8 s of CPU
// per test on a 2-core machine; about 60 tests). The rows
// are the same either way (the generator is seeded), and a template that failed to store the shop makes the copies
// generate it again, so no check can pass on a missing shop. What a first visit itself does (generate in the
// browser, store, install the service worker, show) is still tested on empty profiles: overview.spec.ts
// (freshProfile) and offline.spec.ts (an origin of its own).
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium, type BrowserContext, type LaunchOptions, type ViewportSize, type WorkerInfo } from '@playwright/test';
import { chromiumPath, LAUNCH_ARGS } from './browser.ts';

/** Web storage the template's visit may have written (saved filters, remembered import mappings): removed, so
 *  every copy starts with none, as before. What stays is what any returning visitor has: the stored file, the
 *  installed service worker with its precache (installing it again would fetch and store ~45 MB in every test;
 *  the install itself is tested on first visits: offline.spec.ts, overview.spec.ts) and the HTTP and code caches. */
const DROP = ['Local Storage', 'Session Storage'];
/** Chromium's "profile in use" markers (left only by a crash); a copy must not look locked. */
const LOCKS = new Set(['SingletonLock', 'SingletonSocket', 'SingletonCookie', 'lockfile']);

/** Launch Chromium on profile `dir` with the suite's settings; actions and navigations wait as long as the test
 *  allows (the test runner's own contexts have no action or navigation timeout either). */
export async function launchProfile(
  dir: string,
  opts: { baseURL?: string; viewport?: ViewportSize | null; launchOptions?: LaunchOptions } = {},
): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(dir, {
    ...opts.launchOptions,
    executablePath: opts.launchOptions?.executablePath ?? chromiumPath(),
    args: opts.launchOptions?.args ?? LAUNCH_ARGS,
    headless: true,
    baseURL: opts.baseURL,
    viewport: opts.viewport === undefined ? { width: 1400, height: 900 } : opts.viewport,
    acceptDownloads: true,
  });
  context.setDefaultTimeout(0);
  context.setDefaultNavigationTimeout(0);
  return context;
}

/** Make the template: a first visit to `baseURL` in an empty profile, until the demo shop and its built-in
 *  segmentations are stored (copies then open them instead of computing them again) and the Overview is shown. */
export async function makeDemoProfile(baseURL: string, launchOptions?: LaunchOptions): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-demo-profile-'));
  const context = await launchProfile(dir, { baseURL, launchOptions });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const log: string[] = [];
    const t0 = Date.now();
    page.on('console', (m) => log.push(`${((Date.now() - t0) / 1000).toFixed(1)} s ${m.type()}: ${m.text().slice(0, 300)}`));
    page.on('pageerror', (e) => log.push(`${((Date.now() - t0) / 1000).toFixed(1)} s page error: ${e.message}`));
    await page.goto(baseURL);
    try {
      await page.waitForFunction(() => {
        const s = (globalThis as any).strata;
        return s && s.phase === 'ready' && s.segmentsReady && s.writing === null && s.storage === 'persistent' && s.datasets.length === 1;
      }, null, { timeout: 180_000 });
    } catch (err) {
      // Seen once in CI (1 first visit in some hundreds) and not reproduced since: say what the app was doing.
      const state = await page.evaluate(() => {
        const s = (globalThis as any).strata;
        if (!s) return 'no strata probe';
        const { phase, error, notice, writing, restarting, storage, segmentsReady, segmentError, segmentProgress, datasets, dataset, version, timings } = s;
        return JSON.stringify({ phase, error, notice, writing, restarting, storage, segmentsReady, segmentError, segmentProgress, datasets, dataset, version, timings, sw: !!navigator.serviceWorker.controller, text: document.body.innerText.slice(0, 400) });
      }).catch((e: unknown) => `unreadable: ${String(e)}`);
      throw new Error(`The demo profile's first visit did not settle: ${String(err).split('\n')[0]}\nstate: ${state}\nconsole:\n${log.join('\n')}`);
    }
    // The service worker is installed and has precached the app (the wasm is among the last files it stores).
    await page.waitForFunction(async () => {
      if (!navigator.serviceWorker.controller) return false;
      for (const name of await caches.keys()) {
        const keys = await (await caches.open(name)).keys();
        if (keys.some((r) => r.url.endsWith('.wasm'))) return true;
      }
      return false;
    }, null, { timeout: 90_000, polling: 250 });
    // The Overview drew its KPIs: the shop was generated, installed and opened.
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="kpi-users"]')?.getAttribute('data-value') ?? ''), null, { timeout: 90_000 });
  } finally {
    await context.close();
  }
  for (const d of DROP) rmSync(join(dir, 'Default', d), { recursive: true, force: true });
  return dir;
}

/** A copy of `template` in a new temp dir, or an empty profile without one (remove it with removeProfile). */
export function copyProfile(template: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'strata-profile-'));
  if (template) cpSync(template, dir, { recursive: true, filter: (src) => !LOCKS.has(basename(src)) });
  return dir;
}

/** Remove a profile made by copyProfile or makeDemoProfile. */
export function removeProfile(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * Where this run's shared templates live: set by the config's global setup (global-setup.ts) for every worker, one
 * directory per run; unset (a spec run some other way), each worker makes its own template as before.
 */
export const TEMPLATES_ENV = 'STRATA_E2E_TEMPLATES';

/**
 * The template for `baseURL`, made once per run: the first worker to ask makes it (an atomic mkdir claims the
 * making), the others wait for its `ready` mark and copy the same directory (nobody writes to it after). Before, each
 * worker made its own: five first visits in a CI run for two origins (~25 s each on 2 cores; session 27). When the
 * maker fails it leaves a `failed` mark and the waiters make their own, so a failure is reported by each of them.
 */
async function sharedTemplate(root: string, baseURL: string, launchOptions: LaunchOptions): Promise<{ dir: string; own: boolean }> {
  const key = new URL(baseURL).port || 'default';
  const dir = join(root, key);
  const claim = join(root, key + '.claim');
  let mine = false;
  try {
    mkdirSync(claim);
    mine = true;
  } catch {
    // another worker claimed it: wait below
  }
  if (mine) {
    try {
      const made = await makeDemoProfile(baseURL, launchOptions);
      renameSync(made, dir);
      writeFileSync(join(claim, 'ready'), '');
      return { dir, own: false };
    } catch (err) {
      writeFileSync(join(claim, 'failed'), String(err));
      throw err;
    }
  }
  // Half the fixture's time for waiting, so a waiter can still make its own in the other half.
  const until = Date.now() + DEMO_PROFILE_OPTIONS.timeout / 2;
  while (Date.now() < until) {
    if (existsSync(join(claim, 'ready'))) return { dir, own: false };
    if (existsSync(join(claim, 'failed'))) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  // A template of the worker's own (the shared one failed or is late): the worker removes it when it ends.
  return { dir: await makeDemoProfile(baseURL, launchOptions), own: true };
}

/** The worker-scoped fixture body behind `demoProfile` (fixtures.ts, fault-kit.ts): the template for the worker's
 *  project's baseURL — the run's shared one (global-setup.ts removes it at the end), or the worker's own. */
export async function demoProfileFixture(
  { launchOptions }: { launchOptions: LaunchOptions },
  use: (dir: string) => Promise<void>,
  workerInfo: WorkerInfo,
): Promise<void> {
  const baseURL = String(workerInfo.project.use.baseURL);
  const root = process.env[TEMPLATES_ENV];
  if (root) {
    mkdirSync(root, { recursive: true });
    const { dir, own } = await sharedTemplate(root, baseURL, launchOptions);
    await use(dir);
    if (own) removeProfile(dir);
    return;
  }
  const dir = await makeDemoProfile(baseURL, launchOptions);
  await use(dir);
  removeProfile(dir);
}

/** Options of the `demoProfile` fixture: worker-scoped (the template itself is shared per run when global-setup.ts
 *  ran); generating the shop takes a while on a busy machine, and a waiter may make its own after half of this. */
export const DEMO_PROFILE_OPTIONS = { scope: 'worker', timeout: 240_000 } as const;
