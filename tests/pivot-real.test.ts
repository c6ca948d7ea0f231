// Pivots on real data: online_retail.csv.gz and rees46_2019_oct_head.csv.gz imported as a user would (probe ->
// detect -> runImport, no manual mapping), then pivots at both grains checked cell by cell — every cell, every
// row and column subtotal and the grand total — against an independent TypeScript pass over the CSV rows (a plain
// loop that groups the rows and computes each measure; README "Pivot semantics"). Events-grain pivots whose
// measures all roll up run without GROUPING SETS (pivotRollupSql), the others with them: both are checked here.
// Both engines (native DuckDB and DuckDB-WASM).
// Run: TZ=UTC node --import tsx --test tests/pivot-real.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import type { Sql } from '../src/sql/quote.ts';
import { decodeFields, fieldsSql, type Field } from '../src/analyses/fields.ts';
import { leaves, runPivot, validatePivotSpec, type Key, type PivotRun } from '../src/analyses/pivot/index.ts';
import { importFiles } from './fixtures/import/support.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { DATA, RETAIL, records } from './fixtures/online-retail.ts';

const REES = DATA + 'rees46_2019_oct_head.csv.gz';

/** One loaded event as the independent pass sees it (the fields the pivots below read). */
interface Ev {
  user: string;
  type: string;
  /** Revenue in thousandths (exact integers); null when the event has none. */
  milli: number | null;
  price: number;
  quantity: number | null;
  ms: number;
  order: string | null;
  product: string;
  /** Dimension values: country / brand, and the time. */
  place: string | null;
}

/**
 * Online Retail lines as events: a line with a customer and a positive price is loaded (the report sets the others
 * aside); a purchase unless it is a cancellation ("C...") or has a negative quantity, then a refund, whose quantity
 * and revenue are stored as positive amounts. Revenue = quantity × price.
 */
function retailEvents(): Ev[] {
  const { header, data } = records(RETAIL);
  assert.deepEqual(header, ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country']);
  const out: Ev[] = [];
  for (const [invoice, stock, , qtyText, date, priceText, customerText, country] of data) {
    const price = Number(priceText);
    if (!customerText || !(price > 0)) continue;
    const quantity = Number(qtyText);
    assert.ok(quantity !== 0 && Number.isInteger(quantity), `quantity ${qtyText}`);
    const purchase = !invoice.startsWith('C') && quantity > 0;
    const milliPrice = Math.round(price * 1000);
    assert.ok(Math.abs(price * 1000 - milliPrice) < 1e-6, `price ${priceText} has more than 3 decimals`);
    out.push({
      user: String(Math.trunc(Number(customerText))),
      type: purchase ? 'purchase' : 'refund',
      milli: Math.abs(quantity) * milliPrice,
      price,
      quantity: Math.abs(quantity),
      ms: Date.parse(date.replace(' ', 'T') + 'Z'),
      order: invoice.replace(/^C/, ''),
      product: stock,
      place: country,
    });
  }
  assert.deepEqual([out.filter((e) => e.type === 'purchase').length, out.filter((e) => e.type === 'refund').length], [397_884, 8_905]);
  return out;
}

/** REES46 rows as events, an exact duplicate of an earlier row set aside (the import does; 5 in this file). */
function reesEvents(): Ev[] {
  const { header, data } = records(REES);
  assert.deepEqual(header, ['event_time', 'event_type', 'product_id', 'category_id', 'category_code', 'brand', 'price', 'user_id', 'user_session']);
  const TYPES: Record<string, string> = { view: 'product_view', cart: 'add_to_cart', purchase: 'purchase' };
  const seen = new Set<string>();
  const out: Ev[] = [];
  for (const r of data) {
    const key = r.join('\u0001');
    if (seen.has(key)) continue;
    seen.add(key);
    const type = TYPES[r[1]];
    assert.ok(type, `event type ${r[1]}`);
    const price = Number(r[6]);
    const milliPrice = Math.round(price * 1000);
    assert.ok(Math.abs(price * 1000 - milliPrice) < 1e-6, `price ${r[6]}`);
    out.push({
      user: r[7],
      type,
      // A purchase's revenue is its price (one item per row); views and cart adds carry none.
      milli: type === 'purchase' ? milliPrice : null,
      price,
      quantity: null,
      ms: Date.parse(r[0].replace(' UTC', 'Z').replace(' ', 'T')),
      order: null,
      product: r[2],
      place: r[5] === '' ? null : r[5],
    });
  }
  assert.equal(data.length - out.length, 5);
  return out;
}

const MONTH = (ms: number) => { const d = new Date(ms); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1); };
const HOUR = (ms: number) => new Date(ms).getUTCHours();

