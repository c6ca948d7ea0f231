// The threaded reader (src/db/reader.ts): on a cross-origin isolated page DuckDB-WASM's threaded build answers the
// analyses from a read-only snapshot of the stored file. Its answers must be the main engine's, a write must never
// leave it answering from stale data, it stays out of the way on small datasets, and a static host without headers
// gets isolation from the service worker. Runs in the `threads` project (the isolated server, playwright.config.ts).
import type { Page } from '@playwright/test';
import { test, expect, waitForDashboard, readerSettled, kpi } from './fixtures.ts';
// @ts-expect-error plain ESM helper without types
import { serveDist } from './serve.mjs';
import type { Server } from 'node:http';
import { reference } from './node-reference.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { loadShop, DEFAULT_PARAMS } from '../src/data/generator/index.ts';
import { decodeFields, fieldsSql } from '../src/analyses/fields.ts';
import { runPivot } from '../src/analyses/pivot/index.ts';
import type { Sql } from '../src/sql/quote.ts';
import { overviewQueries } from '../bench/queries.ts';
import { window90 } from '../bench/native.ts';
import { BENCH_PIVOTS } from '../bench/pivots.ts';
import { BENCH_ANALYSES } from '../bench/analyses.ts';

// Generates a shop or imports files in the page: V8's default compiler tiers (fixtures.ts, `liftoff`).
test.use({ liftoff: false });

interface ReaderInfo {
  state: string;
  threads: number;
  snapshots: number;
  answered: number;
  current: boolean;
  error: string | null;
}

