// Journeys in one pass (src/analyses/paths/pass.ts) against the two statements (pathsTopSql, pathsSankeySql) on
// random shops made to be hard: few event types, many events at the same instant, table order unlike time order,
// events without a time, a session or a user, a users filter, both anchors, collapsing on and off, few Sankey
// nodes per step. The pass must give the same top paths (rows, order, totals) and the same Sankey (nodes, links,
// order) — also when DuckDB hands it the rows in another order. Both engines.
// Run: TZ=UTC node --import tsx --test tests/paths-pass.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Float64, Int32, Table, Uint32, vectorFromArray } from 'apache-arrow';
import { openNodeDb } from '../src/db/node-db.ts';
import type { Db } from '../src/db/types.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { rng, shuffle } from './fixtures/random.ts';
import { literal, type Sql } from '../src/sql/quote.ts';
import { QueryCoordinator } from '../src/db/coordinator.ts';
import { BufferPool, noPause } from '../src/analyses/pass-kit.ts';
import { decodeFields, fieldsSql, type Field } from '../src/analyses/fields.ts';
import {
  computePaths, decodePathsSankey, decodePathsTop, pathsByPass, pathsEventsSql, pathsKeysSql, pathsSankeySql, pathsStoredSql, pathsTopSql,
  pathTypes, validatePathsSpec, type PathsSpec,
} from '../src/analyses/paths/index.ts';
import { sessionMetricsSql } from '../src/data/session-metrics.ts';

/** Sessions whose events are not all one user's (the stored-paths statement groups those from the events). */
const PATHS_MIXED = { text: 'SELECT count(*) FILTER (WHERE NOT one_user)::INTEGER AS n FROM session_metrics', params: [] };

const TYPES = ['session_start', 'product_view', 'add_to_cart', 'purchase', `o'dd"; --`];
type Ev = [user: string | null, session: string | null, type: string | null, minute: number | null];

/** Random events: 1–3 sessions per user, times on a coarse grid so many coincide, a few missing values, shuffled. */
function shop(seed: number, users: number): Ev[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const out: Ev[] = [];
  for (let u = 0; u < users; u++) {
    const sessions = 1 + Math.floor(r() * 3);
    for (let s = 0; s < sessions; s++) {
      const events = 1 + Math.floor(r() * 10);
      const base = Math.floor(r() * 100);
      for (let e = 0; e < events; e++) {
        const x = r();
        // Session ids repeat across users (s0, s1...): a session is a user's session.
        out.push([x < 0.02 ? null : `u${u}`, x > 0.97 ? null : `s${s}`, x > 0.02 && x < 0.04 ? null : pick(TYPES), x > 0.04 && x < 0.07 ? null : base + Math.floor(r() * 12)]);
      }
    }
  }
  return shuffle(out, r);
}

function randomSpec(seed: number): PathsSpec {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  return validatePathsSpec({
    anchor: pick(['start', 'end']),
    eventType: pick(TYPES),
    steps: 2 + Math.floor(r() * 5),
    collapse: r() < 0.5,
    nodesPerStep: 2 + Math.floor(r() * 3),
    users: r() < 0.25 ? { op: 'and', items: [{ field: 'u.country', op: '=', value: 'DE' }] } : { op: 'and', items: [] },
  });
}

