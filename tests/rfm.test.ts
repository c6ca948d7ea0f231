// RFM on hand-made users: every answer below is worked out by hand with the rule in src/analyses/rfm/sql.ts,
//   worse = buyers with a strictly worse value (older last purchase / fewer orders / less revenue),
//   score = 1 + floor(5 * worse / n), n = buyers only.
// Each case runs on native DuckDB and on DuckDB-WASM (the browser's engine) in Node.
// Run: TZ=UTC node --import tsx --test tests/rfm.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openNodeDb } from '../src/db/node-db.ts';
import type { Db } from '../src/db/types.ts';
import { toRows } from '../src/lib/rows.ts';
import { inlineSql, literal } from '../src/sql/quote.ts';
import { userMetricsSql } from '../src/data/user-metrics.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import {
  DEFAULT_RFM, NO_PURCHASE, RFM_LABELS, RFM_SEGMENTS, decodeRfmGrid, decodeRfmSegments, decodeRfmUsers, rfmGridSql,
  rfmSegment, rfmSegmentsSql, rfmSql, validateRfmSpec, type RfmUser,
} from '../src/analyses/rfm/index.ts';

/** [user_id, days_since_last_purchase (null: never bought), orders, revenue (a number or trusted SQL text)]. */
type Buyer = [id: string, days: number | null, orders: number, revenue: number | string];

/** Replace user_metrics with exactly these users (the columns RFM reads). */
async function shop(db: Db, users: readonly Buyer[]): Promise<void> {
  const values = users.map(([id, days, orders, revenue]) =>
    `(${literal(id)}, ${literal(days)}, ${orders}, ${typeof revenue === 'number' ? literal(revenue) : revenue})`);
  await db.exec(`CREATE OR REPLACE TABLE user_metrics(user_id VARCHAR, days_since_last_purchase INTEGER, orders BIGINT, revenue DOUBLE);
${values.length ? `INSERT INTO user_metrics VALUES ${values.join(', ')};` : ''}`);
}

async function rfm(db: Db, spec: unknown = {}): Promise<RfmUser[]> {
  const q = rfmSql(validateRfmSpec(spec));
  // rfmSql has no ORDER BY: sort here so answers read in user order.
  return decodeRfmUsers(await db.query(q.text, q.params)).sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
}
/** user -> "cell label" for compact hand-worked answers. */
const cells = (us: readonly RfmUser[]) => Object.fromEntries(us.map((u) => [u.userId, u.cell === null ? u.label : `${u.cell} ${u.label}`]));
const scores = (us: readonly RfmUser[], k: 'r' | 'f' | 'm') => us.map((u) => u[k]);

// Ten buyers a..j with distinct values and one user who never bought (z):
// user  days  orders revenue | worse R  R | worse F/M  F/M | cell   label
// a     0     1      10      | 9        5 | 0          1   | 5-1-1  New
// b     1     2      20      | 8        5 | 1          1   | 5-1-1  New
// c     2     3      30      | 7        4 | 2          2   | 4-2-2  Potential Loyalist   (2/10 worse: exactly 20%, so 2)
// d     3     4      40      | 6        4 | 3          2   | 4-2-2  Potential Loyalist
// e     4     5      50      | 5        3 | 4          3   | 3-3-3  Need Attention
// f     5     6      60      | 4        3 | 5          3   | 3-3-3  Need Attention
// g     6     7      70      | 3        2 | 6          4   | 2-4-4  At Risk
// h     7     8      80      | 2        2 | 7          4   | 2-4-4  At Risk
// i     8     9      90      | 1        1 | 8          5   | 1-5-5  Can't Lose Them
// j     9     10     100     | 0        1 | 9          5   | 1-5-5  Can't Lose Them
// z     -     0      0       | NULL scores and cell, "No Purchase"; not one of the n = 10
const TEN: Buyer[] = [...'abcdefghij'].map((id, i): Buyer => [id, i, i + 1, (i + 1) * 10]).concat([['z', null, 0, 0]]);

