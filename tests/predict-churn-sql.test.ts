// The churn / lifetime-value time split (src/analyses/predict/churn-sql.ts) on a fixture worked out by hand, and the
// leak test: an event after the cutoff changes the label, never a feature. Native DuckDB and DuckDB-WASM.
// Run: TZ=UTC node --import tsx --test tests/predict-churn-sql.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { toRows } from '../src/lib/rows.ts';
import { CHURN_FEATURES, DATA_DAYS_SQL, churnFeaturesSql, trainingCutoff, type ChurnTarget } from '../src/analyses/predict/churn-sql.ts';

const EVENTS = `CREATE TABLE events AS SELECT * FROM (VALUES
  ('u1', TIMESTAMP '2024-01-10 09:00', 'purchase', 50.0::DOUBLE, 'o1', 's1'),
  ('u1', TIMESTAMP '2024-03-20 10:00', 'product_view', NULL, NULL, 's2'),
  ('u1', TIMESTAMP '2024-04-15 11:00', 'purchase', 30.0, 'o2', 's3'),
  ('u1', TIMESTAMP '2024-05-15 11:00', 'purchase', 70.0, 'o5', 's6'),
  ('u2', TIMESTAMP '2024-03-05 08:00', 'add_to_cart', NULL, NULL, 's4'),
  ('u2', TIMESTAMP '2024-03-05 08:10', 'purchase', 20.0, 'o3', 's4'),
  ('u2', TIMESTAMP '2024-03-05 08:10', 'purchase', 10.0, 'o3', 's4'),
  ('u3', TIMESTAMP '2024-02-01 12:00', 'product_view', NULL, NULL, 's5'),
  ('u3', TIMESTAMP '2024-04-10 12:00', 'product_view', NULL, NULL, 's7'),
  ('u4', TIMESTAMP '2024-04-05 12:00', 'purchase', 15.0, 'o4', 's8')
) v(user_id, ts, event_type, revenue, order_id, session_id)`;

const ids = CHURN_FEATURES.map((f) => f.id);
/** Hand-worked features as of 2024-03-31 (C - 30 = 03-01, C - 90 = 01-01). */
const U1 = [11, 81, 81, 1, 50, 50, 2, 2, 2, 1, 1, 1, 0, 0];
const U2 = [26, 26, 26, 1, 30, 30, 3, 1, 1, 3, 1, 0, 1, 0];
const U3 = [59, 60, 59, 0, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0];

function suite(name: string, open: () => Promise<Db>) {
  describe(`churn time split (${name})`, () => {
    const run = async (db: Db, target: ChurnTarget, label = true) => {
      const q = churnFeaturesSql({ cutoff: '2024-03-31', horizonDays: 30, target, label });
      return toRows(await db.query(q.text, q.params));
    };
    const feats = (r: Record<string, unknown>) => ids.map((id) => r[id]);

    test('features, label and revenue targets equal the hand-worked values; an event after the cutoff moves only the label', async () => {
      const db = await open();
      try {
        await db.exec(EVENTS);
        const rows = await run(db, 'purchase');
        assert.deepEqual(rows.map((r) => r.user_id), ['u1', 'u2']);
        assert.deepEqual(feats(rows[0]), U1);
        assert.deepEqual(feats(rows[1]), U2);
        // u1 buys on 04-15 (in the window; 05-15 is after it): not churned, 30 ahead, nothing in 03-02..03-31.
        assert.deepEqual([rows[0].churned, rows[0].future_revenue, rows[0].prior_revenue], [0, 30, 0]);
        assert.deepEqual([rows[1].churned, rows[1].future_revenue, rows[1].prior_revenue], [1, 0, 30]);
        const act = await run(db, 'activity');
        assert.deepEqual(act.map((r) => r.user_id), ['u1', 'u2', 'u3']);
        assert.deepEqual(feats(act[2]), U3);
        assert.deepEqual([act[2].churned, act[2].future_revenue], [0, 0]);
        const scoring = await run(db, 'purchase', false);
        assert.deepEqual(Object.keys(scoring[0]), ['user_id', ...ids]);

        // The leak test: a purchase after the cutoff (and one on the cutoff's next day) changes labels only.
        await db.exec(`INSERT INTO events VALUES ('u2', TIMESTAMP '2024-04-01 00:00', 'purchase', 999.0, 'o9', 's9'),
          ('u1', TIMESTAMP '2024-06-30 00:00', 'refund', 5.0, 'o1', 's10'), ('u3', TIMESTAMP '2024-04-01 00:00', 'add_to_cart', NULL, NULL, 's11')`);
        const after = await run(db, 'purchase');
        assert.deepEqual(after.map(feats), [U1, U2]);
        assert.deepEqual([after[1].churned, after[1].future_revenue], [0, 999]);
        assert.deepEqual(feats((await run(db, 'activity'))[2]), U3);
      } finally {
        await db.close();
      }
    });

    test('the cutoff: last day minus the horizon; a horizon longer than the data is refused', async () => {
      const db = await open();
      try {
        await db.exec(EVENTS);
        const d = toRows(await db.query(DATA_DAYS_SQL))[0];
        assert.deepEqual([d.first_day, d.last_day], ['2024-01-10', '2024-05-15']);
        assert.equal(trainingCutoff(String(d.first_day), String(d.last_day), 45), '2024-03-31');
        assert.throws(() => trainingCutoff(String(d.first_day), String(d.last_day), 200), /longer than the data \(126 days/);
        assert.throws(() => churnFeaturesSql({ cutoff: '2024-03-31', horizonDays: 0, target: 'purchase', label: true }), /whole number of days/);
      } finally {
        await db.close();
      }
    });
  });
}

suite('native DuckDB', () => openNodeDb());
suite('DuckDB-WASM', () => openWasmDb());

test('decoding reads column arrays: every chunk, sliced chunks and nulls as 0', async () => {
  const { tableFromArrays } = await import('apache-arrow');
  const { numbers, strings } = await import('../src/analyses/predict/churn-sql.ts');
  const a = tableFromArrays({ user_id: ['a', 'b', 'c'], v: Float64Array.of(1, 2, 3) });
  const b = tableFromArrays({ user_id: ['d', 'e'], v: Float64Array.of(4, 5) });
  const two = a.concat(b);
  assert.equal(two.batches.length, 2);
  assert.deepEqual([...numbers(two, 'v')!], [1, 2, 3, 4, 5]);
  assert.deepEqual(strings(two, 'user_id'), ['a', 'b', 'c', 'd', 'e']);
  const sliced = two.slice(1, 4);
  assert.deepEqual([...numbers(sliced, 'v')!], [2, 3, 4]);
  const db = await openNodeDb();
  try {
    const t = await db.query('SELECT * FROM (VALUES (1.5), (NULL), (3.0)) v(x)');
    assert.deepEqual([...numbers(t, 'x')!], [1.5, 0, 3]);
    assert.equal(numbers(t, 'nope'), null);
  } finally {
    await db.close();
  }
});
