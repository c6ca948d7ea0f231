// The Data screen: table row counts, a column profile and the grid's last row equal native DuckDB's on the same shop.
import { test, expect, waitForDashboard } from './fixtures.ts';
import type { Page } from '@playwright/test';
import { openNodeDb } from '../src/db/node-db.ts';
import { loadShop, DEFAULT_PARAMS } from '../src/data/generator/index.ts';
import { toRows, firstRow } from '../src/lib/rows.ts';
import { formatterFor } from '../src/components/grid/cells.ts';
import type { Db } from '../src/db/types.ts';
import { shot } from './shots.ts';

// The tests here take turns in the worker's shared browser (fixtures.ts: one that changed the data ends it).
test.use({ shared: true });

let native: Promise<Db> | null = null;
/** The default shop generated natively (once per worker). */
function shop(): Promise<Db> {
  native ??= openNodeDb({ threads: 1 }).then(async (db) => (await loadShop(db, DEFAULT_PARAMS), db));
  return native;
}

/** The statistics Node computes for events.price, written independently of the profile SQL. */
async function priceReference(db: Db) {
  type Stats = { n: number; nn: number; d: number; lo: number; hi: number; mean: number; med: number };
  const s = firstRow<Stats>(await db.query(`SELECT count(*)::DOUBLE AS n, count(price)::DOUBLE AS nn,
    count(DISTINCT price)::DOUBLE AS d, min(price) AS lo, max(price) AS hi, avg(price) AS mean, median(price) AS med FROM events`));
  const top = toRows<{ price: number; c: number }>(await db.query(`SELECT price, count(*)::DOUBLE AS c FROM events
    WHERE price IS NOT NULL GROUP BY price ORDER BY c DESC, price LIMIT 10`));
  return { n: s.n, nn: s.nn, d: s.d, lo: s.lo, hi: s.hi, mean: s.mean, med: s.med, top };
}

/** The grid's cells of the row with aria-rowindex `ri`, by column index, across horizontal scroll positions. */
async function rowCells(page: Page, ri: number, columns: number): Promise<Map<number, string>> {
  const grid = page.getByRole('grid', { name: 'Rows of events' });
  const cells = new Map<number, string>();
  for (let step = 0; step < 40 && cells.size < columns; step++) {
    // Read the row in one go once it is loaded (cells are reused as the grid scrolls, so never piecemeal).
    let seen: [number, string][] | null = null;
    await expect
      .poll(async () => {
        seen = await grid.evaluate((el, ri) => {
          const row = el.querySelector(`[role=row][aria-rowindex="${ri}"][data-loaded="true"]`);
          if (!row) return null;
          return [...row.querySelectorAll('[role=gridcell]')].map((c): [number, string] => [Number(c.getAttribute('aria-colindex')) - 2, c.textContent ?? '']);
        }, ri);
        return seen !== null;
      })
      .toBe(true);
    for (const [k, v] of seen!) cells.set(k, v);
    await grid.evaluate((el) => (el.scrollLeft += el.clientWidth * 0.6));
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }
  return cells;
}

