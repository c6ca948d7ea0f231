// Funnels on real data: rees46_2019_oct_head.csv.gz imported as a user would (probe -> detect -> runImport, no
// manual mapping), then view -> cart -> purchase, sequential, by users and by sessions, with no window and with a
// 10-minute window, checked against an independent TypeScript pass over the CSV rows (README "Funnel semantics"):
// step counts, the users who converted / dropped, and the times between steps of each unit's best attempt.
// Run: TZ=UTC node --import tsx --test tests/funnel-real.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { toRows } from '../src/lib/rows.ts';
import { decodeFields, fieldsSql, type Field } from '../src/analyses/fields.ts';
import {
  columnsSupport, computeFunnel, decodeFunnel, decodeFunnelRows, funnelEventsSql, funnelRowsByPass, funnelSql, funnelUsersSql, passSupports, validateFunnelSpec, type FunnelResult, type FunnelSpec,
} from '../src/analyses/funnel/index.ts';
import { importFiles, rows } from './fixtures/import/support.ts';
import { DATA } from './fixtures/online-retail.ts';
import { records } from './fixtures/csv.ts';

const REES = DATA + 'rees46_2019_oct_head.csv.gz';
const MINUTE = 60_000;
/** The funnel's steps as the file's event types (the import maps view/cart/purchase to these names). */
const STEPS = ['view', 'cart', 'purchase'] as const;
const EVENT_TYPES = ['product_view', 'add_to_cart', 'purchase'];

/** One kept CSV row as the funnel sees it. */
interface Ev {
  user: string;
  session: string;
  /** 1-based funnel step of its event type. */
  step: number;
  ms: number;
  /** Position in the file (the table order among events of one unit at one instant). */
  row: number;
}

/** The CSV rows after the import's cleaning: a row identical to an earlier one is set aside (5 in this file). */
function events(): Ev[] {
  const { header, data } = records(REES);
  assert.deepEqual(header, ['event_time', 'event_type', 'product_id', 'category_id', 'category_code', 'brand', 'price', 'user_id', 'user_session']);
  const seen = new Set<string>();
  const out: Ev[] = [];
  data.forEach((r, row) => {
    const key = r.join('\u0001');
    if (seen.has(key)) return;
    seen.add(key);
    const step = STEPS.indexOf(r[1] as (typeof STEPS)[number]) + 1;
    assert.ok(step > 0, `unexpected event type ${r[1]}`);
    // "2019-10-01 00:00:00 UTC" -> epoch ms.
    const ms = Date.parse(r[0].replace(' UTC', 'Z').replace(' ', 'T'));
    assert.ok(Number.isFinite(ms), `unreadable time ${r[0]}`);
    out.push({ user: r[7], session: r[8], step, ms, row });
  });
  assert.equal(data.length - out.length, 5);
  return out;
}

/** One unit's best attempt: depth, the user of its step-1 event and its step times (ms). */
interface Best {
  depth: number;
  user: string;
  stamps: number[];
}

/**
 * The independent funnel: per unit, events in (time, step, file order); an attempt starts at each step-1 event
 * and takes as step k+1 the first step-(k+1) event after step k's event, while it is within `windowMin` minutes
 * of the step-1 event (inclusive). The best attempt is the deepest, the earliest of equally deep ones.
 * On this file, a longer window (11 minutes), a later best attempt among equals or an upper median make the test
 * fail; the same-instant order and the window's inclusive end do not change any figure here (the only same-instant
 * view + cart pair is already in funnel order, and no step falls exactly 10 minutes after an anchor that matters),
 * so those rules rest on the synthetic funnel tests.
 */
