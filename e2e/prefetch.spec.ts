// The warm start: on a small dataset the analysis screens' first statements run in the background once its segments
// are ready, so opening Retention, Funnels, Journeys and Pivot with default settings answers from the query cache.
import { test, expect, waitForDashboard } from './fixtures.ts';

type Probe = { prefetch: { version: number; status: string } | null; version: number; queriesSent: number };

test('the demo shop warms Retention, Funnels, Journeys and Pivot: each opens without sending a statement', async ({ page }) => {
  await page.goto('./#/overview');
  await waitForDashboard(page);
  await page.waitForFunction(() => {
    const s = (globalThis as unknown as { strata: Probe }).strata;
    return s.prefetch?.status === 'done' && s.prefetch.version === s.version;
  }, null, { timeout: 60_000 });
  for (const [screen, status] of [['retention', 'retention-status'], ['funnels', 'funnel-status'], ['journeys', 'journeys-status'], ['pivot', 'pivot-status']]) {
    const before = await page.evaluate(() => (globalThis as unknown as { strata: Probe }).strata.queriesSent);
    await page.locator(`nav a[href="#/${screen}"]`).first().click();
    await expect(page.getByTestId(status)).toHaveAttribute('data-status', 'ready');
    await page.waitForTimeout(300); // anything the screen sends after its first answer
    const after = await page.evaluate(() => (globalThis as unknown as { strata: Probe }).strata.queriesSent);
    expect(after - before, `${screen}: statements sent on opening`).toBe(0);
  }
  // A setting the warm start did not run is computed as before.
  const before = await page.evaluate(() => (globalThis as unknown as { strata: Probe }).strata.queriesSent);
  await page.goto(`./#/retention?r=${encodeURIComponent(JSON.stringify({ period: 'week' }))}`);
  await expect(page.getByTestId('retention-status')).toHaveAttribute('data-status', 'ready');
  await expect(page.locator('th', { hasText: 'Week 1' }).first()).toBeVisible();
  expect(await page.evaluate(() => (globalThis as unknown as { strata: Probe }).strata.queriesSent)).toBeGreaterThan(before);
});
