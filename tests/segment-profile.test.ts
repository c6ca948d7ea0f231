// The Segments screen's numbers (src/analyses/segments/profile.ts) on a hand-made shop of 13 users, checked against
// a plain TypeScript loop over the same fixture rows (an independent reference: no SQL), on native DuckDB and on
// DuckDB-WASM in Node; plus datasets that lack columns, and the exporters (CSV, insights, users).
// Run: TZ=UTC node --import tsx --test tests/segment-profile.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openNodeDb } from '../src/db/node-db.ts';
import type { Db } from '../src/db/types.ts';
import { toRows } from '../src/lib/rows.ts';
import { literal } from '../src/sql/quote.ts';
import { userMetricsSql } from '../src/data/user-metrics.ts';
import { datasetColumns } from '../src/data/segments-compute.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { rowsCsv } from '../src/lib/rows-csv.ts';
import {
  NONE_LABEL, profileColumns, segmentOrder, segmentProfileSql, type ProfileColumns,
} from '../src/analyses/segments/profile.ts';
import { decodeSegmentProfile, type SegmentProfile, type SegmentProfileResult } from '../src/analyses/segments/profile-decode.ts';
import { PROFILE_CSV_HEADER, profileSummaryCsv, segmentUsersCsvSql } from '../src/analyses/segments/export.ts';
import { segmentInsights } from '../src/analyses/segments/insights.ts';
import { RFM_LABELS } from '../src/analyses/rfm/segments.ts';

// ---------------------------------------------------------------------------------------------------------------
// The fixture. Hostile text as segment labels and as a country: a spreadsheet formula and an SQL-looking string.
const H1 = "=cmd|' /C calc'!A0";
const H2 = '"; DROP TABLE users; --';

type Val = string | number | null;
interface FxUser { id: string; age?: number | null; country?: string | null; source?: string | null }
interface FxEvent { user: string; day: number; type: string; order?: string | null; revenue?: number | null; category?: string | null }
interface Fixture {
  users: FxUser[];
  /** users table columns besides user_id. */
  userCols: readonly ('age' | 'country' | 'source')[];
  events: FxEvent[];
  hasCategory: boolean;
  /** user_segments columns (name, SQL type) and rows keyed by user id (a missing id: no user_segments row). */
  segCols: readonly [string, 'VARCHAR' | 'DOUBLE'][];
  seg: Record<string, Val[]>;
}

const USERS: FxUser[] = [
  { id: 'a1', age: 29, country: 'United States', source: 'google' },
  { id: 'a2', age: 31, country: H2, source: 'google' },
  { id: 'a3', age: 40, country: '  United   States ', source: 'Google ' },
  { id: 'a4', age: null, country: null, source: null },
  { id: 'b1', age: null, country: H1, source: 'newsletter' },
  { id: 'b2', age: null, country: H1, source: 'newsletter' },
  { id: 'b3', age: 20, country: 'Canada', source: null },
  { id: 'b4', age: 22, country: 'Canada', source: 'google' },
  { id: 'c1', age: 50, country: '   ', source: 'facebook' },
  { id: 'c2', age: null, country: 'Germany', source: 'facebook' },
  { id: 'c3', age: 60, country: 'Germany', source: '' },
  { id: 'n1', age: 35, country: 'Canada', source: 'google' },
  { id: 'n2', age: 70, country: 'France', source: null },
];

