// The Retention screen: a monthly triangle built through the UI (any first event, any return, on or after N,
// 6 periods) equals an independent Node computation on the same shop, cell by cell, with its average row; the
// URL restores it; a cell's users list and CSV export hold exactly that cell's users; the default view's triangle,
// Show SQL and Download CSV agree with Node; a bad link falls back to the default view with a message.
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { test, expect, expectRunReady, waitForApp } from './fixtures.ts';
import { parseCsv } from '../tests/fixtures/csv.ts';
import { eventRows, lifecycleReference, monthlyTriangle, type RefTriangle } from './retention-reference.ts';
import { dateLabel } from '../src/analyses/pivot/buckets.ts';
import { DEFAULT_PARAMS } from '../src/data/generator/params.ts';
import { validateRetentionView } from '../src/views/retention/url-spec.ts';

// The tests here take turns in the worker's shared browser (fixtures.ts: one that changed the data ends it).
test.use({ shared: true });

/** What test 1 builds through the UI (the URL then holds it with every other setting at its default). */
const BUILT_VIEW = {
  start: { by: 'event', event: { kind: 'any' } },
  returns: { kind: 'any' },
  period: 'month',
  mode: 'on_or_after',
  periods: 6,
};

const retentionUrl = (view: unknown) => `./#/retention?r=${encodeURIComponent(JSON.stringify(view))}`;

/** The raw view JSON the page's URL holds, or null. */
function urlView(page: Page): unknown {
  const hash = new URL(page.url()).hash;
  const r = new URLSearchParams(hash.slice(hash.indexOf('?') + 1)).get('r');
  return r === null ? null : JSON.parse(r);
}

/** Test 1's triangle: first event of any kind, back by doing anything, on or after month k. */
async function builtReference(): Promise<RefTriangle> {
  const ref = monthlyTriangle(await eventRows(DEFAULT_PARAMS), { start: () => true, returns: () => true, mode: 'on_or_after', periods: 6 });
  // Sanity of the reference itself: a year of monthly cohorts, everyone back in month 0, and a real drop after.
  expect(ref.cohorts.map((c) => c.label)).toEqual(Array.from({ length: 12 }, (_, i) => `2025-${String(i + 1).padStart(2, '0')}`));
  for (const c of ref.cohorts) expect(c.cells[0].retained).toBe(c.size);
  expect(ref.average[1].rate).toBeGreaterThan(0.05);
  expect(ref.average[1].rate).toBeLessThan(0.95);
  // The data ends on 2025-12-31, so every month a cell shows is over.
  for (const c of ref.cohorts) for (const x of c.cells) if (x.observed) expect(x.complete, `${c.label} k=${x.k} complete`).toBe(true);
  return ref;
}

/** The default view's triangle: first purchase, back by purchasing in month k. */
async function defaultReference(): Promise<RefTriangle> {
  const isPurchase = (t: string) => t === 'purchase';
  const ref = monthlyTriangle(await eventRows(DEFAULT_PARAMS), { start: isPurchase, returns: isPurchase, mode: 'on', periods: 12 });
  expect(ref.cohorts[0].label).toBe('2025-01');
  expect(ref.cohorts[0].size).toBeGreaterThan(10);
  return ref;
}

/** The triangle as the DOM shows it. */
interface DomTriangle {
  heads: string[];
  average: { k: number; value: string | null; text: string }[];
  rows: {
    row: string;
    size: string;
    cells: { k: number; observed: boolean; retained: string | null; value: string | null; text: string; incomplete: boolean; button: boolean }[];
  }[];
}

async function readTriangle(page: Page): Promise<DomTriangle> {
  return page.getByTestId('cohort-table').evaluate((el) => {
    const text = (n: Element | null) => (n?.textContent ?? '').trim();
    const heads = [...el.querySelectorAll('thead th')].map(text);
    const avg = el.querySelector('tr[data-row="average"]');
    const average = [...(avg?.querySelectorAll<HTMLElement>('td[data-k]') ?? [])].map((td) => ({
      k: Number(td.dataset.k),
      value: td.getAttribute('data-value'),
      text: text(td),
    }));
    const rows = [...el.querySelectorAll<HTMLElement>('tbody tr[data-row]')]
      .filter((tr) => tr.dataset.row !== 'average')
      .map((tr) => ({
        row: tr.dataset.row ?? '',
        size: text(tr.querySelector('td.size')),
        cells: [...tr.querySelectorAll<HTMLElement>('td[data-k]')].map((td) => ({
          k: Number(td.dataset.k),
          observed: td.hasAttribute('data-retained'),
          retained: td.getAttribute('data-retained'),
          value: td.getAttribute('data-value'),
          text: text(td),
          incomplete: td.classList.contains('incomplete'),
          button: td.querySelector('button') !== null,
        })),
      }));
    return { heads, average, rows };
  });
}

