// Shared links over the limits (issue 11, part 4): the 2 MB link of 200 OR'd "is any of" conditions x 250 values
// (it crashed DuckDB-WASM, again after every reload) and the 6-deep x 5-wide nested filter (15,625 conditions; it
// froze the main thread) fall back to the default view with a message naming the limit, and the app works — Overview
// KPIs, the pivot runs — also after a reload. A link just inside every limit at once runs in the engine and renders.
// Saved filters in localStorage are held to the same limits. The limits: src/analyses/limits.ts.
import type { Page } from '@playwright/test';
import { test, expect, expectRunReady, waitForApp, waitForDashboard, kpi } from './fixtures.ts';
import { expectTable, pivotUrl } from './pivot-page.ts';
import { DEFAULT_PARAMS } from '../src/data/generator/params.ts';
import { KEEP_COND, anyOfFilter, atLimitsPivot, nestedFilter, pivotWith } from '../tests/fixtures/big-links.ts';
import { SAVED_FILTERS_KEY } from '../src/state/saved-filters-codec.ts';

const IGNORED = "The link's pivot was ignored: ";
const tooLong = (spec: unknown) =>
  `${IGNORED}It is ${JSON.stringify(spec).length.toLocaleString('en-US')} characters long; a link holds at most 100,000.`;

// Every page records its long tasks (main thread busy > 50 ms) from the start, for the freeze checks below.
test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    const w = globalThis as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
});

/** The longest main-thread task since `from` was taken (ms), and how many long tasks there were. */
async function longTasks(page: Page, from = 0): Promise<{ max: number; count: number }> {
  const all = await page.evaluate(() => (globalThis as unknown as { longTasks: number[] }).longTasks);
  const since = all.slice(from);
  return { max: Math.max(0, ...since), count: since.length };
}

/** Open a link on the Pivot screen (a full page load when it is the first or after a reload). */
async function openPivot(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await waitForApp(page);
  await expect(page.getByTestId('pivot')).toBeVisible();
}

/** The default pivot ran: users by country with every user in the total, and no filter conditions. */
async function expectDefaultPivot(page: Page): Promise<void> {
  await expectTable(page, (t) => {
    expect(t.measures).toEqual(['Users', 'Orders', 'Revenue', 'AOV']);
    expect(t.rows[0].row).toBe('total');
    expect(Number(t.rows[0].values[0])).toBe(DEFAULT_PARAMS.users);
  });
  await expect(page.getByTestId('filter-builder').getByTestId('filter-cond')).toHaveCount(0);
}

/** The Overview renders its KPIs. */
async function expectOverview(page: Page): Promise<void> {
  await page.goto('./#/overview');
  await waitForDashboard(page);
  expect(await kpi(page, 'users')).toBeGreaterThan(0);
}

/** The page answers within seconds: a round trip through the page and one through the engine. */
async function expectResponsive(page: Page): Promise<void> {
  const t0 = Date.now();
  const n = await page.evaluate(async () => {
    const probe = (globalThis as unknown as { strata: { query(sql: string): Promise<{ toArray(): { n: number }[] }> } }).strata;
    return (await probe.query('SELECT count(*)::DOUBLE AS n FROM users')).toArray()[0].n;
  });
  expect(n).toBe(DEFAULT_PARAMS.users);
  expect(Date.now() - t0, 'ms for a page round trip and a query').toBeLessThan(10_000);
}

test("the 2 MB link of 200 OR'd \"is any of\" x 250 values is refused with a message; the app works, also after a reload", async ({ page }) => {
  test.setTimeout(240_000);
  const spec = pivotWith(anyOfFilter(200, 250));
  const url = pivotUrl(spec);
  expect(url.length, 'characters in the link').toBeGreaterThan(1_900_000);
  await openPivot(page, url);
  await expect(page.getByRole('alert').filter({ hasText: IGNORED })).toHaveText(tooLong(spec));
  await expectDefaultPivot(page);
  await expectResponsive(page);

  await page.reload();
  await waitForApp(page);
  await expect(page.getByRole('alert').filter({ hasText: IGNORED })).toHaveText(tooLong(spec));
  await expectDefaultPivot(page);
  await expectOverview(page);
});

