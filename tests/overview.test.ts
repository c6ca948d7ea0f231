// Overview dashboard panels and user_metrics on a hand-made shop whose every answer is worked out below.
// Run: TZ=UTC node --import tsx --test tests/overview.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { toRows } from '../src/lib/rows.ts';
import { literal, type SqlValue } from '../src/sql/quote.ts';
import { USER_METRICS_COVER_SQL, USER_METRICS_SQL } from '../src/data/user-metrics.ts';
import { sessionMetricsSql } from '../src/data/session-metrics.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { StrataError } from '../src/errors.ts';
import {
  DEFAULT_OVERVIEW,
  OVERVIEW_DECODERS,
  OVERVIEW_PANELS,
  customersScatterSql,
  type PanelContext,
  decodeCustomersScatter,
  linearTrend,
  relativeChange,
  validateOverviewSpec,
  type OverviewPanel,
  type OverviewResults,
  type OverviewSpec,
} from '../src/analyses/overview/index.ts';

// ---------------------------------------------------------------------------------------------------------
// The fixture. Products: p1 Books @10, p2 Books @5, p3 Toys @35, p4 Garden @20.
// Users (users table): u1 France/Europe, u2 Germany/Europe, u3 Japan/Asia, u4 "Côte d'Ivoire; DROP TABLE users"/
// Africa, u5 Japan/Asia (never buys). u6 is a guest: events but no users row (geo "Unknown", absent from
// user_metrics). The last event in the data is 2024-03-20 18:12 (u5, s9).
// ---------------------------------------------------------------------------------------------------------
const EVIL_COUNTRY = "Côte d'Ivoire; DROP TABLE users";

type Line = [product: string, category: string, price: number, qty: number | null, revenue?: number, order?: string];
type Ev = [id: string, user: string | null, session: string, type: string, ts: string, src: string, med: string | null, line?: Line];

const EVENTS: Ev[] = [
  // u1 s1, google/cpc, 10:00-10:30 (30 min): order o1 = 2 x p1 @10 + 3 x p2 @5 = 20 + 15 = 35 (two lines).
  ['e1', 'u1', 's1', 'session_start', '2024-01-05 10:00', 'google', 'cpc'],
  ['e2', 'u1', 's1', 'product_view', '2024-01-05 10:05', 'google', 'cpc', ['p1', 'Books', 10, null]],
  ['e3', 'u1', 's1', 'add_to_cart', '2024-01-05 10:10', 'google', 'cpc', ['p1', 'Books', 10, 2]],
  ['e4', 'u1', 's1', 'purchase', '2024-01-05 10:20', 'google', 'cpc', ['p1', 'Books', 10, 2, 20, 'o1']],
  ['e5', 'u1', 's1', 'purchase', '2024-01-05 10:20', 'google', 'cpc', ['p2', 'Books', 5, 3, 15, 'o1']],
  ['e6', 'u1', 's1', 'session_end', '2024-01-05 10:30', 'google', 'cpc'],
  // u1 s2, email/newsletter, 09:00-09:20 (20 min): order o2 = 1 x p3 @35 = 35.
  ['e7', 'u1', 's2', 'session_start', '2024-03-10 09:00', 'email', 'newsletter'],
  ['e8', 'u1', 's2', 'purchase', '2024-03-10 09:15', 'email', 'newsletter', ['p3', 'Toys', 35, 1, 35, 'o2']],
  ['e9', 'u1', 's2', 'session_end', '2024-03-10 09:20', 'email', 'newsletter'],
  // u2 s3, facebook/social, 14:00-14:15 (15 min): order o3 = 1 x p4 @20 = 20.
  ['e10', 'u2', 's3', 'session_start', '2024-01-20 14:00', 'facebook', 'social'],
  ['e11', 'u2', 's3', 'product_view', '2024-01-20 14:02', 'facebook', 'social', ['p4', 'Garden', 20, null]],
  ['e12', 'u2', 's3', 'purchase', '2024-01-20 14:10', 'facebook', 'social', ['p4', 'Garden', 20, 1, 20, 'o3']],
  ['e13', 'u2', 's3', 'session_end', '2024-01-20 14:15', 'facebook', 'social'],
  // u2 s4, direct with no medium, 08:00-08:10 (10 min): refund of o3 (20).
  ['e14', 'u2', 's4', 'session_start', '2024-02-02 08:00', 'direct', null],
  ['e15', 'u2', 's4', 'refund', '2024-02-02 08:05', 'direct', null, ['p4', 'Garden', 20, 1, 20, 'o3']],
  ['e16', 'u2', 's4', 'session_end', '2024-02-02 08:10', 'direct', null],
  // u3 s5, several sources: a google/organic view at 10:58 BEFORE the bing/cpc session_start at 11:00; the
  // session is attributed to bing/cpc (session_start wins). 10:58-11:30 = 32 min. Order o4 = 2 x p3 @35 = 70.
  ['e17', 'u3', 's5', 'product_view', '2024-02-14 10:58', 'google', 'organic', ['p3', 'Toys', 35, null]],
  ['e18', 'u3', 's5', 'session_start', '2024-02-14 11:00', 'bing', 'cpc'],
  ['e19', 'u3', 's5', 'add_to_cart', '2024-02-14 11:05', 'google', 'organic', ['p3', 'Toys', 35, 2]],
  ['e20', 'u3', 's5', 'purchase', '2024-02-14 11:10', 'google', 'organic', ['p3', 'Toys', 35, 2, 70, 'o4']],
  ['e21', 'u3', 's5', 'session_end', '2024-02-14 11:30', 'bing', 'cpc'],
  // u3 s6, no session_start: attributed to its first event, instagram/social (the purchases say google/cpc).
  // 16:00-16:10 (10 min). Order o5 = p1 @10 + p4 @20 = 30 (two categories).
  ['e22', 'u3', 's6', 'product_view', '2024-03-18 16:00', 'instagram', 'social', ['p1', 'Books', 10, null]],
  ['e23', 'u3', 's6', 'purchase', '2024-03-18 16:10', 'google', 'cpc', ['p1', 'Books', 10, 1, 10, 'o5']],
  ['e24', 'u3', 's6', 'purchase', '2024-03-18 16:10', 'google', 'cpc', ['p4', 'Garden', 20, 1, 20, 'o5']],
  // u4 s7, google/cpc, 12:00-12:45 (45 min): order o6 = 2 x p2 @5 = 10.
  ['e25', 'u4', 's7', 'session_start', '2024-01-10 12:00', 'google', 'cpc'],
  ['e26', 'u4', 's7', 'purchase', '2024-01-10 12:30', 'google', 'cpc', ['p2', 'Books', 5, 2, 10, 'o6']],
  ['e27', 'u4', 's7', 'session_end', '2024-01-10 12:45', 'google', 'cpc'],
  // u5 s8, google/organic, 20:00-20:06 (6 min), and s9, facebook/social, 18:00-18:12 (12 min): no purchase.
  // e38 is an anonymous view opening s8 (no user_id): nobody in user counts and user_metrics; s8 is still u5's.
  ['e28', 'u5', 's8', 'session_start', '2024-02-25 20:00', 'google', 'organic'],
  ['e38', null, 's8', 'product_view', '2024-02-25 19:59', 'google', 'organic', ['p2', 'Books', 5, null]],
  ['e29', 'u5', 's8', 'product_view', '2024-02-25 20:01', 'google', 'organic', ['p1', 'Books', 10, null]],
  ['e30', 'u5', 's8', 'add_to_cart', '2024-02-25 20:03', 'google', 'organic', ['p1', 'Books', 10, 1]],
  ['e31', 'u5', 's8', 'session_end', '2024-02-25 20:06', 'google', 'organic'],
  ['e32', 'u5', 's9', 'session_start', '2024-03-20 18:00', 'facebook', 'social'],
  ['e33', 'u5', 's9', 'product_view', '2024-03-20 18:04', 'facebook', 'social', ['p3', 'Toys', 35, null]],
  ['e34', 'u5', 's9', 'session_end', '2024-03-20 18:12', 'facebook', 'social'],
  // u6 (guest, no users row) s10, google/cpc, 13:00-13:10: order o7 = 2 x p4 @20 = 40.
  ['e35', 'u6', 's10', 'session_start', '2024-02-10 13:00', 'google', 'cpc'],
  ['e36', 'u6', 's10', 'purchase', '2024-02-10 13:05', 'google', 'cpc', ['p4', 'Garden', 20, 2, 40, 'o7']],
  ['e37', 'u6', 's10', 'session_end', '2024-02-10 13:10', 'google', 'cpc'],
];

