// Saved insights and the Dashboard (issue 18): a view saved by name from a screen is listed on the Dashboard, in
// the order the user arranges, survives a reload, shows its live figures, and reopens exactly as saved.
import { test, expect, waitForApp } from './fixtures.ts';
import { shot } from './shots.ts';

test('save views by name, arrange them on the Dashboard, reload, reopen one exactly as saved, remove one', async ({ page }) => {
  await page.goto('./#/funnels');
  await waitForApp(page);
  const status = page.getByTestId('funnel-status');
  await expect(status).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await page.getByRole('radiogroup', { name: 'Count by' }).locator('label', { hasText: 'Sessions' }).click();
  await expect(page.getByTestId('funnel-table').locator('thead th').nth(1)).toHaveText('Sessions', { timeout: 30_000 });
  const sessionsUrl = page.url();
  const sessionsRow1 = await page.locator('tr[data-step="1"] td').first().textContent();
  await page.getByTestId('save-view').click();
  await expect(page.getByTestId('save-view-name')).toHaveValue('Funnel: session_start → product_view → add_to_cart → purchase');
  await page.getByTestId('save-view-name').fill('Sessions funnel');
  await page.getByTestId('save-view-confirm').click();
  await expect(page.getByTestId('save-view-done')).toContainText('Saved “Sessions funnel”');
  // The same name again is refused unless replaced.
  await page.getByTestId('save-view').click();
  await page.getByTestId('save-view-name').fill('sessions FUNNEL');
  await page.getByTestId('save-view-confirm').click();
  await expect(page.getByRole('alert')).toContainText('An insight named “Sessions funnel” exists');
  await page.getByRole('button', { name: 'Cancel' }).click();

  await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Retention', exact: true }).click();
  await expect(page.getByTestId('cohort-grid')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('save-view').click();
  await page.getByTestId('save-view-name').fill('Monthly retention');
  await page.getByTestId('save-view-confirm').click();
  await expect(page.getByTestId('save-view-done')).toBeVisible();

  await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Dashboard', exact: true }).click();
  const names = () => page.getByTestId('insight').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
  await expect(page.getByTestId('insight')).toHaveCount(2);
  expect(await names()).toEqual(['Sessions funnel', 'Monthly retention']);
  await page.getByRole('button', { name: 'Move “Sessions funnel” later' }).click();
  await expect.poll(names).toEqual(['Monthly retention', 'Sessions funnel']);
  await page.reload();
  await waitForApp(page);
  await expect(page.getByTestId('insight')).toHaveCount(2);
  expect(await names()).toEqual(['Monthly retention', 'Sessions funnel']);
  await expect(page.getByTestId('insight').nth(1)).toContainText('Funnels · saved');
  // Each tile is live: the funnel tile lists the four steps with the screen's counts, the retention tile a rate.
  const funnelTile = page.getByTestId('insight').nth(1).getByTestId('tile');
  await expect(funnelTile).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(funnelTile.getByTestId('tile-rows').locator('tr')).toHaveCount(4);
  await expect(funnelTile.getByTestId('tile-rows').locator('tr').first().locator('td')).toHaveText(new RegExp(`^${sessionsRow1} · 100%$`));
  const funnelHeadline = await funnelTile.getByTestId('tile-headline').textContent();
  const retentionTile = page.getByTestId('insight').nth(0).getByTestId('tile');
  await expect(retentionTile).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(retentionTile.getByTestId('tile-headline')).toHaveText(/^\d+(\.\d)?%$/);
  await expect(retentionTile.getByTestId('tile-rows').locator('tr').first()).toHaveText(/Month 0\s*100%/);
  await shot(page, 'test-results/layout/dashboard-tiles.png');

  // Reopen: the same URL, settings and figures as when it was saved.
  await page.getByTestId('insight').nth(1).getByTestId('insight-open').click();
  await expect(page).toHaveURL(sessionsUrl);
  await expect(page.getByRole('radiogroup', { name: 'Count by' }).getByRole('radio', { name: 'Sessions' })).toBeChecked();
  await expect(status).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.locator('tr[data-step="1"] td').first()).toHaveText(sessionsRow1!);
  // The tile's headline is the screen's overall conversion to the last step.
  await expect(page.locator('tr[data-step="4"] td').nth(1)).toHaveText(funnelHeadline!);

  await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Dashboard', exact: true }).click();
  await page.getByRole('button', { name: 'Remove “Monthly retention”' }).click();
  await expect.poll(names).toEqual(['Sessions funnel']);
});

test('a catalog read that fails is shown on Funnels, Journeys, Retention, Segments and Clusters, not swallowed (it says which read failed); the Pivot still answers', async ({ page }) => {
  // Every statement reaching the database worker with the catalog's event-types text is made to fail, as a broken
  // table would: the screen must say so in words instead of showing an empty step list.
  await page.addInitScript(() => {
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: Worker, msg: any, ...rest: any[]) {
      const args = msg?.argumentList;
      if (Array.isArray(args) && args.some((a: any) => typeof a?.value === 'string' && a.value.startsWith('SELECT DISTINCT event_type AS t FROM events'))) {
        msg = { ...msg, argumentList: args.map((a: any, i: number) => (i === 0 ? { ...a, value: "SELECT error('injected: events unreadable')" } : a)) };
      }
      return post.call(this, msg, ...(rest as [any]));
    } as typeof Worker.prototype.postMessage;
  });
  await page.goto('./#/funnels');
  await waitForApp(page);
  await expect(page.getByTestId('catalog-error')).toContainText("Could not read the dataset's event types", { timeout: 60_000 });
  await expect(page.getByTestId('catalog-error')).toContainText('injected: events unreadable');
  for (const screen of ['Journeys', 'Retention', 'Segments', 'Clusters']) {
    await page.getByRole('link', { name: screen, exact: true }).click();
    const alert = page.getByTestId('catalog-error');
    await expect(alert).toHaveAttribute('role', 'alert');
    await expect(alert).toContainText("Could not read the dataset's event types: ");
    await expect(alert).toContainText('injected: events unreadable');
  }
  // Only the event types failed: the columns were read, and the Pivot still answers.
  await page.getByRole('link', { name: 'Pivot', exact: true }).click();
  await expect(page.getByTestId('pivot-status')).toHaveAttribute('data-status', 'ready', { timeout: 30_000 });
  await expect(page.getByTestId('pivot-table')).toContainText('Total');
});