/** Wait for a finished run, then for the triangle to satisfy `check` (retried while a newer run replaces it). */
async function expectTriangle(page: Page, check: (t: DomTriangle) => void): Promise<DomTriangle> {
  const status = page.getByTestId('retention-status');
  await expectRunReady(page, 'retention');
  let last: DomTriangle | null = null;
  await expect(async () => {
    await expect(status).toHaveAttribute('data-status', 'ready', { timeout: 1000 });
    await expect(page.getByTestId('cohort-table')).toHaveCount(1, { timeout: 1000 });
    last = await readTriangle(page);
    check(last);
  }).toPass({ timeout: 30_000 });
  return last!;
}

const int = (s: string) => Number(s.replace(/,/g, ''));

/** One cohort row of the DOM against the reference: size, then every cell (shown or empty, retained, rate). */
function checkRow(t: DomTriangle, ref: RefTriangle, label: string) {
  const want = ref.cohorts.find((c) => c.label === label)!;
  const row = t.rows.find((r) => r.row === label);
  expect(row, `row ${label}`).toBeDefined();
  expect(int(row!.size), `${label}: cohort size`).toBe(want.size);
  expect(row!.cells.map((c) => c.k), `${label}: period columns`).toEqual(want.cells.map((c) => c.k));
  for (const cell of want.cells) {
    const got = row!.cells[cell.k];
    expect(got.observed, `${label} k=${cell.k}: shown`).toBe(cell.observed);
    expect(got.button, `${label} k=${cell.k}: clickable`).toBe(cell.observed);
    if (!cell.observed) {
      expect(got.text, `${label} k=${cell.k}: empty`).toBe('');
      continue;
    }
    expect(Number(got.retained), `${label} k=${cell.k}: retained`).toBe(cell.retained);
    expect(Number(got.value), `${label} k=${cell.k}: retention rate`).toBeCloseTo(cell.retained / want.size, 12);
    expect(got.incomplete, `${label} k=${cell.k}: marked incomplete`).toBe(!cell.complete);
  }
}

/** The whole triangle against the reference: headers, cohorts in order, every cell, the average row. */
function checkTriangle(ref: RefTriangle, periods: number) {
  return (t: DomTriangle) => {
    expect(t.heads).toEqual(['Cohort', 'Users', ...Array.from({ length: periods + 1 }, (_, k) => `Month ${k}`)]);
    expect(t.rows.map((r) => r.row), 'cohort rows in order').toEqual(ref.cohorts.map((c) => c.label));
    for (const c of ref.cohorts) checkRow(t, ref, c.label);
    expect(t.average.map((a) => a.k)).toEqual(ref.average.map((a) => a.k));
    for (const a of ref.average) {
      const got = t.average[a.k];
      if (a.rate === null) expect(got.value, `average k=${a.k}: none complete`).toBe('');
      else expect(Number(got.value), `average k=${a.k}`).toBeCloseTo(a.rate, 12);
    }
  };
}

async function openRetention(page: Page, url: string) {
  await page.goto(url);
  await waitForApp(page);
  await expect(page.getByTestId('retention')).toBeVisible();
}

const radio = (page: Page, group: string, label: string) => page.getByRole('radiogroup', { name: group }).getByRole('radio', { name: label });
const pickRadio = (page: Page, group: string, label: string) => page.getByRole('radiogroup', { name: group }).locator('label', { hasText: label }).click();

/** The settings panel shows BUILT_VIEW. */
async function expectBuiltSettings(page: Page) {
  const s = page.getByTestId('retention-settings');
  await expect(s.getByTestId('start-kind')).toHaveValue('event:any');
  await expect(s.getByTestId('return-kind')).toHaveValue('any');
  await expect(radio(page, 'Period', 'Month')).toBeChecked();
  await expect(radio(page, 'Retention mode', 'On or after N')).toBeChecked();
  await expect(s.getByTestId('periods')).toHaveValue('6');
  await expect(s.getByTestId('recurring')).not.toBeChecked();
  await expect(radio(page, 'Cell values', 'Retention %')).toBeChecked();
}

