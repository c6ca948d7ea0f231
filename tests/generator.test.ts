// Synthetic shop generator: API contract, determinism, integrity of the built tables, and the designed behaviour.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tableFromIPC } from 'apache-arrow';
import { openNodeDb } from '../src/db/node-db.ts';
import type { Db } from '../src/db/types.ts';
import { firstRow, type Row } from '../src/lib/rows.ts';
import { StrataError } from '../src/errors.ts';
import { shopSuite } from './generator-shop.test.ts';
import { DEFAULT_PARAMS, generateShop, loadShop, validateParams, type GenParams, type GenProgress } from '../src/data/generator/index.ts';

const SMALL: GenParams = { users: 800, days: 120, seed: 7 };

async function one(db: Db, sql: string): Promise<Row> {
  return firstRow(await db.query(sql));
}
async function num(db: Db, sql: string): Promise<number> {
  return Number(Object.values(await one(db, sql))[0]);
}
/** Order-sensitive fingerprint of every row of a table. */
async function fingerprint(db: Db, table: string, key: string): Promise<string> {
  return String(Object.values(await one(db, `SELECT md5(string_agg(t::VARCHAR, '|' ORDER BY ${key})) FROM ${table} t`))[0]);
}
async function shop(p: GenParams): Promise<Db> {
  const db = await openNodeDb({ threads: 1 });
  await loadShop(db, p);
  return db;
}

describe('validateParams', () => {
  test('accepts the defaults and returns a clean copy', () => {
    assert.deepEqual(validateParams({ ...DEFAULT_PARAMS }), { users: 5000, days: 365, seed: 42 });
  });
  for (const [label, bad] of [
    ['unknown key', { users: 100, days: 30, seed: 1, extra: 1 }],
    ['missing key', { users: 100, days: 30 }],
    ['too few users', { users: 9, days: 30, seed: 1 }],
    ['too many users', { users: 2_000_001, days: 30, seed: 1 }],
    ['fractional days', { users: 100, days: 30.5, seed: 1 }],
    ['too few days', { users: 100, days: 6, seed: 1 }],
    ['too many days', { users: 100, days: 3651, seed: 1 }],
    ['negative seed', { users: 100, days: 30, seed: -1 }],
    ['seed beyond 2^31-1', { users: 100, days: 30, seed: 2 ** 31 }],
    ['string number', { users: '100', days: 30, seed: 1 }],
    ['not an object', [100, 30, 1]],
    ['null', null],
  ] as const) {
    test(`rejects ${label}`, () => assert.throws(() => validateParams(bad), StrataError));
  }
  test('names the offending setting', () => {
    assert.throws(() => validateParams({ users: 5, days: 30, seed: 1 }), /"users".*10.*2,000,000/);
    assert.throws(() => validateParams({ users: 50, days: 30, seed: 1, colour: 'red' }), /colour/);
  });
});

describe('generateShop', () => {
  test('same params give byte-identical Arrow; another seed differs', () => {
    const capture = (p: GenParams): Map<string, string> => {
      const out = new Map<string, string>();
      generateShop(p, { table: (name, ipc) => out.set(name, (out.get(name) ?? '') + Buffer.from(ipc).toString('base64')) });
      return out;
    };
    const a = capture(SMALL);
    assert.deepEqual(capture(SMALL), a);
    const c = capture({ ...SMALL, seed: 8 });
    for (const name of ['stg_users', 'stg_events']) assert.notEqual(c.get(name), a.get(name), name);
  });

  test('streams events in chunks of at most 500,000 rows, first replacing then appending', () => {
    const chunks: { rows: number; append: boolean }[] = [];
    const phases = new Set<string>();
    let last: GenProgress | undefined;
    const { events } = generateShop({ users: 40_000, days: 365, seed: 3 }, {
      table: (name, ipc, append) => {
        if (name === 'stg_events') chunks.push({ rows: tableFromIPC(ipc).numRows, append });
      },
      progress: (p) => {
        phases.add(p.phase);
        last = p;
      },
    });
    assert.ok(chunks.length >= 2, `expected several chunks, got ${chunks.length}`);
    assert.deepEqual(chunks.map((c) => c.append), chunks.map((_, i) => i > 0));
    assert.ok(chunks.every((c) => c.rows <= 500_000));
    assert.equal(chunks.reduce((s, c) => s + c.rows, 0), events);
    assert.deepEqual([...phases], ['users', 'products', 'events']);
    assert.deepEqual(last, { phase: 'events', done: 40_000, total: 40_000 });
  });

  test('rejects bad params before generating anything', () => {
    let called = false;
    assert.throws(() => generateShop({ users: 1, days: 30, seed: 1 }, { table: () => (called = true) }), StrataError);
    assert.equal(called, false);
  });
});

describe('loadShop determinism (small shop)', () => {
  const dbs: Db[] = [];
  after(async () => Promise.all(dbs.map((d) => d.close())));

  test('two loads with the same params build identical tables; another seed does not', async () => {
    const [a, b, c] = await Promise.all([shop(SMALL), shop(SMALL), shop({ ...SMALL, seed: 8 })]);
    dbs.push(a, b, c);
    for (const [table, key] of [['users', 'user_id'], ['products', 'product_id'], ['events', 'event_id']]) {
      const fa = await fingerprint(a, table, key);
      assert.equal(await fingerprint(b, table, key), fa, `${table} differs between identical runs`);
      if (table !== 'products') assert.notEqual(await fingerprint(c, table, key), fa, `${table} ignores the seed`);
    }
    assert.equal(await num(a, `SELECT count(*) FROM user_metrics`), SMALL.users);
    const span = await one(a, `SELECT min(ts)::VARCHAR AS lo, max(ts)::VARCHAR AS hi FROM events`);
    assert.ok(String(span.lo) >= '2025-09-03', `first event ${span.lo} is before the 120-day window`);
    assert.ok(String(span.hi) <= '2025-12-31 23:59:59', `last event ${span.hi} is after the end`);
  });
});

describe('default shop (5,000 users, 365 days)', () => {
  let db: Db;
  let events = 0;
  before(async () => {
    db = await openNodeDb({ threads: 1 });
    ({ events } = await loadShop(db, DEFAULT_PARAMS));
  });
  after(async () => db.close());
  shopSuite(() => db, () => events);
});
