// Data-screen profiling on a hand-made table whose every answer is worked out below.
// Run: TZ=UTC node --import tsx --test tests/profile.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { toRows } from '../src/lib/rows.ts';
import type { Sql } from '../src/sql/quote.ts';
import {
  listTablesSql, decodeTableList, rowCountsSql, decodeTables, columnsSql, decodeColumns, columnStatsSql,
  decodeColumnStats, statsOptions, profileColumn, rowsPageSql, columnKind, topValuesUseful, numericBins, dateGrain, nextBucket,
  type ColumnInfo, type TableInfo,
} from '../src/analyses/profile/index.ts';

// ---------------------------------------------------------------------------------------------------------
// The fixture: `events` (10 rows, id 1..10), an empty `users`, and `products` with a deleted row.
// The text column's name is EVIL: quotes, a semicolon and keywords, so it only works through ident().
//   id  amount  qty   ts                    d           EVIL      flag   tags
//   1   0       1     2024-03-01 00:00:00   2024-01-01  x         true   [1, 2]
//   2   5       2     2024-03-01 23:59:59   2024-01-07  x         true   [1, 2]
//   3   5       2     2024-03-03 12:00:00   2024-01-08  x         true   [3]
//   4   10      3     NULL                  2024-04-30  b         true   NULL
//   5   12.5    3     NULL                  NULL        b         true   NULL
//   6   50      3     NULL                  NULL        a         true   NULL
//   7   95      NULL  NULL                  NULL        a         false  NULL
//   8   100     5     NULL                  NULL        it's      false  NULL
//   9   NULL    5     NULL                  NULL        NULL      false  NULL
//   10  NULL    1     NULL                  NULL        NULL      NULL   NULL
// ---------------------------------------------------------------------------------------------------------
const EVIL = `a "quoted"; DROP TABLE events; select`;
const Q = `"a ""quoted""; DROP TABLE events; select"`;

async function loadFixture(db: Db): Promise<void> {
  await db.exec(`CREATE TABLE events (id INTEGER, amount DOUBLE, qty INTEGER, ts TIMESTAMP, d DATE, ${Q} VARCHAR,
  flag BOOLEAN, tags INTEGER[]);
INSERT INTO events VALUES
  (1, 0, 1, '2024-03-01 00:00:00', '2024-01-01', 'x', true, [1, 2]),
  (2, 5, 2, '2024-03-01 23:59:59', '2024-01-07', 'x', true, [1, 2]),
  (3, 5, 2, '2024-03-03 12:00:00', '2024-01-08', 'x', true, [3]),
  (4, 10, 3, NULL, '2024-04-30', 'b', true, NULL),
  (5, 12.5, 3, NULL, NULL, 'b', true, NULL),
  (6, 50, 3, NULL, NULL, 'a', true, NULL),
  (7, 95, NULL, NULL, NULL, 'a', false, NULL),
  (8, 100, 5, NULL, NULL, 'it''s', false, NULL),
  (9, NULL, 5, NULL, NULL, NULL, false, NULL),
  (10, NULL, 1, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE users (user_id VARCHAR, signup_ts TIMESTAMP, spend DOUBLE);
CREATE TABLE products AS SELECT range::INTEGER AS n FROM range(5);
DELETE FROM products WHERE n = 1;
CREATE TABLE not_listed (x INTEGER);`);
}

const run = (db: Db) => (q: Sql) => db.query(q.text, q.params);
const utc = (s: string): number => Date.parse(s + 'Z');

