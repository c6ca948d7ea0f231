// A relational shop export dropped at once (Olist-shaped: customers, orders, order items, payments, products):
// zero edits; the report shows the joins; the Overview, a Pivot and Retention show the figures worked out by hand
// in tests/fixtures/relational/olist.ts, and the KPIs equal Node's import of the same files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, waitForApp, waitForDashboard, kpi } from './fixtures.ts';
import { importReference } from './import-reference.ts';
import { expectTable, pivotUrl } from './pivot-page.ts';
import { OLIST } from '../tests/fixtures/relational/olist.ts';
import { shot } from './shots.ts';

// Generates a shop or imports files in the page: V8's default compiler tiers (fixtures.ts, `liftoff`).
test.use({ liftoff: false });

test('five relational files dropped together import with zero edits; Overview, Pivot and Retention are right', async ({ page }) => {
  test.setTimeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'strata-olist-'));
  try {
    const paths = Object.entries(OLIST).map(([name, text]) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    });
    const ref = await importReference(paths);
    await page.goto('./#/import');
    await waitForApp(page);
    await page.getByLabel('Choose files to import').setInputFiles(paths);
    const button = page.getByRole('button', { name: 'Import 5 files as a new dataset' });
    await expect(button).toBeEnabled({ timeout: 30_000 });
    const role = (file: string) => page.locator(`[data-testid="import-file"][data-file="${file}"]`).getByLabel('File role');
    await expect(role('olist_orders_dataset.csv')).toHaveValue('orders');
    await expect(role('olist_order_items_dataset.csv')).toHaveValue('transactions');
    await expect(role('olist_order_payments_dataset.csv')).toHaveValue('payments');
    await expect(role('olist_customers_dataset.csv')).toHaveValue('users');
    await expect(role('olist_products_dataset.csv')).toHaveValue('products');
    await expect(page.getByTestId('status-map')).toContainText('canceled');
    // The joins shown before importing: lines and payments to orders, orders to customers, lines to products.
    await expect(page.getByTestId('proposed-join')).toHaveCount(4);
    const customersJoin = page.getByTestId('proposed-join').nth(2);
    await expect(customersJoin.locator('.box').first()).toHaveText('olist_orders_dataset.csv customer_id');
    await expect(customersJoin.locator('.box').nth(1)).toHaveText('olist_customers_dataset.csv customer_id');
    // Each join checked on the files before importing (worked out by hand: lines name o1–o6 and o9, o9 no order).
    await expect(page.getByTestId('join-overlap').first()).toHaveText('6 of 7 sampled keys found (85.7%)');
    await expect(customersJoin.getByTestId('join-overlap')).toHaveText('5 of 5 sampled keys found (100%)');
    await shot(page.getByTestId('proposed-joins'), test.info().outputPath('joins.png'));
    await button.click();

    const report = page.getByTestId('import-report');
    await expect(report).toBeVisible({ timeout: 120_000 });
    await expect(report.getByTestId('report-persons')).toContainText('5 customer keys belong to 3 persons');
    await expect(report.getByTestId('report-join')).toHaveCount(3);
    await expect(report.getByTestId('report-join').first()).toContainText('8 of 9 rows matched (1 not)');
    await expect(report.getByTestId('report-revenue-source')).toContainText('order lines');
    await expect(report.getByTestId('report-revenue-source')).toContainText('lines $420 · shipping $62');
    await expect(report.getByTestId('report-revenue-source')).toContainText('payments $512');
    await expect(report.getByTestId('report-statuses').locator('tbody tr')).toHaveCount(4);
    await expect(report.locator('[data-reason="no_order"]')).toContainText('1');
    await expect(report.locator('[data-reason="not_a_sale"]')).toContainText('1');
    await shot(report, 'test-results/import-relational-report.png');

    // Overview: 4 orders, $420 revenue, $20 refunds, 3 persons — the hand-worked answer, and Node's import.
    await page.getByRole('link', { name: 'Open the Overview of the imported data' }).click();
    await waitForDashboard(page);
    expect(await kpi(page, 'orders')).toBe(4);
    expect(await kpi(page, 'revenue')).toBe(420);
    expect(await kpi(page, 'users')).toBe(3);
    expect([ref.kpis.orders, ref.kpis.revenue, ref.kpis.users]).toEqual([4, 420, 3]);

    // Pivot: revenue by the person's state (users grain): MG 200, RJ 100, SP 120.
    await page.goto(pivotUrl({ grain: 'users', rows: [{ field: 'u.region', bucket: { kind: 'none' } }], cols: [], measures: [{ agg: 'revenue' }] }));
    await expectTable(page, (t) => {
      const got = Object.fromEntries(t.rows.filter((r) => r.depth === 1).map((r) => [r.row, Number(r.values[0])]));
      expect(Object.values(got).sort((a, b) => a - b)).toEqual([100, 120, 200]);
      expect(t.rows.length).toBeGreaterThanOrEqual(3);
    });

    // Retention (default: first purchase, purchase returns, by month): cohort 2018-01 is P1 and P2; P1 bought
    // again in February (k = 1); P3's cohort is 2018-03.
    await page.goto('./#/retention');
    await waitForApp(page);
    await expect(page.locator('tr[data-row="2018-01"] td.size')).toHaveText('2', { timeout: 60_000 });
    await expect(page.locator('tr[data-row="2018-01"] td[data-k="1"]')).toHaveAttribute('data-retained', '1');
    await expect(page.locator('tr[data-row="2018-01"] td[data-k="2"]')).toHaveAttribute('data-retained', '0');
    await expect(page.locator('tr[data-row="2018-03"] td.size')).toHaveText('1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
