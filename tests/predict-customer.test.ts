// One customer at a time: search by id or name (wildcards are literal), the stored segment row, metrics against the
// averages of the user's segment worked out by hand, the timeline newest first. Native DuckDB and DuckDB-WASM.
// Run: TZ=UTC node --import tsx --test tests/predict-customer.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { toRows } from '../src/lib/rows.ts';
import { customerFeatureValues } from '../src/analyses/predict/nearest.ts';
import { decodeFields, fieldsSql } from '../src/analyses/fields.ts';
import { customerSearchSql, customerSegmentsSql, customerTimelineSql, customerVsSegmentSql, decodeVsSegment } from '../src/analyses/predict/customer.ts';

const SETUP = `CREATE TABLE users AS SELECT * FROM (VALUES ('u1', 'Ada Lovelace'), ('u2', 'Alan Turing'), ('u3', 'Grace 100% Hopper'), ('x_4', 'Edsger')) v(user_id, name);
CREATE TABLE user_metrics AS SELECT * FROM (VALUES
  ('u1', 2, 100.0, 50.0, 10, 4, 5, 3), ('u2', 4, 300.0, 75.0, 20, 6, 1, 1), ('u3', 0, 0.0, NULL, 3, 1, NULL, 9), ('x_4', 1, 10.0, 10.0, 2, 1, 40, 40)
) v(user_id, orders, revenue, aov, events, sessions, days_since_last_purchase, days_since_last_visit);
CREATE TABLE user_segments AS SELECT * FROM (VALUES ('u1', 'Loyal', 0.2), ('u2', 'Loyal', 0.1), ('u3', NULL, NULL), ('x_4', 'Lost', 0.9)) v(user_id, rfm, predicted_churn);
CREATE TABLE events AS SELECT * FROM (VALUES
  ('u1', TIMESTAMP '2024-01-01 10:00', 'product_view', 'p1', NULL, NULL),
  ('u1', TIMESTAMP '2024-01-02 10:00', 'purchase', 'p1', 50.0, 'o1'),
  ('u2', TIMESTAMP '2024-01-03 10:00', 'purchase', 'p2', 75.0, 'o2')
) v(user_id, ts, event_type, product_id, revenue, order_id);`;

function suite(name: string, open: () => Promise<Db>) {
  describe(`one customer (${name})`, () => {
    test('search, segments, metrics vs the segment, timeline', async () => {
      const db = await open();
      try {
        await db.exec(SETUP);
        const find = async (text: string, hasName = true) => toRows(await db.query(customerSearchSql(text, hasName).text, customerSearchSql(text, hasName).params)).map((r) => r.user_id);
        assert.deepEqual(await find('TURING'), ['u2']);
        assert.deepEqual(await find('u'), ['u1', 'u2', 'u3']);
        assert.deepEqual(await find('100%'), ['u3'], '% is literal');
        assert.deepEqual(await find('_'), ['x_4'], '_ is literal');
        assert.deepEqual(await find('lovelace', false), []);
        assert.deepEqual(toRows(await db.query(customerSegmentsSql('u1').text, customerSegmentsSql('u1').params)), [{ user_id: 'u1', rfm: 'Loyal', predicted_churn: 0.2 }]);
        // u1 against the Loyal segment (u1, u2): orders 2 vs 3, revenue 100 vs 200, AOV 50 vs 62.5, …
        const vs = decodeVsSegment(await db.query(customerVsSegmentSql('u1', 'rfm').text, customerVsSegmentSql('u1', 'rfm').params))!;
        assert.equal(vs.segmentUsers, 2);
        assert.deepEqual(vs.rows.map((r) => [r.metric, r.user, r.segment]), [
          ['orders', 2, 3], ['revenue', 100, 200], ['aov', 50, 62.5], ['events', 10, 15], ['sessions', 4, 5], ['days_since_last_purchase', 5, 3], ['days_since_last_visit', 3, 2],
        ]);
        // u3 has no RFM label: compared with the other unlabelled users (just u3).
        const none = decodeVsSegment(await db.query(customerVsSegmentSql('u3', 'rfm').text, customerVsSegmentSql('u3', 'rfm').params))!;
        assert.equal(none.segmentUsers, 1);
        const all = decodeVsSegment(await db.query(customerVsSegmentSql('u1', null).text, customerVsSegmentSql('u1', null).params))!;
        assert.deepEqual([all.segmentUsers, all.rows[0].segment], [4, 7 / 4]);
        assert.equal(decodeVsSegment(await db.query(customerVsSegmentSql('nobody', 'rfm').text, customerVsSegmentSql('nobody', 'rfm').params)), null);
        // A saved clustering's features for one stored customer, read as the Clusters screen reads its matrix.
        const fields = decodeFields(await db.query(fieldsSql().text, fieldsSql().params));
        const v = (await customerFeatureValues(db, ['m.orders', 'm.aov', 'u.name', 'm.gone'], fields, 'u3'))!;
        // Four names (at most 50 values): one-hot, one column per value, as the clustering read them.
        assert.deepEqual(Object.keys(v), ['orders', 'aov', 'name = Ada Lovelace', 'name = Alan Turing', 'name = Edsger', 'name = Grace 100% Hopper'], 'a field the data no longer has is left out');
        assert.equal(v.orders, 0);
        assert.ok(Number.isNaN(v.aov), 'NULL arrives as NaN (the median then stands in)');
        assert.deepEqual([v['name = Ada Lovelace'], v['name = Grace 100% Hopper']], [0, 1]);
        assert.equal(await customerFeatureValues(db, ['m.orders'], fields, 'nobody'), null);
        const tl = toRows(await db.query(customerTimelineSql('u1').text, customerTimelineSql('u1').params));
        assert.deepEqual(tl.map((r) => [r.event_type, r.order_id]), [['purchase', 'o1'], ['product_view', null]]);
      } finally {
        await db.close();
      }
    });
  });
}

suite('native DuckDB', () => openNodeDb());
suite('DuckDB-WASM', () => openWasmDb());
