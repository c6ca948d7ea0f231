// The Funnels screen: a funnel built through the UI (the default minus its first step, 1 hour, by sessions, then by
// users) equals an independent Node computation on the same shop, row by row, and the URL restores it; strict and
// any order match Node; a breakdown by country splits units into the top 3 + Other, adding up to the total; the
// converted / dropped users lists and their CSV hold exactly Node's users; Show SQL and Download CSV agree with the
// table; bad links fall back to the default funnel with a message; moving and adding steps updates the table.
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { test, expect, expectRunReady, waitForApp } from './fixtures.ts';
import { parseCsv } from '../tests/fixtures/csv.ts';
import {
  byCountry,
  convertedUsers,
  droppedUsers,
  funnel,
  shopRows,
  DAY_MS,
  HOUR_MS,
  type RefFunnel,
  type RefGroup,
  type RefSpec,
  type RefStep,
} from './funnel-reference.ts';
import { DEFAULT_PARAMS } from '../src/data/generator/params.ts';
import { DEFAULT_FUNNEL, validateFunnelSpec, type FunnelSpec } from '../src/analyses/funnel/index.ts';
import { shot } from './shots.ts';

// The tests here take turns in the worker's shared browser (fixtures.ts: one that changed the data ends it).
test.use({ shared: true });

const PV = 'product_view';
const ATC = 'add_to_cart';
const PU = 'purchase';
const CO = 'checkout';
const MINUTE_MS = 60_000;

/** A full funnel spec: the default with `part` changed. */
const specOf = (part: Partial<FunnelSpec>): FunnelSpec => ({ ...structuredClone(DEFAULT_FUNNEL), ...part });
const stepsOf = (...types: string[]) => types.map((eventType) => ({ eventType }));

/** What test 1 builds: the default funnel without session_start, within 1 hour, by sessions (then by users). */
const BUILT_SESSIONS = specOf({ steps: stepsOf(PV, ATC, PU), window: { value: 1, unit: 'hour' }, countBy: 'sessions' });
const BUILT_USERS = specOf({ ...BUILT_SESSIONS, countBy: 'users' });

const funnelUrl = (spec: unknown) => `./#/funnels?f=${encodeURIComponent(JSON.stringify(spec))}`;

/** The raw funnel JSON the page's URL holds, or null. */
function urlSpec(page: Page): unknown {
  const hash = new URL(page.url()).hash;
  const f = new URLSearchParams(hash.slice(hash.indexOf('?') + 1)).get('f');
  return f === null ? null : JSON.parse(f);
}

/** Node's funnel for `spec` (plain event-type steps), sanity-checked: units enter, and some drop off on the way. */
async function reference(spec: RefSpec): Promise<RefFunnel> {
  const ref = funnel(await shopRows(DEFAULT_PARAMS), spec);
  const counts = ref.steps.map((s) => s.count);
  expect(counts[0], `${spec.steps.join(' → ')}: units entering`).toBeGreaterThan(100);
  for (let i = 1; i < counts.length; i++) expect(counts[i], `step ${i + 1} ≤ step ${i}`).toBeLessThanOrEqual(counts[i - 1]);
  expect(counts.some((c, i) => i > 0 && c < counts[i - 1]), `${spec.steps.join(' → ')}: some drop-off`).toBe(true);
  expect(counts.at(-1), 'someone converts').toBeGreaterThan(0);
  return ref;
}

const refSpec = (s: FunnelSpec): RefSpec => {
  const unit = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS };
  return { steps: s.steps.map((x) => x.eventType), order: s.order, windowMs: s.window ? s.window.value * unit[s.window.unit] : null, countBy: s.countBy };
};

/** The step table as the DOM shows it. */
interface DomFunnel {
  heads: string[];
  rows: { step: number; label: string; values: (string | null)[]; texts: string[] }[];
}

async function readFunnel(page: Page): Promise<DomFunnel> {
  return page.getByTestId('funnel-table').evaluate((el) => {
    const text = (n: Element | null) => (n?.textContent ?? '').trim();
    const heads = [...el.querySelectorAll('thead th')].map(text);
    const rows = [...el.querySelectorAll<HTMLElement>('tbody tr[data-step]')].map((tr) => {
      const tds = [...tr.querySelectorAll('td')];
      return { step: Number(tr.dataset.step), label: text(tr.querySelector('th')), values: tds.slice(0, 4).map((td) => td.getAttribute('data-value')), texts: tds.map(text) };
    });
    return { heads, rows };
  });
}

