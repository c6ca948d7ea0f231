// Import benchmark: a generated 1M-row CSV and online_retail.csv.gz, read_csv and the full import, WASM vs native.
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { head } from '../e2e/import-reference.ts';
import { basename, join } from 'node:path';
import { once } from 'node:events';
import { openNodeDb } from '../src/db/node-db.ts';
import { literal } from '../src/sql/quote.ts';
import { probe, planFor, runImport } from '../src/data/import/index.ts';
import type { BrowserRig } from './browser.ts';
import { ROOT } from './build.ts';
import { median, shortReason } from './queries.ts';
import type { Cell, Row } from './table.ts';

const DATA = join(ROOT, '..', 'shared', 'data');

/** Write a deterministic 1M-row events CSV (user, time, type, product, price, session) once, and reuse it. */
async function eventsCsv(): Promise<string> {
  const dir = join(ROOT, 'bench', 'out');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'events-1m.csv');
  if (existsSync(path)) return path;
  const out = createWriteStream(path);
  out.write('user_id,event_time,event_type,product_id,price,user_session\n');
  const types = ['view', 'view', 'view', 'view', 'cart', 'view', 'purchase', 'view'];
  let t = Date.UTC(2024, 0, 1) / 1000;
  for (let i = 0; i < 1_000_000; i++) {
    t += (i * 7919) % 13;
    const u = (i * 2654435761) % 60_000;
    const line = `u${u},${new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 19)} UTC,${types[i % 8]},p${(i * 31) % 5000},${((i * 17) % 50000) / 100},s${u}-${Math.floor(i / 4000)}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return path;
}

/**
 * Write a deterministic relational shop export once (Olist's shape): 100K customers (70K persons), 100K orders
 * (one customer key each; 3% canceled, 1% refunded), 150K order lines, 100K payments; reused after.
 */
async function relationalCsvs(): Promise<string[]> {
  const dir = join(ROOT, 'bench', 'out', 'relational');
  mkdirSync(dir, { recursive: true });
  const files: [string, string, (i: number) => string | null, number][] = [
    ['customers.csv', 'customer_id,customer_unique_id,customer_zip_code_prefix,customer_city,customer_state', (i) => `c${i},p${(i * 7) % 70_000},${10000 + (i % 900)},city${i % 500},S${i % 27}`, 100_000],
    ['orders.csv', 'order_id,customer_id,order_status,order_purchase_timestamp', (i) => {
      const t = new Date(Date.UTC(2017, 0, 1) + ((i * 2654435761) % (730 * 86_400)) * 1000).toISOString().replace('T', ' ').slice(0, 19);
      const status = i % 100 < 3 ? 'canceled' : i % 100 === 3 ? 'refunded' : i % 100 < 10 ? 'shipped' : 'delivered';
      return `o${i},c${i},${status},${t}`;
    }, 100_000],
    ['order_items.csv', 'order_id,order_item_id,product_id,seller_id,price,freight_value', (i) => `o${i % 100_000},${1 + Math.floor(i / 100_000)},pr${(i * 31) % 8000},s${i % 300},${(10 + (i * 17) % 50000 / 100).toFixed(2)},${((i * 13) % 3000 / 100).toFixed(2)}`, 150_000],
    ['order_payments.csv', 'order_id,payment_sequential,payment_type,payment_installments,payment_value', (i) => `o${i},1,${i % 5 ? 'credit_card' : 'boleto'},${1 + (i % 6)},${(20 + (i * 19) % 60000 / 100).toFixed(2)}`, 100_000],
  ];
  const paths: string[] = [];
  for (const [name, header, line, n] of files) {
    const path = join(dir, name);
    paths.push(path);
    if (existsSync(path)) continue;
    const out = createWriteStream(path);
    out.write(header + '\n');
    for (let i = 0; i < n; i++) {
      const l = line(i);
      if (l !== null && !out.write(l + '\n')) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  }
  return paths;
}

/** The whole relational import (probe excluded), native and in the page. */
async function relationalNative(paths: string[]): Promise<Timings> {
  const db = await openNodeDb({ threads: 1 });
  try {
    const sources = paths.map((p) => ({ name: p, displayName: basename(p), size: statSync(p).size, head: head(p) }));
    const probes = [];
    for (const s of sources) probes.push(await probe(db, s));
    const t0 = performance.now();
    const report = await runImport(db, planFor(probes), sources);
    if (!report.relational) throw new Error('not read as a relational export');
    return { read: [], full: performance.now() - t0 };
  } catch (err) {
    return { read: [], full: null, error: shortReason(err) };
  } finally {
    await db.close();
  }
}

async function relationalBrowser(rig: BrowserRig, paths: string[]): Promise<Timings> {
  const context = await rig.browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(rig.url + '#/import');
    await page.waitForFunction(() => (globalThis as any).strata?.phase === 'ready', null, { timeout: 180_000 });
    await page.getByLabel('Choose files to import').setInputFiles(paths);
    await page.waitForFunction((n) => {
      const f = (globalThis as any).strata.importer.files;
      return f.length === n && f.every((x: any) => x.status === 'ready');
    }, paths.length, { timeout: 180_000 });
    return await page.evaluate(async () => {
      const s = (globalThis as any).strata;
      const t0 = performance.now();
      const rec = await s.importData();
      if (!rec) throw new Error(s.importer.error ?? 'import failed');
      return { read: [], full: performance.now() - t0 };
    });
  } catch (err) {
    return { read: [], full: null, error: shortReason(err) };
  } finally {
    await context.close();
  }
}

interface Timings {
  read: number[];
  full: number | null;
  error?: string;
}

async function native(path: string, runs: number): Promise<Timings> {
  const db = await openNodeDb({ threads: 1 });
  try {
    const read: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const t0 = performance.now();
      await db.exec(`CREATE OR REPLACE TEMP TABLE bench_read AS SELECT * FROM read_csv(${literal(path)})`);
      if (i > 0) read.push(performance.now() - t0);
    }
    await db.exec('DROP TABLE bench_read');
    const source = { name: path, displayName: basename(path), size: statSync(path).size, head: head(path) };
    const t0 = performance.now();
    await runImport(db, planFor([await probe(db, source)]), [source]);
    return { read, full: performance.now() - t0 };
  } catch (err) {
    return { read: [], full: null, error: shortReason(err) };
  } finally {
    await db.close();
  }
}

async function browser(rig: BrowserRig, path: string, runs: number): Promise<Timings> {
  const context = await rig.browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(rig.url + '#/import');
    await page.waitForFunction(() => (globalThis as any).strata?.phase === 'ready', null, { timeout: 180_000 });
    await page.getByLabel('Choose files to import').setInputFiles(path);
    await page.waitForFunction(() => (globalThis as any).strata.importer.files[0]?.status === 'ready', null, { timeout: 180_000 });
    return await page.evaluate(async (n) => {
      const s = (globalThis as any).strata;
      const name = s.importer.files[0].source.name;
      const read: number[] = [];
      for (let i = 0; i <= n; i++) {
        const t0 = performance.now();
        await s.db.exec(`CREATE OR REPLACE TEMP TABLE bench_read AS SELECT * FROM read_csv('${name.replaceAll("'", "''")}')`);
        if (i > 0) read.push(performance.now() - t0);
      }
      await s.db.exec('DROP TABLE bench_read');
      const t0 = performance.now();
      const rec = await s.importData();
      if (!rec) throw new Error(s.importer.error ?? 'import failed');
      return { read, full: performance.now() - t0 };
    }, runs);
  } catch (err) {
    return { read: [], full: null, error: shortReason(err) };
  } finally {
    await context.close();
  }
}

