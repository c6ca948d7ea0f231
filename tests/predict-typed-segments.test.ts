// Typed values → rule-based segments (src/analyses/predict/typed-segments.ts), on both engines:
//  - a stored customer's own values, standing for that customer, give exactly their stored label in every built-in
//    segmentation and RFM (the engagement score's value and the RFM cell too), for a spread of demo-shop users;
//  - a customer typed from scratch gets the labels the rule tables give by hand (engagement level, customer
//    segment, churn risk, age, gender, region, traffic source) and the extremes of the ranked ones (RFM 5-5-5 and
//    1-1-1, engagement score 100 and 0, the top income bracket);
//  - bad input is refused with a clear message; hostile text stays data.
// Run: TZ=UTC node --import tsx --test tests/predict-typed-segments.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { toRows } from '../src/lib/rows.ts';
import { loadShop } from '../src/data/generator/index.ts';
import { computeBuiltinSegmentations } from '../src/data/segments-compute.ts';
import { customerTypedValues, typedFields, typedSegments, type TypedField, type TypedValue } from '../src/analyses/predict/typed-segments.ts';
import { rfmSegment } from '../src/analyses/rfm/index.ts';
import { ident } from '../src/sql/quote.ts';

/** Stored label columns of each segmentation id (and where its detail lives). */
const STORED: Record<string, { label: string; detail?: (row: Record<string, unknown>) => string | null }> = {
  'engagement-level': { label: 'engagement_level' },
  'engagement-score': { label: 'engagement_score', detail: (r) => (r.engagement_score_value === null ? null : `score ${Number(r.engagement_score_value).toFixed(2)}`) },
  'customer-segment': { label: 'customer_segment' },
  'churn-risk': { label: 'churn_risk' },
  'age-group': { label: 'age_group' },
  gender: { label: 'gender' },
  'income-bracket': { label: 'income_bracket' },
  'traffic-source': { label: 'traffic_source' },
  'census-region': { label: 'census_region' },
  country: { label: 'country' },
  city: { label: 'city' },
  rfm: { label: 'rfm', detail: (r) => (r.rfm_cell === null ? null : `R-F-M ${String(r.rfm_cell)}`) },
};

