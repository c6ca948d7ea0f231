// Retention on a hand-made shop: every answer below is worked out by hand from the fixture.
//
// user  country signup       events (UTC)
// A     DE      2025-01-05   purchase 01-10 (o1 10) · purchase 01-31 23:59:59 (o2 20) · view 02-15 · purchase 03-01 00:00:00 (o3 30)
// B     FR      2025-01-20   view 01-20 · purchase 02-28 23:59:59 (o4 40) · purchase 04-02 (o5 50)
// C     DE      2025-02-03   purchase 02-03 (o6 5)                                  (a user with one event)
// D     NULL    2025-02-10   view 02-10                                             (never buys)
// E     FR      2025-03-01   purchase 04-15 12:00 (o7 70)                           (the data's last event)
//
// The data ends on 2025-04-15, so April is observed but incomplete and May is not observed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openNodeDb } from '../src/db/node-db.ts';
import type { Db } from '../src/db/types.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { decodeFields, fieldsSql, type Field } from '../src/analyses/fields.ts';
import { cohortCellUsersSql, cohortSql, decodeCohorts, decodeLifecycle, lifecycleSql, validateCohortSpec, type CohortResult } from '../src/analyses/cohort/index.ts';

const JAN = Date.UTC(2025, 0, 1), FEB = Date.UTC(2025, 1, 1), MAR = Date.UTC(2025, 2, 1), APR = Date.UTC(2025, 3, 1);

/** cohort start -> [size, retained per k] */
const grid = (r: CohortResult) => r.cohorts.map((c) => [c.start, c.size, c.cells.map((x) => x.retained)]);

