// The fault suite: ordinary actions at the worst moment (cancel, two writes at once, reload, a second tab, a full
// disk) and engine faults (a trap, a killed worker, a damaged file), on the production build in a persistent
// profile. After each: the app works within seconds, every stored dataset has its rows (counts and checksums),
// and nothing half-built is left (no orphan schema, catalog row, scratch table or dangling "current" setting).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import {
  Profile, addFiles, dbWorker, eventCsv, expectIntact, expectWorking, leftovers, storedPrints, test, waitIdle, type StoredPrint,
} from './fault-kit.ts';

/** After a restart the current dataset's segmentations are listed again (computed, or found up to date). */
async function expectSegmentsListed(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const s = (globalThis as any).strata;
    return (s.segmentsReady && s.writing === null) || s.segmentError !== null;
  }, null, { timeout: 60_000 });
  expect(await page.evaluate(() => (globalThis as any).strata.segmentError)).toBeNull();
}

const scratch = mkdtempSync(join(tmpdir(), 'strata-fault-files-'));
/** A few hundred thousand rows: long enough to cancel while it starts, reads, checks or builds. */
const BIG = eventCsv(scratch, 'big_events.csv', 400_000, 7);
const SMALL = eventCsv(scratch, 'small_events.csv', 2_000, 3);
/** Enough rows to need several megabytes of storage (the storage-full test allows half a megabyte more than is used). */
const MEDIUM = eventCsv(scratch, 'medium_events.csv', 60_000, 5);
test.afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let profile: Profile;
/**
 * The tests that import BIG to the end (or nearly) or generate a shop run on V8's default tiers (slower unoptimised);
 * the others on Liftoff only (fixtures.ts, `liftoff`): each start of the engine costs less CPU there.
 */
const FULL_TIERS = '@full-tiers';
// Each test starts on a copy of a profile that stores the demo shop: the app opens it as on any later visit.
test.beforeEach(({ demoProfile }, testInfo) => {
  profile = new Profile(demoProfile, { liftoff: !testInfo.tags.includes(FULL_TIERS) });
});
test.afterEach(async () => {
  const { uncaught, external } = profile;
  await profile.dispose();
  expect(external, 'requests that left the origin').toEqual([]);
  expect(uncaught, 'uncaught page errors').toEqual([]);
});

async function start(baseURL: string | undefined): Promise<{ page: Page; before: StoredPrint[] }> {
  const page = await profile.open(baseURL!);
  await expectWorking(page);
  return { page, before: await storedPrints(page) };
}

async function importButton(page: Page) {
  return page.getByRole('button', { name: /^Import \d files? as a new dataset$/ });
}

/**
 * Press Import, wait until the progress label matches `stage`, press Cancel; the import must say it changed nothing.
 * The label is watched every animation frame: a stage can last less than the gaps of an expect's polling (once, in
 * CI, "Reading" came and went unseen and the import finished).
 */
async function cancelAt(page: Page, stage: RegExp): Promise<void> {
  await (await importButton(page)).click();
  await page.waitForFunction(
    (src) => [...document.querySelectorAll('[role="status"]')].some((e) => new RegExp(src).test(e.textContent?.trim() ?? '')),
    stage.source,
    { polling: 'raf', timeout: 60_000 },
  );
  await page.getByRole('status').filter({ has: page.getByRole('button', { name: 'Cancel' }) }).getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('import-error')).toHaveText('Import cancelled — nothing was changed.', { timeout: 60_000 });
}