/** Generate another shop through the dialog and wait until the banner names it. */
async function generateAnother(page: Page, p: { users: number; days: number; seed: number }): Promise<void> {
  await page.getByRole('button', { name: 'Generate another shop' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate another shop' });
  for (const [label, value] of [['Users', p.users], ['Days of history', p.days], ['Seed', p.seed]] as const) await dialog.getByLabel(label).fill(String(value));
  await dialog.getByRole('button', { name: 'Generate' }).click();
  const fmt = (n: number) => n.toLocaleString('en-US');
  await expect(page.getByText(`${fmt(p.users)} users · ${fmt(p.days)} days · seed ${p.seed}`)).toBeVisible({ timeout: 180_000 });
}

const readerOf = (page: Page) => page.evaluate(() => (globalThis as unknown as { strata: { reader: ReaderInfo | null } }).strata.reader);

/** Every statement the benchmark times (Overview panels all-time and 90 days, pivots A–C with their stats, retention
 *  R1–R3, funnels F1–F2 and their key check, journeys J1–J2 and theirs), built by the app's own code for the demo shop. */
async function demoStatements(): Promise<{ name: string; q: Sql }[]> {
  const db = await openNodeDb({ threads: 1 });
  try {
    await loadShop(db, DEFAULT_PARAMS);
    const f = fieldsSql();
    const fields = decodeFields(await db.query(f.text, f.params));
    const out: { name: string; q: Sql }[] = overviewQueries(await window90(db)).map((b) => ({ name: b.name, q: { text: b.text, params: b.params } }));
    for (const p of BENCH_PIVOTS) {
      const sent: Sql[] = [];
      await runPivot(async (q) => {
        sent.push(q);
        return db.query(q.text, q.params);
      }, p.spec, fields);
      sent.forEach((q, i) => out.push({ name: `${p.name.slice(0, 7)} statement ${i + 1}`, q }));
    }
    for (const a of BENCH_ANALYSES) out.push({ name: a.name.split(':')[0], q: a.build(fields) });
    return out;
  } finally {
    await db.close();
  }
}

/** Numbers equal to 1e-9 relative (sums may be added in another order on two threads); everything else exactly. */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  return JSON.stringify(a) === JSON.stringify(b);
}

test('the reader answers every analysis statement exactly as the main engine does', async ({ page }) => {
  test.setTimeout(240_000);
  const statements = await demoStatements();
  await page.goto('./');
  await waitForDashboard(page); // the reader's snapshot is current (the threads project asks for it on any size)
  const before = (await readerOf(page))!;
  expect(before).toMatchObject({ state: 'ready', current: true });
  expect(before.threads).toBeGreaterThanOrEqual(2);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  // Returned as one JSON text: Playwright's own serialisation of some 300,000 nested rows took over two minutes.
  const results: { name: string; main: unknown[]; reader: unknown[] }[] = JSON.parse(await page.evaluate(async (list) => {
    const s = (globalThis as unknown as { strata: { query: Probe; readerQuery: Probe } }).strata;
    type Probe = (sql: string, params: unknown[]) => Promise<{ numRows: number; toArray(): { toJSON(): Record<string, unknown> }[] }>;
    // Rows as plain values (lists as arrays), sorted: neither engine promises an order without ORDER BY.
    const plain = (v: unknown): unknown =>
      typeof v === 'bigint' ? Number(v) : v && typeof v === 'object' && 'toArray' in v ? Array.from((v as { toArray(): unknown[] }).toArray(), plain) : v;
    // (Each row's text is made once, not in every comparison: tens of thousands of rows.)
    const rows = (t: Awaited<ReturnType<Probe>>) =>
      t
        .toArray()
        .map((r) => {
          const row = Object.entries(r.toJSON()).map(([k, v]) => [k, plain(v)]);
          return { row, key: JSON.stringify(row) };
        })
        .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0))
        .map((x) => x.row);
    const out: { name: string; main: unknown[]; reader: unknown[] }[] = [];
    for (const { name, q } of list) out.push({ name, main: rows(await s.query(q.text, [...q.params])), reader: rows(await s.readerQuery(q.text, [...q.params])) });
    return JSON.stringify(out);
  }, statements));
  expect(results.length).toBe(statements.length);
  let rowsCompared = 0;
  for (const r of results) {
    expect(r.reader.length, `${r.name}: rows`).toBe(r.main.length);
    expect(sameValue(r.reader, r.main), `${r.name}: the reader's rows differ from the main engine's`).toBe(true);
    rowsCompared += r.main.length;
  }
  // Real work was compared: the funnels' and journeys' row statements alone return tens of thousands of rows.
  expect(rowsCompared).toBeGreaterThan(50_000);
  const after = (await readerOf(page))!;
  expect(after.current).toBe(true);
  expect(after.snapshots).toBe(before.snapshots);
  // The probe's reader query is as read-only as its main one: anything else is refused, the data untouched.
  const schema = (await page.evaluate(() => (globalThis as unknown as { strata: { dataset: { schema: string } } }).strata.dataset.schema));
  for (const attempt of [`DROP SCHEMA ${schema} CASCADE`, `SELECT 1) AS a; DROP SCHEMA ${schema} CASCADE; SELECT * FROM (SELECT 1`, `DELETE FROM ${schema}.events`, `CHECKPOINT`, `SET schema = 'main'`]) {
    const r = await page.evaluate((sql) => (globalThis as any).strata.readerQuery(sql).then(() => 'ran', (e: Error) => `refused: ${e.message}`), attempt);
    expect(r, attempt).toMatch(/^refused: /);
  }
  const events = await page.evaluate(() => (globalThis as any).strata.query('SELECT count(*)::DOUBLE AS n FROM events').then((t: any) => Number(t.getChild('n').get(0))));
  expect(events).toBeGreaterThan(70_000);
  expect((await readerOf(page))!.current).toBe(true);
});

test('a write never leaves the reader answering from stale data; the next snapshot holds it', async ({ page }) => {
  test.setTimeout(180_000);
  const params = { users: 400, days: 60, seed: 7 };
  await page.goto('./');
  await waitForDashboard(page);
  const first = (await readerOf(page))!;
  expect(first.state).toBe('ready');
  const demoUsers = await kpi(page, 'users');
  // The screens read through the reader now: the Overview's 90-day view is a new statement.
  const answered = first.answered;
  await generateAnother(page, params);
  // Straight after the write, before any new snapshot: the figures are the new shop's (a reader still answering
  // from its snapshot of the demo shop would show 5,000 users).
  const ref = await reference(params);
  await expect(page.getByTestId('kpi-users')).toHaveAttribute('data-value', String(ref.kpis.users), { timeout: 60_000 });
  expect(ref.kpis.users).not.toBe(demoUsers);
  await waitForDashboard(page); // and then the reader's next snapshot is current
  const second = (await readerOf(page))!;
  expect(second.snapshots).toBeGreaterThan(first.snapshots);
  expect(second.answered).toBeGreaterThanOrEqual(answered);
  const onReader = await page.evaluate(async () => {
    const s = (globalThis as unknown as { strata: { readerQuery(sql: string): Promise<{ get(i: number): { toJSON(): { n: number } } }> } }).strata;
    return Number((await s.readerQuery('SELECT count(*)::DOUBLE AS n FROM users')).get(0).toJSON().n);
  });
  expect(onReader).toBe(params.users); // every generated user is in the users table (the KPI counts active ones)
  expect(await kpi(page, 'users')).toBe(ref.kpis.users);
  expect(await kpi(page, 'orders')).toBe(ref.kpis.orders);
});

