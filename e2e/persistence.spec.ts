// Datasets that stay: reload, browser restart, a second tab, and the datasets list (switch, rename, delete).
import { chromium, type Page } from '@playwright/test';
import { test, expect, waitForDashboard, kpi } from './fixtures.ts';
import { chromiumPath, LAUNCH_ARGS, LIFTOFF_ONLY } from './browser.ts';
import { copyProfile, removeProfile } from './demo-profile.ts';
import { reference } from './node-reference.ts';
import { DEFAULT_PARAMS } from '../src/data/generator/params.ts';

// The browsers compile DuckDB-WASM with V8's baseline compiler only (fixtures.ts, `liftoff`: less CPU for each start
// of the engine); the shops generated here are small (250-300 users), except the 30,000 users of the last test, which
// runs on V8's default tiers.

async function generate(page: Page, users: number, seed: number) {
  await page.getByRole('button', { name: 'Generate another shop' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate another shop' });
  await dialog.getByLabel('Users').fill(String(users));
  await dialog.getByLabel('Seed').fill(String(seed));
  await dialog.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByText(`${users.toLocaleString('en-US')} users · 365 days · seed ${seed}`)).toBeVisible({ timeout: 60_000 });
  await waitForDashboard(page);
}

test('datasets survive a reload; the list switches, renames and deletes without touching the others', async ({ page }) => {
  await page.goto('./');
  await waitForDashboard(page);
  await generate(page, 300, 9);
  const small = await reference({ users: 300, days: 365, seed: 9 });
  await page.reload();
  await waitForDashboard(page);
  // The last dataset in use comes back from storage, without generating anything.
  await expect(page.getByText('300 users · 365 days · seed 9')).toBeVisible();
  expect(await kpi(page, 'users')).toBe(small.kpis.users);
  expect(await page.evaluate(() => (globalThis as any).strata.datasets.length)).toBe(2);

  await page.getByRole('link', { name: 'Datasets' }).click();
  await expect(page.getByTestId('storage')).toContainText('used of');
  const list = page.getByRole('list', { name: 'Stored datasets' });
  await expect(list.getByRole('listitem')).toHaveCount(2);
  // Rename the default shop, open it, and check its figures are the default shop's.
  const first = page.getByTestId('dataset-1');
  await first.getByRole('button', { name: 'Rename' }).click();
  await first.getByRole('textbox').fill('My "main" shop; DROP TABLE users');
  await first.getByRole('button', { name: 'Save' }).click();
  await expect(first).toContainText('My "main" shop; DROP TABLE users');
  await first.getByRole('button', { name: 'Open' }).click();
  await expect(first).toContainText('in use');
  await page.getByRole('link', { name: 'Overview' }).click();
  await waitForDashboard(page);
  const def = await reference(DEFAULT_PARAMS);
  expect(await kpi(page, 'users')).toBe(def.kpis.users);
  expect(await kpi(page, 'revenue')).toBeCloseTo(def.kpis.revenue, 6);
  // Delete the small shop: the default one is untouched and still current after a reload.
  await page.getByRole('link', { name: 'Datasets' }).click();
  const second = page.getByTestId('dataset-2');
  await second.getByRole('button', { name: 'Delete' }).click();
  await second.getByRole('button', { name: 'Delete for good' }).click();
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await page.reload();
  await page.getByRole('link', { name: 'Overview' }).click();
  await waitForDashboard(page);
  expect(await kpi(page, 'orders')).toBe(def.kpis.orders);
  await expect(page.getByText('My "main" shop; DROP TABLE users')).toHaveCount(0); // the banner names demo shops by parameters
});

test('a second tab gets a clear message and a working temporary copy, and the first tab is unharmed', async ({ page, context }) => {
  await page.goto('./');
  await waitForDashboard(page);
  const users = await kpi(page, 'users');
  const second = await context.newPage();
  await second.goto(page.url());
  await expect(second.getByTestId('storage-warning')).toContainText('already open in another tab');
  await waitForDashboard(second);
  expect(await kpi(second, 'users')).toBe(users);
  await second.close();
  await page.reload();
  await waitForDashboard(page);
  await expect(page.getByTestId('storage-warning')).toHaveCount(0);
  expect(await page.evaluate(() => (globalThis as any).strata.datasets.length)).toBe(1);
});

test('datasets survive a browser restart; the dataset opened just before closing is the one shown next time', async ({ baseURL, demoProfile }) => {
  // A profile of its own, started from the one that stores the demo shop (the app's first visit, demo-profile.ts).
  const dir = copyProfile(demoProfile);
  const errors: string[] = [];
  try {
    for (const round of [1, 2, 3]) {
      const ctx = await chromium.launchPersistentContext(dir, { executablePath: chromiumPath(), args: [...LAUNCH_ARGS, LIFTOFF_ONLY], headless: true });
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(baseURL!);
      await waitForDashboard(page);
      if (round === 1) await generate(page, 250, 5);
      else if (round === 2) {
        await expect(page.getByText('generated in your browser: 250 users · 365 days · seed 5')).toBeVisible();
        expect(await page.evaluate(() => (globalThis as any).strata.datasets.length)).toBe(2);
        const ref = await reference({ users: 250, days: 365, seed: 5 });
        expect(await kpi(page, 'revenue')).toBeCloseTo(ref.kpis.revenue, 6);
        // Open the demo shop again and close the browser as soon as it is open (the defect: the next launch showed
        // the dataset from before, once in two tries — which one is current was only in the write-ahead log).
        await page.getByRole('link', { name: 'Datasets', exact: true }).click();
        await page.locator('li', { hasText: 'seed 42' }).getByRole('button', { name: 'Open' }).click();
        await expect(page.getByText('generated in your browser: 5,000 users · 365 days · seed 42')).toBeVisible();
        await page.waitForFunction(() => !(globalThis as any).strata.writing);
      } else {
        await expect(page.getByText('generated in your browser: 5,000 users · 365 days · seed 42')).toBeVisible();
        expect(await kpi(page, 'orders')).toBe((await reference(DEFAULT_PARAMS)).kpis.orders);
      }
      await ctx.close();
    }
  } finally {
    removeProfile(dir);
  }
  expect(errors).toEqual([]);
});

test("a returning visit shows the last visit's Overview at once, then the stored data's own figures", async ({ page }) => {
  await page.goto('./');
  await waitForDashboard(page);
  const def = await reference(DEFAULT_PARAMS);
  expect(await kpi(page, 'users')).toBe(def.kpis.users);
  await page.waitForFunction(() => !!localStorage.getItem('strata:last-overview'), null, { timeout: 30_000 });
  // On the next load, note what the KPI cards show the first moment the "last visit" notice is on screen, and
  // whether the database had answered anything by then.
  await page.addInitScript(() => {
    const w = globalThis as unknown as { __cached?: { users: string | null; revenue: string | null; dashboard: boolean } };
    const look = () => {
      if (w.__cached) return;
      const note = document.querySelector('[data-testid="overview-cached"]');
      const users = document.querySelector('[data-testid="kpi-users"]');
      if (!note || !users) return;
      const t = (globalThis as unknown as { strata?: { timings: { dashboardMs?: number } } }).strata?.timings;
      w.__cached = {
        users: users.getAttribute('data-value'),
        revenue: document.querySelector('[data-testid="kpi-revenue"]')?.getAttribute('data-value') ?? null,
        dashboard: !!t?.dashboardMs,
      };
    };
    new MutationObserver(look).observe(document, { subtree: true, childList: true, attributes: true });
  });
  await page.reload();
  await waitForDashboard(page);
  await expect(page.getByTestId('overview-cached')).toHaveCount(0);
  const seen = await page.evaluate(() => (globalThis as unknown as { __cached?: { users: string; revenue: string; dashboard: boolean } }).__cached);
  expect(seen, 'the last visit\'s figures were shown while the data opened').toBeTruthy();
  expect(seen!.dashboard).toBe(false);
  expect(Number(seen!.users)).toBe(def.kpis.users);
  expect(Number(seen!.revenue)).toBeCloseTo(def.kpis.revenue, 6);
  // Then the stored data's own answers, the same figures.
  expect(await kpi(page, 'users')).toBe(def.kpis.users);
  expect(await kpi(page, 'revenue')).toBeCloseTo(def.kpis.revenue, 6);
  const t = await page.evaluate(() => (globalThis as unknown as { strata: { timings: { cachedDashboardMs?: number; dashboardMs?: number } } }).strata.timings);
  expect(t.cachedDashboardMs).toBeLessThan(t.dashboardMs!);

  // Figures cached for other data do not outlive the opening: the stored dataset's own answers replace them.
  await page.evaluate(() => {
    const c = JSON.parse(localStorage.getItem('strata:last-overview')!);
    c.dataset = '999:0:1:1';
    c.results.kpis.users = 123456789;
    localStorage.setItem('strata:last-overview', JSON.stringify(c));
  });
  await page.reload();
  await waitForDashboard(page);
  expect(await kpi(page, 'users')).toBe(def.kpis.users);
});

test.describe('a large generated shop', () => {
  test.use({ liftoff: false }); // 30,000 users generated in the page: slower unoptimised

  test('the stored events keep user and session ids in dictionaries (the scans read them without decoding)', async ({ page }) => {
    await page.goto('./');
    await waitForDashboard(page);
    // A shop large enough that DuckDB, left to choose, stores most id segments as FSST (tests/storage-compression.test.ts).
    await generate(page, 30_000, 5);
    const kinds = await page.evaluate(async () => {
      const t = await (globalThis as any).strata.query(
        "SELECT column_name AS c, compression AS k FROM pragma_storage_info('events') WHERE segment_type = 'VARCHAR' AND column_name IN ('user_id', 'session_id') GROUP BY ALL ORDER BY 1, 2",
      );
      return t.toArray().map((r: any) => `${r.c}:${r.k}`);
    });
    expect(kinds).toEqual(['session_id:Dictionary', 'user_id:Dictionary']);
  });
});
