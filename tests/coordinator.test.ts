// The query coordinator: results cached by SQL + params, latest-wins per view, errors not cached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tableFromArrays, type Table } from 'apache-arrow';
import { QueryCoordinator, Superseded } from '../src/db/coordinator.ts';
import type { Db, QueryOptions } from '../src/db/types.ts';
import { onMainEngine, sql } from '../src/sql/quote.ts';

function fakeDb(delays: Record<string, number> = {}) {
  const calls: string[] = [];
  const options: (QueryOptions | undefined)[] = [];
  let fail = false;
  const db: Db = {
    async query(text, params = [], opts) {
      calls.push(text + JSON.stringify(params));
      options.push(opts);
      await new Promise((r) => setTimeout(r, delays[text] ?? 1));
      if (fail) throw new Error('boom');
      return tableFromArrays({ v: Float64Array.from([params.length]) }) as Table;
    },
    exec: async () => undefined,
    insertArrow: async () => undefined,
    close: async () => undefined,
  };
  return { db, calls, options, setFail: (f: boolean) => (fail = f) };
}

test('the same SQL and params hit the cache; other params do not', async () => {
  const f = fakeDb();
  const c = new QueryCoordinator(f.db);
  await c.cached(sql`SELECT ${1}`);
  await c.cached(sql`SELECT ${1}`);
  await c.cached(sql`SELECT ${2}`);
  assert.equal(f.calls.length, 2);
  c.invalidate();
  await c.cached(sql`SELECT ${1}`);
  assert.equal(f.calls.length, 3);
});

test('a newer request for the same view supersedes the older one', async () => {
  const f = fakeDb({ slow: 30 });
  const c = new QueryCoordinator(f.db);
  const first = c.run('v', { text: 'slow', params: [] });
  const second = c.run('v', { text: 'fast', params: [] });
  await assert.rejects(first, Superseded);
  assert.ok(await second);
  const other = await c.run('w', { text: 'slow', params: [] });
  assert.ok(other, 'another view is unaffected');
});

test('a failed query is reported and not cached', async () => {
  const f = fakeDb();
  const c = new QueryCoordinator(f.db);
  f.setFail(true);
  await assert.rejects(c.cached(sql`SELECT ${1}`), /boom/);
  f.setFail(false);
  assert.ok(await c.cached(sql`SELECT ${1}`));
  assert.equal(f.calls.length, 2);
});

test('abandoning a screen skips its queued queries; a running one still finishes', async () => {
  const f = fakeDb({ slow: 20 });
  const c = new QueryCoordinator(f.db);
  const running = c.run('overview:a', { text: 'slow', params: [] });
  const queued = c.run('overview:b', { text: 'q2', params: [] });
  const other = c.run('data:x', { text: 'q3', params: [] });
  await new Promise((r) => setTimeout(r, 5)); // 'slow' is now running; 'q2' and 'q3' wait in the queue
  c.abandon('overview:');
  await assert.rejects(running, Superseded);
  await assert.rejects(queued, Superseded);
  assert.ok(await other);
  assert.deepEqual(f.calls, ['slow[]', 'q3[]'], 'the abandoned queued query never reached the database');
});

test('asking again for the same SQL while an earlier request of it waits in the queue still gets the result', async () => {
  const f = fakeDb({ slow: 30 });
  const c = new QueryCoordinator(f.db);
  const busy = c.run('other', { text: 'slow', params: [] }); // keeps the queue busy
  const first = c.run('v', { text: 'same', params: [] }); // queued behind "slow"
  const second = c.run('v', { text: 'same', params: [] }); // same SQL: a cache hit on the queued request
  await assert.rejects(first, Superseded);
  assert.ok(await second, 'the newer request is answered, not reported superseded');
  assert.ok(await busy);
});

test('derived values are cached by key and statement; of the big ones (rows:…) only the newest is kept', async () => {
  const f = fakeDb();
  const c = new QueryCoordinator(f.db);
  let derived = 0;
  const io = c.io(null);
  const value = (key: string, p: number) => io.derive(key, sql`SELECT ${p}`, async () => ++derived);
  assert.equal(await value('small', 1), 1);
  assert.equal(await value('small', 1), 1); // cached: no statement, not derived again
  assert.equal(await value('rows:a', 1), 2);
  assert.equal(await value('rows:a', 1), 2);
  assert.equal(await value('rows:a', 2), 3); // another statement: the first big value goes
  assert.equal(await value('rows:a', 2), 3);
  assert.equal(await value('rows:a', 1), 4); // asked again: derived again
  assert.equal(await value('small', 1), 1); // small values stay
  assert.equal(f.calls.length, 4);
  c.invalidate();
  assert.equal(await value('small', 1), 5);
});