function suite(name: string, open: () => Promise<Db>) {
  describe(`typed values → rule-based segments (${name})`, () => {
    let db: Db;
    let fields: TypedField[];
    before(async () => {
      db = await open();
      await loadShop(db, { users: 400, days: 365, seed: 11 });
      await computeBuiltinSegmentations(db);
      fields = await typedFields(db);
    });
    after(() => db.close());

    test('the form asks for what the available built-ins read', () => {
      const keys = fields.map((f) => f.key);
      for (const k of ['user_metrics.orders', 'user_metrics.revenue', 'user_metrics.days_since_last_purchase', 'user_metrics.cart_adds',
        'users.age', 'users.gender', 'users.income', 'users.country', 'users.city', 'first_touch.source', 'first_touch.medium']) {
        assert.ok(keys.includes(k), k);
      }
      assert.ok(fields.find((f) => f.key === 'user_metrics.orders')!.numeric);
      assert.ok(!fields.find((f) => f.key === 'users.gender')!.numeric);
      assert.ok(fields.find((f) => f.key === 'user_metrics.revenue')!.usedBy.includes('RFM segment'));
    });

    test("a stored customer's own values give exactly their stored labels", async () => {
      // A spread: every 29th user (buyers and browsers, every traffic source the shop has).
      const users = toRows(await db.query('SELECT user_id FROM users ORDER BY user_id')).map((r) => String(r.user_id)).filter((_, i) => i % 29 === 0);
      assert.ok(users.length >= 12);
      const seen = new Set<string>();
      for (const u of users) {
        const values = (await customerTypedValues(db, fields, u))!;
        assert.ok(values, u);
        const got = await typedSegments(db, values, u);
        const stored = toRows(await db.query(`SELECT * FROM user_segments WHERE user_id = '${u}'`))[0];
        assert.equal(got.length, Object.keys(STORED).length, 'every built-in and RFM');
        for (const g of got) {
          const s = STORED[g.id];
          assert.equal(g.label, stored[s.label] ?? null, `${u} ${g.id}`);
          if (s.detail) assert.equal(g.detail, s.detail(stored), `${u} ${g.id} detail`);
          seen.add(`${g.id}=${g.label}`);
        }
      }
      assert.ok([...seen].filter((x) => x.startsWith('rfm=')).length >= 3, 'several RFM segments covered');
      assert.ok([...seen].filter((x) => x.startsWith('engagement-level=')).length >= 3, 'several engagement levels covered');
      assert.equal(await customerTypedValues(db, fields, 'nobody'), null);
    });

    test('a customer typed from scratch gets the rule tables’ labels; the ranked ones at their extremes', async () => {
      const blank = Object.fromEntries(fields.map((f) => [f.key, null])) as Record<string, TypedValue>;
      const label = (got: { id: string; label: string | null }[], id: string) => got.find((g) => g.id === id)?.label;
      const top = {
        ...blank, 'user_metrics.orders': 1e6, 'user_metrics.revenue': 1e9, 'user_metrics.days_since_last_purchase': 0,
        'user_metrics.cart_adds': 3, 'user_metrics.avg_session_minutes': 1e4, 'user_metrics.events': 1e6, 'user_metrics.sessions': 1e6,
        'users.age': 25, 'users.gender': ' female ', 'users.income': 1e9, 'users.state': 'CA', 'users.region': 'CA', 'users.country': 'USA', 'users.city': 'Springfield',
        'first_touch.source': 'Facebook', 'first_touch.medium': 'CPC',
      };
      const a = await typedSegments(db, Object.fromEntries(Object.entries(top).filter(([k]) => k in blank)), null);
      assert.equal(label(a, 'engagement-level'), 'Repeat Purchaser');
      assert.equal(label(a, 'engagement-score'), 'Very High');
      assert.equal(a.find((g) => g.id === 'engagement-score')!.detail, 'score 100.00');
      assert.equal(label(a, 'customer-segment'), 'High-Value');
      assert.equal(label(a, 'churn-risk'), 'Low');
      assert.equal(label(a, 'age-group'), '25–34');
      assert.equal(label(a, 'gender'), 'Female');
      assert.equal(label(a, 'income-bracket'), 'High Income');
      assert.equal(label(a, 'census-region'), 'West');
      assert.equal(label(a, 'traffic-source'), 'Paid', 'a paid Facebook ad is Paid');
      assert.equal(label(a, 'rfm'), rfmSegment(5, 5));
      assert.equal(a.find((g) => g.id === 'rfm')!.detail, 'R-F-M 5-5-5', 'strictly better than every other buyer: 80%+ are worse');
      // The other end: one tiny, ancient purchase; nothing else.
      const low = { ...blank, 'user_metrics.orders': 1, 'user_metrics.revenue': 0.01, 'user_metrics.days_since_last_purchase': 100000,
        'user_metrics.cart_adds': 0, 'user_metrics.avg_session_minutes': 0, 'user_metrics.events': 0, 'user_metrics.sessions': 0,
        'users.age': 65, 'first_touch.source': null, 'first_touch.medium': 'organic' };
      const b = await typedSegments(db, low, null);
      assert.equal(label(b, 'engagement-level'), 'Single Purchaser');
      assert.equal(label(b, 'churn-risk'), 'High');
      assert.equal(label(b, 'age-group'), '65+');
      assert.equal(label(b, 'traffic-source'), 'Organic Search');
      assert.equal(b.find((g) => g.id === 'rfm')!.detail, 'R-F-M 1-1-1');
      assert.equal(label(b, 'rfm'), rfmSegment(1, 1));
      // Nothing typed: a browser without purchases, sources or properties.
      const c = await typedSegments(db, blank, null);
      assert.equal(label(c, 'engagement-level'), 'Occasional Viewer');
      assert.equal(label(c, 'engagement-score'), 'Very Low');
      assert.equal(label(c, 'churn-risk'), 'No Purchase');
      assert.equal(label(c, 'rfm'), 'No Purchase');
      assert.equal(label(c, 'traffic-source'), 'Unknown');
      assert.equal(label(c, 'age-group'), 'Unknown');
      // Thresholds are the stored ones: a customer-segment threshold of 2,000 makes 600 over 2 orders not High-Value.
      const mid = { ...blank, 'user_metrics.orders': 2, 'user_metrics.revenue': 600 };
      assert.equal(label(await typedSegments(db, mid, null), 'customer-segment'), 'High-Value');
      assert.notEqual(label(await typedSegments(db, mid, null, { 'customer-segment': { highValueRevenue: 2000 } }), 'customer-segment'), 'High-Value');
    });

    test('bad input is refused clearly; hostile text stays data', async () => {
      await assert.rejects(typedSegments(db, { 'user_metrics.orders': 'lots' }, null), /orders must be a number/);
      await assert.rejects(typedSegments(db, { 'users.password': 'x' }, null), /not a value the segments read/);
      await assert.rejects(typedSegments(db, { 'users.city': 'x'.repeat(201) }, null), /longer than 200/);
      const hostile = "'); DROP TABLE users; --";
      const got = await typedSegments(db, { 'users.city': hostile, 'users.gender': '<img src=x onerror=alert(1)>' }, null);
      assert.equal(got.find((g) => g.id === 'city')!.label, hostile);
      assert.equal(got.find((g) => g.id === 'gender')!.label, '<img src=x onerror=alert(1)>');
      assert.ok(Number(toRows(await db.query(`SELECT count(*)::DOUBLE AS n FROM ${ident('users')}`))[0].n) === 400, 'users untouched');
    });
  });
}

suite('native', () => openNodeDb({ threads: 1 }));
suite('DuckDB-WASM', openWasmDb);