const SEG_COLS: [string, 'VARCHAR' | 'DOUBLE'][] = [
  ['plan', 'VARCHAR'], ['engagement_score_value', 'DOUBLE'], ['churn_risk', 'VARCHAR'], ['age_group', 'VARCHAR'],
  ['gender', 'VARCHAR'], ['income_bracket', 'VARCHAR'], ['traffic_source', 'VARCHAR'],
  ['predicted_churn', 'DOUBLE'], ['predicted_clv', 'DOUBLE'], ['p_alive', 'DOUBLE'],
];
//        plan   eng   churn          age_group  gender     income           traffic          p(churn) CLV  p(alive)
const SEG: Record<string, Val[]> = {
  a1: ['Gold', 90, 'Low', '25–34', 'Female', 'High Income', 'Paid', 0.1, 100, 0.9],
  a2: ['Gold', 70, 'Low', '25–34', 'Male', 'Average', 'Paid', 0.3, 50, 0.5],
  a3: ['Gold', 50, 'Medium', '35–44', 'Male', 'Average', 'Organic Search', null, 30, 0.7],
  a4: ['Gold', null, 'No Purchase', 'Unknown', 'Female', 'Unknown', 'Unknown', 0.8, null, 0.1],
  b1: [H1, 30, 'High', 'Unknown', 'Male', 'Low Income', 'Direct', 0.9, 0.5, 0.2],
  b2: [H1, 20, 'Low', 'Unknown', 'Female', 'Low Income', 'Direct', 0.2, 12, 0.8],
  b3: [H1, 10, 'No Purchase', '18–24', 'Unknown', 'Unknown', 'Email', null, null, null],
  b4: [H1, 5, 'Low', '18–24', 'Male', 'Average', 'Paid', 0.25, 7.5, 0.6],
  c1: [H2, 60, 'Low', '45–54', 'Female', 'High Income', 'Social Media', 0.05, 40, 0.95],
  c2: [H2, 40, 'No Purchase', 'Unknown', 'Female', 'Above Average', 'Social Media', null, null, null],
  c3: [H2, null, null, null, null, null, null, null, null, null],
  n1: [null, 15, 'Low', '35–44', 'Male', 'Average', 'Paid', 0.5, 9, 0.4],
  // n2 has no user_segments row at all (arrived after the segmentations were computed)
};

// Day 100 is "now" (the last event). Every event is at 12:00 UTC on its day.
const EVENTS: FxEvent[] = [
  { user: 'a1', day: 94, type: 'product_view', category: 'Shoes' },
  { user: 'a1', day: 95, type: 'purchase', order: 'o1', revenue: 50, category: 'Shoes' },
  { user: 'a1', day: 95, type: 'purchase', order: 'o1', revenue: 25.5, category: 'Bags' },
  { user: 'a1', day: 98, type: 'purchase', order: 'o2', revenue: 30, category: 'Shoes' },
  { user: 'a1', day: 99, type: 'refund', order: 'o2', revenue: 10, category: 'Shoes' },
  { user: 'a2', day: 90, type: 'purchase', order: 'o3', revenue: 80, category: 'Bags' },
  { user: 'a3', day: 40, type: 'purchase', order: 'o4', revenue: 40, category: 'Hats' },
  { user: 'a3', day: 50, type: 'purchase', order: 'o5', revenue: 40, category: 'Hats' },
  { user: 'a4', day: 70, type: 'product_view', category: 'Hats' },
  { user: 'b1', day: 10, type: 'purchase', order: 'o6', revenue: 0.1, category: 'Shoes' },
  { user: 'b1', day: 10, type: 'purchase', order: 'o7', revenue: 0.2, category: 'Shoes' },
  { user: 'b1', day: 10, type: 'purchase', order: 'o8', revenue: 0.3, category: 'Toys' },
  { user: 'b2', day: 20, type: 'purchase', order: null, revenue: 10, category: '  ' },
  { user: 'b3', day: 5, type: 'product_view', category: 'Toys' },
  { user: 'b4', day: 99, type: 'purchase', order: 'o9', revenue: 5, category: null },
  { user: 'c1', day: 60, type: 'purchase', order: 'o10', revenue: 20, category: ' Garden  Tools ' },
  { user: 'c1', day: 60, type: 'purchase', order: 'o10', revenue: null, category: 'Garden Tools' },
  { user: 'c2', day: 61, type: 'product_view', category: 'Bags' },
  { user: 'n1', day: 100, type: 'purchase', order: 'o11', revenue: 7, category: 'Bags' },
  { user: 'n2', day: 30, type: 'product_view', category: null },
];

const SHOP: Fixture = { users: USERS, userCols: ['age', 'country', 'source'], events: EVENTS, hasCategory: true, segCols: SEG_COLS, seg: SEG };

