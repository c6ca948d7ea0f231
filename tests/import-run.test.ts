// runImport on hand-made files whose every answer is worked out in the comments: order lines -> events
// (cancellation, free line, guest line), sessions from inactivity gaps, mixed date formats, epoch s vs ms,
// and a users file joined to an events file. Run: TZ=UTC node --import tsx --test tests/import-run.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { DEFAULT_OVERVIEW, decodeGeography, decodeKpis, geographySql, kpisSql } from '../src/analyses/overview/index.ts';
import { importFiles, rows, scratchDir, writeFixture } from './fixtures/import/support.ts';

const utc = (s: string): number => Date.parse(s.replace(' ', 'T') + 'Z');

// Seven order lines. 1004 has no CustomerID (a guest), the free gift in 1002 costs 0.00, C1003 cancels a mug.
const ORDERS = `InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
1001,A,"Mug, blue",2,2024-01-05 10:00:00,3.50,17850.0,United Kingdom
1001,B,"Poster ""Big""",1,2024-01-05 10:00:00,10.00,17850.0,United Kingdom
1002,A,"Mug, blue",4,2024-01-06 09:00:00,3.50,12345.0,France
1002,C,Free gift,1,2024-01-06 09:00:00,0.00,12345.0,France
C1003,A,"Mug, blue",-1,2024-01-07 12:00:00,3.50,17850.0,United Kingdom
1004,B,"Poster ""Big""",3,2024-01-08 15:00:00,10.00,,United Kingdom
1005,A,"Mug, blue",1,2024-01-09 08:00:00,3.50,12345.0,Germany
`;

// Not ISO: 05/03/2024 (either way), 13/03/2024 (day-first only), "Mar 14, 2024" and "15 March 2024 10:00"
// (named months) -> day-first reads 2 of them, month-first 1, so 05/03 is 5 March. 10:02+02:00 is 08:02 UTC.
const MIXED = `customer,date,action
c1,2024-03-05 14:30:00,view
c1,05/03/2024 14:45,view
c1,13/03/2024 09:00,view
c1,"Mar 14, 2024",view
c1,15 March 2024 10:00,view
c1,2024-03-16T08:00:00Z,view
c1,1710576060,view
c1,2024-03-16T10:02:00+02:00,view
c1,not a date,view
c1,,view
`;

// u1 at 10:00, 10:20, 10:55 and u2 at 10:10, 11:00, no session column.
const CLICKS = `user_id,timestamp,event
u1,2024-03-01 10:00:00,view
u2,2024-03-01 10:10:00,view
u1,2024-03-01 10:20:00,cart
u1,2024-03-01 10:55:00,purchase
u2,2024-03-01 11:00:00,view
`;

const JOIN_EVENTS = `user_id,event_time,event_type,price,country
u1,2024-01-01 10:00:00,purchase,5,FR
u2,2024-01-02 10:00:00,view,,DE
u3,2024-01-03 10:00:00,purchase,7,IT
`;
const JOIN_USERS = `user_id,signup_date,country,region,plan
u1,2023-06-01,France,Europe,gold
u2,2023-07-01,Germany,Europe,free
u4,2023-08-01,Spain,Europe,free
`;

