// Bring your own data: real files import with zero manual mapping and the Overview equals Node's import.
import { existsSync, mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, waitForApp, waitForDashboard, kpi } from './fixtures.ts';
import { DATA, importReference } from './import-reference.ts';

const RETAIL = join(DATA, 'online_retail.csv.gz');
const REES = join(DATA, 'rees46_2019_oct_head.csv.gz');
const scratch: string[] = [];
/** A temp dir removed after the tests (the big CSV is 50 MB). */
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}
test.afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});
test.beforeAll(() => {
  if (!existsSync(RETAIL) || !existsSync(REES)) throw new Error(`The shared datasets are missing: expected them in ${DATA} (see shared/data/README.md).`);
});

async function importFiles(page: Page, paths: string[]) {
  await page.goto('./#/import');
  await waitForApp(page);
  await page.getByLabel('Choose files to import').setInputFiles(paths);
  await expect(page.getByRole('button', { name: /^Import \d files? as a new dataset$/ })).toBeEnabled({ timeout: 30_000 });
}

async function eventCount(page: Page) {
  return page.getByTestId('event-count').textContent();
}

test('online_retail.csv.gz imports with no manual mapping; the report and the Overview equal the native import', async ({ page }) => {
  test.setTimeout(240_000);
  const ref = await importReference([RETAIL]);
  await importFiles(page, [RETAIL]);
  const file = page.getByTestId('import-file');
  await expect(file.getByLabel('File role')).toHaveValue('transactions');
  await expect(file.getByLabel('Role of column CustomerID')).toHaveValue('user_id');
  await expect(file.getByLabel('Role of column InvoiceDate')).toHaveValue('ts');
  await page.getByRole('button', { name: 'Import 1 file as a new dataset' }).click();
  const report = page.getByTestId('import-report');
  await expect(report).toBeVisible({ timeout: 180_000 });
  await expect(report).toContainText('541,909 rows read');
  await expect(report.getByTestId('rows-loaded')).toHaveText(ref.report.files[0].rowsLoaded.toLocaleString('en-US'));
  await expect(report.locator('[data-reason="no_user"]')).toContainText('135,080');
  await page.getByRole('link', { name: 'Open the Overview of the imported data' }).click();
  await waitForDashboard(page);
  expect(await kpi(page, 'orders')).toBe(ref.kpis.orders);
  expect(await kpi(page, 'revenue')).toBeCloseTo(ref.kpis.revenue, 4);
  expect(await kpi(page, 'users')).toBe(ref.kpis.users);
  const top = ref.geo.slice(0, 3).map((g) => g.place!);
  expect(top[0]).toBe('United Kingdom');
  for (const place of top) await expect(page.getByTestId('panel-geo')).toBeVisible();
});

