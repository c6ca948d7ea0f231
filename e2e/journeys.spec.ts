// The Journeys screen on the built-in demo shop: a view built through the UI with the keyboard (ending at purchase,
// 6 steps, repeats kept, 2 types per step) and the default view (starting at session_start) show exactly the top
// paths and Sankey moves an independent Node computation finds; the URL restores the view; Show SQL; Download CSV
// equals the table; an event no session has and a bad link get clear messages.
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { test, expect, expectRunReady, waitForApp } from './fixtures.ts';
import { parseCsv } from '../tests/fixtures/csv.ts';
import { refSankey, refTopPaths, type RefPathsSpec } from '../tests/fixtures/paths-reference.ts';
import { shopEvents } from './journeys-reference.ts';
import { DEFAULT_PARAMS } from '../src/data/generator/params.ts';
import { validatePathsSpec } from '../src/analyses/paths/index.ts';

// The tests here take turns in the worker's shared browser (fixtures.ts: one that changed the data ends it).
test.use({ shared: true });

/** What test 1 builds through the UI. */
const BUILT: RefPathsSpec = { anchor: 'end', eventType: 'purchase', steps: 6, collapse: false, nodesPerStep: 2 };
/** The screen's default view. */
const DEFAULT: RefPathsSpec = { anchor: 'start', eventType: 'session_start', steps: 5, collapse: true, nodesPerStep: 8 };

const journeysUrl = (spec: unknown) => `./#/journeys?j=${encodeURIComponent(JSON.stringify(spec))}`;

/** The raw spec JSON the page's URL holds, or null. */
function urlSpec(page: Page): unknown {
  const hash = new URL(page.url()).hash;
  const j = new URLSearchParams(hash.slice(hash.indexOf('?') + 1)).get('j');
  return j === null ? null : JSON.parse(j);
}

async function openJourneys(page: Page, url: string) {
  await page.goto(url);
  await waitForApp(page);
  await expect(page.getByTestId('journeys')).toBeVisible();
}

/** The expected screen for a spec: top paths and Sankey moves from the Node pass, with sanity checks of its own. */
async function reference(spec: RefPathsSpec) {
  const events = await shopEvents(DEFAULT_PARAMS);
  const top = refTopPaths(events, spec);
  const sankey = refSankey(events, spec);
  expect(top.rows.length, 'the reference finds several paths').toBeGreaterThan(2);
  expect(top.totalUsers).toBeGreaterThan(100);
  return { top, sankey };
}

/** What the page shows: the top-paths table and the moves table under the Sankey. */
interface DomJourneys {
  rows: { steps: string[]; text: string; users: number; sessions: number; share: number; cells: string[] }[];
  moves: Map<string, number>;
  summary: string;
}

async function readJourneys(page: Page): Promise<DomJourneys> {
  const rows = await page.getByTestId('paths-table').evaluate((el) =>
    [...el.querySelectorAll<HTMLElement>('tbody tr')].map((tr) => ({
      steps: JSON.parse(tr.dataset.path ?? '[]') as string[],
      text: (tr.querySelector('.steps')?.textContent ?? '').trim(),
      users: Number(tr.dataset.users),
      sessions: Number(tr.dataset.sessions),
      share: Number(tr.dataset.share),
      cells: [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim()),
    })),
  );
  const moves = await page.getByTestId('journeys-moves').evaluate((el) =>
    [...el.querySelectorAll<HTMLElement>('tbody tr')].map((tr) => {
      const d = tr.dataset;
      const from = d.fromOther === 'true' ? '(other)' : d.from;
      const to = d.toOther === 'true' ? '(other)' : d.to;
      return [`${d.step}|${from} -> ${Number(d.step) + 1}|${to}`, Number(d.users)] as const;
    }),
  );
  const summary = (await page.getByTestId('journeys-summary').textContent())?.replace(/\s+/g, ' ').trim() ?? '';
  return { rows, moves: new Map(moves), summary };
}