/** Step labels as the table shows them: "2. add_to_cart", or "2 of 3 steps" in any order. */
const labelsOf = (spec: RefSpec) => spec.steps.map((t, i) => (spec.order === 'any' ? `${i + 1} of ${spec.steps.length} steps` : `${i + 1}. ${t}`));
const fmt = (n: number) => n.toLocaleString('en-US');

/** One row's numbers against the reference: count, overall, from previous and dropped (data-values and text). */
function checkStepRow(row: DomFunnel['rows'][number], want: RefStep, what: string) {
  const [count, overall, fromPrevious, dropped] = row.values;
  expect(Number(count), `${what}: count`).toBe(want.count);
  expect(row.texts[0], `${what}: count shown`).toBe(fmt(want.count));
  expect(Number(overall), `${what}: overall`).toBeCloseTo(want.overall, 12);
  expect(Number(fromPrevious), `${what}: from previous`).toBeCloseTo(want.fromPrevious, 12);
  expect(Number(dropped), `${what}: dropped`).toBe(want.dropped);
  if (want.step === 1) expect(row.texts[3], `${what}: no drop-off on step 1`).toBe('');
  else expect(row.texts[3], `${what}: dropped shown`).toMatch(new RegExp(`^${fmt(want.dropped)} \\(\\d+(\\.\\d)?%\\)$`));
}

/** The whole table against the reference: header, one row per step in order, every number. */
function checkFunnel(ref: RefFunnel) {
  return (t: DomFunnel) => {
    expect(t.heads.slice(0, 6)).toEqual(['Step', ref.spec.countBy === 'sessions' ? 'Sessions' : 'Users', 'Overall', 'From previous', 'Dropped', 'Median time']);
    expect(t.rows.map((r) => r.step), 'one row per step').toEqual(ref.steps.map((s) => s.step));
    expect(t.rows.map((r) => r.label), 'step labels').toEqual(labelsOf(ref.spec));
    for (const s of ref.steps) checkStepRow(t.rows[s.step - 1], s, `step ${s.step}`);
  };
}

/** Wait for a finished run, then for the table to satisfy `check` (retried while a newer run replaces it). */
async function expectFunnel(page: Page, check: (t: DomFunnel) => void): Promise<DomFunnel> {
  const status = page.getByTestId('funnel-status');
  await expectRunReady(page, 'funnel');
  let last: DomFunnel | null = null;
  await expect(async () => {
    await expect(status).toHaveAttribute('data-status', 'ready', { timeout: 1000 });
    await expect(page.getByTestId('funnel-table')).toHaveCount(1, { timeout: 1000 });
    last = await readFunnel(page);
    check(last);
  }).toPass({ timeout: 30_000 });
  await expect(page.getByTestId('funnel-error')).toHaveCount(0);
  return last!;
}

async function openFunnels(page: Page, url: string) {
  await page.goto(url);
  await waitForApp(page);
  await expect(page.getByTestId('funnels')).toBeVisible();
}

const radio = (page: Page, group: string, label: string) => page.getByRole('radiogroup', { name: group }).getByRole('radio', { name: label });
const pickRadio = (page: Page, group: string, label: string) => page.getByRole('radiogroup', { name: group }).locator('label', { hasText: label }).click();

/** The step editor shows these event types, in order. */
async function expectSteps(page: Page, types: string[]) {
  const selects = page.getByTestId('funnel-settings').getByTestId('step-type');
  await expect(selects).toHaveCount(types.length);
  expect(await selects.evaluateAll((els) => els.map((e) => (e as HTMLSelectElement).value))).toEqual(types);
}

/** The settings panel shows `spec` (steps, order, window, count). */
async function expectSettings(page: Page, spec: FunnelSpec) {
  await expectSteps(page, spec.steps.map((s) => s.eventType));
  const order = { sequential: 'Sequential', strict: 'Strict', any: 'Any order' }[spec.order];
  await expect(radio(page, 'Order', order)).toBeChecked();
  await expect(radio(page, 'Count by', spec.countBy === 'users' ? 'Users' : 'Sessions')).toBeChecked();
  const s = page.getByTestId('funnel-settings');
  await expect(s.getByTestId('window-value')).toHaveValue(String(spec.window!.value));
  await expect(s.getByTestId('window-unit')).toHaveValue(spec.window!.unit);
}

