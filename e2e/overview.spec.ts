// The first visit: the demo shop is generated in the browser and the Overview equals native DuckDB's answer.
import { test, expect, waitForApp, waitForDashboard, kpi } from './fixtures.ts';
import { reference } from './node-reference.ts';
import { DEFAULT_PARAMS } from '../src/data/generator/params.ts';
import { USER_METRICS_COVER_SQL } from '../src/data/user-metrics.ts';
import type { Page } from '@playwright/test';

// The tests here take turns in the worker's shared browser (fixtures.ts: one that changed the data ends it).
test.use({ shared: true });

async function expectKpis(page: Page, ref: Awaited<ReturnType<typeof reference>>) {
  expect(await kpi(page, 'users')).toBe(ref.kpis.users);
  expect(await kpi(page, 'active-users')).toBe(ref.kpis.activeUsers);
  expect(await kpi(page, 'orders')).toBe(ref.kpis.orders);
  expect(await kpi(page, 'revenue')).toBeCloseTo(ref.kpis.revenue, 6);
  expect(await kpi(page, 'aov')).toBeCloseTo(ref.kpis.aov!, 9);
  expect(await kpi(page, 'conversion')).toBeCloseTo(ref.kpis.purchaseConversion!, 12);
  expect(await kpi(page, 'repeat-rate')).toBeCloseTo(ref.kpis.repeatPurchaseRate!, 12);
  expect(await kpi(page, 'orders-per-customer')).toBeCloseTo(ref.kpis.ordersPerCustomer!, 12);
}

test.describe('an empty browser profile', () => {
  // A first visit: nothing stored yet (the other tests start from a copy of a profile that stores the shop).
  test.use({ freshProfile: true, liftoff: false }); // generating the shop runs slower unoptimised (fixtures.ts)

  // One first visit (generating the shop in the page is most of its cost) checks both what is shown at once and
  // what the generated shop answers.
  test("first visit: the build's figures at once, then the generated demo shop's, equal to the native computation", async ({ page }) => {
    // Note what the Overview shows the first moment the build's preview is on screen, and whether DuckDB was ready.
    await page.addInitScript(() => {
      const w = globalThis as unknown as { __preview?: { kpis: Record<string, string | null>; panels: Record<string, string>; notice: string; dbReady: boolean } };
      const look = () => {
        if (w.__preview) return;
        const note = document.querySelector('[data-testid="overview-cached"]');
        if (!note || !document.querySelector('[data-testid="kpi-users"][data-value]')) return;
        const kpis: Record<string, string | null> = {};
        for (const el of document.querySelectorAll('[data-testid^="kpi-"]')) kpis[el.getAttribute('data-testid')!] = el.getAttribute('data-value');
        const panels: Record<string, string> = {};
        for (const el of document.querySelectorAll('[data-testid^="panel-"]')) if (el.getAttribute('data-panel-state') === 'ready') panels[el.getAttribute('data-testid')!] = el.textContent ?? '';
        const t = (globalThis as unknown as { strata?: { timings: { dbReadyMs?: number } } }).strata?.timings;
        w.__preview = { kpis, panels, notice: note.textContent ?? '', dbReady: !!t?.dbReadyMs };
      };
      new MutationObserver(look).observe(document, { subtree: true, childList: true, attributes: true });
    });
    await page.goto('./');
    await expect(page.getByText('Synthetic demo shop')).toBeVisible();
    await waitForDashboard(page);
    const ref = await reference(DEFAULT_PARAMS);
    expect(ref.events).toBeGreaterThanOrEqual(50_000);
    await expect(page.getByTestId('overview-cached')).toHaveCount(0);
    const seen = await page.evaluate(() => (globalThis as unknown as { __preview?: { kpis: Record<string, string | null>; panels: Record<string, string>; notice: string; dbReady: boolean } }).__preview);
    expect(seen, "the build's figures were on screen before the shop was generated").toBeTruthy();
    expect(seen!.notice).toContain('worked out when this version of Strata was built');
    expect(seen!.dbReady, 'shown before DuckDB was ready').toBe(false);
    const t = await page.evaluate(() => (globalThis as unknown as { strata: { timings: { cachedDashboardMs?: number; dbReadyMs?: number; dashboardMs?: number } } }).strata.timings);
    expect(t.cachedDashboardMs).toBeLessThan(t.dbReadyMs!);
    // Every figure the preview showed is the one the page's own queries on its generated shop show now.
    expect(Object.keys(seen!.kpis).length).toBeGreaterThanOrEqual(8);
    for (const [id, value] of Object.entries(seen!.kpis)) expect(await page.getByTestId(id).getAttribute('data-value'), id).toBe(value);
    expect(Object.keys(seen!.panels).sort()).toEqual(['panel-categories', 'panel-churn', 'panel-geo', 'panel-revenue', 'panel-traffic']);
    for (const [id, text] of Object.entries(seen!.panels)) expect(await page.getByTestId(id).textContent(), id).toBe(text);
    // And they are the demo shop's own figures (native DuckDB on the same seeded shop).
    expect(Number(seen!.kpis['kpi-users'])).toBe(ref.kpis.users);
    expect(Number(seen!.kpis['kpi-orders'])).toBe(ref.kpis.orders);
    await expect(page.getByTestId('event-count')).toHaveText(ref.events.toLocaleString('en-US'));
    await expectKpis(page, ref);
    // The generated shop's user_metrics covers its events, so the page's all-time KPI row was read from it (the
    // reference above grouped the events).
    const covers = await page.evaluate(async (q) => (await (globalThis as any).strata.query(q)).get(0).toJSON().ok, USER_METRICS_COVER_SQL.text);
    expect(covers).toBe(true);
    // And against plain loops over the events (not the Overview's SQL): the demo shop's year is 2025.
    const { refKpis } = await import('./overview-reference.ts');
    const loops = await refKpis(DEFAULT_PARAMS, '2025-01-01', '2025-12-31');
    expect(await kpi(page, 'users')).toBe(loops.users);
    expect(await kpi(page, 'orders')).toBe(loops.orders);
    expect(await kpi(page, 'revenue')).toBeCloseTo(loops.revenue, 6);
    expect(await kpi(page, 'conversion')).toBeCloseTo(loops.purchaseConversion!, 12);
    for (const band of ref.churn) {
      await expect(page.locator(`[data-band="${band.band}"]`)).toHaveAttribute('data-customers', String(band.customers));
    }
    // Every panel rendered a chart canvas, none is in an error state.
    for (const id of ['panel-revenue', 'panel-categories', 'panel-churn', 'panel-customers', 'panel-geo', 'panel-traffic']) {
      await expect(page.getByTestId(id).locator('canvas').first()).toBeVisible();
      await expect(page.getByTestId(id)).toHaveAttribute('data-panel-state', 'ready');
    }
  });
});

