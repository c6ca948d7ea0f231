// Parquet, a JSON array and NDJSON import in the browser (DuckDB-WASM has no reader for them: Strata converts them
// in a worker) with zero manual mapping, and the Overview equals native DuckDB's read_parquet / read_json import.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, waitForDashboard, kpi } from './fixtures.ts';
import { importReference } from './import-reference.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { literal } from '../src/sql/quote.ts';

const dir = mkdtempSync(join(tmpdir(), 'strata-formats-'));
const files = { parquet: join(dir, 'events.parquet'), json: join(dir, 'events.json'), ndjson: join(dir, 'events.ndjson') };

// 30,000 events of 900 users: views, carts and purchases (each purchase its own order), with a nested field.
const EVENTS = `SELECT 'u' || (i % 900) AS user_id, TIMESTAMP '2024-03-01' + to_seconds(i * 53) AS event_time,
  CASE WHEN i % 7 = 0 THEN 'purchase' WHEN i % 3 = 0 THEN 'cart' ELSE 'view' END AS event_type,
  'p' || (i % 211) AS product_id, round(5 + (i % 400) / 4.0, 2) AS price,
  CASE WHEN i % 7 = 0 THEN 'o' || i END AS order_id, 'c' || (i % 13) AS category,
  {'os': CASE WHEN i % 2 = 0 THEN 'ios' ELSE 'android' END, 'app': i % 5} AS device_info
FROM range(30000) t(i)`;

test.beforeAll(async () => {
  const db = await openNodeDb();
  try {
    await db.exec(`COPY (${EVENTS}) TO ${literal(files.parquet)} (FORMAT parquet)`);
    await db.exec(`COPY (${EVENTS}) TO ${literal(files.json)} (FORMAT json, ARRAY true)`);
    await db.exec(`COPY (${EVENTS}) TO ${literal(files.ndjson)} (FORMAT json)`);
  } finally {
    await db.close();
  }
});

test.afterAll(() => rmSync(dir, { recursive: true, force: true })); // the large file is ~90 MB; CI's disk keeps no litter

async function importOne(page: Page, path: string, fresh = true): Promise<void> {
  if (fresh) {
    await page.goto('./');
    await waitForDashboard(page);
    await page.getByRole('link', { name: 'Import', exact: true }).click();
  }
  await page.getByLabel('Choose files to import').setInputFiles(path);
  const file = page.getByTestId('import-file');
  await expect(file.getByLabel('File role')).toHaveValue('events', { timeout: 60_000 });
  await expect(file.getByLabel('Role of column user_id')).toHaveValue('user_id');
  await expect(file.getByLabel('Role of column event_time')).toHaveValue('ts');
  await page.getByRole('button', { name: 'Import 1 file as a new dataset' }).click();
  await expect(page.getByTestId('import-report')).toBeVisible({ timeout: 60_000 });
}

for (const kind of ['parquet', 'json', 'ndjson'] as const) {
  test(`${kind} imports in the browser with no manual mapping; the Overview equals the native import`, async ({ page }) => {
    const ref = await importReference([files[kind]]);
    expect(ref.kpis.orders).toBeGreaterThan(0);
    await importOne(page, files[kind]);
    await expect(page.getByTestId('report-events')).toHaveText(ref.report.totals.events.toLocaleString('en-US'));
    await page.getByRole('link', { name: 'Open the Overview of the imported data' }).click();
    await waitForDashboard(page);
    expect(await kpi(page, 'users')).toBe(ref.kpis.users);
    expect(await kpi(page, 'orders')).toBe(ref.kpis.orders);
    expect(await kpi(page, 'revenue')).toBeCloseTo(ref.kpis.revenue, 4);
  });
}

test('a large NDJSON file converts with a progress bar that can be cancelled; the next file still imports', async ({ page }) => {
  test.setTimeout(180_000);
  // ~90 MB: large enough that the conversion is still running when Cancel is pressed (it reads ~20-40 MB/s here),
  // small enough not to crowd a 2-core CI machine's renderer (a 234 MB version once crashed it, "Page crashed", with
  // another spec generating a shop beside it; 16 runs under load here did not reproduce that).
  const big = join(dir, 'big.ndjson');
  const db = await openNodeDb();
  try {
    await db.exec(`COPY (SELECT e.*, repeat('x', 40) AS padding FROM (${EVENTS.replace('range(30000)', 'range(450000)')}) e) TO ${literal(big)} (FORMAT json)`);
  } finally {
    await db.close();
  }
  await page.goto('./');
  await waitForDashboard(page);
  await page.getByRole('link', { name: 'Import', exact: true }).click();
  await page.getByLabel('Choose files to import').setInputFiles(big);
  const file = page.getByTestId('import-file');
  await expect(file.getByRole('progressbar')).toBeVisible();
  await expect(file.getByRole('status')).toContainText(/Converting big\.ndjson: [\d.]+ MB of \d+ MB/);
  await file.getByRole('button', { name: 'Cancel' }).click();
  await expect(file).toHaveCount(0);
  await importOne(page, files.ndjson, false); // same page, same database worker

  await expect(page.getByTestId('import-report')).toContainText('30,000 rows read');
});
