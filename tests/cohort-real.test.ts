// Retention on real data: online_retail.csv.gz imported as a user would (probe -> detect -> runImport, no manual
// mapping), then the default cohort spec (monthly cohorts by first purchase, purchase as the return, mode "on",
// 12 periods) checked cell by cell against an independent TypeScript pass over the cleaned CSV lines.
// Run: TZ=UTC node --import tsx --test tests/cohort-real.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { decodeFields, fieldsSql, type Field } from '../src/analyses/fields.ts';
import { cohortSql, decodeCohorts, validateCohortSpec, type CohortResult } from '../src/analyses/cohort/index.ts';
import { importFiles } from './fixtures/import/support.ts';
import { RETAIL, records, requireRetail, retailPurchases, type PurchaseLine } from './fixtures/online-retail.ts';

const PERIODS = 12;
const DAY = 86_400_000;

/** "2011-03-17 10:00:00" -> months since year 0 (2011 * 12 + 2). The date is read as written (UTC). */
const monthOf = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
const monthStart = (m: number) => Date.UTC(Math.floor(m / 12), m % 12, 1);
const label = (m: number) => new Date(monthStart(m)).toISOString().slice(0, 7);

/** The independent retention table: per cohort month, its members and per period index what they did. */
interface Expected {
  cohort: number;
  size: number;
  /** Index k: distinct members with a purchase in month cohort + k. */
  retained: number[];
  /** Index k: distinct members whose last purchase month is cohort + k or later ("on_or_after"). */
  retainedOnOrAfter: number[];
  /** Index k: distinct invoices of members in that month. */
  orders: number[];
  /** Index k: purchase revenue of members in that month, thousandths of a unit (exact integers). */
  milli: number[];
}

function independent(lines: readonly PurchaseLine[]): Map<number, Expected> {
  // A customer's cohort is the month of their first purchase.
  const first = new Map<string, number>();
  for (const l of lines) {
    const m = monthOf(l.date);
    const seen = first.get(l.customer);
    if (seen === undefined || m < seen) first.set(l.customer, m);
  }
  const out = new Map<number, Expected>();
  const zeros = () => new Array<number>(PERIODS + 1).fill(0);
  for (const cohort of first.values()) {
    const e = out.get(cohort) ?? { cohort, size: 0, retained: zeros(), retainedOnOrAfter: zeros(), orders: zeros(), milli: zeros() };
    e.size++;
    out.set(cohort, e);
  }
  const active = new Set<string>(); // "customer|month"
  const invoices = new Set<string>(); // "customer|month|invoice"
  const last = new Map<string, number>();
  for (const l of lines) {
    const m = monthOf(l.date);
    const e = out.get(first.get(l.customer)!)!;
    const k = m - e.cohort;
    assert.ok(k >= 0);
    if (k > PERIODS) continue; // the data spans 13 months, so this never happens; kept for clarity
    if (!active.has(`${l.customer}|${m}`)) active.add(`${l.customer}|${m}`), e.retained[k]++;
    if (!invoices.has(`${l.customer}|${m}|${l.invoice}`)) invoices.add(`${l.customer}|${m}|${l.invoice}`), e.orders[k]++;
    e.milli[k] += l.milli;
    last.set(l.customer, Math.max(last.get(l.customer) ?? -Infinity, m));
  }
  for (const [customer, lastMonth] of last) {
    const e = out.get(first.get(customer)!)!;
    for (let k = 0; k <= Math.min(PERIODS, lastMonth - e.cohort); k++) e.retainedOnOrAfter[k]++;
  }
  return out;
}

async function retention(db: Db, fields: readonly Field[], spec: unknown): Promise<CohortResult> {
  const q = cohortSql(validateCohortSpec(spec), fields);
  return decodeCohorts(await db.query(q.text, q.params));
}