/** Replace users, events, user_segments and user_metrics (built by the app's own user_metrics SQL). */
async function install(db: Db, fx: Fixture): Promise<void> {
  const ucols = fx.userCols.map((c) => (c === 'age' ? 'age DOUBLE' : `${c} VARCHAR`));
  const users = fx.users.map((u) => `(${[literal(u.id), ...fx.userCols.map((c) => literal(u[c] ?? null))].join(', ')})`);
  const ev = fx.events.map((e, i) => `(${[
    literal(`e${i}`), literal(e.user), literal(`s-${e.user}-${e.day}`), literal(e.type),
    `TIMESTAMP '2024-01-01 12:00:00' + INTERVAL ${e.day} DAY`, literal(e.order ?? null), literal(e.revenue ?? null),
    ...(fx.hasCategory ? [literal(e.category ?? null)] : []),
  ].join(', ')})`);
  const segs = Object.entries(fx.seg).map(([id, vals]) => `(${[literal(id), ...vals.map(literal)].join(', ')})`);
  await db.exec(`DROP TABLE IF EXISTS users; DROP TABLE IF EXISTS events; DROP TABLE IF EXISTS user_segments;
CREATE TABLE users(user_id VARCHAR${ucols.map((c) => `, ${c}`).join('')});
INSERT INTO users VALUES ${users.join(', ')};
CREATE TABLE events(event_id VARCHAR, user_id VARCHAR, session_id VARCHAR, event_type VARCHAR, ts TIMESTAMP, order_id VARCHAR,
  revenue DOUBLE${fx.hasCategory ? ', category VARCHAR' : ''});
INSERT INTO events VALUES ${ev.join(', ')};
CREATE TABLE user_segments(user_id VARCHAR${fx.segCols.map(([c, t]) => `, ${c} ${t}`).join('')});
${segs.length ? `INSERT INTO user_segments VALUES ${segs.join(', ')};` : ''}
${userMetricsSql('user_metrics')}`);
}

async function columns(db: Db, fx: Fixture): Promise<ProfileColumns> {
  return profileColumns(await datasetColumns(db), fx.segCols.map(([column]) => ({ column })));
}

async function profile(db: Db, fx: Fixture, column: string): Promise<SegmentProfileResult> {
  const cols = await columns(db, fx);
  const q = segmentProfileSql(column, cols);
  return decodeSegmentProfile(await db.query(q.text, q.params), column, cols);
}

// ---------------------------------------------------------------------------------------------------------------
// The reference: the documented rules as loops over the fixture rows.
const clean = (v: Val | undefined): string | null => (v === null || v === undefined ? null : String(v).replace(/\s+/g, ' ').trim() || null);
const known = (v: Val | undefined): string | null => (v === null || v === undefined || v === 'Unknown' ? null : String(v));
/** Code-point order (DuckDB compares VARCHAR by UTF-8 bytes, which is the same order). */
const cmp = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b), m = (s.length - 1) / 2;
  return (s[Math.floor(m)] + s[Math.ceil(m)]) / 2;
}
/** Best first: larger amount (to 6 decimals), then label in code-point order; the first n. */
function rank(counts: Map<string, number>, n: number): [string, number][] {
  return [...counts].sort((a, b) => r6(b[1]) - r6(a[1]) || cmp(a[0], b[0])).slice(0, n);
}
function add(m: Map<string, number>, k: string | null, v: number): void {
  if (k !== null) m.set(k, (m.get(k) ?? 0) + v);
}

