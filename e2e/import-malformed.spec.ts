// The malformed-input corpus where only the browser can show it (issue 11, parts 5-7): a Parquet file that crashes
// parquet-wasm in the conversion worker, the same file dropped twice, ambiguous dates asked about in the mapping,
// a cut-short .gz (the browser's DecompressionStream words), a CSV column named __proto__. Each ends in a message or a
// correct import, the console stays clean (the fixture fails on console errors) and the demo shop is untouched.
// Node runs the whole corpus (tests/import-malformed.test.ts); the files are the same.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, waitForDashboard } from './fixtures.ts';
import { makeMalformed } from '../scripts/make-malformed.mjs';

const CORPUS = fileURLToPath(new URL('../tests/fixtures/malformed/', import.meta.url));
const corpus = (name: string) => join(CORPUS, name);
let generated = '';

test.beforeAll(async () => {
  generated = await makeMalformed();
});

/** Open the app on the demo shop, note its event count, go to Import. */
async function openImport(page: Page): Promise<string> {
  await page.goto('./');
  await waitForDashboard(page);
  const before = await page.getByTestId('event-count').textContent();
  expect(before).toMatch(/^\d[\d,]*$/);
  await page.getByRole('link', { name: 'Import', exact: true }).click();
  return before!;
}

function card(page: Page, name: string) {
  return page.getByTestId('import-file').filter({ hasText: name });
}

test('a Parquet file that crashes the reader: a message, the worker ended, and the next converted file imports', async ({ page }) => {
  const before = await openImport(page);
  // Every conversion worker must end: the one that crashed (terminated by the page), and the next one when done.
  const ended: Promise<void>[] = [];
  page.on('worker', (w) => {
    if (w.url().includes('convert')) ended.push(new Promise((resolve) => w.on('close', () => resolve())));
  });
  await page.getByLabel('Choose files to import').setInputFiles(join(generated, 'corrupted.parquet'));
  const bad = card(page, 'corrupted.parquet');
  await expect(bad.getByRole('alert')).toHaveText(
    'corrupted.parquet could not be read as Parquet: the Parquet reader failed part-way through with an internal error, ' +
      'which a damaged or cut-short file causes. Nothing was imported from it, and your current data is unchanged. ' +
      'Export the file again (or save it as CSV) and drop it again.',
    { timeout: 60_000 },
  );
  await expect(bad.getByRole('progressbar')).toHaveCount(0);
  expect(ended).toHaveLength(1);
  await ended[0];
  await expect(page.getByRole('button', { name: /^Import \d/ })).toHaveCount(0);
  await expect(page.getByTestId('event-count')).toHaveText(before);

  // A fresh worker converts the next file (JSON whose keys include __proto__ and constructor) and it imports.
  await bad.getByRole('button', { name: 'Remove corrupted.parquet' }).click();
  await page.getByLabel('Choose files to import').setInputFiles(corpus('proto-keys.ndjson'));
  const good = card(page, 'proto-keys.ndjson');
  await expect(good.getByLabel('Role of column __proto__')).toHaveValue('keep', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Import 1 file as a new dataset' }).click();
  const report = page.getByTestId('import-report');
  await expect(report).toBeVisible({ timeout: 60_000 });
  await expect(report.getByTestId('rows-loaded')).toHaveText('2');
  await expect(page.getByTestId('event-count')).toHaveText('2');
  expect(ended).toHaveLength(2);
  await ended[1];
});

test('the same file dropped twice: the second copy is refused, one imports', async ({ page }) => {
  const before = await openImport(page);
  const picker = page.getByLabel('Choose files to import');
  await picker.setInputFiles(corpus('orders.csv'));
  await expect(card(page, 'orders.csv').getByLabel('File role')).toHaveValue('transactions', { timeout: 30_000 });
  await picker.setInputFiles(corpus('orders.csv'));
  const cards = page.getByTestId('import-file');
  await expect(cards).toHaveCount(2);
  await expect(cards.nth(1).getByRole('alert')).toHaveText(
    'orders.csv was added twice: importing both would count every row twice and double the revenue. Remove one of them and import again.',
  );
  await expect(page.getByTestId('event-count')).toHaveText(before);
  await page.getByRole('button', { name: 'Import 1 file as a new dataset' }).click();
  const report = page.getByTestId('import-report');
  await expect(report).toBeVisible({ timeout: 60_000 });
  // 3 order lines once: 2 x 10.50 + 4.00 + 10.50 = 35.50 (shown whole: $36), not 71.
  await expect(report.getByTestId('rows-loaded')).toHaveText('3');
  await expect(report).toContainText('3 orders · $36 gross revenue');
});

test('ambiguous dates: the import asks for the day/month order, and the chosen order is used', async ({ page }) => {
  const before = await openImport(page);
  await page.getByLabel('Choose files to import').setInputFiles(corpus('dates-ambiguous.csv'));
  const order = card(page, 'dates-ambiguous.csv').getByLabel('Day/month order of column date');
  await expect(order).toHaveValue('', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Import 1 file as a new dataset' }).click();
  await expect(page.getByTestId('import-error')).toHaveText(
    'dates-ambiguous.csv: the dates in column "date" read both ways round: 1/2/2025 is 2025-02-01 day-first or ' +
      '2025-01-02 month-first, and no date in the file settles it (none has a day above 12). Choose the day/month ' +
      'order of "date" in the mapping and import again. Your current data is unchanged.',
    { timeout: 60_000 },
  );
  await expect(page.getByTestId('event-count')).toHaveText(before);
  await order.selectOption('dmy');
  await page.getByRole('button', { name: 'Import 1 file as a new dataset' }).click();
  const report = page.getByTestId('import-report');
  await expect(report).toBeVisible({ timeout: 60_000 });
  await expect(report).toContainText('dates-ambiguous.csv, column "date": dates read day first (31/12/2025), as chosen in the mapping.');
  await expect(report).toContainText('Feb 1, 2025 – Nov 12, 2025'); // 1/2/2025 .. 12/11/2025 read day first
});

test('a cut-short .csv.gz is refused in words; a CSV column named __proto__ imports', async ({ page }) => {
  const before = await openImport(page);
  await page.getByLabel('Choose files to import').setInputFiles([corpus('truncated.csv.gz'), corpus('proto-column.csv')]);
  await expect(card(page, 'truncated.csv.gz').getByRole('alert')).toContainText(
    'truncated.csv.gz is cut short: its gzip data ends before the end of the compressed file, so part of the export is missing',
    { timeout: 30_000 },
  );
  const proto = card(page, 'proto-column.csv');
  await expect(proto.getByLabel('Role of column __proto__')).toHaveValue('keep', { timeout: 30_000 });
  await expect(proto.getByRole('alert')).toHaveCount(0);
  await expect(page.getByTestId('event-count')).toHaveText(before);
  await page.getByRole('button', { name: 'Import 1 file as a new dataset' }).click();
  const report = page.getByTestId('import-report');
  await expect(report).toBeVisible({ timeout: 60_000 });
  await expect(report.getByTestId('rows-loaded')).toHaveText('3');
  await expect(page.getByTestId('event-count')).toHaveText('3');
});
