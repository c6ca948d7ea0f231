// The dataset catalog (the columns and event types every analysis screen reads) failing is said on the screen, never
// swallowed. The fault is injected where the page hands statements to the database worker (Worker.postMessage):
// the catalog's event-types statement becomes one DuckDB rejects; every other statement passes untouched.
import { test, expect, waitForApp } from './fixtures.ts';

test('an event-types catalog that cannot be read is said on Funnels, Journeys, Retention, Segments and Clusters; the Pivot still answers', async ({ page, context }) => {
  await context.addInitScript(() => {
    const CATALOG = 'SELECT DISTINCT event_type AS t FROM events WHERE event_type IS NOT NULL ORDER BY 1';
    const BROKEN = 'SELECT strata_no_such_column AS t FROM events';
    const swap = (v: unknown): unknown => {
      if (typeof v === 'string') return v.includes(CATALOG) ? v.replace(CATALOG, BROKEN) : v;
      if (Array.isArray(v)) return v.map(swap);
      if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x)]));
      }
      return v;
    };
    const post = Worker.prototype.postMessage as (this: Worker, message: unknown, ...rest: unknown[]) => void;
    Worker.prototype.postMessage = function (this: Worker, message: unknown, ...rest: unknown[]) {
      post.call(this, swap(message), ...rest);
    } as typeof Worker.prototype.postMessage;
  });
  await page.goto('./#/funnels');
  await waitForApp(page);
  for (const screen of ['Funnels', 'Journeys', 'Retention', 'Segments', 'Clusters']) {
    await page.getByRole('link', { name: screen, exact: true }).click();
    const alert = page.getByTestId('catalog-error');
    await expect(alert).toBeVisible({ timeout: 30_000 });
    await expect(alert).toHaveAttribute('role', 'alert');
    // What failed, in words, with DuckDB's own reason (the column the broken statement names).
    await expect(alert).toContainText("Could not read the dataset's event types:");
    await expect(alert).toContainText('strata_no_such_column');
  }
  // The columns were read (only the event types failed): the Pivot still answers.
  await page.getByRole('link', { name: 'Pivot', exact: true }).click();
  await expect(page.getByTestId('pivot-status')).toHaveAttribute('data-status', 'ready', { timeout: 30_000 });
  await expect(page.getByTestId('pivot-table')).toContainText('Total');
});