test('the date range, churn thresholds and grain live in the URL and survive a reload', async ({ page }) => {
  const spec = { from: '2025-10-01', to: '2025-12-31', grain: 'week' as const, churn: { medium: 30, high: 60 } };
  await page.goto('./#/overview?from=2025-10-01&to=2025-12-31&grain=week&medium=30&high=60');
  await waitForDashboard(page);
  const ref = await reference(DEFAULT_PARAMS, spec);
  await expectKpis(page, ref);
  await expect(page.getByText('Medium (31–60 d)').first()).toBeVisible();
  await page.reload();
  await waitForDashboard(page);
  await expectKpis(page, ref);
  await expect(page.getByRole('radio', { name: 'Week' })).toBeChecked();

  // Editing a threshold in the UI updates the URL and the bands.
  await page.getByLabel('high after').fill('90');
  await page.getByLabel('high after').press('Enter');
  await expect(page).toHaveURL(/high=90/);
  const ref2 = await reference(DEFAULT_PARAMS, { ...spec, churn: { medium: 30, high: 90 } });
  for (const band of ref2.churn) {
    await expect(page.locator(`[data-band="${band.band}"]`)).toHaveAttribute('data-customers', String(band.customers));
  }
});

test('a bad link is ignored with a clear message, and an empty range shows an empty state', async ({ page }) => {
  await page.goto('./#/overview?medium=200&high=100');
  await waitForDashboard(page);
  await expect(page.getByRole('alert').filter({ hasText: 'must be less than' })).toBeVisible();
  await page.goto('./#/overview?from=2019-01-01&to=2019-01-31');
  await expect(page.getByTestId('overview-empty')).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: 'show all time' }).click();
  await waitForDashboard(page);
  expect(await kpi(page, 'users')).toBeGreaterThan(0);
});

test.describe('a German browser', () => {
  test.use({ locale: 'de-DE', shared: false }); // a browser of its own language, not the shared one

  test("numbers and dates are shown in the user's locale, money in the dataset's currency", async ({ page }) => {
    await page.goto('./');
    await waitForDashboard(page);
    const ref = await reference(DEFAULT_PARAMS);
    await expect(page.getByTestId('event-count')).toHaveText(ref.events.toLocaleString('de-DE'));
    // The figures themselves do not change with the language.
    await expectKpis(page, ref);
    const revenue = new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 }).format(ref.kpis.revenue);
    await expect(page.getByTestId('kpi-revenue')).toContainText(revenue);
  });
});

