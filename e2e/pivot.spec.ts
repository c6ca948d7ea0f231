// The Pivot screen: a pivot built through the UI (dimensions, buckets, measures, a nested filter) equals an
// independent Node computation on the same shop; the URL restores it; Show SQL and CSV agree with the table;
// sorting by a column orders the rows; a bad link falls back to the default pivot with a message.
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from '@playwright/test';
import { test, expect, expectRunReady, waitForApp } from './fixtures.ts';
import { parseCsv } from '../tests/fixtures/csv.ts';
import { expectTable, pivotUrl, urlSpecRaw, type DomTable } from './pivot-page.ts';
import { countryGenderByAge, eventRows, eventsByTypeAndQuarter, userRows, type UserRow } from './pivot-reference.ts';
import { DEFAULT_PARAMS } from '../src/data/generator/params.ts';
import { validatePivotSpec } from '../src/analyses/pivot/index.ts';

// The tests here take turns in the worker's shared browser (fixtures.ts: one that changed the data ends it).
test.use({ shared: true });

/** What test 1 builds through the UI (the URL then holds it with every other setting at its default). */
const BUILT_SPEC = {
  grain: 'users',
  rows: [
    { field: 'u.country', bucket: { kind: 'top', n: 5 } },
    { field: 'u.gender', bucket: { kind: 'none' } },
  ],
  cols: [{ field: 'u.age', bucket: { kind: 'edges', edges: [25, 35, 50] } }],
  measures: [{ agg: 'users' }, { agg: 'revenue' }],
  filter: {
    op: 'and',
    items: [
      { field: 'u.age', op: '>', value: 25 },
      { op: 'or', items: [{ field: 'u.country', op: '=', value: 'United States' }, { field: 'm.orders', op: '>=', value: 2 }] },
    ],
  },
};

/** The same filter as a plain predicate (NULLs never pass a comparison, as in SQL). */
const KEEP = (u: UserRow) => u.age !== null && u.age > 25 && (u.country === 'United States' || (u.orders !== null && u.orders >= 2));
const SUMMARY = 'age > 25 AND (country is "United States" OR orders ≥ 2)';

/** The spec the page's URL holds. */
const urlSpec = urlSpecRaw;

/** Test 1's table against the Node reference: every row in order, every cell (counts exact, money to the cent). */
function checkBuilt(ref: ReturnType<typeof countryGenderByAge>) {
  return (t: DomTable) => {
    expect(t.groups, 'age bucket column groups').toEqual(ref.cols);
    expect(t.measures).toEqual(ref.cols.flatMap(() => ['Users', 'Revenue']));
    expect(t.rows.map((r) => r.row), 'row order').toEqual(ref.rows);
    for (const r of t.rows) {
      const want = ref.cells.get(r.row)!;
      ref.cols.forEach((col, gi) => {
        const cell = want.get(col);
        const users = r.values[gi * 2];
        const revenue = r.values[gi * 2 + 1];
        if (!cell) {
          expect(users, `${r.row} × ${col}: users (empty)`).toBe('');
          return;
        }
        expect(Number(users), `${r.row} × ${col}: users`).toBe(cell.users);
        expect(Math.abs(Number(revenue) - cell.revenue), `${r.row} × ${col}: revenue ${revenue} vs ${cell.revenue}`).toBeLessThan(0.005);
      });
    }
  };
}

async function builtReference() {
  const ref = countryGenderByAge(await userRows(DEFAULT_PARAMS), KEEP, 5, [25, 35, 50]);
  // Sanity of the reference itself: the filter leaves the first bucket empty and keeps a real share of users.
  expect(ref.cols).toEqual(['25–34', '35–49', '50+', 'Total']);
  expect(ref.top).toContain('United States');
  const total = ref.cells.get('total')!.get('Total')!.users;
  expect(total).toBeGreaterThan(100);
  expect(total).toBeLessThan(DEFAULT_PARAMS.users);
  return ref;
}

async function selectIn(scope: Locator, testId: string, value: string) {
  await scope.getByTestId(testId).selectOption(value);
}

/** Fill a condition: field, operator, value. */
async function setCond(cond: Locator, field: string, op: string, value: string) {
  await selectIn(cond, 'filter-field', field);
  await selectIn(cond, 'filter-op', op);
  await cond.getByTestId('filter-value').fill(value);
}

