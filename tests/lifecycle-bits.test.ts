// The lifecycle as per-user bit masks (lifecycleSql) against the window over every distinct (user, period)
// (lifecycleWindowSql) on random shops made to be hard: day, week and month periods; spans over several 64-period
// words (days over 300 days); users active exactly at a word's last period (bit 63) with and without the next
// period, and with nothing later in the next word; users whose first activity is in a later word; years crossed by
// weeks and months; NULL users; return events of one type or with a condition; a users filter. Every (period,
// state, users) row must be the same. Then a hand-worked shop around the word edge. Both engines.
// Run: TZ=UTC node --import tsx --test tests/lifecycle-bits.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openNodeDb } from '../src/db/node-db.ts';
import type { Db } from '../src/db/types.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { rng } from './fixtures/random.ts';
import { literal, type Sql } from '../src/sql/quote.ts';
import { toRows } from '../src/lib/rows.ts';
import { decodeFields, fieldsSql, type Field } from '../src/analyses/fields.ts';
import { decodeLifecycle, isLifecycleSpanError, lifecycleSql, lifecycleWindowSql, runLifecycle, validateCohortSpec } from '../src/analyses/cohort/index.ts';

const TYPES = ['session_start', 'product_view', 'purchase'];
const DAY = 86_400_000;

/**
 * Random events of `users` users over `spanDays` days from `start`. Some users are pinned to days 62-65 after the
 * first day (around the day-period word edge: the data's first day is day 0 of the first word when the shop's first
 * event falls on `start`, which is forced), the rest are random.
 */
function shop(seed: number, users: number, start: number, spanDays: number): string {
  const r = rng(seed);
  const rows: string[] = [];
  const ts = (day: number) => `TIMESTAMP '${new Date(start + day * DAY + Math.floor(r() * DAY)).toISOString().slice(0, 19).replace('T', ' ')}'`;
  // The shop's first and last events pin p0 and the data's end.
  rows.push(`('u0', 'session_start', ${ts(0)}, 'DE')`, `('u0', 'purchase', ${ts(spanDays)}, 'DE')`);
  for (let u = 1; u < users; u++) {
    const country = literal(r() < 0.5 ? 'DE' : 'FR');
    const user = r() < 0.03 ? 'NULL' : literal(`u${u}`);
    const days: number[] = [];
    const kind = r();
    if (kind < 0.25) {
      // Around the first word's edge (days 63 and 64 for days; weeks 63, 64 only in long shops).
      for (const d of [62, 63, 64, 65, 70, 127, 128]) if (r() < 0.5 && d <= spanDays) days.push(d);
    } else if (kind < 0.35) {
      // Starts late (a first word after word 0 for days).
      const from = Math.min(spanDays, 64 + Math.floor(r() * spanDays));
      for (let i = 0; i < 3; i++) days.push(Math.min(spanDays, from + Math.floor(r() * 20)));
    } else {
      const n = 1 + Math.floor(r() * 8);
      for (let i = 0; i < n; i++) days.push(Math.floor(r() * (spanDays + 1)));
    }
    for (const d of days) rows.push(`(${user}, ${literal(TYPES[Math.floor(r() * TYPES.length)])}, ${ts(d)}, ${country})`);
  }
  return `CREATE OR REPLACE TABLE events(user_id VARCHAR, event_type VARCHAR, ts TIMESTAMP, country VARCHAR);
INSERT INTO events VALUES ${rows.join(', ')};
CREATE OR REPLACE TABLE users AS SELECT user_id, any_value(country) AS country FROM events WHERE user_id IS NOT NULL GROUP BY user_id;`;
}

const SPECS = [
  { returns: { kind: 'any' } },
  { returns: { kind: 'purchase' } },
  { returns: { kind: 'event', eventType: 'product_view' } },
  { returns: { kind: 'any', filter: { op: 'and', items: [{ field: 'e.event_type', op: '!=', value: 'session_start' }] } } },
  { returns: { kind: 'any' }, users: { op: 'and', items: [{ field: 'u.country', op: '=', value: 'DE' }] } },
] as const;