test('"Last month" and "Year to date" presets, and every KPI card compared with the previous period, equal plain loops over the events', async ({ page }) => {
  const { refKpis } = await import('./overview-reference.ts');
  await page.goto('./#/overview');
  await waitForDashboard(page);
  // The demo shop's data ends on 2025-12-31: last month is November, the previous period October's last 30 days.
  await page.getByRole('button', { name: 'Last month' }).click();
  await expect(page).toHaveURL(/from=2025-11-01&to=2025-11-30/);
  await expect(page.getByRole('button', { name: 'Last month' })).toHaveAttribute('aria-pressed', 'true');
  await waitForDashboard(page);
  const [now, before] = await Promise.all([refKpis(DEFAULT_PARAMS, '2025-11-01', '2025-11-30'), refKpis(DEFAULT_PARAMS, '2025-10-02', '2025-10-31')]);
  expect(before.orders, 'the previous period has orders to compare with').toBeGreaterThan(10);
  expect(await kpi(page, 'users')).toBe(now.users);
  expect(await kpi(page, 'active-users')).toBe(now.activeUsers);
  expect(await kpi(page, 'orders')).toBe(now.orders);
  expect(await kpi(page, 'revenue')).toBeCloseTo(now.revenue, 6);
  const delta = async (id: string) => Number(await page.getByTestId(`kpi-${id}-delta`).getAttribute('data-value'));
  expect(await delta('users')).toBeCloseTo((now.users - before.users) / before.users, 12);
  expect(await delta('orders')).toBeCloseTo((now.orders - before.orders) / before.orders, 12);
  expect(await delta('revenue')).toBeCloseTo((now.revenue - before.revenue) / before.revenue, 9);
  expect(await delta('aov')).toBeCloseTo((now.aov! - before.aov!) / before.aov!, 9);
  // A rate changes in percentage points.
  expect(await delta('conversion')).toBeCloseTo((now.purchaseConversion! - before.purchaseConversion!) * 100, 9);
  const sign = now.revenue >= before.revenue ? '▲' : '▼';
  await expect(page.getByTestId('kpi-revenue-delta')).toContainText(`${sign} `);
  await expect(page.getByTestId('kpi-revenue-delta')).toHaveAttribute('title', 'Compared with 2025-10-02 to 2025-10-31');
  // The time series too: the previous period's revenue is a series over the same buckets, adding up to its total.
  await expect(page.getByTestId('revenue-previous')).toContainText('Oct 2, 2025 – Oct 31, 2025');
  expect(Number(await page.getByTestId('revenue-previous').getAttribute('data-change'))).toBeCloseTo((now.revenue - before.revenue) / before.revenue, 9);
  // Year to date: the whole of 2025 here, and its previous period the whole of 2024 — before the data: nothing to compare.
  await page.getByRole('button', { name: 'Year to date' }).click();
  await expect(page).toHaveURL(/from=2025-01-01&to=2025-12-31/);
  await waitForDashboard(page);
  const year = await refKpis(DEFAULT_PARAMS, '2025-01-01', '2025-12-31');
  expect(await kpi(page, 'orders')).toBe(year.orders);
  await expect(page.getByTestId('kpi-orders-delta')).toContainText('– vs previous period');
  // All time has no previous period: no comparison line.
  await page.getByRole('button', { name: 'All time' }).click();
  await waitForDashboard(page);
  await expect(page.getByTestId('kpi-orders-delta')).toHaveCount(0);
  await expect(page.getByTestId('revenue-previous')).toHaveCount(0);
});

