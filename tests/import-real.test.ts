// Real data (../shared/data, see its README), imported with ZERO manual mapping (probe -> detect -> runImport) and
// checked against an independent computation: gunzip with node:zlib and a plain loop over the CSV records.
// Run: TZ=UTC node --import tsx --test tests/import-real.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { DEFAULT_OVERVIEW, decodeGeography, decodeKpis, geographySql, kpisSql } from '../src/analyses/overview/index.ts';
import type { ImportReport } from '../src/data/import/index.ts';
import { USER_METRICS_COVER_SQL } from '../src/data/user-metrics.ts';
import { importFiles, rows } from './fixtures/import/support.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { records } from './fixtures/csv.ts';
import { STORAGE_ORDER_SQL } from './fixtures/storage-order.ts';

const DATA = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const RETAIL = DATA + 'online_retail.csv.gz';
const REES = DATA + 'rees46_2019_oct_head.csv.gz';

function requireData(): void {
  for (const f of [RETAIL, REES]) {
    if (!existsSync(f)) {
      assert.fail(`Real-data test needs ${f}. Put the shared data folder (online_retail.csv.gz, ` +
        'rees46_2019_oct_head.csv.gz; see its README) at ../shared/data next to the project. Never copy it into the repo.');
    }
  }
}

const near = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-4, `${what}: expected ${expected}, got ${actual}`);

async function overview(db: Db) {
  const k = kpisSql(DEFAULT_OVERVIEW);
  const g = geographySql(DEFAULT_OVERVIEW);
  const kpis = decodeKpis(await db.query(k.text, k.params));
  // The import's user_metrics covers its events, and the all-time KPI row read from it is the same row.
  assert.deepEqual(await rows(db, USER_METRICS_COVER_SQL.text), [{ ok: true }]);
  const m = kpisSql(DEFAULT_OVERVIEW, true);
  assert.ok(m.text.includes('user_metrics'));
  // (Sums of money in another order: equal to 1e-12, not bit for bit.)
  const fromMetrics = decodeKpis(await db.query(m.text, m.params));
  const money = ['revenue', 'refunds', 'aov'] as const;
  for (const f of money) assert.ok(Math.abs(Number(fromMetrics[f]) - Number(kpis[f])) <= 1e-12 * Math.abs(Number(kpis[f])), `${f}: ${fromMetrics[f]} vs ${kpis[f]}`);
  assert.deepEqual({ ...fromMetrics, revenue: 0, refunds: 0, aov: 0 }, { ...kpis, revenue: 0, refunds: 0, aov: 0 });
  return { kpis, geo: decodeGeography(await db.query(g.text, g.params)) };
}

/** Native results, compared with DuckDB-WASM's at the end. */
const native: { retail?: ImportReport; rees?: ImportReport } = {};