/** The filter builder shows BUILT_SPEC's filter. */
async function expectBuiltFilter(page: Page) {
  const fb = page.getByTestId('filter-builder');
  await expect(fb.getByTestId('filter-summary')).toHaveText(SUMMARY);
  await expect(fb.getByTestId('filter-cond')).toHaveCount(3);
  await expect(fb.getByTestId('filter-group')).toHaveCount(2);
  const nested = fb.getByTestId('filter-group').nth(1);
  await expect(nested.getByTestId('filter-group-op')).toHaveValue('or');
  const want = [
    [fb.getByTestId('filter-cond').first(), 'u.age', '>', '25'],
    [nested.getByTestId('filter-cond').nth(0), 'u.country', '=', 'United States'],
    [nested.getByTestId('filter-cond').nth(1), 'm.orders', '>=', '2'],
  ] as const;
  for (const [cond, field, op, value] of want) {
    await expect(cond.getByTestId('filter-field')).toHaveValue(field);
    await expect(cond.getByTestId('filter-op')).toHaveValue(op);
    await expect(cond.getByTestId('filter-value')).toHaveValue(value);
  }
}

async function openPivot(page: Page, url: string) {
  await page.goto(url);
  await waitForApp(page);
  await expect(page.getByTestId('pivot')).toBeVisible();
}

test('a pivot built in the UI (top-N rows, custom age edges, nested OR filter) equals a Node computation', { tag: '@reader' }, async ({ page }) => {
  const refPromise = builtReference();
  await openPivot(page, './#/pivot');
  await expectRunReady(page, 'pivot');

  // Rows: the default country dimension becomes top 5, then gender with each value.
  const rows = page.getByTestId('dims-rows');
  await expect(rows.getByTestId('dim')).toHaveCount(1);
  await expect(rows.getByTestId('bucket-kind')).toHaveValue('top');
  const n = rows.getByTestId('dim').first().getByTestId('bucket-n');
  await n.fill('5');
  await n.press('Enter');
  await selectIn(rows, 'add-rows', 'u.gender');
  await expect(rows.getByTestId('dim')).toHaveCount(2);
  await selectIn(rows.getByTestId('dim').nth(1), 'bucket-kind', 'none');

  // Columns: age with custom edges.
  const cols = page.getByTestId('dims-cols');
  await selectIn(cols, 'add-cols', 'u.age');
  await expect(cols.getByTestId('dim')).toHaveCount(1);
  await selectIn(cols, 'bucket-kind', 'edges');
  const edges = cols.getByTestId('bucket-edges');
  await edges.fill('25, 35, 50');
  await edges.press('Enter');

  // Measures: drop the four defaults down to Users, add one and make it Revenue.
  const measures = page.getByTestId('measures');
  await expect(measures.getByTestId('measure')).toHaveCount(4);
  for (const i of [4, 3, 2]) await measures.getByRole('button', { name: `Remove measure ${i}` }).click();
  await expect(measures.getByTestId('measure')).toHaveCount(1);
  await measures.getByTestId('add-measure').click();
  await selectIn(measures.getByTestId('measure').nth(1), 'measure-agg', 'revenue');
  await expect(measures.getByTestId('measure-agg').nth(0)).toHaveValue('users');
  await expect(measures.getByTestId('measure-agg').nth(1)).toHaveValue('revenue');

  // Filter: age > 25 AND (country is "United States" OR orders >= 2).
  const fb = page.getByTestId('filter-builder');
  await fb.getByTestId('filter-add-cond').first().click();
  await setCond(fb.getByTestId('filter-cond').first(), 'u.age', '>', '25');
  await fb.getByTestId('filter-add-group').first().click();
  const nested = fb.getByTestId('filter-group').nth(1);
  await selectIn(nested, 'filter-group-op', 'or');
  await setCond(nested.getByTestId('filter-cond').first(), 'u.country', '=', 'United States');
  await nested.getByTestId('filter-add-cond').click();
  await expect(nested.getByTestId('filter-cond')).toHaveCount(2);
  await setCond(nested.getByTestId('filter-cond').nth(1), 'm.orders', '>=', '2');
  await expectBuiltFilter(page);

  // The UI wrote exactly the intended spec into the URL.
  await expect.poll(() => urlSpec(page)).toEqual(validatePivotSpec(BUILT_SPEC));

  const ref = await refPromise;
  const t = await expectTable(page, checkBuilt(ref));
  // Spot checks spelled out, so a failure reads plainly: the grand total and the US subtotal.
  const total = t.rows.find((r) => r.row === 'total')!;
  expect(Number(total.values[6])).toBe(ref.cells.get('total')!.get('Total')!.users);
  expect(Number(total.values[7])).toBeCloseTo(ref.cells.get('total')!.get('Total')!.revenue, 2);
  const us = t.rows.find((r) => r.row === 'United States')!;
  expect(Number(us.values[2])).toBe(ref.cells.get('United States')!.get('35–49')!.users);
  await expect(page.locator('tr[data-row="total"] td[data-col="6"]')).toHaveText(ref.cells.get('total')!.get('Total')!.users.toLocaleString('en-US'));
});