test('an orders-only import: panels it cannot fill are left out with the reason, conversion says why it is 100 %, a partial month is marked', async ({ page }) => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const file = join(mkdtempSync(join(tmpdir(), 'strata-orders-')), 'orders.csv');
  // 9 customers, 60 orders from 2024-01-10 to 2024-03-20 (the data ends on the 20th: March is not over).
  const lines = ['customer_id,order_date,order_id,amount'];
  for (let i = 0; i < 60; i++) {
    const day = new Date(Date.UTC(2024, 0, 10) + Math.floor((i * 70) / 59) * 86_400_000).toISOString().slice(0, 10);
    lines.push(`c${i % 9},${day} 10:00:00,o${i},${(i * 3.5 + 1).toFixed(2)}`);
  }
  writeFileSync(file, lines.join('\n'));
  await page.goto('./#/import');
  await waitForApp(page);
  await page.getByLabel('Choose files to import').setInputFiles(file);
  await page.getByRole('button', { name: 'Import 1 file as a new dataset' }).click();
  await expect(page.getByTestId('import-report')).toBeVisible({ timeout: 60_000 });
  await page.getByRole('link', { name: 'Open the Overview of the imported data' }).click();
  await waitForDashboard(page);
  expect(await kpi(page, 'orders')).toBe(60);
  await expect(page.getByTestId('overview-hidden')).toHaveText(
    'Not shown for this data: Category performance (no purchase in this range has a product category) · Traffic sources (no event in this range has a source or medium).');
  await expect(page.getByTestId('panel-categories')).toHaveCount(0);
  await expect(page.getByTestId('panel-traffic')).toHaveCount(0);
  await expect(page.getByTestId('panel-geo')).toBeVisible();
  await expect(page.getByTestId('kpi-conversion')).toContainText('every user here bought');
  await expect(page.getByTestId('revenue-partial')).toContainText('* month not over yet (the data ends ');
  await expect(page.getByTestId('revenue-partial')).toContainText('20');
  // Funnels says why there is no funnel to draw; Journeys starts from what the data has (paths to a purchase).
  await page.getByRole('link', { name: 'Funnels', exact: true }).click();
  await expect(page.getByTestId('funnel-one-type')).toContainText('one kind of event (purchase)');
  await page.getByRole('link', { name: 'Journeys', exact: true }).click();
  await expect(page.getByTestId('journeys-sankey')).toContainText('How sessions get to purchase', { timeout: 30_000 });
});

test('the demo shop leaves no panel out and its last month is complete', async ({ page }) => {
  await page.goto('./#/overview');
  await waitForDashboard(page);
  await expect(page.getByTestId('panel-categories')).toBeVisible();
  await expect(page.getByTestId('panel-traffic')).toBeVisible();
  await expect(page.getByTestId('overview-hidden')).toHaveCount(0);
  await expect(page.getByTestId('revenue-partial')).toHaveCount(0);
  await expect(page.getByTestId('kpi-conversion')).not.toContainText('every user here bought');
});

test('the category and churn-risk panels equal plain loops over the events (all time, default bands)', async ({ page }) => {
  const { refCategories, refChurn } = await import('./overview-reference.ts');
  await page.goto('./#/overview');
  await waitForDashboard(page);
  const money = (s: string) => Number(s.replace(/[^0-9.-]/g, ''));
  const whole = (s: string) => Number(s.replace(/[^0-9]/g, ''));
  // Category performance: one table row per category, best revenue first.
  const cats = await refCategories(DEFAULT_PARAMS);
  expect(cats.length).toBeGreaterThan(3);
  const rows = page.getByTestId('panel-categories').locator('tbody tr');
  await expect(rows).toHaveCount(cats.length);
  const shown = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent?.trim() ?? '')));
  shown.forEach(([name, transactions, revenue, aov, customers], i) => {
    const c = cats[i];
    expect(name).toBe(c.category ?? 'Uncategorised');
    expect(whole(transactions)).toBe(c.transactions);
    expect(money(revenue)).toBe(Math.round(c.revenue)); // shown in whole currency units
    expect(money(aov)).toBeCloseTo(c.revenue / c.orders, 2);
    expect(whole(customers)).toBe(c.customers);
  });
  // Churn risk: buyers per band and their spend (days to the data's last event; Low <= 90 < Medium <= 180 < High).
  const churn = await refChurn(DEFAULT_PARAMS, 90, 180);
  for (const band of ['low', 'medium', 'high'] as const) {
    const li = page.getByTestId('panel-churn').locator(`[data-band="${band}"]`);
    await expect(li).toHaveAttribute('data-customers', String(churn[band].customers));
    expect(money(await li.locator('span.muted').innerText())).toBe(Math.round(churn[band].revenue));
  }
  expect(churn.low.customers + churn.medium.customers + churn.high.customers).toBeGreaterThan(1000);
});

