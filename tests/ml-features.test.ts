// Clustering features: the matrix statement on hand-made users (each encoding worked out by hand), on native DuckDB
// and DuckDB-WASM; preprocessing against plain reference arithmetic.
// Run: TZ=UTC node --import tsx --test tests/ml-features.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { toRows } from '../src/lib/rows.ts';
import { decodeFields, fieldsSql, type Field } from '../src/analyses/fields.ts';
import {
  checkFeatures, decodeFeatureMatrix, decodeTextStats, featureCandidates, featureMatrixSql, textEncoding, textStatsSql, type FeatureColumn,
} from '../src/ml/features.ts';
import { preprocess, quantileSorted, summarise } from '../src/ml/preprocess.ts';
import { fromRows } from '../src/ml/matrix.ts';

// Users: plan ∈ {gold, silver, NULL}; city has 60 distinct values over 120 users (so ordinal codes); email is unique
// (length and words); vip is a flag; signup a date. The last event is 2025-03-31 00:00.
async function load(db: Db): Promise<Field[]> {
  await db.exec(`CREATE TABLE users AS SELECT 'u' || lpad(i::VARCHAR, 3, '0') AS user_id,
    CASE WHEN i % 3 = 0 THEN 'gold' WHEN i % 3 = 1 THEN 'silver' END AS plan,
    'city' || lpad((i % 60)::VARCHAR, 2, '0') AS city,
    'user ' || i::VARCHAR || ' at example' AS email,
    (i % 2 = 0) AS vip,
    (DATE '2025-01-01' + i::INTEGER) AS signup,
    CASE WHEN i = 5 THEN NULL ELSE i * 10 END AS spend
  FROM range(120) t(i);
CREATE TABLE events (user_id VARCHAR, ts TIMESTAMP); INSERT INTO events VALUES ('u000', TIMESTAMP '2025-03-31 00:00:00');`);
  const f = fieldsSql();
  return decodeFields(await db.query(f.text, f.params));
}

function suite(name: string, open: () => Promise<Db>) {
  describe(`feature matrix (${name})`, () => {
    let db: Db;
    let fields: Field[];
    before(async () => {
      db = await open();
      fields = await load(db);
    });
    after(async () => db?.close());

    test('every encoding, by hand', async () => {
      const feats = checkFeatures(['u.plan', 'u.city', 'u.email', 'u.vip', 'u.signup', 'u.spend'], fields);
      const ts = textStatsSql(feats)!;
      const stats = decodeTextStats(toRows(await db.query(ts.text, ts.params)), feats);
      assert.deepEqual(stats.get('u.plan'), { distinct: 2, nonNull: 80, top: ['gold', 'silver'] });
      assert.equal(textEncoding(stats.get('u.plan')!), 'one-hot');
      assert.equal(textEncoding(stats.get('u.city')!), 'ordinal', '60 values over 120 users');
      assert.equal(textEncoding(stats.get('u.email')!), 'length', 'every value unique');
      const { sql, columns } = featureMatrixSql(feats, stats);
      assert.deepEqual(columns.map((c) => [c.name, c.encoding]), [
        ['plan = gold', 'one-hot'], ['plan = silver', 'one-hot'],
        ['city (code)', 'ordinal'],
        ['email (length)', 'length'], ['email (words)', 'words'],
        ['vip', 'flag'],
        ['signup (days ago)', 'days-ago'], ['signup (month)', 'month'], ['signup (year)', 'year'],
        ['spend', 'value'],
      ]);
      const m = decodeFeatureMatrix(await db.query(sql.text, sql.params), columns);
      assert.equal(m.userIds.length, 120);
      const rowOf = (id: string) => Array.from(m.data.subarray(m.userIds.indexOf(id) * columns.length, (m.userIds.indexOf(id) + 1) * columns.length));
      // u005: i = 5: plan silver (5 % 3 = 2? no: 5 % 3 = 2 -> NULL plan), city05 (every city has 2 users: code by
      // value order among equal counts: city00 = 1 ... city05 = 6), "user 5 at example" = 17 chars, 4 words, vip false,
      // signup 2025-01-06: 84 days before 2025-03-31, month 1, year 2025; spend NULL -> NaN.
      const r5 = rowOf('u005');
      assert.deepEqual(r5.slice(0, 9), [0, 0, 6, 17, 4, 0, 84, 1, 2025]);
      assert.ok(Number.isNaN(r5[9]));
      // u003: gold, city03 (code 4), "user 3 at example", vip false (3 odd), signup 2025-01-04 (86 days), spend 30.
      assert.deepEqual(rowOf('u003'), [1, 0, 4, 17, 4, 0, 86, 1, 2025, 30]);
      // u100: silver (100 % 3 = 1), city40 (code 41), "user 100 at example" (19 chars), vip, 2025-04-11: -11 days, month 4.
      assert.deepEqual(rowOf('u100'), [0, 1, 41, 19, 4, 1, -11, 4, 2025, 1000]);
    });

    test('a users filter keeps only its users, in user_id order, with the same values', async () => {
      const feats = checkFeatures(['u.spend', 'u.vip'], fields);
      // Gold plan (i % 3 = 0) with spend above 500 (i > 50): i = 51, 54, …, 117 -> 23 users.
      const users = { op: 'and' as const, items: [{ field: 'u.plan', op: '=' as const, value: 'gold' }, { field: 'u.spend', op: '>' as const, value: 500 }] };
      const { sql: q, columns } = featureMatrixSql(feats, new Map(), { users, fields });
      const t = await db.query(q.text, q.params);
      const { userIds, data } = decodeFeatureMatrix(t, columns);
      const want = Array.from({ length: 120 }, (_, i) => i).filter((i) => i % 3 === 0 && i > 50);
      assert.deepEqual(userIds, want.map((i) => 'u' + String(i).padStart(3, '0')));
      assert.deepEqual(Array.from(data), want.flatMap((i) => [i * 10, i % 2 === 0 ? 1 : 0]));
      // An empty filter is every user.
      const all = featureMatrixSql(feats, new Map(), { users: { op: 'and', items: [] }, fields });
      assert.equal((await db.query(all.sql.text, all.sql.params)).numRows, 120);
    });

    test('candidates and refusals', () => {
      const ids = featureCandidates(fields).map((f) => f.id);
      assert.ok(ids.includes('u.spend') && !ids.includes('u.user_id'));
      assert.throws(() => checkFeatures([], fields), /at least one feature/);
      assert.throws(() => checkFeatures(['u.spend', 'u.spend'], fields), /once/);
      assert.throws(() => checkFeatures(['u.user_id'], fields), /user id/);
      assert.throws(() => checkFeatures(['m.nope'], fields), /no column/);
    });
  });
}