test('cancel at each import stage leaves nothing behind; then import, rename, delete and reload all work', async ({ baseURL }) => {
  test.setTimeout(600_000);
  const { page, before } = await start(baseURL);
  for (const stage of [/^Starting/, /^Reading/, /^Checking/, /^Building/]) {
    await addFiles(page, [BIG]);
    await cancelAt(page, stage);
    expect(await leftovers(page), `after cancelling at ${stage}`).toEqual([]);
    await page.getByRole('button', { name: 'Remove big_events.csv' }).click();
  }
  await expectWorking(page);
  await expectIntact(page, before);

  // The write path is not blocked by anything the cancels left open: import, rename, delete.
  await addFiles(page, [SMALL]);
  await (await importButton(page)).click();
  await expect(page.getByTestId('import-report')).toBeVisible({ timeout: 60_000 });
  await waitIdle(page);
  const afterImport = await storedPrints(page);
  expect(afterImport).toHaveLength(before.length + 1);
  const added = afterImport[afterImport.length - 1];
  expect(added.events).toBe(2000);
  await page.getByRole('link', { name: 'Datasets' }).click();
  const row = page.getByTestId(`dataset-${added.id}`);
  await row.getByRole('button', { name: 'Rename' }).click();
  await row.getByRole('textbox').fill('Renamed after cancels');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(row).toContainText('Renamed after cancels');
  const first = page.getByTestId(`dataset-${before[0].id}`);
  await first.getByRole('button', { name: 'Open' }).click();
  await expect(first).toContainText('in use');
  await row.getByRole('button', { name: 'Delete' }).click();
  await row.getByRole('button', { name: 'Delete for good' }).click();
  await expect(row).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);

  await page.reload();
  await expectWorking(page);
  await expectIntact(page, before);
  expect((await storedPrints(page)).map((d) => d.id)).toEqual(before.map((d) => d.id));
});

test('the database worker killed mid-query: the engine restarts from the stored file and says so', async ({ baseURL }) => {
  const { page, before } = await start(baseURL);
  // A statement that would run for hours (10^12 rows), then the worker dies under it.
  const running = page.evaluate(() =>
    (globalThis as any).strata.query('SELECT sum(hash(a.range * b.range)) AS n FROM range(1000000) a, range(1000000) b').then(() => 'finished', (e: Error) => e.message),
  );
  await page.waitForTimeout(500);
  await dbWorker(page).evaluate(() => (self as unknown as { close(): void }).close());
  expect(await running).toMatch(/database engine stopped/);
  await expect(page.getByRole('status').filter({ hasText: 'restarted from the stored file' })).toBeVisible({ timeout: 30_000 });
  await expectWorking(page);
  await expectSegmentsListed(page);
  await expectIntact(page, before);
  // Every screen works on the new engine.
  for (const [link, ready] of [['Pivot', 'pivot-table'], ['Retention', 'cohort-table'], ['Funnels', 'funnel-table'], ['Journeys', 'paths-table']] as const) {
    await page.getByRole('link', { name: link, exact: true }).click();
    await expect(page.getByTestId(ready)).toBeVisible({ timeout: 60_000 });
  }
});

test('the engine stops while files wait to be imported: after its restart they are added again, and the import lands', async ({ baseURL }) => {
  const { page, before } = await start(baseURL);
  await addFiles(page, [SMALL]);
  const file = page.getByTestId('import-file');
  await expect(file.getByLabel('File role')).toHaveValue('events');
  // Kill the database worker with the file registered in it (as a trap in DuckDB would).
  const first = dbWorker(page);
  await first.evaluate(() => (self as unknown as { close(): void }).close());
  await expect(page.getByRole('status').filter({ hasText: 'restarted from the stored file' })).toBeVisible({ timeout: 30_000 });
  // The file is probed again in the new engine: listed once, its role found, nothing said to be dropped.
  await expect(file).toHaveCount(1);
  await expect(file.getByLabel('File role')).toHaveValue('events', { timeout: 60_000 });
  await expect(page.getByTestId('import-error')).toHaveCount(0);
  await (await importButton(page)).click();
  await expect(page.getByTestId('import-report')).toBeVisible({ timeout: 60_000 });
  await waitIdle(page);
  expect((await expectIntact(page, before)).length).toBe(before.length + 1);
  // A file that stops the engine a second time is not added again: the session says it was dropped.
  await addFiles(page, [SMALL]);
  await expect(file.getByLabel('File role')).toHaveValue('events');
  const killed = new Set<unknown>([first]);
  const kill = async () => {
    // The database worker that runs now (a killed one can stay listed for a moment).
    let w = page.workers().filter((x) => /\/db\.worker/.test(x.url()) && !killed.has(x)).at(-1);
    for (let i = 0; !w && i < 300; i++) {
      await page.waitForTimeout(100);
      w = page.workers().filter((x) => /\/db\.worker/.test(x.url()) && !killed.has(x)).at(-1);
    }
    killed.add(w);
    await w!.evaluate(() => (self as unknown as { close(): void }).close());
  };
  await kill();
  await expect(file).toHaveCount(0);
  await expect(file.getByLabel('File role')).toHaveValue('events', { timeout: 60_000 });
  await kill();
  await expect(page.getByTestId('import-error')).toContainText('the files you had added were dropped', { timeout: 30_000 });
  await expect(file).toHaveCount(0);
  await expectWorking(page);
});