test('reloading restores the same table and the filter conditions from the URL', async ({ page }) => {
  const ref = await builtReference();
  await openPivot(page, pivotUrl(BUILT_SPEC));
  const before = await expectTable(page, checkBuilt(ref));
  await page.reload();
  await waitForApp(page);
  const after = await expectTable(page, checkBuilt(ref));
  expect(after).toEqual(before);
  expect(validatePivotSpec(urlSpec(page)), 'the reloaded URL still holds the spec').toEqual(validatePivotSpec(BUILT_SPEC));
  await expectBuiltFilter(page);
  await expect(page.getByTestId('dims-rows').getByTestId('bucket-n')).toHaveValue('5');
  await expect(page.getByTestId('dims-cols').getByTestId('bucket-edges')).toHaveValue('25, 35, 50');
});

test('Show SQL shows the GROUPING SETS query and the CSV download matches the table', async ({ page }) => {
  const ref = await builtReference();
  await openPivot(page, pivotUrl(BUILT_SPEC));
  const t = await expectTable(page, checkBuilt(ref));

  await expect(page.getByTestId('pivot-sql')).toHaveCount(0);
  await page.getByTestId('show-sql').click();
  await expect(page.getByTestId('show-sql')).toHaveText('Hide SQL');
  const sqlBox = page.getByTestId('pivot-sql');
  await expect(sqlBox).toContainText('GROUPING SETS');
  await expect(sqlBox).toContainText("'United States'");
  await page.getByTestId('show-sql').click();
  await expect(sqlBox).toHaveCount(0);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
  expect(download.suggestedFilename()).toBe('strata-pivot.csv');
  const csv = parseCsv(await readFile((await download.path())!, 'utf8'));
  // The table's corner names the row fields by their titles; the CSV keeps the raw column names other tools read.
  await expect(page.getByTestId('pivot-table').locator('thead th.dims')).toHaveText('Country › Gender');
  const header = ['country', 'gender', ...t.groups.flatMap((g, gi) => [0, 1].map((m) => `${g} / ${t.measures[gi * 2 + m]}`))];
  expect(csv[0]).toEqual(header);
  expect(csv[0]).toContain('Total / Users');
  const total = t.rows.find((r) => r.row === 'total')!;
  expect(csv[1]).toEqual(['Total', '', ...total.values]);
  expect(csv.length, 'header + one line per table row').toBe(1 + t.rows.length);
});

