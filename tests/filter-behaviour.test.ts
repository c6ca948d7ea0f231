// Behaviour conditions in filters ("did purchase at least 2 times in the last 30 days", "did not do view") on a
// hand-made fixture, in native DuckDB and in DuckDB-WASM. Every expected list below is worked out by hand from
// the tables in this comment, never by the code under test.
// Run: TZ=UTC node --import tsx --test tests/filter-behaviour.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { toRows } from '../src/lib/rows.ts';
import { StrataError } from '../src/errors.ts';
import { raw, sql } from '../src/sql/quote.ts';
import { decodeFields, fieldsSql, fromSql, type Field } from '../src/analyses/fields.ts';
import { LINK_LIMITS, LinkBudget } from '../src/analyses/limits.ts';
import {
  behaviourFields,
  checkFilter,
  describeFilter,
  filterFields,
  filterSql,
  isBehaviour,
  isCond,
  isEmptyFilter,
  isGroup,
  membersSql,
  pruneFilter,
  validateFilter,
  type BehaviourCond,
  type BehaviourWindow,
  type CondOp,
  type CondValue,
  type CountOp,
  type FilterCond,
  type FilterGroup,
  type FilterNode,
} from '../src/analyses/filter/index.ts';
import {
  appendAt, behaviourMode, completeOnly, countConds, defaultBehaviour, parseWhole, pickEvent, setCount, setEvent, setMode,
  setWhere, setWindow, setWindowKind, windowKind,
} from '../src/analyses/filter/filter-edit.ts';

// ---------------------------------------------------------------------------------------------------------
// The fixture.
//
// users (u6 has no events at all; u9 has events but no users row)
// id  age  country
// u1  25   France
// u2  40   Germany
// u3  31   France
// u4  25   Germany
// u5  52   Japan
// u6  19   France
//
// events. max(ts) = 2024-03-31 12:00:00 (b01), so "last 30 days" is ts > 2024-03-01 12:00:00 and "last 1 day"
// is ts > 2024-03-30 12:00:00.
// id   user  type      ts                   category  price
// b01  u1    purchase  2024-03-31 12:00:00  Books     10    (the last event)
// b02  u1    purchase  2024-03-01 12:00:00  Toys      50    (exactly max - 30 days: not in the last 30)
// b03  u1    purchase  2024-01-10 09:00:00  Books     5
// b04  u1    view      2024-03-20 10:00:00  Books     NULL
// b05  u2    purchase  2024-03-01 12:00:01  Books     20    (1 s inside the last 30 days)
// b06  u2    purchase  2024-03-15 08:00:00  Books     30
// b07  u3    purchase  2024-02-01 00:00:00  Toys      100   (first instant of February 1)
// b08  u3    purchase  2024-02-29 23:59:59  Books     15    (last instant of February 29)
// b09  u4    view      2024-03-30 10:00:00  Toys      NULL
// b10  u4    view      2024-03-31 00:00:00  Books     NULL
// b11  u5    purchase  2024-01-31 23:59:59  Books     8     (1 s before February)
// b12  u5    view      2024-03-01 00:00:00  Garden    NULL
// b13  u5    purchase  2024-03-01 00:00:00  Garden    40    (first instant after February)
// b14  u9    purchase  2024-03-10 10:00:00  Books     12    (no users row)
// b15  NULL  purchase  2024-03-12 10:00:00  Books     7     (anonymous)
// b16  u2    purchase  2024-03-20 09:00:00  Toys      60
// b17  NULL  view      2024-03-05 10:00:00  Books     NULL  (anonymous)
// b18  u4    x'); DROP TABLE events; --  2024-03-05 11:00:00  NULL  NULL  (a hostile event type)
//
// Purchases per user:
//       ever  last 30 days        February  Books  price >= 30  Toys, last 30 days
// u1    3     1 (b01; b02 out)    0         2      1 (b02)      0 (b02 is out)
// u2    3     3 (b05 b06 b16)     0         2      2 (b06 b16)  1 (b16)
// u3    2     0                   2         1      1 (b07)      0
// u4    0     0                   0         0      0            0
// u5    2     0 (b13 is 00:00)    0 (b11, b13 just outside)     1 (b11)  1 (b13)  0
// u6    0     0                   0         0      0            0
// u9    1     1                   0         1      0            0     (events grain only: not in users)
// Views: u1 1 (b04), u4 2 (b09 b10), u5 1 (b12), anonymous 1 (b17).
// ---------------------------------------------------------------------------------------------------------
const HOSTILE_TYPE = "x'); DROP TABLE events; --";
const ALL = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];