function rfmSuite(backend: string, open: () => Promise<Db>): void {
  describe(`RFM on hand-made users (${backend})`, () => {
    let db: Db;
    before(async () => { db = await open(); });
    after(async () => db?.close());

    test('ten distinct buyers: two per score, recency reversed, the non-buyer unscored and "No Purchase"', async () => {
      await shop(db, TEN);
      const us = await rfm(db);
      assert.deepEqual(cells(us), {
        a: '5-1-1 New', b: '5-1-1 New', c: '4-2-2 Potential Loyalist', d: '4-2-2 Potential Loyalist',
        e: '3-3-3 Need Attention', f: '3-3-3 Need Attention', g: '2-4-4 At Risk', h: '2-4-4 At Risk',
        i: "1-5-5 Can't Lose Them", j: "1-5-5 Can't Lose Them", z: NO_PURCHASE,
      });
      const z = us.find((u) => u.userId === 'z')!;
      assert.deepEqual([z.r, z.f, z.m, z.cell, z.label], [null, null, null, null, NO_PURCHASE]);
      assert.equal(us[0].recencyDays, undefined, 'values only on request');
    });

    test('ties at a quintile edge share the score of their lowest rank (never split as NTILE would)', async () => {
      // orders 1,1,1,2,2,2,2,3,5,9 (n = 10): 1s: worse 0 -> 1; 2s: worse 3 -> 1 + floor(1.5) = 2 for all four, though
      // positions 4..7 straddle the 40% edge (NTILE would give 2,2,3,3... by an arbitrary order); 3: worse 7 -> 4
      // (score 3 is unused); 5: worse 8 -> 5; 9: worse 9 -> 5.
      // days 0,0,0,5,5,9,9,9,9,30: 0s: worse 7 (days > 0) -> 1 + floor(3.5) = 4 (three tied best are not 5);
      // 5s: worse 5 -> 3; 9s: worse 1 -> 1; 30: worse 0 -> 1.
      // revenue: all 7 -> every M is 1.
      const orders = [1, 1, 1, 2, 2, 2, 2, 3, 5, 9];
      const days = [0, 0, 0, 5, 5, 9, 9, 9, 9, 30];
      await shop(db, orders.map((o, i): Buyer => [`u${i}`, days[i], o, 7]));
      const us = await rfm(db);
      assert.deepEqual(scores(us, 'f'), [1, 1, 1, 2, 2, 2, 2, 4, 5, 5]);
      assert.deepEqual(scores(us, 'r'), [4, 4, 4, 3, 3, 1, 1, 1, 1, 1]);
      assert.deepEqual(scores(us, 'm'), Array(10).fill(1));
    });

    test('exact edges: worse / n = (k - 1) / 5 scores k, one buyer less scores k - 1', async () => {
      // n = 5, values 1..5: worse 0..4 -> 5 * worse / 5 = worse exactly -> scores 1..5 (each at its lower edge).
      await shop(db, [1, 2, 3, 4, 5].map((v): Buyer => [`e${v}`, 5 - v, v, v]));
      assert.deepEqual(Object.values(cells(await rfm(db))), ['1-1-1 Lost', '2-2-2 Hibernating', '3-3-3 Need Attention', '4-4-4 Loyal', '5-5-5 Champions']);
      // n = 15, orders 1 x3, 2 x3, 3 x9: 2s: worse 3 -> 5 * 3 / 15 = 1 exactly -> 2; 3s: worse 6 -> 1 + floor(2) = 3.
      // n = 16, same plus a fourth 1: 2s: worse 4 -> 1 + floor(20 / 16) = 2; 3s: worse 7 -> 1 + floor(35 / 16) = 3.
      // n = 14, two 1s: 2s: worse 2 -> 1 + floor(10 / 14) = 1 (just under 20%); 3s: worse 5 -> 1 + floor(25 / 14) = 2.
      const run = async (ones: number) => {
        const o = [...Array(ones).fill(1), 2, 2, 2, ...Array(9).fill(3)];
        await shop(db, o.map((x, i): Buyer => [`u${String(i).padStart(2, '0')}`, 0, x, 1]));
        return [...new Set(scores(await rfm(db), 'f'))];
      };
      assert.deepEqual(await run(3), [1, 2, 3]);
      assert.deepEqual(await run(4), [1, 2, 3]);
      assert.deepEqual(await run(2), [1, 2]);
    });

    test('exactly one buyer scores 1-1-1 (Lost); users who never bought stay out of n', async () => {
      await shop(db, [['only', 0, 3, 99.5], ['n1', null, 0, 0], ['n2', null, 0, 0]]);
      assert.deepEqual(cells(await rfm(db)), { only: '1-1-1 Lost', n1: NO_PURCHASE, n2: NO_PURCHASE });
    });

    test('buyers who are all equal all score 1-1-1', async () => {
      await shop(db, ['p', 'q', 'r', 's'].map((id): Buyer => [id, 4, 2, 25]));
      assert.deepEqual(Object.values(cells(await rfm(db))), Array(4).fill('1-1-1 Lost'));
    });

    test('monetary is compared to 6 decimals: 0.1 + 0.2 ties with 0.3', async () => {
      // n = 5: 0.1+0.2 and 0.3 tie (worse 0 -> 1); 0.31: worse 2 -> 3; 1: worse 3 -> 4; 2: worse 4 -> 5.
      // Unrounded, 0.1+0.2 (0.30000000000000004) would have one worse buyer and score 1 + floor(5/5) = 2.
      await shop(db, [['a', 1, 1, '0.1::DOUBLE + 0.2::DOUBLE'], ['b', 1, 1, 0.3], ['c', 1, 1, 0.31], ['d', 1, 1, 1], ['e', 1, 1, 2]]);
      const us = await rfm(db, { values: true });
      assert.deepEqual(scores(us, 'm'), [1, 1, 3, 4, 5]);
      assert.deepEqual(us.map((u) => u.monetary), [0.3, 0.3, 0.31, 1, 2]);
      assert.deepEqual(us.map((u) => [u.recencyDays, u.frequency]), Array(5).fill([1, 1]));
    });

    test('no buyers: everyone "No Purchase", an empty grid; no users: no rows', async () => {
      await shop(db, [['x', null, 0, 0], ['y', null, 0, 0]]);
      assert.deepEqual(cells(await rfm(db)), { x: NO_PURCHASE, y: NO_PURCHASE });
      const g = rfmGridSql();
      const grid = decodeRfmGrid(await db.query(g.text, g.params));
      assert.equal(grid.length, 25);
      assert.ok(grid.every((c) => c.users === 0 && c.monetary === null && c.revenue === 0));
      const s = rfmSegmentsSql();
      const segs = decodeRfmSegments(await db.query(s.text, s.params));
      assert.deepEqual(segs.filter((x) => x.users).map((x) => [x.label, x.users, x.share]), [[NO_PURCHASE, 2, 1]]);
      await shop(db, []);
      assert.deepEqual(await rfm(db), []);
    });

    test('all 25 (R, F) cells get the label of the rule table', async () => {
      // 25 buyers, five per value: days d = 5 - floor(i / 5) -> worse = 5 * (5 - d) -> R = 6 - d = 1 + floor(i / 5);
      // orders v = 1 + i % 5 -> worse = 5 * (v - 1) -> F = v.
      await shop(db, Array.from({ length: 25 }, (_, i): Buyer => [`c${String(i).padStart(2, '0')}`, 5 - Math.floor(i / 5), 1 + (i % 5), 1]));
      const us = await rfm(db);
      const grid: Record<string, string> = {};
      for (const u of us) grid[`${u.r}${u.f}`] = u.label;
      // Hand-written (independent of RFM_SEGMENTS), R then F:
      assert.deepEqual(grid, {
        11: 'Lost', 12: 'Lost', 13: 'At Risk', 14: 'At Risk', 15: "Can't Lose Them",
        21: 'Hibernating', 22: 'Hibernating', 23: 'At Risk', 24: 'At Risk', 25: "Can't Lose Them",
        31: 'About to Sleep', 32: 'About to Sleep', 33: 'Need Attention', 34: 'Loyal', 35: 'Loyal',
        41: 'Promising', 42: 'Potential Loyalist', 43: 'Potential Loyalist', 44: 'Loyal', 45: 'Loyal',
        51: 'New', 52: 'Potential Loyalist', 53: 'Potential Loyalist', 54: 'Champions', 55: 'Champions',
      });
      const g = rfmGridSql();
      const cellsOf = decodeRfmGrid(await db.query(g.text, g.params));
      assert.deepEqual(cellsOf.map((c) => [c.r, c.f, c.users, c.label]), Object.entries(grid)
        .map(([k, label]) => [Number(k[0]), Number(k[1]), 1, label]).sort((a, b) => (b[0] as number) - (a[0] as number) || (a[1] as number) - (b[1] as number)));
    });

    test('R x F grid and per-segment counts of the ten buyers', async () => {
      await shop(db, TEN);
      const g = rfmGridSql();
      const grid = decodeRfmGrid(await db.query(g.text, g.params));
      assert.deepEqual(grid.map((c) => [c.r, c.f]).slice(0, 6), [[5, 1], [5, 2], [5, 3], [5, 4], [5, 5], [4, 1]]);
      // (5,1) a, b: revenue 10 + 20; (4,2) c, d: 30 + 40; (3,3) 50 + 60; (2,4) 70 + 80; (1,5) 90 + 100.
      assert.deepEqual(grid.filter((c) => c.users).map((c) => [c.r, c.f, c.label, c.users, c.monetary, c.revenue]), [
        [5, 1, 'New', 2, 15, 30], [4, 2, 'Potential Loyalist', 2, 35, 70], [3, 3, 'Need Attention', 2, 55, 110],
        [2, 4, 'At Risk', 2, 75, 150], [1, 5, "Can't Lose Them", 2, 95, 190],
      ]);
      assert.ok(grid.filter((c) => !c.users).every((c) => c.monetary === null && c.revenue === 0));
      const s = rfmSegmentsSql();
      const segs = decodeRfmSegments(await db.query(s.text, s.params));
      assert.deepEqual(segs.map((x) => x.label), RFM_LABELS);
      assert.deepEqual(segs.filter((x) => x.users).map((x) => [x.label, x.users, x.revenue, x.share]), [
        ['Potential Loyalist', 2, 70, 2 / 11], ['New', 2, 30, 2 / 11], ['Need Attention', 2, 110, 2 / 11],
        ["Can't Lose Them", 2, 190, 2 / 11], ['At Risk', 2, 150, 2 / 11], [NO_PURCHASE, 1, 0, 1 / 11],
      ]);
    });

    test('recency from the real user_metrics: calendar days to the last event of any type', async () => {
      // The data's last event is D's view on 03-03 23:59. A bought 03-01 23:59:59 (2 days), B 03-02 00:00:01 (1 day:
      // two seconds after A, but a day later), C 03-03 10:00 (0 days). n = 3: A worse 0 -> R 1; B worse 1 ->
      // 1 + floor(5/3) = 2; C worse 2 -> 1 + floor(10/3) = 4. Orders 1, 1, 2: F 1, 1, 1 + floor(10/3) = 4.
      await db.exec(`
CREATE OR REPLACE TABLE users AS SELECT * FROM (VALUES ('A'), ('B'), ('C'), ('D')) v(user_id);
CREATE OR REPLACE TABLE events AS SELECT user_id, session_id, event_type, ts::TIMESTAMP AS ts, order_id, revenue::DOUBLE AS revenue FROM (VALUES
 ('A', 's1', 'purchase', '2025-03-01 23:59:59', 'o1', 5),
 ('B', 's2', 'purchase', '2025-03-02 00:00:01', 'o2', 6),
 ('C', 's3', 'purchase', '2025-03-01 10:00:00', 'o3', 7),
 ('C', 's4', 'purchase', '2025-03-03 10:00:00', 'o4', 8),
 ('D', 's5', 'product_view', '2025-03-03 23:59:00', NULL, NULL)) v(user_id, session_id, event_type, ts, order_id, revenue);
${userMetricsSql('user_metrics')};`);
      const us = await rfm(db, { values: true });
      assert.deepEqual(us.map((u) => [u.userId, u.recencyDays, u.frequency, u.monetary, u.cell, u.label]), [
        ['A', 2, 1, 5, '1-1-1', 'Lost'], ['B', 1, 1, 6, '2-1-2', 'Hibernating'], ['C', 0, 2, 15, '4-4-4', 'Loyal'],
        ['D', null, null, null, null, NO_PURCHASE],
      ]);
    });

    test('the statement can fill a table (as the segment layer stores it) with its parameters bound', async () => {
      await shop(db, TEN);
      const q = rfmSql();
      await db.query(`CREATE OR REPLACE TABLE rfm_seg AS ${q.text}`, q.params);
      const rows = toRows(await db.query(`SELECT label, count(*)::DOUBLE AS n FROM rfm_seg GROUP BY label ORDER BY label`));
      assert.deepEqual(rows.map((r) => [r.label, r.n]), [['At Risk', 2], ["Can't Lose Them", 2], ['Need Attention', 2], ['New', 2], [NO_PURCHASE, 1], ['Potential Loyalist', 2]]);
      const types = toRows(await db.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'rfm_seg' ORDER BY ordinal_position`));
      assert.deepEqual(types.map((t) => `${t.column_name} ${t.data_type}`), ['user_id VARCHAR', 'r INTEGER', 'f INTEGER', 'm INTEGER', 'cell VARCHAR', 'label VARCHAR']);
    });
  });
}

describe('RFM rule table and spec (pure)', () => {
  test('the rules cover each of the 25 (R, F) cells exactly once, so their order cannot change a label', () => {
    for (let r = 1; r <= 5; r++) {
      for (let f = 1; f <= 5; f++) {
        const hits = RFM_SEGMENTS.filter((s) => r >= s.r[0] && r <= s.r[1] && f >= s.f[0] && f <= s.f[1]);
        assert.equal(hits.length, 1, `R=${r} F=${f}: ${hits.map((h) => h.label).join(', ') || 'no rule'}`);
        assert.equal(rfmSegment(r, f), hits[0].label);
      }
    }
    assert.deepEqual(RFM_SEGMENTS.map((s) => s.label), ['Champions', 'Loyal', 'Potential Loyalist', 'New', 'Promising',
      'Need Attention', 'About to Sleep', "Can't Lose Them", 'At Risk', 'Hibernating', 'Lost']);
    assert.throws(() => rfmSegment(0, 3), RangeError);
  });

  test('the spec rejects unknown keys and odd values with a StrataError', () => {
    assert.deepEqual(validateRfmSpec({}), DEFAULT_RFM);
    assert.deepEqual(validateRfmSpec({ values: true }), { values: true });
    for (const [bad, msg] of [[{ bins: 5 }, /Unknown RFM setting "bins"/], [{ values: 'yes' }, /"values" must be true or false/],
      [null, /must be an object/], [[], /must be an object/]] as const) {
      assert.throws(() => validateRfmSpec(bad), (e: Error) => e.name === 'StrataError' && msg.test(e.message));
    }
  });

  test('labels and bounds are bound parameters, never spliced text', () => {
    for (const q of [rfmSql(), rfmSegmentsSql()]) {
      assert.ok(!q.text.includes('Champions') && !q.text.includes("Can't"), 'labels are parameters');
      assert.ok(q.params.includes("Can't Lose Them") && q.params.includes(NO_PURCHASE));
      assert.match(inlineSql(q), /'Can''t Lose Them'/);
    }
  });
});

rfmSuite('native', () => openNodeDb({ threads: 1 }));
rfmSuite('wasm', openWasmDb);
