// RFM on real data: online_retail.csv.gz imported as a user would (probe -> detect -> runImport, no manual mapping),
// then every buyer's R, F and M scores, cell and segment checked against an independent TypeScript pass over the
// CSV cleaned as ../shared/data/README.md says (drop no CustomerID, cancellations "C...", Quantity <= 0,
// UnitPrice <= 0; orders = distinct InvoiceNo; revenue = sum of Quantity * UnitPrice).
//
// "The data's last day": the app measures recency to the day of the last event of any type (user_metrics'
// max(ts) over events). The import's events are the lines with a customer, a non-zero quantity and a positive
// price: purchases, and cancellations as refunds. The reference takes the latest InvoiceDate over exactly those
// lines, checks that it is the app's max(ts) to the second, and counts calendar days from the day of each
// customer's last purchase to that day (a purchase on the last day is 0).
// Run: TZ=UTC node --import tsx --test tests/rfm-real.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { firstRow } from '../src/lib/rows.ts';
import {
  NO_PURCHASE, RFM_LABELS, decodeRfmGrid, decodeRfmSegments, decodeRfmUsers, rfmGridSql, rfmSegmentsSql, rfmSql,
  type RfmUser,
} from '../src/analyses/rfm/index.ts';
import { importFiles } from './fixtures/import/support.ts';
import { RETAIL, records, requireRetail, retailPurchases } from './fixtures/online-retail.ts';

const DAY = 86_400_000;
const dayOf = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));

/** The segment grid written out by hand (not read from the module): SEGMENT[r - 1][f - 1]. */
const SEGMENT = [
  ['Lost', 'Lost', 'At Risk', 'At Risk', "Can't Lose Them"],
  ['Hibernating', 'Hibernating', 'At Risk', 'At Risk', "Can't Lose Them"],
  ['About to Sleep', 'About to Sleep', 'Need Attention', 'Loyal', 'Loyal'],
  ['Promising', 'Potential Loyalist', 'Potential Loyalist', 'Loyal', 'Loyal'],
  ['New', 'Potential Loyalist', 'Potential Loyalist', 'Champions', 'Champions'],
];

/** Index of the first element of ascending `a` that is >= x (strict: > x). */
function bound(a: readonly number[], x: number, strict: boolean): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (strict ? a[mid] <= x : a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Scores of `values`: 1 + floor(5 * worse / n), worse = values strictly lower (or, if higherIsWorse, higher). */
function scoresOf(values: readonly number[], higherIsWorse: boolean): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const n = values.length;
  return values.map((x) => {
    const worse = higherIsWorse ? n - bound(sorted, x, true) : bound(sorted, x, false);
    return 1 + Math.floor((5 * worse) / n);
  });
}

interface Ref {
  customer: string;
  recency: number;
  orders: number;
  milli: number;
  r: number;
  f: number;
  m: number;
  label: string;
}

