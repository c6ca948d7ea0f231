// Tools for the fault suite: a persistent Chromium profile (what a user's browser keeps between visits), what is
// stored read through the page's read-only probe (row counts and checksums per dataset, orphans), and the
// conditions every fault test ends with: the app works within seconds and every stored dataset is intact.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, expect, test as base, type BrowserContext, type Page } from '@playwright/test';
import { chromiumPath, LAUNCH_ARGS, LIFTOFF_ONLY } from './browser.ts';
import { waitForDashboard } from './fixtures.ts';
import { DEMO_PROFILE_OPTIONS, copyProfile, demoProfileFixture, removeProfile } from './demo-profile.ts';

/** `test` with the worker's template profile that stores the demo shop (demo-profile.ts), for Profile. */
export const test = base.extend<object, { demoProfile: string }>({
  demoProfile: [demoProfileFixture, DEMO_PROFILE_OPTIONS],
});

/** A browser profile kept across "visits" (contexts), removed at the end: a copy of `template` (a profile that
 *  stores the demo shop, so the first visit opens it instead of generating it), or empty without one. */
export class Profile {
  readonly dir: string;
  /** Uncaught page errors (console errors are expected in fault tests; uncaught exceptions are not). */
  readonly uncaught: string[] = [];
  /** Requests that left the page's origin. */
  readonly external: string[] = [];
  context: BrowserContext | null = null;

  /**
   * `liftoff`: the browser compiles DuckDB-WASM with V8's baseline compiler only (LIFTOFF_ONLY, e2e/browser.ts: ~2.6 s
   * less CPU for each start of the engine on a 2-core machine), for the tests that import or generate nothing large.
   */
  constructor(template?: string, private readonly opts: { liftoff?: boolean } = {}) {
    this.dir = copyProfile(template);
  }

  /** Start the browser on this profile and open a page at `url`. */
  async open(url: string, opts: { blockServiceWorkers?: boolean } = {}): Promise<Page> {
    this.context = await chromium.launchPersistentContext(this.dir, {
      executablePath: chromiumPath(), args: this.opts.liftoff ? [...LAUNCH_ARGS, LIFTOFF_ONLY] : LAUNCH_ARGS, headless: true, viewport: { width: 1400, height: 900 }, acceptDownloads: true,
      serviceWorkers: opts.blockServiceWorkers ? 'block' : 'allow',
    });
    const origin = new URL(url).origin;
    this.context.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin) this.external.push(u);
    });
    const watch = (p: Page) => p.on('pageerror', (e) => this.uncaught.push(String(e)));
    this.context.on('page', watch);
    const page = this.context.pages()[0] ?? (await this.context.newPage());
    watch(page);
    await page.goto(url);
    return page;
  }

  /** Close the browser (like quitting it); the profile stays. */
  async close(): Promise<void> {
    await this.context?.close();
    this.context = null;
  }

  /** Close and delete the profile. */
  async dispose(): Promise<void> {
    await this.close().catch(() => undefined);
    removeProfile(this.dir);
  }
}

/** One stored dataset as the fault tests compare it: rows and a checksum over every event and user. */
export interface StoredPrint {
  id: number;
  name: string;
  events: number;
  users: number;
  eventsHash: string;
  usersHash: string;
}

/** Run a read-only statement through the page's probe; rows as plain objects. */
export async function probeRows(page: Page, sql: string): Promise<Record<string, unknown>[]> {
  return page.evaluate(async (text) => {
    const t = await (globalThis as any).strata.query(text);
    return t.toArray().map((r: any) => {
      const o = r.toJSON();
      for (const k of Object.keys(o)) if (typeof o[k] === 'bigint') o[k] = Number(o[k]);
      return o;
    });
  }, sql);
}

/** Every stored dataset with counts and checksums (through the probe, so in the page's own engine). */
export async function storedPrints(page: Page): Promise<StoredPrint[]> {
  const list = await page.evaluate(() => (globalThis as any).strata.datasets as { id: number; schema: string; name: string }[]);
  const out: StoredPrint[] = [];
  for (const d of [...list].sort((a, b) => a.id - b.id)) {
    const s = `"${d.schema.replace(/"/g, '""')}"`;
    const [r] = await probeRows(page, `SELECT
      (SELECT count(*) FROM ${s}.events)::DOUBLE AS events,
      (SELECT count(*) FROM ${s}.users)::DOUBLE AS users,
      (SELECT sum(hash(event_id, user_id, session_id, event_type, ts, revenue)) FROM ${s}.events)::VARCHAR AS eh,
      (SELECT sum(hash(user_id)) FROM ${s}.users)::VARCHAR AS uh`);
    out.push({ id: d.id, name: d.name, events: Number(r.events), users: Number(r.users), eventsHash: String(r.eh), usersHash: String(r.uh) });
  }
  return out;
}

