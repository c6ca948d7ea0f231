// Accessibility (issue 18): axe-core finds 0 violations on every screen, with results drawn, in the dialogs and in
// the import mapping step. Each check runs on the page as the user sees it (the rules axe-core ships, WCAG A/AA).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect, waitForApp, waitForDashboard } from './fixtures.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

/** The violations axe-core finds on the page now (or inside `include`), one readable line each. */
async function violations(page: Page, where: string, include?: string): Promise<string[]> {
  let b = new AxeBuilder({ page });
  if (include) b = b.include(include);
  const r = await b.analyze();
  return r.violations.map((v) => `${where}: ${v.id} (${v.impact}) ×${v.nodes.length}: ${v.help} — ` +
    v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} :: ${(n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 160)}`).join(' | '));
}

/** Wait until no panel, chart or table of the screen is still loading. */
async function settled(page: Page): Promise<void> {
  await waitForApp(page);
  await expect(page.locator('[data-panel-state="loading"], [aria-busy="true"], [data-status="loading"]')).toHaveCount(0, { timeout: 60_000 });
}

test('axe-core: 0 violations on every screen with its results drawn', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('./#/overview');
  await waitForDashboard(page);
  const found = await violations(page, 'overview');
  for (const [screen, ready] of [
    ['pivot', 'pivot-table'], ['retention', 'cohort-table'], ['funnels', 'funnel-table'], ['journeys', 'journeys-sankey'],
    ['segments', 'segment-title'], ['dashboard', null], ['datasets', null], ['data', null], ['import', null],
  ] as const) {
    await page.getByRole('link', { name: screen === 'datasets' ? 'Datasets' : screen[0].toUpperCase() + screen.slice(1), exact: true }).click();
    if (ready) await expect(page.getByTestId(ready).first()).toBeVisible({ timeout: 60_000 });
    await settled(page);
    found.push(...(await violations(page, screen)));
  }
  expect(found).toEqual([]);
});

test('axe-core: 0 violations on Clusters and Predictions after a run, and in the dialogs', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('./#/clusters');
  await waitForApp(page);
  const found = await violations(page, 'clusters (before a run)');
  await page.getByTestId('cluster-run').click();
  await expect(page.getByTestId('cluster-result')).toBeVisible({ timeout: 90_000 });
  await settled(page);
  found.push(...(await violations(page, 'clusters (result)')));
  await page.getByRole('link', { name: 'Predictions', exact: true }).click();
  await waitForApp(page);
  found.push(...(await violations(page, 'predict (before training)')));
  await page.getByTestId('predict-train').click();
  await expect(page.getByTestId('predict-saved')).toBeVisible({ timeout: 120_000 });
  await settled(page);
  found.push(...(await violations(page, 'predict (trained)')));
  // The segment builder and the generate dialog.
  await page.goto('./#/segments?s=new');
  await waitForApp(page);
  await expect(page.getByRole('heading', { name: 'New segment' })).toBeVisible();
  found.push(...(await violations(page, 'segment builder')));
  await page.getByRole('link', { name: 'Datasets', exact: true }).click();
  await page.getByRole('button', { name: 'Generate another shop' }).click();
  await expect(page.getByRole('dialog', { name: 'Generate another shop' })).toBeVisible();
  found.push(...(await violations(page, 'generate dialog', 'dialog')));
  await page.keyboard.press('Escape');
  // A user's timeline (the drill-down dialog), from a funnel step's list.
  await page.getByRole('link', { name: 'Funnels', exact: true }).click();
  await page.locator('tr[data-step="4"]').getByTestId('converted-users').click({ timeout: 60_000 });
  await page.getByTestId('step-users').getByTestId('user-link').first().click({ timeout: 30_000 });
  await expect(page.getByTestId('timeline-events')).toBeVisible();
  found.push(...(await violations(page, 'user timeline', '[data-testid="user-timeline"]')));
  expect(found).toEqual([]);
});

test('axe-core: 0 violations in the import mapping step and its preview', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-a11y-'));
  const file = join(dir, 'orders.csv');
  writeFileSync(file, ['customer,when,what,amount,country', ...Array.from({ length: 60 }, (_, i) =>
    `c${i % 7},2024-01-${String(1 + (i % 28)).padStart(2, '0')} 10:00:00,${i % 3 ? 'view' : 'purchase'},${i % 3 ? '' : (i * 1.5).toFixed(2)},UK`)].join('\n'));
  await page.goto('./#/import');
  await waitForApp(page);
  await page.getByLabel('Choose files to import').setInputFiles(file);
  await expect(page.getByTestId('import-file').getByLabel('Role of column country')).toBeVisible({ timeout: 30_000 });
  expect(await violations(page, 'import mapping')).toEqual([]);
});