test('the 6-deep x 5-wide nested filter link, and shorter over-nested ones, are refused without freezing the page', async ({ page }) => {
  test.setTimeout(240_000);
  const spec = pivotWith(nestedFilter(6, 5));
  await openPivot(page, pivotUrl(spec));
  await expect(page.getByRole('alert').filter({ hasText: IGNORED })).toHaveText(tooLong(spec));
  await expectDefaultPivot(page);
  await expectResponsive(page);

  // Links short enough to be read are stopped by the filter limits: 7 levels of groups; 5 x 5 x 5 conditions.
  let chain: Record<string, unknown> = { op: 'and', items: [KEEP_COND] };
  for (let i = 1; i < 7; i++) chain = { op: 'or', items: [chain] };
  const before = (await longTasks(page)).count;
  for (const [filter, why] of [
    [chain, 'Filters nest at most 6 groups deep.'],
    [nestedFilter(3, 5), "A view's filters hold at most 100 conditions in all."],
  ] as const) {
    await page.goto(pivotUrl(pivotWith(filter)));
    await expect(page.getByRole('alert').filter({ hasText: IGNORED })).toHaveText(IGNORED + why);
    await expectDefaultPivot(page);
  }
  // Every screen reads its link through the same limits.
  const users = { users: nestedFilter(3, 5) };
  const screens = [
    ['funnels', 'f', "The link's funnel settings were ignored: "],
    ['retention', 'r', "The link's retention settings were ignored: "],
    ['journeys', 'j', "The link's journeys settings were ignored: "],
  ] as const;
  for (const [screen, key, ignored] of screens) {
    await page.goto(`./#/${screen}?${key}=${encodeURIComponent(JSON.stringify(users))}`);
    await expect(page.getByRole('alert').filter({ hasText: ignored })).toHaveText(`${ignored}A view's filters hold at most 100 conditions in all.`);
    await expect(page.getByTestId(screen)).toBeVisible();
  }
  const tasks = await longTasks(page, before);
  test.info().annotations.push({ type: 'longest main-thread task, refused links', description: `${Math.round(tasks.max)} ms` });

  await page.reload();
  await waitForApp(page);
  await expect(page.getByRole('alert').filter({ hasText: "The link's journeys settings were ignored: " })).toBeVisible();
  await expectOverview(page);
});

test('a link just inside every limit runs in the engine and renders; one more condition is refused in the builder', async ({ page }) => {
  test.setTimeout(240_000);
  // What the filter keeps (only KEEP_COND can match), as a plain one-condition link.
  await openPivot(page, pivotUrl(pivotWith({ op: 'and', items: [KEEP_COND] })));
  const keep = await expectTable(page, (t) => expect(t.rows[0].row).toBe('total'));
  const kept = Number(keep.rows[0].values[0]);
  expect(kept).toBeGreaterThan(0);

  const spec = atLimitsPivot();
  expect(JSON.stringify(spec).length).toBe(100_000);
  const check = async () => {
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expect(page.getByTestId('filter-builder').getByTestId('filter-cond')).toHaveCount(100, { timeout: 60_000 });
    await expectTable(page, (t) => {
      expect(t.rows[0].row).toBe('total');
      expect(Number(t.rows[0].values[0]), 'users kept by the at-the-limits filter').toBe(kept);
    });
  };
  const before = (await longTasks(page)).count;
  await page.goto(pivotUrl(spec));
  await check();
  const tasks = await longTasks(page, before);
  test.info().annotations.push({ type: 'longest main-thread task, at-the-limits link', description: `${Math.round(tasks.max)} ms (${tasks.count} long tasks)` });
  expect(tasks.max, 'no freeze: the longest main-thread task (ms), generous on a shared machine').toBeLessThan(8_000);
  await expectResponsive(page);

  // A 101st condition is refused where it is added, and the view and its link stay as they were.
  const url = page.url();
  await page.getByTestId('filter-builder').getByTestId('filter-add-cond').last().click();
  await expect(page.getByTestId('filter-refused')).toHaveText("Not changed: A view's filters hold at most 100 conditions in all.");
  await expect(page.getByTestId('filter-builder').getByTestId('filter-cond')).toHaveCount(100);
  expect(page.url()).toBe(url);

  await page.reload();
  await waitForApp(page);
  await check();
  await expectOverview(page);
});

test('saved filters over the limits are skipped, the others still apply', async ({ page }) => {
  test.setTimeout(240_000);
  const flat = (n: number) => ({ op: 'or', items: Array.from({ length: n }, (_, i) => ({ field: 'u.age', op: '>', value: i })) });
  const stored = JSON.stringify([
    { name: 'too many', filter: flat(101), savedAt: 1 },
    { name: 'the 2 MB one', filter: anyOfFilter(200, 250), savedAt: 1 },
    { name: 'fine', filter: flat(2), savedAt: 1 },
  ]);
  await page.addInitScript(([key, text]) => {
    if (!localStorage.getItem(key)) localStorage.setItem(key, text);
  }, [SAVED_FILTERS_KEY, stored] as const);
  await openPivot(page, './#/pivot');
  await expectDefaultPivot(page);
  const list = page.getByTestId('filter-saved-list');
  await expect(list.locator('option')).toHaveText(['Apply saved filter…', 'fine']);
  await list.selectOption('fine');
  await expect(page.getByTestId('filter-builder').getByTestId('filter-cond')).toHaveCount(2);
  await expectRunReady(page, 'pivot');

  // Storage nested far deeper than any link may be is ignored whole; the app still starts.
  await page.evaluate((key) => localStorage.setItem(key, '['.repeat(200_000) + ']'.repeat(200_000)), SAVED_FILTERS_KEY);
  await page.reload();
  await waitForApp(page);
  await expect(page.getByTestId('filter-saved-list').locator('option')).toHaveText(['No saved filters']);
  await expectOverview(page);
});