/** Leftovers of interrupted work: unregistered ds_N schemas, rows without tables, scratch tables anywhere. */
export async function leftovers(page: Page): Promise<string[]> {
  const rows = await probeRows(page, `
    SELECT 'schema ' || schema_name AS what FROM duckdb_schemas()
      WHERE database_name = current_database() AND schema_name LIKE 'ds\\_%' ESCAPE '\\'
        AND schema_name NOT IN (SELECT schema_name FROM strata_meta.datasets)
    UNION ALL
    SELECT 'row ' || d.name FROM strata_meta.datasets d
      WHERE NOT EXISTS (SELECT 1 FROM duckdb_tables() t WHERE t.schema_name = d.schema_name AND t.table_name = 'events')
    UNION ALL
    SELECT 'table ' || schema_name || '.' || table_name FROM duckdb_tables()
      WHERE database_name = current_database()
        AND (table_name LIKE '%\\_next' ESCAPE '\\' OR table_name LIKE 'stg\\_%' ESCAPE '\\' OR table_name LIKE 'strata\\_import\\_%' ESCAPE '\\')
    UNION ALL
    SELECT 'setting current -> ' || value FROM strata_meta.settings
      WHERE key = 'current' AND value NOT IN (SELECT id::VARCHAR FROM strata_meta.datasets)`);
  return rows.map((r) => String(r.what));
}

/** Wait until no write is running (an import's report shows a moment before its dataset is opened). */
export async function waitIdle(page: Page): Promise<void> {
  await page.waitForFunction(() => (globalThis as any).strata.writing === null, null, { timeout: 60_000 });
}

/** The app is usable: the Overview shows KPIs, no write is stuck, no engine restart pending. */
export async function expectWorking(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const s = (globalThis as any).strata;
    return s && s.phase === 'ready' && !s.restarting && s.writing === null;
  }, null, { timeout: 60_000 });
  if (!page.url().includes('#/overview')) await page.getByRole('link', { name: 'Overview', exact: true }).click();
  await waitForDashboard(page);
}

/** Every dataset of `before` is stored with the same rows; nothing half-built is left. */
export async function expectIntact(page: Page, before: StoredPrint[]): Promise<StoredPrint[]> {
  const now = await storedPrints(page);
  for (const b of before) expect(now.find((n) => n.id === b.id), `dataset ${b.id} (${b.name})`).toEqual(b);
  expect(await leftovers(page)).toEqual([]);
  return now;
}

/** Write an event CSV of `rows` rows (user, time, type, price) to a temp file; big enough to cancel mid-way. */
export function eventCsv(dir: string, name: string, rows: number, seed = 1): string {
  const types = ['page_view', 'product_view', 'add_to_cart', 'purchase'];
  const lines = ['user_id,event_time,event_type,price,product_id'];
  let x = seed >>> 0;
  // mulberry32: a full-period generator, so no two rows repeat by construction of the generator.
  const rnd = () => {
    x = (x + 0x6d2b79f5) >>> 0;
    let t = x;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const t0 = Date.UTC(2025, 0, 1);
  for (let i = 0; i < rows; i++) {
    const t = new Date(t0 + Math.floor(rnd() * 180 * 86_400_000)).toISOString().replace('T', ' ').slice(0, 19);
    const type = types[Math.floor(rnd() * 4)];
    lines.push(`u${Math.floor(rnd() * 20_000)},${t},${type},${type === 'purchase' ? (5 + rnd() * 95).toFixed(2) : ''},p${Math.floor(rnd() * 500)}`);
  }
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** Add files on the Import screen and wait until the Import button is ready. */
export async function addFiles(page: Page, paths: string[]): Promise<void> {
  await page.goto(page.url().replace(/#.*$/, '') + '#/import');
  await page.getByLabel('Choose files to import').setInputFiles(paths);
  await expect(page.getByRole('button', { name: /^Import \d files? as a new dataset$/ })).toBeEnabled({ timeout: 60_000 });
}

/** The page's database worker (ours, not DuckDB's inner one). */
export function dbWorker(page: Page) {
  const w = page.workers().find((x) => /\/db\.worker/.test(x.url()));
  if (!w) throw new Error(`no database worker among ${page.workers().map((x) => x.url()).join(', ')}`);
  return w;
}