test('writes never interleave: while a shop is generated, import, delete, open and rename are refused; ids stay unique', { tag: FULL_TIERS }, async ({ baseURL }) => {
  test.setTimeout(300_000);
  const { page, before } = await start(baseURL);
  await addFiles(page, [SMALL]);
  await page.getByRole('button', { name: 'Generate another shop' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate another shop' });
  await dialog.getByLabel('Users').fill('6000');
  await dialog.getByLabel('Seed').fill('77');
  await dialog.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Creating|Simulating|Loading|Building/ }).first()).toBeVisible({ timeout: 30_000 });
  // Every other write is disabled while the generation runs.
  await expect(await importButton(page)).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Generate another shop' })).toBeDisabled();
  await page.getByRole('link', { name: 'Datasets' }).click();
  const first = page.getByTestId(`dataset-${before[0].id}`);
  await expect(first.getByRole('button', { name: 'Delete' })).toBeDisabled();
  await expect(first.getByRole('button', { name: 'Rename' })).toBeDisabled();
  await page.waitForFunction(() => (globalThis as any).strata.writing === null && (globalThis as any).strata.phase === 'ready', null, { timeout: 240_000 });
  // Then the import runs and gets the next id.
  await page.goto(baseURL + '#/import');
  await (await importButton(page)).click();
  await expect(page.getByTestId('import-report')).toBeVisible({ timeout: 60_000 });
  await waitIdle(page);
  const now = await expectIntact(page, before);
  expect(now.map((d) => d.id)).toEqual([...before.map((d) => d.id), before[0].id + 1, before[0].id + 2]);
  expect(now.map((d) => d.name).slice(-2)).toEqual(['Demo shop · 6,000 users · 365 days · seed 77', 'small_events.csv']);
});