test('the traffic-sources panel equals plain loops over the events, all time and for dates that cut sessions (read from session_metrics)', { tag: '@reader' }, async ({ page }) => {
  const { refTraffic } = await import('./overview-reference.ts');
  const whole = (s: string) => Number(s.replace(/[^0-9]/g, ''));
  const money = (s: string) => Number(s.replace(/[^0-9.-]/g, ''));
  const check = async (from: string | null, to: string | null) => {
    const want = await refTraffic(DEFAULT_PARAMS, from, to);
    expect(want.length).toBeGreaterThan(3);
    const rows = page.getByTestId('panel-traffic').locator('tbody tr');
    await expect(rows).toHaveCount(want.length);
    await expect(page.getByTestId('panel-traffic').locator('tbody tr').first().locator('td').nth(2)).toHaveText(want[0].sessions.toLocaleString('en-US'));
    const shown = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((c) => c.textContent?.trim() ?? '')));
    shown.forEach(([source, medium, sessions, users, orders, revenue, conversion], i) => {
      const w = want[i];
      expect([source, medium], `row ${i + 1}`).toEqual([w.source ?? '(none)', w.medium ?? '(none)']);
      expect([whole(sessions), whole(users), whole(orders), money(revenue)], `${source}/${medium}`).toEqual([w.sessions, w.users, w.orders, Math.round(w.revenue)]);
      expect(Math.abs(money(conversion) - w.conversion * 100), `${source}/${medium} conversion`).toBeLessThanOrEqual(0.05 + 1e-9);
    });
  };
  await page.goto('./#/overview');
  await waitForDashboard(page);
  // The generated shop was installed with its sessions table, which the panel reads.
  const n = await page.evaluate(async () => (await (globalThis as any).strata.query('SELECT count(*)::DOUBLE AS n FROM session_metrics')).get(0).toJSON().n);
  expect(n).toBeGreaterThan(1000);
  await check(null, null);
  // Dates cutting sessions: two sessions of this shop run over 2025-11-25's first midnight and two over 2025-12-11's
  // last; each counts with its events inside the dates (seen failing when the panel took only whole sessions).
  await page.goto('./#/overview?from=2025-11-25&to=2025-12-11');
  await waitForDashboard(page);
  await check('2025-11-25', '2025-12-11');
});

test('drill-down: clicking a customer on the spend-vs-orders scatter opens that customer\'s timeline', async ({ page }) => {
  await page.goto('./#/overview');
  await waitForDashboard(page);
  const panel = page.getByTestId('panel-customers');
  await expect(panel.locator('canvas').first()).toBeVisible();
  await panel.locator('.chart').first().scrollIntoViewIfNeeded();
  // Where ECharts drew the first point of the first non-empty band (in page pixels).
  const at = await panel.locator('.chart').first().evaluate((el) => {
    const chart = (el as unknown as { echartsInstance: { getOption(): { series: { data: number[][] }[] }; convertToPixel(f: object, v: number[]): number[] } }).echartsInstance;
    const series = chart.getOption().series;
    const s = series.findIndex((x) => x.data.length > 0);
    const [px, py] = chart.convertToPixel({ seriesIndex: s }, series[s].data[0]);
    const r = el.getBoundingClientRect();
    return { x: r.left + px, y: r.top + py };
  });
  await page.mouse.click(at.x, at.y);
  const opened = await page.getByTestId('user-timeline').evaluate((d) => (d as HTMLDialogElement).open);
  expect(opened, 'a click on the scatter opened a timeline').toBe(true);
  const dialog = page.getByTestId('user-timeline');
  await expect(dialog.getByRole('heading', { name: /^User / })).toBeVisible();
  await expect(dialog.getByTestId('timeline-events')).toBeVisible();
  expect(Number(await dialog.getByTestId('timeline-count').getAttribute('data-total'))).toBeGreaterThan(0);
  await expect(dialog.locator('tbody tr[data-type="purchase"]').first()).toBeVisible(); // every point is a buyer
  await dialog.getByRole('button', { name: 'Close the timeline' }).click();
  await expect(dialog).toBeHidden();
});

test("the charts' text is drawn in the page's font (a canvas takes no 'inherit': it fell back to 10px sans-serif)", async ({ page }) => {
  await page.goto('./#/overview');
  await waitForDashboard(page);
  const charts = page.locator('.chart');
  await expect(charts).toHaveCount(6);
  await expect(charts.last().locator('canvas')).toBeVisible();
  const { body, fonts } = await page.evaluate(() => {
    type El = { style?: { font?: string } };
    const out = new Set<string>();
    for (const el of document.querySelectorAll('.chart')) {
      const chart = (el as unknown as { echartsInstance?: { getZr(): { storage: { getDisplayList(update: boolean): El[] } } } }).echartsInstance;
      for (const x of chart?.getZr().storage.getDisplayList(true) ?? []) if (x.style?.font) out.add(x.style.font);
    }
    return { body: getComputedStyle(document.body).fontFamily, fonts: [...out] };
  });
  expect(body).toContain('Inter');
  expect(fonts.length, 'the charts have text').toBeGreaterThan(0);
  for (const f of fonts) expect(f, 'every text of every chart names the page font').toContain(body);
});