suite('native DuckDB', () => openNodeDb());
suite('DuckDB-WASM', () => openWasmDb());

const col = (name: string, skewed = false): FeatureColumn => ({ name, field: `m.${name}`, encoding: 'value', skewed });

describe('preprocessing', () => {
  test('median imputation, log1p for skewed columns, standard scaling: equal to plain arithmetic', () => {
    // orders (skewed): 0, 1, 3, NaN, Infinity -> finite [0, 1, 3], median 1; log1p; age: 20, 30, 40, 50, 60.
    const x = fromRows([[0, 20], [1, 30], [3, 40], [NaN, 50], [Infinity, 60]]);
    const p = preprocess(x, [col('orders', true), col('age')]);
    const orders = [0, 1, 3, 1, 1].map(Math.log1p);
    const mean = orders.reduce((a, b) => a + b) / 5;
    const sd = Math.sqrt(orders.reduce((a, b) => a + (b - mean) ** 2, 0) / 5);
    const ages = [20, 30, 40, 50, 60];
    const am = 40;
    const asd = Math.sqrt(ages.reduce((a, b) => a + (b - am) ** 2, 0) / 5);
    for (let i = 0; i < 5; i++) {
      assert.ok(Math.abs(p.x.data[i * 2] - (orders[i] - mean) / sd) < 1e-12);
      assert.ok(Math.abs(p.x.data[i * 2 + 1] - (ages[i] - am) / asd) < 1e-12);
    }
    assert.equal(p.transforms[0].missing, 1);
    assert.equal(p.transforms[0].nonFinite, 1);
    assert.equal(p.transforms[0].median, 1);
    assert.match(p.transforms[0].summary, /^log1p; standard scaling .*; 2 missing or infinite \(1\) values imputed with the median 1$/);
    assert.equal(p.transforms[1].summary.startsWith('standard scaling'), true);
    assert.deepEqual(summarise(x, [col('orders'), col('age')]).map((s) => [s.min, s.max, s.missing, s.nonFinite]), [[0, 3, 1, 1], [20, 60, 0, 0]]);
  });

  test('robust scaling: median 0 and IQR 1 (linear quartiles); IQR 0 falls back to the standard deviation', () => {
    const x = fromRows([[1, 5], [2, 5], [3, 5], [4, 5], [100, 6]]);
    const p = preprocess(x, [col('a'), col('b')], { scaling: 'robust' });
    // a: quartiles of [1,2,3,4,100]: q25 = 2, q50 = 3, q75 = 4 -> (x - 3) / 2.
    assert.deepEqual(Array.from({ length: 5 }, (_, i) => p.x.data[i * 2]), [-1, -0.5, 0, 0.5, 48.5]);
    // b: IQR 0 -> sd of [5,5,5,5,6] = 0.4, median 5.
    assert.ok(Math.abs(p.x.data[9] - (6 - 5) / 0.4) < 1e-12);
    assert.equal(quantileSorted(Float64Array.from([1, 2, 3, 4]), 0.25), 1.75);
  });

  test('constant and all-missing columns are dropped with the reason; none left is a clear error', () => {
    const x = fromRows([[1, NaN, 7], [2, NaN, 7], [3, NaN, 7]]);
    const p = preprocess(x, [col('a'), col('b'), col('c')]);
    assert.equal(p.x.cols, 1);
    assert.deepEqual(p.dropped, [{ name: 'b', why: 'every value is missing' }, { name: 'c', why: 'every user has the same value (7)' }]);
    assert.throws(() => preprocess(fromRows([[NaN, 7], [NaN, 7]]), [col('b'), col('c')]), /No usable feature: b \(every value is missing\); c \(every user has the same value \(7\)\)/);
    // log1p is skipped (and said) for a skewed column with negative values.
    const neg = preprocess(fromRows([[-1], [2], [5]]), [col('revenue', true)]);
    assert.equal(neg.transforms[0].log1p, false);
    assert.match(neg.transforms[0].summary, /no log1p \(it has negative values\)/);
  });
});
