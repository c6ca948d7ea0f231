// Layout (issue 18): at a phone's 390 px and a small laptop's 1024 px no screen scrolls sideways (tables scroll
// inside their own boxes; 1440 px is checked in a11y.spec.ts), and on a phone the screens fold into a menu.
// Screenshots of every screen go to test-results/layout/ to be looked at.
import type { Page } from '@playwright/test';
import { test, expect, waitForApp, waitForDashboard } from './fixtures.ts';

const ALL = ['overview', 'dashboard', 'pivot', 'retention', 'funnels', 'journeys', 'segments', 'clusters', 'predict', 'import', 'datasets', 'data'] as const;

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

async function visit(page: Page, screen: string): Promise<void> {
  await page.goto(`./#/${screen}`);
  await waitForApp(page);
  await page.waitForTimeout(300); // a screen starts its queries just after it is drawn
  await expect(page.locator('[data-panel-state="loading"], [aria-busy="true"], [data-status="loading"]')).toHaveCount(0, { timeout: 60_000 });
  await page.waitForTimeout(800); // charts draw after their data
}

// (1440 px: a11y.spec.ts checks every screen there, with a year of monthly retention in view.)
for (const [width, screens] of [[390, ALL], [1024, ALL]] as const) {
  test(`at ${width} px no screen scrolls sideways (${screens.length} screens)`, async ({ page }) => {
    test.setTimeout(240_000);
    await page.setViewportSize({ width, height: 900 });
    await page.goto('./#/overview');
    await waitForDashboard(page);
    const wide: string[] = [];
    for (const s of screens) {
      await visit(page, s);
      const { extra, culprits } = await sideways(page);
      if (extra > 0) wide.push(`${s}: ${extra} px too wide (${culprits.join(', ') || 'nothing outside a scroll box'})`);
      await page.screenshot({ path: `test-results/layout/${width}-${s}.png`, fullPage: true });
    }
    expect(wide).toEqual([]);
  });
}

test('on a phone the screens are a menu: it names the current screen, opens, navigates, and closes with Escape', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto('./#/overview');
  await waitForApp(page);
  const menu = page.getByTestId('menu-button');
  const nav = page.getByRole('navigation', { name: 'Screens' });
  await expect(menu).toBeVisible();
  await expect(menu).toContainText('Overview');
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(nav).toBeHidden();
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(nav.getByRole('link')).toHaveCount(ALL.length);
  await nav.getByRole('link', { name: 'Funnels', exact: true }).click();
  await expect(page).toHaveURL(/#\/funnels/);
  await expect(nav).toBeHidden();
  await expect(menu).toContainText('Funnels');
  await expect(page.getByRole('heading', { level: 1, name: 'Funnels' })).toBeFocused();
  // Keyboard: open it, Escape closes it and focus returns to the button.
  await menu.focus();
  await page.keyboard.press('Enter');
  await expect(nav).toBeVisible();
  await nav.getByRole('link', { name: 'Pivot', exact: true }).focus();
  await page.keyboard.press('Escape');
  await expect(nav).toBeHidden();
  await expect(menu).toBeFocused();
  // At a laptop's width there is no menu button: every link is in the bar.
  await page.setViewportSize({ width: 1024, height: 800 });
  await expect(menu).toBeHidden();
  await expect(nav.getByRole('link')).toHaveCount(ALL.length);
  for (const l of await nav.getByRole('link').all()) await expect(l).toBeInViewport();
});