function passSuite(getDb: () => Promise<Db>) {
  let db: Db;
  let fields: Field[];
  const run = (q: Sql) => db.query(q.text, q.params);

  async function load(evs: Ev[]) {
    const rows = evs.map(([u, s, type, min], i) => {
      const ts = min === null ? null : `2025-03-03 ${String(Math.floor(min / 60) + 8).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}:00`;
      return `(${[i + 1, u, s, type, ts].map((v) => literal(v)).join(', ')})`;
    });
    await db.exec(`CREATE OR REPLACE TABLE events(event_id BIGINT, user_id VARCHAR, session_id VARCHAR, event_type VARCHAR, ts TIMESTAMP);
${rows.length ? `INSERT INTO events VALUES ${rows.join(', ')};` : ''}
CREATE OR REPLACE TABLE users AS SELECT user_id, CASE WHEN hash(user_id) % 2 = 0 THEN 'DE' ELSE 'FR' END AS country
  FROM (SELECT DISTINCT user_id FROM events WHERE user_id IS NOT NULL);`);
  }

  before(async () => {
    db = await getDb();
    await load(shop(1, 3));
    const q = fieldsSql();
    fields = decodeFields(await db.query(q.text, q.params));
  });
  after(async () => {
    await db.close();
  });

  /** The statements' results for `spec`. */
  async function statements(spec: PathsSpec, limit: number) {
    return { top: decodePathsTop(await run(pathsTopSql(spec, fields, limit))), sankey: decodePathsSankey(await run(pathsSankeySql(spec, fields))) };
  }

  /**
   * pathsEventsSql's rows in another order (reversed, or shuffled with `seed`), as another engine might return them;
   * or grouped by session (`grouped`: each session's rows side by side, shuffled inside; `stored`: also in (time,
   * table order), as events stored by month, user and time arrive).
   */
  function reorder(t: Table, seed: number | null, grouped: 'grouped' | 'stored' | null = null): Table {
    const n = t.numRows;
    const idx = Array.from({ length: n }, (_, i) => n - 1 - i);
    if (seed !== null) shuffle(idx, rng(seed));
    if (grouped) {
      const hs = (i: number) => t.getChild('hs')!.get(i) as number;
      const at = (i: number) => (t.getChild('t')!.get(i) as number | null) ?? Infinity;
      const rid = (i: number) => t.getChild('rid')!.get(i) as number;
      // Stable sorts: by session only, or by session, time and table order.
      idx.sort((a, b) => hs(a) - hs(b) || (grouped === 'stored' ? at(a) - at(b) || rid(a) - rid(b) : 0));
    }
    const col = (name: string) => idx.map((i) => t.getChild(name)!.get(i) as number | null);
    return new Table({
      hu: vectorFromArray(col('hu'), new Float64()),
      hs: vectorFromArray(col('hs'), new Float64()),
      t: vectorFromArray(col('t'), new Float64()),
      rid: vectorFromArray(col('rid'), new Int32()),
      c: vectorFromArray(col('c'), new Uint32()),
    });
  }

  test('random shops and specs: the pass equals the statements, in any row order', async () => {
    const dirty = new BufferPool(2 ** 30, 60_000, 1);
    let paths = 0;
    let others = 0;
    for (let seed = 1; seed <= 40; seed++) {
      await load(shop(seed, 2 + (seed % 9)));
      const types = pathTypes(await run(pathsKeysSql()));
      assert.ok(types, `seed ${seed}: keys check`);
      // As the page runs it: through the coordinator, which keeps the newest sessions (rows:…) and the keys.
      const coordinator = new QueryCoordinator(db);
      let last: string | null = null;
      for (let k = 0; k < 4; k++) {
        const spec = randomSpec(seed * 100 + k);
        const limit = 1 + ((seed + k) % 6);
        const want = await statements(spec, limit);
        const sent = coordinator.sent;
        const got = await computePaths(coordinator.io(null), spec, fields, undefined, limit);
        const filter = JSON.stringify(spec.users);
        // A statement only for the keys (once) and when the users filter differs from the last one's.
        assert.equal(coordinator.sent - sent, (k === 0 ? 1 : 0) + (filter === last ? 0 : 1), `seed ${seed}, spec ${k}: statements sent`);
        last = filter;
        const label = `seed ${seed}, spec ${JSON.stringify(spec)}`;
        assert.equal(got.onePass, true, label);
        assert.deepEqual(got.top, want.top, `${label}: top paths`);
        assert.deepEqual(got.sankey, want.sankey, `${label}: Sankey`);
        const rows = await run(pathsEventsSql(spec, fields));
        for (const order of [null, seed]) {
          const again = await pathsByPass(reorder(rows, order), types, spec, limit);
          assert.deepEqual(again, { top: want.top, sankey: want.sankey }, `${label}: rows ${order === null ? 'reversed' : 'shuffled'}`);
        }
        for (const grouped of ['grouped', 'stored'] as const) {
          const again = await pathsByPass(reorder(rows, seed, grouped), types, spec, limit);
          assert.deepEqual(again, { top: want.top, sankey: want.sankey }, `${label}: rows ${grouped} by session`);
        }
        // Every working array from one pool that every earlier shop and spec wrote into (nothing is too small to be
        // pooled here): what a run leaves behind must not reach the next one's answer.
        const pooled = await pathsByPass(reorder(rows, seed, 'stored'), types, spec, limit, noPause, dirty);
        assert.deepEqual(pooled, { top: want.top, sankey: want.sankey }, `${label}: reused memory`);
        assert.ok(dirty.bytes > 0, 'the pool kept what the run handed back');
        paths += want.top.totalPaths;
        others += want.sankey.nodes.filter((x) => x.type === null).length;
      }
    }
    // The shops are not trivial: many paths, and "Other" nodes in play.
    assert.ok(paths > 300, `${paths} paths`);
    assert.ok(others > 20, `${others} Other nodes`);
  });

  test('sessions stored with the dataset (session_metrics.path): the pass over them equals the statements', async () => {
    let mixed = 0;
    for (let seed = 1; seed <= 30; seed++) {
      await load(shop(seed, 2 + (seed % 9)));
      // The table as a dataset's install builds it (the columns it reads that these shops lack are NULL).
      await db.exec(`ALTER TABLE events ADD COLUMN order_id VARCHAR; ALTER TABLE events ADD COLUMN revenue DOUBLE;
ALTER TABLE events ADD COLUMN source VARCHAR; ALTER TABLE events ADD COLUMN medium VARCHAR;
${sessionMetricsSql('session_metrics')};`);
      mixed += Number((await run(PATHS_MIXED)).getChild('n')!.get(0));
      const types = pathTypes(await run(pathsKeysSql()));
      assert.ok(types?.stored, `seed ${seed}: the keys statement sees the stored paths`);
      for (let k = 0; k < 3; k++) {
        const spec = randomSpec(seed * 100 + k);
        const limit = 1 + ((seed + k) % 6);
        const want = await statements(spec, limit);
        const got = await computePaths(run, spec, fields, undefined, limit);
        const label = `seed ${seed}, spec ${JSON.stringify(spec)}`;
        assert.equal(got.onePass, true, label);
        assert.ok(got.sql[0].text.endsWith(pathsStoredSql(spec, fields).text), `${label}: read the stored paths`);
        assert.match(got.sql[0].text, /stored in time order with the dataset/);
        assert.deepEqual({ top: got.top, sankey: got.sankey }, want, label);
      }
      await db.exec('DROP TABLE session_metrics');
    }
    // Sessions shared by two users (or with events of no user) were in play: the statement's second part.
    assert.ok(mixed > 20, `${mixed} sessions not one user's`);
  });

  test('a stored path with a type the keys did not list: no pass over it (the statements answer)', async () => {
    await load(shop(3, 4));
    await db.exec(`ALTER TABLE events ADD COLUMN order_id VARCHAR; ALTER TABLE events ADD COLUMN revenue DOUBLE;
ALTER TABLE events ADD COLUMN source VARCHAR; ALTER TABLE events ADD COLUMN medium VARCHAR;
${sessionMetricsSql('session_metrics')};`);
    const spec = validatePathsSpec({ collapse: false });
    const want = await statements(spec, 50);
    const types = pathTypes(await run(pathsKeysSql()))!;
    const rows = await run(pathsStoredSql(spec, fields));
    assert.ok(rows.numRows > 0);
    assert.deepEqual(await pathsByPass(rows, types, spec), { top: want.top, sankey: want.sankey });
    // A type the keys statement did not see (the data changed between the two statements): null, as for the events.
    assert.equal(await pathsByPass(rows, { ...types, names: types.names.slice(1), hashes: types.hashes.slice(1) }, spec), null);
    // A users filter nobody passes: no row, empty results.
    const nobody = validatePathsSpec({ users: { op: 'and', items: [{ field: 'u.country', op: '=', value: 'nowhere' }] } });
    const none = await computePaths(run, nobody, fields);
    assert.equal(none.onePass, true);
    assert.deepEqual({ top: none.top, sankey: none.sankey }, await statements(nobody, 50));
    assert.equal(none.top.totalSessions, 0);
    await db.exec('DROP TABLE session_metrics');
  });

  test('many event types (looked up by hash, not scanned): the pass equals the statements', async () => {
    const evs = shop(11, 12).map(([u, sid, type, min], i): Ev => [u, sid, type === null ? null : `${type}-${i % 9}`, min]);
    await load(evs);
    const types = pathTypes(await run(pathsKeysSql()));
    assert.ok(types && types.names.length > 16, `${types?.names.length} types`);
    for (const spec of [validatePathsSpec({ eventType: 'product_view-1', nodesPerStep: 3 }), validatePathsSpec({ anchor: 'end', eventType: 'purchase-2', steps: 4, collapse: false })]) {
      const want = await statements(spec, 10);
      const got = await computePaths(run, spec, fields, undefined, 10);
      assert.ok(want.top.totalSessions > 0);
      assert.deepEqual({ top: got.top, sankey: got.sankey }, want);
    }
  });

  test('no event has a type, or no session has the event: empty results, as the statements give', async () => {
    await load([['u1', 's1', null, 1], ['u1', 's1', null, 2]]);
    assert.deepEqual(pathTypes(await run(pathsKeysSql())), { names: [], hashes: [] });
    const spec = validatePathsSpec({});
    const empty = { top: { rows: [], totalUsers: 0, totalSessions: 0, totalPaths: 0 }, sankey: { nodes: [], links: [] } };
    assert.deepEqual(await statements(spec, 50), empty);
    const got = await computePaths(run, spec, fields);
    assert.equal(got.onePass, true);
    assert.deepEqual({ top: got.top, sankey: got.sankey }, empty);
    await load([['u1', 's1', 'product_view', 1]]);
    const none = await computePaths(run, spec, fields);
    assert.deepEqual({ top: none.top, sankey: none.sankey }, empty);
  });

  test('without the pass (or when two ids share their hash bits) the statements answer', async () => {
    await load(shop(7, 6));
    const spec = validatePathsSpec({ anchor: 'end', eventType: 'purchase', steps: 3 });
    const want = await statements(spec, 50);
    const keysText = pathsKeysSql().text;
    // A keys check that failed: the statements answer, and Show SQL lists both.
    const clash = (q: Sql) => (q.text === keysText ? db.query('SELECT false AS ok, \'x\' AS t, 1::UINTEGER AS h') : run(q));
    for (const r of [await computePaths(clash, spec, fields), await computePaths(run, spec, fields, null)]) {
      assert.equal(r.onePass, false);
      assert.deepEqual({ top: r.top, sankey: r.sankey }, want);
      assert.deepEqual(r.sql.map((q) => q.text), [pathsTopSql(spec, fields).text, pathsSankeySql(spec, fields).text]);
    }
    // Two types sharing their bits: no pass either.
    assert.equal(pathTypes(await db.query('SELECT true AS ok, t, 7::UINTEGER AS h FROM (VALUES (\'a\'), (\'b\')) v(t)')), null);
    // The pass's own Show SQL: the selecting statement under a note of what the pass does.
    const shown = await computePaths(run, spec, fields);
    assert.equal(shown.onePass, true);
    assert.equal(shown.sql.length, 1);
    assert.match(shown.sql[0].text, /^-- Computed in one pass/);
    assert.ok(shown.sql[0].text.endsWith(pathsEventsSql(spec, fields).text));
    assert.match(shown.sql[0].text, /the first purchase event is step 3 and the 2 events before it precede/);
    // An event type from the data with a line break stays inside its comment: every line above the SELECT is one.
    const hostile = await computePaths(run, validatePathsSpec({ eventType: 'x\nDROP TABLE events; --' }), fields);
    const lines = hostile.sql[0].text.split('\n');
    const select = lines.findIndex((l) => l.startsWith('SELECT'));
    assert.ok(select > 0 && lines.slice(0, select).every((l) => l.startsWith('-- ')), hostile.sql[0].text);
  });
}

describe('native DuckDB', () => passSuite(() => openNodeDb({ threads: 1 })));
describe('DuckDB-WASM', () => passSuite(openWasmDb));