const countBy = <T>(xs: readonly T[], key: (x: T) => string | number | null) => {
  const m = new Map<string | number | null, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return Object.fromEntries([...m].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
};

describe('RFM on real data: UCI Online Retail', () => {
  let db: Db;
  let app: RfmUser[];
  let ref: Ref[];
  let lastEvent: string;
  let loadedCustomers: number;
  before(async () => {
    requireRetail();
    db = await openNodeDb();
    const { mappings } = await importFiles(db, [RETAIL]);
    assert.equal(mappings[0].role, 'transactions');
    const q = rfmSql({ values: true });
    app = decodeRfmUsers(await db.query(q.text, q.params));

    const { header, data } = records(RETAIL);
    assert.deepEqual(header, ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country']);
    // The lines the import loads as events (purchases and refunds), for the data's last day and the user count.
    lastEvent = '';
    const customers = new Set<string>();
    for (const [, , , qty, date, price, customer] of data) {
      if (!customer || Number(qty) === 0 || !(Number(price) > 0)) continue;
      customers.add(String(Math.trunc(Number(customer))));
      if (date > lastEvent) lastEvent = date;
    }
    loadedCustomers = customers.size;
    const lines = retailPurchases(data);
    assert.equal(lines.length, 397_884);
    const per = new Map<string, { invoices: Set<string>; milli: number; last: string }>();
    for (const l of lines) {
      const p = per.get(l.customer) ?? { invoices: new Set<string>(), milli: 0, last: '' };
      p.invoices.add(l.invoice);
      p.milli += l.milli;
      if (l.date > p.last) p.last = l.date;
      per.set(l.customer, p);
    }
    const buyers = [...per].map(([customer, p]) => ({ customer, recency: (dayOf(lastEvent) - dayOf(p.last)) / DAY, orders: p.invoices.size, milli: p.milli }));
    const r = scoresOf(buyers.map((b) => b.recency), true);
    const f = scoresOf(buyers.map((b) => b.orders), false);
    const m = scoresOf(buyers.map((b) => b.milli), false); // exact integers: thousandths of a unit
    ref = buyers.map((b, i) => ({ ...b, r: r[i], f: f[i], m: m[i], label: SEGMENT[r[i] - 1][f[i] - 1] }));
  });
  after(async () => db?.close());

  test("the data's last day: the reference's last loaded line is the app's last event", async () => {
    assert.equal(lastEvent, '2011-12-09 12:50:00');
    const row = firstRow(await db.query(`SELECT strftime(max(ts), '%Y-%m-%d %H:%M:%S') AS t FROM events`));
    assert.equal(row.t, lastEvent);
  });

  test('4,338 buyers; every buyer has the reference recency, orders, revenue, scores, cell and segment', () => {
    assert.equal(ref.length, 4338);
    const scored = app.filter((u) => u.r !== null);
    assert.equal(scored.length, ref.length);
    const byId = new Map(scored.map((u) => [u.userId, u]));
    let mismatches = 0;
    for (const e of ref) {
      const u = byId.get(e.customer);
      assert.ok(u, `customer ${e.customer} has no RFM row`);
      assert.equal(u.recencyDays, e.recency, `${e.customer}: recency`);
      assert.equal(u.frequency, e.orders, `${e.customer}: orders`);
      assert.ok(Math.abs(u.monetary! - e.milli / 1000) < 1e-6, `${e.customer}: revenue ${u.monetary} vs ${e.milli / 1000}`);
      if (u.cell !== `${e.r}-${e.f}-${e.m}` || u.label !== e.label) mismatches++;
    }
    assert.equal(mismatches, 0, 'buyers whose cell or segment differs from the reference');
  });

  test('counts per R, F and M score and per named segment equal the reference', (t) => {
    const buyers = app.filter((u) => u.r !== null);
    for (const k of ['r', 'f', 'm'] as const) {
      assert.deepEqual(countBy(buyers, (u) => u[k]), countBy(ref, (e) => e[k]), `users per ${k.toUpperCase()} score`);
    }
    assert.deepEqual(countBy(buyers, (u) => u.label), countBy(ref, (e) => e.label), 'buyers per segment');
    // Users with refunds only are users of the dataset without a purchase.
    assert.equal(app.length, loadedCustomers);
    assert.deepEqual(app.filter((u) => u.r === null).map((u) => u.label), Array(loadedCustomers - ref.length).fill(NO_PURCHASE));
    const summary = {
      buyers: ref.length, noPurchase: loadedCustomers - ref.length,
      r: countBy(ref, (e) => e.r), f: countBy(ref, (e) => e.f), m: countBy(ref, (e) => e.m),
      segments: countBy(ref, (e) => e.label),
    };
    t.diagnostic(`RFM on online_retail: ${JSON.stringify(summary)}`);
    // The figures as of this writing, so a change that moved the app and the reference alike still shows.
    assert.deepEqual(summary, {
      buyers: 4338, noPurchase: 33,
      r: { 1: 869, 2: 889, 3: 866, 4: 888, 5: 826 },
      f: { 1: 1493, 2: 835, 3: 508, 4: 802, 5: 700 },
      m: { 1: 868, 2: 868, 3: 867, 4: 868, 5: 867 },
      segments: {
        'About to Sleep': 475, 'At Risk': 372, "Can't Lose Them": 37, Champions: 577, Hibernating: 567, Lost: 782,
        Loyal: 708, 'Need Attention': 116, New: 63, 'Potential Loyalist': 474, Promising: 167,
      },
    });
  });

  test('the R x F grid and the segment totals agree with the reference', async () => {
    const g = rfmGridSql();
    const grid = decodeRfmGrid(await db.query(g.text, g.params));
    for (const c of grid) {
      const inCell = ref.filter((e) => e.r === c.r && e.f === c.f);
      assert.equal(c.users, inCell.length, `cell R${c.r} F${c.f}: users`);
      const milli = inCell.reduce((s, e) => s + e.milli, 0);
      assert.ok(Math.abs(c.revenue - milli / 1000) < 1e-3, `cell R${c.r} F${c.f}: revenue`);
      if (inCell.length) assert.ok(Math.abs(c.monetary! - milli / 1000 / inCell.length) < 1e-6, `cell R${c.r} F${c.f}: mean`);
      else assert.equal(c.monetary, null);
    }
    const s = rfmSegmentsSql();
    const segs = decodeRfmSegments(await db.query(s.text, s.params));
    const expected = countBy(ref, (e) => e.label);
    for (const x of segs) {
      const want = x.label === NO_PURCHASE ? loadedCustomers - ref.length : (expected[x.label] ?? 0);
      assert.equal(x.users, want, `${x.label}: users`);
    }
    assert.deepEqual(segs.map((x) => x.label), RFM_LABELS);
  });
});
