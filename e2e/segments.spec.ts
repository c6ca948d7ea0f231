// The Segments screen on the demo shop, against independent Node computations (e2e/segments-reference.ts and the
// funnel / retention references: TypeScript loops over the shop's rows, never the segment SQL):
// 1. a segment built in the builder (a user-metric condition and a behaviour condition) counts exactly Node's users,
//    is saved under a hostile name that stays text, then works as a Pivot row, a Funnels breakdown and a Retention
//    split, each equal to Node; it survives a reload.
// 2. the built-in engagement level equals Node's rules; the summary, users and insights exports match the screen;
//    a churn-band change recomputes only the churn-risk segmentation and is the Overview's setting too; the Overview
//    filtered to one segment counts that segment's users.
// 3. an imported dataset without demographics or sessions lists those segmentations as unavailable, with reasons.
import { readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, waitForApp, kpi, waitForDashboard } from './fixtures.ts';
import { parseCsv } from '../tests/fixtures/csv.ts';
import { DEFAULT_PARAMS } from '../src/data/generator/params.ts';
import { DEFAULT_FUNNEL } from '../src/analyses/funnel/index.ts';
import { DEFAULT_COHORT } from '../src/analyses/cohort/index.ts';
import { countByUser, engagementLevels, ordersByUser, shopData, sizes } from './segments-reference.ts';
import { convertedUsers, funnel, shopRows, stepsOf, DAY_MS, HOUR_MS } from './funnel-reference.ts';
import { eventRows, monthlyTriangle } from './retention-reference.ts';
import { expectTable, pivotUrl } from './pivot-page.ts';
import { addFiles, eventCsv, probeRows } from './fault-kit.ts';

// The tests here take turns in the worker's shared browser (fixtures.ts: one that changed the data ends it).
test.use({ shared: true });

/** A name a careless page would run as markup; it must stay text everywhere. */
const NAME = `VIP <img src=x onerror="document.title='pwned'"> buyers`;
/** The column segmentColumn derives from NAME (lower snake case of its letters and digits). */
const COLUMN = 'vip_img_src_x_onerror_document_title_pwned_buyers';

/** Node: users with 2+ orders who viewed a product at least 5 times in the 90 days up to the last event. */
async function builtMembers(): Promise<Set<string>> {
  const d = await shopData(DEFAULT_PARAMS);
  const orders = ordersByUser(d);
  const views = countByUser(d, 'product_view', d.maxMs - 90 * DAY_MS);
  const members = new Set(d.users.filter((u) => (orders.get(u) ?? 0) >= 2 && (views.get(u) ?? 0) >= 5));
  expect(members.size, 'the built segment is neither empty nor everyone').toBeGreaterThan(50);
  expect(members.size).toBeLessThan(d.users.length / 2);
  return members;
}

async function download(page: Page, testid: string): Promise<string> {
  const wait = page.waitForEvent('download');
  await page.getByTestId(testid).click();
  const file = await (await wait).path();
  return readFile(file!, 'utf8');
}