/** The same cases on any engine (suite(getDb), as duckdb-wasm's own tests do). */
function suite(backend: string, open: () => Promise<Db>): void {
  /** Import `files` (name -> text) into a fresh database and hand it to `check`. */
  async function withImport(
    files: Record<string, string>, check: (db: Db, r: Awaited<ReturnType<typeof importFiles>>) => Promise<void>, gap?: number,
  ): Promise<void> {
    const tmp = scratchDir();
    const db = await open();
    try {
      const paths = Object.entries(files).map(([n, t]) => writeFixture(tmp.dir, n, t));
      await check(db, await importFiles(db, paths, { gap }));
    } finally {
      await db.close();
      tmp.cleanup();
    }
  }

  describe(`import: order lines become events (${backend})`, () => {
    test('cancellation -> refund, zero price and guest lines set aside, revenue = qty x price', async () => {
      await withImport({ 'orders.csv': ORDERS }, async (db, { report }) => {
        const f = report.files[0];
        // 7 lines read; set aside: 1004 (no customer) and the 0.00 gift; 5 loaded (4 purchases + 1 refund).
        assert.deepEqual([f.rowsRead, f.rowsLoaded, f.rowsSetAside], [7, 5, 2]);
        const aside = Object.fromEntries(f.setAside.map((g) => [g.reason, g.count]));
        assert.deepEqual(aside, { non_positive_price: 1, no_user: 1 });
        assert.match(f.setAside.find((g) => g.reason === 'no_user')!.samples[0].text, /^1004,B,Poster "Big",3,/);
        assert.equal(f.setAside.find((g) => g.reason === 'no_user')!.samples[0].row, 6);
        // Events in time order (ids 1..5); sessions from 30-minute gaps per user, numbered by start then user:
        // 17850 on 01-05 = S1, 12345 on 01-06 = S2, 17850 on 01-07 = S3, 12345 on 01-09 = S4.
        const ev = await rows(db, `SELECT event_id, user_id, session_id, event_type, strftime(ts, '%Y-%m-%d %H:%M') AS ts,
        product_id, quantity, revenue, order_id, product_name, country FROM events ORDER BY event_id`);
        assert.deepEqual(ev, [
          { event_id: 1, user_id: '17850', session_id: 'S0000001', event_type: 'purchase', ts: '2024-01-05 10:00', product_id: 'A', quantity: 2, revenue: 7, order_id: '1001', product_name: 'Mug, blue', country: 'United Kingdom' },
          { event_id: 2, user_id: '17850', session_id: 'S0000001', event_type: 'purchase', ts: '2024-01-05 10:00', product_id: 'B', quantity: 1, revenue: 10, order_id: '1001', product_name: 'Poster "Big"', country: 'United Kingdom' },
          { event_id: 3, user_id: '12345', session_id: 'S0000002', event_type: 'purchase', ts: '2024-01-06 09:00', product_id: 'A', quantity: 4, revenue: 14, order_id: '1002', product_name: 'Mug, blue', country: 'France' },
          { event_id: 4, user_id: '17850', session_id: 'S0000003', event_type: 'refund', ts: '2024-01-07 12:00', product_id: 'A', quantity: 1, revenue: 3.5, order_id: 'C1003', product_name: 'Mug, blue', country: 'United Kingdom' },
          { event_id: 5, user_id: '12345', session_id: 'S0000004', event_type: 'purchase', ts: '2024-01-09 08:00', product_id: 'A', quantity: 1, revenue: 3.5, order_id: '1005', product_name: 'Mug, blue', country: 'Germany' },
        ]);
        // Gross revenue 7 + 10 + 14 + 3.5 = 34.5; refunds 3.5; orders 1001, 1002, 1005; buyers 17850 and 12345.
        const t = report.totals;
        assert.deepEqual([t.events, t.users, t.products, t.sessions, t.buyers, t.orders, t.revenue, t.refunds], [5, 2, 2, 4, 2, 3, 34.5, 3.5]);
        assert.deepEqual(t.eventsByType, { purchase: 4, refund: 1 });
        const k = decodeKpis(await db.query(kpisSql(DEFAULT_OVERVIEW).text, kpisSql(DEFAULT_OVERVIEW).params));
        assert.deepEqual([k.users, k.buyers, k.orders, k.revenue, k.refunds], [2, 2, 3, 34.5, 3.5]);
        // 12345 has one loaded line in France and one in Germany: a tie, broken alphabetically -> France.
        const users = await rows(db, `SELECT user_id, strftime(signup_ts, '%Y-%m-%d %H:%M') AS signup, country, region FROM users ORDER BY user_id`);
        assert.deepEqual(users, [
          { user_id: '12345', signup: '2024-01-06 09:00', country: 'France', region: null },
          { user_id: '17850', signup: '2024-01-05 10:00', country: 'United Kingdom', region: null },
        ]);
        // Geography by the buyer's country: France 14 + 3.5 = 17.5, United Kingdom 7 + 10 = 17.
        const geo = decodeGeography(await db.query(geographySql(DEFAULT_OVERVIEW).text, geographySql(DEFAULT_OVERVIEW).params));
        assert.deepEqual(geo.map((g) => [g.place, g.revenue, g.orders]), [['France', 17.5, 2], ['United Kingdom', 17, 1]]);
        // Products from the loaded lines: the latest name and positive price of each (the free gift C is not loaded).
        assert.deepEqual(await rows(db, 'SELECT product_id, name, price FROM products ORDER BY product_id'), [
          { product_id: 'A', name: 'Mug, blue', price: 3.5 }, { product_id: 'B', name: 'Poster "Big"', price: 10 },
        ]);
        assert.deepEqual(report.dateRange, { from: utc('2024-01-05 10:00'), to: utc('2024-01-09 08:00') });
        assert.ok(report.notes.some((n) => /guest/.test(n)) && report.notes.some((n) => /refund/.test(n)));
        const um = await rows(db, `SELECT user_id, orders, revenue, refunds FROM user_metrics ORDER BY user_id`);
        assert.deepEqual(um, [{ user_id: '12345', orders: 2, revenue: 17.5, refunds: 0 }, { user_id: '17850', orders: 1, revenue: 17, refunds: 3.5 }]);
        // The report names the rule that made C1003 a refund: its negative quantity.
        assert.deepEqual(f.refunds!.map((r) => [r.rule, r.count]), [['negative_quantity', 1]]);
      });
    });

    test('hex order ids that start with c and a digit stay purchases; the C form counts only where negative quantities confirm it', async () => {
      // Hex ids: c0412 and C77 have the C-and-digits form, but positive quantities: the file does not use the
      // Online Retail convention, so all 5 lines are purchases (3 orders of the form, 2 not) and the report says so.
      const HEX = `order_id,customer_id,order_date,sku,quantity,price
c0412,u1,2024-02-01 10:00:00,A,1,5.00
c0412,u1,2024-02-01 10:00:00,B,2,1.50
C77,u2,2024-02-02 11:00:00,A,1,5.00
3fa9,u2,2024-02-03 12:00:00,A,1,5.00
cafe,u1,2024-02-04 13:00:00,B,4,1.50
`;
      await withImport({ 'hex.csv': HEX }, async (db, { report }) => {
        assert.deepEqual(report.totals.eventsByType, { purchase: 5 });
        assert.deepEqual([report.totals.orders, report.totals.revenue, report.totals.refunds], [4, 5 + 3 + 5 + 5 + 6, 0]);
        assert.deepEqual(report.files[0].refunds!.map((r) => [r.rule, r.count]), [['c_order_unconfirmed', 3]]);
      });
      // The convention confirmed: C10 and C11 have negative quantities, so C12 (quantity 1, a data-entry slip) is a
      // refund too, by the C-order rule; 10 and 11 stay purchases.
      const RETAIL = `InvoiceNo,CustomerID,InvoiceDate,StockCode,Quantity,UnitPrice
10,u1,2024-03-01 10:00:00,A,2,3.00
C10,u1,2024-03-02 10:00:00,A,-2,3.00
11,u2,2024-03-03 10:00:00,B,1,4.00
C11,u2,2024-03-04 10:00:00,B,-1,4.00
C12,u2,2024-03-05 10:00:00,B,1,4.00
C13,u1,2024-03-06 10:00:00,A,-1,3.00
C14,u1,2024-03-07 10:00:00,A,-1,3.00
C15,u1,2024-03-08 10:00:00,A,-1,3.00
C16,u1,2024-03-09 10:00:00,A,-1,3.00
C17,u1,2024-03-10 10:00:00,A,-1,3.00
C18,u1,2024-03-11 10:00:00,A,-1,3.00
C19,u1,2024-03-12 10:00:00,A,-1,3.00
`;
      await withImport({ 'retail.csv': RETAIL }, async (db, { report }) => {
        // 10 C-form lines, 9 negative: 90% confirms the form.
        assert.deepEqual(report.totals.eventsByType, { purchase: 2, refund: 10 });
        assert.deepEqual(report.files[0].refunds!.map((r) => [r.rule, r.count]), [['c_order', 1], ['negative_quantity', 9]]);
        assert.deepEqual([report.totals.revenue, report.totals.refunds], [10, 6 + 4 + 4 + 7 * 3]);
      });
    });
  });

  describe(`import: sessions from inactivity (${backend})`, () => {
    const sessions = (db: Db) =>
      rows(db, `SELECT user_id, strftime(ts, '%H:%M') AS t, session_id, event_type, order_id FROM events ORDER BY event_id`);

    test('30-minute gap: 10:00, 10:20, 10:55 -> two sessions (the 35-minute gap splits)', async () => {
      await withImport({ 'clicks.csv': CLICKS }, async (db, { report }) => {
        // Numbered by start, then user: u1 10:00 = S1, u2 10:10 = S2, u1 10:55 = S3, u2 11:00 = S4 (50-min gap).
        assert.deepEqual(await sessions(db), [
          { user_id: 'u1', t: '10:00', session_id: 'S0000001', event_type: 'product_view', order_id: null },
          { user_id: 'u2', t: '10:10', session_id: 'S0000002', event_type: 'product_view', order_id: null },
          { user_id: 'u1', t: '10:20', session_id: 'S0000001', event_type: 'add_to_cart', order_id: null },
          { user_id: 'u1', t: '10:55', session_id: 'S0000003', event_type: 'purchase', order_id: 'S0000003' },
          { user_id: 'u2', t: '11:00', session_id: 'S0000004', event_type: 'product_view', order_id: null },
        ]);
        assert.equal(report.sessionsDerived, true);
        assert.equal(report.totals.sessions, 4);
        assert.equal(report.totals.orders, 1, 'a purchase without an order id is its session\'s order');
      });
    });

    test('a changed gap: 60 minutes -> one session per user; 15 minutes -> u1 has three', async () => {
      await withImport({ 'clicks.csv': CLICKS }, async (db, { report }) => {
        assert.deepEqual((await sessions(db)).map((r) => r.session_id), ['S0000001', 'S0000002', 'S0000001', 'S0000001', 'S0000002']);
        assert.equal(report.sessionGapMinutes, 60);
      }, 60);
      await withImport({ 'clicks.csv': CLICKS }, async (db) => {
        // By start: u1 10:00 S1, u2 10:10 S2, u1 10:20 S3 (20 > 15), u1 10:55 S4, u2 11:00 S5.
        assert.deepEqual((await sessions(db)).map((r) => r.session_id), ['S0000001', 'S0000002', 'S0000003', 'S0000004', 'S0000005']);
      }, 15);
    });

    test('a gap exactly equal to the setting does not split (20-minute gap, 20-minute setting)', async () => {
      await withImport({ 'clicks.csv': CLICKS }, async (db) => {
        // u1: 10:00 -> 10:20 is 20 min (same), 10:20 -> 10:55 is 35 (new). u2: 50 min (new).
        assert.deepEqual((await sessions(db)).map((r) => r.session_id), ['S0000001', 'S0000002', 'S0000001', 'S0000003', 'S0000004']);
      }, 20);
    });
  });

  describe(`import: times (${backend})`, () => {
    test('several date formats in one column; day-first wins when more values only read that way', async () => {
      await withImport({ 'mixed.csv': MIXED }, async (db, { report }) => {
        const ts = await rows(db, `SELECT strftime(ts, '%Y-%m-%d %H:%M') AS t FROM events ORDER BY event_id`);
        assert.deepEqual(ts.map((r) => r.t), [
          '2024-03-05 14:30', '2024-03-05 14:45', '2024-03-13 09:00', '2024-03-14 00:00', '2024-03-15 10:00',
          '2024-03-16 08:00', '2024-03-16 08:01', '2024-03-16 08:02',
        ]);
        const g = report.files[0].setAside;
        assert.deepEqual(g.map((x) => [x.reason, x.count]), [['bad_timestamp', 2]]);
        assert.deepEqual(g[0].samples.map((s) => s.text), ['c1,not a date,view', 'c1,,view']);
      });
    });

    test('month-first when nothing says otherwise (01/02/2024 is 2 January)', async () => {
      await withImport({ 'us.csv': 'user_id,order_date,event\nu1,01/02/2024,view\nu1,12/25/2024 18:30,view\n' }, async (db) => {
        const ts = await rows(db, `SELECT strftime(ts, '%Y-%m-%d %H:%M') AS t FROM events ORDER BY event_id`);
        assert.deepEqual(ts.map((r) => r.t), ['2024-01-02 00:00', '2024-12-25 18:30']);
      });
    });

    test('epoch seconds vs milliseconds (and fractions), decided by magnitude', async () => {
      // 1700000000 s = 2023-11-14 22:13:20; 1700000100000 ms = 22:15:00; 1700000200.5 s = 22:16:40.5.
      const text = 'visitorid,timestamp,event\nv1,1700000000,view\nv1,1700000100000,view\nv2,1700000200.5,view\n';
      await withImport({ 'epoch.csv': text }, async (db) => {
        const ts = await rows(db, `SELECT user_id, epoch_ms(ts)::DOUBLE AS ms FROM events ORDER BY event_id`);
        assert.deepEqual(ts, [
          { user_id: 'v1', ms: utc('2023-11-14 22:13:20') },
          { user_id: 'v1', ms: utc('2023-11-14 22:15:00') },
          { user_id: 'v2', ms: utc('2023-11-14 22:16:40') + 500 },
        ]);
      });
    });
  });

  describe(`import: a users file joined to an events file (${backend})`, () => {
    test('users file wins field by field; event users missing from it are derived; its users without events stay', async () => {
      await withImport({ 'events.csv': JOIN_EVENTS, 'users.csv': JOIN_USERS }, async (db, { report, mappings }) => {
        assert.deepEqual(mappings.map((m) => m.role), ['events', 'users']);
        const u = await rows(db, `SELECT user_id, strftime(signup_ts, '%Y-%m-%d %H:%M') AS signup, country, region, plan FROM users ORDER BY user_id`);
        assert.deepEqual(u, [
          { user_id: 'u1', signup: '2023-06-01 00:00', country: 'France', region: 'Europe', plan: 'gold' },
          { user_id: 'u2', signup: '2023-07-01 00:00', country: 'Germany', region: 'Europe', plan: 'free' },
          // u3 is only in events: signup = first seen, country from its events, no region.
          { user_id: 'u3', signup: '2024-01-03 10:00', country: 'IT', region: null, plan: null },
          { user_id: 'u4', signup: '2023-08-01 00:00', country: 'Spain', region: 'Europe', plan: 'free' },
        ]);
        assert.deepEqual(await rows(db, 'SELECT user_id, events FROM user_metrics ORDER BY user_id'), [
          { user_id: 'u1', events: 1 }, { user_id: 'u2', events: 1 }, { user_id: 'u3', events: 1 }, { user_id: 'u4', events: 0 },
        ]);
        // Revenue by the user's country: France 5 (u1, from the users file), IT 7 (u3, from its events).
        const geo = decodeGeography(await db.query(geographySql(DEFAULT_OVERVIEW).text, geographySql(DEFAULT_OVERVIEW).params));
        assert.deepEqual(geo.map((g) => [g.place, g.revenue]), [['IT', 7], ['France', 5]]);
        assert.deepEqual(report.files.map((f) => [f.role, f.rowsLoaded]), [['events', 3], ['users', 3]]);
        assert.equal(report.totals.users, 4);
      });
    });
  });
}

suite('native', openNodeDb);
suite('wasm', openWasmDb);