const USERS: [string, string, string, string][] = [
  ['u1', '2024-01-01', 'France', 'Europe'],
  ['u2', '2024-01-02', 'Germany', 'Europe'],
  ['u3', '2024-01-03', 'Japan', 'Asia'],
  ['u4', '2024-01-04', EVIL_COUNTRY, 'Africa'],
  ['u5', '2024-01-05', 'Japan', 'Asia'],
];

const values = (rows: SqlValue[][]): string => rows.map((r) => `(${r.map(literal).join(', ')})`).join(',\n');

/** Create events/users/products with plain INSERTs and derive user_metrics. */
async function loadFixture(db: Db): Promise<void> {
  await db.exec(`CREATE TABLE products (product_id VARCHAR, name VARCHAR, category VARCHAR, price DOUBLE);
INSERT INTO products VALUES ('p1', 'Novel', 'Books', 10), ('p2', 'Comic', 'Books', 5),
  ('p3', 'Robot', 'Toys', 35), ('p4', 'Spade', 'Garden', 20);
CREATE TABLE users (user_id VARCHAR, signup_ts TIMESTAMP, country VARCHAR, region VARCHAR);
CREATE TABLE events (event_id VARCHAR, user_id VARCHAR, session_id VARCHAR, event_type VARCHAR, ts TIMESTAMP,
  product_id VARCHAR, category VARCHAR, price DOUBLE, quantity INTEGER, revenue DOUBLE, order_id VARCHAR,
  source VARCHAR, medium VARCHAR, campaign VARCHAR, device VARCHAR);`);
  await db.exec(`INSERT INTO users VALUES ${values(USERS)}`);
  const rows = EVENTS.map(([id, user, session, type, ts, src, med, line]): SqlValue[] => {
    const [product, category, price, qty, revenue, order] = line ?? [null, null, null, null];
    return [id, user, session, type, ts + ':00', product, category, price, qty, revenue ?? null, order ?? null, src, med, null, 'web'];
  });
  await db.exec(`INSERT INTO events VALUES ${values(rows)}`);
  await db.exec(USER_METRICS_SQL);
  await db.exec(sessionMetricsSql('session_metrics'));
}

/** The traffic-sources panel's two ways: aggregating the events, and reading session_metrics (same answers). */
const TRAFFIC_WAYS: readonly [string, PanelContext][] = [['from the events', {}], ['from session_metrics', { sessionMetrics: true }]];

/** Build, run and decode one panel. */
async function panel<K extends OverviewPanel>(db: Db, name: K, spec: Partial<OverviewSpec> = {}, ctx: PanelContext = {}): Promise<OverviewResults[K]> {
  const full = validateOverviewSpec({ ...DEFAULT_OVERVIEW, ...spec });
  const q = (OVERVIEW_PANELS[name] as (s: OverviewSpec, c: PanelContext) => { text: string; params: readonly SqlValue[] })(full, ctx);
  return (OVERVIEW_DECODERS[name] as (t: Awaited<ReturnType<Db['query']>>, s: OverviewSpec) => OverviewResults[K])(
    await db.query(q.text, q.params), full,
  );
}

