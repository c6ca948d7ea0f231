// Accessibility (issue 18): axe-core finds 0 violations on every screen, with results drawn, in the dialogs and in
// the import mapping step; the same pass checks that no screen scrolls sideways at 1440, 1024 and 390 px
// (screenshots of each in test-results/layout/ to be looked at, taken outside CI: shots.ts). Each check runs on the page as the user sees it (the rules axe-core ships, WCAG A/AA).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { test, expect, waitForApp, waitForDashboard } from './fixtures.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { violations } from './axe.ts';
import { shot } from './shots.ts';

// The tests here take turns in the worker's shared browser (fixtures.ts: one that changed the data ends it).
test.use({ shared: true });

/** How far the page is wider than the window (0 when it does not scroll sideways), and what sticks out. */
async function sideways(page: Page): Promise<{ extra: number; culprits: string[] }> {
  return page.evaluate(() => {
    const extra = document.documentElement.scrollWidth - window.innerWidth;
    // What sticks out past the window and is not inside a box that scrolls (or clips) on its own.
    const culprits = [...document.querySelectorAll('body *')].filter((el) => {
      if (el.getBoundingClientRect().right <= window.innerWidth + 1) return false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible') return false;
      return true;
    }).slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`);
    return { extra, culprits };
  });
}

/** Wait until no panel, chart or table of the screen is still loading. */
async function settled(page: Page): Promise<void> {
  await waitForApp(page);
  await expect(page.locator('[data-panel-state="loading"], [aria-busy="true"], [data-status="loading"]')).toHaveCount(0, { timeout: 60_000 });
}

/** How many px of a table its scroll box hides (0 when the whole table is in view). */
const cutOff = (table: Locator) => table.evaluate((el) => el.parentElement!.scrollWidth - el.parentElement!.clientWidth);

test('axe-core: 0 violations on every screen with its results drawn; at 1440, 1024 and 390 px none scrolls sideways and a year of months fits', async ({ page }) => {
  test.setTimeout(420_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('./#/overview');
  await waitForDashboard(page);
  const found = await violations(page, 'overview');
  /** Each screen once, drawn at 1440 px, then narrowed to a small laptop and a phone (layout.spec.ts has the menu). */
  const widths = async (screen: string) => {
    for (const width of [1440, 1024, 390]) {
      if (width !== 1440) {
        await page.setViewportSize({ width, height: 900 });
        await page.waitForTimeout(500); // charts and tables re-lay out after a resize
      }
      const { extra, culprits } = await sideways(page);
      if (extra > 0) found.push(`${screen}: ${extra} px too wide at ${width} px (${culprits.join(', ') || 'nothing outside a scroll box'})`);
      // Settings never scroll inside a box of their own (a filter builder at their foot was hidden below its fold).
      const boxed = await page.getByTestId('settings-panel').evaluateAll((els) => els.filter((el) => el.scrollHeight > el.clientHeight + 1).length);
      if (boxed) found.push(`${screen}: the settings panel scrolls inside its own box at ${width} px`);
      if (width === 390) {
        // Stacked above the results, the settings scroll away with the page (sticky, they covered the results).
        const stuck = await page.getByTestId('settings-panel').evaluateAll((els) => els.filter((el) => getComputedStyle(el).position === 'sticky').length);
        if (stuck) found.push(`${screen}: the settings panel stays stuck over the results at ${width} px`);
      }
      if (screen === 'overview' && width >= 1024) {
        // The traffic sources table keeps its last column (Conversion) in view on a laptop.
        const cut = await cutOff(page.getByTestId('panel-traffic').locator('table'));
        if (cut > 0) found.push(`overview: ${cut} px of the traffic sources table cut off at ${width} px`);
      }
      if (screen === 'funnels' && width >= 1024) {
        // The step table fits its card on a laptop: no column (the users links last) cut off inside its scroll box.
        const cut = await cutOff(page.getByTestId('funnel-table'));
        if (cut > 0) found.push(`funnels: ${cut} px of the step table cut off at ${width} px`);
      }
      await shot(page, `test-results/layout/${width}-${screen}.png`, true);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  };
  await widths('overview');
  for (const [screen, ready, axe] of [
    ['pivot', 'pivot-table', true], ['retention', 'cohort-table', true], ['funnels', 'funnel-table', true], ['journeys', 'journeys-sankey', true],
    ['segments', 'segment-title', true], ['dashboard', null, true], ['datasets', null, true], ['data', null, true], ['import', null, true],
    // Before a run; their axe checks are in the next test and, with results, in clusters.spec.ts and predict.spec.ts.
    ['clusters', null, false], ['predict', null, false],
  ] as const) {
    const label = screen === 'predict' ? 'Predictions' : screen[0].toUpperCase() + screen.slice(1);
    await page.getByRole('link', { name: label, exact: true }).click();
    if (ready) await expect(page.getByTestId(ready).first()).toBeVisible({ timeout: 60_000 });
    await settled(page);
    if (axe) found.push(...(await violations(page, screen)));
    if (screen === 'retention') {
      // The default view's year of monthly cohorts fits in the table's box: Month 12 is not cut off.
      await expect(page.getByTestId('cohort-table').locator('thead th').last()).toHaveText('Month 12');
      const hidden = await page.getByTestId('cohort-table').evaluate((el) => el.scrollWidth - el.clientWidth);
      if (hidden > 0) found.push(`retention: ${hidden} px of the triangle hidden at 1440 px`);
    }
    await widths(screen);
  }
  expect(found).toEqual([]);
});

test('axe-core: 0 violations on Clusters and Predictions before a run, and in the dialogs', async ({ page }) => {
  test.setTimeout(300_000);
  // (After a run: clusters.spec.ts and predict.spec.ts check their results with axe-core too.)
  await page.goto('./#/clusters');
  await waitForApp(page);
  const found = await violations(page, 'clusters (before a run)');
  await page.getByRole('link', { name: 'Predictions', exact: true }).click();
  await waitForApp(page);
  found.push(...(await violations(page, 'predict (before training)')));
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
