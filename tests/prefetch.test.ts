// The analysis screens' warm start (src/views/prefetch.ts): which statements it runs, that it stops when no longer
// wanted, and that a failing screen does not stop the others. (That they are the screens' own statements, i.e.
// cache hits, is checked in Chromium: e2e/prefetch.spec.ts.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Table } from 'apache-arrow';
import { openNodeDb } from '../src/db/node-db.ts';
import type { Db } from '../src/db/types.ts';
import { loadShop } from '../src/data/generator/index.ts';
import { decodeFields, fieldsSql } from '../src/analyses/fields.ts';
import { toRows } from '../src/lib/rows.ts';
import type { Sql } from '../src/sql/quote.ts';
import { prefetchScreens, type PrefetchContext } from '../src/views/prefetch.ts';

let db: Db;
let ctx: PrefetchContext;
before(async () => {
  db = await openNodeDb();
  await loadShop(db, { users: 200, days: 60, seed: 3 });
  const f = fieldsSql();
  ctx = {
    fields: decodeFields(await db.query(f.text, f.params)),
    eventTypes: toRows(await db.query('SELECT DISTINCT event_type AS t FROM events ORDER BY 1')).map((r) => String(r.t)),
  };
});
after(async () => db.close());

const recorder = (fail?: (q: Sql) => boolean) => {
  const sent: string[] = [];
  const run = async (q: Sql): Promise<Table> => {
    sent.push(q.text);
    if (fail?.(q)) throw new Error('boom');
    return db.query(q.text, q.params);
  };
  return { sent, run };
};

test('every screen is warmed, in order, with its own statements (retention 2, funnels 1, journeys 2, pivot 1+)', async () => {
  const { sent, run } = recorder();
  assert.deepEqual(await prefetchScreens(run, ctx, () => true), ['retention', 'funnels', 'journeys', 'pivot']);
  assert.ok(sent.length >= 6, `${sent.length} statements`);
  assert.match(sent[0], /cohort/i);
  assert.ok(sent.every((t) => /^\s*(WITH|SELECT)/i.test(t)), 'read-only statements only');
});

test('it stops as soon as it is no longer wanted (the data changed, a write began, live mode)', async () => {
  let left = 1;
  const { sent, run } = recorder();
  assert.deepEqual(await prefetchScreens(run, ctx, () => left-- > 0), ['retention']);
  assert.equal(sent.length, 2);
  assert.deepEqual(await prefetchScreens(run, ctx, () => false), []);
  assert.equal(sent.length, 2);
});

test('a screen whose statement fails is skipped; the others are warmed', async () => {
  let n = 0;
  const { run } = recorder(() => ++n === 3); // the funnel's statement (after retention's two)
  assert.deepEqual(await prefetchScreens(run, ctx, () => true), ['retention', 'journeys', 'pivot']);
});