function reference(fx: Fixture, column: string, order: readonly string[] | null): SegmentProfile[] {
  const segIdx = (c: string) => fx.segCols.findIndex(([n]) => n === c);
  const segVal = (u: string, c: string): Val | undefined => (segIdx(c) < 0 ? undefined : fx.seg[u]?.[segIdx(c)] ?? null);
  const has = (c: string) => segIdx(c) >= 0;
  const nowDay = Math.max(...fx.events.map((e) => e.day));
  const groups = new Map<string | null, FxUser[]>();
  for (const u of fx.users) {
    const v = segVal(u.id, column);
    const k = v === null || v === undefined ? null : String(v);
    groups.set(k, [...(groups.get(k) ?? []), u]);
  }
  const totalUsers = fx.users.length;
  const per = (u: FxUser) => {
    const buys = fx.events.filter((e) => e.user === u.id && e.type === 'purchase');
    return {
      orders: new Set(buys.map((e) => e.order).filter((o) => o != null)).size,
      revenue: buys.reduce((s, e) => s + (e.revenue ?? 0), 0),
      days: buys.length ? nowDay - Math.max(...buys.map((e) => e.day)) : null,
    };
  };
  const totalRevenue = fx.users.reduce((s, u) => s + per(u).revenue, 0);
  const rows = [...groups].map(([value, us]): SegmentProfile => {
    const m = us.map(per);
    const users = us.length;
    const revenue = m.reduce((s, x) => s + x.revenue, 0);
    const orders = m.reduce((s, x) => s + x.orders, 0);
    const days = m.map((x) => x.days).filter((d): d is number => d !== null);
    const buyers = days.length;
    const eng = us.map((u) => segVal(u.id, 'engagement_score_value')).filter((x): x is number => typeof x === 'number');
    const mean = (c: string) => {
      const xs = us.map((u) => segVal(u.id, c)).filter((x): x is number => typeof x === 'number');
      return has(c) && xs.length ? xs.reduce((t, x) => t + x, 0) / xs.length : null;
    };
    const cats = new Map<string, number>();
    if (fx.hasCategory) {
      for (const e of fx.events) if (e.type === 'purchase' && us.some((u) => u.id === e.user)) add(cats, clean(e.category ?? null), e.revenue ?? 0);
    }
    const countBy = (f: (u: FxUser) => string | null) => {
      const c = new Map<string, number>();
      for (const u of us) add(c, f(u), 1);
      return c;
    };
    const top = (c: Map<string, number>, total: number) => rank(c, 3).map(([label, amount]) => ({ label, amount, share: total ? amount / total : null }));
    const dominant = (c: string) => {
      if (!has(c)) return null;
      const [best] = rank(countBy((u) => known(segVal(u.id, c))), 1);
      return best ? { label: best[0], users: best[1], share: best[1] / users } : null;
    };
    const traffic = has('traffic_source') ? (u: FxUser) => known(segVal(u.id, 'traffic_source'))
      : fx.userCols.includes('source') ? (u: FxUser) => clean(u.source ?? null) : null;
    const country = has('country') ? (u: FxUser) => known(segVal(u.id, 'country'))
      : fx.userCols.includes('country') ? (u: FxUser) => clean(u.country ?? null) : null;
    return {
      value, label: value ?? NONE_LABEL, users, userShare: users / totalUsers,
      revenue, revenueShare: totalRevenue ? revenue / totalRevenue : null, orders, buyers,
      aov: orders ? revenue / orders : null, ordersPerCustomer: buyers ? orders / buyers : null, conversion: buyers / users,
      medianDaysSinceLastPurchase: median(days),
      avgEngagement: has('engagement_score_value') && eng.length ? eng.reduce((s, x) => s + x, 0) / eng.length : null,
      avgChurn: mean('predicted_churn'), avgClv: mean('predicted_clv'), avgAlive: mean('p_alive'),
      churnMix: has('churn_risk') ? ['Low', 'Medium', 'High', 'No Purchase'].map((label) => ({ label, users: us.filter((u) => segVal(u.id, 'churn_risk') === label).length })) : null,
      topCategories: fx.hasCategory ? top(cats, revenue) : null,
      topSources: traffic ? top(countBy(traffic), users) : null,
      topCountries: country ? top(countBy(country), users) : null,
      ageGroup: dominant('age_group'), gender: dominant('gender'), incomeBracket: dominant('income_bracket'),
    };
  });
  // Known labels in their order, other values by users descending then label, the users without a value last.
  const pos = (v: string | null) => (v === null ? Infinity : order?.includes(v) ? order.indexOf(v) : order ? order.length : 0);
  return rows.sort((a, b) => pos(a.value) - pos(b.value) || b.users - a.users || cmp(a.label, b.label));
}

/** deepEqual with numbers compared to 1e-9 (relative): sums may be added in another order. */
function near(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${path}: ${actual} ≠ ${expected}`);
  } else if (expected && typeof expected === 'object') {
    assert.ok(actual && typeof actual === 'object', `${path}: ${JSON.stringify(actual)} is not an object`);
    assert.deepEqual(Object.keys(actual as object).sort(), Object.keys(expected).sort(), `${path}: keys`);
    for (const k of Object.keys(expected)) near((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${path}.${k}`);
  } else {
    assert.equal(actual, expected, path);
  }
}

