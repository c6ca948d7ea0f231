// Layout (issue 18): on a phone the screens fold into a menu. (That no screen scrolls sideways at 1440, 1024 and
// 390 px is checked in a11y.spec.ts's pass over every screen, which draws each once and narrows it.)
import { test, expect, waitForApp } from './fixtures.ts';

// The tests here take turns in the worker's shared browser (fixtures.ts: one that changed the data ends it).
test.use({ shared: true });

const ALL = ['overview', 'dashboard', 'pivot', 'retention', 'funnels', 'journeys', 'segments', 'clusters', 'predict', 'import', 'datasets', 'data'] as const;

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
