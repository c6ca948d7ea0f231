// Retention by first event of any kind, reading each user's first (and last) event from user_metrics instead of
// grouping every event by user (cohortSql's `userMetrics`, what the Retention screen passes when
// USER_METRICS_COVER_SQL says user_metrics accounts for every event with a user): on generated shops the statement
// gives the rows of the one that groups the events, for every mode, period, return kind and users filter; specs that
// do not start at the first event are untouched; and once events are added without refreshing user_metrics the
// check says no — the case where reading user_metrics would be wrong (shown). Both engines.
// Run: TZ=UTC node --import tsx --test tests/cohort-metrics.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openNodeDb } from '../src/db/node-db.ts';
import type { Db } from '../src/db/types.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { loadShop } from '../src/data/generator/index.ts';
import { USER_METRICS_COVER_SQL } from '../src/data/user-metrics.ts';
import { toRows } from '../src/lib/rows.ts';
import type { Sql } from '../src/sql/quote.ts';
import { decodeFields, fieldsSql, type Field } from '../src/analyses/fields.ts';
import { cohortSql, startsAtFirstEvent, validateCohortSpec } from '../src/analyses/cohort/index.ts';

const FIRST_EVENT = { by: 'event', event: { kind: 'any' } } as const;
const RETURNS = [
  { kind: 'any' },
  { kind: 'purchase' },
  { kind: 'any', filter: { op: 'and', items: [{ field: 'e.event_type', op: '!=', value: 'session_start' }] } },
] as const;
const USERS = [
  { op: 'and', items: [] },
  { op: 'and', items: [{ field: 'u.country', op: 'in', value: ['Germany', 'France', 'United Kingdom'] }] },
] as const;

function metricsSuite(getDb: () => Promise<Db>) {
  let db: Db;
  let fields: Field[];
  const rows = async (q: Sql) => toRows(await db.query(q.text, q.params));
  const covered = async () => (await rows(USER_METRICS_COVER_SQL))[0].ok;

  before(async () => {
    db = await getDb();
  });
  after(async () => {
    await db.close();
  });

  test('generated shops: reading first / last events from user_metrics gives every row grouping the events gives', async () => {
    let compared = 0;
    let retained = 0;
    for (const [seed, days] of [[5, 120], [6, 400]] as const) {
      await loadShop(db, { users: 250, days, seed });
      const q = fieldsSql();
      fields = decodeFields(await db.query(q.text, q.params));
      assert.equal(await covered(), true, 'a generated shop: user_metrics accounts for every event with a user');
      for (const returns of RETURNS) {
        for (const users of USERS) {
          for (const mode of ['on', 'on_or_after'] as const) {
            for (const period of ['day', 'week', 'month'] as const) {
              const spec = validateCohortSpec({ start: FIRST_EVENT, returns, users, mode, period, periods: period === 'day' ? 20 : 8 });
              const label = `seed ${seed}: ${JSON.stringify({ returns, users, mode, period })}`;
              const fast = cohortSql(spec, fields, { userMetrics: true });
              assert.match(fast.text, /FROM user_metrics m/, `${label}: reads user_metrics`);
              const got = await rows(fast);
              assert.deepEqual(got, await rows(cohortSql(spec, fields)), label);
              compared += got.length;
              retained += got.reduce((s, r) => s + Number(r.retained), 0);
            }
          }
        }
      }
    }
    assert.ok(compared > 1000 && retained > 10_000, `${compared} cells, ${retained} retained`);
  });

  test('only cohorts by first event of any kind read user_metrics', async () => {
    for (const start of [{ by: 'signup' }, { by: 'event', event: { kind: 'purchase' } }, { by: 'event', event: { kind: 'any', filter: { op: 'and', items: [{ field: 'e.event_type', op: '=', value: 'purchase' }] } } }]) {
      const spec = validateCohortSpec({ start, returns: { kind: 'any' } });
      assert.equal(startsAtFirstEvent(spec), false, JSON.stringify(start));
      assert.deepEqual(cohortSql(spec, fields, { userMetrics: true }), cohortSql(spec, fields), JSON.stringify(start));
    }
    const recurring = validateCohortSpec({ start: FIRST_EVENT, recurring: true });
    assert.equal(startsAtFirstEvent(recurring), false);
    assert.deepEqual(cohortSql(recurring, fields, { userMetrics: true }), cohortSql(recurring, fields));
    assert.equal(startsAtFirstEvent(validateCohortSpec({ start: FIRST_EVENT })), true);
  });

  test('events added without refreshing user_metrics: the check says no, and reading user_metrics would be wrong', async () => {
    await loadShop(db, { users: 120, days: 90, seed: 9 });
    const q = fieldsSql();
    fields = decodeFields(await db.query(q.text, q.params));
    assert.equal(await covered(), true);
    // An existing user comes back long after their last event; user_metrics still has the old last_seen.
    await db.exec(`INSERT INTO events BY NAME SELECT * REPLACE (ts + INTERVAL 200 DAY AS ts, event_id + 10000000 AS event_id)
      FROM events WHERE user_id = (SELECT min(user_id) FROM events) LIMIT 1`);
    assert.equal(await covered(), false, 'the check sees the new event');
    const spec = validateCohortSpec({ start: FIRST_EVENT, returns: { kind: 'any' }, mode: 'on_or_after', period: 'week', periods: 40 });
    assert.notDeepEqual(await rows(cohortSql(spec, fields, { userMetrics: true })), await rows(cohortSql(spec, fields)));
  });
}

describe('native DuckDB', () => metricsSuite(() => openNodeDb({ threads: 1 })));
describe('DuckDB-WASM', () => metricsSuite(openWasmDb));
