// Funnels on hand-made fixtures: every expected answer below is worked out by hand from the fixture and the
// "Funnel semantics" section of README.md (the contract), never copied from the SQL's output.
//
// Each test loads its own small events table (load() replaces it; the schema never changes). Times written as
// "HH:MM[:SS]" are on Monday 2025-03-03 (UTC). Event types: view = product_view, cart = add_to_cart,
// purchase = purchase; anything else (search, page, logout) is just some other event.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openNodeDb } from '../src/db/node-db.ts';
import type { Db } from '../src/db/types.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { literal, type SqlValue } from '../src/sql/quote.ts';
import { decodeFields, fieldsSql, type Field } from '../src/analyses/fields.ts';
import {
  DEFAULT_FUNNEL,
  defaultFunnelFor,
  TIME_EDGES_MIN,
  computeFunnel,
  decodeFunnel,
  passSupports,
  funnelSql,
  funnelUsersSql,
  isKeyCollision,
  runFunnel,
  validateFunnelSpec,
  type FunnelGroup,
  type FunnelResult,
} from '../src/analyses/funnel/index.ts';

const VIEW = 'product_view';
const CART = 'add_to_cart';
const BUY = 'purchase';
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const day = (m: number, d: number) => Date.UTC(2025, m - 1, d);

/** [user, session, event type, ts, product_id, category, device] */
type Ev = [string | null, string | null, string, string | null, (string | null)?, (string | null)?, (string | null)?];
/** [user_id, country] */
type UserRow = [string, string | null];

const tsOf = (t: string) => (/^\d\d:\d\d(:\d\d)?$/.test(t) ? `2025-03-03 ${t}` : t);

