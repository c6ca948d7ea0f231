// Shared e2e fixture: every test fails if the page requests anything off its origin or logs a console error.
import { test as base, expect, type Page } from '@playwright/test';

interface Guard {
  external: string[];
  errors: string[];
}

/** `test` with a guard that watches requests and the console of every page in the context. */
export const test = base.extend<{ guard: Guard }>({
  guard: [
    async ({ context }, use) => {
      const guard: Guard = { external: [], errors: [] };
      const watch = (page: Page) => {
        const origin = () => new URL(page.url() === 'about:blank' ? 'http://127.0.0.1/' : page.url()).origin;
        page.on('request', (req) => {
          const url = req.url();
          if (url.startsWith('data:') || url.startsWith('blob:')) return;
          if (new URL(url).origin !== origin()) guard.external.push(url);
        });
        page.on('console', (msg) => {
          if (msg.type() === 'error') guard.errors.push(msg.text());
        });
        page.on('pageerror', (err) => guard.errors.push(String(err)));
      };
      context.pages().forEach(watch);
      context.on('page', watch);
      // Requests made by workers and the service worker, too.
      context.on('request', (req) => {
        const url = req.url();
        if (!url.startsWith('http://127.0.0.1') && !url.startsWith('data:') && !url.startsWith('blob:')) guard.external.push(url);
      });
      await use(guard);
      expect(guard.external, 'requests that left the page origin').toEqual([]);
      expect(guard.errors, 'console errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Wait until the app has a dataset and the Overview KPIs are rendered. */
export async function waitForDashboard(page: Page): Promise<void> {
  await expect(page.getByTestId('kpi-users')).toHaveAttribute('data-value', /\d/, { timeout: 90_000 });
  await expect(page.locator('[data-panel-state="loading"]')).toHaveCount(0, { timeout: 60_000 });
}

/** The raw number behind a KPI card. */
export async function kpi(page: Page, name: string): Promise<number> {
  return Number(await page.getByTestId(`kpi-${name}`).getAttribute('data-value'));
}