const FIXTURE_SQL = `
CREATE TABLE users (user_id VARCHAR, age INTEGER, country VARCHAR);
INSERT INTO users VALUES ('u1', 25, 'France'), ('u2', 40, 'Germany'), ('u3', 31, 'France'), ('u4', 25, 'Germany'),
  ('u5', 52, 'Japan'), ('u6', 19, 'France');
CREATE TABLE events (event_id VARCHAR, user_id VARCHAR, event_type VARCHAR, ts TIMESTAMP, category VARCHAR, price DOUBLE);
INSERT INTO events VALUES
  ('b01', 'u1', 'purchase', '2024-03-31 12:00:00', 'Books',  10),
  ('b02', 'u1', 'purchase', '2024-03-01 12:00:00', 'Toys',   50),
  ('b03', 'u1', 'purchase', '2024-01-10 09:00:00', 'Books',  5),
  ('b04', 'u1', 'view',     '2024-03-20 10:00:00', 'Books',  NULL),
  ('b05', 'u2', 'purchase', '2024-03-01 12:00:01', 'Books',  20),
  ('b06', 'u2', 'purchase', '2024-03-15 08:00:00', 'Books',  30),
  ('b07', 'u3', 'purchase', '2024-02-01 00:00:00', 'Toys',   100),
  ('b08', 'u3', 'purchase', '2024-02-29 23:59:59', 'Books',  15),
  ('b09', 'u4', 'view',     '2024-03-30 10:00:00', 'Toys',   NULL),
  ('b10', 'u4', 'view',     '2024-03-31 00:00:00', 'Books',  NULL),
  ('b11', 'u5', 'purchase', '2024-01-31 23:59:59', 'Books',  8),
  ('b12', 'u5', 'view',     '2024-03-01 00:00:00', 'Garden', NULL),
  ('b13', 'u5', 'purchase', '2024-03-01 00:00:00', 'Garden', 40),
  ('b14', 'u9', 'purchase', '2024-03-10 10:00:00', 'Books',  12),
  ('b15', NULL, 'purchase', '2024-03-12 10:00:00', 'Books',  7),
  ('b16', 'u2', 'purchase', '2024-03-20 09:00:00', 'Toys',   60),
  ('b17', NULL, 'view',     '2024-03-05 10:00:00', 'Books',  NULL),
  ('b18', 'u4', 'x''); DROP TABLE events; --', '2024-03-05 11:00:00', NULL, NULL);
`;

// Small builders so each case reads like the filter it is.
const and = (...items: FilterNode[]): FilterGroup => ({ op: 'and', items });
const or = (...items: FilterNode[]): FilterGroup => ({ op: 'or', items });
const c = (field: string, op: CondOp, value?: CondValue | CondValue[]): FilterCond =>
  value === undefined ? { field, op } : { field, op, value };
const did = (event: string, op: CountOp, n: number, window?: BehaviourWindow, where?: FilterGroup): BehaviourCond => ({
  did: { event, ...(where ? { where } : {}), count: { op, n }, ...(window ? { window } : {}) },
});
const didNot = (event: string, window?: BehaviourWindow, where?: FilterGroup) => did(event, 'exactly', 0, window, where);
const last = (d: number): BehaviourWindow => ({ last_days: d });
const between = (a: string, b: string): BehaviourWindow => ({ between: [a, b] });
const FEB = between('2024-02-01', '2024-02-29');