const firstOk = (t: Awaited<ReturnType<Db['query']>>): boolean => toRows(t)[0].ok === true;
const near = (actual: number | null, expected: number, what: string): void => {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${what}: expected ${expected}, got ${actual}`);
};
const utc = (s: string): number => Date.parse(s + 'Z');

// Same cases for any Db backend (Node here; the browser suite can call it with its own opener).
function overviewSuite(backend: string, openDb: () => Promise<Db>): void {
  describe(`overview panels (${backend})`, () => {
    let db: Db;
    before(async () => {
      db = await openDb();
      await loadFixture(db);
    });
    after(async () => db.close());

    test('KPIs over the whole data', async () => {
      const k = await panel(db, 'kpis');
      assert.equal(k.users, 6); // u1..u6 all have events; the anonymous e38 is no user
      // range_end = last event 2024-03-20 18:12; active = events after 2024-02-19 18:12: u1 (03-10), u3 (03-18),
      // u5 (02-25, 03-20). u2 (last 02-02), u4 (01-10), u6 (02-10) are not.
      assert.equal(k.activeUsers, 3);
      assert.equal(k.orders, 7); // o1..o7
      assert.equal(k.revenue, 240); // 35 + 35 + 20 + 70 + 30 + 10 + 40 = (2*10 + 3*5) + 35 + 20 + 2*35 + (10+20) + 2*5 + 2*20
      assert.equal(k.refunds, 20); // e15
      assert.equal(k.buyers, 5); // u1 u2 u3 u4 u6
      assert.equal(k.repeatBuyers, 2); // u1 (o1, o2) and u3 (o4, o5)
      near(k.aov, 240 / 7, 'aov');
      near(k.purchaseConversion, 5 / 6, 'conversion');
      near(k.repeatPurchaseRate, 2 / 5, 'repeat rate');
      near(k.ordersPerCustomer, 7 / 5, 'orders per customer');
      assert.equal(k.rangeStart, utc('2024-01-05T10:00:00'));
      assert.equal(k.rangeEnd, utc('2024-03-20T18:12:00'));
    });

    test('"users in segment": every panel sees only that segment\'s users (a hostile value stays a value)', async () => {
      // A segmentation "tier": u1 and u3 are "Gold", u2 is "x'); DROP TABLE events; --", u4/u5 have none.
      await db.exec(`CREATE OR REPLACE TABLE user_segments AS SELECT user_id, CASE user_id WHEN 'u1' THEN 'Gold' WHEN 'u3' THEN 'Gold'
        WHEN 'u2' THEN 'x''); DROP TABLE events; --' END AS tier FROM users`);
      try {
        const k = await panel(db, 'kpis', { segment: { column: 'tier', value: 'Gold' } });
        // u1: o1 (35) + o2 (35); u3: o4 (70) + o5 (30) -> 4 orders, 170 revenue, both repeat buyers.
        assert.equal(k.users, 2);
        assert.equal(k.orders, 4);
        assert.equal(k.revenue, 170);
        assert.equal(k.repeatBuyers, 2);
        // The range is still the whole data's (the dashboard's dates do not move with the segment).
        assert.equal(k.rangeEnd, utc('2024-03-20T18:12:00'));
        const cats = await panel(db, 'categories', { segment: { column: 'tier', value: 'Gold' } });
        // Books: o1 (20 + 15) + o5 p1 (10) = 45; Toys: o2 35 + o4 70 = 105; Garden: o5 p4 20.
        assert.deepEqual(cats.map((c) => [c.category, c.revenue]), [['Toys', 105], ['Books', 45], ['Garden', 20]]);
        const evil = await panel(db, 'kpis', { segment: { column: 'tier', value: "x'); DROP TABLE events; --" } });
        assert.equal(evil.users, 1); // u2
        assert.equal(evil.revenue, 20); // o3
        assert.equal((await panel(db, 'kpis', { segment: { column: 'tier', value: 'Nobody' } })).users, 0);
      } finally {
        await db.exec('DROP TABLE user_segments');
      }
      assert.throws(() => validateOverviewSpec({ segment: { column: 'tier"; DROP', value: 'x' } }), /stored segmentation name/);
      assert.throws(() => validateOverviewSpec({ segment: { column: 'tier', value: 5 } }), /text of at most 500/);
    });

    test('KPIs compare with the period just before: as many days, ending the day before the range starts', async () => {
      // 2024-02-15..2024-03-20 is 35 days (15 in February, 20 in March); the previous period is 2024-01-11..02-14.
      const k = await panel(db, 'kpis', { from: '2024-02-15', to: '2024-03-20' });
      // In range: u1 s2 (o2 35), u3 s6 (o5 30), u5 s8 and s9 (no purchase).
      assert.deepEqual([k.users, k.orders, k.revenue, k.buyers], [3, 2, 65, 2]);
      // Previous: u2 s3 (o3 20) and s4 (refund), u6 s10 (o7 40), u3 s5 (o4 70); u1 s1 (01-05) and u4 s7 (01-10)
      // are before it. Active in its last 30 days (after 2024-01-15 23:59:59.999999): u2, u6 and u3.
      assert.deepEqual(k.previous, {
        from: '2024-01-11', to: '2024-02-14', users: 3, activeUsers: 3, orders: 3, revenue: 130, aov: 130 / 3,
        purchaseConversion: 1, repeatPurchaseRate: 0, ordersPerCustomer: 1,
      });
      // An open range has nothing before it to compare with; a period before the data compares with zeros.
      assert.equal((await panel(db, 'kpis', {})).previous, null);
      assert.equal((await panel(db, 'kpis', { from: '2024-01-01' })).previous, null);
      const first = await panel(db, 'kpis', { from: '2024-01-05', to: '2024-01-10' });
      assert.deepEqual([first.previous?.from, first.previous?.to, first.previous?.users, first.previous?.revenue, first.previous?.aov], ['2023-12-30', '2024-01-04', 0, 0, null]);
    });

    test('KPIs for 2024-01-01..2024-02-14 (to is inclusive; later events excluded)', async () => {
      const k = await panel(db, 'kpis', { from: '2024-01-01', to: '2024-02-14' });
      // In range: s1 (u1), s7 (u4), s3 (u2), s4 (u2 refund), s10 (u6), s5 (u3, on the last day). Out: s2, s6, s8, s9.
      assert.equal(k.users, 5); // u1 u2 u3 u4 u6
      // range_end = 2024-02-14 23:59:59.999999; active = ts > 2024-01-15 23:59:59.999999: u2 (01-20), u6, u3.
      assert.equal(k.activeUsers, 3);
      assert.equal(k.orders, 5); // o1 o3 o4 o6 o7
      assert.equal(k.revenue, 175); // 35 + 20 + 70 + 10 + 40
      assert.equal(k.refunds, 20);
      assert.equal(k.buyers, 5);
      assert.equal(k.repeatBuyers, 0); // u1 and u3 have only one order each in range
      assert.equal(k.aov, 35); // 175 / 5
      assert.equal(k.purchaseConversion, 1); // 5 / 5
      assert.equal(k.repeatPurchaseRate, 0);
      assert.equal(k.ordersPerCustomer, 1);
      assert.equal(k.rangeStart, utc('2024-01-01T00:00:00'));
      assert.equal(k.rangeEnd, utc('2024-02-14T23:59:59.999'));
      // One day earlier drops s5 (u3, o4 = 70): revenue 105, users 4.
      const k2 = await panel(db, 'kpis', { from: '2024-01-01', to: '2024-02-13' });
      assert.equal(k2.revenue, 105);
      assert.equal(k2.users, 4);
      // From 2024-03-01, open end: s2 (u1, o2 35), s6 (u3, o5 30), s9 (u5). 2 of 3 users buy, 65 / 2 orders.
      const k3 = await panel(db, 'kpis', { from: '2024-03-01' });
      assert.deepEqual([k3.users, k3.buyers, k3.orders, k3.revenue, k3.refunds, k3.aov], [3, 2, 2, 65, 0, 32.5]);
      near(k3.purchaseConversion, 2 / 3, 'conversion from March');
      // The active window is the last 30 calendar days up to and including `to`: to = 04-16 -> events from 03-18
      // on count (u3 03-18, u5 03-20) = 2; to = 04-17 -> from 03-19 on, only u5 = 1.
      assert.equal((await panel(db, 'kpis', { to: '2024-04-16' })).activeUsers, 2);
      assert.equal((await panel(db, 'kpis', { to: '2024-04-17' })).activeUsers, 1);
    });

    test('KPIs on an empty range are zeros and null ratios', async () => {
      const k = await panel(db, 'kpis', { from: '2025-01-01', to: '2025-01-31' });
      assert.deepEqual(
        [k.users, k.activeUsers, k.orders, k.revenue, k.refunds, k.buyers],
        [0, 0, 0, 0, 0, 0],
      );
      assert.deepEqual([k.aov, k.purchaseConversion, k.repeatPurchaseRate, k.ordersPerCustomer], [null, null, null, null]);
    });

    test('revenue over time by month, with a trailing empty month and its trend', async () => {
      const r = await panel(db, 'revenueOverTime', { grain: 'month', from: '2024-01-01', to: '2024-04-15' });
      // Jan: o1 35 + o6 10 + o3 20 = 65 (3 orders); Feb: o7 40 + o4 70 = 110 (2); Mar: o2 35 + o5 30 = 65 (2);
      // Apr: nothing, but the range reaches into it, so a zero bucket.
      assert.deepEqual(r.buckets, [
        { period: utc('2024-01-01T00:00:00'), revenue: 65, orders: 3 },
        { period: utc('2024-02-01T00:00:00'), revenue: 110, orders: 2 },
        { period: utc('2024-03-01T00:00:00'), revenue: 65, orders: 2 },
        { period: utc('2024-04-01T00:00:00'), revenue: 0, orders: 0 },
      ]);
      // Least squares on y = [65, 110, 65, 0], x = 0..3: x̄ = 1.5, ȳ = 60; Σ(x-x̄)(y-ȳ) = -1.5*5 - 0.5*50 + 0.5*5
      // + 1.5*-60 = -120; Σ(x-x̄)² = 5 -> slope -24, intercept 60 + 24*1.5 = 96 -> 96, 72, 48, 24.
      near(r.trend.slope, -24, 'slope');
      near(r.trend.intercept, 96, 'intercept');
      r.trend.values.forEach((v, i) => near(v, [96, 72, 48, 24][i], `trend[${i}]`));
      assert.equal(r.trend.values.length, 4);
    });

    test('revenue over time by ISO week (Monday starts) and by day, zero buckets included', async () => {
      const w = await panel(db, 'revenueOverTime', { grain: 'week' });
      // Weeks from Mon 2024-01-01 (holds 01-05) to Mon 2024-03-18 (holds 03-20): 12 weeks.
      // 01-05 o1 35 | 01-10 o6 10 | 01-20 (Sat) o3 20 | - | - (02-02 is a refund) | 02-10 (Sat) o7 40 |
      // 02-14 o4 70 | - | - | 03-10 (Sun, week of 03-04) o2 35 | - | 03-18 (Mon) o5 30.
      assert.deepEqual(w.buckets.map((b) => b.revenue), [35, 10, 20, 0, 0, 40, 70, 0, 0, 35, 0, 30]);
      assert.deepEqual(w.buckets.map((b) => b.orders), [1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1]);
      assert.equal(w.buckets[0].period, utc('2024-01-01T00:00:00'));
      assert.equal(w.buckets[11].period, utc('2024-03-18T00:00:00'));
      const d = await panel(db, 'revenueOverTime', { grain: 'day' });
      // 2024-01-05..2024-03-20 = 27 (Jan 5-31) + 29 (Feb, leap year) + 20 = 76 days.
      assert.equal(d.buckets.length, 76);
      assert.equal(d.buckets.reduce((s, b) => s + b.revenue, 0), 240);
      assert.equal(d.buckets.filter((b) => b.orders > 0).length, 7); // seven order days, one order each
      assert.deepEqual(d.buckets[1], { period: utc('2024-01-06T00:00:00'), revenue: 0, orders: 0 });
      assert.deepEqual(d.buckets[5], { period: utc('2024-01-10T00:00:00'), revenue: 10, orders: 1 });
    });

    test('revenue over time against the previous period: same buckets, its purchases moved forward by its length', async () => {
      // February 2024 (29 days): o7 40 (02-10) and o4 70 (02-14). The previous period is 2024-01-03..2024-01-31
      // (29 days): o1 35 (01-05), o6 10 (01-10), o3 20 (01-20); moved forward 29 days they fall on 02-03, 02-08 and
      // 02-18 (the refund of 02-02 is no purchase).
      const m = await panel(db, 'revenueOverTime', { grain: 'month', from: '2024-02-01', to: '2024-02-29' });
      assert.deepEqual(m.buckets.map((b) => [b.revenue, b.orders]), [[110, 2]]);
      assert.deepEqual(m.previous, { from: '2024-01-03', to: '2024-01-31', buckets: [{ revenue: 65, orders: 3 }] });
      // Weeks from Mon 01-29: current 02-10 (Sat) in week 02-05, 02-14 in week 02-12; moved previous: 02-03 (Sat) in
      // week 01-29, 02-08 in week 02-05, 02-18 (Sun) in week 02-12.
      const w = await panel(db, 'revenueOverTime', { grain: 'week', from: '2024-02-01', to: '2024-02-29' });
      assert.deepEqual(w.buckets.map((b) => b.revenue), [0, 40, 70, 0, 0]);
      assert.deepEqual(w.previous?.buckets.map((b) => b.revenue), [35, 10, 20, 0, 0]);
      assert.deepEqual(w.previous?.buckets.map((b) => b.orders), [1, 1, 1, 0, 0]);
      assert.equal(relativeChange(110, 65), 45 / 65);
      assert.equal(relativeChange(5, 0), null);
      // An open range has nothing before it.
      assert.equal((await panel(db, 'revenueOverTime', { grain: 'month' })).previous, null);
      assert.equal((await panel(db, 'revenueOverTime', { grain: 'month', from: '2024-02-01' })).previous, null);
    });

    test('category performance, sorted by revenue', async () => {
      const c = await panel(db, 'categories');
      assert.deepEqual(c, [
        // Toys: e8 (o2, u1, 35) + e20 (o4, u3, 70) = 105 over 2 orders.
        { category: 'Toys', transactions: 2, orders: 2, revenue: 105, aov: 52.5, customers: 2 },
        // Garden: e12 (o3, u2, 20) + e24 (o5, u3, 20) + e36 (o7, u6, 40) = 80 over 3 orders.
        { category: 'Garden', transactions: 3, orders: 3, revenue: 80, aov: 80 / 3, customers: 3 },
        // Books: e4 + e5 (o1, u1, 20 + 15) + e23 (o5, u3, 10) + e26 (o6, u4, 10) = 55 over 3 orders.
        { category: 'Books', transactions: 4, orders: 3, revenue: 55, aov: 55 / 3, customers: 3 },
      ]);
    });

    test('churn bands: defaults, edited thresholds move users between bands', async () => {
      // Days from last purchase to 2024-03-20: u1 10 (03-10), u3 2 (03-18), u6 39 (02-10), u2 60 (01-20),
      // u4 70 (01-10). Revenue: u1 70, u3 100, u6 40, u2 20, u4 10.
      const d = await panel(db, 'churn');
      assert.deepEqual(d, [
        { band: 'low', customers: 5, revenue: 240 }, // all <= 90
        { band: 'medium', customers: 0, revenue: 0 },
        { band: 'high', customers: 0, revenue: 0 },
      ]);
      const a = await panel(db, 'churn', { churn: { medium: 30, high: 60 } });
      assert.deepEqual(a, [
        { band: 'low', customers: 2, revenue: 170 }, // u1 70 + u3 100
        { band: 'medium', customers: 2, revenue: 60 }, // u6 40 + u2 20 (60 <= 60 is still medium)
        { band: 'high', customers: 1, revenue: 10 }, // u4
      ]);
      const b = await panel(db, 'churn', { churn: { medium: 30, high: 59 } });
      assert.deepEqual(b, [
        { band: 'low', customers: 2, revenue: 170 },
        { band: 'medium', customers: 1, revenue: 40 }, // u2 (60 days) moved to high
        { band: 'high', customers: 2, revenue: 30 }, // u2 20 + u4 10
      ]);
    });

    test('customers scatter: every buyer, band, and a deterministic capped sample', async () => {
      const spec = validateOverviewSpec({ churn: { medium: 30, high: 60 } });
      const all = await panel(db, 'customers', spec);
      assert.equal(all.total, 5);
      assert.equal(all.sampled, false);
      const byUser = [...all.points].sort((p, q) => p.userId.localeCompare(q.userId));
      assert.deepEqual(byUser, [
        { userId: 'u1', spend: 70, orders: 2, daysSinceLastPurchase: 10, band: 'low' },
        { userId: 'u2', spend: 20, orders: 1, daysSinceLastPurchase: 60, band: 'medium' },
        { userId: 'u3', spend: 100, orders: 2, daysSinceLastPurchase: 2, band: 'low' },
        { userId: 'u4', spend: 10, orders: 1, daysSinceLastPurchase: 70, band: 'high' },
        { userId: 'u6', spend: 40, orders: 1, daysSinceLastPurchase: 39, band: 'medium' },
      ]);
      // The sample order is hash(user_id), not id order: the same hash over the five ids gives the same order.
      const hashed = toRows(
        await db.query(`SELECT u FROM (VALUES ('u1'), ('u2'), ('u3'), ('u4'), ('u6')) t(u) ORDER BY hash(u), u`),
      );
      assert.deepEqual(all.points.map((p) => p.userId), hashed.map((r) => r.u));
      const q = customersScatterSql(spec, 2);
      const capped = decodeCustomersScatter(await db.query(q.text, q.params));
      assert.equal(capped.total, 5); // the true count, not the 2 drawn
      assert.equal(capped.sampled, true);
      assert.deepEqual(capped.points, all.points.slice(0, 2)); // same hash order every time
      const again = decodeCustomersScatter(await db.query(q.text, q.params));
      assert.deepEqual(again.points, capped.points);
    });

    test('revenue by country and by region (geo toggle); unknown users and odd names are data', async () => {
      const c = await panel(db, 'geography', { geo: 'country' });
      assert.deepEqual(c, [
        { place: 'Japan', isOther: false, revenue: 100, orders: 2, customers: 1 }, // u3 (u5 buys nothing)
        { place: 'France', isOther: false, revenue: 70, orders: 2, customers: 1 }, // u1
        { place: null, isOther: false, revenue: 40, orders: 1, customers: 1 }, // u6 has no users row
        { place: 'Germany', isOther: false, revenue: 20, orders: 1, customers: 1 }, // u2
        { place: EVIL_COUNTRY, isOther: false, revenue: 10, orders: 1, customers: 1 }, // u4
      ]);
      const r = await panel(db, 'geography', { geo: 'region' });
      assert.deepEqual(r, [
        { place: 'Asia', isOther: false, revenue: 100, orders: 2, customers: 1 },
        { place: 'Europe', isOther: false, revenue: 90, orders: 3, customers: 2 }, // u1 70 + u2 20
        { place: null, isOther: false, revenue: 40, orders: 1, customers: 1 },
        { place: 'Africa', isOther: false, revenue: 10, orders: 1, customers: 1 },
      ]);
      const users = toRows(await db.query('SELECT count(*)::DOUBLE AS n FROM users'));
      assert.equal(users[0].n, 5); // the "DROP TABLE" country did nothing
    });

    test('traffic sources for one segment, all time and in a range (orders and revenue from the purchase events)', async () => {
      // "Gold" = u1 and u3: s1 google/cpc (o1 35, 01-05), s2 email/newsletter (o2 35, 03-10), s5 bing/cpc (o4 70,
      // 02-14), s6 instagram/social (o5 30, 03-18). One session each: by revenue, then source.
      await db.exec(`CREATE OR REPLACE TABLE user_segments AS SELECT user_id, CASE WHEN user_id IN ('u1', 'u3') THEN 'Gold' END AS tier FROM users`);
      try {
        for (const [way, ctx] of TRAFFIC_WAYS) {
          const rows = (t: OverviewResults['trafficSources']) => t.map((x) => [x.source, x.medium, x.sessions, x.users, x.orders, x.revenue, x.conversion]);
          const gold = { segment: { column: 'tier', value: 'Gold' } };
          assert.deepEqual(rows(await panel(db, 'trafficSources', gold, ctx)), [
            ['bing', 'cpc', 1, 1, 1, 70, 1], ['email', 'newsletter', 1, 1, 1, 35, 1], ['google', 'cpc', 1, 1, 1, 35, 1], ['instagram', 'social', 1, 1, 1, 30, 1],
          ], way);
          // 2024-01-01..2024-02-14 keeps s1 and s5 (02-14 11:00 is inside the last day).
          assert.deepEqual(rows(await panel(db, 'trafficSources', { ...gold, from: '2024-01-01', to: '2024-02-14' }, ctx)), [
            ['bing', 'cpc', 1, 1, 1, 70, 1], ['google', 'cpc', 1, 1, 1, 35, 1],
          ], way);
        }
      } finally {
        await db.exec('DROP TABLE user_segments');
      }
    });

    test('traffic sources: session_start wins, else the first event; conversion per source', async () => {
      for (const [way, ctx] of TRAFFIC_WAYS) {
        const t = await panel(db, 'trafficSources', {}, ctx);
        const row = (source: string | null, medium: string | null, n: number[], conversion: number) => ({
          source, medium, sessions: n[0], users: n[1], buyers: n[2], orders: n[3], revenue: n[4],
          convertingSessions: n[5], conversion,
        });
        assert.deepEqual(t, [
          row('google', 'cpc', [3, 3, 3, 3, 85, 3], 1), // s1 (o1 35), s7 (o6 10), s10 (o7 40)
          row('facebook', 'social', [2, 2, 1, 1, 20, 1], 0.5), // s3 (u2, o3 20), s9 (u5, none)
          row('bing', 'cpc', [1, 1, 1, 1, 70, 1], 1), // s5 via its session_start, though its first event is google
          row('email', 'newsletter', [1, 1, 1, 1, 35, 1], 1), // s2
          row('instagram', 'social', [1, 1, 1, 1, 30, 1], 1), // s6 via its first event (no session_start)
          row('direct', null, [1, 1, 0, 0, 0, 0], 0), // s4: a refund is not a purchase
          row('google', 'organic', [1, 1, 0, 0, 0, 0], 0), // s8 only
        ], way);
      }
    });

    test('traffic sources read from session_metrics: sessions across a date edge or shared by two users come from their events', async () => {
      // Its own shop. s1 (u1) runs over midnight: session_start google/cpc 05-01 23:50, a view 23:55, then a
      // purchase o1 (30) tagged google/organic at 05-02 00:10. s2 (u2): facebook/social, purchase o2 (40). s3 starts
      // with u1's email/newsletter session_start at 12:00, then u2 views (twitter/social, 12:01) and buys o3 (10,
      // 12:02). s4 (u3) has no session_start: an instagram/social view 05-01 22:00, a bing/cpc view 05-02 01:00.
      const d = await openDb();
      try {
        await d.exec(`CREATE TABLE users (user_id VARCHAR);
INSERT INTO users VALUES ('u1'), ('u2'), ('u3');
CREATE TABLE events (user_id VARCHAR, session_id VARCHAR, event_type VARCHAR, ts TIMESTAMP, order_id VARCHAR, revenue DOUBLE, source VARCHAR, medium VARCHAR);
INSERT INTO events VALUES
  ('u1', 's1', 'session_start', '2024-05-01 23:50', NULL, NULL, 'google', 'cpc'),
  ('u1', 's1', 'product_view', '2024-05-01 23:55', NULL, NULL, 'google', 'cpc'),
  ('u1', 's1', 'purchase', '2024-05-02 00:10', 'o1', 30, 'google', 'organic'),
  ('u2', 's2', 'session_start', '2024-05-02 10:00', NULL, NULL, 'facebook', 'social'),
  ('u2', 's2', 'purchase', '2024-05-02 10:05', 'o2', 40, 'facebook', 'social'),
  ('u1', 's3', 'session_start', '2024-05-02 12:00', NULL, NULL, 'email', 'newsletter'),
  ('u2', 's3', 'product_view', '2024-05-02 12:01', NULL, NULL, 'twitter', 'social'),
  ('u2', 's3', 'purchase', '2024-05-02 12:02', 'o3', 10, 'twitter', 'social'),
  ('u3', 's4', 'product_view', '2024-05-01 22:00', NULL, NULL, 'instagram', 'social'),
  ('u3', 's4', 'product_view', '2024-05-02 01:00', NULL, NULL, 'bing', 'cpc');
CREATE TABLE user_segments AS SELECT user_id, CASE user_id WHEN 'u2' THEN 'Gold' END AS tier FROM users;
${sessionMetricsSql('session_metrics')}`);
        const rows = (t: OverviewResults['trafficSources']) => t.map((x) => [x.source, x.medium, x.sessions, x.users, x.buyers, x.orders, x.revenue]);
        const gold = { segment: { column: 'tier', value: 'Gold' } };
        const cases: [Partial<OverviewSpec>, unknown[][]][] = [
          // All time: s1 by its session_start, s3 by u1's session_start (its user: u1, the first event's).
          [{}, [['facebook', 'social', 1, 1, 1, 1, 40], ['google', 'cpc', 1, 1, 1, 1, 30], ['email', 'newsletter', 1, 1, 1, 1, 10], ['instagram', 'social', 1, 1, 0, 0, 0]]],
          // 05-02 only: s1 keeps just its purchase (google/organic, no session_start in range); s4 its bing view.
          [{ from: '2024-05-02', to: '2024-05-02' }, [['facebook', 'social', 1, 1, 1, 1, 40], ['google', 'organic', 1, 1, 1, 1, 30], ['email', 'newsletter', 1, 1, 1, 1, 10], ['bing', 'cpc', 1, 1, 0, 0, 0]]],
          // 05-01 only: s1 without its purchase, s4's instagram view.
          [{ to: '2024-05-01' }, [['google', 'cpc', 1, 1, 0, 0, 0], ['instagram', 'social', 1, 1, 0, 0, 0]]],
          // Gold (u2): s2 whole; of s3 only u2's view and purchase (twitter/social, no session_start of u2's).
          [gold, [['facebook', 'social', 1, 1, 1, 1, 40], ['twitter', 'social', 1, 1, 1, 1, 10]]],
          [{ ...gold, to: '2024-05-01' }, []],
        ];
        for (const [spec, want] of cases) {
          for (const [way, ctx] of TRAFFIC_WAYS) assert.deepEqual(rows(await panel(d, 'trafficSources', spec, ctx)), want, `${JSON.stringify(spec)} ${way}`);
        }
        // Every pair of edges around the data, with and without the segment: both ways agree.
        const days = [null, '2024-04-30', '2024-05-01', '2024-05-02', '2024-05-03'];
        for (const from of days) {
          for (const to of days) {
            if (from && to && from > to) continue;
            for (const seg of [{}, gold]) {
              const spec = { ...seg, from, to };
              assert.deepEqual(await panel(d, 'trafficSources', spec, { sessionMetrics: true }), await panel(d, 'trafficSources', spec), JSON.stringify(spec));
            }
          }
        }
      } finally {
        await d.close();
      }
    });

    test('traffic sources: both ways agree on the shop for every pair of dates around its sessions, with and without a segment', async () => {
      const edges = [null, '2024-01-05', '2024-01-20', '2024-02-14', '2024-02-25', '2024-03-18', '2024-03-20'];
      await db.exec(`CREATE OR REPLACE TABLE user_segments AS SELECT user_id, CASE WHEN user_id IN ('u3', 'u5') THEN 'Gold' END AS tier FROM users`);
      try {
        for (const from of edges) {
          for (const to of edges) {
            if (from && to && from > to) continue;
            for (const seg of [{}, { segment: { column: 'tier', value: 'Gold' } }]) {
              const spec = { ...seg, from, to };
              assert.deepEqual(await panel(db, 'trafficSources', spec, { sessionMetrics: true }), await panel(db, 'trafficSources', spec), JSON.stringify(spec));
            }
          }
        }
      } finally {
        await db.exec('DROP TABLE user_segments');
      }
    });

    test('every panel respects 2024-01-01..2024-02-14', async () => {
      const range = { from: '2024-01-01', to: '2024-02-14' };
      const r = await panel(db, 'revenueOverTime', { ...range, grain: 'month' });
      assert.deepEqual(r.buckets.map((b) => [b.revenue, b.orders]), [[65, 3], [110, 2]]);
      const c = await panel(db, 'categories', range);
      assert.deepEqual(c.map((x) => [x.category, x.transactions, x.orders, x.revenue, x.customers]), [
        ['Toys', 1, 1, 70, 1], // o4
        ['Garden', 2, 2, 60, 2], // o3 20 + o7 40
        ['Books', 3, 2, 45, 2], // o1 (20 + 15) + o6 10
      ]);
      // Days to 2024-02-14 23:59:59: u3 0 (02-14), u6 4 (02-10), u2 25 (01-20), u4 35 (01-10), u1 40 (01-05).
      const ch = await panel(db, 'churn', { ...range, churn: { medium: 30, high: 38 } });
      assert.deepEqual(ch.map((b) => [b.customers, b.revenue]), [[3, 130], [1, 10], [1, 35]]);
      const s = await panel(db, 'customers', range);
      const days = Object.fromEntries(s.points.map((p) => [p.userId, p.daysSinceLastPurchase]));
      assert.deepEqual(days, { u1: 40, u2: 25, u3: 0, u4: 35, u6: 4 });
      assert.equal(s.points.find((p) => p.userId === 'u1')?.spend, 35); // o2 (03-10) is out of range
      const g = await panel(db, 'geography', range);
      assert.deepEqual(g.map((x) => [x.place, x.revenue]), [['Japan', 70], [null, 40], ['France', 35], ['Germany', 20], [EVIL_COUNTRY, 10]]);
      for (const [way, ctx] of TRAFFIC_WAYS) {
        const t = await panel(db, 'trafficSources', range, ctx);
        assert.deepEqual(t.map((x) => [x.source, x.medium, x.sessions, x.revenue]), [
          ['google', 'cpc', 3, 85], ['bing', 'cpc', 1, 70], ['facebook', 'social', 1, 20], ['direct', null, 1, 0],
        ], way);
      }
    });

    describe('the all-time KPI row from user_metrics (where it covers the events)', () => {
      // The fixture as the app would store it: the guest u6 gets a users row; u7 (added) buys once without an order
      // id — a buyer with no order; u8 (added) has a row and no events. user_metrics rebuilt over it.
      let d: Db;
      before(async () => {
        d = await openDb();
        await loadFixture(d);
        await d.exec(`INSERT INTO users VALUES ('u6', '2024-01-06', NULL, NULL), ('u7', '2024-01-07', 'Japan', 'Asia'), ('u8', '2024-01-08', 'Japan', 'Asia');
INSERT INTO events VALUES ('e39', 'u7', 's11', 'purchase', '2024-03-01 09:00:00', 'p2', 'Books', 5, 1, 5, NULL, 'direct', NULL, NULL, 'web');
CREATE TABLE user_segments AS SELECT user_id, CASE WHEN user_id IN ('u1', 'u3') THEN 'Gold' WHEN user_id IN ('u7', 'u8') THEN 'Bronze' END AS tier FROM users;
${USER_METRICS_SQL}`);
      });
      after(async () => d.close());
      const WAYS: readonly [string, PanelContext][] = [['from the events', {}], ['from user_metrics', { userMetrics: true }]];
      const covers = async (x: Db) => firstOk(await x.query(USER_METRICS_COVER_SQL.text));

      test('user_metrics covers the events only when its event counts add up to theirs', async () => {
        assert.equal(await covers(d), true);
        // The suite's own fixture: u6 has events and no users row, so no metrics row.
        assert.equal(await covers(db), false);
        // One more event and user_metrics not refreshed: stale, not covering.
        await d.exec(`INSERT INTO events VALUES ('e40', 'u8', 's12', 'page_view', '2024-03-02 09:00:00', NULL, NULL, NULL, NULL, NULL, NULL, 'direct', NULL, NULL, 'web')`);
        try {
          assert.equal(await covers(d), false);
        } finally {
          await d.exec(`DELETE FROM events WHERE event_id = 'e40'`);
        }
        assert.equal(await covers(d), true);
      });

      test('all time, both ways, by hand', async () => {
        for (const [way, ctx] of WAYS) {
          const k = await panel(d, 'kpis', {}, ctx);
          // u1..u7 have events (u8 none); active after 2024-02-19 18:12: u1, u3, u5 and u7 (03-01).
          assert.deepEqual([k.users, k.activeUsers, k.buyers, k.repeatBuyers, k.orders, k.revenue, k.refunds], [7, 4, 6, 2, 7, 245, 20], way);
          near(k.aov, 35, `${way} aov`); // 245 / 7
          near(k.purchaseConversion, 6 / 7, `${way} conversion`);
          near(k.repeatPurchaseRate, 2 / 6, `${way} repeat rate`);
          near(k.ordersPerCustomer, 7 / 6, `${way} orders per customer`);
          assert.deepEqual([k.rangeStart, k.rangeEnd, k.previous], [utc('2024-01-05T10:00:00'), utc('2024-03-20T18:12:00'), null], way);
          const gold = await panel(d, 'kpis', { segment: { column: 'tier', value: 'Gold' } }, ctx);
          assert.deepEqual([gold.users, gold.activeUsers, gold.buyers, gold.repeatBuyers, gold.orders, gold.revenue], [2, 2, 2, 2, 4, 170], way);
          // Bronze: u7 (a buyer with no order) and u8 (no events).
          const bronze = await panel(d, 'kpis', { segment: { column: 'tier', value: 'Bronze' } }, ctx);
          assert.deepEqual([bronze.users, bronze.activeUsers, bronze.buyers, bronze.repeatBuyers, bronze.orders, bronze.revenue, bronze.aov, bronze.ordersPerCustomer], [1, 1, 1, 0, 0, 5, null, 0], way);
          const nobody = await panel(d, 'kpis', { segment: { column: 'tier', value: 'Nobody' } }, ctx);
          assert.deepEqual([nobody.users, nobody.buyers, nobody.orders, nobody.revenue, nobody.purchaseConversion], [0, 0, 0, 0, null], way);
        }
      });

      test('only all time reads user_metrics; every range and segment gives the same row both ways', async () => {
        const specs: Partial<OverviewSpec>[] = [];
        for (const segment of [null, { column: 'tier', value: 'Gold' }, { column: 'tier', value: 'Bronze' }]) {
          for (const [from, to] of [[null, null], ['2024-02-15', null], [null, '2024-02-14'], ['2024-01-01', '2024-03-20'], ['2024-03-01', '2024-03-01']]) {
            specs.push({ from, to, segment });
          }
        }
        for (const spec of specs) {
          const full = validateOverviewSpec({ ...DEFAULT_OVERVIEW, ...spec });
          const reads = OVERVIEW_PANELS.kpis(full, { userMetrics: true }).text.includes('user_metrics');
          assert.equal(reads, spec.from === null && spec.to === null, JSON.stringify(spec));
          assert.deepEqual(await panel(d, 'kpis', spec, { userMetrics: true }), await panel(d, 'kpis', spec), JSON.stringify(spec));
        }
      });
    });

    test('values reach DuckDB only as bound parameters', async () => {
      const spec = validateOverviewSpec({ from: '2024-01-01', to: '2024-02-14', churn: { medium: 31, high: 77 } });
      for (const [name, build] of [...Object.entries(OVERVIEW_PANELS), ['trafficSources (session_metrics)', (x: OverviewSpec) => OVERVIEW_PANELS.trafficSources(x, { sessionMetrics: true })] as const]) {
        const q = build(spec);
        assert.ok(!q.text.includes('2024-01-01') && !q.text.includes('2024-02-14'), `${name} spliced a date`);
        assert.ok(q.params.includes('2024-01-01') && q.params.includes('2024-02-14'), `${name} lost the range`);
        assert.equal(q.text.split('?').length - 1, q.params.length, `${name}: placeholders vs params`);
      }
      assert.ok(!OVERVIEW_PANELS.churn(spec).text.includes('77') && OVERVIEW_PANELS.churn(spec).params.includes(77));
      // A hostile date that skips the validator is still only a value: it never reaches the SQL text, and DuckDB
      // reads it as a date (its cast is lenient: the leading 2024-01-01), so the KPIs are those of the plain range.
      const evil = "2024-01-01'::DATE; DROP TABLE events; SELECT '";
      const q = OVERVIEW_PANELS.kpis({ ...spec, from: evil });
      assert.ok(!q.text.includes('DROP') && q.params.includes(evil));
      const k = OVERVIEW_DECODERS.kpis(await db.query(q.text, q.params), { ...spec, from: evil });
      assert.equal(k.revenue, 175);
      const n = toRows(await db.query('SELECT count(*)::DOUBLE AS n FROM events'));
      assert.equal(n[0].n, 38);
    });
  });
}

overviewSuite('native', () => openNodeDb());
overviewSuite('DuckDB-WASM', () => openWasmDb());

describe('geography folds places below the top 15 into Other', () => {
  test('17 countries with revenue 1..17: top 15 listed, Other = 2 + 1', async () => {
    const db = await openNodeDb();
    try {
      const n = 17;
      const idx = Array.from({ length: n }, (_, i) => i + 1);
      await db.exec(`CREATE TABLE users (user_id VARCHAR, signup_ts TIMESTAMP, country VARCHAR, region VARCHAR);
CREATE TABLE events (event_id VARCHAR, user_id VARCHAR, session_id VARCHAR, event_type VARCHAR, ts TIMESTAMP,
  order_id VARCHAR, revenue DOUBLE, source VARCHAR, medium VARCHAR);
INSERT INTO users VALUES ${values(idx.map((i) => [`u${i}`, '2024-01-01', `C${String(i).padStart(2, '0')}`, 'R']))};
INSERT INTO events VALUES ${values(idx.map((i) => [`e${i}`, `u${i}`, `s${i}`, 'purchase', '2024-01-02 10:00:00', `o${i}`, i, null, null]))};`);
      const g = await panel(db, 'geography', { geo: 'country' });
      assert.equal(g.length, 16);
      assert.deepEqual(g.slice(0, 15).map((x) => x.place), idx.slice(2).reverse().map((i) => `C${String(i).padStart(2, '0')}`));
      assert.deepEqual(g[15], { place: null, isOther: true, revenue: 3, orders: 2, customers: 2 });
      const r = await panel(db, 'geography', { geo: 'region' });
      assert.deepEqual(r, [{ place: 'R', isOther: false, revenue: (n * (n + 1)) / 2, orders: n, customers: n }]);
    } finally {
      await db.close();
    }
  });
});

describe('user_metrics on the fixture', () => {
  test('per-user sessions, orders, revenue, refunds, aov, recency and session length by hand', async () => {
    const db = await openNodeDb();
    try {
      await loadFixture(db);
      const rows = toRows(
        await db.query(`SELECT user_id, sessions::DOUBLE AS sessions, events::DOUBLE AS events, views::DOUBLE AS views,
  cart_adds::DOUBLE AS cart_adds, orders::DOUBLE AS orders, revenue, refunds, aov,
  days_since_last_visit::DOUBLE AS dlv, days_since_last_purchase::DOUBLE AS dlp, lifetime_days::DOUBLE AS life,
  avg_session_minutes AS mins FROM user_metrics ORDER BY user_id`),
      );
      // "Now" is the last event, 2024-03-20 18:12. u6 has no users row, so no metrics row.
      const cols = ['sessions', 'events', 'views', 'cart_adds', 'orders', 'revenue', 'refunds', 'aov', 'dlv', 'dlp', 'life', 'mins'];
      const expected: Record<string, (number | null)[]> = {
        // s1 30 min + s2 20 min; e1-e9; o1 35 + o2 35; last visit and purchase 03-10 (10 days); 01-05 -> 03-10 = 26+29+10.
        u1: [2, 9, 1, 1, 2, 70, 0, 35, 10, 10, 65, 25],
        // s3 15 + s4 10; e10-e16; o3 20 refunded; last visit 02-02 (27+20 = 47), purchase 01-20 (11+29+20 = 60); 01-20 -> 02-02 = 13.
        u2: [2, 7, 1, 0, 1, 20, 20, 20, 47, 60, 13, 12.5],
        // s5 32 (10:58-11:30) + s6 10; e17-e24; o4 70 + o5 30; 03-18 -> 2 days; 02-14 -> 03-18 = 15+18.
        u3: [2, 8, 2, 1, 2, 100, 0, 50, 2, 2, 33, 21],
        // s7 45; e25-e27; o6 10; 01-10 -> 21+29+20 = 70; one day of life.
        u4: [1, 3, 0, 0, 1, 10, 0, 10, 70, 70, 0, 45],
        // s8 6 + s9 12; e28-e34; no orders (aov and purchase recency null); last visit is "now"; 02-25 -> 03-20 = 4+20.
        u5: [2, 7, 2, 1, 0, 0, 0, null, 0, null, 24, 9],
      };
      assert.deepEqual(rows.map((r) => r.user_id), Object.keys(expected));
      for (const r of rows) {
        assert.deepEqual(cols.map((c) => r[c]), expected[String(r.user_id)], `user ${r.user_id}`);
      }
    } finally {
      await db.close();
    }
  });
});

describe('validateOverviewSpec', () => {
  test('fills defaults for missing keys and returns a fresh object', () => {
    const s = validateOverviewSpec({ grain: 'week', from: '2024-02-29' });
    assert.deepEqual(s, { from: '2024-02-29', to: null, grain: 'week', churn: { medium: 90, high: 180 }, geo: 'country', segment: null });
    assert.notEqual(s.churn, DEFAULT_OVERVIEW.churn);
    assert.deepEqual(validateOverviewSpec({}), DEFAULT_OVERVIEW);
  });

  const rejects = (x: unknown, pattern: RegExp) =>
    assert.throws(() => validateOverviewSpec(x), (e: unknown) => e instanceof StrataError && pattern.test(e.message));

  test('rejects unknown keys, at the top and inside churn', () => {
    rejects({ grain: 'day', colour: 'red' }, /Unknown Overview setting "colour"\. Allowed: from, to, grain, churn, geo, segment/);
    rejects({ churn: { medium: 10, high: 20, low: 5 } }, /Unknown churn threshold "low"/);
  });

  test('rejects medium >= high and non-day thresholds', () => {
    rejects({ churn: { medium: 180, high: 180 } }, /"medium" threshold \(180 days\) must be less than the "high" threshold \(180 days\)/);
    rejects({ churn: { medium: 200 } }, /must be less than the "high" threshold \(180 days\)/);
    rejects({ churn: { medium: 1.5, high: 20 } }, /whole number of days/);
    rejects({ churn: { medium: -1, high: 20 } }, /whole number of days/);
    rejects({ churn: { medium: '30', high: 60 } }, /whole number of days/);
  });

  test('rejects bad dates and a start after the end', () => {
    rejects({ from: '2024-02-30' }, /not a real calendar date/);
    rejects({ to: '2023-02-29' }, /not a real calendar date/);
    rejects({ from: '2024-1-5' }, /YYYY-MM-DD/);
    rejects({ to: 20240105 }, /YYYY-MM-DD/);
    rejects({ from: '2024-03-01', to: '2024-02-01' }, /start date \(2024-03-01\) is after the end date \(2024-02-01\)/);
    assert.equal(validateOverviewSpec({ from: '2024-03-01', to: '2024-03-01' }).to, '2024-03-01');
  });

  test('rejects bad enums and non-objects', () => {
    rejects({ grain: 'year' }, /time grain \("grain"\) must be one of day, week, month; got "year"/);
    rejects({ geo: 'city' }, /must be one of country, region/);
    rejects(null, /must be an object/);
    rejects([], /must be an object/);
    rejects({ churn: 90 }, /churn thresholds .* must be an object/);
  });
});

describe('linearTrend', () => {
  test('fits a line and handles short inputs', () => {
    assert.deepEqual(linearTrend([1, 3, 5]), { slope: 2, intercept: 1, values: [1, 3, 5] });
    assert.deepEqual(linearTrend([4, 4, 4, 4]), { slope: 0, intercept: 4, values: [4, 4, 4, 4] });
    // [0, 2, 1]: x̄ 1, ȳ 1; Σ = (-1)(-1) + 0 + (1)(0) = 1; Σx² = 2 -> slope 0.5, intercept 0.5.
    assert.deepEqual(linearTrend([0, 2, 1]), { slope: 0.5, intercept: 0.5, values: [0.5, 1, 1.5] });
    assert.deepEqual(linearTrend([7]), { slope: 0, intercept: 7, values: [7] });
    assert.deepEqual(linearTrend([]), { slope: 0, intercept: 0, values: [] });
  });
});

describe('date presets, relative to the data\'s last day', () => {
  test('each preset\'s range, across a year boundary and a leap February', async () => {
    const { presetRange } = await import('../src/analyses/overview/presets.ts');
    const last = Date.parse('2024-03-20T18:12:00Z');
    assert.deepEqual(presetRange('last-30', last), { from: '2024-02-20', to: '2024-03-20' }); // 10 days of Feb (leap) + 20 of March
    assert.deepEqual(presetRange('last-90', last), { from: '2023-12-22', to: '2024-03-20' });
    assert.deepEqual(presetRange('last-365', last), { from: '2023-03-22', to: '2024-03-20' }); // 2024 is a leap year
    assert.deepEqual(presetRange('this-month', last), { from: '2024-03-01', to: '2024-03-20' });
    assert.deepEqual(presetRange('last-month', last), { from: '2024-02-01', to: '2024-02-29' });
    assert.deepEqual(presetRange('ytd', last), { from: '2024-01-01', to: '2024-03-20' });
    const jan = Date.parse('2025-01-09T00:00:00Z');
    assert.deepEqual(presetRange('last-month', jan), { from: '2024-12-01', to: '2024-12-31' });
    assert.deepEqual(presetRange('this-month', jan), { from: '2025-01-01', to: '2025-01-09' });
  });
});

describe('the revenue chart marks a period the data has not finished', () => {
  test('whole days decide: data ending late on the 31st finished its month; ending on the 20th did not', async () => {
    const { lastPeriodPartial, periodEnd } = await import('../src/views/overview/charts.ts');
    const months = { buckets: [{ period: Date.parse('2024-02-01T00:00:00Z'), revenue: 1, orders: 1 }, { period: Date.parse('2024-03-01T00:00:00Z'), revenue: 1, orders: 1 }], trend: { values: [], slope: 0 } } as never;
    assert.equal(periodEnd(Date.parse('2024-02-01T00:00:00Z'), 'month'), Date.parse('2024-03-01T00:00:00Z'));
    assert.equal(lastPeriodPartial(months, 'month', Date.parse('2024-03-20T18:12:00Z')), true);
    assert.equal(lastPeriodPartial(months, 'month', Date.parse('2024-03-31T22:00:00Z')), false);
    assert.equal(lastPeriodPartial(months, 'month', null), false);
    const week = { buckets: [{ period: Date.parse('2024-03-18T00:00:00Z'), revenue: 1, orders: 1 }], trend: { values: [], slope: 0 } } as never;
    assert.equal(lastPeriodPartial(week, 'week', Date.parse('2024-03-24T01:00:00Z')), false); // Monday 18th .. Sunday 24th
    assert.equal(lastPeriodPartial(week, 'week', Date.parse('2024-03-23T23:59:00Z')), true);
    assert.equal(lastPeriodPartial(week, 'day', Date.parse('2024-03-18T05:00:00Z')), false);
  });
});