test('rees46 events arrive by drag and drop, sessions come from the file, and the app keeps the demo shop', async ({ page }) => {
  const ref = await importReference([REES]);
  await page.goto('./');
  await waitForDashboard(page);
  const bytes = readFileSync(REES).toString('base64');
  await page.evaluate(async (b64) => {
    const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([data], 'rees46_2019_oct_head.csv.gz', { type: 'application/gzip' }));
    for (const type of ['dragenter', 'dragover', 'drop']) window.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, bytes);
  await expect(page).toHaveURL(/#\/import/);
  const file = page.getByTestId('import-file');
  await expect(file.getByLabel('File role')).toHaveValue('events', { timeout: 30_000 });
  await expect(file.getByLabel('Role of column user_session')).toHaveValue('session_id');
  await expect(file.getByLabel('Event type for cart')).toHaveValue('add_to_cart');
  await page.getByRole('button', { name: 'Import 1 file as a new dataset' }).click();
  await expect(page.getByTestId('import-report')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('report-events')).toHaveText(ref.report.totals.events.toLocaleString('en-US'));
  await page.getByRole('link', { name: 'Open the Overview of the imported data' }).click();
  await waitForDashboard(page);
  expect(await kpi(page, 'users')).toBe(ref.kpis.users);
  expect(await kpi(page, 'orders')).toBe(ref.kpis.orders);
  // The demo shop is still there.
  await page.getByRole('link', { name: 'Datasets' }).click();
  await expect(page.getByRole('list', { name: 'Stored datasets' }).getByRole('listitem')).toHaveCount(2);
});

test('bad files get a clear message and the current dataset is untouched', async ({ page }) => {
  const dir = tempDir('strata-bad-');
  const empty = join(dir, 'empty.csv');
  const binary = join(dir, 'photo.csv');
  const headerOnly = join(dir, 'header.csv');
  writeFileSync(empty, '');
  writeFileSync(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 1, 2, 3, 0, 0, 255, 254, 0, 7]));
  writeFileSync(headerOnly, 'user_id,event_time,event_type\n');
  await page.goto('./');
  await waitForDashboard(page);
  const before = await eventCount(page);
  await page.getByRole('link', { name: 'Import', exact: true }).click();
  await page.getByLabel('Choose files to import').setInputFiles([empty, binary, headerOnly]);
  const errors = page.getByTestId('import-file').getByRole('alert');
  await expect(errors).toHaveCount(3, { timeout: 30_000 });
  await expect(page.getByTestId('import-file').filter({ hasText: 'empty.csv' }).getByRole('alert')).toContainText(/empty/i);
  await expect(page.getByTestId('import-file').filter({ hasText: 'photo.csv' }).getByRole('alert')).toContainText(/not a data file|binary/i);
  await expect(page.getByTestId('import-file').filter({ hasText: 'header.csv' }).getByRole('alert')).toContainText(/no data rows/i);
  await expect(page.getByRole('button', { name: /^Import \d/ })).toHaveCount(0);
  await expect(page.getByTestId('event-count')).toHaveText(before!);
  await page.getByRole('link', { name: 'Overview' }).click();
  await waitForDashboard(page);
});

test('an edited mapping is remembered for a file with the same columns; an import can be cancelled', async ({ page }) => {
  test.setTimeout(240_000);
  const dir = tempDir('strata-big-');
  const big = join(dir, 'clicks.csv');
  const lines = ['visitorid,timestamp,event,itemid,price,region'];
  for (let i = 0; i < 1_500_000; i++) lines.push(`v${i % 50_000},${1_700_000_000 + i * 7},${i % 10 ? 'view' : 'cart'},p${i % 997},${(i % 500) / 10},r${i % 9}`);
  writeFileSync(big, lines.join('\n'));
  await page.goto('./');
  await waitForDashboard(page);
  const before = await eventCount(page);
  await page.getByRole('link', { name: 'Import', exact: true }).click();
  await page.getByLabel('Choose files to import').setInputFiles(big);
  const file = page.getByTestId('import-file');
  await expect(file.getByLabel('Role of column region')).toBeVisible({ timeout: 30_000 });
  await file.getByLabel('Role of column region').selectOption('ignore');
  await page.getByRole('button', { name: 'Import 1 file as a new dataset' }).click();
  await expect(page.getByRole('progressbar')).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('import-error')).toHaveText('Import cancelled — nothing was changed.', { timeout: 60_000 });
  await expect(page.getByTestId('event-count')).toHaveText(before!);
  // Drop the same columns again: the edited mapping comes back only after a successful import, so import a small one.
  const small = join(dir, 'clicks-small.csv');
  writeFileSync(small, lines.slice(0, 2001).join('\n'));
  await page.getByTestId('import-file').getByRole('button', { name: /^Remove/ }).click();
  await page.getByLabel('Choose files to import').setInputFiles(small);
  await page.getByTestId('import-file').getByLabel('Role of column region').selectOption('ignore');
  await page.getByRole('button', { name: 'Import 1 file as a new dataset' }).click();
  await expect(page.getByTestId('import-report')).toBeVisible({ timeout: 60_000 });
  await page.getByLabel('Choose files to import').setInputFiles(small);
  await expect(page.getByText('mapping remembered from a file with the same columns')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('import-file').getByLabel('Role of column region')).toHaveValue('ignore');
});