function bitsSuite(getDb: () => Promise<Db>) {
  let db: Db;
  let fields: Field[];
  const rows = async (q: Sql) => toRows(await db.query(q.text, q.params));

  before(async () => {
    db = await getDb();
  });
  after(async () => {
    await db.close();
  });

  async function load(text: string) {
    await db.exec(text);
    const q = fieldsSql();
    fields = decodeFields(await db.query(q.text, q.params));
  }

  test('random shops: the bit masks give every row the window gives (day, week, month; words, carries, late starters)', async () => {
    const shops = [
      // [start, span in days]: a leap-year February; a year crossed by weeks and months; 300 days (5 day-words);
      // 63 days (every day in one word: the one-word statement for days too).
      [Date.UTC(2024, 1, 20), 90], [Date.UTC(2024, 11, 3), 120], [Date.UTC(2025, 0, 1), 300], [Date.UTC(2023, 5, 15), 200],
      [Date.UTC(2025, 2, 3), 63],
    ] as const;
    let compared = 0;
    let dormant = 0;
    const oneWord = { yes: 0, no: 0 };
    for (const [s, [start, days]] of shops.entries()) {
      for (let seed = 1; seed <= 3; seed++) {
        await load(shop(s * 10 + seed, 60 + seed * 40, start, days));
        for (const period of ['day', 'week', 'month'] as const) {
          // Weeks and months: at most 43 weeks; days: one word only in the 63-day shops.
          const fits = period !== 'day' || days <= 63;
          for (const [i, x] of SPECS.entries()) {
            const spec = validateCohortSpec({ ...x, period });
            const label = `shop ${s}, seed ${seed}, ${period}, spec ${i}`;
            const bits = await rows(lifecycleSql(spec, fields));
            const window = await rows(lifecycleWindowSql(spec, fields));
            assert.deepEqual(bits, window, label);
            // One word when the data spans at most 64 periods (same rows); otherwise that statement refuses and
            // runLifecycle (the screen's) answers with the general one.
            const one = lifecycleSql(spec, fields, { oneWord: true });
            if (fits) {
              oneWord.yes++;
              assert.deepEqual(await rows(one), window, `${label}, one word`);
            } else {
              oneWord.no++;
              await assert.rejects(rows(one), isLifecycleSpanError, `${label}, one word refused`);
            }
            const ran = await runLifecycle((q) => db.query(q.text, q.params), spec, fields);
            assert.deepEqual(toRows(ran.table), window, `${label}, as the screen runs it`);
            assert.equal(ran.sql.text, (fits ? one : lifecycleSql(spec, fields)).text);
            compared += bits.length;
            dormant += bits.filter((r) => r.state === 'dormant').length;
          }
        }
      }
    }
    assert.ok(compared > 3000 && dormant > 500, `${compared} rows compared, ${dormant} dormant`);
    assert.deepEqual(oneWord, { yes: 15 * 3 * 5 - 12 * 5, no: 12 * 5 }, 'one word: every month and week, days only in the 63-day shops');
  });

  test('one word at its edges: 64 periods from the first one fit, 65 do not (then the general statement answers)', async () => {
    // First event Wed 2025-01-01 10:00: day 0 is 2025-01-01, week 0 begins Mon 2024-12-30, month 0 is January 2025.
    const fits = async (last: string) => {
      await db.exec(`CREATE OR REPLACE TABLE events(user_id VARCHAR, event_type VARCHAR, ts TIMESTAMP, country VARCHAR);
INSERT INTO events VALUES ('a', 'purchase', TIMESTAMP '2025-01-01 10:00', 'DE'), ('b', 'purchase', TIMESTAMP '${last}', 'DE');
CREATE OR REPLACE TABLE users AS SELECT DISTINCT user_id, country FROM events;`);
      const q = fieldsSql();
      fields = decodeFields(await db.query(q.text, q.params));
      const out: boolean[] = [];
      for (const period of ['day', 'week', 'month'] as const) {
        const spec = validateCohortSpec({ returns: { kind: 'any' }, period });
        const window = await rows(lifecycleWindowSql(spec, fields));
        const ran = await runLifecycle((s) => db.query(s.text, s.params), spec, fields);
        assert.deepEqual(toRows(ran.table), window, `${last}, ${period}`);
        out.push(ran.sql.text === lifecycleSql(spec, fields, { oneWord: true }).text);
      }
      return out;
    };
    assert.deepEqual(await fits('2025-03-05 23:59:59'), [true, true, true]); // day 63
    assert.deepEqual(await fits('2025-03-06 00:00:00'), [false, true, true]); // day 64
    assert.deepEqual(await fits('2026-03-22 23:59:59'), [false, true, true]); // Sun 2026-03-22: week 63
    assert.deepEqual(await fits('2026-03-23 00:00:00'), [false, false, true]); // Mon 2026-03-23: week 64
    assert.deepEqual(await fits('2030-04-30 23:59:59'), [false, false, true]); // month 63
    assert.deepEqual(await fits('2030-05-01 00:00:00'), [false, false, false]); // month 64
    // Month 64 by hand: a new in January 2025, dormant in February; b new in May 2030.
    const spec = validateCohortSpec({ returns: { kind: 'any' }, period: 'month' });
    const ran = await runLifecycle((s) => db.query(s.text, s.params), spec, fields);
    assert.deepEqual(decodeLifecycle(ran.table).map((p) => [p.new, p.returning, p.resurrecting, p.dormant]), [[1, 0, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0]]);
    // No events: the one-word statement answers (nothing).
    await db.exec('DELETE FROM events');
    assert.deepEqual(await rows(lifecycleSql(spec, fields, { oneWord: true })), []);
  });

  test('hand-worked: the 64th and 65th days (one word ends, the next begins)', async () => {
    // Day 0 = 2025-01-01 (u0's first event, p0). Word 0 is days 0-63 (2025-01-01 .. 2025-03-05), word 1 days 64-127.
    // a: days 63, 64      -> day 63 new; day 64 returning (the carry from bit 63 to the next word's bit 0)
    // b: days 62, 63, 70  -> 62 new, 63 returning, 64 dormant (carry, b's word 1 has no bit 0), 70 resurrecting,
    //                        71 dormant
    // c: day 63 only      -> 63 new, 64 dormant (a carry into a word c has no row in)
    // d: days 64, 65      -> 64 new (first word is word 1), 65 returning, 66 dormant
    // u0: days 0 and 72   -> 0 new, 1 dormant, 72 resurrecting (the data's last day: nothing after it is shown)
    const at = (day: number) => `TIMESTAMP '2025-01-01' + INTERVAL ${day} DAY + INTERVAL 1 HOUR`;
    const ev = (u: string, day: number) => `('${u}', 'purchase', ${at(day)}, 'DE')`;
    await db.exec(`CREATE OR REPLACE TABLE events(user_id VARCHAR, event_type VARCHAR, ts TIMESTAMP, country VARCHAR);
INSERT INTO events VALUES ${[ev('u0', 0), ev('u0', 72), ev('a', 63), ev('a', 64), ev('b', 62), ev('b', 63), ev('b', 70), ev('c', 63), ev('d', 64), ev('d', 65)].join(', ')};
CREATE OR REPLACE TABLE users AS SELECT DISTINCT user_id, country FROM events;`);
    const q = fieldsSql();
    fields = decodeFields(await db.query(q.text, q.params));
    const spec = validateCohortSpec({ returns: { kind: 'any' }, period: 'day' });
    const life = async (s: Sql) => decodeLifecycle(await db.query(s.text, s.params)).map((p) => [(p.start - Date.UTC(2025, 0, 1)) / DAY, p.new, p.returning, p.resurrecting, p.dormant]);
    const expected = [
      // day, new, returning, resurrecting, dormant
      [0, 1, 0, 0, 0],
      [1, 0, 0, 0, 1],
      [62, 1, 0, 0, 0],
      [63, 2, 1, 0, 0],
      [64, 1, 1, 0, 2],
      [65, 0, 1, 0, 1],
      [66, 0, 0, 0, 1],
      [70, 0, 0, 1, 0],
      [71, 0, 0, 0, 1],
      [72, 0, 0, 1, 0],
    ];
    assert.deepEqual(await life(lifecycleSql(spec, fields)), expected);
    assert.deepEqual(await life(lifecycleWindowSql(spec, fields)), expected);
  });
}

describe('native DuckDB', () => bitsSuite(() => openNodeDb({ threads: 1 })));
describe('DuckDB-WASM', () => bitsSuite(openWasmDb));