test('Data screen: row counts, a column profile and the last row equal native DuckDB', async ({ page }) => {
  await page.goto('./#/overview');
  await waitForDashboard(page);
  const db = await shop();
  const events = firstRow<{ n: number }>(await db.query('SELECT count(*)::DOUBLE AS n FROM events')).n;
  const users = firstRow<{ n: number }>(await db.query('SELECT count(*)::DOUBLE AS n FROM users')).n;

  await page.getByRole('link', { name: 'Data', exact: true }).click();
  await expect(page).toHaveURL(/#\/data/);
  const info = page.getByTestId('table-info');
  await expect(info).toHaveAttribute('data-table', 'events');
  await expect(info).toHaveAttribute('data-rows', String(events));
  await expect(page.getByRole('radio', { name: `events · ${events.toLocaleString('en-US')}` })).toBeChecked();

  // Profile of price, picked from the column list; the choice lands in the URL.
  await page.locator('[data-column="price"]').click();
  await expect(page).toHaveURL(/table=events&col=price/);
  const stats = page.locator('[data-testid="profile-stats"][data-column="price"]');
  await expect(stats).toBeVisible();
  const ref = await priceReference(db);
  const stat = async (id: string) => Number(await stats.locator(`[data-stat="${id}"]`).getAttribute('data-value'));
  expect(await stat('rows')).toBe(ref.n);
  expect(await stat('missing')).toBeCloseTo((ref.n - ref.nn) / ref.n, 12);
  expect(await stat('distinct')).toBe(ref.d);
  expect(await stat('min')).toBe(ref.lo);
  expect(await stat('max')).toBe(ref.hi);
  expect(await stat('mean')).toBeCloseTo(ref.mean, 9);
  expect(await stat('median')).toBeCloseTo(ref.med, 9);
  const top = page.getByTestId('top-values').locator('tbody tr');
  await expect(top).toHaveCount(ref.top.length);
  for (let i = 0; i < ref.top.length; i++) {
    const money = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 }).format(ref.top[i].price);
    await expect(top.nth(i).locator('td').nth(0)).toHaveText(money);
    await expect(top.nth(i).locator('td').nth(1)).toHaveText(ref.top[i].c.toLocaleString('en-US'));
  }
  await expect(page.getByTestId('panel-profile').locator('canvas').first()).toBeVisible();

  // The grid: End goes to the last row, which equals Node's last row in storage order; few rows are in the DOM.
  // The events' storage order is not time order, and the panel says which it is.
  await expect(page.getByTestId('rows-order')).toContainText('by month, then user, then time');
  const grid = page.getByRole('grid', { name: 'Rows of events' });
  await expect(grid.locator('[role=row][aria-rowindex="2"][data-loaded="true"]')).toHaveCount(1);
  await grid.focus();
  await page.keyboard.press('End');
  const last = await db.query('SELECT * FROM events ORDER BY rowid DESC LIMIT 1');
  const expected = last.schema.fields.map((f, i) => formatterFor(f.type)(last.getChildAt(i)?.get(0)) ?? 'NULL');
  const cells = await rowCells(page, events + 1, expected.length);
  expect([...cells.keys()].sort((a, b) => a - b)).toEqual(expected.map((_, i) => i));
  expect(expected.map((_, i) => cells.get(i))).toEqual(expected);
  await expect(grid.locator(`[role=row][aria-rowindex="${events + 1}"] [role=rowheader]`)).toHaveText(events.toLocaleString('en-US'));
  const domRows = await grid.locator('[role=row]').count();
  expect(domRows).toBeGreaterThan(5);
  expect(domRows).toBeLessThanOrEqual(60);
  // Home and PageDown move by rows; the first row is row 1 again.
  await page.keyboard.press('Home');
  await expect(grid.locator('[role=row][aria-rowindex="2"][data-loaded="true"]')).toHaveCount(1);
  await shot(page, '/tmp/strata-data.png', true);

  // Another table from the picker, and the selection survives a reload.
  await page.getByText(`users · ${users.toLocaleString('en-US')}`, { exact: true }).click();
  await expect(page.getByRole('radio', { name: /^users · / })).toBeChecked();
  await expect(page).toHaveURL(/table=users$/);
  await expect(info).toHaveAttribute('data-rows', String(users));
  await expect(page.getByTestId('rows-order')).toHaveCount(0);
  await page.goto('./#/data?table=events&col=ts');
  await page.reload();
  await expect(page.locator('[data-testid="profile-stats"][data-column="ts"]')).toBeVisible({ timeout: 90_000 });
  const ts = firstRow<{ lo: number }>(await db.query('SELECT epoch_ms(min(ts))::DOUBLE AS lo FROM events')).lo;
  expect(Number(await page.locator('[data-stat="min"]').getAttribute('data-value'))).toBe(ts);
});

test('Data screen: an unknown table or column in the link gets a clear message', async ({ page }) => {
  await page.goto('./#/overview');
  await waitForDashboard(page);
  await page.goto('./#/data?table=nope&col=x');
  await expect(page.getByRole('alert').filter({ hasText: 'There is no table “nope”' })).toBeVisible();
  await page.goto('./#/data?table=products&col=no%22such');
  await expect(page.getByRole('alert').filter({ hasText: 'Table products has no column “no"such”' })).toBeVisible();
  await expect(page.locator('[data-testid="profile-stats"][data-column="product_id"]')).toBeVisible();
});