test('delete and open are refused during an import; a reload mid-import leaves no half-built dataset', { tag: FULL_TIERS }, async ({ baseURL }) => {
  test.setTimeout(300_000);
  const { page, before } = await start(baseURL);
  await addFiles(page, [BIG]);
  await (await importButton(page)).click();
  await expect(page.getByRole('status').filter({ hasText: /^Checking|^Building/ })).toBeVisible({ timeout: 60_000 });
  await page.getByRole('link', { name: 'Datasets' }).click();
  const first = page.getByTestId(`dataset-${before[0].id}`);
  await expect(first.getByRole('button', { name: 'Delete' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Generate another shop' })).toBeDisabled();
  await page.goto(baseURL + '#/import');
  await expect(page.getByRole('status').filter({ hasText: /^Building|^Saving/ })).toBeVisible({ timeout: 120_000 });
  await page.reload();
  await expectWorking(page);
  await expectIntact(page, before);
  expect((await storedPrints(page)).length).toBe(before.length);
});

test('a second tab opened during an import works on a copy and the import still lands', { tag: FULL_TIERS }, async ({ baseURL }) => {
  test.setTimeout(300_000);
  const { page, before } = await start(baseURL);
  await addFiles(page, [BIG]);
  await (await importButton(page)).click();
  await expect(page.getByRole('status').filter({ hasText: /^Reading|^Checking/ })).toBeVisible({ timeout: 60_000 });
  const second = await profile.context!.newPage();
  await second.goto(baseURL!);
  await expect(second.getByTestId('storage-warning')).toContainText('already open in another tab');
  await expectWorking(second);
  await expect(page.getByTestId('import-report')).toBeVisible({ timeout: 240_000 });
  await second.close();
  await page.reload();
  await expectWorking(page);
  const now = await expectIntact(page, before);
  expect(now.length).toBe(before.length + 1);
  expect(now[now.length - 1].events).toBeGreaterThan(300_000);
});

test('a statement that traps the engine: it restarts from the stored file, says so, and every screen works', async ({ baseURL }) => {
  test.setTimeout(300_000);
  const { page, before } = await start(baseURL);
  // A 3 GB string: DuckDB-WASM traps ("memory access out of bounds") instead of failing the statement, which
  // poisons the instance; any later statement would fail or hang without the restart.
  const failed = await page.evaluate(() =>
    (globalThis as any).strata.query("SELECT length(repeat('abc', 1000000000)) AS n").then(() => 'finished', (e: Error) => e.message),
  );
  expect(failed).toMatch(/out of bounds|unreachable|RuntimeError/);
  await expect(page.getByRole('status').filter({ hasText: 'restarted from the stored file' })).toBeVisible({ timeout: 30_000 });
  await expectWorking(page);
  await expectSegmentsListed(page);
  expect(await page.evaluate(() => (globalThis as any).strata.storage)).toBe('persistent');
  await expectIntact(page, before);
  for (const [link, ready] of [['Pivot', 'pivot-table'], ['Retention', 'cohort-table'], ['Funnels', 'funnel-table'], ['Journeys', 'paths-table'], ['Data', 'table-info']] as const) {
    await page.getByRole('link', { name: link, exact: true }).click();
    await expect(page.getByTestId(ready).first()).toBeVisible({ timeout: 60_000 });
  }
  // Imports work again on the new engine.
  await addFiles(page, [SMALL]);
  await (await importButton(page)).click();
  await expect(page.getByTestId('import-report')).toBeVisible({ timeout: 60_000 });
  await waitIdle(page);
  expect((await expectIntact(page, before)).length).toBe(before.length + 1);
});

test('storage full mid-import: a clear message, nothing half-saved; with space again the import works', async ({ baseURL }) => {
  test.setTimeout(300_000);
  const { page, before } = await start(baseURL);
  await addFiles(page, [MEDIUM]);
  const cdp = await profile.context!.newCDPSession(page);
  const origin = new URL(baseURL!).origin;
  const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 512 * 1024 });
  await (await importButton(page)).click();
  await expect(page.getByTestId('import-error')).toContainText(/storage for this site is full|database engine stopped/, { timeout: 120_000 });
  // A refused write can leave the engine's memory out of step with its file: it restarts from the stored file.
  const restarted = page.getByRole('status').filter({ hasText: 'restarted from the stored file' });
  await expect(restarted).toBeVisible({ timeout: 30_000 });
  await expectWorking(page);
  // The segmentations are listed again, without computing anything into the full storage.
  await expectSegmentsListed(page);
  await expectIntact(page, before);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  await expectWorking(page);
  await expectIntact(page, before);
  // With space again, imports work (the files are added again: the engine restarted).
  await addFiles(page, [SMALL]);
  await (await importButton(page)).click();
  await expect(page.getByTestId('import-report')).toBeVisible({ timeout: 120_000 });
  await waitIdle(page);
  await page.reload();
  await expectWorking(page);
  expect((await expectIntact(page, before)).length).toBe(before.length + 1);
});

test('a damaged stored file: the app says so, offers read-only, download and memory, and never deletes it', async ({ baseURL }) => {
  test.setTimeout(300_000);
  const first = await profile.open(baseURL!);
  await expectWorking(first);
  await profile.close();
  // Damage the file's header from a page of the same origin that does not run the app.
  const doctor = await profile.open(baseURL + 'favicon.svg', { blockServiceWorkers: true });
  const digest = () =>
    doctor.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      const file = await (await root.getFileHandle('strata.db')).getFile();
      const hash = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
      return { size: file.size, hash: Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, '0')).join('') };
    });
  await doctor.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const w = await (await root.getFileHandle('strata.db')).createWritable({ keepExistingData: true });
    await w.write({ type: 'write', position: 0, data: new Uint8Array(8192).fill(0x5a) });
    await w.close();
  });
  const damaged = await digest();
  await profile.close();

  const page = await profile.open(baseURL!);
  const panel = page.getByTestId('recovery');
  await expect(panel).toBeVisible({ timeout: 60_000 });
  await expect(panel).toContainText('Nothing has been changed or deleted');
  await expect(page.getByTestId('recovery-reason')).not.toBeEmpty();
  const download = page.waitForEvent('download');
  await panel.getByRole('button', { name: 'Download the stored file' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('strata.db');
  await panel.getByRole('button', { name: 'Open it read-only' }).click();
  // A header this damaged does not open read-only either: the panel stays and says so.
  await expect(page.getByTestId('recovery-reason')).toContainText('Read-only did not work either', { timeout: 60_000 });
  await panel.getByRole('button', { name: /Continue without it/ }).click();
  await expectWorking(page);
  await expect(page.getByTestId('storage-warning')).toContainText('could not be opened and was left untouched');
  await profile.close();

  const again = await profile.open(baseURL + 'favicon.svg', { blockServiceWorkers: true });
  const after = await again.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const f = await (await root.getFileHandle('strata.db')).getFile();
    const hash = await crypto.subtle.digest('SHA-256', await f.arrayBuffer());
    return { size: f.size, hash: Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, '0')).join('') };
  });
  expect(after).toEqual(damaged);
});