describe('cohorts on real data: UCI Online Retail, monthly first-purchase cohorts', () => {
  let db: Db;
  let lines: PurchaseLine[];
  let expected: Map<number, Expected>;
  let result: CohortResult;
  let fields: Field[];
  before(async () => {
    requireRetail();
    db = await openNodeDb();
    const { mappings } = await importFiles(db, [RETAIL]);
    assert.equal(mappings[0].role, 'transactions');
    const f = fieldsSql();
    fields = decodeFields(await db.query(f.text, f.params));
    result = await retention(db, fields, {});

    const { header, data } = records(RETAIL);
    assert.deepEqual(header, ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country']);
    lines = retailPurchases(data);
    // The same lines the import turns into purchase events (tests/import-real.test.ts checks the 397,884 too).
    assert.equal(lines.length, 397_884);
    assert.ok(lines.every((l) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(l.date)), 'InvoiceDate is YYYY-MM-DD HH:MM:SS');
    expected = independent(lines);
  });
  after(async () => db?.close());

  test('13 cohorts (Dec 2010 .. Dec 2011) with the sizes of the independent pass; sizes add up to the 4,338 buyers', () => {
    const months = [...expected.keys()].sort((a, b) => a - b);
    assert.deepEqual(months.map(label), ['2010-12', '2011-01', '2011-02', '2011-03', '2011-04', '2011-05', '2011-06',
      '2011-07', '2011-08', '2011-09', '2011-10', '2011-11', '2011-12']);
    assert.deepEqual(result.cohorts.map((c) => c.start), months.map(monthStart));
    assert.deepEqual(result.cohorts.map((c) => c.size), months.map((m) => expected.get(m)!.size));
    assert.equal(result.cohorts.reduce((s, c) => s + c.size, 0), 4338);
    assert.equal(expected.get(2010 * 12 + 11)!.size, 885);
  });

  test('retained and rate equal the independent pass for every cohort and k = 0..12', () => {
    for (const c of result.cohorts) {
      const e = expected.get(monthOf(new Date(c.start).toISOString()))!;
      const name = label(e.cohort);
      assert.deepEqual(c.cells.map((x) => x.k), [...Array(PERIODS + 1).keys()], `${name}: k = 0..12`);
      assert.deepEqual(c.cells.map((x) => x.retained), e.retained, `${name}: retained`);
      c.cells.forEach((x, k) => assert.equal(x.rate, e.retained[k] / e.size, `${name} k=${k}: rate`));
      assert.equal(c.cells[0].retained, c.size, `${name}: everyone buys in their first month`);
      assert.equal(c.cells[0].rate, 1);
    }
    // A few cells pinned as figures (the dataset's well-known triangle): the Dec 2010 cohort in Jan, Nov, Dec 2011.
    const dec = result.cohorts[0].cells;
    assert.deepEqual([dec[1].retained, dec[11].retained, dec[12].retained], [324, 445, 235]);
  });

  test('orders and revenue per cell equal the independent pass (revenue to the cent)', () => {
    for (const c of result.cohorts) {
      const e = expected.get(monthOf(new Date(c.start).toISOString()))!;
      const name = label(e.cohort);
      assert.deepEqual(c.cells.map((x) => x.orders), e.orders, `${name}: orders`);
      c.cells.forEach((x, k) => {
        assert.ok(Math.abs(x.revenue - e.milli[k] / 1000) < 0.005, `${name} k=${k}: revenue ${x.revenue} vs ${e.milli[k] / 1000}`);
        assert.ok(Math.abs(x.revenuePerMember - e.milli[k] / 1000 / e.size) < 1e-6, `${name} k=${k}: revenue per member`);
      });
    }
    // A few cells pinned as figures: Dec 2010 cohort in Dec 2010 and Jan 2011, the Dec 2011 cohort in Dec 2011.
    const cents = (x: number) => Math.round(x * 100) / 100;
    assert.deepEqual([result.cohorts[0].cells[0], result.cohorts[0].cells[1], result.cohorts[12].cells[0]].map((x) => cents(x.revenue)),
      [572713.89, 276237.69, 27059.46]);
    assert.deepEqual([result.cohorts[0].cells[0].orders, result.cohorts[12].cells[0].orders], [1400, 43]);
    // All cells together are all purchase revenue: every buyer is in one cohort and the data spans 13 months.
    const total = result.cohorts.reduce((s, c) => s + c.cells.reduce((t, x) => t + x.revenue, 0), 0);
    assert.ok(Math.abs(total - 8911407.904) < 0.005, `total revenue ${total}`);
  });

  test('cells after the last day (2011-12-09) are not observed; Dec 2011 is observed but incomplete, Nov 2011 complete', () => {
    const lastDay = lines.reduce((m, l) => Math.max(m, Date.parse(l.date.replace(' ', 'T') + 'Z')), -Infinity);
    assert.equal(new Date(lastDay).toISOString().slice(0, 10), '2011-12-09');
    const dataEnd = Date.UTC(2011, 11, 10); // the day after the last day
    const dec2011 = 2011 * 12 + 11;
    let unobserved = 0;
    for (const c of result.cohorts) {
      const cohort = monthOf(new Date(c.start).toISOString());
      for (const x of c.cells) {
        const m = cohort + x.k;
        const name = `${label(cohort)} k=${x.k} (${label(m)})`;
        assert.equal(x.observed, monthStart(m) < dataEnd, `${name}: observed`);
        assert.equal(x.complete, monthStart(m + 1) <= dataEnd, `${name}: complete`);
        assert.equal(x.observed, m <= dec2011, `${name}: observed iff not after Dec 2011`);
        assert.equal(x.complete, m < dec2011, `${name}: complete iff before Dec 2011`);
        if (!x.observed) {
          unobserved++;
          assert.deepEqual([x.retained, x.orders, x.revenue], [0, 0, 0], `${name}: nothing happens after the data`);
        }
      }
    }
    // Cohort j (0 = Dec 2010) has j unobserved cells: 0 + 1 + ... + 12.
    assert.equal(unobserved, 78);
    const dec = result.cohorts[0].cells;
    assert.deepEqual([dec[11].observed, dec[11].complete], [true, true], 'Nov 2011');
    assert.deepEqual([dec[12].observed, dec[12].complete], [true, false], 'Dec 2011 (partial)');
    const last = result.cohorts[12].cells;
    assert.deepEqual([last[0].observed, last[0].complete, last[1].observed], [true, false, false], 'the Dec 2011 cohort');
    assert.ok(Math.abs(lastDay - Date.UTC(2011, 11, 9, 12, 50)) < 60_000 && dataEnd - lastDay < DAY);
  });

  test('the average row weighs each period by the cohorts complete at it', () => {
    const dec2011 = 2011 * 12 + 11;
    for (const a of result.average) {
      let members = 0, retained = 0, milli = 0;
      for (const e of expected.values()) {
        if (e.cohort + a.k >= dec2011) continue; // incomplete (or not observed)
        members += e.size;
        retained += e.retained[a.k];
        milli += e.milli[a.k];
      }
      assert.equal(a.members, members, `k=${a.k}: members`);
      if (members === 0) {
        assert.deepEqual([a.rate, a.revenuePerMember], [null, null], `k=${a.k}: nothing complete`);
        continue;
      }
      assert.ok(Math.abs(a.rate! - retained / members) < 1e-12, `k=${a.k}: average rate`);
      assert.ok(Math.abs(a.revenuePerMember! - milli / 1000 / members) < 1e-6, `k=${a.k}: average revenue per member`);
    }
    // k = 12 needs the Dec 2010 cohort's Dec 2011, which is partial: no complete cohort.
    assert.equal(result.average[12].members, 0);
    assert.equal(result.average[11].members, expected.get(2010 * 12 + 11)!.size);
  });

  test('mode "on_or_after" equals the independent pass (came back in period k or any later one)', async () => {
    const later = await retention(db, fields, { mode: 'on_or_after' });
    assert.deepEqual(later.cohorts.map((c) => c.size), result.cohorts.map((c) => c.size));
    for (const c of later.cohorts) {
      const e = expected.get(monthOf(new Date(c.start).toISOString()))!;
      assert.deepEqual(c.cells.map((x) => x.retained), e.retainedOnOrAfter, `${label(e.cohort)}: retained on or after`);
    }
  });
});