/** Every DB case on a database from `getDb`: native DuckDB, and DuckDB-WASM (the browser's engine). */
function funnelSuite(getDb: () => Promise<Db>) {
  let db: Db;
  let fields: Field[];

  /**
   * Replace events (rows in this order: equal-instant ties fall back to table order), users and user_metrics.
   * Users default to every user of the events with no country; sessions default to "<user>-s".
   */
  async function load(evs: Ev[], users?: UserRow[], orders?: [string, number][]) {
    const us = users ?? [...new Set(evs.map((e) => e[0]).filter((u): u is string => u !== null))].map((u): UserRow => [u, null]);
    const row = (vals: SqlValue[]) => `(${vals.map(literal).join(', ')})`;
    const evRows = evs.map(([u, s, type, ts, product, category, device], i) =>
      row([i + 1, u, s ?? (u === null ? null : `${u}-s`), type, ts === null ? null : tsOf(ts), product ?? null, category ?? null, device ?? null, null, null, null]),
    );
    await db.exec(`
CREATE OR REPLACE TABLE events(event_id BIGINT, user_id VARCHAR, session_id VARCHAR, event_type VARCHAR, ts TIMESTAMP,
  product_id VARCHAR, category VARCHAR, device VARCHAR, price DOUBLE, revenue DOUBLE, order_id VARCHAR);
${evRows.length ? `INSERT INTO events VALUES ${evRows.join(', ')};` : ''}
CREATE OR REPLACE TABLE users(user_id VARCHAR, country VARCHAR);
${us.length ? `INSERT INTO users VALUES ${us.map((u) => row(u)).join(', ')};` : ''}
CREATE OR REPLACE TABLE user_metrics(user_id VARCHAR, orders BIGINT);
${orders?.length ? `INSERT INTO user_metrics VALUES ${orders.map((o) => row(o)).join(', ')};` : ''}`);
  }

  before(async () => {
    db = await getDb();
    await load([]);
    const q = fieldsSql();
    fields = decodeFields(await db.query(q.text, q.params));
  });

  /** A spec with sequential order and no window unless `extra` says otherwise. */
  function spec(types: (string | { eventType: string; filter?: unknown })[], extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { steps: types.map((t) => (typeof t === 'string' ? { eventType: t } : t)), order: 'sequential', window: null, ...extra };
  }

  async function run(x: unknown): Promise<FunnelResult> {
    const s = validateFunnelSpec(x);
    const q = funnelSql(s, fields);
    const result = decodeFunnel(await db.query(q.text, q.params), s);
    // Where the one pass applies (what the screens run), it gives the very same result as the statement.
    if (passSupports(s)) {
      const byPass = await computeFunnel((p) => db.query(p.text, p.params), s, fields);
      assert.equal(byPass.onePass, true);
      assert.deepEqual(byPass.result, result, 'the one pass equals the statement');
    }
    return result;
  }

  /** Units reaching each step. */
  async function counts(x: unknown): Promise<number[]> {
    return (await run(x)).total.steps.map((s) => s.count);
  }

  const groupCounts = (g: FunnelGroup) => g.steps.map((s) => s.count);
  /** [value, other, counts per step] of every breakdown group, in the decoded order. */
  const groups = (r: FunnelResult) => r.groups.map((g) => [g.value, g.other, groupCounts(g)]);

  async function listUsers(x: unknown, k: number, which: 'converted' | 'dropped', limit?: number): Promise<string[]> {
    const q = funnelUsersSql(validateFunnelSpec(x), fields, k, which, limit);
    return (await db.query(q.text, q.params)).getChild('user_id')!.toArray().map(String);
  }

  const byEvent = (eventType: string, field: string, value: string) => ({ eventType, filter: { op: 'and', items: [{ field, op: '=', value }] } });

  describe('order modes', () => {
    // user  events (all on 03-03)                                          sequential  strict
    // a     view 10:00 · cart 10:01 · purchase 10:02                       3           3   (each next event is the next step)
    // b     view 10:00 · search · cart 10:02 · page · purchase 10:04       3           1   (search right after the view)
    // c     view 10:00 · cart 10:01 · search 10:02 · purchase 10:03        3           2   (search between cart and purchase)
    // d     view 10:00 · view 10:01 · cart 10:02 · purchase 10:03          3           3   (strict: the 10:00 attempt breaks on
    //                                                                                          the second view, the 10:01 one converts)
    // e     cart 10:00 · view 10:01                                        1           1   (the cart came before the view)
    // f     cart 10:00 · purchase 10:01                                    -           -   (never viewed: not in the funnel)
    // g     view 10:00 · purchase 10:01 · cart 10:02                       2           1   (purchase before the cart is no step 3)
    const fixture: Ev[] = [
      ['a', null, VIEW, '10:00'], ['a', null, CART, '10:01'], ['a', null, BUY, '10:02'],
      ['b', null, VIEW, '10:00'], ['b', null, 'search', '10:01'], ['b', null, CART, '10:02'], ['b', null, 'page', '10:03'], ['b', null, BUY, '10:04'],
      ['c', null, VIEW, '10:00'], ['c', null, CART, '10:01'], ['c', null, 'search', '10:02'], ['c', null, BUY, '10:03'],
      ['d', null, VIEW, '10:00'], ['d', null, VIEW, '10:01'], ['d', null, CART, '10:02'], ['d', null, BUY, '10:03'],
      ['e', null, CART, '10:00'], ['e', null, VIEW, '10:01'],
      ['f', null, CART, '10:00'], ['f', null, BUY, '10:01'],
      ['g', null, VIEW, '10:00'], ['g', null, BUY, '10:01'], ['g', null, CART, '10:02'],
    ];

    test('sequential: other events in between are fine, out-of-order steps are not, repeats of step 1 count once', async () => {
      await load(fixture);
      // step 1: a b c d e g (d once although it viewed twice) = 6; step 2: a b c d g = 5; step 3: a b c d = 4
      assert.deepEqual(await counts(spec([VIEW, CART, BUY])), [6, 5, 4]);
      // every step here is within minutes, so a 90-day window (the per-attempt code path) gives the same answer
      assert.deepEqual(await counts(spec([VIEW, CART, BUY], { window: { value: 90, unit: 'day' } })), [6, 5, 4]);
    });

    test('strict: any event in between ends the attempt; the very next event continues it', async () => {
      await load(fixture);
      // step 1: 6; step 2: a c d = 3; step 3: a d = 2 (see the table above)
      assert.deepEqual(await counts(spec([VIEW, CART, BUY], { order: 'strict' })), [6, 3, 2]);
      // with a 1-minute window from the step-1 event: a's purchase is at +120 s (out), d's best attempt (10:01)
      // buys at +120 s too: step 3 nobody; step 2 a (+60 s), c (+60 s), d (10:01 -> 10:02) = 3
      assert.deepEqual(await counts(spec([VIEW, CART, BUY], { order: 'strict', window: { value: 1, unit: 'minute' } })), [6, 3, 0]);
    });

    test('repeats of step 1: the best attempt wins (a timed-out first attempt does not hide a later conversion)', async () => {
      // a: view 03-02 23:30 · view 03-03 00:10 · cart 03-03 00:40. Window 1 h: the 23:30 attempt's cart is at +70 min
      //    (out, depth 1); the 00:10 attempt's cart is at +30 min (in, depth 2). Best: the 00:10 attempt.
      // b: three views on 03-02 (10:00, 10:10, 10:20), never a cart: depth 1, counted once; entry = its earliest
      //    attempt (all are equally deep), 03-02.
      await load([
        ['a', null, VIEW, '2025-03-02 23:30:00'], ['a', null, VIEW, '2025-03-03 00:10:00'], ['a', null, CART, '2025-03-03 00:40:00'],
        ['b', null, VIEW, '2025-03-02 10:00:00'], ['b', null, VIEW, '2025-03-02 10:10:00'], ['b', null, VIEW, '2025-03-02 10:20:00'],
      ]);
      const r = await run(spec([VIEW, CART], { window: { value: 1, unit: 'hour' }, trend: 'day' }));
      assert.deepEqual(r.total.steps.map((s) => s.count), [2, 1]);
      // time to convert from the best attempt only: 30 min (the 70 min of the first attempt never converted)
      assert.deepEqual(r.total.times, [{ from: 1, count: 1, medianMs: 30 * MIN, meanMs: 30 * MIN }]);
      assert.deepEqual(r.histograms[0].buckets, [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]); // 15–60 min
      // entry dates come from the best attempt: b entered on 03-02, a on 03-03 (not on its first view, 03-02)
      assert.deepEqual(r.trend, [
        { period: day(3, 2), entered: 1, converted: 0, rate: 0 },
        { period: day(3, 3), entered: 1, converted: 1, rate: 1 },
      ]);
      // without a window a's first attempt converts (after 70 min) and, as the earliest of equally deep attempts,
      // is the best one: both enter on 03-02 and the time is 70 min (bucket 1–6 h)
      const open = await run(spec([VIEW, CART], { trend: 'day' }));
      assert.deepEqual(open.total.times, [{ from: 1, count: 1, medianMs: 70 * MIN, meanMs: 70 * MIN }]);
      assert.deepEqual(open.histograms[0].buckets, [0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
      assert.deepEqual(open.trend, [{ period: day(3, 2), entered: 2, converted: 1, rate: 0.5 }]);
    });

    test('any order: reverse order counts; step k means "k of the n steps" within one window', async () => {
      // window 1 h, steps view, cart, purchase in any order. A window starts at any step event; a unit's depth is
      // the most different steps done within one such window (at or after its start).
      // a: purchase 10:00 · cart 10:10 · view 10:20                 -> all three within 1 h of 10:00: 3
      // b: purchase 10:00 · view 10:30 · cart 12:00                 -> from 10:00: purchase, view (cart is +2 h): 2
      // c: cart 10:00 · cart 10:05                                   -> one step, twice: 1
      // d: view 10:00 · cart 10:30 · purchase 11:15                 -> from 10:00: view, cart (purchase +75 min): 2;
      //                                                                 from 10:30: cart, purchase (no view after): 2
      // e: view 10:00 · purchase 11:30 · cart 11:40                 -> from 10:00: 1; from 11:30: purchase, cart: 2
      await load([
        ['a', null, BUY, '10:00'], ['a', null, CART, '10:10'], ['a', null, VIEW, '10:20'],
        ['b', null, BUY, '10:00'], ['b', null, VIEW, '10:30'], ['b', null, CART, '12:00'],
        ['c', null, CART, '10:00'], ['c', null, CART, '10:05'],
        ['d', null, VIEW, '10:00'], ['d', null, CART, '10:30'], ['d', null, BUY, '11:15'],
        ['e', null, VIEW, '10:00'], ['e', null, BUY, '11:30'], ['e', null, CART, '11:40'],
      ]);
      const r = await run(spec([VIEW, CART, BUY], { order: 'any', window: { value: 1, unit: 'hour' } }));
      // 1 of 3: a b c d e; 2 of 3: a b d e; 3 of 3: a
      assert.deepEqual(r.total.steps.map((s) => s.count), [5, 4, 1]);
      // times between steps need an ordered funnel: none
      assert.deepEqual(r.total.times, [
        { from: 1, count: 0, medianMs: null, meanMs: null },
        { from: 2, count: 0, medianMs: null, meanMs: null },
      ]);
      // no window: b, d and e each did all three steps at some point after their first step event; c still 1
      assert.deepEqual(await counts(spec([VIEW, CART, BUY], { order: 'any' })), [5, 4, 4]);
    });
  });

  describe('conversion windows', () => {
    // view -> cart (-> purchase):
    // a: view 10:00:00, cart 10:01:00 (+60 s)    b: view 10:00:00, cart 10:01:01 (+61 s)
    // c: view 10:00:00, cart 12:00:00 (+2 h)     d: view 10:00:00, cart 12:00:01 (+2 h 1 s)
    // e: view 01-01 00:00, cart 04-01 00:00 (31 + 28 + 31 = exactly 90 days)    f: the same + 1 s
    // g: view 10:00:00, cart 10:00:40, purchase 10:01:20 (+80 s from the view, +40 s from the cart)
    const fixture: Ev[] = [
      ['a', null, VIEW, '10:00:00'], ['a', null, CART, '10:01:00'],
      ['b', null, VIEW, '10:00:00'], ['b', null, CART, '10:01:01'],
      ['c', null, VIEW, '10:00:00'], ['c', null, CART, '12:00:00'],
      ['d', null, VIEW, '10:00:00'], ['d', null, CART, '12:00:01'],
      ['e', null, VIEW, '2025-01-01 00:00:00'], ['e', null, CART, '2025-04-01 00:00:00'],
      ['f', null, VIEW, '2025-01-01 00:00:00'], ['f', null, CART, '2025-04-01 00:00:01'],
      ['g', null, VIEW, '10:00:00'], ['g', null, CART, '10:00:40'], ['g', null, BUY, '10:01:20'],
    ];

    test('windows are inclusive: +60 s is inside 1 minute, +61 s is not; hours, 90 days, none', async () => {
      await load(fixture);
      const two = (window: unknown) => counts(spec([VIEW, CART], { window }));
      assert.deepEqual(await two({ value: 1, unit: 'minute' }), [7, 2]); // a g
      assert.deepEqual(await two({ value: 2, unit: 'hour' }), [7, 4]); // a b c g
      assert.deepEqual(await two({ value: 120, unit: 'minute' }), [7, 4]); // the same window in minutes
      assert.deepEqual(await two({ value: 90, unit: 'day' }), [7, 6]); // a b c d e g
      assert.deepEqual(await two({ value: 129_600, unit: 'minute' }), [7, 6]); // 90 days in minutes
      assert.deepEqual(await two(null), [7, 7]); // no window: everyone
    });

    test('the window counts from the step-1 event, not from the previous step', async () => {
      await load(fixture);
      // g's purchase is 40 s after its cart but 80 s after its view: outside a 1-minute window
      assert.deepEqual(await counts(spec([VIEW, CART, BUY], { window: { value: 1, unit: 'minute' } })), [7, 2, 0]);
      // 2 minutes: step 2 a b g, step 3 g (+80 s)
      assert.deepEqual(await counts(spec([VIEW, CART, BUY], { window: { value: 2, unit: 'minute' } })), [7, 3, 1]);
    });
  });

  describe('events at the same instant', () => {
    // all at 10:00:00, listed in table order:
    // a: cart, view     b: view, cart     c: view, view
    const fixture: Ev[] = [
      ['a', null, CART, '10:00'], ['a', null, VIEW, '10:00'],
      ['b', null, VIEW, '10:00'], ['b', null, CART, '10:00'],
      ['c', null, VIEW, '10:00'], ['c', null, VIEW, '10:00'],
    ];

    test('count as in order, whichever way round the funnel asks for them', async () => {
      await load(fixture);
      // view -> cart: a and b did both at once (in order, whatever the table order); c never carted
      assert.deepEqual(await counts(spec([VIEW, CART])), [3, 2]);
      assert.deepEqual(await counts(spec([VIEW, CART], { order: 'strict' })), [3, 2]);
      // cart -> view: the same two events, now the cart is the earlier step: a and b convert; c has no cart
      assert.deepEqual(await counts(spec([CART, VIEW])), [2, 2]);
      assert.deepEqual(await counts(spec([CART, VIEW], { order: 'strict', window: { value: 1, unit: 'minute' } })), [2, 2]);
    });

    test('two step-1 events at one instant fill two steps; one event never fills two', async () => {
      await load(fixture);
      // view -> view: only c has two views (at the same instant: two steps); a and b have one view each
      assert.deepEqual(await counts(spec([VIEW, VIEW])), [3, 1]);
      // view -> cart -> view: a and b have one view and one cart; the view cannot also be step 3: they reach 2
      assert.deepEqual(await counts(spec([VIEW, CART, VIEW])), [3, 2, 0]);
    });

    test('two events for the same step at one instant go by table order when they differ (product, device)', async () => {
      // 100 copies of each user (so an arbitrary pick between tied events would show), products and devices in
      // brackets, table order as listed:
      // p: view [A] 10:00 · cart [B] 10:01 · cart [A] 10:01        q: view [A] 10:00 · cart [A] 10:01 · cart [B] 10:01
      // r: view [A mobile] 10:00 · view [A desktop] 10:00 · cart [A] 10:05     s: the same with desktop listed first
      // t: view [A] 10:00 · view [B] 10:00 · cart [A] 10:05 · cart [B] 10:10   u: the same with view [B] listed first
      const evs: Ev[] = [];
      for (let i = 0; i < 100; i++) {
        const [p, q, r, s, t, u] = ['p', 'q', 'r', 's', 't', 'u'].map((x) => `${x}${i}`);
        evs.push([p, null, VIEW, '10:00', 'A'], [p, null, CART, '10:01', 'B'], [p, null, CART, '10:01', 'A']);
        evs.push([q, null, VIEW, '10:00', 'A'], [q, null, CART, '10:01', 'A'], [q, null, CART, '10:01', 'B']);
        evs.push([r, null, VIEW, '10:00', 'A', null, 'mobile'], [r, null, VIEW, '10:00', 'A', null, 'desktop'], [r, null, CART, '10:05', 'A']);
        evs.push([s, null, VIEW, '10:00', 'A', null, 'desktop'], [s, null, VIEW, '10:00', 'A', null, 'mobile'], [s, null, CART, '10:05', 'A']);
        evs.push([t, null, VIEW, '10:00', 'A'], [t, null, VIEW, '10:00', 'B'], [t, null, CART, '10:05', 'A'], [t, null, CART, '10:10', 'B']);
        evs.push([u, null, VIEW, '10:00', 'B'], [u, null, VIEW, '10:00', 'A'], [u, null, CART, '10:05', 'A'], [u, null, CART, '10:10', 'B']);
      }
      await load(evs);
      // strict, product held: p's next event after its view is the cart of B (listed first): it stops at 1; q's is
      // the cart of A: 2. r, s: the second view is no cart, but the attempt from it goes on to cart A: 2.
      // t (view A, view B, cart A, cart B in that order): from view A the next event is view B: 1; from view B it is
      // cart A, the wrong product: 1 -> t 1. u (view B, view A, cart A, ...): from view A the next is cart A: 2.
      // Step 2: q r s u = 400
      assert.deepEqual(await counts(spec([VIEW, CART], { order: 'strict', hold: 'e.product_id' })), [600, 400]);
      // sequential, device breakdown (1-day window: every attempt tried): r's and s's two views tie (same instant,
      // both depth 2); the earlier in table order is the best attempt: r mobile, s desktop; the rest have no device
      const bd = await run(spec([VIEW, CART], { window: { value: 1, unit: 'day' }, breakdown: { kind: 'field', field: 'e.device', top: 5 } }));
      assert.deepEqual(groups(bd), [['desktop', false, [100, 100]], ['mobile', false, [100, 100]], [null, false, [400, 400]]]);
      // sequential, product held, no window: time 1 -> 2 of the best attempt. p, q: view A -> cart A 1 min.
      // r, s: 5 min. t: views A and B tie (both depth 2); A is listed first: cart A at +5 min. u: B is listed
      // first: cart B at +10 min. 600 gaps: 200 x 1, 300 x 5, 100 x 10 min -> median 5 min, mean 2700 / 600 = 4.5 min
      const held = await run(spec([VIEW, CART], { hold: 'e.product_id' }));
      assert.deepEqual(held.total.times, [{ from: 1, count: 600, medianMs: 5 * MIN, meanMs: 4.5 * MIN }]);
    });
  });

  describe('exclusions', () => {
    // view -> cart -> purchase, no window, exclusion event "logout"
    // a: view 10:00 · logout 10:05 · cart 10:10 · purchase 10:20                    (X between steps 1 and 2)
    // b: view 10:00 · cart 10:10 · logout 10:15 · purchase 10:20                    (X between steps 2 and 3)
    // c: logout 09:00 · view 10:00 · cart 10:10 · purchase 10:20 · logout 11:00     (X before step 1 / after step 3)
    // d: view 10:00 · logout 10:00 · cart 10:10 · logout 10:10 · purchase 10:20     (X at the same instant as steps)
    // e: view 10:00 · logout 10:05 · view 10:30 · cart 10:45 · purchase 10:50       (a fresh attempt after X)
    // f: view 10:00 · cart 10:05 · logout 10:06 · cart 10:07 · purchase 10:10       (step 2 is the FIRST cart, 10:05,
    //                                                                                  so X lies between steps 2 and 3)
    const fixture: Ev[] = [
      ['a', null, VIEW, '10:00'], ['a', null, 'logout', '10:05'], ['a', null, CART, '10:10'], ['a', null, BUY, '10:20'],
      ['b', null, VIEW, '10:00'], ['b', null, CART, '10:10'], ['b', null, 'logout', '10:15'], ['b', null, BUY, '10:20'],
      ['c', null, 'logout', '09:00'], ['c', null, VIEW, '10:00'], ['c', null, CART, '10:10'], ['c', null, BUY, '10:20'], ['c', null, 'logout', '11:00'],
      ['d', null, VIEW, '10:00'], ['d', null, 'logout', '10:00'], ['d', null, CART, '10:10'], ['d', null, 'logout', '10:10'], ['d', null, BUY, '10:20'],
      ['e', null, VIEW, '10:00'], ['e', null, 'logout', '10:05'], ['e', null, VIEW, '10:30'], ['e', null, CART, '10:45'], ['e', null, BUY, '10:50'],
      ['f', null, VIEW, '10:00'], ['f', null, CART, '10:05'], ['f', null, 'logout', '10:06'], ['f', null, CART, '10:07'], ['f', null, BUY, '10:10'],
    ];
    const excl = (from: number, to: number) => spec([VIEW, CART, BUY], { exclusions: [{ eventType: 'logout', from, to }] });

    test('X strictly between two steps of the range ends the attempt at the step before it', async () => {
      await load(fixture);
      assert.deepEqual(await counts(spec([VIEW, CART, BUY])), [6, 6, 6]); // without the exclusion all convert
      // between steps 1 and 3: a stops at 1, b and f at 2; c (X outside the steps), d (X at the same instants as
      // steps) and e (its 10:30 attempt has no X after it) convert. Step 2: b c d e f; step 3: c d e
      const r = await run(excl(1, 3));
      assert.deepEqual(r.total.steps.map((s) => s.count), [6, 5, 3]);
      // times 1 -> 2 from the best attempts: b 10, c 10, d 10, e 15 (its 10:30 attempt, not 45 from 10:00), f 5 min
      assert.deepEqual(r.total.times[0], { from: 1, count: 5, medianMs: 10 * MIN, meanMs: 10 * MIN });
      // only between steps 1 and 2: a stops at 1; b and f keep going (their X is after step 2)
      assert.deepEqual(await counts(excl(1, 2)), [6, 5, 5]);
      // only between steps 2 and 3: a's X (before its step 2) no longer matters; b and f stop at 2
      assert.deepEqual(await counts(excl(2, 3)), [6, 6, 4]);
    });

    test('an exclusion works with a window and in strict order too', async () => {
      await load(fixture);
      // 1-hour window: everything above is within 50 minutes of its attempt's view, so the same as without one
      assert.deepEqual(await counts({ ...excl(1, 3), window: { value: 1, unit: 'hour' } }), [6, 5, 3]);
      // strict: c (view, cart, purchase consecutive) converts; e's 10:30 attempt is consecutive: 3; a, b and f
      // break at their logout anyway: 1, 2, 2. d reaches 1 wherever non-step events go among same-instant events
      // (the README only orders step events): after the step or in table order, its 10:00 logout follows the view;
      // before the steps, its 10:10 logout comes before the cart. Either way a logout is the view's next event.
      // Step 2: b c e f; step 3: c e
      assert.deepEqual(await counts({ ...excl(1, 3), order: 'strict' }), [6, 4, 2]);
    });
  });

  describe('users and sessions', () => {
    // a: s1 view 10:00 · s1 cart 10:05 · s2 purchase 11:00       (steps spread over two sessions)
    // b: s3 view 10:00 · s3 cart 10:05 · s3 purchase 10:10 · s4 view 12:00
    // c: s5 view 10:00
    const fixture: Ev[] = [
      ['a', 's1', VIEW, '10:00'], ['a', 's1', CART, '10:05'], ['a', 's2', BUY, '11:00'],
      ['b', 's3', VIEW, '10:00'], ['b', 's3', CART, '10:05'], ['b', 's3', BUY, '10:10'], ['b', 's4', VIEW, '12:00'],
      ['c', 's5', VIEW, '10:00'],
    ];
    const users = spec([VIEW, CART, BUY], { window: { value: 1, unit: 'day' } });
    const sessions = { ...users, countBy: 'sessions' };

    test('by users a unit may cross sessions; by sessions every step is in one session', async () => {
      await load(fixture);
      // users: a 3, b 3, c 1
      assert.deepEqual(await counts(users), [3, 2, 2]);
      // sessions: s1 2 (its purchase is in s2), s2 has no view (not counted), s3 3, s4 1, s5 1
      assert.deepEqual(await counts(sessions), [4, 2, 1]);
    });

    test('the users behind a step; counting sessions lists the sessions\' users', async () => {
      await load(fixture);
      assert.deepEqual(await listUsers(users, 3, 'converted'), ['a', 'b']);
      assert.deepEqual(await listUsers(users, 2, 'dropped'), ['c']);
      assert.deepEqual(await listUsers(users, 3, 'dropped'), []);
      assert.deepEqual(await listUsers(sessions, 3, 'converted'), ['b']); // s3
      assert.deepEqual(await listUsers(sessions, 3, 'dropped'), ['a']); // s1
      assert.deepEqual(await listUsers(sessions, 2, 'dropped'), ['b', 'c']); // s4, s5
      assert.deepEqual(await listUsers(sessions, 2, 'converted'), ['a', 'b']); // s1, s3
      assert.deepEqual(await listUsers(sessions, 1, 'converted'), ['a', 'b', 'c']); // each user once
    });
  });

  describe('holding a property constant', () => {
    // steps view -> cart -> purchase, product written after the event
    // a: view A 10:00 · cart B 10:05 · purchase B 10:10
    // b: view A 10:00 · cart B 10:05 · purchase B 10:10 · view B 10:20 · cart B 10:25 · purchase B 10:30
    // c: view - 10:00 · cart - 10:05 · purchase - 10:10          (no product at all)
    // d: view A 10:00 · cart - 10:05 · cart A 10:10 · purchase A 10:20
    const fixture: Ev[] = [
      ['a', null, VIEW, '10:00', 'A'], ['a', null, CART, '10:05', 'B'], ['a', null, BUY, '10:10', 'B'],
      ['b', null, VIEW, '10:00', 'A'], ['b', null, CART, '10:05', 'B'], ['b', null, BUY, '10:10', 'B'],
      ['b', null, VIEW, '10:20', 'B'], ['b', null, CART, '10:25', 'B'], ['b', null, BUY, '10:30', 'B'],
      ['c', null, VIEW, '10:00'], ['c', null, CART, '10:05'], ['c', null, BUY, '10:10'],
      ['d', null, VIEW, '10:00', 'A'], ['d', null, CART, '10:05'], ['d', null, CART, '10:10', 'A'], ['d', null, BUY, '10:20', 'A'],
    ];
    const held = (extra: Record<string, unknown> = {}) => spec([VIEW, CART, BUY], { hold: 'e.product_id', ...extra });

    test('sequential: every step of an attempt has the same non-empty product', async () => {
      await load(fixture);
      assert.deepEqual(await counts(spec([VIEW, CART, BUY])), [4, 4, 4]); // not held: everyone converts
      // held: a viewed A but carted B: 1. b: view A -> no cart A (1); view B 10:20 -> cart B 10:25 -> purchase B: 3.
      // c: no product, so no step at all (not even step 1). d: view A -> cart A 10:10 (the product-less cart does
      // not count) -> purchase A: 3
      const r = await run(held());
      assert.deepEqual(r.total.steps.map((s) => s.count), [3, 2, 2]);
      // times 1 -> 2: b 5 min (10:20 -> 10:25), d 10 min (10:00 -> 10:10, not the 10:05 cart)
      assert.deepEqual(r.total.times[0], { from: 1, count: 2, medianMs: 7.5 * MIN, meanMs: 7.5 * MIN });
      // with a window (every attempt tried on its own) the same
      assert.deepEqual(await counts(held({ window: { value: 1, unit: 'day' } })), [3, 2, 2]);
    });

    test('strict and any order', async () => {
      await load(fixture);
      // strict: a's next event is a cart of B: 1. b's 10:20 attempt: view B, cart B, purchase B consecutive: 3.
      // d: the view's next event is the product-less cart: 1
      assert.deepEqual(await counts(held({ order: 'strict' })), [3, 1, 1]);
      // any order, per product: a did cart B + purchase B = 2 of 3 (A only viewed); b did all three for B;
      // d all three for A; c nothing
      assert.deepEqual(await counts(held({ order: 'any' })), [3, 3, 2]);
    });
  });

  describe('step conditions', () => {
    // a: view Books 10:00 · cart 10:05
    // b: view Electronics 10:00 · cart 10:05
    // c: view Books 10:00 · cart 10:05 · view Electronics 10:10
    // e: view (no category) 10:00 · cart 10:05
    test('a step with a property filter only matches those events', async () => {
      await load([
        ['a', null, VIEW, '10:00', null, 'Books'], ['a', null, CART, '10:05'],
        ['b', null, VIEW, '10:00', null, 'Electronics'], ['b', null, CART, '10:05'],
        ['c', null, VIEW, '10:00', null, 'Books'], ['c', null, CART, '10:05'], ['c', null, VIEW, '10:10', null, 'Electronics'],
        ['e', null, VIEW, '10:00'], ['e', null, CART, '10:05'],
      ]);
      const elec = byEvent(VIEW, 'e.category', 'Electronics');
      // Electronics view -> cart: b (2), c (its Electronics view is after its cart: 1)
      assert.deepEqual(await counts(spec([elec, CART])), [2, 1]);
      // any view -> Electronics view: c (Books then Electronics) only; b's one Electronics view cannot be both steps
      assert.deepEqual(await counts(spec([VIEW, elec])), [4, 1]);
      // a condition on step 2: cart of a Books product — carts here have no category: nobody
      assert.deepEqual(await counts(spec([VIEW, byEvent(CART, 'e.category', 'Books')])), [4, 0]);
      // conditions must be on event columns
      assert.throws(() => funnelSql(validateFunnelSpec(spec([byEvent(VIEW, 'u.country', 'DE'), CART])), fields), /event columns/);
    });
  });

  describe('a small shop: counts, times, trend, breakdowns, user lists', () => {
    // user country orders events (device in brackets)                                            depth (7-day window)
    // u1   DE      1      view 03-03 10:00 [mobile] · cart 10:00:30 [desktop] · purchase 10:03:30     3
    // u2   DE      1      view 02-20 09:00 [tablet] · view 03-04 09:00 [desktop] · cart 09:10 ·
    //                     purchase 11:10                                                            3 (02-20 attempt: the cart is
    //                                                                                                  12 days later, depth 1)
    // u3   FR      0      view 03-05 12:00 [mobile] · cart 03-06 00:00                                2
    // u4   FR      2      view 03-10 08:00 [desktop] · cart 03-12 08:00 · purchase 03-16 08:00        3 (purchase at +6 days)
    // u5   -       0      view 03-31 23:00 [-] · view 04-02 10:00 [tablet]                            1 (entry: the earlier view)
    // u6   US      0      view 04-01 10:00 [mobile] · cart 10:01 · purchase 04-09 10:00                2 (purchase at +8 days)
    // u8   ES      1      cart 03-03 12:00 [desktop] · purchase 12:05 [desktop]                        - (never viewed)
    const shop: Ev[] = [
      ['u1', null, VIEW, '2025-03-03 10:00:00', 'p1', 'Books', 'mobile'], ['u1', null, CART, '2025-03-03 10:00:30', 'p1', 'Books', 'desktop'],
      ['u1', null, BUY, '2025-03-03 10:03:30', 'p1', 'Books', 'desktop'],
      ['u2', null, VIEW, '2025-02-20 09:00:00', 'p2', 'Toys', 'tablet'], ['u2', null, VIEW, '2025-03-04 09:00:00', 'p2', 'Toys', 'desktop'],
      ['u2', null, CART, '2025-03-04 09:10:00', 'p2', 'Toys', 'desktop'], ['u2', null, BUY, '2025-03-04 11:10:00', 'p2', 'Toys', 'desktop'],
      ['u3', null, VIEW, '2025-03-05 12:00:00', 'p3', 'Books', 'mobile'], ['u3', null, CART, '2025-03-06 00:00:00', 'p3', 'Books', 'mobile'],
      ['u4', null, VIEW, '2025-03-10 08:00:00', 'p4', 'Toys', 'desktop'], ['u4', null, CART, '2025-03-12 08:00:00', 'p4', 'Toys', 'desktop'],
      ['u4', null, BUY, '2025-03-16 08:00:00', 'p4', 'Toys', 'desktop'],
      ['u5', null, VIEW, '2025-03-31 23:00:00', 'p5', 'Books', null], ['u5', null, VIEW, '2025-04-02 10:00:00', 'p5', 'Books', 'tablet'],
      ['u6', null, VIEW, '2025-04-01 10:00:00', 'p6', 'Toys', 'mobile'], ['u6', null, CART, '2025-04-01 10:01:00', 'p6', 'Toys', 'mobile'],
      ['u6', null, BUY, '2025-04-09 10:00:00', 'p6', 'Toys', 'mobile'],
      ['u8', null, CART, '2025-03-03 12:00:00', 'p1', 'Books', 'desktop'], ['u8', null, BUY, '2025-03-03 12:05:00', 'p1', 'Books', 'desktop'],
    ];
    const shopUsers: UserRow[] = [['u1', 'DE'], ['u2', 'DE'], ['u3', 'FR'], ['u4', 'FR'], ['u5', null], ['u6', 'US'], ['u8', 'ES']];
    const shopOrders: [string, number][] = [['u1', 1], ['u2', 1], ['u3', 0], ['u4', 2], ['u5', 0], ['u6', 0], ['u8', 1]];
    const loadShop = () => load(shop, shopUsers, shopOrders);
    const week = (extra: Record<string, unknown> = {}) => spec([VIEW, CART, BUY], { window: { value: 7, unit: 'day' }, trend: 'week', ...extra });

    test('counts, overall, from previous and dropped', async () => {
      await loadShop();
      const r = await run(week());
      // depths 3 3 2 3 1 2: step 1 = 6, step 2 = 5 (not u5), step 3 = 3 (u1 u2 u4)
      assert.deepEqual(
        r.total.steps.map((s) => [s.step, s.count, s.overall, s.fromPrevious, s.dropped]),
        [
          [1, 6, 1, 1, 0],
          [2, 5, 5 / 6, 5 / 6, 1],
          [3, 3, 3 / 6, 3 / 5, 2],
        ],
      );
    });

    test('time to convert: median and mean per transition, and the histogram buckets', async () => {
      await loadShop();
      const r = await run(week());
      // 1 -> 2 (u1 u2 u3 u4 u6): 30 s, 10 min, 12 h, 2 days, 1 min
      //   sorted 30 s, 1 min, 10 min, 12 h, 2 d -> median 10 min;
      //   mean (30 000 + 60 000 + 600 000 + 43 200 000 + 172 800 000) ms / 5 = 216 690 000 / 5 = 43 338 000 ms
      // 2 -> 3 (u1 u2 u4): 3 min, 2 h, 4 days -> median 2 h; mean (3 + 120 + 5760) min / 3 = 1961 min
      assert.deepEqual(r.total.times, [
        { from: 1, count: 5, medianMs: 10 * MIN, meanMs: 43_338_000 },
        { from: 2, count: 3, medianMs: 2 * HOUR, meanMs: 1961 * MIN },
      ]);
      assert.deepEqual([...TIME_EDGES_MIN], [1, 5, 15, 60, 360, 1440, 4320, 10080, 43200]);
      // buckets <1m, 1–5m, 5–15m, 15–60m, 1–6h, 6–24h, 1–3d, 3–7d, 7–30d, 30d+ (a gap of exactly 1 min is "1–5 min")
      // 1 -> 2: 30 s -> <1m; 1 min -> 1–5m; 10 min -> 5–15m; 12 h -> 6–24h; 2 d -> 1–3d
      // 2 -> 3: 3 min -> 1–5m; 2 h -> 1–6h; 4 d -> 3–7d
      assert.deepEqual(r.histograms, [
        { from: 1, buckets: [1, 1, 1, 0, 0, 1, 1, 0, 0, 0] },
        { from: 2, buckets: [0, 1, 0, 0, 1, 0, 0, 1, 0, 0] },
      ]);
    });

    test('conversion over time by the (UTC) day, Monday week and month of entry', async () => {
      await loadShop();
      // entries (best attempts): u1 Mon 03-03, u2 Tue 03-04 (not its 02-20 view), u3 Wed 03-05, u4 Mon 03-10,
      // u5 Mon 03-31 23:00 (its earliest view; both attempts are depth 1), u6 Tue 04-01. Converted: u1 u2 u4.
      assert.deepEqual((await run(week())).trend, [
        { period: day(3, 3), entered: 3, converted: 2, rate: 2 / 3 },
        { period: day(3, 10), entered: 1, converted: 1, rate: 1 },
        { period: day(3, 31), entered: 2, converted: 0, rate: 0 },
      ]);
      assert.deepEqual((await run(week({ trend: 'month' }))).trend, [
        { period: day(3, 1), entered: 5, converted: 3, rate: 0.6 },
        { period: day(4, 1), entered: 1, converted: 0, rate: 0 },
      ]);
      assert.deepEqual(
        (await run(week({ trend: 'day' }))).trend.map((p) => [p.period, p.entered, p.converted]),
        [[day(3, 3), 1, 1], [day(3, 4), 1, 1], [day(3, 5), 1, 0], [day(3, 10), 1, 1], [day(3, 31), 1, 0], [day(4, 1), 1, 0]],
      );
    });

    test('breakdown by a user column: top N, Other, (missing); groups add up to the total', async () => {
      await loadShop();
      const r = await run(week({ breakdown: { kind: 'field', field: 'u.country', top: 2 } }));
      // units entering: DE 2 (u1 u2), FR 2 (u3 u4), US 1 (u6), missing 1 (u5). Top 2: DE, FR; US goes to Other.
      // DE: u1 3, u2 3. FR: u3 2, u4 3. Other: u6 2. (missing): u5 1.
      assert.deepEqual(groups(r), [
        ['DE', false, [2, 2, 2]],
        ['FR', false, [2, 2, 1]],
        [null, true, [1, 1, 0]],
        [null, false, [1, 0, 0]],
      ]);
      assertAddsUp(r);
      // per-group times: DE 1 -> 2: 30 s and 10 min -> median = mean = 5 min 15 s
      assert.deepEqual(r.groups[0].times[0], { from: 1, count: 2, medianMs: 315_000, meanMs: 315_000 });
      // FR 2 -> 3: u4 only, 4 days
      assert.deepEqual(r.groups[1].times[1], { from: 2, count: 1, medianMs: 4 * DAY, meanMs: 4 * DAY });
      // per-group trend: FR entered in the weeks of 03-03 (u3, not converted) and 03-10 (u4, converted)
      assert.deepEqual(r.groupTrends[1], [
        { period: day(3, 3), entered: 1, converted: 0, rate: 0 },
        { period: day(3, 10), entered: 1, converted: 1, rate: 1 },
      ]);
      // a user-metrics column, top 1: orders 0 = u3 u5 u6 (3 units) beats 1 (u1 u2) and 2 (u4) -> Other
      const m = await run(week({ breakdown: { kind: 'field', field: 'm.orders', top: 1 } }));
      assert.deepEqual(groups(m), [['0', false, [3, 2, 0]], [null, true, [3, 3, 3]]]);
      assertAddsUp(m);
    });

    test('breakdown by an event column: its value on the best attempt\'s step-1 event', async () => {
      await loadShop();
      // best attempts' step-1 views: u1 mobile (its cart was on desktop), u2 desktop (its best attempt is the 03-04
      // view, not the 02-20 tablet one), u3 mobile, u4 desktop, u5 missing (its earliest view), u6 mobile.
      // mobile: u1 3, u3 2, u6 2. desktop: u2 3, u4 3. (missing): u5 1.
      const r = await run(week({ breakdown: { kind: 'field', field: 'e.device', top: 2 } }));
      assert.deepEqual(groups(r), [
        ['mobile', false, [3, 3, 1]],
        ['desktop', false, [2, 2, 2]],
        [null, false, [1, 0, 0]],
      ]);
      assertAddsUp(r);
    });

    test('breakdown by an event column without a window (only the earliest attempt is tried)', async () => {
      await loadShop();
      // no window: u2's 02-20 view converts (cart 03-04, purchase) and is the earliest attempt: tablet; u6's purchase
      // now counts. u5's earliest view has no device: (missing), whatever its later view says.
      // mobile: u1 3, u3 2, u6 3. desktop: u4 3. tablet: u2 3. (missing): u5 1. desktop and tablet tie: by name.
      const r = await run(week({ window: null, breakdown: { kind: 'field', field: 'e.device', top: 5 } }));
      assert.deepEqual(groups(r), [
        ['mobile', false, [3, 3, 2]],
        ['desktop', false, [1, 1, 1]],
        ['tablet', false, [1, 1, 1]],
        [null, false, [1, 0, 0]],
      ]);
      assertAddsUp(r);
      // any order, no window: a unit's first step event starts its one attempt; u8 enters with its cart (desktop)
      // and did cart + purchase (2 of 3). mobile: u1 3, u3 2, u6 3. desktop: u4 3, u8 2. tablet: u2 3. missing: u5 1.
      const any = await run(week({ window: null, order: 'any', breakdown: { kind: 'field', field: 'e.device', top: 5 } }));
      assert.deepEqual(groups(any), [
        ['mobile', false, [3, 3, 2]],
        ['desktop', false, [2, 2, 1]],
        ['tablet', false, [1, 1, 1]],
        [null, false, [1, 0, 0]],
      ]);
      assertAddsUp(any);
    });

    test('breakdown by a saved filter: its users ("match") against everyone else ("rest")', async () => {
      await loadShop();
      const r = await run(week({ breakdown: { kind: 'filter', name: 'Germans', filter: { op: 'and', items: [{ field: 'u.country', op: '=', value: 'DE' }] } } }));
      // match: u1 3, u2 3. rest: u3 2, u4 3, u5 1, u6 2 (larger group first)
      assert.deepEqual(groups(r), [['rest', false, [4, 3, 1]], ['match', false, [2, 2, 2]]]);
      assertAddsUp(r);
    });

    test('a users filter decides whose events count', async () => {
      await loadShop();
      // FR: u3 2, u4 3
      assert.deepEqual(await counts(week({ users: { op: 'and', items: [{ field: 'u.country', op: '=', value: 'FR' }] } })), [2, 2, 1]);
      // at least one order: u1 3, u2 3, u4 3 (u8 never viewed)
      assert.deepEqual(await counts(week({ users: { op: 'and', items: [{ field: 'm.orders', op: '>=', value: 1 }] } })), [3, 3, 3]);
    });

    test('the users converted at or dropped before a step', async () => {
      await loadShop();
      assert.deepEqual(await listUsers(week(), 1, 'converted'), ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
      assert.deepEqual(await listUsers(week(), 2, 'converted'), ['u1', 'u2', 'u3', 'u4', 'u6']);
      assert.deepEqual(await listUsers(week(), 3, 'converted'), ['u1', 'u2', 'u4']);
      assert.deepEqual(await listUsers(week(), 2, 'dropped'), ['u5']);
      assert.deepEqual(await listUsers(week(), 3, 'dropped'), ['u3', 'u6']);
      assert.deepEqual(await listUsers(week(), 1, 'converted', 2), ['u1', 'u2']); // the limit
      const fr = week({ users: { op: 'and', items: [{ field: 'u.country', op: '=', value: 'FR' }] } });
      assert.deepEqual(await listUsers(fr, 3, 'converted'), ['u4']);
      assert.deepEqual(await listUsers(fr, 3, 'dropped'), ['u3']);
      // whole user rows come back
      const q = funnelUsersSql(validateFunnelSpec(week()), fields, 3, 'dropped');
      const rows = await db.query(q.text, q.params);
      assert.deepEqual(rows.getChild('country')!.toArray(), ['FR', 'US']);
      // steps that do not exist
      const s = validateFunnelSpec(week());
      assert.throws(() => funnelUsersSql(s, fields, 0, 'converted'), /no step 0/);
      assert.throws(() => funnelUsersSql(s, fields, 4, 'converted'), /no step 4/);
      assert.throws(() => funnelUsersSql(s, fields, 1, 'dropped'), /no step 1/);
    });
  });

  /** Every unit is in exactly one breakdown group: per step, the groups' counts add up to the total. */
  function assertAddsUp(r: FunnelResult) {
    const sums = r.total.steps.map((_, i) => r.groups.reduce((a, g) => a + g.steps[i].count, 0));
    assert.deepEqual(sums, r.total.steps.map((s) => s.count));
  }

  describe('validation', () => {
    const steps = (n: number) => Array.from({ length: n }, (_, i) => ({ eventType: `e${i}` }));

    test('the default funnel fits the dataset: its default steps that exist, else the first three event types', () => {
      // The demo shop has every default step; REES46 has view / cart / purchase but no session_start.
      assert.deepEqual(defaultFunnelFor(['add_to_cart', 'product_view', 'purchase', 'session_start']).steps, DEFAULT_FUNNEL.steps);
      assert.deepEqual(defaultFunnelFor(['add_to_cart', 'product_view', 'purchase']).steps.map((s) => s.eventType), ['product_view', 'add_to_cart', 'purchase']);
      // A dataset with its own vocabulary (one default step only): its first three types, in the order given.
      assert.deepEqual(defaultFunnelFor(['login', 'purchase', 'search', 'signup']).steps.map((s) => s.eventType), ['login', 'purchase', 'search']);
      // Fewer than two types: nothing to fit, the plain default (the screen then says nobody did step 1).
      assert.deepEqual(defaultFunnelFor(['purchase']), DEFAULT_FUNNEL);
      assert.deepEqual(defaultFunnelFor([]), DEFAULT_FUNNEL);
    });

    test('defaults and accepted limits', () => {
      const d = validateFunnelSpec({});
      assert.deepEqual(d, DEFAULT_FUNNEL);
      assert.notEqual(d.steps, DEFAULT_FUNNEL.steps); // a fresh copy
      assert.equal(validateFunnelSpec({ steps: steps(15) }).steps.length, 15);
      assert.deepEqual(validateFunnelSpec({ window: { value: 90, unit: 'day' } }).window, { value: 90, unit: 'day' });
      assert.deepEqual(validateFunnelSpec({ window: { value: 2160, unit: 'hour' } }).window, { value: 2160, unit: 'hour' });
      assert.deepEqual(validateFunnelSpec({ window: { value: 1, unit: 'minute' } }).window, { value: 1, unit: 'minute' });
      assert.equal(validateFunnelSpec({ window: null }).window, null);
      assert.equal(validateFunnelSpec({ hold: 'e.product_id' }).hold, 'e.product_id');
      const x = validateFunnelSpec({ exclusions: [{ eventType: 'logout', from: 1, to: 4 }] });
      assert.deepEqual(x.exclusions, [{ eventType: 'logout', from: 1, to: 4 }]);
    });

    test('refuses unknown keys, step counts, windows, exclusions and holds out of range', () => {
      assert.throws(() => validateFunnelSpec({ colour: 'red' }), /Unknown funnel setting "colour"/);
      assert.throws(() => validateFunnelSpec({ steps: [{ eventType: 'a', colour: 1 }, { eventType: 'b' }] }), /Unknown step 1 setting "colour"/);
      assert.throws(() => validateFunnelSpec({ steps: steps(1) }), /2 to 15 steps; got 1/);
      assert.throws(() => validateFunnelSpec({ steps: steps(16) }), /2 to 15 steps; got 16/);
      assert.throws(() => validateFunnelSpec({ steps: [{ eventType: '' }, { eventType: 'b' }] }), /Step 1 needs an event type/);
      assert.throws(() => validateFunnelSpec({ window: { value: 0, unit: 'minute' } }), /window in minutes/);
      assert.throws(() => validateFunnelSpec({ window: { value: 91, unit: 'day' } }), /window in days must be a whole number from 1 to 90/);
      assert.throws(() => validateFunnelSpec({ window: { value: 2161, unit: 'hour' } }), /window in hours/);
      assert.throws(() => validateFunnelSpec({ window: { value: 129_601, unit: 'minute' } }), /window in minutes/);
      assert.throws(() => validateFunnelSpec({ window: { value: 1.5, unit: 'hour' } }), /window in hours/);
      assert.throws(() => validateFunnelSpec({ window: { value: 1, unit: 'week' } }), /window unit/);
      assert.throws(() => validateFunnelSpec({ order: 'any', exclusions: [{ eventType: 'x', from: 1, to: 2 }] }), /ordered funnel/);
      // any order takes each step's first matching event on its own, so two steps of one type could share an event
      // (one Electronics view would be both "view" and "view of Electronics"): refused
      assert.throws(
        () => validateFunnelSpec({ order: 'any', steps: [{ eventType: 'view' }, { eventType: 'view', filter: { op: 'and', items: [{ field: 'e.category', op: '=', value: 'E' }] } }] }),
        /different event type for every step/,
      );
      assert.equal(validateFunnelSpec({ order: 'sequential', steps: [{ eventType: 'view' }, { eventType: 'view' }] }).steps.length, 2);
      assert.throws(() => validateFunnelSpec({ exclusions: [{ eventType: 'x', from: 2, to: 2 }] }), /exclusion 1 "to" step/);
      assert.throws(() => validateFunnelSpec({ exclusions: [{ eventType: 'x', from: 3, to: 2 }] }), /exclusion 1 "to" step/);
      assert.throws(() => validateFunnelSpec({ exclusions: [{ eventType: 'x', from: 0, to: 2 }] }), /exclusion 1 "from" step/);
      assert.throws(() => validateFunnelSpec({ exclusions: [{ eventType: 'x', from: 1, to: 5 }] }), /exclusion 1 "to" step/); // 4 default steps
      assert.throws(() => validateFunnelSpec({ hold: 'u.country' }), /event column/);
      assert.throws(() => validateFunnelSpec({ hold: 'product_id' }), /event column/);
      assert.throws(() => validateFunnelSpec({ countBy: 'orders' }), /countBy/);
      assert.throws(() => validateFunnelSpec({ breakdown: { kind: 'field', field: 'u.country', top: 0 } }), /breakdown values/);
      // a hold on a column the dataset lacks passes the shape check but not the SQL builder
      assert.throws(() => funnelSql(validateFunnelSpec({ hold: 'e.colour' }), fields), /no column/);
    });
  });

  describe('security', () => {
    test('hostile event types and filter values stay bound parameters, and the query still runs', async () => {
      const EVIL = "x'; DROP TABLE events; --";
      const EVIL_CAT = "O'Reilly'); DROP TABLE users; --";
      const EVIL_COUNTRY = "DE' OR '1'='1";
      // h: an event of the hostile type at 10:00, then a view of the hostile category at 10:01 -> both steps.
      // i: the same events but its country is not the hostile one -> not a member.
      await load(
        [['h', null, EVIL, '10:00'], ['h', null, VIEW, '10:01', null, EVIL_CAT], ['i', null, EVIL, '10:00'], ['i', null, VIEW, '10:01', null, EVIL_CAT]],
        [['h', EVIL_COUNTRY], ['i', 'FR']],
      );
      const evilFilter = { op: 'and', items: [{ field: 'u.country', op: '=', value: EVIL_COUNTRY }] };
      const x = spec([EVIL, byEvent(VIEW, 'e.category', EVIL_CAT)], {
        exclusions: [{ eventType: EVIL, filter: { op: 'and', items: [{ field: 'e.category', op: 'in', value: [EVIL_CAT, "a'b"] }] }, from: 1, to: 2 }],
        users: evilFilter,
        breakdown: { kind: 'filter', name: "n'; DROP", filter: evilFilter },
      });
      const s = validateFunnelSpec(x);
      for (const q of [funnelSql(s, fields), funnelUsersSql(s, fields, 2, 'converted')]) {
        assert.ok(!q.text.includes('DROP'), 'no hostile text in the SQL');
        assert.ok(!q.text.includes("'1'='1"), 'no hostile text in the SQL');
        // (assert.ok always gets a message here: without one, a failure makes Node parse the transpiled source for
        // the message, which hangs under tsx)
        for (const v of [EVIL, EVIL_CAT, EVIL_COUNTRY]) assert.ok(q.params.includes(v), `${v} is a bound parameter`);
      }
      // only h counts (the users filter); its hostile-type event is step 1, its view step 2; the exclusion (the
      // hostile type with the hostile category) never happens strictly between them
      const r = await run(x);
      assert.deepEqual(r.total.steps.map((st) => st.count), [1, 1]);
      assert.deepEqual(groups(r), [['match', false, [1, 1]]]);
      assert.deepEqual(await listUsers(x, 2, 'converted'), ['h']);
      // the tables are still there
      const left = await db.query('SELECT (SELECT count(*) FROM events) AS e, (SELECT count(*) FROM users) AS u');
      assert.deepEqual([Number(left.getChild('e')!.get(0)), Number(left.getChild('u')!.get(0))], [4, 2]);
    });
  });

  describe('unit keys: units are matched by a hash of their id, and a shared hash never changes an answer', () => {
    // Six users; user i views at 10:0i and carts at 10:(20 - i): a later user's cart comes before an earlier user's,
    // so with units in two hash buckets (1 bit, three or more users share one) some view meets another user's cart
    // first. By hand, every user views and carts: [6, 6] in every mode below (strict too: each user's very next
    // event is its own cart; no purchase to exclude). A hashed statement that met another user's event must refuse.
    const users = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
    const evs: Ev[] = users.flatMap((u, i): Ev[] => [[u, null, VIEW, `10:0${i}`], [u, null, CART, `10:${20 - i}`]]);
    const modes: Record<string, unknown>[] = [
      spec([VIEW, CART]),
      spec([VIEW, CART], { window: { value: 1, unit: 'hour' } }),
      spec([VIEW, CART], { order: 'strict' }),
      spec([VIEW, CART], { order: 'any', window: { value: 1, unit: 'hour' } }),
      spec([VIEW, CART], { window: { value: 1, unit: 'hour' }, exclusions: [{ eventType: BUY, from: 1, to: 2 }] }),
    ];

    test('forced collisions (a 1-bit hash): the statement fails with KEY_COLLISION, runFunnel answers on the ids', async () => {
      await load(evs);
      for (const m of modes) {
        const s = validateFunnelSpec(m);
        const q = funnelSql(s, fields, { kind: 'hash', bits: 1 });
        await assert.rejects(db.query(q.text, q.params), (err: unknown) => isKeyCollision(err), JSON.stringify(m));
        let runs = 0;
        const { value, sql } = await runFunnel((x) => (runs++, db.query(x.text, x.params)), (keys) => funnelSql(s, fields, keys), { kind: 'hash', bits: 1 });
        assert.equal(runs, 2, 'ran again on the unit ids');
        assert.ok(!sql.text.includes('hash('), 'Show SQL shows the statement that answered');
        assert.deepEqual(decodeFunnel(value, s).total.steps.map((x) => x.count), [6, 6], JSON.stringify(m));
      }
    });

    // Held product: user a views P1 then carts P2, P3 and only then P1 (b and c likewise with P2 and P3). By hand:
    // [3, 3] holding product_id constant. With a 1-bit hash two of the three products share a bucket, so some
    // user's view meets a cart of the other product first: the hashed statement must refuse.
    const held: Ev[] = [['P1', 'P2', 'P3'], ['P2', 'P1', 'P3'], ['P3', 'P1', 'P2']].flatMap(([own, x, y], i): Ev[] => {
      const u = ['a', 'b', 'c'][i];
      return [[u, null, VIEW, '10:00', own], [u, null, CART, '10:01', x], [u, null, CART, '10:02', y], [u, null, CART, '10:03', own]];
    });
    const heldModes: Record<string, unknown>[] = [
      spec([VIEW, CART], { hold: 'e.product_id' }),
      spec([VIEW, CART], { hold: 'e.product_id', window: { value: 1, unit: 'hour' } }),
      spec([VIEW, CART], { hold: 'e.product_id', order: 'any', window: { value: 1, unit: 'hour' } }),
    ];

    test('a held property matched by its hash: a shared bucket is caught the same way', async () => {
      await load(held);
      for (const m of heldModes) {
        const s = validateFunnelSpec(m);
        const q = funnelSql(s, fields, { kind: 'hash', bits: 1 });
        await assert.rejects(db.query(q.text, q.params), (err: unknown) => isKeyCollision(err), JSON.stringify(m));
        const forced = await runFunnel((x) => db.query(x.text, x.params), (keys) => funnelSql(s, fields, keys), { kind: 'hash', bits: 1 });
        const full = await runFunnel((x) => db.query(x.text, x.params), (keys) => funnelSql(s, fields, keys));
        assert.ok(full.sql.text.includes('hash('), 'the 64-bit hash answered');
        for (const r of [forced, full]) assert.deepEqual(decodeFunnel(r.value, s).total.steps.map((x) => x.count), [3, 3], JSON.stringify(m));
      }
    });

    test('the full 64-bit hash, the ids and the hand-worked answer agree; runFunnel runs once', async () => {
      await load(evs);
      for (const m of modes) {
        const s = validateFunnelSpec(m);
        let runs = 0;
        const hashed = await runFunnel((x) => (runs++, db.query(x.text, x.params)), (keys) => funnelSql(s, fields, keys));
        assert.equal(runs, 1);
        const t = funnelSql(s, fields, { kind: 'text' });
        const text = decodeFunnel(await db.query(t.text, t.params), s);
        assert.deepEqual(decodeFunnel(hashed.value, s), text);
        assert.deepEqual(text.total.steps.map((x) => x.count), [6, 6]);
      }
      assert.throws(() => funnelSql(validateFunnelSpec(modes[0]), fields, { kind: 'hash', bits: 60 }), /64 bits, or 1 to 52/);
    });
  });

  after(async () => db?.close());
}

describe('native DuckDB', () => funnelSuite(() => openNodeDb({ threads: 1 })));
describe('DuckDB-WASM', () => funnelSuite(openWasmDb));