/** Wait for a finished run, then for the page to equal the reference (retried while a newer run replaces it). */
async function expectJourneys(page: Page, spec: RefPathsSpec): Promise<DomJourneys> {
  const ref = await reference(spec);
  const status = page.getByTestId('journeys-status');
  await expectRunReady(page, 'journeys');
  let last: DomJourneys | null = null;
  await expect(async () => {
    await expect(status).toHaveAttribute('data-status', 'ready', { timeout: 1000 });
    last = await readJourneys(page);
    const got = last;
    expect(got.rows.map((r) => [r.steps, r.users, r.sessions]), 'top paths in order').toEqual(ref.top.rows.map((r) => [r.steps, r.users, r.sessions]));
    got.rows.forEach((r, i) => {
      expect(r.share, `share of path ${i + 1}`).toBeCloseTo(ref.top.rows[i].share, 12);
      expect(r.text, `path ${i + 1} as text`).toBe(r.steps.join(' → '));
      expect(r.cells[2], `users of path ${i + 1} as text`).toBe(r.users.toLocaleString('en-US'));
    });
    expect(got.moves, 'every Sankey move and its distinct users').toEqual(ref.sankey.links);
    expect(got.summary).toContain(`${ref.top.totalUsers.toLocaleString('en-US')} users · ${ref.top.totalSessions.toLocaleString('en-US')} sessions contain ${spec.eventType}`);
  }).toPass({ timeout: 30_000 });
  return last!;
}

const radio = (page: Page, label: string) => page.getByRole('radiogroup', { name: 'Paths' }).getByRole('radio', { name: label });

/** The settings panel shows `spec`. */
async function expectSettings(page: Page, spec: RefPathsSpec) {
  const s = page.getByTestId('journeys-settings');
  await expect(radio(page, spec.anchor === 'start' ? 'Starting at' : 'Ending at')).toBeChecked();
  await expect(s.getByTestId('event-type')).toHaveValue(spec.eventType);
  await expect(s.getByTestId('steps')).toHaveValue(String(spec.steps));
  await expect(s.getByTestId('nodes-per-step')).toHaveValue(String(spec.nodesPerStep));
  if (spec.collapse) await expect(s.getByTestId('collapse')).toBeChecked();
  else await expect(s.getByTestId('collapse')).not.toBeChecked();
}

test('a view built with the keyboard (ending at purchase, 6 steps, repeats kept, 2 types a step) equals a Node computation', async ({ page }) => {
  const refPromise = reference(BUILT);
  await openJourneys(page, './#/journeys');
  await expectSettings(page, DEFAULT);
  await expectJourneys(page, DEFAULT);
  expect(urlSpec(page), 'the default view writes no j parameter').toBeNull();
  // Once the background warm start is over, count the statements: a new view with the same users filter is
  // counted from the sessions the page kept (README, "Journeys in one pass"), without asking DuckDB again.
  type Probe = { prefetch: { version: number; status: string } | null; version: number; queriesSent: number };
  await page.waitForFunction(() => {
    const p = (globalThis as unknown as { strata: Probe }).strata;
    return p.prefetch?.status === 'done' && p.prefetch.version === p.version;
  }, null, { timeout: 60_000 });
  const sent = await page.evaluate(() => (globalThis as unknown as { strata: Probe }).strata.queriesSent);

  const s = page.getByTestId('journeys-settings');
  await radio(page, 'Starting at').focus();
  await page.keyboard.press('ArrowRight');
  await expect(radio(page, 'Ending at')).toBeChecked();
  await s.getByTestId('event-type').focus();
  await s.getByTestId('event-type').selectOption('purchase');
  await s.getByTestId('steps').fill('6');
  await page.keyboard.press('Tab');
  await s.getByTestId('nodes-per-step').fill('2');
  await page.keyboard.press('Tab');
  await s.getByTestId('collapse').focus();
  await page.keyboard.press('Space');
  await expectSettings(page, BUILT);
  await expect.poll(() => validatePathsSpec(urlSpec(page))).toEqual(validatePathsSpec(BUILT));

  const ref = await refPromise;
  const got = await expectJourneys(page, BUILT);
  // Spelled out: with 2 types a step some step has an Other node, and every path ends with purchase at step 6.
  expect([...ref.sankey.nodes.keys()].some((k) => k.endsWith('|(other)')), 'the reference has an Other node').toBe(true);
  expect([...got.moves.keys()].some((k) => k.includes('(other)')), 'the page shows moves from or to Other').toBe(true);
  for (const r of got.rows) expect(r.steps.at(-1)).toBe('purchase');
  expect(await page.evaluate(() => (globalThis as unknown as { strata: Probe }).strata.queriesSent), 'statements sent for the new view').toBe(sent);

  // Out-of-range numbers are clamped to the allowed range, and the box shows what is used.
  await s.getByTestId('steps').fill('40');
  await page.keyboard.press('Tab');
  await expect(s.getByTestId('steps')).toHaveValue('10');
  await expect.poll(() => (urlSpec(page) as { steps?: number }).steps).toBe(10);
});