/** The settings panel shows the default view. */
async function expectDefaultSettings(page: Page) {
  const s = page.getByTestId('retention-settings');
  await expect(s.getByTestId('start-kind')).toHaveValue('event:purchase');
  await expect(s.getByTestId('return-kind')).toHaveValue('purchase');
  await expect(radio(page, 'Period', 'Month')).toBeChecked();
  await expect(radio(page, 'Retention mode', 'On period N')).toBeChecked();
  await expect(s.getByTestId('periods')).toHaveValue('12');
  await expect(s.getByTestId('recurring')).not.toBeChecked();
  await expect(page.getByTestId('compare')).toBeVisible();
  await expect(radio(page, 'Cell values', 'Retention %')).toBeChecked();
}

/** Click a cell; the users list must show `want` users; export them and return the CSV's user ids. */
async function cellUsersCsv(page: Page, label: string, k: number, want: number): Promise<{ lines: string[]; ids: string[] }> {
  const td = page.getByTestId('cohort-table').locator(`tr[data-row="${label}"] td[data-k="${k}"]`);
  await expect(td).toHaveAttribute('data-retained', String(want));
  await expect(page.getByTestId('cell-users')).toHaveCount(0);
  await td.getByRole('button').click();
  await expect(td).toHaveClass(/\bsel\b/);
  const box = page.getByTestId('cell-users');
  await expect(box).toContainText(`${label} cohort, period ${k}`);
  await expect(box.getByText(/^(Loading…|[\d,]+ users)$/), 'the users count').toHaveText(`${want.toLocaleString('en-US')} users`);
  await expect(box.locator('li')).toHaveCount(Math.min(200, want));
  const button = box.getByTestId('users-csv');
  await expect(button).toHaveText('Export users (CSV)');
  await expect(button).toBeEnabled();
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  expect(download.suggestedFilename()).toBe('strata-cohort-users.csv');
  const text = await readFile((await download.path())!, 'utf8');
  const lines = text.split('\r\n').filter((l) => l !== '');
  const csv = parseCsv(text);
  expect(csv[0][0]).toBe('user_id');
  return { lines, ids: csv.slice(1).map((r) => r[0]) };
}

