// Custom segments (the segment builder): a users filter over user properties, user metrics, stored segments and
// behaviour, stored through the segment seam. Hand-made users with hand-worked answers, on native DuckDB and
// DuckDB-WASM.
// Run: TZ=UTC node --import tsx --test tests/segments-custom.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { toRows } from '../src/lib/rows.ts';
import { USER_METRICS_SQL } from '../src/data/user-metrics.ts';
import { decodeFields, fieldsSql, type Field } from '../src/analyses/fields.ts';
import { customDefinition, segmentCountSql, segmentMembersSql } from '../src/analyses/segments/custom.ts';
import { listSegmentations, writeSegmentation } from '../src/data/segments-store.ts';
import { sql } from '../src/sql/quote.ts';

// Users and events (the last event in the data is 2025-03-31 12:00, so "the last 30 days" is after 03-01 12:00):
// user  country  events                                                    orders  views in last 30 d
// a     DE       view 03-10, view 03-20, purchase o1 03-21 (40)            1       2
// b     DE       view 01-05, view 01-06, purchase o2 01-07, o3 02-01 (10,20) 2     0
// c     FR       view 03-30, purchase o4 03-31 12:00 (100)                 1       1
// d     FR       view 03-02, view 03-03, view 03-04                        0       3
// e     "x'); DROP TABLE users; --"   (no events)                          0       0
const EVENTS: [string, string, string, string | null, number | null][] = [
  ['a', 'product_view', '2025-03-10 10:00', null, null],
  ['a', 'product_view', '2025-03-20 10:00', null, null],
  ['a', 'purchase', '2025-03-21 10:00', 'o1', 40],
  ['b', 'product_view', '2025-01-05 10:00', null, null],
  ['b', 'product_view', '2025-01-06 10:00', null, null],
  ['b', 'purchase', '2025-01-07 10:00', 'o2', 10],
  ['b', 'purchase', '2025-02-01 10:00', 'o3', 20],
  ['c', 'product_view', '2025-03-30 10:00', null, null],
  ['c', 'purchase', '2025-03-31 12:00', 'o4', 100],
  ['d', 'product_view', '2025-03-02 10:00', null, null],
  ['d', 'product_view', '2025-03-03 10:00', null, null],
  ['d', 'product_view', '2025-03-04 10:00', null, null],
];
const EVIL = "x'); DROP TABLE users; --";

async function load(db: Db): Promise<Field[]> {
  await db.exec(`CREATE TABLE users (user_id VARCHAR, country VARCHAR);
INSERT INTO users VALUES ('a', 'DE'), ('b', 'DE'), ('c', 'FR'), ('d', 'FR'), ('e', '${EVIL.replace(/'/g, "''")}');
CREATE TABLE events (user_id VARCHAR, session_id VARCHAR, event_type VARCHAR, ts TIMESTAMP, order_id VARCHAR, revenue DOUBLE);`);
  for (const [u, t, ts, o, r] of EVENTS) {
    const q = sql`INSERT INTO events VALUES (${u}, ${'s-' + u}, ${t}, ${ts}::TIMESTAMP, ${o}, ${r})`;
    await db.query(q.text, q.params);
  }
  await db.exec(USER_METRICS_SQL);
  const f = fieldsSql();
  return decodeFields(await db.query(f.text, f.params));
}

async function members(db: Db, filter: unknown, fields: readonly Field[]): Promise<string[]> {
  const q = segmentMembersSql(filter, fields);
  return toRows(await db.query(q.text, q.params)).map((r) => String(r.user_id)).sort();
}

function suite(name: string, open: () => Promise<Db>) {
  describe(`custom segments (${name})`, () => {
    let db: Db;
    let fields: Field[];
    before(async () => {
      db = await open();
      fields = await load(db);
    });
    after(async () => db?.close());

    test('a user metric AND a behaviour: 1+ orders and 2+ product views in the last 30 days', async () => {
      const f = { op: 'and', items: [
        { field: 'm.orders', op: '>=', value: 1 },
        { did: { event: 'product_view', count: { op: 'at_least', n: 2 }, window: { last_days: 30 } } },
      ] };
      // a: 1 order, 2 recent views -> in. b: 2 orders, views in January -> out. c: 1 recent view -> out. d: no order.
      assert.deepEqual(await members(db, f, fields), ['a']);
      const c = segmentCountSql(f, fields);
      assert.deepEqual(toRows(await db.query(c.text, c.params)), [{ n: 1, total: 5 }]);
    });

    test('OR with "did not": buyers in France, or users who never purchased', async () => {
      const f = { op: 'or', items: [
        { op: 'and', items: [{ field: 'u.country', op: '=', value: 'FR' }, { field: 'm.orders', op: '>', value: 0 }] },
        { did: { event: 'purchase', count: { op: 'exactly', n: 0 } } },
      ] };
      // c (FR buyer); d and e never purchased (e has no events at all and still counts as 0).
      assert.deepEqual(await members(db, f, fields), ['c', 'd', 'e']);
    });

    test('a hostile value stays a value; a saved segment is a field a later segment can use', async () => {
      assert.deepEqual(await members(db, { op: 'and', items: [{ field: 'u.country', op: '=', value: EVIL }] }, fields), ['e']);
      const buyers = { op: 'and', items: [{ field: 'm.orders', op: '>=', value: 1 }] };
      const m = segmentMembersSql(buyers, fields);
      await writeSegmentation(db, { column: 'buyers', name: EVIL, kind: 'custom', type: 'label', definition: customDefinition(buyers as never) },
        sql`SELECT user_id, ${EVIL} AS value FROM (${m})`);
      const stored = await listSegmentations(db);
      assert.equal(stored.find((r) => r.column === 'buyers')?.name, EVIL, 'the name is stored as written');
      const f = fieldsSql();
      const withSeg = decodeFields(await db.query(f.text, f.params));
      // Buyers (a, b, c) who are in DE: a, b.
      assert.deepEqual(await members(db, { op: 'and', items: [{ field: 's.buyers', op: '=', value: EVIL }, { field: 'u.country', op: '=', value: 'DE' }] }, withSeg), ['a', 'b']);
      assert.equal(Number(toRows(await db.query('SELECT count(*)::DOUBLE AS n FROM users'))[0].n), 5, 'users is intact');
    });

    test('a bad filter is refused with a message, before any SQL', () => {
      assert.throws(() => segmentMembersSql({ op: 'and', items: [{ field: 'm.nope', op: '=', value: 1 }] }, fields), /no column "nope \(user metric\)"/);
      assert.throws(() => segmentMembersSql({ op: 'xor', items: [] }, fields), /"and" or "or"/);
      assert.throws(() => segmentMembersSql({ op: 'and', items: [{ did: { event: 'purchase', count: { op: 'at_least', n: -1 } } }] }, fields));
    });
  });
}

suite('native DuckDB', () => openNodeDb());
suite('DuckDB-WASM', () => openWasmDb());
