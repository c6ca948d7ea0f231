// Offline from day one: after a first visit the app loads with the server gone and the network cut.
import { test, expect, waitForDashboard } from './fixtures.ts';
// @ts-expect-error plain ESM helper without types
import { serveDist } from './serve.mjs';
import type { Server } from 'node:http';

// Generates a shop or imports files in the page: V8's default compiler tiers (fixtures.ts, `liftoff`).
test.use({ liftoff: false });

test('a second visit works with the server stopped and the network offline', async ({ page, context }) => {
  // The build under test (E2E_DIST, as serve.mjs serves it), on a port of its own.
  const server: Server = await serveDist(0, process.env.E2E_DIST || undefined);
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}/`;
  try {
    await page.goto(url);
    await waitForDashboard(page);
    // The service worker controls the page and has precached the app and the wasm.
    await page.waitForFunction(async () => !!navigator.serviceWorker.controller, null, { timeout: 60_000 });
    await page.waitForFunction(
      async () => {
        for (const name of await caches.keys()) {
          const keys = await (await caches.open(name)).keys();
          if (keys.some((r) => r.url.endsWith('.wasm'))) return true;
        }
        return false;
      },
      null,
      { timeout: 60_000 },
    );
  } finally {
    await new Promise((r) => server.close(r));
    server.closeAllConnections?.();
  }
  await context.setOffline(true);
  await page.reload();
  await waitForDashboard(page);
  await expect(page.getByText('Synthetic demo shop')).toBeVisible();
  await expect(page.getByTestId('panel-revenue').locator('canvas')).toBeVisible();
  await context.setOffline(false);
});

test('the page declares a Content-Security-Policy that only allows its own origin', async ({ page }) => {
  await page.goto('./');
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("connect-src 'self'");
  expect(csp).not.toMatch(/https?:/);
  const manifest = await (await page.request.get('./manifest.webmanifest')).json();
  expect(manifest.name).toContain('Strata');
  expect(manifest.icons.some((i: { sizes: string }) => i.sizes === '512x512')).toBe(true);
  await waitForDashboard(page);
});