test('the funnels\' kept columns (cols:…): the newest two are kept; `has` tells a kept or pending value from a missing one', async () => {
  const f = fakeDb();
  const c = new QueryCoordinator(f.db);
  let derived = 0;
  const io = c.io(null);
  const q = (p: number) => sql`SELECT ${p}`;
  const value = (key: string, p: number) => io.derive(key, q(p), async () => ++derived);
  assert.equal(io.has!('cols:users'), false);
  const pending = value('cols:users', 1);
  assert.equal(io.has!('cols:users'), true, 'on its way');
  assert.equal(await pending, 1);
  assert.equal(await value('cols:sessions', 2), 2);
  assert.equal(await value('rows:j', 3), 3); // another kind: not counted with these
  assert.equal(await value('cols:users', 1), 1, 'both kept');
  assert.equal(await value('cols:sessions', 2), 2);
  assert.equal(await value('cols:other', 4), 4); // a third: the oldest goes
  assert.equal(io.has!('cols:users'), false);
  assert.equal(io.has!('cols:sessions'), true);
  assert.equal(await value('rows:j', 3), 3, 'the rows value stays');
  assert.equal(f.calls.length, 4);
  c.invalidate();
  assert.equal(io.has!('cols:sessions'), false, 'the data changed');
  // A view's Io answers the same.
  const view = c.io('funnels:main');
  await view.derive('cols:users', q(1), async () => 0);
  assert.equal(view.has!('cols:users'), true);
  // Values computed from kept ones (memo): cached by key without a statement, a failure not kept, dropped on a change.
  let computed = 0;
  assert.equal(await view.memo!('funnel-kept:a', async () => ++computed), 1);
  assert.equal(await io.memo!('funnel-kept:a', async () => ++computed), 1, 'cached, whichever Io asks');
  await assert.rejects(io.memo!('funnel-kept:b', async () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(await io.memo!('funnel-kept:b', async () => ++computed), 2, 'a failure is not kept');
  c.invalidate();
  assert.equal(await io.memo!('funnel-kept:a', async () => ++computed), 3);
  assert.equal(f.calls.length, 5, 'no statement for memo values');
});

test('a yes / no check: true or 1 is yes, anything else or a failure is no; asked once per statement', async () => {
  const answers: Record<string, unknown> = { yes: true, one: 1, no: false, zero: 0, none: null };
  const calls: string[] = [];
  const db: Db = {
    async query(text) {
      calls.push(text);
      if (text === 'boom') throw new Error('boom');
      if (text === 'empty') return tableFromArrays({ ok: new Float64Array(0) }) as Table;
      const v = answers[text];
      return (typeof v === 'boolean' ? tableFromArrays({ ok: [v] }) : tableFromArrays({ ok: Float64Array.from([v === null ? NaN : Number(v)]) })) as Table;
    },
    exec: async () => undefined,
    insertArrow: async () => undefined,
    close: async () => undefined,
  };
  const c = new QueryCoordinator(db);
  const ask = (text: string) => c.flag({ text, params: [] }, 'ok');
  assert.deepEqual(await Promise.all(['yes', 'one', 'no', 'zero', 'none', 'boom', 'empty'].map(ask)), [true, true, false, false, false, false, false]);
  assert.equal(await ask('yes'), true);
  assert.deepEqual(calls.filter((t) => t === 'yes'), ['yes'], 'cached: asked once');
  assert.equal(await c.flag({ text: 'yes', params: [] }, 'other'), false, 'a missing column is no');
});

test('a statement that asks for the main engine is sent with that option, by every path; the others with none', async () => {
  const f = fakeDb();
  const c = new QueryCoordinator(f.db);
  await c.run('v', onMainEngine(sql`SELECT ${1}`));
  await c.cached(onMainEngine(sql`SELECT ${2}`));
  await c.io(null).derive('d', onMainEngine(sql`SELECT ${3}`), async (t) => t.numRows);
  await c.run('v', sql`SELECT ${4}`);
  await c.io('w').derive('e', sql`SELECT ${5}`, async (t) => t.numRows);
  assert.deepEqual(f.options, [{ engine: 'main' }, { engine: 'main' }, { engine: 'main' }, undefined, undefined]);
  // The same statement either way is one cache entry: the answer does not depend on the engine.
  await c.cached(sql`SELECT ${1}`);
  assert.equal(f.calls.length, 5);
});