function independent(evs: readonly Ev[], by: 'users' | 'sessions', windowMin: number | null): Map<string, Best> {
  const units = new Map<string, Ev[]>();
  for (const e of evs) {
    const u = by === 'users' ? e.user : e.session;
    const list = units.get(u) ?? [];
    list.push(e);
    units.set(u, list);
  }
  const out = new Map<string, Best>();
  for (const [u, list] of units) {
    list.sort((a, b) => a.ms - b.ms || a.step - b.step || a.row - b.row);
    let best: Best | null = null;
    for (let i = 0; i < list.length; i++) {
      if (list[i].step !== 1) continue;
      const t0 = list[i].ms;
      const stamps = [t0];
      let at = i;
      for (let s = 2; s <= STEPS.length; s++) {
        let j = at + 1;
        while (j < list.length && list[j].step !== s) j++;
        if (j === list.length) break;
        if (windowMin !== null && list[j].ms > t0 + windowMin * MINUTE) break;
        stamps.push(list[j].ms);
        at = j;
      }
      if (!best || stamps.length > best.depth) best = { depth: stamps.length, user: list[i].user, stamps };
    }
    if (best) out.set(u, best);
  }
  return out;
}

/** Units reaching each step. */
const counts = (best: Map<string, Best>) => STEPS.map((_, k) => [...best.values()].filter((b) => b.depth > k).length);

/** DuckDB's median of a DOUBLE list: the mean of the middle two for an even count. */
function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const toSorted = (xs: Iterable<string>) => [...xs].sort();

/** Equal user lists, failing with the differences only (a deepEqual diff of thousands of ids takes minutes). */
function sameUsers(actual: readonly string[], expected: readonly string[], what: string): void {
  const a = new Set(actual);
  const e = new Set(expected);
  const extra = actual.filter((u) => !e.has(u));
  const missing = expected.filter((u) => !a.has(u));
  assert.ok(!extra.length && !missing.length && a.size === actual.length,
    `${what}: ${actual.length} listed, ${expected.length} expected; not expected: ${extra.slice(0, 20).join(' ')}; missing: ${missing.slice(0, 20).join(' ')}`);
}

const specOf = (countBy: 'users' | 'sessions', windowMin: number | null): FunnelSpec =>
  validateFunnelSpec({
    steps: EVENT_TYPES.map((eventType) => ({ eventType })),
    order: 'sequential',
    window: windowMin === null ? null : { value: windowMin, unit: 'minute' },
    countBy,
  });

const CASES = [
  { countBy: 'users', window: null },
  { countBy: 'users', window: 10 },
  { countBy: 'sessions', window: null },
  { countBy: 'sessions', window: 10 },
] as const;
const caseName = (c: (typeof CASES)[number]) => `by ${c.countBy}, ${c.window === null ? 'no window' : `${c.window}-minute window`}`;

