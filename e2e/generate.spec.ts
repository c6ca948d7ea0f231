// Generating another shop: parameters in, identical tables to Node's out; cancelling loses nothing.
import { test, expect, waitForDashboard, kpi } from './fixtures.ts';
import { reference } from './node-reference.ts';

// Generates a shop or imports files in the page: V8's default compiler tiers (fixtures.ts, `liftoff`).
test.use({ liftoff: false });

test('generate another shop with other parameters; the browser tables equal the Node ones', async ({ page }) => {
  const params = { users: 400, days: 60, seed: 7 };
  await page.goto('./');
  await waitForDashboard(page);
  await page.getByRole('button', { name: 'Generate another shop' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate another shop' });
  await dialog.getByLabel('Users').fill(String(params.users));
  await dialog.getByLabel('Days of history').fill(String(params.days));
  await dialog.getByLabel('Seed').fill(String(params.seed));
  await dialog.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByText('400 users · 60 days · seed 7')).toBeVisible({ timeout: 60_000 });
  await waitForDashboard(page);
  const ref = await reference(params);
  await expect(page.getByTestId('event-count')).toHaveText(ref.events.toLocaleString('en-US'));
  expect(await kpi(page, 'users')).toBe(ref.kpis.users);
  expect(await kpi(page, 'orders')).toBe(ref.kpis.orders);
  expect(await kpi(page, 'revenue')).toBeCloseTo(ref.kpis.revenue, 6);

  // The same rows, not just the same totals: a fingerprint of every event equals Node's.
  const browserPrint = await page.evaluate(async () => {
    const s = (globalThis as any).strata;
    const t = await s.query("SELECT md5(string_agg(e::VARCHAR, '|' ORDER BY event_id)) AS h FROM events e");
    return t.getChild('h').get(0) as string;
  });
  const { fingerprintEvents } = await import('./node-fingerprint.ts');
  expect(browserPrint).toBe(await fingerprintEvents(params));
});

test('invalid parameters get a clear message and change nothing', async ({ page }) => {
  await page.goto('./');
  await waitForDashboard(page);
  const before = await page.getByTestId('event-count').textContent();
  await page.getByRole('button', { name: 'Generate another shop' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate another shop' });
  await dialog.getByLabel('Users').fill('3');
  await dialog.getByRole('button', { name: 'Generate' }).click();
  await expect(dialog.getByRole('alert')).toContainText('users');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('event-count')).toHaveText(before!);
});

test('cancelling a generation keeps the previous shop intact and the app responsive', async ({ page }) => {
  await page.goto('./');
  await waitForDashboard(page);
  const events = await page.getByTestId('event-count').textContent();
  const users = await kpi(page, 'users');
  const revenue = await kpi(page, 'revenue');
  await page.getByRole('button', { name: 'Generate another shop' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate another shop' });
  await dialog.getByLabel('Users').fill('400000');
  await dialog.getByRole('button', { name: 'Generate' }).click();
  const progress = page.getByRole('progressbar');
  await expect(progress).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByText('Generation cancelled — nothing was changed.')).toBeVisible();
  await expect(progress).toBeHidden();
  await expect(page.getByTestId('event-count')).toHaveText(events!);
  // Still responsive: the dashboard re-queries the untouched tables and gets the same answer.
  await page.getByRole('button', { name: 'Last 90 days' }).click();
  await page.getByRole('button', { name: 'All time' }).click();
  await waitForDashboard(page);
  expect(await kpi(page, 'users')).toBe(users);
  expect(await kpi(page, 'revenue')).toBe(revenue);
  const staging = await page.evaluate(async () => {
    const t = await (globalThis as any).strata.query("SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name LIKE 'stg_%' OR table_name LIKE '%_next'");
    return t.getChild('n').get(0) as number;
  });
  expect(staging).toBe(0);
});