test('the production build exposes only a read-only probe: no app object, no writes through it', async ({ baseURL }) => {
  const { page, before } = await start(baseURL);
  const surface = await page.evaluate(() => {
    const s = (globalThis as any).strata;
    return { keys: Object.keys(s).sort(), frozen: Object.isFrozen(s), db: 'db' in s, generate: 'generate' in s, importer: 'importer' in s };
  });
  expect(surface).toEqual({
    keys: ['dataset', 'datasets', 'error', 'importFiles', 'notice', 'phase', 'prefetch', 'queriesSent', 'query', 'reader', 'readerQuery', 'restarting', 'segmentError', 'segmentProgress', 'segmentsReady', 'storage', 'timings', 'version', 'writing'],
    frozen: true, db: false, generate: false, importer: false,
  });
  const schema = before[0] ? `ds_${before[0].id}` : 'ds_1';
  for (const attempt of [
    `DROP SCHEMA ${schema} CASCADE`,
    `SELECT 1) AS a; DROP SCHEMA ${schema} CASCADE; SELECT * FROM (SELECT 1`,
    `DELETE FROM ${schema}.events`,
    `CHECKPOINT`,
    `ATTACH ':memory:' AS x`,
    `COPY ${schema}.events TO 'out.csv'`,
    `SET schema = 'main'`,
  ]) {
    const r = await page.evaluate((sql) => (globalThis as any).strata.query(sql).then(() => 'ran', (e: Error) => `refused: ${e.message}`), attempt);
    expect(r, attempt).toMatch(/^refused: /);
  }
  expect(await page.evaluate(() => (globalThis as any).strata.query('SELECT 41 + 1 AS n').then((t: any) => Number(t.getChild('n').get(0))))).toBe(42);
  // 1.2 MB of bound values would trap DuckDB-WASM (its JSON parameter string on a 1 MiB stack): refused before
  // it reaches the engine, which keeps running.
  const big = await page.evaluate(() => {
    const values = Array.from({ length: 50_000 }, (_, i) => `value-${String(i).padStart(14, '0')}`);
    const marks = values.map(() => '?').join(',');
    return (globalThis as any).strata.query(`SELECT count(*) AS n FROM users WHERE user_id IN (${marks})`, values)
      .then(() => 'ran', (e: Error) => e.message);
  });
  expect(big).toMatch(/KB of values; the database engine takes at most 512 KB/);
  expect(await page.evaluate(() => (globalThis as any).strata.restarting)).toBe(false);
  await expectIntact(page, before);
  await expectWorking(page);
});