function profileSuite(backend: string, openDb: () => Promise<Db>): void {
  describe(`profile (${backend})`, () => {
    let db: Db;
    let tables: TableInfo[];
    let cols: ColumnInfo[];
    before(async () => {
      db = await openDb();
      await loadFixture(db);
      const list = decodeTableList(await run(db)(listTablesSql()));
      tables = decodeTables(await run(db)(rowCountsSql(list)!));
      cols = decodeColumns(await run(db)(columnsSql('events')));
    });
    after(async () => db.close());
    const col = (name: string) => cols.find((c) => c.name === name)!;
    const profile = (name: string, table = 'events', rows = 10) => profileColumn(run(db), table, col(name), rows);

    test('tables: allow-listed only, in display order, exact counts; a deletion makes rowids sparse', () => {
      // events 10 rows; users empty; products 5 - 1 deleted = 4 rows but rowids 0..4 (end 5); user_metrics and
      // not_listed are absent (the first does not exist, the second is not on the allow-list).
      assert.deepEqual(
        tables.map((t) => [t.name, t.rows, t.columns, t.rowidEnd]),
        [['events', 10, 8, 10], ['users', 0, 3, 0], ['products', 4, 1, 5]],
      );
    });

    test('columns: names (quotes and all), DuckDB types and kinds, in table order', () => {
      assert.deepEqual(
        cols.map((c) => [c.name, c.type, c.kind]),
        [
          ['id', 'INTEGER', 'integer'], ['amount', 'DOUBLE', 'number'], ['qty', 'INTEGER', 'integer'],
          ['ts', 'TIMESTAMP', 'temporal'], ['d', 'DATE', 'temporal'], [EVIL, 'VARCHAR', 'text'],
          ['flag', 'BOOLEAN', 'boolean'], ['tags', 'INTEGER[]', 'other'],
        ],
      );
    });

    test('numbers: missing, distinct, min/max/mean/median, ties in top values, bin edges', async () => {
      const p = await profile('amount');
      // 8 non-null of 10 -> 20% missing; distinct {0,5,10,12.5,50,95,100} = 7.
      // mean = (0+5+5+10+12.5+50+95+100)/8 = 277.5/8 = 34.6875; median of 8 = (10 + 12.5)/2 = 11.25.
      assert.deepEqual(
        [p.stats.rows, p.stats.nonNull, p.stats.missing, p.stats.distinct, p.stats.min, p.stats.max, p.stats.mean, p.stats.median, p.stats.approx],
        [10, 8, 0.2, 7, 0, 100, 34.6875, 11.25, false],
      );
      // 5 twice, then the count-1 ties ordered numerically (text order would put '100' before '12.5').
      assert.deepEqual(p.top?.map((t) => [t.value, t.num, t.count]), [
        ['5.0', 5, 2], ['0.0', 0, 1], ['10.0', 10, 1], ['12.5', 12.5, 1], ['50.0', 50, 1], ['95.0', 95, 1], ['100.0', 100, 1],
      ]);
      // 20 bins of width 5 over [0, 100]. An edge value starts its bin: 5 -> bin 1 (not 0), 10 -> bin 2,
      // 12.5 -> bin 2, 50 -> bin 10, 95 -> bin 19; the maximum 100 joins the last bin 19 (no 21st bin).
      assert.equal(p.histogram?.type, 'numeric');
      const bins = p.histogram!.bins;
      assert.equal(bins.length, 20);
      assert.deepEqual([bins[0].lo, bins[0].hi, bins[1].lo, bins[19].lo, bins[19].hi], [0, 5, 5, 95, 100]);
      const counts = bins.map((b) => b.count);
      assert.deepEqual(counts, [1, 2, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    });

    test('small-range integers get one bin per value; ties in top values order by value', async () => {
      const p = await profile('qty');
      // non-null: 1,2,2,3,3,3,5,5,1 (9); mean 25/9; sorted 1,1,2,2,3,3,3,5,5 -> median 3; distinct {1,2,3,5} = 4.
      assert.deepEqual([p.stats.nonNull, p.stats.distinct, p.stats.min, p.stats.max, p.stats.median], [9, 4, 1, 5, 3]);
      assert.ok(Math.abs(p.stats.mean! - 25 / 9) < 1e-12);
      // 3 three times, then 1, 2, 5 twice each (ascending).
      assert.deepEqual(p.top?.map((t) => [t.value, t.count]), [['3', 3], ['1', 2], ['2', 2], ['5', 2]]);
      // Bins [1,2) [2,3) [3,4) [4,5) [5,6): 2, 2, 3, 0, 2.
      assert.deepEqual(p.histogram!.bins.map((b) => [b.lo, b.hi, b.count]), [[1, 2, 2], [2, 3, 2], [3, 4, 3], [4, 5, 0], [5, 6, 2]]);
    });

    test('a unique column skips top values; a timestamp column bins by day, empty days filled', async () => {
      const id = await profile('id');
      assert.equal(id.top, null); // 10 distinct of 10: every value once
      assert.equal(id.stats.median, 5.5);
      const p = await profile('ts');
      // 3 values, 70% missing. min 03-01 00:00, max 03-03 12:00; mean of the three instants; median = 03-01 23:59:59.
      const [a, b, c] = [utc('2024-03-01T00:00:00'), utc('2024-03-01T23:59:59'), utc('2024-03-03T12:00:00')];
      assert.deepEqual([p.stats.missing, p.stats.min, p.stats.max, p.stats.median], [0.7, a, c, b]);
      assert.equal(p.stats.mean, (a + b + c) / 3);
      // Span 2.5 days -> day buckets: 03-01 holds 00:00 and 23:59:59 (2), 03-02 is empty (0), 03-03 (1).
      assert.deepEqual(p.histogram, {
        type: 'date', grain: 'day',
        bins: [
          { lo: utc('2024-03-01T00:00:00'), hi: utc('2024-03-02T00:00:00'), count: 2 },
          { lo: utc('2024-03-02T00:00:00'), hi: utc('2024-03-03T00:00:00'), count: 0 },
          { lo: utc('2024-03-03T00:00:00'), hi: utc('2024-03-04T00:00:00'), count: 1 },
        ],
      });
    });

    test('a date column spanning 120 days bins by Monday-start weeks', async () => {
      const p = await profile('d');
      // 2024-01-01 is a Monday: 01-01 and 01-07 (Sunday) share its week; 01-08 opens the next; 04-30 is in the
      // week of Monday 04-29, 17 weeks after 01-01 -> 18 buckets, 15 of them empty.
      const bins = p.histogram!.bins;
      assert.equal(p.histogram!.type === 'date' && p.histogram!.grain, 'week');
      assert.equal(bins.length, 18);
      assert.deepEqual([bins[0].lo, bins[0].count, bins[1].lo, bins[1].count], [utc('2024-01-01T00:00:00'), 2, utc('2024-01-08T00:00:00'), 1]);
      assert.deepEqual([bins[17].lo, bins[17].count], [utc('2024-04-29T00:00:00'), 1]);
      assert.equal(bins.slice(2, 17).every((x) => x.count === 0), true);
      // median of 01-01, 01-07, 01-08, 04-30 = midway between 01-07 and 01-08 = 01-07 12:00.
      assert.equal(p.stats.median, utc('2024-01-07T12:00:00'));
    });

    test('text with quotes in the column name: ties by value, min/max as text, no histogram', async () => {
      const p = await profile(EVIL);
      // x 3; a 2, b 2 (tie, ascending); it's 1. 2 NULL -> 20% missing; distinct 4; min 'a', max 'x'.
      assert.deepEqual(p.top?.map((t) => [t.value, t.count]), [['x', 3], ['a', 2], ['b', 2], ["it's", 1]]);
      assert.deepEqual([p.stats.missing, p.stats.distinct, p.stats.min, p.stats.max, p.stats.mean], [0.2, 4, 'a', 'x', null]);
      assert.equal(p.histogram, null);
    });

    test('booleans and lists: top values through their text form', async () => {
      const f = await profile('flag');
      assert.deepEqual(f.top?.map((t) => [t.value, t.count]), [['true', 6], ['false', 3]]);
      assert.deepEqual([f.stats.min, f.stats.max, f.stats.distinct], ['false', 'true', 2]);
      const l = await profile('tags');
      assert.deepEqual(l.top?.map((t) => [t.value, t.count]), [['[1, 2]', 2], ['[3]', 1]]);
      assert.deepEqual([l.stats.missing, l.stats.distinct, l.stats.min], [0.7, 2, null]);
    });

    test('a batch of columns in one query; approximate mode says so', async () => {
      const batch = cols.slice(0, 6);
      const opts = statsOptions(10, false);
      const s = decodeColumnStats(await run(db)(columnStatsSql('events', batch, opts)), batch, opts);
      assert.deepEqual(s.map((x) => [x.name, x.missing, x.distinct, x.mean]), [
        ['id', 0, 10, null], ['amount', 0.2, 7, null], ['qty', 0.1, 4, null], ['ts', 0.7, 3, null], ['d', 0.6, 4, null], [EVIL, 0.2, 4, null],
      ]);
      const approx = { exact: false, moments: true };
      const [a] = decodeColumnStats(await run(db)(columnStatsSql('events', [col('amount')], approx)), [col('amount')], approx);
      assert.equal(a.approx, true);
      assert.equal(a.median, 11.25); // medians stay exact
      assert.ok(Math.abs(a.distinct - 7) <= 1, `approx distinct ${a.distinct}`);
      assert.equal(statsOptions(1_000_001, true).exact, false);
      // An estimate never exceeds the non-null count; ids estimated at 80% distinct still skip top values.
      assert.ok(a.distinct <= a.nonNull);
      assert.equal(topValuesUseful(1000, 800, true), false);
      assert.equal(topValuesUseful(1000, 800, false), true);
    });

    test('an empty table: zero rows, no missing share, no top values or histogram, no page rows', async () => {
      const ucols = decodeColumns(await run(db)(columnsSql('users')));
      for (const c of ucols) {
        const p = await profileColumn(run(db), 'users', c, 0);
        assert.deepEqual([p.stats.rows, p.stats.missing, p.stats.distinct, p.stats.min, p.stats.median, p.top, p.histogram], [0, null, 0, null, null, null, null]);
      }
      assert.equal((await run(db)(rowsPageSql('users', 0, 200, true))).numRows, 0);
    });

    test('pages: rowid ranges when dense, LIMIT/OFFSET in insertion order after a deletion', async () => {
      const ids = async (q: Sql, key: string) => toRows(await run(db)(q)).map((r) => r[key]);
      assert.deepEqual(await ids(rowsPageSql('events', 3, 3, true), 'id'), [4, 5, 6]);
      assert.deepEqual(await ids(rowsPageSql('events', 8, 200, true), 'id'), [9, 10]);
      // products rows: 0, 2, 3, 4 (1 deleted): the page at offset 1 is 2, 3.
      assert.deepEqual(await ids(rowsPageSql('products', 1, 2, false), 'n'), [2, 3]);
      // Only the named columns (the grid's visible tile), quoted like any identifier.
      const t = await run(db)(rowsPageSql('events', 0, 2, true, [EVIL, 'id']));
      assert.deepEqual(t.schema.fields.map((f) => f.name), [EVIL, 'id']);
      assert.deepEqual(toRows(t).map((r) => r[EVIL]), ['x', 'x']);
      assert.throws(() => rowsPageSql('events', -1, 10, true), /Invalid page/);
    });

    test('another current schema: its tables and columns, not main\'s', async () => {
      await db.exec(`CREATE SCHEMA shop2; CREATE TABLE shop2.events (ev VARCHAR, "at" TIMESTAMPTZ);
INSERT INTO shop2.events VALUES ('a', '2024-01-01 00:00:00+00'), ('b', NULL); SET schema = 'shop2';`);
      try {
        const list = decodeTableList(await run(db)(listTablesSql()));
        assert.deepEqual(decodeTables(await run(db)(rowCountsSql(list)!)).map((t) => [t.name, t.rows]), [['events', 2]]);
        const c2 = decodeColumns(await run(db)(columnsSql('events')));
        assert.deepEqual(c2.map((c) => [c.name, c.kind]), [['ev', 'text'], ['at', 'temporal']]);
        const p = await profileColumn(run(db), 'events', c2[1], 2);
        assert.deepEqual([p.stats.min, p.stats.missing, p.histogram?.bins.length], [utc('2024-01-01T00:00:00'), 0.5, 1]);
      } finally {
        await db.exec("SET schema = 'main'");
      }
    });
  });
}

describe('profile helpers (pure)', () => {
  test('type names map to kinds', () => {
    const kinds = ['TINYINT', 'UBIGINT', 'HUGEINT', 'DECIMAL(18,3)', 'FLOAT', 'DATE', 'TIMESTAMP_NS', 'TIMESTAMP WITH TIME ZONE',
      'BOOLEAN', 'VARCHAR', "ENUM('a', 'b')", 'UUID', 'INTEGER[]', 'STRUCT(a INTEGER)', 'BLOB', 'TIME', 'INTERVAL'].map(columnKind);
    assert.deepEqual(kinds, ['integer', 'integer', 'integer', 'number', 'number', 'temporal', 'temporal', 'temporal',
      'boolean', 'text', 'text', 'text', 'other', 'other', 'other', 'other', 'other']);
  });

  test('bin layouts: 20 equal bins, one per integer when the span is short, one bin for a single value', () => {
    assert.deepEqual(numericBins(0, 100, false), { lo: 0, hi: 100, count: 20 });
    assert.deepEqual(numericBins(1, 20, true), { lo: 1, hi: 21, count: 20 }); // 20 integers: one bin each
    assert.deepEqual(numericBins(1, 21, true), { lo: 1, hi: 21, count: 20 }); // 21 integers: width 1, 21 in the last bin
    assert.deepEqual(numericBins(7.5, 7.5, false), { lo: 7.5, hi: 8.5, count: 1 });
  });

  test('date grains by span, and calendar steps across month and year ends', () => {
    const d = (s: string) => Date.parse(s + 'T00:00:00Z');
    assert.equal(dateGrain(d('2024-01-01'), d('2024-03-31')), 'day'); // 90 days
    assert.equal(dateGrain(d('2024-01-01'), d('2024-04-01')), 'week'); // 91 days
    assert.equal(dateGrain(d('2024-01-01'), d('2025-12-31')), 'week'); // 730 days
    assert.equal(dateGrain(d('2024-01-01'), d('2030-01-01')), 'month');
    assert.equal(dateGrain(d('1990-01-01'), d('2030-01-01')), 'year');
    assert.equal(nextBucket(d('2024-01-01'), 'month'), d('2024-02-01'));
    assert.equal(nextBucket(d('2024-12-01'), 'month'), d('2025-01-01'));
    assert.equal(nextBucket(d('2024-01-01'), 'year'), d('2025-01-01'));
  });
});

profileSuite('native', () => openNodeDb({ threads: 1 }));