test('a triangle built in the UI (any first event, any return, on or after, 6 months) equals a Node computation', async ({ page }) => {
  const refPromise = builtReference();
  await openRetention(page, './#/retention');
  await expect(page.getByTestId('retention-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expectDefaultSettings(page);
  expect(urlView(page), 'the default view writes no r parameter').toBeNull();

  const s = page.getByTestId('retention-settings');
  await s.getByTestId('start-kind').selectOption('event:any');
  await s.getByTestId('return-kind').selectOption('any');
  // Month is the default: go to Week and back, so the Month click is a real change.
  await pickRadio(page, 'Period', 'Week');
  await expect(radio(page, 'Period', 'Week')).toBeChecked();
  await expect.poll(() => (urlView(page) as { period?: string } | null)?.period).toBe('week');
  await pickRadio(page, 'Period', 'Month');
  await pickRadio(page, 'Retention mode', 'On or after N');
  const periods = s.getByTestId('periods');
  await periods.fill('6');
  await periods.press('Tab');
  await expectBuiltSettings(page);

  // The UI wrote exactly the intended view into the URL.
  await expect.poll(() => validateRetentionView(urlView(page))).toEqual(validateRetentionView(BUILT_VIEW));

  const ref = await refPromise;
  const t = await expectTriangle(page, checkTriangle(ref, 6));
  // Spelled out, so a failure reads plainly: the average row's month 1 is the size-weighted rate over the
  // cohorts whose month 1 is complete (all but 2025-12), and the 2025-01 cohort's month 6.
  const complete1 = ref.cohorts.filter((c) => c.cells[1].complete);
  expect(complete1.map((c) => c.label)).toEqual(ref.cohorts.slice(0, 11).map((c) => c.label));
  const weighted = complete1.reduce((s, c) => s + c.cells[1].retained, 0) / complete1.reduce((s, c) => s + c.size, 0);
  expect(Number(t.average[1].value)).toBeCloseTo(weighted, 12);
  await expect(page.locator('tr[data-row="average"] td[data-k="1"]')).toHaveText(/%$/);
  const jan = ref.cohorts[0];
  await expect(page.locator('tr[data-row="2025-01"] td[data-k="6"]')).toHaveAttribute('data-retained', String(jan.cells[6].retained));
  await expect(page.locator('tr[data-row="2025-12"] td[data-k="1"]')).not.toHaveAttribute('data-retained', /./);
  // Nothing is marked unfinished: the data runs to the end of December.
  await expect(page.getByTestId('cohort-table').locator('td.incomplete')).toHaveCount(0);
  // Cohorts by first event read each user's first and last event from user_metrics (the demo shop's covers every event).
  await page.getByTestId('show-sql').click();
  await expect(page.getByTestId('retention-sql')).toContainText('FROM user_metrics m');
  await page.getByTestId('show-sql').click();
});

test('reloading restores the same view and table from the URL', async ({ page }) => {
  const ref = await builtReference();
  await openRetention(page, retentionUrl(BUILT_VIEW));
  await expectBuiltSettings(page);
  const before = await expectTriangle(page, checkTriangle(ref, 6));
  await page.reload();
  await waitForApp(page);
  await expect(page.getByTestId('retention')).toBeVisible();
  await expectBuiltSettings(page);
  const after = await expectTriangle(page, checkTriangle(ref, 6));
  expect(after).toEqual(before);
  expect(validateRetentionView(urlView(page)), 'the reloaded URL still holds the view').toEqual(validateRetentionView(BUILT_VIEW));
});

test('a cell lists exactly its users and exports them as CSV (2025-03 cohort, on or after month 2)', async ({ page }) => {
  const ref = await builtReference();
  const cell = ref.cohorts.find((c) => c.label === '2025-03')!.cells[2];
  expect(cell.retained).toBeGreaterThan(0);
  await openRetention(page, retentionUrl(BUILT_VIEW));
  await expectTriangle(page, checkTriangle(ref, 6));

  const { lines, ids } = await cellUsersCsv(page, '2025-03', 2, cell.retained);
  expect(lines.length, 'header + one line per user').toBe(cell.retained + 1);
  expect(new Set(ids).size, 'no user twice').toBe(ids.length);
  expect([...ids].sort()).toEqual([...cell.users].sort());
});

test('the default view (first purchase, purchase returns, month, on) matches Node; Show SQL and Download CSV', { tag: '@reader' }, async ({ page }) => {
  const ref = await defaultReference();
  await openRetention(page, './#/retention');
  await expectDefaultSettings(page);
  const t = await expectTriangle(page, checkTriangle(ref, 12));
  // The 2025-01 cohort row, spelled out: size and each month's count of buyers.
  const jan = ref.cohorts[0];
  await expect(page.locator('tr[data-row="2025-01"] td.size')).toHaveText(jan.size.toLocaleString('en-US'));
  for (const cell of jan.cells.filter((x) => x.observed)) {
    await expect(page.locator(`tr[data-row="2025-01"] td[data-k="${cell.k}"]`), `2025-01 k=${cell.k}`).toHaveAttribute('data-retained', String(cell.retained));
  }
  await expect(page.locator('tr[data-row="2025-01"] td[data-k="12"]')).not.toHaveAttribute('data-retained', /./);

  // Show SQL: the retention statement, then hidden again.
  await expect(page.getByTestId('retention-sql')).toHaveCount(0);
  await page.getByTestId('show-sql').click();
  await expect(page.getByTestId('show-sql')).toHaveText('Hide SQL');
  const sqlBox = page.getByTestId('retention-sql');
  await expect(sqlBox).toContainText("date_trunc('month'");
  await expect(sqlBox).toContainText("event_type = 'purchase'");
  await expect(sqlBox).toContainText('data_end');
  await page.getByTestId('show-sql').click();
  await expect(sqlBox).toHaveCount(0);

  // Download CSV: one line per shown cell, each agreeing with Node.
  const shown = t.rows.reduce((s, r) => s + r.cells.filter((c) => c.observed).length, 0);
  expect(shown).toBe(ref.observedCells);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
  expect(download.suggestedFilename()).toBe('strata-retention.csv');
  const csv = parseCsv(await readFile((await download.path())!, 'utf8'));
  expect(csv[0]).toEqual(['group', 'cohort', 'users', 'period', 'retained', 'retention', 'orders', 'revenue', 'cumulative_revenue_per_user', 'complete']);
  expect(csv.length - 1, 'one line per observed cell').toBe(ref.observedCells);
  const lines = csv.slice(1).map((r) => ({ group: r[0], cohort: r[1], users: Number(r[2]), k: Number(r[3]), retained: Number(r[4]), complete: r[9] }));
  const want = ref.cohorts.flatMap((c) =>
    c.cells.filter((x) => x.observed).map((x) => ({ group: 'A', cohort: c.label, users: c.size, k: x.k, retained: x.retained, complete: x.complete ? 'yes' : 'no' })),
  );
  expect(lines).toEqual(want);

  // "On period N" cell users: exactly the 2025-01 buyers who bought again in month 3.
  const cell = jan.cells[3];
  const { lines: userLines, ids } = await cellUsersCsv(page, '2025-01', 3, cell.retained);
  expect(userLines.length).toBe(cell.retained + 1);
  expect([...ids].sort()).toEqual([...cell.users].sort());
});

test('the lifecycle chart (monthly, any activity; weekly, purchases) equals a Node computation, as its data table shows it', async ({ page }) => {
  const events = await eventRows(DEFAULT_PARAMS);
  const views = [
    { view: BUILT_VIEW, ref: lifecycleReference(events, () => true, 'month'), period: 'month' as const },
    { view: { period: 'week' }, ref: lifecycleReference(events, (t) => t === 'purchase', 'week'), period: 'week' as const },
  ];
  for (const { view, ref, period } of views) {
    // The reference itself: a year of months or weeks, every state seen.
    expect(ref.length).toBeGreaterThanOrEqual(period === 'month' ? 12 : 52);
    for (const state of ['new', 'returning', 'resurrecting', 'dormant'] as const) expect(ref.some((p) => p[state] > 0), state).toBe(true);
    await openRetention(page, retentionUrl(view));
    await expect(page.getByTestId('retention-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
    const label = 'New, returning, resurrecting and dormant users';
    const toggle = page.getByRole('button', { name: `Table of ${label}` });
    // Opened once: the table stays open when the view changes (the chart is the same component).
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const table = page.getByRole('region', { name: `${label}: the data` });
    await expect(table.locator('thead th')).toHaveText(['Category', 'New', 'Returning', 'Resurrecting', 'Dormant']);
    const n = (v: number) => v.toLocaleString('en-US');
    const want = ref.map((p) => [dateLabel(p.start, period), n(p.new), n(p.returning), n(p.resurrecting), p.dormant ? n(-p.dormant) : '0']);
    // Polled: after the view changes, the chart shows the previous view's data until the new run lands.
    const rows = () => table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim())));
    await expect.poll(rows, { message: `${period} lifecycle`, timeout: 30_000 }).toEqual(want);
  }
});

test('the daily lifecycle (a year of days: past one 64-period word) equals Node; Show SQL shows the statement that answered', async ({ page }) => {
  const events = await eventRows(DEFAULT_PARAMS);
  // Monthly, the data fits one word: the statement groups by user alone. Daily (365 days) it does not: that statement
  // refuses and the general one (words of 64 days, carries between them) answers.
  for (const period of ['month', 'day'] as const) {
    const ref = lifecycleReference(events, (t) => t === 'purchase', period);
    expect(ref.length).toBeGreaterThanOrEqual(period === 'month' ? 12 : 300);
    await openRetention(page, retentionUrl({ period }));
    await expect(page.getByTestId('retention-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
    const label = 'New, returning, resurrecting and dormant users';
    const toggle = page.getByRole('button', { name: `Table of ${label}` });
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    const table = page.getByRole('region', { name: `${label}: the data` });
    const n = (v: number) => v.toLocaleString('en-US');
    const want = ref.map((p) => [dateLabel(p.start, period), n(p.new), n(p.returning), n(p.resurrecting), p.dormant ? n(-p.dormant) : '0']);
    const rows = () => table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim())));
    await expect.poll(rows, { message: `${period} lifecycle`, timeout: 30_000 }).toEqual(want);
    if ((await page.getByTestId('show-sql').textContent()) !== 'Hide SQL') await page.getByTestId('show-sql').click();
    const shown = page.getByTestId('retention-sql');
    if (period === 'month') {
      await expect(shown).toContainText('AS fits');
      await expect(shown).not.toContainText('hi AS (');
    } else {
      await expect(shown).toContainText('hi AS (');
      await expect(shown).not.toContainText('AS fits');
    }
  }
});

test('a bad link shows a clear message and the default view', async ({ page }) => {
  const ref = await defaultReference();
  await openRetention(page, './#/retention?r=notjson');
  await expect(page.getByRole('alert').filter({ hasText: "The link's retention settings were ignored: it is not valid JSON" })).toBeVisible();
  await expectDefaultSettings(page);
  await expectTriangle(page, (t) => {
    expect(t.heads.at(-1)).toBe('Month 12');
    checkRow(t, ref, '2025-01');
  });
  await expect(page.getByTestId('retention-error')).toHaveCount(0);
});