/** Download a CSV by clicking `button`; its file name and records. */
async function downloadCsv(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string; rows: string[][] }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const text = await readFile((await download.path())!, 'utf8');
  return { name: download.suggestedFilename(), text, rows: parseCsv(text) };
}

/** Open a step's converted / dropped users; the panel must list `want` users and export exactly them. */
async function stepUsers(page: Page, step: number, which: 'converted' | 'dropped', title: string, want: Set<string>) {
  expect(want.size, `${which} users at step ${step}`).toBeGreaterThan(0);
  await page.getByTestId('funnel-table').locator(`tr[data-step="${step}"]`).getByTestId(`${which}-users`).click();
  const box = page.getByTestId('step-users');
  await expect(box).toContainText(title);
  await expect(box.getByText(/^(Loading…|[\d,]+ users)$/), 'the users count').toHaveText(`${fmt(want.size)} users`);
  await expect(box.locator('li')).toHaveCount(Math.min(200, want.size));
  const shown = await box.locator('li').evaluateAll((els) => els.map((e) => (e.textContent ?? '').split(' · ')[0]));
  for (const id of shown) expect(want.has(id), `listed user ${id}`).toBe(true);
  const button = box.getByTestId('users-csv');
  await expect(button).toBeEnabled();
  const csv = await downloadCsv(page, () => button.click());
  expect(csv.name).toBe(`strata-funnel-step${step}-${which}.csv`);
  expect(csv.rows[0][0]).toBe('user_id');
  const ids = csv.rows.slice(1).filter((r) => r.length > 1 || r[0] !== '').map((r) => r[0]);
  expect(ids.length, 'one CSV line per user').toBe(want.size);
  expect(new Set(ids).size, 'no user twice').toBe(ids.length);
  expect([...ids].sort()).toEqual([...want].sort());
}