/** A small RFC 4180 reader (quoted fields, doubled quotes, CRLF), for checking what the exporters wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; } else field += ch;
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------------
function profileSuite(backend: string, open: () => Promise<Db>): void {
  describe(`Segment profile (${backend})`, () => {
    let db: Db;
    before(async () => { db = await open(); });
    after(async () => db?.close());

    test('every metric of every segment equals the reference loop; boundary cases worked by hand', async () => {
      await install(db, SHOP);
      const res = await profile(db, SHOP, 'plan');
      near(res.rows, reference(SHOP, 'plan', null));
      assert.deepEqual(res.unavailable, {});
      assert.deepEqual(res.sources, { traffic: 'segment:traffic_source', country: 'users.country' });
      // Hand-worked (now = day 100; 13 users, revenue 265.5 + 15.6 + 20 + 7 = 308.1):
      // Order: 'plan' is no built-in, so users descending: H1 and Gold have 4 each, H1 first because '=' (0x3D)
      // sorts before 'G' (0x47); then H2 (3 users); the users without a plan (n1 NULL, n2 no row) last.
      assert.deepEqual(res.rows.map((r) => [r.label, r.value, r.users]), [[H1, H1, 4], ['Gold', 'Gold', 4], [H2, H2, 3], [NONE_LABEL, null, 2]]);
      const [h1, gold, h2, none] = res.rows;
      // Gold: revenue 50 + 25.5 + 30 + 80 + 40 + 40 = 265.5 (a1's refund is not revenue); orders o1 o2 o3 o4 o5 = 5;
      // buyers a1 a2 a3 (a4 only viewed) -> conversion 3/4, AOV 53.1, 5/3 orders per customer; days since the last
      // purchase 2, 10, 50 -> median 10; engagement (90 + 70 + 50) / 3 = 70 (a4 has no score and does not count).
      near([gold.revenue, gold.orders, gold.buyers, gold.conversion, gold.aov, gold.ordersPerCustomer, gold.medianDaysSinceLastPurchase, gold.avgEngagement],
        [265.5, 5, 3, 0.75, 53.1, 5 / 3, 10, 70]);
      // Predictions, each over the users that have one: churn (0.1 + 0.3 + 0.8) / 3 = 0.4 (a3 has none); CLV
      // (100 + 50 + 30) / 3 = 60 (a4 has none); P(alive) (0.9 + 0.5 + 0.7 + 0.1) / 4 = 0.55. H2: churn 0.05 (c1 only).
      near([gold.avgChurn, gold.avgClv, gold.avgAlive, h2.avgChurn, h2.avgClv], [0.4, 60, 0.55, 0.05, 40]);
      // Categories: Bags 25.5 + 80 = 105.5, then Hats 80 and Shoes 50 + 30 = 80 tie (the 10 refunded is not
      // purchase revenue) -> Hats before Shoes by name.
      near(gold.topCategories, [{ label: 'Bags', amount: 105.5, share: 105.5 / 265.5 }, { label: 'Hats', amount: 80, share: 80 / 265.5 }, { label: 'Shoes', amount: 80, share: 80 / 265.5 }]);
      // Gender: Female 2 (a1, a4) and Male 2 (a2, a3) tie -> Female by name, share 2 of 4 users.
      assert.deepEqual(gold.gender, { label: 'Female', users: 2, share: 0.5 });
      // Countries from users.country, cleaned: a1 and a3 ("  United   States ") are one; a4 NULL is in no list.
      assert.deepEqual(gold.topCountries, [{ label: 'United States', amount: 2, share: 0.5 }, { label: H2, amount: 1, share: 0.25 }]);
      // Traffic: a4 is Unknown, which is never a top source.
      assert.deepEqual(gold.topSources?.map((t) => t.label), ['Paid', 'Organic Search']);
      // H1: b1 bought Shoes 0.1 + 0.2 (= 0.30000000000000004) and Toys 0.3: equal to 6 decimals, so Shoes first by
      // name; b2's blank category and b4's NULL one are in no list. Orders: o6 o7 o8 + o9 = 4 (b2's purchase has
      // no order id: a buyer with 0 orders) -> 3 buyers, 4/3 orders per customer, AOV 15.6 / 4; median of 90, 80, 1.
      assert.deepEqual(h1.topCategories?.map((t) => t.label), ['Shoes', 'Toys']);
      near([h1.revenue, h1.orders, h1.buyers, h1.aov, h1.ordersPerCustomer, h1.medianDaysSinceLastPurchase], [15.6, 4, 3, 3.9, 4 / 3, 80]);
      // Age: Unknown (b1, b2) ties with 18–24 (b3, b4) but is never dominant; share is of all 4 users.
      assert.deepEqual(h1.ageGroup, { label: '18–24', users: 2, share: 0.5 });
      // Countries: H1 2 and Canada 2 tie -> H1 first ('=' < 'C'); sources: Direct 2, then Email and Paid 1 each.
      assert.deepEqual(h1.topCountries?.map((t) => t.label), [H1, 'Canada']);
      assert.deepEqual(h1.topSources?.map((t) => [t.label, t.amount]), [['Direct', 2], ['Email', 1], ['Paid', 1]]);
      assert.deepEqual(h1.churnMix, [{ label: 'Low', users: 2 }, { label: 'Medium', users: 0 }, { label: 'High', users: 1 }, { label: 'No Purchase', users: 1 }]);
      // H2: c3 has no events at all (zeros in user_metrics); c1's lines " Garden  Tools " and "Garden Tools" are
      // one category (20 + NULL revenue = 20); c1's blank country is in no list; c3's NULL demographics count nowhere.
      near([h2.revenue, h2.orders, h2.buyers, h2.conversion, h2.avgEngagement], [20, 1, 1, 1 / 3, 50]);
      assert.deepEqual(h2.topCategories, [{ label: 'Garden Tools', amount: 20, share: 1 }]);
      assert.deepEqual(h2.topCountries, [{ label: 'Germany', amount: 2, share: 2 / 3 }]);
      assert.deepEqual(h2.ageGroup, { label: '45–54', users: 1, share: 1 / 3 });
      // (none): n1 bought on the last day (0 days); n2 has no user_segments row, so no score: engagement 15.
      near([none.users, none.revenue, none.medianDaysSinceLastPurchase, none.avgEngagement, none.userShare], [2, 7, 0, 15, 2 / 13]);
      near(res.rows.reduce((s, r) => s + (r.revenueShare ?? 0), 0), 1);
    });

    test('built-in columns come in their label order, other values after, (none) last', async () => {
      await install(db, SHOP);
      assert.deepEqual(segmentOrder('churn_risk'), ['Low', 'Medium', 'High', 'No Purchase']);
      assert.deepEqual(segmentOrder('rfm'), RFM_LABELS);
      assert.equal(segmentOrder('plan'), null);
      const churn = await profile(db, SHOP, 'churn_risk');
      near(churn.rows, reference(SHOP, 'churn_risk', ['Low', 'Medium', 'High', 'No Purchase']));
      // Low 6 (a1 a2 b2 b4 c1 n1), Medium 1, High 1, No Purchase 3, (none) 2 (c3 NULL, n2 without a row).
      assert.deepEqual(churn.rows.map((r) => [r.label, r.users]), [['Low', 6], ['Medium', 1], ['High', 1], ['No Purchase', 3], [NONE_LABEL, 2]]);
      // Gender: Male 5 (a2 a3 b1 b4 n1) and Female 5 (a1 a4 b2 c1 c2) tie on users, so only the built-in's list
      // (Male, Female, Unknown) puts Male first; Unknown 1 (b3); (none) 2: c3's NULL and n2 without a row.
      const gender = await profile(db, SHOP, 'gender');
      near(gender.rows, reference(SHOP, 'gender', ['Male', 'Female', 'Unknown']));
      assert.deepEqual(gender.rows.map((r) => [r.label, r.users]), [['Male', 5], ['Female', 5], ['Unknown', 1], [NONE_LABEL, 2]]);
    });

    test('a stored country segmentation is preferred to users.country', async () => {
      const countryOf: Record<string, Val> = { a1: 'United States', a2: 'United Kingdom', a3: 'United States', a4: 'Unknown', b1: H1, b2: 'Canada', b3: 'Canada', b4: 'Canada', c1: 'Unknown', c2: 'Germany', c3: 'Germany', n1: 'Canada' };
      const fx: Fixture = { ...SHOP, segCols: [...SEG_COLS, ['country', 'VARCHAR']], seg: Object.fromEntries(Object.entries(SEG).map(([id, v]) => [id, [...v, countryOf[id]]])) };
      await install(db, fx);
      const res = await profile(db, fx, 'plan');
      assert.equal(res.sources.country, 'segment:country');
      near(res.rows, reference(fx, 'plan', null));
      // Gold: United States 2, United Kingdom 1 (a4's Unknown is in no list); H1: Canada 3, H1 1.
      assert.deepEqual(res.rows.find((r) => r.value === 'Gold')?.topCountries?.map((t) => [t.label, t.amount]), [['United States', 2], ['United Kingdom', 1]]);
      assert.deepEqual(res.rows.find((r) => r.value === H1)?.topCountries?.map((t) => [t.label, t.amount]), [['Canada', 3], [H1, 1]]);
    });

    test('a dataset without age, country, category or stored built-ins: those metrics are null and named, nothing throws', async () => {
      const fx: Fixture = {
        users: USERS, userCols: ['source'], events: EVENTS, hasCategory: false, segCols: [['tier', 'VARCHAR']],
        seg: Object.fromEntries(USERS.slice(0, 12).map((u, i) => [u.id, [i % 3 === 0 ? 'x' : i % 3 === 1 ? 'y' : null]])),
      };
      await install(db, fx);
      const res = await profile(db, fx, 'tier');
      assert.deepEqual(Object.keys(res.unavailable).sort(), ['ageGroup', 'avgAlive', 'avgChurn', 'avgClv', 'avgEngagement', 'churnMix', 'gender', 'incomeBracket', 'topCategories', 'topCountries']);
      assert.match(res.unavailable.avgClv ?? '', /Predictions screen/);
      assert.match(res.unavailable.topCategories ?? '', /events\.category/);
      assert.deepEqual(res.sources, { traffic: 'users.source', country: null });
      near(res.rows, reference(fx, 'tier', null));
      for (const r of res.rows) {
        assert.deepEqual([r.avgEngagement, r.churnMix, r.topCategories, r.topCountries, r.ageGroup, r.gender, r.incomeBracket], [null, null, null, null, null, null, null]);
      }
      // Sources from users.source, cleaned: "Google " is "Google", a different source from "google"; '' is none.
      assert.ok(res.rows.some((r) => r.topSources?.some((t) => t.label === 'Google')));

      // user_metrics reduced to its key (a damaged or foreign dataset): money and buyers are null too.
      await db.exec('CREATE OR REPLACE TABLE user_metrics AS SELECT user_id FROM users');
      const bare = await profile(db, fx, 'tier');
      assert.deepEqual(Object.keys(bare.unavailable).filter((k) => ['revenue', 'orders', 'buyers', 'medianDays'].includes(k)).sort(), ['buyers', 'medianDays', 'orders', 'revenue']);
      for (const r of bare.rows) {
        assert.deepEqual([r.revenue, r.revenueShare, r.orders, r.buyers, r.aov, r.ordersPerCustomer, r.conversion, r.medianDaysSinceLastPurchase], Array(8).fill(null));
      }
      near(bare.rows.map((r) => r.users), res.rows.map((r) => r.users));
    });

    test('a column that is not a stored segmentation is refused with a message', async () => {
      await install(db, SHOP);
      const cols = await columns(db, SHOP);
      assert.throws(() => segmentProfileSql('nope', cols), /no stored segmentation “nope”/);
    });

    test('summary CSV: every metric, hostile labels quoted and defused, parseable', async () => {
      await install(db, SHOP);
      const res = await profile(db, SHOP, 'plan');
      const csv = profileSummaryCsv(H1, res.rows);
      const table = parseCsv(csv);
      assert.deepEqual(table[0], PROFILE_CSV_HEADER);
      assert.equal(table.length, 5);
      for (const row of table) assert.equal(row.length, PROFILE_CSV_HEADER.length);
      const col = (name: string) => PROFILE_CSV_HEADER.indexOf(name);
      // A formula is written with a leading ' so a spreadsheet shows it as text; the SQL-looking text is quoted.
      assert.deepEqual(table.slice(1).map((r) => r[col('segment')]), [`'${H1}`, 'Gold', H2, NONE_LABEL]);
      assert.ok(table.slice(1).every((r) => r[col('segmentation')] === `'${H1}`));
      assert.ok(csv.includes(`"""; DROP TABLE users; --"`));
      assert.equal(table[2][col('revenue')], '265.5');
      assert.equal(table[2][col('top_category_1')], 'Bags');
      assert.equal(table[1][col('top_country_1')], `'${H1}`);
      // H2's third top category does not exist: an empty cell, not "null".
      assert.equal(table[3][col('top_category_2')], '');
      assert.equal(table[4][col('aov')], '7');
    });

    test('users export: every user, user_id first, columns in the given order, hostile values defused', async () => {
      await install(db, SHOP);
      const q = segmentUsersCsvSql(['plan', 'churn_risk', 'engagement_score_value']);
      const rows = toRows(await db.query(q.text, q.params));
      assert.deepEqual(Object.keys(rows[0]), ['user_id', 'plan', 'churn_risk', 'engagement_score_value']);
      assert.deepEqual(rows.map((r) => r.user_id), USERS.map((u) => u.id).sort());
      const lines = parseCsv(rowsCsv(rows));
      assert.deepEqual(lines.find((l) => l[0] === 'b1'), ['b1', `'${H1}`, 'High', '30']);
      assert.deepEqual(lines.find((l) => l[0] === 'c1'), ['c1', H2, 'Low', '60']);
      assert.deepEqual(lines.find((l) => l[0] === 'n2'), ['n2', '', '', '']);
      const none = segmentUsersCsvSql([]);
      assert.equal(toRows(await db.query(none.text, none.params)).length, 13);
      assert.throws(() => segmentUsersCsvSql(['plan', 'plan']), /once/);
    });

    test('insights: JSON round-trip, sizes, revenue per segment, Gold the top revenue segment', async () => {
      await install(db, SHOP);
      const plan = await profile(db, SHOP, 'plan');
      const churn = await profile(db, SHOP, 'churn_risk');
      const doc = segmentInsights([{ name: 'Plan', profile: plan }, { name: 'Churn risk', profile: churn }]);
      assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
      assert.equal(doc.segmentations.length, 2);
      const [p, c] = doc.segmentations;
      assert.equal(p.name, 'Plan');
      assert.equal(p.users, 13);
      near(p.revenue, 308.1);
      assert.deepEqual(p.sizes.map((s) => [s.segment, s.users]), [[H1, 4], ['Gold', 4], [H2, 3], [NONE_LABEL, 2]]);
      near(p.topRevenueSegment, { segment: 'Gold', revenue: 265.5, share: 265.5 / 308.1, aov: 53.1 });
      assert.deepEqual(p.segments[1], { segment: 'Gold', ageGroup: { label: '25–34', users: 2, share: 0.5 }, gender: { label: 'Female', users: 2, share: 0.5 },
        incomeBracket: { label: 'Average', users: 2, share: 0.5 }, topCategory: gold(plan).topCategories?.[0] ?? null, topSource: { label: 'Paid', amount: 2, share: 0.5 } });
      // Churn: Low holds a1 a2 b2 b4 c1 n1: 105.5 + 80 + 10 + 5 + 20 + 7 = 227.5, the most.
      near(c.topRevenueSegment?.revenue, 227.5);
      assert.equal(c.topRevenueSegment?.segment, 'Low');
    });
  });
}

const gold = (r: SegmentProfileResult) => r.rows.find((x) => x.value === 'Gold')!;

profileSuite('native DuckDB', () => openNodeDb());
profileSuite('DuckDB-WASM', () => openWasmDb());

describe('segment insights on hand-made profiles (pure)', () => {
  const row = (value: string | null, users: number, revenue: number | null): SegmentProfile => ({
    value, label: value ?? NONE_LABEL, users, userShare: users / 10, revenue, revenueShare: revenue === null ? null : revenue / 100,
    orders: null, buyers: null, aov: null, ordersPerCustomer: null, conversion: null, medianDaysSinceLastPurchase: null,
    avgEngagement: null, avgChurn: null, avgClv: null, avgAlive: null, churnMix: null, topCategories: null, topSources: null, topCountries: null, ageGroup: null, gender: null, incomeBracket: null,
  });
  const result = (rows: SegmentProfile[], unavailable: SegmentProfileResult['unavailable'] = {}): SegmentProfileResult =>
    ({ column: 'c', rows, unavailable, sources: { traffic: null, country: null } });

  test('the users without a segment never win; a tie goes to the segment listed first; no revenue gives null', () => {
    // (none) has 60 of 100 but is not a segment; A and B tie at 20: A is listed first.
    const doc = segmentInsights([
      { name: 'x', profile: result([row('A', 3, 20), row('B', 3, 20), row(null, 4, 60)]) },
      { name: 'zero', profile: result([row('A', 5, 0), row('B', 5, 0)]) },
      { name: 'none', profile: result([row('A', 5, null)], { revenue: 'This dataset has no user_metrics.revenue column.' }) },
    ]);
    assert.equal(doc.segmentations[0].topRevenueSegment?.segment, 'A');
    assert.equal(doc.segmentations[1].topRevenueSegment, null);
    assert.equal(doc.segmentations[2].topRevenueSegment, null);
    assert.equal(doc.segmentations[2].revenueBySegment, null);
    assert.equal(doc.segmentations[2].revenue, null);
    assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
  });
});