test('an events-grain pivot from a link sorts by the Total column, descending, on a header click', async ({ page }) => {
  const spec = {
    grain: 'events',
    rows: [{ field: 'e.event_type', bucket: { kind: 'none' } }],
    cols: [{ field: 'e.ts', bucket: { kind: 'date', unit: 'quarter' } }],
    measures: [{ agg: 'events' }],
  };
  const ref = eventsByTypeAndQuarter(await eventRows(DEFAULT_PARAMS));
  expect(ref.cols).toEqual(['2025 Q1', '2025 Q2', '2025 Q3', '2025 Q4', 'Total']);
  await openPivot(page, pivotUrl(spec));
  const totalCol = ref.cols.length - 1;

  const checkCells = (t: DomTable) => {
    expect(t.groups).toEqual(ref.cols);
    for (const r of t.rows) {
      ref.cols.forEach((col, ci) => expect(Number(r.values[ci]), `${r.row} × ${col}`).toBe(ref.cells.get(r.row)!.get(col)));
    }
  };
  // Before sorting: natural (alphabetical) order, so the click below visibly changes something.
  const unsorted = await expectTable(page, checkCells);
  expect(unsorted.rows.map((r) => r.row)).toEqual(['total', ...ref.rows.slice(1).sort((a, b) => a.localeCompare(b))]);
  expect(unsorted.rows.map((r) => r.row)).not.toEqual(ref.rows);

  const head = page.getByTestId('pivot-table').locator(`thead th.measure[data-col="${totalCol}"]`);
  await expect(head).toHaveText('Events');
  await head.getByRole('button').click();
  await expect(head).toHaveAttribute('aria-sort', 'descending');
  await expect.poll(() => (urlSpec(page) as { sort: unknown }).sort).toEqual({ measure: 0, col: [], dir: 'desc' });
  const sorted = await expectTable(page, (t) => {
    checkCells(t);
    expect(t.rows.map((r) => r.row), 'rows by total events, largest first').toEqual(ref.rows);
  });
  const totals = sorted.rows.slice(1).map((r) => Number(r.values[totalCol]));
  expect(totals).toEqual([...totals].sort((a, b) => b - a));
});

test('a bad link shows a clear message and the default pivot', async ({ page }) => {
  const users = await userRows(DEFAULT_PARAMS);
  const countries = new Set(users.map((u) => u.country)).size;
  await openPivot(page, './#/pivot?p=notjson');
  await expect(page.getByRole('alert').filter({ hasText: "The link's pivot was ignored: it is not valid JSON" })).toBeVisible();

  // The default pivot: users by country (top 10), Users / Orders / Revenue / AOV, no columns, no filter.
  const rows = page.getByTestId('dims-rows');
  await expect(rows.getByTestId('dim')).toHaveCount(1);
  await expect(rows.getByTestId('bucket-kind')).toHaveValue('top');
  await expect(rows.getByTestId('bucket-n')).toHaveValue('10');
  await expect(page.getByTestId('dims-cols').getByTestId('dim')).toHaveCount(0);
  await expect(page.getByTestId('filter-builder').getByTestId('filter-cond')).toHaveCount(0);
  const aggs = page.getByTestId('measure-agg');
  await expect(aggs).toHaveCount(4);
  for (const [i, agg] of ['users', 'orders', 'revenue', 'aov'].entries()) await expect(aggs.nth(i)).toHaveValue(agg);
  await expectTable(page, (t) => {
    expect(t.groups).toEqual([]);
    expect(t.measures).toEqual(['Users', 'Orders', 'Revenue', 'AOV']);
    expect(t.rows[0].row).toBe('total');
    expect(Number(t.rows[0].values[0])).toBe(DEFAULT_PARAMS.users);
    expect(t.rows.length - 1).toBe(Math.min(10, countries) + (countries > 10 ? 1 : 0));
  });
});

test('a pivot filter built with the keyboard only (age > 25) gives Node\'s count of such users', async ({ page }) => {
  const want = (await userRows(DEFAULT_PARAMS)).filter((u) => u.age !== null && u.age > 25).length;
  await openPivot(page, './#/pivot');
  await expectRunReady(page, 'pivot');
  await page.locator('body').focus();
  for (let i = 0; i < 120; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'filter-add-cond')) break;
  }
  await expect(page.getByTestId('filter-add-cond').first()).toBeFocused();
  await page.keyboard.press('Enter');
  const cond = page.getByTestId('filter-cond').first();
  await expect(cond.getByTestId('filter-field')).toBeFocused();
  await page.keyboard.type('age'); // the field list's type-ahead
  await expect(cond.getByTestId('filter-field')).toHaveValue('u.age');
  await page.keyboard.press('Tab');
  await expect(cond.getByTestId('filter-op')).toBeFocused();
  await page.keyboard.type('>');
  await expect(cond.getByTestId('filter-op')).toHaveValue('>');
  await page.keyboard.press('Tab');
  await expect(cond.getByTestId('filter-value')).toBeFocused();
  await page.keyboard.type('25');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('filter-builder').getByTestId('filter-summary')).toHaveText('age > 25');
  await expect(page.locator('tr[data-row="total"] td[data-col="0"]')).toHaveText(want.toLocaleString('en-US'), { timeout: 30_000 });
});