test('a funnel built in the UI (no session_start, 1 hour, sessions, then users) equals Node; the URL restores it', async ({ page }) => {
  const refS = reference(refSpec(BUILT_SESSIONS));
  const refU = reference(refSpec(BUILT_USERS));
  await openFunnels(page, './#/funnels');
  await expect(page.getByTestId('funnel-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expectSettings(page, DEFAULT_FUNNEL);
  expect(urlSpec(page), 'the default funnel writes no f parameter').toBeNull();

  const s = page.getByTestId('funnel-settings');
  await s.getByRole('button', { name: 'Remove step 1' }).click();
  await expectSteps(page, [PV, ATC, PU]);
  await s.getByTestId('window-value').fill('1');
  await s.getByTestId('window-value').press('Tab');
  await expect.poll(() => (urlSpec(page) as FunnelSpec | null)?.window).toEqual({ value: 1, unit: 'day' });
  await s.getByTestId('window-unit').selectOption('hour');
  // A refused number does not stay in the box: it shows the window the funnel uses.
  await s.getByTestId('window-value').fill('0');
  await s.getByTestId('window-value').press('Tab');
  await expect(s.getByTestId('window-value')).toHaveValue('1');
  await pickRadio(page, 'Count by', 'Sessions');
  await expectSettings(page, BUILT_SESSIONS);
  // The UI wrote exactly the intended funnel into the URL.
  await expect.poll(() => urlSpec(page)).toEqual(BUILT_SESSIONS);

  const sessions = await refS;
  await expectFunnel(page, checkFunnel(sessions));
  await expect(page.getByTestId('time-summary')).toContainText(`over ${fmt(sessions.times[0].count)} sessions`);
  await shot(page, '/tmp/fe2e-built-sessions.png', true);

  await pickRadio(page, 'Count by', 'Users');
  await expectSettings(page, BUILT_USERS);
  await expect.poll(() => urlSpec(page)).toEqual(BUILT_USERS);
  const users = await refU;
  // Sessions and users differ, so the table really changed.
  expect(users.steps[0].count).toBeLessThan(sessions.steps[0].count);
  const before = await expectFunnel(page, checkFunnel(users));
  await expect(page.getByTestId('time-summary')).toContainText(`over ${fmt(users.times[0].count)} users`);
  // Not the first funnel of the page: its step events came from the columns kept after the first one (issue 17).
  await page.getByTestId('show-sql').click();
  await expect(page.getByTestId('funnel-sql')).toContainText("every event's user, time and type, kept in this page and loaded once per dataset version");
  await page.getByTestId('show-sql').click();

  await page.reload();
  await waitForApp(page);
  await expectSettings(page, BUILT_USERS);
  const after = await expectFunnel(page, checkFunnel(users));
  expect(after).toEqual(before);
  expect(validateFunnelSpec(urlSpec(page)), 'the reloaded URL still holds the funnel').toEqual(BUILT_USERS);
});

test('strict order and any order match Node', async ({ page }) => {
  // product_view → add_to_cart → checkout within 2 minutes: strict needs nothing in between.
  const seqSpec = specOf({ steps: stepsOf(PV, ATC, CO), window: { value: 2, unit: 'minute' } });
  const strictSpec = specOf({ ...seqSpec, order: 'strict' });
  const [seq, strict] = await Promise.all([reference(refSpec(seqSpec)), reference(refSpec(strictSpec))]);
  expect(strict.steps[2].count, 'strict loses units sequential keeps').toBeLessThan(seq.steps[2].count);
  await openFunnels(page, funnelUrl(seqSpec));
  await expectFunnel(page, checkFunnel(seq));
  await pickRadio(page, 'Order', 'Strict');
  await expect(radio(page, 'Order', 'Strict')).toBeChecked();
  await expect(page.getByTestId('funnel-settings')).toContainText('Each step must be the very next event.');
  await expect.poll(() => urlSpec(page)).toEqual(strictSpec);
  await expectFunnel(page, checkFunnel(strict));

  // purchase, add_to_cart (the reverse of the real order) within a day: few in sequence, many in any order; then a
  // 5-minute window, set in the UI, loses some of them.
  const revSpec = specOf({ steps: stepsOf(PU, ATC), window: { value: 1, unit: 'day' } });
  const anySpec = specOf({ ...revSpec, order: 'any' });
  const any5Spec = specOf({ ...anySpec, window: { value: 5, unit: 'minute' } });
  const [rev, any, any5] = await Promise.all([reference(refSpec(revSpec)), reference(refSpec(anySpec)), reference(refSpec(any5Spec))]);
  expect(any.steps[1].count, 'any order finds the cart before the purchase').toBeGreaterThan(rev.steps[1].count * 10);
  expect(any5.steps[1].count, 'a shorter window loses units').toBeLessThan(any.steps[1].count);
  await openFunnels(page, funnelUrl(revSpec));
  await expectFunnel(page, checkFunnel(rev));
  await pickRadio(page, 'Order', 'Any order');
  await expect.poll(() => urlSpec(page)).toEqual(anySpec);
  await expectFunnel(page, checkFunnel(any));
  const s = page.getByTestId('funnel-settings');
  await s.getByTestId('window-unit').selectOption('minute');
  await s.getByTestId('window-value').fill('5');
  await s.getByTestId('window-value').press('Tab');
  await expectSettings(page, any5Spec);
  await expect.poll(() => urlSpec(page)).toEqual(any5Spec);
  await expectFunnel(page, checkFunnel(any5));
  // No times between steps in any order.
  await expect(page.getByTestId('funnel-times')).toContainText('Times between steps need an ordered funnel');
  await expect(page.getByTestId('time-summary')).toHaveCount(0);
  await expect(page.getByTestId('funnel-table').locator('tr[data-step="2"] td').nth(4)).toHaveText('');
  await shot(page, '/tmp/fe2e-any.png', true);
});

test('a breakdown by country (top 3) matches Node and its groups add up to the total', { tag: '@reader' }, async ({ page }) => {
  const ref = await reference(refSpec(BUILT_USERS));
  const groups: RefGroup[] = byCountry(await shopRows(DEFAULT_PARAMS), ref, 3);
  // Sanity of the reference: three countries and Other, adding up to the funnel, step by step.
  expect(groups.map((g) => g.label)).toEqual(['United States', 'Canada', 'United Kingdom', 'Other']);
  for (const s of ref.steps) expect(groups.reduce((a, g) => a + g.steps[s.step - 1].count, 0)).toBe(s.count);

  await openFunnels(page, funnelUrl(BUILT_USERS));
  await expectFunnel(page, checkFunnel(ref));
  const s = page.getByTestId('funnel-settings');
  await s.getByTestId('breakdown').selectOption('field:u.country');
  await expect(s.getByTestId('breakdown-top')).toHaveValue('5');
  await s.getByTestId('breakdown-top').fill('3');
  await s.getByTestId('breakdown-top').press('Tab');
  const want = specOf({ ...BUILT_USERS, breakdown: { kind: 'field', field: 'u.country', top: 3 } });
  await expect.poll(() => urlSpec(page)).toEqual(want);
  // A refused number (0) does not stay in the box.
  await s.getByTestId('breakdown-top').fill('0');
  await s.getByTestId('breakdown-top').press('Tab');
  await expect(s.getByTestId('breakdown-top')).toHaveValue('3');
  expect(urlSpec(page)).toEqual(want);

  const box = page.getByTestId('funnel-breakdown');
  await expect(async () => {
    await expect(page.getByTestId('funnel-status')).toHaveAttribute('data-status', 'ready', { timeout: 1000 });
    const dom = await box.evaluate((el) =>
      [...el.querySelectorAll<HTMLElement>('tbody tr[data-group]')].map((tr) => ({
        group: tr.dataset.group ?? '',
        label: (tr.querySelector('th')?.textContent ?? '').trim(),
        counts: [...tr.querySelectorAll('td')].map((td) => Number(td.getAttribute('data-value'))),
      })),
    );
    expect(dom.map((g) => g.group), 'groups in order').toEqual(groups.map((g) => g.label));
    for (const [i, g] of groups.entries()) {
      expect(dom[i].label).toBe(g.label);
      expect(dom[i].counts.slice(0, -1), `${g.label}: step counts`).toEqual(g.steps.map((x) => x.count));
      expect(dom[i].counts.at(-1), `${g.label}: conversion`).toBeCloseTo(g.steps.at(-1)!.overall, 12);
    }
  }).toPass({ timeout: 30_000 });
  await expect(box.locator('thead th')).toHaveText(['Group', '1. product_view', '2. add_to_cart', '3. purchase', 'Conversion']);
  // The step table is still the whole funnel.
  await expectFunnel(page, checkFunnel(ref));
  await box.scrollIntoViewIfNeeded();
  await shot(page, '/tmp/fe2e-breakdown.png');
});

test('converted and dropped users: the list and its CSV hold exactly Node\'s users (users, then sessions)', async ({ page }) => {
  const [users, sessions] = await Promise.all([reference(refSpec(BUILT_USERS)), reference(refSpec(BUILT_SESSIONS))]);
  await openFunnels(page, funnelUrl(BUILT_USERS));
  await expectFunnel(page, checkFunnel(users));
  await stepUsers(page, 3, 'converted', 'Converted at 3. purchase', convertedUsers(users, 3));
  await shot(page, '/tmp/fe2e-users.png', true);
  await stepUsers(page, 2, 'dropped', 'Dropped before 2. add_to_cart', droppedUsers(users, 2));

  // Counting sessions, the lists hold the users of those sessions (fewer users than sessions dropped).
  await pickRadio(page, 'Count by', 'Sessions');
  await expect(page.getByTestId('step-users'), 'a new funnel closes the list').toHaveCount(0);
  await expectFunnel(page, checkFunnel(sessions));
  const dropped = droppedUsers(sessions, 2);
  expect(dropped.size).toBeLessThan(sessions.steps[1].dropped);
  await stepUsers(page, 2, 'dropped', 'Dropped before 2. add_to_cart', dropped);
});

test('the default funnel matches Node; Show SQL; Download CSV equals the table; bad links fall back with a message', { tag: '@reader' }, async ({ page }) => {
  const defaultSpec = specOf({});
  const ref = await reference(refSpec(defaultSpec));
  await openFunnels(page, './#/funnels');
  await expectSettings(page, DEFAULT_FUNNEL);
  const t = await expectFunnel(page, checkFunnel(ref));

  // Show SQL: the funnel statement, then hidden again.
  await expect(page.getByTestId('funnel-sql')).toHaveCount(0);
  await page.getByTestId('show-sql').click();
  await expect(page.getByTestId('show-sql')).toHaveText('Hide SQL');
  const sql = page.getByTestId('funnel-sql');
  // The statement that selects the step events, and what the one pass does with them (issue 17).
  for (const part of ["'session_start'", "'product_view'", "'add_to_cart'", "'purchase'", 'epoch_us(ts)', 'one pass', 'put in time order', 'within 20160 minutes of step 1']) await expect(sql).toContainText(part);
  await page.getByTestId('show-sql').click();
  await expect(sql).toHaveCount(0);

  // Download CSV: one line per step, equal to the table (and to Node, times included).
  const csv = await downloadCsv(page, () => page.getByTestId('download-csv').click());
  expect(csv.name).toBe('strata-funnel.csv');
  expect(csv.rows[0]).toEqual(['group', 'step', 'label', 'count', 'overall', 'from_previous', 'dropped', 'median_seconds_from_previous', 'mean_seconds_from_previous']);
  const lines = csv.rows.slice(1).filter((r) => r.length > 1);
  expect(lines.length, 'one line per step').toBe(ref.steps.length);
  for (const [i, r] of lines.entries()) {
    const row = t.rows[i];
    expect(r.slice(0, 3)).toEqual(['All', String(row.step), row.label]);
    expect(r.slice(3, 7).map(Number), `step ${row.step}: CSV = table`).toEqual(row.values.map(Number));
    const want = ref.steps[i];
    expect([Number(r[3]), Number(r[6])]).toEqual([want.count, want.dropped]);
    if (i === 0) {
      expect([r[7], r[8]]).toEqual(['', '']);
      continue;
    }
    const time = ref.times[i - 1];
    expect(Number(r[7]), `step ${i} → ${i + 1}: median seconds`).toBeCloseTo(time.medianMs! / 1000, 6);
    expect(Number(r[8]), `step ${i} → ${i + 1}: mean seconds`).toBeCloseTo(time.meanMs! / 1000, 6);
  }

  // A link that is not JSON, then one with an unknown setting: the default funnel and a message.
  await openFunnels(page, './#/funnels?f=not-json');
  await expect(page.getByRole('alert').filter({ hasText: "The link's funnel settings were ignored: it is not valid JSON" })).toBeVisible();
  await expectSettings(page, DEFAULT_FUNNEL);
  await expectFunnel(page, checkFunnel(ref));

  await page.goto('about:blank');
  await openFunnels(page, funnelUrl({ ...BUILT_USERS, colour: 'red' }));
  await expect(page.getByRole('alert').filter({ hasText: 'The link\'s funnel settings were ignored: Unknown funnel setting "colour".' })).toBeVisible();
  await expectSettings(page, DEFAULT_FUNNEL);
  await expectFunnel(page, checkFunnel(ref));
  await shot(page, '/tmp/fe2e-bad-link.png');
});

test('moving steps and adding one: the table follows', async ({ page }) => {
  const moved = specOf({ ...BUILT_USERS, steps: stepsOf(PV, PU, ATC) });
  const added = specOf({ ...BUILT_USERS, steps: stepsOf(PV, PU, ATC, CO) });
  const movedBack = specOf({ ...BUILT_USERS, steps: stepsOf(PV, ATC, PU, CO) });
  const [base, refMoved, refAdded, refBack] = await Promise.all([BUILT_USERS, moved, added, movedBack].map((s) => reference(refSpec(s))));
  await openFunnels(page, funnelUrl(BUILT_USERS));
  await expectFunnel(page, checkFunnel(base));
  const s = page.getByTestId('funnel-settings');

  await expect(s.getByRole('button', { name: 'Move step 1 up' })).toBeDisabled();
  await expect(s.getByRole('button', { name: 'Move step 3 down' })).toBeDisabled();
  await s.getByRole('button', { name: 'Move step 3 up' }).click();
  await expectSteps(page, [PV, PU, ATC]);
  await expect.poll(() => urlSpec(page)).toEqual(moved);
  await expectFunnel(page, checkFunnel(refMoved));

  // add-step appends the first event type that differs from the last step (alphabetically: checkout).
  await s.getByTestId('add-step').click();
  await expectSteps(page, [PV, PU, ATC, CO]);
  await expect.poll(() => urlSpec(page)).toEqual(added);
  await expectFunnel(page, checkFunnel(refAdded));

  await s.getByRole('button', { name: 'Move step 2 down' }).click();
  await expectSteps(page, [PV, ATC, PU, CO]);
  await expect.poll(() => urlSpec(page)).toEqual(movedBack);
  await expectFunnel(page, checkFunnel(refBack));
});

test('removing a step from the keyboard moves focus to a safe place: a second Enter deletes nothing', async ({ page }) => {
  const spec = { ...DEFAULT_FUNNEL, steps: ['session_start', 'product_view', 'add_to_cart', 'checkout', 'purchase'].map((eventType) => ({ eventType })) };
  await openFunnels(page, funnelUrl(spec));
  await expectSteps(page, ['session_start', 'product_view', 'add_to_cart', 'checkout', 'purchase']);
  const remove2 = page.getByTestId('funnel-settings').getByRole('button', { name: 'Remove step 2' });
  await remove2.focus();
  await page.keyboard.press('Enter');
  await expectSteps(page, ['session_start', 'add_to_cart', 'checkout', 'purchase']);
  // Focus is on the event picker now in second place, not on the next step's ×.
  await expect(page.getByTestId('funnel-settings').getByTestId('step-type').nth(1)).toBeFocused();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await expectSteps(page, ['session_start', 'add_to_cart', 'checkout', 'purchase']);
  // Removing the last step focuses the picker of the new last one.
  await page.getByTestId('funnel-settings').getByRole('button', { name: 'Remove step 4' }).focus();
  await page.keyboard.press('Enter');
  await expectSteps(page, ['session_start', 'add_to_cart', 'checkout']);
  await expect(page.getByTestId('funnel-settings').getByTestId('step-type').nth(2)).toBeFocused();
});

/** What the keyboard is on. */
interface Focused {
  label: string | null;
  testid: string | null;
  checkedRadio: boolean;
  /** The accessible name of the radio group it is in. */
  group: string | null;
}

/** Press Tab until the focused element satisfies `is` (at most `max` presses); keyboard only, no clicks. */
async function tabTo(page: Page, is: (f: Focused) => boolean, what: string, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate((): Focused => {
      const el = document.activeElement;
      return {
        label: el?.getAttribute('aria-label') ?? null,
        testid: el?.getAttribute('data-testid') ?? null,
        checkedRadio: el instanceof HTMLInputElement && el.type === 'radio' && el.checked,
        group: el?.closest('[role="radiogroup"]')?.getAttribute('aria-label') ?? null,
      };
    });
    if (is(f)) return;
  }
  throw new Error(`Tab never reached ${what}`);
}

test('a funnel built with the keyboard only (no session_start, 1 hour, by sessions) equals Node', async ({ page }) => {
  const refS = reference(refSpec(BUILT_SESSIONS));
  await openFunnels(page, './#/funnels');
  await expect(page.getByTestId('funnel-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await page.locator('body').focus();
  await tabTo(page, (f) => f.label === 'Remove step 1', 'Remove step 1');
  await page.keyboard.press('Enter');
  await expectSteps(page, [PV, ATC, PU]);
  await tabTo(page, (f) => f.testid === 'window-value', 'the window box');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('1');
  await page.keyboard.press('Tab'); // commits the number, lands on the unit
  await expect(page.getByTestId('window-unit')).toBeFocused();
  await page.keyboard.press('ArrowUp'); // days → hours
  await expect(page.getByTestId('window-unit')).toHaveValue('hour');
  await tabTo(page, (f) => f.checkedRadio && f.group === 'Count by', 'Count by');
  await page.keyboard.press('ArrowRight'); // Users → Sessions
  await expectSettings(page, BUILT_SESSIONS);
  await expect.poll(() => urlSpec(page)).toEqual(BUILT_SESSIONS);
  await expectFunnel(page, checkFunnel(await refS));
});

test('drill-down: a user in a step\'s list opens their timeline, equal to their events in Node; Escape closes it', async ({ page }) => {
  const shop = await shopRows(DEFAULT_PARAMS);
  await openFunnels(page, './#/funnels');
  await expect(page.getByTestId('funnel-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await page.locator('tr[data-step="4"]').getByTestId('converted-users').click();
  const first = page.getByTestId('step-users').getByTestId('user-link').first();
  await expect(first).toBeVisible({ timeout: 30_000 });
  const user = (await first.textContent())!.trim();
  await first.click();
  const dialog = page.getByRole('dialog', { name: `User ${user}` });
  await expect(dialog).toBeVisible();
  const mine = shop.events.filter((e) => e.user === user).sort((a, b) => a.ms - b.ms || a.rid - b.rid);
  expect(mine.length, 'a converted user has events').toBeGreaterThan(3);
  await expect(dialog.getByTestId('timeline-count')).toHaveAttribute('data-total', String(mine.length));
  const types = await dialog.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-type')));
  expect(types).toEqual(mine.slice(-500).map((e) => e.type));
  expect(types).toContain('purchase');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});