describe('real data: UCI Online Retail (order lines)', () => {
  let db: Db;
  let report: ImportReport;
  before(async () => {
    requireData();
    db = await openNodeDb();
    const r = await importFiles(db, [RETAIL]);
    assert.equal(r.mappings[0].role, 'transactions');
    report = native.retail = r.report;
  });
  after(async () => db?.close());

  test('customers, orders, gross revenue and top 5 countries equal a plain pass over the CSV', async () => {
    const { header, data } = records(RETAIL);
    assert.deepEqual(header, ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country']);
    assert.equal(data.length, 541_909);
    // The usual cleaning: drop no CustomerID, cancellations (C...), Quantity <= 0, UnitPrice <= 0.
    // Revenue in thousandths of a unit, summed exactly as integers (prices have at most 3 decimals here).
    const customers = new Set<string>();
    const orders = new Set<string>();
    let milli = 0;
    const buyerRevenue = new Map<string, number>();
    // A customer's country in the Overview is their most frequent country over their loaded lines (purchases
    // and refunds: lines with a customer, a non-zero quantity and a positive price); ties go alphabetically.
    const countryLines = new Map<string, Map<string, number>>();
    for (const [invoice, , , qtyText, , priceText, customerText, country] of data) {
      if (!customerText) continue;
      const customer = String(Math.trunc(Number(customerText))); // 17850.0 -> 17850
      const qty = Number(qtyText);
      const price = Number(priceText);
      if (qty !== 0 && price > 0) {
        const m = countryLines.get(customer) ?? new Map<string, number>();
        m.set(country, (m.get(country) ?? 0) + 1);
        countryLines.set(customer, m);
      }
      if (invoice.startsWith('C') || qty <= 0 || price <= 0) continue;
      const line = qty * Math.round(price * 1000);
      customers.add(customer);
      orders.add(invoice);
      milli += line;
      buyerRevenue.set(customer, (buyerRevenue.get(customer) ?? 0) + line);
    }
    const revenue = milli / 1000;
    const byCountry = new Map<string, number>();
    for (const [customer, r] of buyerRevenue) {
      const counts = [...countryLines.get(customer)!].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      byCountry.set(counts[0][0], (byCountry.get(counts[0][0]) ?? 0) + r);
    }
    const top5 = [...byCountry].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([c, r]) => [c, r / 1000] as const);

    // The well-known figures of this dataset after this cleaning.
    assert.deepEqual([customers.size, orders.size], [4338, 18532]);
    near(revenue, 8911407.904, 'independent gross revenue');

    const { kpis, geo } = await overview(db);
    assert.deepEqual([kpis.buyers, kpis.orders], [customers.size, orders.size]);
    near(kpis.revenue, revenue, 'Overview revenue');
    assert.deepEqual([report.totals.buyers, report.totals.orders], [customers.size, orders.size]);
    near(report.totals.revenue, revenue, 'report revenue');
    assert.deepEqual(geo.slice(0, 5).map((g) => g.place), top5.map(([c]) => c));
    geo.slice(0, 5).forEach((g, i) => near(g.revenue, top5[i][1], `revenue of ${g.place}`));
    // Per-line attribution (8 customers have two countries) gives the same top 5 in the same order.
    const perLine = new Map<string, number>();
    for (const [invoice, , , q, , p, c, country] of data) {
      if (c && !invoice.startsWith('C') && Number(q) > 0 && Number(p) > 0) perLine.set(country, (perLine.get(country) ?? 0) + Number(q) * Number(p));
    }
    assert.deepEqual([...perLine].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([c]) => c), top5.map(([c]) => c));
  });

  test('the report accounts for every row: guests and free lines set aside, cancellations as refunds', async () => {
    const f = report.files[0];
    assert.equal(f.rowsRead, 541_909);
    assert.equal(f.rowsLoaded + f.rowsSetAside, f.rowsRead);
    const aside = Object.fromEntries(f.setAside.map((g) => [g.reason, g.count]));
    // 135,080 lines without CustomerID (README); 40 more with a customer but a zero price.
    assert.deepEqual(aside, { no_user: 135_080, non_positive_price: 40 });
    assert.ok(f.setAside.every((g) => g.samples.length === 5));
    assert.deepEqual(await rows(db, `SELECT event_type, count(*)::DOUBLE AS n FROM events GROUP BY 1 ORDER BY 1`), [
      { event_type: 'purchase', n: 397_884 }, { event_type: 'refund', n: 8_905 },
    ]);
    assert.equal(report.totals.events, f.rowsLoaded);
    assert.deepEqual(report.dateRange, { from: Date.UTC(2010, 11, 1, 8, 26), to: Date.UTC(2011, 11, 9, 12, 50) });
    assert.deepEqual(await rows(db, `SELECT count(*)::DOUBLE AS n FROM events WHERE user_id LIKE '%.0'`), [{ n: 0 }]);
  });

  test('events are stored by month, then customer, then time; event_id still numbers them 1..N in time order', async () => {
    assert.deepEqual(await rows(db, STORAGE_ORDER_SQL), [{ back: 0, split: 0 }]);
    assert.deepEqual(await rows(db, `SELECT
      (SELECT count(*) FROM (SELECT ts < lag(ts) OVER (ORDER BY rowid) AS b FROM events) WHERE b) > 0 AS not_time_order,
      (SELECT count(*) FROM (SELECT ts < lag(ts) OVER (ORDER BY event_id) AS b FROM events) WHERE b)::DOUBLE AS id_back,
      (SELECT min(event_id) FROM events)::DOUBLE AS lo, (SELECT max(event_id) FROM events)::DOUBLE AS hi,
      (SELECT count(DISTINCT event_id) FROM events)::DOUBLE AS ids`),
    [{ not_time_order: true, id_back: 0, lo: 1, hi: report.totals.events, ids: report.totals.events }]);
  });
});