/** The profile table's users per segment, as the screen shows them (data-segment -> users cell text as a number). */
async function tableUsers(page: Page): Promise<Map<string, number>> {
  await expect(page.getByTestId('segments-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  const rows = await page.getByTestId('segment-profile').locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [(tr as HTMLElement).dataset.segment ?? '', (tr.querySelector('td[data-metric="users"]')?.textContent ?? '').replace(/,/g, '')]));
  return new Map(rows.map(([s, n]) => [s, Number(n)]));
}

test('a segment built in the builder equals Node, then works as a Pivot row, a Funnels breakdown and a Retention split, and survives a reload', async ({ page }) => {
  test.setTimeout(240_000);
  const members = await builtMembers();
  await page.goto('./#/segments?s=new');
  await waitForApp(page);
  const builder = page.getByTestId('segment-builder');
  await expect(builder).toBeVisible();
  await page.getByTestId('segment-name').fill(NAME);
  // Condition: orders >= 2 (a user metric).
  await builder.getByTestId('filter-add-cond').click();
  const cond = builder.getByTestId('filter-cond');
  await cond.getByTestId('filter-field').selectOption('m.orders');
  await cond.getByTestId('filter-op').selectOption('>=');
  await cond.getByTestId('filter-value').fill('2');
  // Behaviour: did product_view at least 5 times in the last 90 days.
  await builder.getByTestId('filter-add-behaviour').click();
  const beh = builder.getByTestId('filter-behaviour');
  await beh.getByTestId('behaviour-event').selectOption('product_view');
  await beh.getByTestId('behaviour-count-op').selectOption('at_least');
  await beh.getByTestId('behaviour-count-n').fill('5');
  await beh.getByTestId('behaviour-window').selectOption('last_days');
  await beh.getByTestId('behaviour-days').fill('90');
  await expect(page.getByTestId('segment-count')).toHaveAttribute('data-n', String(members.size), { timeout: 30_000 });

  await page.getByTestId('segment-save').click();
  await expect(page).toHaveURL(new RegExp(`s=${COLUMN}`), { timeout: 30_000 });
  await expect(page.getByTestId('segment-title')).toHaveText(NAME);
  expect(await page.evaluate(() => document.title)).not.toBe('pwned');
  expect(await page.locator('main img[src="x"]').count(), 'the name is text, not markup').toBe(0);
  const shown = await tableUsers(page);
  expect(shown.get(NAME)).toBe(members.size);
  expect(shown.get('(none)')).toBe(DEFAULT_PARAMS.users - members.size);

  // Pivot: users by the segment at the users grain.
  await page.goto(pivotUrl({ grain: 'users', rows: [{ field: `s.${COLUMN}`, bucket: { kind: 'none' } }], cols: [], measures: [{ agg: 'users' }] }));
  await expectTable(page, (t) => {
    const row = t.rows.find((r) => r.row === NAME);
    expect(row, `a pivot row for the segment among ${t.rows.map((r) => r.row).join(', ')}`).toBeTruthy();
    expect(Number(row!.values[0])).toBe(members.size);
    expect(Number(t.rows.find((r) => r.row === 'total')!.values[0])).toBe(DEFAULT_PARAMS.users);
  });

  // Save the members' cell as a segment from the pivot: the same users again.
  await page.getByTestId('pivot-table').locator(`tr[data-row="${NAME.replace(/"/g, '\\"')}"] td[data-col="0"] button`).click();
  await expect(page.getByTestId('pivot-cell-users')).toContainText(`${members.size} users`, { timeout: 30_000 });
  await page.getByTestId('pivot-cell-users').getByTestId('save-segment').click();
  await page.getByTestId('save-segment-name').fill('From the pivot');
  await page.getByTestId('save-segment-confirm').click();
  await expect(page.getByTestId('save-segment-done')).toContainText('s.from_the_pivot', { timeout: 30_000 });
  const fromPivot = await probeRows(page, 'SELECT user_id FROM user_segments WHERE from_the_pivot IS NOT NULL');
  expect(new Set(fromPivot.map((r) => String(r.user_id)))).toEqual(members);

  // Funnels: the default funnel broken down by the segment; the members' group equals Node's funnel over them.
  const ref = funnel(await shopRows(DEFAULT_PARAMS), {
    steps: DEFAULT_FUNNEL.steps.map((s) => s.eventType), order: DEFAULT_FUNNEL.order,
    windowMs: DEFAULT_FUNNEL.window ? DEFAULT_FUNNEL.window.value * { minute: 60_000, hour: HOUR_MS, day: DAY_MS }[DEFAULT_FUNNEL.window.unit] : null,
    countBy: DEFAULT_FUNNEL.countBy,
  });
  const inSeg = stepsOf(ref.units.filter((u) => members.has(u.user)), DEFAULT_FUNNEL.steps.length).map((s) => s.count);
  const outSeg = stepsOf(ref.units.filter((u) => !members.has(u.user)), DEFAULT_FUNNEL.steps.length).map((s) => s.count);
  expect(inSeg[0]).toBeGreaterThan(0);
  await page.goto(`./#/funnels?f=${encodeURIComponent(JSON.stringify({ breakdown: { kind: 'field', field: `s.${COLUMN}`, top: 5 } }))}`);
  const group = (label: string) => page.getByTestId('funnel-breakdown').locator(`tr[data-group="${label.replace(/"/g, '\\"')}"] td.num[data-value]`);
  await expect(async () => {
    const cells = await group(NAME).evaluateAll((tds) => tds.map((td) => Number((td as HTMLElement).dataset.value)));
    expect(cells.slice(0, inSeg.length)).toEqual(inSeg);
    const rest = await group('(missing)').evaluateAll((tds) => tds.map((td) => Number((td as HTMLElement).dataset.value)));
    expect(rest.slice(0, outSeg.length)).toEqual(outSeg);
  }).toPass({ timeout: 60_000 });

  // Save as segment from the funnel: the users who converted at the last step are Node's.
  const last = DEFAULT_FUNNEL.steps.length;
  await page.getByTestId('funnel-table').getByTestId('converted-users').nth(last - 1).click();
  await expect(page.getByTestId('step-users')).toContainText(`${convertedUsers(ref, last).size.toLocaleString('en-US')} users`, { timeout: 30_000 });
  await page.getByTestId('step-users').getByTestId('save-segment').click();
  await page.getByTestId('save-segment-name').fill('Funnel buyers');
  await page.getByTestId('save-segment-confirm').click();
  await expect(page.getByTestId('save-segment-done')).toContainText('s.funnel_buyers', { timeout: 30_000 });
  const saved = await probeRows(page, 'SELECT user_id FROM user_segments WHERE funnel_buyers IS NOT NULL');
  expect(new Set(saved.map((r) => String(r.user_id)))).toEqual(convertedUsers(ref, last));

  // Retention: split by the segment; the members' row equals Node's monthly purchase cohorts over the members.
  const events = (await eventRows(DEFAULT_PARAMS)).filter((e) => e.user !== null && members.has(e.user));
  const tri = monthlyTriangle(events, { start: (t) => t === 'purchase', returns: (t) => t === 'purchase', mode: 'on', periods: DEFAULT_COHORT.periods });
  await page.goto(`./#/retention?r=${encodeURIComponent(JSON.stringify({ ...DEFAULT_COHORT, split: `s.${COLUMN}` }))}`);
  const splitRow = page.getByTestId('split').locator(`tr[data-row="${NAME.replace(/"/g, '\\"')}"]`);
  await expect(splitRow).toBeVisible({ timeout: 60_000 });
  await expect(splitRow.locator('td').first()).toHaveText(tri.cohorts.reduce((n, c) => n + c.size, 0).toLocaleString('en-US'));
  const rates = await splitRow.locator('td[data-value]').evaluateAll((tds) => tds.map((td) => (td as HTMLElement).dataset.value ?? ''));
  tri.average.slice(1, 7).forEach((a, i) => {
    if (a.rate === null) expect(rates[i]).toBe('');
    else expect(Number(rates[i])).toBeCloseTo(a.rate, 9);
  });

  // A reload keeps it: stored in the dataset, not in the page.
  await page.goto(`./#/segments?s=${COLUMN}`);
  await page.reload();
  await waitForApp(page);
  await expect(page.getByTestId(`segmentation-${COLUMN}`)).toHaveText(NAME);
  expect((await tableUsers(page)).get(NAME)).toBe(members.size);
});

test('built-in engagement level equals Node; exports match the screen; a churn-band change recomputes one segmentation and is the Overview\'s; the Overview for one segment', async ({ page }) => {
  test.setTimeout(240_000);
  const d = await shopData(DEFAULT_PARAMS);
  const levels = engagementLevels(d);
  const want = sizes(levels);
  await page.goto('./#/segments?s=engagement_level');
  await waitForApp(page);
  await expect(page.getByTestId('segment-title')).toHaveText('Engagement level', { timeout: 60_000 });
  const shown = await tableUsers(page);
  expect(Object.fromEntries(shown)).toEqual(Object.fromEntries(want));

  // Summary CSV: one line per segment with the screen's users.
  const summary = parseCsv(await download(page, 'export-summary'));
  const head = summary[0];
  const usersAt = head.indexOf('users');
  expect(Object.fromEntries(summary.slice(1).map((r) => [r[head.indexOf('segment')], Number(r[usersAt])]))).toEqual(Object.fromEntries(want));
  // Users CSV: every user once, with every segment column; the engagement labels are Node's.
  const users = parseCsv(await download(page, 'export-users'));
  const uh = users[0];
  expect(uh[0]).toBe('user_id');
  expect(users.length - 1).toBe(DEFAULT_PARAMS.users);
  const lv = uh.indexOf('engagement_level');
  for (const r of users.slice(1)) expect(r[lv], r[0]).toBe(levels.get(r[0]));
  // Insights JSON: the engagement level's sizes are the screen's.
  const insights = JSON.parse(await download(page, 'export-insights')) as { segmentations: { column: string; sizes: { segment: string; users: number }[] }[] };
  const eng = insights.segmentations.find((s) => s.column === 'engagement_level')!;
  expect(Object.fromEntries(eng.sizes.map((s) => [s.segment, s.users]))).toEqual(Object.fromEntries(want));

  // Churn bands 30 / 60: only churn_risk is recomputed; the Overview shows the same bands.
  const stamps = async () => Object.fromEntries((await probeRows(page, 'SELECT column_name AS c, epoch_ms(updated_at)::DOUBLE AS t FROM segmentations')).map((r) => [String(r.c), Number(r.t)]));
  await page.goto('./#/segments?s=churn_risk');
  await expect(page.getByTestId('thresholds')).toBeVisible({ timeout: 60_000 });
  const before = await stamps();
  await page.getByTestId('threshold-medium').fill('30');
  await page.getByTestId('threshold-high').fill('60');
  await page.getByTestId('thresholds-apply').click();
  await expect(page.getByTestId('thresholds-done')).toBeVisible({ timeout: 60_000 });
  const after = await stamps();
  for (const [c, t] of Object.entries(after)) {
    if (c === 'churn_risk') expect(t, c).toBeGreaterThan(before[c]);
    else expect(t, c).toBe(before[c]);
  }
  const lastBuy = new Map<string, number>();
  for (const e of d.events) if (e.type === 'purchase') lastBuy.set(e.user, Math.max(lastBuy.get(e.user) ?? 0, e.ms));
  const dayOf = (ms: number) => Math.floor(ms / DAY_MS);
  const low = [...lastBuy.values()].filter((ms) => dayOf(d.maxMs) - dayOf(ms) <= 30).length;
  expect((await tableUsers(page)).get('Low')).toBe(low);
  await page.goto('./#/overview');
  await waitForDashboard(page);
  await expect(page.getByLabel(/Churn: medium after/)).toHaveValue('30');
  await expect(page.getByLabel(/high after/)).toHaveValue('60');

  // The Overview for Repeat Purchasers: every one of them has events, so the users KPI is their number.
  await page.goto(`./#/overview?seg=${encodeURIComponent(JSON.stringify({ column: 'engagement_level', value: 'Repeat Purchaser' }))}`);
  await expect(page.getByTestId('overview-segment')).toBeVisible({ timeout: 60_000 });
  await waitForDashboard(page);
  await expect.poll(() => kpi(page, 'users'), { timeout: 30_000 }).toBe(want.get('Repeat Purchaser'));
});

test('an import without demographics, sessions or traffic lists those segmentations as unavailable, with the reason', async ({ page }) => {
  test.setTimeout(180_000);
  const dir = await mkdtemp(join(tmpdir(), 'strata-seg-'));
  const csv = eventCsv(dir, 'events-only.csv', 2000, 7);
  await page.goto('./');
  await waitForApp(page);
  await addFiles(page, [csv]);
  await page.getByRole('button', { name: /^Import \d files? as a new dataset$/ }).click();
  await expect(page.getByTestId('import-report')).toBeVisible({ timeout: 90_000 });
  await page.goto(page.url().replace(/#.*$/, '') + '#/segments');
  const list = page.getByTestId('segments-unavailable');
  await expect(list).toBeVisible({ timeout: 60_000 });
  await expect(list).toContainText(/Age group: Unavailable: this dataset has no users\.age column/);
  await expect(list).toContainText(/Gender: Unavailable: this dataset has no users\.gender column/);
  // What it has still works: RFM over the purchases in the file.
  await expect(page.getByTestId('segmentation-rfm')).toBeVisible();
});