/** Assert `fn` throws a StrataError whose message matches every pattern. */
function rejects(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StrataError, `expected a StrataError, got ${String(e)}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

type Case = [title: string, filter: FilterGroup, want: string[]];

// Users grain: SELECT u.user_id FROM users u WHERE <filter>.
const USER_CASES: Case[] = [
  ['did purchase (at least once, ever)', and(did('purchase', 'at_least', 1)), ['u1', 'u2', 'u3', 'u5']],
  ['did purchase at least 3 times', and(did('purchase', 'at_least', 3)), ['u1', 'u2']],
  ['did purchase at least 4 times: nobody', and(did('purchase', 'at_least', 4)), []],
  ['at least 0 times: everyone, zero-event users too', and(did('purchase', 'at_least', 0)), ALL],
  ['did purchase exactly 2 times', and(did('purchase', 'exactly', 2)), ['u3', 'u5']],
  ['did purchase exactly 3 times', and(did('purchase', 'exactly', 3)), ['u1', 'u2']],
  // u4 and u6 have no purchase at all and count as 0
  ['at most 2 times keeps users with no events', and(did('purchase', 'at_most', 2)), ['u3', 'u4', 'u5', 'u6']],
  ['at most 0 times', and(did('purchase', 'at_most', 0)), ['u4', 'u6']],
  ['did not purchase (exactly 0)', and(didNot('purchase')), ['u4', 'u6']],
  // ---- last 30 days: ts > 2024-03-01 12:00:00
  ['purchase in the last 30 days', and(did('purchase', 'at_least', 1, last(30))), ['u1', 'u2']],
  // u1's b02 sits exactly on the boundary: if it counted, u1 would have 2
  ['exactly once in the last 30 days (boundary event out)', and(did('purchase', 'exactly', 1, last(30))), ['u1']],
  // u2's b05 is one second inside: if it were out, u2 would have 2
  ['exactly 3 times in the last 30 days (one second inside)', and(did('purchase', 'exactly', 3, last(30))), ['u2']],
  ['did not purchase in the last 30 days', and(didNot('purchase', last(30))), ['u3', 'u4', 'u5', 'u6']],
  ['at most once in the last 30 days', and(did('purchase', 'at_most', 1, last(30))), ['u1', 'u3', 'u4', 'u5', 'u6']],
  // ts > 2024-03-30 12:00:00: only b01
  ['purchase in the last 1 day', and(did('purchase', 'at_least', 1, last(1))), ['u1']],
  // ---- between whole UTC days
  ['purchase between 2024-02-01 and 2024-02-29', and(did('purchase', 'at_least', 1, FEB)), ['u3']],
  // b07 at 00:00:00 on the first day and b08 at 23:59:59 on the last both count
  ['exactly 2 between 2024-02-01 and 2024-02-29 (both ends)', and(did('purchase', 'exactly', 2, FEB)), ['u3']],
  ['did not purchase in February', and(didNot('purchase', FEB)), ['u1', 'u2', 'u4', 'u5', 'u6']],
  ['a one-day window: 2024-01-31 (b11 at 23:59:59)', and(did('purchase', 'at_least', 1, between('2024-01-31', '2024-01-31'))), ['u5']],
  // b02 (12:00), b05 (12:00:01), b13 (00:00)
  ['a one-day window: 2024-03-01', and(did('purchase', 'at_least', 1, between('2024-03-01', '2024-03-01'))), ['u1', 'u2', 'u5']],
  // u1 b01; u2 b06 b16 (b05 on 03-01 is out)
  ['exactly once between 2024-03-02 and 2024-03-31', and(did('purchase', 'exactly', 1, between('2024-03-02', '2024-03-31'))), ['u1']],
  // ---- event conditions (nested where on e.*)
  ['purchase with category Books at least 2 times', and(did('purchase', 'at_least', 2, undefined, and(c('e.category', '=', 'Books')))), ['u1', 'u2']],
  ['purchase with price >= 30 at least 2 times', and(did('purchase', 'at_least', 2, undefined, and(c('e.price', '>=', 30)))), ['u2']],
  ['Books purchase exactly once in the last 30 days', and(did('purchase', 'exactly', 1, last(30), and(c('e.category', '=', 'Books')))), ['u1']],
  ['purchase with (category Garden OR price > 90)',
    and(did('purchase', 'at_least', 1, undefined, or(c('e.category', '=', 'Garden'), c('e.price', '>', 90)))), ['u3', 'u5']],
  ['did not purchase with category Toys', and(didNot('purchase', undefined, and(c('e.category', '=', 'Toys')))), ['u4', 'u5', 'u6']],
  // the where's own last_days condition counts back from the last event too
  ['purchase with ts in the last 30 days (a where condition)', and(did('purchase', 'at_least', 1, undefined, and(c('e.ts', 'last_days', 30)))), ['u1', 'u2']],
  ['Toys purchase in the last 30 days', and(did('purchase', 'at_least', 1, last(30), and(c('e.category', '=', 'Toys')))), ['u2']],
  // ---- other event types, hostile values
  ['did view', and(did('view', 'at_least', 1)), ['u1', 'u4', 'u5']],
  ['did view exactly 2 times', and(did('view', 'exactly', 2)), ['u4']],
  ['a hostile event type is data', and(did(HOSTILE_TYPE, 'at_least', 1)), ['u4']],
  ['an unknown event type matches nobody', and(did("'; DROP TABLE users; --", 'at_least', 1)), []],
  ['... and nobody did it', and(didNot("') OR (1=1")), ALL],
  // ---- combined with user properties
  ['country = France AND did not purchase', and(c('u.country', '=', 'France'), didNot('purchase')), ['u6']],
  ['age >= 50 OR purchase at least 3 times', or(c('u.age', '>=', 50), did('purchase', 'at_least', 3)), ['u1', 'u2', 'u5']],
  ['did view OR purchased in February', or(did('view', 'at_least', 1), did('purchase', 'at_least', 1, FEB)), ['u1', 'u3', 'u4', 'u5']],
  // France: u1 u3 u6. u1 bought in the last 30 days and is 25: out; u3 and u6 bought nothing then.
  ['France AND (did not purchase in the last 30 days OR age < 20)',
    and(c('u.country', '=', 'France'), or(didNot('purchase', last(30)), c('u.age', '<', 20))), ['u3', 'u6']],
  // purchasers u1 u2 u3 u5; viewers u1 u4 u5
  ['did purchase AND did not view', and(did('purchase', 'at_least', 1), didNot('view')), ['u2', 'u3']],
];

// Events grain: SELECT e.event_id FROM events e LEFT JOIN users u ... WHERE <filter>. The behaviour is the row's
// user's (e.user_id, so u9's events count though u9 has no users row); anonymous events never match one.
const EVENT_CASES: Case[] = [
  ['events of users who purchased at least 3 times', and(did('purchase', 'at_least', 3)), ['b01', 'b02', 'b03', 'b04', 'b05', 'b06', 'b16']],
  // u1 u2 u3 u5 u9; not u4's, not the anonymous purchase b15
  ['events of purchasers', and(did('purchase', 'at_least', 1)),
    ['b01', 'b02', 'b03', 'b04', 'b05', 'b06', 'b07', 'b08', 'b11', 'b12', 'b13', 'b14', 'b16']],
  ['events of users who did not purchase (anonymous out)', and(didNot('purchase')), ['b09', 'b10', 'b18']],
  // u4 (0) and u9 (1)
  ['events of users with at most one purchase', and(did('purchase', 'at_most', 1)), ['b09', 'b10', 'b14', 'b18']],
  ['views by users who never purchased', and(c('e.event_type', '=', 'view'), didNot('purchase')), ['b09', 'b10']],
  ['France AND exactly 2 purchases (u5 is in Japan)', and(c('u.country', '=', 'France'), did('purchase', 'exactly', 2)), ['b07', 'b08']],
  // the outer e.category (Toys) and the inner one (Books) are different rows: Toys events of u1 and u2
  ['category Toys AND the user made 2 Books purchases (inner e hides outer e)',
    and(c('e.category', '=', 'Toys'), did('purchase', 'at_least', 2, undefined, and(c('e.category', '=', 'Books')))), ['b02', 'b16']],
  ['events of users with a Toys purchase in the last 30 days', and(did('purchase', 'at_least', 1, last(30), and(c('e.category', '=', 'Toys')))), ['b05', 'b06', 'b16']],
  // views b04 b09 b10 b12 b17 (anonymous, via the view condition), and u3's events
  ['view OR the user purchased in February', or(c('e.event_type', '=', 'view'), did('purchase', 'at_least', 1, FEB)),
    ['b04', 'b07', 'b08', 'b09', 'b10', 'b12', 'b17']],
];

function suite(backend: string, open: () => Promise<Db>): void {
  describe(`behaviour conditions (${backend})`, () => {
    let db: Db;
    let fields: Field[];
    before(async () => {
      db = await open();
      await db.exec(FIXTURE_SQL);
      const q = fieldsSql();
      fields = decodeFields(await db.query(q.text, q.params));
    });
    after(async () => db.close());

    async function ids(grain: 'users' | 'events', g: FilterGroup): Promise<string[]> {
      const id = grain === 'users' ? 'u.user_id' : 'e.event_id';
      const q = sql`SELECT ${raw(id)} AS id FROM ${fromSql(grain, ['u'])} WHERE ${filterSql(g, fields, grain)} ORDER BY 1`;
      return toRows(await db.query(q.text, q.params)).map((r) => String(r.id));
    }

    describe('users grain', () => {
      for (const [title, filter, want] of USER_CASES) test(title, async () => assert.deepEqual(await ids('users', filter), want));
    });
    describe('events grain', () => {
      for (const [title, filter, want] of EVENT_CASES) test(title, async () => assert.deepEqual(await ids('events', filter), want));
    });

    test('membersSql: events of users who purchased exactly twice (u3, u5), with e three levels deep', async () => {
      const m = membersSql({ users: and(did('purchase', 'exactly', 2)) }, fields, 'e.user_id');
      const q = sql`SELECT e.event_id AS id FROM events e WHERE ${m} ORDER BY 1`;
      assert.deepEqual(toRows(await db.query(q.text, q.params)).map((r) => r.id), ['b07', 'b08', 'b11', 'b12', 'b13']);
    });

    test('hostile strings stayed data: both tables are intact', async () => {
      const n = toRows(await db.query('SELECT (SELECT count(*) FROM users)::DOUBLE AS u, (SELECT count(*) FROM events)::DOUBLE AS e'))[0];
      assert.deepEqual(n, { u: 6, e: 18 });
    });
  });
}

suite('native', openNodeDb);
suite('wasm', openWasmDb);

// A second opinion at scale: random behaviours on a generated shop, against per-user counts done in TypeScript.
describe('behaviour conditions vs a TypeScript count on a generated shop (native)', () => {
  let db: Db;
  let fields: Field[];
  let events: { user_id: string | null; event_type: string; ts: number; category: string | null }[];
  let users: string[];
  before(async () => {
    const { loadShop } = await import('../src/data/generator/index.ts');
    db = await openNodeDb();
    await loadShop(db, { users: 300, days: 40, seed: 11 });
    const q = fieldsSql();
    fields = decodeFields(await db.query(q.text, q.params));
    events = toRows(await db.query('SELECT user_id::VARCHAR AS user_id, event_type, epoch_ms(ts)::DOUBLE AS ts, category::VARCHAR AS category FROM events')) as never;
    users = toRows(await db.query('SELECT user_id::VARCHAR AS id FROM users ORDER BY 1')).map((r) => String(r.id));
  });
  after(async () => db.close());

  test('at least / at most / exactly, windows and a where, users grain', async () => {
    const max = Math.max(...events.map((e) => e.ts));
    const day = 86_400_000;
    const cats = [...new Set(events.map((e) => e.category).filter((x): x is string => x !== null))].sort();
    const specs: { b: BehaviourCond; keep: (e: (typeof events)[number]) => boolean }[] = [];
    const ops: CountOp[] = ['at_least', 'at_most', 'exactly'];
    for (const event of ['purchase', 'add_to_cart', 'product_view']) {
      for (const op of ops) {
        for (const n of [0, 1, 2, 5]) {
          specs.push({ b: did(event, op, n), keep: (e) => e.event_type === event });
          specs.push({ b: did(event, op, n, last(7)), keep: (e) => e.event_type === event && e.ts > max - 7 * day });
          const from = new Date(max - 20 * day).toISOString().slice(0, 10);
          const to = new Date(max - 10 * day).toISOString().slice(0, 10);
          const lo = Date.parse(from);
          const hi = Date.parse(to) + day;
          specs.push({ b: did(event, op, n, between(from, to)), keep: (e) => e.event_type === event && e.ts >= lo && e.ts < hi });
          if (cats[0]) specs.push({ b: did(event, op, n, undefined, and(c('e.category', '=', cats[0]))), keep: (e) => e.event_type === event && e.category === cats[0] });
        }
      }
    }
    let nonTrivial = 0;
    for (const { b, keep } of specs) {
      const counts = new Map<string, number>();
      for (const e of events) if (e.user_id !== null && keep(e)) counts.set(e.user_id, (counts.get(e.user_id) ?? 0) + 1);
      const { op, n } = b.did.count;
      const want = users.filter((u) => {
        const k = counts.get(u) ?? 0;
        return op === 'at_least' ? k >= n : op === 'at_most' ? k <= n : k === n;
      });
      const q = sql`SELECT u.user_id::VARCHAR AS id FROM users u WHERE ${filterSql(and(b), fields, 'users')} ORDER BY 1`;
      const got = toRows(await db.query(q.text, q.params)).map((r) => String(r.id));
      assert.deepEqual(got, want, JSON.stringify(b));
      if (want.length > 0 && want.length < users.length) nonTrivial++;
    }
    assert.ok(nonTrivial > specs.length / 3, `${nonTrivial} of ${specs.length} specs split the users`);
  });
});

describe('validateFilter: behaviour conditions', () => {
  const v = (x: unknown, budget?: LinkBudget) => validateFilter(x, budget);
  const ok = { did: { event: 'purchase', count: { op: 'at_least', n: 2 } } };

  test('accepts the shapes and returns a fresh copy in a fixed key order', () => {
    const input = { op: 'or', items: [{ did: { window: { last_days: 30 }, count: { n: 2, op: 'at_least' }, where: and(c('e.category', '=', 'Books')), event: 'purchase' } }] };
    const out = v(input);
    assert.deepEqual(out, or(did('purchase', 'at_least', 2, last(30), and(c('e.category', '=', 'Books')))));
    assert.equal(JSON.stringify(out.items[0]), '{"did":{"event":"purchase","where":{"op":"and","items":[{"field":"e.category","op":"=","value":"Books"}]},"count":{"op":"at_least","n":2},"window":{"last_days":30}}}');
    assert.notEqual(out.items[0], input.items[0]);
    assert.deepEqual(v(and(didNot('refund', FEB))), and(didNot('refund', FEB)));
    // a bare behaviour is wrapped in an AND group, like a bare condition
    assert.deepEqual(v(ok), and(did('purchase', 'at_least', 2)));
    // the edges of the ranges
    v(and(did('x', 'exactly', 0), did('x', 'at_most', 1e9), did('x', 'at_least', 1, last(1)), did('x', 'at_least', 1, last(36500))));
    v(and(did('x', 'at_least', 1, between('2024-02-29', '2024-02-29'))));
    // hostile text is data
    assert.equal((v(and(did(HOSTILE_TYPE, 'at_least', 1))).items[0] as BehaviourCond).did.event, HOSTILE_TYPE);
  });

  test('refuses bad shapes and unknown keys', () => {
    rejects(() => v({ ...ok, not: true }), /Unknown behaviour condition setting "not"/);
    rejects(() => v({ did: { ...ok.did, times: 3 } }), /Unknown behaviour condition setting "times"/);
    rejects(() => v({ did: 'purchase' }), /must be an object/);
    rejects(() => v({ did: ['purchase'] }), /must be an object/);
    rejects(() => v({ did: null }), /must be an object/);
    rejects(() => v({ did: { count: ok.did.count } }), /needs an event type/);
    rejects(() => v({ did: { event: '', count: ok.did.count } }), /needs an event type/);
    rejects(() => v({ did: { event: 5, count: ok.did.count } }), /needs an event type/);
    rejects(() => v({ did: { event: 'purchase' } }), /needs a count/);
    rejects(() => v({ did: { event: 'purchase', count: 2 } }), /needs a count/);
    rejects(() => v({ did: { event: 'purchase', count: { op: 'more_than', n: 2 } } }), /"at_least", "at_most" or "exactly"/);
    rejects(() => v({ did: { event: 'purchase', count: { op: 'none' } } }), /"at_least", "at_most" or "exactly"/);
    rejects(() => v({ did: { event: 'purchase', count: { op: 'at_least', n: 2, of: 3 } } }), /Unknown behaviour count setting "of"/);
    for (const n of [-1, 1.5, 1e9 + 1, '2', null, true, undefined]) {
      rejects(() => v({ did: { event: 'purchase', count: { op: 'at_least', n } } }), /whole number of times from 0 to 1,000,000,000/);
    }
    // the items key makes a node a group, whatever else it holds
    rejects(() => v({ op: 'and', items: [], did: ok.did }), /Unknown filter group setting "did"/);
  });

  test('refuses bad windows', () => {
    const w = (window: unknown) => () => v({ did: { ...ok.did, window } });
    for (const d of [0, -3, 1.5, 36501, '30', null]) rejects(w({ last_days: d }), /whole number of days from 1 to 36500/);
    rejects(w({}), /one setting, "last_days" or "between"/);
    rejects(w({ days: 3 }), /one setting, "last_days" or "between"; got \["days"\]/);
    rejects(w({ last_days: 3, between: ['2024-01-01', '2024-01-02'] }), /one setting/);
    rejects(w('ever'), /\{ "last_days": D \}/);
    rejects(w([30]), /\{ "last_days": D \}/);
    for (const b of [['2024-02-30', '2024-03-01'], ['2024-3-1', '2024-03-02'], ['2024-01-01'], ['2024-01-01', '2024-01-02', '2024-01-03'], '2024-01-01', ['2024-01-01T00:00', '2024-01-02'], [20240101, 20240102]]) {
      rejects(w({ between: b }), /two dates written YYYY-MM-DD/);
    }
    rejects(w({ between: ['2024-03-02', '2024-03-01'] }), /starts \(2024-03-02\) after it ends \(2024-03-01\)/);
  });

  test('refuses event conditions that are not a group of event-field conditions', () => {
    const wh = (where: unknown) => () => v({ did: { ...ok.did, where } });
    rejects(wh(c('e.category', '=', 'Books')), /must be a filter group/);
    rejects(wh([c('e.category', '=', 'Books')]), /must be a filter group/);
    rejects(wh(and(c('u.age', '>', 3))), /event columns only; "age \(user\)" is not one/);
    rejects(wh(and(or(c('m.revenue', '>', 3)))), /event columns only; "revenue \(user metric\)" is not one/);
    rejects(wh(and(did('view', 'at_least', 1))), /cannot hold another behaviour/);
    rejects(wh({ op: 'xor', items: [] }), /"and" or "or"/);
    rejects(wh(and({ field: 'e.category', op: 'like', value: 'x' } as never)), /Unknown filter operator "like"/);
  });

  test('counts against the link budget like conditions and groups', () => {
    const many = (k: number, b: () => FilterNode) => and(...Array.from({ length: k }, b));
    v(many(LINK_LIMITS.conditions, () => did('purchase', 'at_least', 2, FEB)));
    rejects(() => v(many(LINK_LIMITS.conditions + 1, () => did('purchase', 'at_least', 2))), /at most 100 conditions/);
    // its event conditions count too: one behaviour + 99 conditions is the limit
    const where = (k: number) => and(...Array.from({ length: k }, () => c('e.category', '=', 'x')));
    v(and(did('purchase', 'at_least', 1, undefined, where(99))));
    rejects(() => v(and(did('purchase', 'at_least', 1, undefined, where(100)))), /at most 100 conditions/);
    // each where is a nested group
    v(many(LINK_LIMITS.groups, () => did('p', 'at_least', 1, undefined, and())));
    rejects(() => v(many(LINK_LIMITS.groups + 1, () => did('p', 'at_least', 1, undefined, and()))), /at most 50 nested groups/);
    // the event type is text, and a shared budget is shared
    v(and(did('x'.repeat(LINK_LIMITS.text), 'at_least', 1)));
    rejects(() => v(and(did('x'.repeat(LINK_LIMITS.text + 1), 'at_least', 1))), /characters of text values/);
    const budget = new LinkBudget();
    v(many(99, () => c('u.age', '=', 1)), budget);
    rejects(() => v(many(2, () => did('p', 'at_least', 1)), budget), /at most 100 conditions/);
    // event, count and the window's two dates are four bound values: 100 such behaviours stay within 2,000
    assert.ok(4 * LINK_LIMITS.conditions <= LINK_LIMITS.values);
  });

  test('its where is a group one level down: refused past the depth limit, fine without one', () => {
    // groups at levels 1..5 with the behaviour inside the deepest: its where would be at level 6
    const nest = (inner: FilterNode, levels: number): FilterGroup => (levels === 0 ? and(inner) : and(nest(inner, levels - 1)));
    v(nest(did('p', 'at_least', 1), 5));
    v(nest(did('p', 'at_least', 1, undefined, and()), 4));
    rejects(() => v(nest(did('p', 'at_least', 1, undefined, and()), 5)), new RegExp(`nest at most ${LINK_LIMITS.depth} groups deep`));
  });
});

describe('checkFilter and the filter walkers', () => {
  const f = (id: string, type: string, kind: Field['kind']): Field => ({ id, source: id[0] as Field['source'], column: id.slice(2), type, kind });
  const FIELDS = [
    f('e.user_id', 'VARCHAR', 'text'), f('e.event_type', 'VARCHAR', 'text'), f('e.ts', 'TIMESTAMP', 'temporal'),
    f('e.category', 'VARCHAR', 'text'), f('e.price', 'DOUBLE', 'number'), f('u.user_id', 'VARCHAR', 'text'), f('u.age', 'INTEGER', 'integer'),
  ];

  test('behaviours suit both grains; their where is checked against event fields', () => {
    const g = and(c('u.age', '>', 3), did('purchase', 'at_least', 2, last(30), and(c('e.price', '>', 3))));
    checkFilter(g, FIELDS, 'users');
    checkFilter(g, FIELDS, 'events');
    rejects(() => checkFilter(and(did('p', 'at_least', 1, undefined, and(c('e.price', 'contains', 'x')))), FIELDS, 'users'), /"contains" does not apply to a number column/);
    rejects(() => checkFilter(and(did('p', 'at_least', 1, undefined, and(c('e.nope', '=', 'x')))), FIELDS, 'users'), /no column "nope \(event\)"/);
    // typed input that skipped validateFilter is still held to event fields
    rejects(() => checkFilter(and(did('p', 'at_least', 1, undefined, and(c('u.age', '>', 3)))), FIELDS, 'events'), /event columns only/);
    rejects(() => checkFilter(and(did('p', 'at_least', 1.5)), FIELDS, 'users'), /whole number of times/);
    rejects(() => checkFilter(and(did('p', 'at_least', 1, { last_days: 0 })), FIELDS, 'users'), /whole number of days/);
  });

  test('the events table must have a text event_type (and a timestamp ts for a window)', () => {
    const intType = FIELDS.map((x) => (x.id === 'e.event_type' ? f('e.event_type', 'INTEGER', 'integer') : x));
    rejects(() => checkFilter(and(did('p', 'at_least', 1)), intType, 'users'), /event_type column is INTEGER, not text/);
    const noType = FIELDS.filter((x) => x.id !== 'e.event_type');
    rejects(() => checkFilter(and(did('p', 'at_least', 1)), noType, 'users'), /no column "event_type \(event\)"/);
    const textTs = FIELDS.map((x) => (x.id === 'e.ts' ? f('e.ts', 'VARCHAR', 'text') : x));
    checkFilter(and(did('p', 'at_least', 1)), textTs, 'users');
    rejects(() => checkFilter(and(did('p', 'at_least', 1, last(3))), textTs, 'users'), /ts column is VARCHAR, not a timestamp/);
  });

  test('filterFields lists what the row reads; behaviourFields what the sub-queries read', () => {
    const g = and(c('u.age', '>', 3), or(did('p', 'at_least', 1, undefined, and(c('e.category', '=', 'x'), or(c('e.price', '<', 2)))), c('u.country', '=', 'x')));
    assert.deepEqual(filterFields(g), ['u.age', 'u.country']);
    assert.deepEqual(behaviourFields(g), ['e.category', 'e.price']);
  });

  test('pruneFilter keeps behaviours whole; isEmptyFilter counts them as conditions', () => {
    const b = did('p', 'at_least', 1, undefined, and(c('e.category', '=', 'x')));
    const noEvents = (id: string) => !id.startsWith('e.');
    assert.deepEqual(pruneFilter(and(c('e.price', '>', 1), b, or(b, c('e.price', '<', 1))), noEvents), and(b, or(b)));
    assert.equal(isEmptyFilter(and(b)), false);
    assert.equal(isEmptyFilter(and(or(b))), false);
    assert.equal(isEmptyFilter(and(or(), and())), true);
    assert.equal(isBehaviour(b) && !isGroup(b) && !isCond(b), true);
    assert.equal(isCond(c('u.age', '>', 1)), true);
  });

  test('values are bound parameters, once each, in order', () => {
    const w = filterSql(and(c('u.age', '>', 25), did(HOSTILE_TYPE, 'at_least', 2, FEB, and(c('e.category', '=', 'Books')))), FIELDS, 'users');
    assert.deepEqual(w.params, [25, HOSTILE_TYPE, '2024-02-01', '2024-02-29', 'Books', 2]);
    assert.equal((w.text.match(/\?/g) ?? []).length, 6);
    assert.equal(w.text.includes('DROP'), false);
    assert.deepEqual(filterSql(and(did('p', 'at_least', 0)), FIELDS, 'events'), { text: '((e.user_id IS NOT NULL))', params: [] });
  });
});

describe('describeFilter: behaviour conditions', () => {
  const cases: [FilterGroup, string][] = [
    [and(did('purchase', 'at_least', 2, last(30))), 'did "purchase" at least 2 times in the last 30 days'],
    [and(did('purchase', 'at_least', 1)), 'did "purchase"'],
    [and(did('purchase', 'at_least', 1, last(1))), 'did "purchase" in the last 1 day'],
    [and(did('purchase', 'exactly', 1, FEB)), 'did "purchase" exactly once between 2024-02-01 and 2024-02-29'],
    [and(did('purchase', 'at_most', 3)), 'did "purchase" at most 3 times'],
    [and(did('purchase', 'at_least', 0)), 'did "purchase" any number of times'],
    [and(did('purchase', 'at_least', 2000)), 'did "purchase" at least 2,000 times'],
    [and(didNot('refund')), 'did not do "refund"'],
    [and(did('refund', 'at_most', 0, last(7))), 'did not do "refund" in the last 7 days'],
    [and(did('purchase', 'at_least', 2, undefined, and(c('e.category', '=', 'Books')))), 'did "purchase" with category is "Books" at least 2 times'],
    [and(did('purchase', 'at_least', 1, undefined, or(c('e.category', '=', 'Books'), c('e.price', '>', 9)))), 'did "purchase" with (category is "Books" OR price > 9)'],
    [or(c('u.age', '>=', 50), did('purchase', 'at_least', 3)), 'age ≥ 50 OR did "purchase" at least 3 times'],
    [and(c('u.country', '=', 'France'), or(didNot('purchase', last(30)), c('u.age', '<', 20))), 'country is "France" AND (did not do "purchase" in the last 30 days OR age < 20)'],
    [and(did('a"b\nc', 'at_least', 1)), 'did "a\\"b\\nc"'],
  ];
  for (const [g, want] of cases) test(want, () => assert.equal(describeFilter(g), want));
});

describe('filter-edit helpers for behaviours', () => {
  const b0 = defaultBehaviour('purchase');

  test('defaults: at least once, ever; purchase when the data has it', () => {
    assert.deepEqual(b0, { did: { event: 'purchase', count: { op: 'at_least', n: 1 } } });
    assert.equal(pickEvent(['product_view', 'purchase']), 'purchase');
    assert.equal(pickEvent(['page', 'click']), 'page');
    assert.equal(pickEvent([]), 'purchase');
    validateFilter(and(b0));
    assert.deepEqual(appendAt(and(c('u.age', '>', 1)), [], b0), and(c('u.age', '>', 1), b0));
  });

  test('did / did not', () => {
    assert.equal(behaviourMode(b0), 'did');
    const not = setMode(setCount(b0, 'at_least', 4), 'did_not');
    assert.deepEqual(not.did.count, { op: 'exactly', n: 0 });
    assert.equal(behaviourMode(not), 'did_not');
    assert.equal(behaviourMode(setCount(b0, 'at_most', 0)), 'did_not');
    assert.equal(behaviourMode(setCount(b0, 'exactly', 2)), 'did');
    assert.deepEqual(setMode(not, 'did').did.count, { op: 'at_least', n: 1 });
    assert.equal(setMode(b0, 'did'), b0);
  });

  test('windows start valid and keep the key order', () => {
    const today = new Date('2024-03-31T15:00:00Z');
    assert.equal(windowKind(b0), 'ever');
    const l = setWindowKind(b0, 'last_days', today);
    assert.deepEqual(l.did.window, { last_days: 30 });
    const bt = setWindowKind(l, 'between', today);
    assert.deepEqual(bt.did.window, { between: ['2024-03-02', '2024-03-31'] });
    assert.equal(windowKind(bt), 'between');
    assert.equal('window' in setWindowKind(bt, 'ever'), false);
    assert.equal('window' in setWindowKind(bt, 'ever').did, false);
    assert.equal(setWindowKind(l, 'last_days'), l);
    const withWhere = setWhere(setWindow(setEvent(b0, 'view'), last(7)), and(c('e.price', '>', 1)));
    assert.equal(JSON.stringify(withWhere), JSON.stringify(did('view', 'at_least', 1, last(7), and(c('e.price', '>', 1)))));
    validateFilter(and(bt, l, withWhere));
  });

  test('an empty where goes; completeOnly and countConds look inside', () => {
    assert.equal('where' in setWhere(b0, and()).did, false);
    assert.equal('where' in setWhere(b0, undefined).did, false);
    const half = setWhere(b0, and(c('e.category', '=', ''), c('e.price', '>', 3)));
    assert.deepEqual(completeOnly(and(half)), and(setWhere(b0, and(c('e.price', '>', 3)))));
    assert.deepEqual(completeOnly(and(setWhere(b0, and(c('e.category', '=', ''))))), and(b0));
    assert.deepEqual(countConds(and(half, c('u.age', '=', ''))), { total: 4, incomplete: 2 });
    assert.deepEqual(countConds(and(b0)), { total: 1, incomplete: 0 });
  });

  test('parseWhole reads the count and days boxes', () => {
    assert.equal(parseWhole(' 12 ', 0, 100), 12);
    assert.equal(parseWhole('0', 0, 100), 0);
    assert.equal(parseWhole('0', 1, 100), null);
    for (const t of ['', '-1', '1.5', '1e3', 'abc', '101', '9'.repeat(20)]) assert.equal(parseWhole(t, 0, 100), null, t);
  });
});