test('reloading restores the same view, table and moves from the URL', async ({ page }) => {
  await openJourneys(page, journeysUrl(BUILT));
  await expectSettings(page, BUILT);
  const before = await expectJourneys(page, BUILT);
  await page.reload();
  await waitForApp(page);
  await expect(page.getByTestId('journeys')).toBeVisible();
  await expectSettings(page, BUILT);
  const after = await expectJourneys(page, BUILT);
  expect(after).toEqual(before);
  expect(validatePathsSpec(urlSpec(page))).toEqual(validatePathsSpec(BUILT));
});

test('the default view (starting at session_start) matches Node; Show SQL and Download CSV', { tag: '@reader' }, async ({ page }) => {
  await openJourneys(page, './#/journeys');
  await expectSettings(page, DEFAULT);
  const got = await expectJourneys(page, DEFAULT);

  // Show SQL: the statement that selects the pass's rows (README, "Journeys in one pass") under what the pass
  // does with them, then hidden again.
  await expect(page.getByTestId('journeys-sql')).toHaveCount(0);
  await page.getByTestId('show-sql').click();
  await expect(page.getByTestId('show-sql')).toHaveText('Hide SQL');
  const sqlBox = page.getByTestId('journeys-sql');
  await expect(sqlBox).toContainText('Computed in one pass');
  // (The demo shop stores each session's path with the dataset: the statement reads those, a row per session.)
  await expect(sqlBox).toContainText("each session's event types, stored in time order with the dataset (session_metrics.path), an event of the same type as the one before it dropped");
  await expect(sqlBox).toContainText('the first session_start event is step 1 and the next 4 events follow');
  await expect(sqlBox).toContainText('m.path AS c FROM session_metrics m');
  await expect(sqlBox).toContainText('hash(m.user_id)');
  await page.getByTestId('show-sql').click();
  await expect(sqlBox).toHaveCount(0);

  // Download CSV: the table's rows, in order, with their steps in step columns.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
  expect(download.suggestedFilename()).toBe('strata-journeys.csv');
  const csv = parseCsv(await readFile((await download.path())!, 'utf8'));
  expect(csv[0]).toEqual(['rank', 'path', 'users', 'sessions', 'share_of_users', 'steps', 'step_1', 'step_2', 'step_3', 'step_4', 'step_5']);
  expect(csv.length - 1, 'one line per table row').toBe(got.rows.length);
  csv.slice(1).forEach((line, i) => {
    const r = got.rows[i];
    expect(line.slice(0, 4)).toEqual([String(i + 1), r.text, String(r.users), String(r.sessions)]);
    expect(Number(line[4])).toBeCloseTo(r.share, 12);
    expect(line.slice(5)).toEqual([String(r.steps.length), ...[0, 1, 2, 3, 4].map((k) => r.steps[k] ?? '')]);
  });
});

test('an event no session has, and a users filter nobody passes, say so', async ({ page }) => {
  await openJourneys(page, journeysUrl({ eventType: 'wishlist_add' }));
  await expect(page.getByTestId('event-type')).toHaveValue('wishlist_add');
  await expect(page.getByTestId('event-type').locator('option:checked')).toHaveText('wishlist_add (not in this data)');
  const empty = page.getByTestId('journeys-empty');
  await expect(empty).toContainText('No session contains wishlist_add.');
  await expect(page.getByTestId('download-csv')).toBeDisabled();
  await expect(page.getByTestId('paths-table')).toHaveCount(0);

  await openJourneys(page, journeysUrl({ users: { op: 'and', items: [{ field: 'u.user_id', op: '=', value: 'nobody' }] } }));
  await expect(empty).toContainText('No session contains session_start among the filtered users.');
  await expect(empty).toContainText('loosen the users filter');
  await expect(page.getByTestId('journeys-error')).toHaveCount(0);
});

test('a bad link shows a clear message and the default view', async ({ page }) => {
  await openJourneys(page, './#/journeys?j=notjson');
  await expect(page.getByRole('alert').filter({ hasText: "The link's journeys settings were ignored: it is not valid JSON" })).toBeVisible();
  await expectSettings(page, DEFAULT);
  await expectJourneys(page, DEFAULT);

  await openJourneys(page, journeysUrl({ steps: 11, depth: 2 }));
  await expect(page.getByRole('alert').filter({ hasText: 'Unknown journeys setting "depth"' })).toBeVisible();
  await openJourneys(page, journeysUrl({ steps: 11 }));
  await expect(page.getByRole('alert').filter({ hasText: 'The number of steps must be a whole number from 2 to 10; got 11.' })).toBeVisible();
  await expectSettings(page, DEFAULT);
  await expect(page.getByTestId('journeys-error')).toHaveCount(0);
});