describe('funnels on real data: REES46 view -> cart -> purchase', () => {
  let db: Db;
  let fields: Field[];
  let evs: Ev[];
  const found = new Map<string, number[]>();

  /** The result the screens show (the one pass, for these sequential funnels), checked equal to the statement's. */
  const run = async (spec: FunnelSpec): Promise<FunnelResult> => {
    const q = funnelSql(spec, fields);
    const byStatement = decodeFunnel(await db.query(q.text, q.params), spec);
    const shown = await computeFunnel((p) => db.query(p.text, p.params), spec, fields);
    assert.equal(shown.onePass, passSupports(spec));
    assert.deepEqual(shown.result, byStatement, 'the one pass equals the statement');
    // Plain steps: the screens take the step events from the kept columns (above); from the statement's own rows
    // (as before the columns are kept, and for any other funnel) the same figures.
    assert.equal(/kept in this page/.test(shown.sql.text), columnsSupport(spec));
    const rows = funnelEventsSql(spec, fields);
    assert.deepEqual(decodeFunnelRows(await funnelRowsByPass(await db.query(rows.text, rows.params), spec), spec), byStatement, 'the pass over the statement\'s rows');
    return shown.result;
  };
  const users = async (spec: FunnelSpec, k: number, which: 'converted' | 'dropped'): Promise<string[]> => {
    const q = funnelUsersSql(spec, fields, k, which);
    return toSorted(toRows(await db.query(q.text, q.params)).map((r) => String(r.user_id)));
  };

  before(async () => {
    if (!existsSync(REES)) {
      assert.fail(`Real-data test needs ${REES}. Put the shared data folder (see its README) at ../shared/data next to ` +
        'the project. Never copy it into the repo.');
    }
    db = await openNodeDb();
    const r = await importFiles(db, [REES]);
    assert.equal(r.mappings[0].role, 'events');
    fields = decodeFields(await db.query(fieldsSql().text, fieldsSql().params));
    evs = events();
  });
  after(async () => db?.close());

  for (const c of CASES) {
    const name = caseName(c);
    test(`${name}: step counts and times between steps equal the plain pass`, async () => {
      const spec = specOf(c.countBy, c.window);
      const best = independent(evs, c.countBy, c.window);
      const expected = counts(best);
      const res = await run(spec);
      assert.deepEqual(res.total.steps.map((s) => s.count), expected);
      assert.deepEqual(res.total.steps.map((s) => s.dropped), [0, expected[0] - expected[1], expected[1] - expected[2]]);
      found.set(name, expected);
      // Times from the best attempt of every unit that made the transition.
      for (const t of res.total.times) {
        const gaps = [...best.values()].filter((b) => b.depth > t.from).map((b) => b.stamps[t.from] - b.stamps[t.from - 1]);
        assert.equal(t.count, gaps.length, `units converting ${t.from} -> ${t.from + 1}`);
        assert.equal(t.medianMs, median(gaps), `median ${t.from} -> ${t.from + 1}`);
        const mean = gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : null;
        if (mean === null) assert.equal(t.meanMs, null);
        else assert.ok(Math.abs(t.meanMs! - mean) < 1e-6, `mean ${t.from} -> ${t.from + 1}: expected ${mean}, got ${t.meanMs}`);
      }
    });
  }

  for (const c of [CASES[1], CASES[2]]) {
    test(`${caseName(c)}: the users who converted at step 3 and dropped at step 2`, async () => {
      const spec = specOf(c.countBy, c.window);
      const best = [...independent(evs, c.countBy, c.window).values()];
      // Counting sessions, a session's user is the user of its best attempt's step-1 event.
      const converted = toSorted([...new Set(best.filter((b) => b.depth >= 3).map((b) => b.user))]);
      const dropped = toSorted([...new Set(best.filter((b) => b.depth === 1).map((b) => b.user))]);
      assert.ok(converted.length > 0 && dropped.length > 0);
      sameUsers(await users(spec, 3, 'converted'), converted, 'converted at step 3');
      sameUsers(await users(spec, 2, 'dropped'), dropped, 'dropped at step 2');
    });
  }

  test("DuckDB's median of an even count of DOUBLEs is the mean of the middle two (as the plain pass assumes)", async () => {
    assert.deepEqual(await rows(db, 'SELECT median(x)::DOUBLE AS m FROM (VALUES (1.0::DOUBLE), (2.0), (4.0), (10.0)) v(x)'), [{ m: 3 }]);
  });

  test('the numbers make sense: a window only loses purchases; each user of a converting session converted', async () => {
    const [uAll, u10, sAll, s10] = CASES.map((c) => found.get(caseName(c)));
    assert.ok(uAll && u10 && sAll && s10, 'the count tests ran first');
    // (view, cart, purchase) found by both passes. Every user (4,504) and every session (5,066) has a view.
    // Medians view -> cart / cart -> purchase: users 83 s / 100.5 s (62 buyers: an even count, so interpolated),
    // users 10 min 81 s / 94 s, sessions 66 s / 94 s, sessions 10 min 66 s / 85.5 s.
    assert.deepEqual(uAll, [4504, 111, 62]);
    assert.deepEqual(u10, [4504, 111, 61]);
    assert.deepEqual(sAll, [5066, 118, 65]);
    assert.deepEqual(s10, [5066, 118, 64]);
    assert.ok(u10[2] < uAll[2] && s10[2] < sAll[2], 'the 10-minute window gives strictly fewer purchases');
    // Sessions count more (a user may convert in two sessions), but a session's steps are its user's steps.
    for (const k of [2, 3]) {
      const byUser = await users(specOf('users', null), k, 'converted');
      const bySession = await users(specOf('sessions', null), k, 'converted');
      const buyers = new Set(byUser);
      assert.ok(bySession.length <= byUser.length && bySession.every((u) => buyers.has(u)), `users of sessions reaching step ${k}`);
    }
  });
});