/** Every case that needs a database, on one from `getDb`: native DuckDB, and DuckDB-WASM (the browser's engine). */
function cohortSuite(getDb: () => Promise<Db>) {
  let db: Db;
  let fields: Field[];

  before(async () => {
    db = await getDb();
    await db.exec(`
CREATE TABLE users(user_id VARCHAR, signup_ts TIMESTAMP, country VARCHAR);
INSERT INTO users VALUES ('A', '2025-01-05', 'DE'), ('B', '2025-01-20', 'FR'), ('C', '2025-02-03', 'DE'), ('D', '2025-02-10', NULL), ('E', '2025-03-01', 'FR');
CREATE TABLE events(user_id VARCHAR, session_id VARCHAR, event_type VARCHAR, ts TIMESTAMP, order_id VARCHAR, revenue DOUBLE, category VARCHAR);
INSERT INTO events VALUES
 ('A', 's1', 'purchase', '2025-01-10 09:00:00', 'o1', 10, 'Books'),
 ('A', 's2', 'purchase', '2025-01-31 23:59:59', 'o2', 20, 'Toys'),
 ('A', 's3', 'product_view', '2025-02-15 10:00:00', NULL, NULL, 'Books'),
 ('A', 's4', 'purchase', '2025-03-01 00:00:00', 'o3', 30, 'Books'),
 ('B', 's5', 'product_view', '2025-01-20 08:00:00', NULL, NULL, 'Toys'),
 ('B', 's6', 'purchase', '2025-02-28 23:59:59', 'o4', 40, 'Toys'),
 ('B', 's7', 'purchase', '2025-04-02 12:00:00', 'o5', 50, 'Books'),
 ('C', 's8', 'purchase', '2025-02-03 12:00:00', 'o6', 5, 'Books'),
 ('D', 's9', 'product_view', '2025-02-10 12:00:00', NULL, NULL, 'Toys'),
 ('E', 's10', 'purchase', '2025-04-15 12:00:00', 'o7', 70, 'Toys');
CREATE TABLE user_metrics(user_id VARCHAR, orders BIGINT);
INSERT INTO user_metrics VALUES ('A', 3), ('B', 2), ('C', 1), ('D', 0), ('E', 1);`);
    const q = fieldsSql();
    fields = decodeFields(await db.query(q.text, q.params));
  });

  async function run(x: unknown): Promise<CohortResult> {
    const q = cohortSql(validateCohortSpec(x), fields);
    return decodeCohorts(await db.query(q.text, q.params));
  }

  describe('retention triangle', () => {
    test('monthly first-purchase cohorts, purchase returns, "on" (month-end 23:59:59 stays in its month)', async () => {
      const r = await run({ periods: 3 });
      // Jan {A}: Jan yes, Feb no, Mar yes (03-01 00:00:00), Apr no. Feb {B, C}: Feb both, Mar none, Apr B.
      // Apr {E}: Apr yes. A's 01-31 23:59:59 purchase is in January, so it does not count as a February return.
      assert.deepEqual(grid(r), [
        [JAN, 1, [1, 0, 1, 0]],
        [FEB, 2, [2, 0, 1, 0]],
        [APR, 1, [1, 0, 0, 0]],
      ]);
      // observed: periods that began by 2025-04-15; complete: periods that ended by 2025-04-16 00:00
      const flags = r.cohorts.map((c) => c.cells.map((x) => `${x.observed ? 'o' : '-'}${x.complete ? 'c' : '-'}`).join(' '));
      assert.deepEqual(flags, ['oc oc oc o-', 'oc oc o- --', 'o- -- -- --']);
    });

    test('orders, revenue per member and the cumulative LTV curve', async () => {
      const r = await run({ periods: 2 });
      const feb = r.cohorts[1];
      // Feb {B, C}: k0 orders o4 + o6 = 2, revenue 45 -> 22.5 per member; k1 nothing; k2 o5 50 -> 25 per member
      assert.deepEqual(feb.cells.map((c) => [c.orders, c.revenue, c.revenuePerMember, c.cumulativePerMember]), [
        [2, 45, 22.5, 22.5],
        [0, 0, 0, 22.5],
        [1, 50, 25, 47.5],
      ]);
      // Jan {A}: o1 + o2 in January (30), o3 in March (30)
      assert.deepEqual(r.cohorts[0].cells.map((c) => c.revenue), [30, 0, 30]);
    });

    test('the average row weights by cohort size and leaves out incomplete periods', async () => {
      const r = await run({ periods: 3 });
      // k0: Jan 1/1 and Feb 2/2 (Apr k0 incomplete) -> 3/3; k1: 0/1 + 0/2 -> 0; k2: only Jan complete -> 1/1;
      // k3: Jan's April is incomplete -> no members, no average
      assert.deepEqual(r.average.map((a) => [a.k, a.members, a.rate]), [[0, 3, 1], [1, 3, 0], [2, 1, 1], [3, 0, null]]);
      // cumulative revenue per member at k2 over complete cohorts: Jan only: (30 + 0 + 30) / 1
      assert.equal(r.average[2].cumulativePerMember, 60);
    });

    test('"on or after": retained at N if they came back in N or any later period', async () => {
      const r = await run({ periods: 3, mode: 'on_or_after' });
      // Jan {A}: last return k2 -> 1, 1, 1, 0. Feb {B (last k2), C (last k0)} -> 2, 1, 1, 0. Apr {E} -> 1, 0, 0, 0
      assert.deepEqual(grid(r), [[JAN, 1, [1, 1, 1, 0]], [FEB, 2, [2, 1, 1, 0]], [APR, 1, [1, 0, 0, 0]]]);
    });

    test('"on or after" from each member\'s last return, for every kind of start (hand-worked)', async () => {
      // Last purchase month: A Mar, B Apr, C Feb, E Apr (D never buys). Last event of any kind: A Mar, B Apr, C Feb,
      // D Feb, E Apr. A member counts at k when their last return is k or later periods after their cohort.
      // Recurring purchase cohorts Jan {A}, Feb {B, C}, Mar {A}, Apr {B, E}: A's last (Mar) is k2 of Jan, k0 of Mar;
      // B's (Apr) k2 of Feb, k0 of Apr; C's k0 of Feb; E's k0 of Apr.
      assert.deepEqual(grid(await run({ periods: 1, recurring: true, mode: 'on_or_after' })), [
        [JAN, 1, [1, 1]], [FEB, 2, [2, 1]], [MAR, 1, [1, 0]], [APR, 2, [2, 0]],
      ]);
      // Sign-up cohorts Jan {A, B}, Feb {C, D}, Mar {E}: A k2, B k3; C k0, D no purchase; E (Apr) k1.
      assert.deepEqual(grid(await run({ periods: 3, start: { by: 'signup' }, mode: 'on_or_after' })), [
        [JAN, 2, [2, 2, 2, 1]], [FEB, 2, [1, 0, 0, 0]], [MAR, 1, [1, 1, 0, 0]],
      ]);
      // First event of any kind, any activity (start and return the same predicate): Jan {A, B}: A k2, B k3;
      // Feb {C, D}: both k0; Apr {E}: k0.
      const anyAny = { periods: 3, start: { by: 'event', event: { kind: 'any' } }, returns: { kind: 'any' }, mode: 'on_or_after' };
      assert.deepEqual(grid(await run(anyAny)), [[JAN, 2, [2, 2, 2, 1]], [FEB, 2, [2, 0, 0, 0]], [APR, 1, [1, 0, 0, 0]]]);
      // The same for DE users only (A, C).
      assert.deepEqual(grid(await run({ ...anyAny, users: { op: 'and', items: [{ field: 'u.country', op: '=', value: 'DE' }] } })), [
        [JAN, 1, [1, 1, 1, 0]], [FEB, 1, [1, 0, 0, 0]],
      ]);
      // First event of any kind, purchase returns: Jan {A, B}: A k2, B k3 (B bought first in Feb: still a return
      // "in k0 or later"); Feb {C, D}: C k0, D none; Apr {E}: k0.
      assert.deepEqual(grid(await run({ ...anyAny, returns: { kind: 'purchase' } })), [
        [JAN, 2, [2, 2, 2, 1]], [FEB, 2, [1, 0, 0, 0]], [APR, 1, [1, 0, 0, 0]],
      ]);
    });

    test('recurring cohorts: a user is in a cohort for every period they started', async () => {
      const r = await run({ periods: 1, recurring: true });
      // purchase months: A Jan, Mar; B Feb, Apr; C Feb; E Apr -> Jan {A}, Feb {B, C}, Mar {A}, Apr {B, E}
      // Mar {A}: k0 1, k1 (Apr) 0. Apr {B, E}: k0 2.
      assert.deepEqual(grid(r), [[JAN, 1, [1, 0]], [FEB, 2, [2, 0]], [MAR, 1, [1, 0]], [APR, 2, [2, 0]]]);
    });

    test('sign-up cohorts: users who never buy count in the size', async () => {
      const r = await run({ periods: 3, start: { by: 'signup' } });
      // Jan {A, B}: Jan A, Feb B, Mar A, Apr B. Feb {C, D}: Feb C. Mar {E}: Apr E (k1).
      assert.deepEqual(grid(r), [[JAN, 2, [1, 1, 1, 1]], [FEB, 2, [1, 0, 0, 0]], [MAR, 1, [0, 1, 0, 0]]]);
    });

    test('a chosen start event with a property filter, any activity as the return', async () => {
      // first product_view of a Toys product: B 01-20, D 02-10 (A viewed Books)
      const r = await run({
        periods: 3,
        start: { by: 'event', event: { kind: 'event', eventType: 'product_view', filter: { op: 'and', items: [{ field: 'e.category', op: '=', value: 'Toys' }] } } },
        returns: { kind: 'any' },
      });
      // Jan {B}: Jan view, Feb purchase, Mar nothing, Apr purchase. Feb {D}: Feb only.
      assert.deepEqual(grid(r), [[JAN, 1, [1, 1, 0, 1]], [FEB, 1, [1, 0, 0, 0]]]);
    });

    test('a users filter restricts cohort members', async () => {
      const r = await run({ periods: 2, users: { op: 'and', items: [{ field: 'u.country', op: '=', value: 'DE' }] } });
      // DE users A and C: Jan {A}: 1, 0, 1. Feb {C}: 1, 0, 0
      assert.deepEqual(grid(r), [[JAN, 1, [1, 0, 1]], [FEB, 1, [1, 0, 0]]]);
    });

    test('daily and weekly periods', async () => {
      const day = await run({ periods: 1, period: 'day' });
      // first purchases: A 01-10, B 02-28, C 02-03, E 04-15; nobody buys again the next day
      assert.deepEqual(grid(day).map((g) => g[2]), [[1, 0], [1, 0], [1, 0], [1, 0]]);
      // the data covers its last day to the end: E's day (04-15) is complete; the next day is not observed
      const e = day.cohorts[3].cells;
      assert.deepEqual([e[0].observed, e[0].complete, e[1].observed], [true, true, false]);
      const week = await run({ periods: 4, period: 'week', start: { by: 'signup' }, returns: { kind: 'any' } });
      // ISO weeks start on Monday. A signs up Sun 01-05 (week of Mon 12-30) and B on Mon 01-20 (week of 01-20).
      // A's week-of-12-30 cohort: activity 01-10 (week of 01-06, k1), 01-31 (week of 01-27, k4).
      assert.deepEqual(grid(week)[0], [Date.UTC(2024, 11, 30), 1, [0, 1, 0, 0, 1]]);
      assert.deepEqual(grid(week)[1], [Date.UTC(2025, 0, 20), 1, [1, 0, 0, 0, 0]]);
    });
  });

  describe('the users behind a cell', () => {
    const users = async (x: unknown, start: number, k: number) => {
      const q = cohortCellUsersSql(validateCohortSpec(x), fields, start, k);
      return (await db.query(q.text, q.params)).getChild('user_id')!.toArray().map(String);
    };
    test('"on" and "on or after"', async () => {
      // sign-up cohort Jan {A, B}: k1 (Feb) B bought; on or after k1: B (Feb, Apr) and A (Mar)
      assert.deepEqual(await users({ start: { by: 'signup' } }, JAN, 1), ['B']);
      assert.deepEqual(await users({ start: { by: 'signup' }, mode: 'on_or_after' }, JAN, 1), ['A', 'B']);
      // first-purchase cohort Feb {B, C}: k0 both, k2 (Apr) B, k1 nobody
      assert.deepEqual(await users({}, FEB, 0), ['B', 'C']);
      assert.deepEqual(await users({}, FEB, 2), ['B']);
      assert.deepEqual(await users({}, FEB, 1), []);
    });
  });

  describe('lifecycle', () => {
    const life = async (x: unknown) => {
      const q = lifecycleSql(validateCohortSpec(x), fields);
      return decodeLifecycle(await db.query(q.text, q.params)).map((p) => [p.start, p.new, p.returning, p.resurrecting, p.dormant]);
    };
    test('new, returning, resurrecting and dormant per month (any activity)', async () => {
      // active months: A Jan Feb Mar; B Jan Feb Apr; C Feb; D Feb; E Apr
      // Jan: new A B. Feb: new C D, returning A B. Mar: returning A; dormant B C D (active Feb, not Mar).
      // Apr: new E, resurrecting B (first Jan, skipped Mar); dormant A. May lies after the data's last day: not shown.
      assert.deepEqual(await life({ returns: { kind: 'any' } }), [
        [JAN, 2, 0, 0, 0],
        [FEB, 2, 2, 0, 0],
        [MAR, 0, 1, 0, 3],
        [APR, 1, 0, 1, 1],
      ]);
    });
    test('purchases only, for German users', async () => {
      // DE: A buys Jan, Mar; C buys Feb. Jan: new A. Feb: new C; dormant A. Mar: resurrecting A; dormant C. Apr: dormant A.
      assert.deepEqual(await life({ users: { op: 'and', items: [{ field: 'u.country', op: '=', value: 'DE' }] } }), [
        [JAN, 1, 0, 0, 0],
        [FEB, 1, 0, 0, 1],
        [MAR, 0, 0, 1, 1],
        [APR, 0, 0, 0, 1],
      ]);
    });
  });

  describe('validation', () => {
    test('unknown keys, bad periods and recurring without a start event are refused', () => {
      assert.throws(() => validateCohortSpec({ colour: 'red' }), /Unknown retention setting "colour"/);
      assert.throws(() => validateCohortSpec({ periods: 0 }), /number of periods/);
      assert.throws(() => validateCohortSpec({ period: 'year' }), /period must be one of/);
      assert.throws(() => validateCohortSpec({ recurring: true, start: { by: 'signup' } }), /Recurring cohorts need a start event/);
      assert.throws(() => validateCohortSpec({ returns: { kind: 'event' } }), /needs an event type/);
    });

    test('event conditions must use event columns; values stay bound', () => {
      const spec = validateCohortSpec({ returns: { kind: 'event', eventType: "x'; DROP TABLE events; --" } });
      const q = cohortSql(spec, fields);
      assert.ok(!q.text.includes('DROP TABLE'));
      assert.ok(q.params.includes("x'; DROP TABLE events; --"));
      const bad = validateCohortSpec({ returns: { kind: 'any', filter: { op: 'and', items: [{ field: 'u.country', op: '=', value: 'DE' }] } } });
      assert.throws(() => cohortSql(bad, fields), /event columns/);
    });
  });

  after(async () => db?.close());
}

describe('native DuckDB', () => cohortSuite(() => openNodeDb({ threads: 1 })));
describe('DuckDB-WASM', () => cohortSuite(openWasmDb));