const cell = (t: Timings, v: number | null): Cell => (t.error ? { text: `failed: ${t.error}` } : v === null ? null : { ms: v });

/** Rows for both files: read_csv alone (median of `runs`) and the whole import (probe excluded, one run). */
export async function benchImports(rig: BrowserRig, runs: number, log: (m: string) => void): Promise<Row[]> {
  const files = [await eventsCsv(), join(DATA, 'online_retail.csv.gz')];
  const rows: Row[] = [];
  for (const path of files) {
    if (!existsSync(path)) {
      rows.push({ size: basename(path), step: 'import', wasm: { text: `missing: ${path}` }, native: null });
      continue;
    }
    const size = `import ${basename(path)} (${(statSync(path).size / 1e6).toFixed(1)} MB)`;
    log(`${size}: native`);
    const n = await native(path, runs);
    log(`${size}: browser`);
    const w = await browser(rig, path, runs);
    rows.push(
      { size, step: 'read_csv into a table (auto-detect)', wasm: cell(w, w.read.length ? median(w.read) : null), native: cell(n, n.read.length ? median(n.read) : null) },
      { size, step: 'full import (map, clean, sessions, user_metrics, install)', wasm: cell(w, w.full), native: cell(n, n.full) },
    );
  }
  rows.push(await benchRelationalImport(rig, log));
  return rows;
}

/** The relational export (relationalCsvs) imported whole, in the page and natively: one run each. */
export async function benchRelationalImport(rig: BrowserRig, log: (m: string) => void): Promise<Row> {
  const rel = await relationalCsvs();
  const size = 'relational import: 100K orders, 150K lines, 100K customers, 100K payments';
  log(`${size}: native`);
  const n = await relationalNative(rel);
  log(`${size}: browser`);
  const w = await relationalBrowser(rig, rel);
  return { size, step: 'full import (join by keys, persons, statuses, sessions, user_metrics, install)', wasm: cell(w, w.full), native: cell(n, n.full) };
}