describe('real data: REES46 events (first hours of 2019-10)', () => {
  let db: Db;
  let report: ImportReport;
  before(async () => {
    requireData();
    db = await openNodeDb();
    const r = await importFiles(db, [REES]);
    assert.equal(r.mappings[0].role, 'events');
    report = native.rees = r.report;
  });
  after(async () => db?.close());

  test('users, sessions and events per type equal a plain pass (exact duplicate rows set aside)', async () => {
    const { header, data } = records(REES);
    assert.deepEqual(header, ['event_time', 'event_type', 'product_id', 'category_id', 'category_code', 'brand', 'price', 'user_id', 'user_session']);
    assert.equal(data.length, 17_434);
    // Decision under test: a row identical to an earlier one in every column is a tracking double-fire and is
    // set aside (the README says 5 such rows exist). Everything else has a user and a readable time.
    const seen = new Set<string>();
    const kept = data.filter((r) => {
      const key = r.join('\u0001');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    assert.equal(data.length - kept.length, 5);
    const vocab: Record<string, string> = { view: 'product_view', cart: 'add_to_cart', purchase: 'purchase' };
    const users = new Set(kept.map((r) => r[7]));
    const sessions = new Set(kept.map((r) => r[8]));
    const perType: Record<string, number> = {};
    for (const r of kept) perType[vocab[r[1]]] = (perType[vocab[r[1]]] ?? 0) + 1;
    const purchases = kept.filter((r) => r[1] === 'purchase');
    // No order id in this data: one session's purchases are one order; revenue is the price (quantity 1).
    const orders = new Set(purchases.map((r) => r[8]));
    const buyers = new Set(purchases.map((r) => r[7]));
    const revenueCents = purchases.reduce((s, r) => s + Math.round(Number(r[6]) * 100), 0);

    assert.deepEqual([users.size, sessions.size], [4504, 5066]);
    assert.deepEqual(perType, { product_view: 17_051, add_to_cart: 164, purchase: 214 });

    const t = report.totals;
    assert.deepEqual([t.events, t.users, t.sessions, t.buyers, t.orders], [kept.length, users.size, sessions.size, buyers.size, orders.size]);
    assert.deepEqual(t.eventsByType, perType);
    near(t.revenue, revenueCents / 100, 'report revenue');
    const { kpis } = await overview(db);
    assert.deepEqual([kpis.users, kpis.buyers, kpis.orders], [users.size, buyers.size, orders.size]);
    near(kpis.revenue, revenueCents / 100, 'Overview revenue');
    assert.deepEqual(await rows(db, 'SELECT count(DISTINCT session_id)::DOUBLE AS n FROM events'), [{ n: sessions.size }]);
    assert.equal(report.sessionsDerived, false, 'user_session is used as the session id');
    const f = report.files[0];
    assert.deepEqual([f.rowsRead, f.rowsLoaded], [17_434, kept.length]);
    assert.deepEqual(f.setAside.map((g) => [g.reason, g.count]), [['duplicate', 5]]);
    assert.deepEqual(report.dateRange, { from: Date.UTC(2019, 9, 1), to: Date.parse(kept[kept.length - 1][0].replace(' UTC', 'Z').replace(' ', 'T')) });
  });
});

describe('real data on DuckDB-WASM (the browser engine, in Node) gives the native figures', () => {
  for (const [name, path] of [['retail', RETAIL], ['rees', REES]] as const) {
    test(name, async () => {
      requireData();
      const db = await openWasmDb();
      try {
        const { report } = await importFiles(db, [path]);
        const mine = native[name];
        assert.ok(mine, 'the native import ran first');
        const { revenue, refunds, ...counts } = report.totals;
        const { revenue: r0, refunds: f0, ...counts0 } = mine.totals;
        assert.deepEqual(counts, counts0);
        near(revenue, r0, 'revenue');
        near(refunds, f0, 'refunds');
        assert.deepEqual(report.files.map((f) => [f.rowsRead, f.rowsLoaded, f.setAside.map((g) => [g.reason, g.count])]),
          mine.files.map((f) => [f.rowsRead, f.rowsLoaded, f.setAside.map((g) => [g.reason, g.count])]));
      } finally {
        await db.close();
      }
    });
  }
});