/** The N values highest by `rank` over `evs` (ties by value), as the pivot's top-N bucket picks them. */
function topN(evs: readonly Ev[], n: number, rank: (group: readonly Ev[]) => number | null): string[] {
  const by = groupBy(evs, (e) => e.place);
  by.delete(null);
  const ranked = [...by].map(([v, g]) => [v as string, rank(g)] as const);
  ranked.sort((a, b) => (b[1] ?? -Infinity) - (a[1] ?? -Infinity) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return ranked.slice(0, n).map(([v]) => v);
}

function groupBy<K>(evs: readonly Ev[], key: (e: Ev) => K): Map<K, Ev[]> {
  const out = new Map<K, Ev[]>();
  for (const e of evs) {
    const k = key(e);
    const g = out.get(k);
    if (g) g.push(e);
    else out.set(k, [e]);
  }
  return out;
}

// The measures, written over a group's events without SQL.
const users = (g: readonly Ev[]) => new Set(g.map((e) => e.user)).size;
const buyers = (g: readonly Ev[]) => new Set(g.filter((e) => e.type === 'purchase').map((e) => e.user)).size;
const revenueMilli = (g: readonly Ev[]) => g.reduce((s, e) => s + (e.type === 'purchase' ? e.milli ?? 0 : 0), 0);
const orders = (g: readonly Ev[]) => new Set(g.filter((e) => e.type === 'purchase').map((e) => e.order)).size;
const MEASURES = {
  users,
  events: (g: readonly Ev[]) => g.length,
  conversion: (g: readonly Ev[]) => buyers(g) / users(g),
  revenue: (g: readonly Ev[]) => revenueMilli(g) / 1000,
  orders,
  aov: (g: readonly Ev[]) => (orders(g) ? revenueMilli(g) / 1000 / orders(g) : null),
  sumQuantity: (g: readonly Ev[]) => g.reduce((s, e) => s + (e.quantity ?? 0), 0),
  maxPrice: (g: readonly Ev[]) => g.reduce((m, e) => Math.max(m, e.price), -Infinity),
  minPrice: (g: readonly Ev[]) => g.reduce((m, e) => Math.min(m, e.price), Infinity),
  sumPrice: (g: readonly Ev[]) => g.reduce((s, e) => s + Math.round(e.price * 1000), 0) / 1000,
  minTime: (g: readonly Ev[]) => g.reduce((m, e) => Math.min(m, e.ms), Infinity),
  medianPrice: (g: readonly Ev[]) => {
    const s = g.map((e) => e.price).sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  },
  distinctProducts: (g: readonly Ev[]) => new Set(g.map((e) => e.product)).size,
  stddevPrice: (g: readonly Ev[]) => {
    if (g.length < 2) return null;
    const mean = g.reduce((s, e) => s + e.price, 0) / g.length;
    return Math.sqrt(g.reduce((s, e) => s + (e.price - mean) ** 2, 0) / (g.length - 1));
  },
} satisfies Record<string, (g: readonly Ev[]) => number | null>;
type MeasureName = keyof typeof MEASURES;
/** Measures summed from parts of different sizes, compared to a relative 1e-9 (DuckDB adds doubles in its own order). */
const INEXACT = new Set<MeasureName>(['revenue', 'aov', 'sumPrice', 'stddevPrice']);

/**
 * Compare every cell and subtotal of a one-row-dimension, one-column-dimension pivot with the independent pass:
 * `row` / `col` give an event's key (as the pivot's key), `measures` the independent measure of each column.
 * Cells with no events must be absent from the pivot, and the pivot must have no cell the pass lacks.
 */
function checkCells(run: PivotRun, evs: readonly Ev[], row: (e: Ev) => Key, col: (e: Ev) => Key, measures: readonly MeasureName[], what: string): number {
  const res = run.result;
  const expected = new Map<string, { rk: Key[]; ck: Key[]; g: Ev[] }>();
  const add = (rk: Key[], ck: Key[], e: Ev) => {
    const k = JSON.stringify([rk, ck]);
    const cell = expected.get(k);
    if (cell) cell.g.push(e);
    else expected.set(k, { rk, ck, g: [e] });
  };
  for (const e of evs) {
    const r = row(e);
    const c = col(e);
    add([r], [c], e);
    add([r], [], e);
    add([], [c], e);
    add([], [], e);
  }
  // The pivot's own cells: every row path (leaves and the total) against every column path.
  const rowPaths = [[], ...leaves(res.rowTree).map((n) => n.keys)];
  const colPaths = [[], ...leaves(res.colTree).map((n) => n.keys)];
  let present = 0;
  for (const rk of rowPaths) for (const ck of colPaths) if (res.raw(rk, ck, 0) !== undefined) present++;
  assert.equal(present, expected.size, `${what}: the pivot has the cells the pass has`);
  for (const { rk, ck, g } of expected.values()) {
    measures.forEach((name, m) => {
      const want = MEASURES[name](g);
      const got = res.raw(rk, ck, m);
      const where = `${what}: ${name} at row ${JSON.stringify(rk)}, column ${JSON.stringify(ck)}`;
      assert.notEqual(got, undefined, `${where}: missing`);
      if (want === null || !INEXACT.has(name)) assert.equal(got, want, where);
      else assert.ok(Math.abs(got! - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${where}: ${got} vs ${want}`);
    });
  }
  return expected.size;
}

const labelsOf = (run: PivotRun) => run.result.rowTree.children.map((n) => n.labels[0]);

/**
 * A real file imported into a fresh database as a user would, for one describe block: its events as the plain loop
 * reads them, and pivots run on it with the app's runPivot.
 */
function realData(open: () => Promise<Db>, path: string, read: () => Ev[]) {
  let db: Db | null = null;
  let fields: Field[] = [];
  let evs: Ev[] = [];
  before(async () => {
    if (!existsSync(path)) assert.fail(`Real-data test needs ${path}: put the shared data folder (see its README) at ../shared/data.`);
    db = await open();
    await importFiles(db, [path]);
    const f = fieldsSql();
    fields = decodeFields(await db.query(f.text, f.params));
    evs = read();
  });
  after(async () => db?.close());
  return {
    get evs(): readonly Ev[] {
      return evs;
    },
    pivot: (spec: unknown) => runPivot((q: Sql) => db!.query(q.text, q.params), validatePivotSpec(spec), fields),
  };
}

function suite(engine: string, open: () => Promise<Db>) {
  describe(`pivots on real data (${engine})`, () => {
    describe('UCI Online Retail', () => {
      const data = realData(open, RETAIL, retailEvents);
      const pivot = data.pivot;

      test('events grain, top 5 countries × month: users, conversion, events, revenue, sum of quantity, max price, first time (no GROUPING SETS)', async () => {
        const measures: MeasureName[] = ['users', 'conversion', 'events', 'revenue', 'sumQuantity', 'maxPrice', 'minTime'];
        const run = await pivot({
          grain: 'events',
          rows: [{ field: 'e.country', bucket: { kind: 'top', n: 5 } }],
          cols: [{ field: 'e.ts', bucket: { kind: 'date', unit: 'month' } }],
          measures: [{ agg: 'users' }, { agg: 'conversion' }, { agg: 'events' }, { agg: 'revenue' },
            { agg: 'sum', field: 'e.quantity' }, { agg: 'max', field: 'e.price' }, { agg: 'min', field: 'e.ts' }],
        });
        assert.ok(!run.sql.text.includes('GROUPING SETS'), 'every measure rolls up');
        // Top 5 by the first measure (distinct customers), the rest as "Other".
        const top = topN(data.evs, 5, users);
        assert.deepEqual(top, ['United Kingdom', 'Germany', 'France', 'Spain', 'Belgium']);
        assert.deepEqual(labelsOf(run), [...top, 'Other']);
        const rowKey = (e: Ev) => { const i = top.indexOf(e.place!); return i < 0 ? top.length : i; };
        const cells = checkCells(run, data.evs, rowKey, (e) => MONTH(e.ms), measures, 'retail by country and month');
        assert.equal(cells, 6 * 13 + 6 + 13 + 1, 'every country group buys or refunds in every one of the 13 months');
        // Two figures pinned: the grand total's users (every loaded customer) and revenue (tests/import-real.test.ts).
        assert.equal(run.result.raw([], [], 0), 4371);
        assert.ok(Math.abs(run.result.raw([], [], 3)! - 8911407.904) < 0.005);
      });

      test('events grain, top 5 countries by orders × event type, price over 1: orders, AOV, median price, distinct products, std dev (GROUPING SETS)', async () => {
        const measures: MeasureName[] = ['orders', 'aov', 'medianPrice', 'distinctProducts', 'stddevPrice'];
        const run = await pivot({
          grain: 'events',
          rows: [{ field: 'e.country', bucket: { kind: 'top', n: 5 } }],
          cols: [{ field: 'e.event_type', bucket: { kind: 'none' } }],
          measures: [{ agg: 'orders' }, { agg: 'aov' }, { agg: 'median', field: 'e.price' },
            { agg: 'count_distinct', field: 'e.product_id' }, { agg: 'stddev', field: 'e.price' }],
          filter: { op: 'and', items: [{ field: 'e.price', op: '>', value: 1 }] },
        });
        assert.ok(run.sql.text.includes('GROUPING SETS'), 'orders, AOV, medians do not roll up');
        const kept = data.evs.filter((e) => e.price > 1);
        const top = topN(kept, 5, orders);
        assert.deepEqual(labelsOf(run), [...top, 'Other']);
        const rowKey = (e: Ev) => { const i = top.indexOf(e.place!); return i < 0 ? top.length : i; };
        checkCells(run, kept, rowKey, (e) => e.type, measures, 'retail by country and type, price > 1');
      });

      test('users grain, top 10 countries: users, orders, revenue, AOV, conversion from the users table', async () => {
        const run = await pivot({
          grain: 'users',
          rows: [{ field: 'u.country', bucket: { kind: 'top', n: 10 } }],
          measures: [{ agg: 'users' }, { agg: 'orders' }, { agg: 'revenue' }, { agg: 'aov' }, { agg: 'conversion' }],
        });
        // A customer's country is their most frequent over their loaded lines, ties alphabetically (the import's
        // rule for a user's place; tests/import-real.test.ts checks it against the Overview).
        const perUser = groupBy(data.evs, (e) => e.user);
        const country = new Map<string, string>();
        for (const [u, g] of perUser) {
          const counts = [...groupBy(g, (e) => e.place)].map(([c, l]) => [c as string, l.length] as const);
          counts.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
          country.set(u, counts[0][0]);
        }
        // One event per user standing for the user: the per-user figures summed over users.
        const byCountry = groupBy([...perUser.keys()].map((u) => ({ ...perUser.get(u)![0], place: country.get(u)! })), (e) => e.place);
        const perUserOrders = new Map([...perUser].map(([u, g]) => [u, orders(g)]));
        const perUserMilli = new Map([...perUser].map(([u, g]) => [u, revenueMilli(g)]));
        const ranked = [...byCountry].map(([c, g]) => [c as string, g.length] as const)
          .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
        const top = ranked.slice(0, 10).map(([c]) => c);
        assert.deepEqual(labelsOf(run), [...top, 'Other']);
        const groups = new Map<Key, string[]>();
        for (const [u, c] of country) {
          const i = top.indexOf(c);
          const k = i < 0 ? top.length : i;
          groups.set(k, [...(groups.get(k) ?? []), u]);
        }
        groups.set('total', [...country.keys()]);
        for (const [k, members] of groups) {
          const rk = k === 'total' ? [] : [k];
          const o = members.reduce((s, u) => s + perUserOrders.get(u)!, 0);
          const milli = members.reduce((s, u) => s + perUserMilli.get(u)!, 0);
          const b = members.filter((u) => perUserOrders.get(u)! > 0).length;
          const where = `users grain, row ${JSON.stringify(rk)}`;
          assert.equal(run.result.raw(rk, [], 0), members.length, `${where}: users`);
          assert.equal(run.result.raw(rk, [], 1), o, `${where}: orders`);
          assert.ok(Math.abs(run.result.raw(rk, [], 2)! - milli / 1000) <= 1e-9 * Math.max(1, milli / 1000), `${where}: revenue`);
          const aov = run.result.raw(rk, [], 3);
          assert.ok(o ? Math.abs(aov! - milli / 1000 / o) <= 1e-9 * (milli / 1000 / o) : aov === null, `${where}: AOV ${aov}`);
          assert.equal(run.result.raw(rk, [], 4), b / members.length, `${where}: conversion`);
        }
        assert.equal(run.result.raw([], [], 0), 4371);
        assert.equal(run.result.raw([], [], 1), 18532);
      });
    });

    describe('REES46 events', () => {
      const data = realData(open, REES, reesEvents);
      const pivot = data.pivot;

      test('events grain, top 5 brands (and no brand) × hour: users, conversion, events, revenue, sum and min of price (no GROUPING SETS)', async () => {
        const measures: MeasureName[] = ['users', 'conversion', 'events', 'revenue', 'sumPrice', 'minPrice'];
        const run = await pivot({
          grain: 'events',
          rows: [{ field: 'e.brand', bucket: { kind: 'top', n: 5 } }],
          cols: [{ field: 'e.ts', bucket: { kind: 'date', unit: 'hour' } }],
          measures: [{ agg: 'users' }, { agg: 'conversion' }, { agg: 'events' }, { agg: 'revenue' },
            { agg: 'sum', field: 'e.price' }, { agg: 'min', field: 'e.price' }],
        });
        assert.ok(!run.sql.text.includes('GROUPING SETS'));
        const top = topN(data.evs, 5, users);
        assert.deepEqual(labelsOf(run), [...top, 'Other', '(missing)']);
        const rowKey = (e: Ev) => { if (e.place === null) return null; const i = top.indexOf(e.place); return i < 0 ? top.length : i; };
        const cells = checkCells(run, data.evs, rowKey, (e) => HOUR(e.ms), measures, 'REES46 by brand and hour');
        assert.ok(cells > 10, `${cells} cells`);
        assert.ok(data.evs.some((e) => e.place === null) && run.result.raw([null], [], 2)! > 0, 'events without a brand form the (missing) row');
      });

      test('events grain, event type × hour: orders-free GROUPING SETS measures (median price, distinct products, std dev)', async () => {
        const measures: MeasureName[] = ['medianPrice', 'distinctProducts', 'stddevPrice', 'users'];
        const run = await pivot({
          grain: 'events',
          rows: [{ field: 'e.event_type', bucket: { kind: 'none' } }],
          cols: [{ field: 'e.ts', bucket: { kind: 'date', unit: 'hour' } }],
          measures: [{ agg: 'median', field: 'e.price' }, { agg: 'count_distinct', field: 'e.product_id' },
            { agg: 'stddev', field: 'e.price' }, { agg: 'users' }],
        });
        assert.ok(run.sql.text.includes('GROUPING SETS'));
        assert.deepEqual(labelsOf(run), ['add_to_cart', 'product_view', 'purchase']);
        checkCells(run, data.evs, (e) => e.type, (e) => HOUR(e.ms), measures, 'REES46 by type and hour');
      });
    });
  });
}

suite('native DuckDB', openNodeDb);
suite('DuckDB-WASM', openWasmDb);
