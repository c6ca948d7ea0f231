// Live mode on the demo shop: ticks append to the stored dataset, the feed shows the newest transactions in order,
// and after pausing the Overview's KPIs equal the same ticks replayed in Node.
import { test, expect, waitForDashboard, kpi } from './fixtures.ts';
import { liveReference } from './live-reference.ts';
import { DEFAULT_PARAMS } from '../src/data/generator/params.ts';
import { shot } from './shots.ts';

test('live for 20 s: the newest transactions in order; paused, the KPIs equal a Node replay; it survives a reload', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('./');
  await waitForDashboard(page);
  const panel = page.getByTestId('live-panel');
  await page.getByTestId('live-switch').click();
  await expect(panel).toHaveAttribute('data-status', 'running');
  await expect(page.getByTestId('live-switch')).toHaveAttribute('aria-checked', 'true');
  await page.waitForTimeout(20_000);
  await expect(page.getByTestId('live-feed-row').first()).toHaveAttribute('data-fresh', /true|false/);
  await shot(panel, test.info().outputPath('live-panel.png'));
  await panel.getByRole('button', { name: 'Pause' }).click();
  await expect(panel).toHaveAttribute('data-status', 'paused');
  const ticks = Number((await page.getByTestId('live-ticks').textContent())!.replace(/,/g, ''));
  expect(ticks).toBeGreaterThanOrEqual(5); // 20 s at one tick every 2 s

  const ref = await liveReference(DEFAULT_PARAMS, ticks);
  // The feed: the newest transactions first, exactly the replay's last ten.
  const shown = await page.getByTestId('live-feed-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-order')));
  expect(shown).toEqual(ref.latest.map((o) => o.orderId));
  await expect(page.getByTestId('live-orders')).toHaveText(ref.totals.orders.toLocaleString('en-US'));
  // After the pause the dashboard caught up: KPIs equal the replay (and the replay's loop over its events).
  await waitForDashboard(page);
  await expect.poll(() => kpi(page, 'orders')).toBe(ref.kpis.orders);
  expect(ref.kpis.orders).toBe(ref.orders);
  expect(await kpi(page, 'revenue')).toBeCloseTo(ref.kpis.revenue, 6);
  expect(ref.kpis.revenue).toBeCloseTo(ref.revenue, 6);
  expect(await kpi(page, 'users')).toBe(ref.kpis.users);
  expect(await kpi(page, 'aov')).toBeCloseTo(ref.kpis.aov!, 9);
  await expect(page.getByTestId('event-count')).toHaveText(ref.events.toLocaleString('en-US'));

  // Stored: a reload shows the same data, live mode paused where it stopped.
  await page.reload();
  await waitForDashboard(page);
  await expect(panel).toHaveAttribute('data-status', 'paused');
  await expect(page.getByTestId('live-ticks')).toHaveText(String(ticks));
  expect(await kpi(page, 'orders')).toBe(ref.kpis.orders);
  // Stop returns to a normal dataset that keeps what was added.
  await panel.getByRole('button', { name: 'Stop' }).click();
  await expect(panel).toHaveCount(0);
  expect(await kpi(page, 'orders')).toBe(ref.kpis.orders);
});

test('a second tab showing the same shop is told it is live elsewhere', async ({ page, context }) => {
  await page.goto('./');
  await waitForDashboard(page);
  const other = await context.newPage();
  await other.goto('./');
  await expect(other.getByText('Strata is already open in another tab')).toBeVisible({ timeout: 60_000 });
  await waitForDashboard(other);
  await page.getByTestId('live-switch').click();
  await expect(other.getByTestId('live-elsewhere')).toContainText('live in another tab');
  await page.getByTestId('live-panel').getByRole('button', { name: 'Pause' }).click();
  await expect(other.getByTestId('live-elsewhere')).toHaveCount(0);
  await other.close();
});