test.describe('by default', () => {
  test.use({ readerOn: false });

  test('the reader stands by on a small dataset without loading the threaded build, and takes over on a big one', async ({ page }) => {
    test.setTimeout(420_000);
    const coi: string[] = [];
    page.on('request', (r) => {
      if (/duckdb-coi|coi\.pthread|reader\.worker/.test(r.url())) coi.push(r.url());
    });
    await page.goto('./');
    await waitForDashboard(page);
    await expect.poll(async () => (await readerOf(page))?.state, { timeout: 30_000 }).toBe('standby');
    expect(coi, 'the threaded build is not fetched for the 5,000-user demo shop').toEqual([]);
    // 36,000 users over a year: ~560,000 events, over the 500,000 from which the reader answers.
    await generateAnother(page, { users: 36_000, days: 365, seed: 42 });
    await waitForDashboard(page);
    const events = Number((await page.getByTestId('event-count').textContent())!.replace(/\D/g, ''));
    expect(events).toBeGreaterThan(500_000);
    // The snapshot waits until nothing else runs (the new shop's segment job) and writes are quiet; the message of a
    // timeout says where it stood (state, step, error).
    await expect.poll(async () => {
      const r = await readerOf(page);
      return r && (r.state === 'ready' && r.current ? 'ready and current' : JSON.stringify(r));
    }, { timeout: 240_000 }).toBe('ready and current');
    expect(coi.some((u) => /duckdb-coi.*\.wasm/.test(u))).toBe(true);
    // Back to the demo shop: the reader stands by again (its big snapshot dropped) and the main engine answers.
    const snapshots = (await readerOf(page))!.snapshots;
    await page.getByRole('link', { name: 'Datasets' }).click();
    await expect(page.getByTestId('engine')).toContainText('Analyses run on 2 threads, from a read-only snapshot');
    await expect(page.getByTestId('engine')).toContainText("The Overview's KPI row and geography panel run on one thread");
    await page.locator('[data-testid^="dataset-"]').filter({ hasNotText: 'in use' }).getByRole('button', { name: 'Open' }).click();
    await page.getByRole('link', { name: 'Overview' }).click();
    await waitForDashboard(page);
    await expect.poll(async () => (await readerOf(page))?.state, { timeout: 30_000 }).toBe('standby');
    expect((await readerOf(page))!.snapshots).toBe(snapshots);
    await page.getByRole('link', { name: 'Datasets' }).click();
    await expect(page.getByTestId('engine')).toHaveText('Analyses run on one thread: a 2-thread engine takes over from 500,000 events, and this dataset has fewer.');
    expect(Number((await page.getByTestId('event-count').textContent())!.replace(/\D/g, ''))).toBeLessThan(500_000);
  });

  test('?reader=off keeps every statement on the main engine', async ({ page }) => {
    await page.goto('./?reader=off');
    await waitForDashboard(page);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await readerOf(page)).toBeNull();
    await page.getByRole('link', { name: 'Datasets' }).click();
    await expect(page.getByTestId('engine')).toContainText('Analyses run on one thread: the threaded engine is turned off');
  });
});

test('on a static host without the headers, the service worker makes the next visit isolated', async ({ page }) => {
  test.setTimeout(240_000);
  // The build under test on a plain static server (no COOP / COEP), on a port of its own.
  const server: Server = await serveDist(0, process.env.E2E_DIST || undefined);
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  try {
    await page.goto(url);
    await waitForDashboard(page);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(await readerOf(page)).toBeNull();
    await page.getByRole('link', { name: 'Datasets' }).click();
    await expect(page.getByTestId('engine')).toHaveText('Analyses run on one thread: this page is not cross-origin isolated, so the threaded engine cannot start.');
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 60_000 });
    await page.reload();
    await waitForDashboard(page);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // The reader runs there too (`strata.reader` = on in this project): ready, current, two threads.
    await readerSettled(page);
    expect(await readerOf(page)).toMatchObject({ state: 'ready', current: true });
    await page.getByRole('link', { name: 'Datasets' }).click();
    await expect(page.getByTestId('engine')).toContainText('Analyses run on 2 threads, from a read-only snapshot');
  } finally {
    await new Promise((r) => server.close(r));
    server.closeAllConnections?.();
  }
});
