// The live shop (src/data/live): seeded ticks, the shop's own patterns, and appends that keep user_metrics and every
// segmentation equal to a full recomputation over the same events. Run: TZ=UTC node --import tsx --test tests/live.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { toRows } from '../src/lib/rows.ts';
import { loadShop } from '../src/data/generator/index.ts';
import { LiveSim, DEFAULT_LIVE, initialCounters, validateLiveSettings, type LiveCounters, type TickRows } from '../src/data/live/sim.ts';
import { appendTick, readLiveState, shopCounters, feedRows, type LiveState } from '../src/data/live/append.ts';
import { T } from '../src/data/generator/session.ts';
import { userMetricsSql } from '../src/data/user-metrics.ts';
import { sessionMetricsSql } from '../src/data/session-metrics.ts';
import { builtinAvailability, builtinsToCompute, computeBuiltinSegmentations, storedOptions } from '../src/data/segments-compute.ts';
import { dataFingerprint, listSegmentations } from '../src/data/segments-store.ts';

const PARAMS = { users: 300, days: 60, seed: 7 };
const SHOP = { lastEventMs: Date.UTC(2025, 11, 31, 20), sessions: 1000, orders: 100, events: 5000 };

function sameRows(a: TickRows, b: TickRows): boolean {
  const cols = (r: TickRows) => JSON.stringify(Object.fromEntries(Object.entries(r.events).map(([k, v]) => [k, Array.from(v as ArrayLike<number>)])));
  const users = (r: TickRows) => JSON.stringify(r.users && Object.fromEntries(Object.entries(r.users).map(([k, v]) => [k, Array.from(v as ArrayLike<number>)])));
  return cols(a) === cols(b) && users(a) === users(b) && JSON.stringify(a.counters) === JSON.stringify(b.counters);
}

test('the same seed and tick count give the same events; another seed gives others', () => {
  const a = new LiveSim(PARAMS, DEFAULT_LIVE);
  const b = new LiveSim(PARAMS, DEFAULT_LIVE);
  let ca: LiveCounters = initialCounters(PARAMS, SHOP);
  let cb = ca;
  const seen: TickRows[] = [];
  for (let k = 0; k < 40; k++) {
    const ra = a.tick(ca);
    const rb = b.tick(cb);
    assert.ok(sameRows(ra, rb), `tick ${k} differs`);
    seen.push(ra);
    ca = ra.counters;
    cb = rb.counters;
  }
  // A restart from stored counters (a reload) continues with the very same tick.
  const c = new LiveSim(PARAMS, DEFAULT_LIVE);
  assert.ok(sameRows(c.tick(seen[24].counters), seen[25]));
  const other = new LiveSim({ ...PARAMS, seed: 8 }, DEFAULT_LIVE).tick(initialCounters(PARAMS, SHOP));
  assert.ok(!sameRows(other, seen[0]));
  assert.equal(seen[0].counters.tick, 1);
  assert.equal(seen[39].counters.clockMs, initialCounters(PARAMS, SHOP).clockMs + 40 * 30 * 60_000, 'each tick covers its simulated minutes');
});

test("ticks follow the shop's patterns: the hour-of-day cycle, new sign-ups, sessions shaped like the shop's", () => {
  const sim = new LiveSim({ users: 2000, days: 365, seed: 42 }, DEFAULT_LIVE);
  let c = initialCounters({ users: 2000, days: 365, seed: 42 }, SHOP);
  const byHour = new Array(24).fill(0);
  const sessionsOf = new Map<number, number>();
  let events = 0;
  let purchases = 0;
  const users = new Set<number>();
  let newUsers = 0;
  const ticks = 48 * 14; // two simulated weeks at 30 minutes a tick
  for (let k = 0; k < ticks; k++) {
    const r = sim.tick(c);
    const e = r.events;
    for (let i = 0; i < r.eventCount; i++) {
      const sn = (e.sn as Int32Array)[i];
      if (!sessionsOf.has(sn)) {
        sessionsOf.set(sn, (e.user_idx as Int32Array)[i]);
        byHour[new Date((e.ts_ms as Float64Array)[i]).getUTCHours()]++;
      }
      users.add((e.user_idx as Int32Array)[i]);
      if ((e.type as Int8Array)[i] === T.purchase) purchases++;
    }
    events += r.eventCount;
    newUsers += r.users ? (r.users.user_idx as Int32Array).length : 0;
    assert.equal(r.counters.nextUser - c.nextUser, r.users ? (r.users.user_idx as Int32Array).length : 0);
    c = r.counters;
  }
  const sessions = sessionsOf.size;
  // The shop's visitors are mostly in the Americas (UTC−5…−8): their evening peak is around 00–03 UTC, their night
  // trough around 08–11 UTC.
  const peak = byHour[0] + byHour[1] + byHour[2] + byHour[3];
  const trough = byHour[8] + byHour[9] + byHour[10] + byHour[11];
  assert.ok(peak > 2 * trough, `hour cycle: ${byHour.join(' ')}`);
  const share = newUsers / sessions;
  assert.ok(share > 0.05 && share < 0.11, `new sign-ups ${share}`);
  assert.ok(users.size - newUsers > 500, 'mostly the shop\'s own users');
  const perSession = events / sessions;
  assert.ok(perSession > 3 && perSession < 10, `events per session ${perSession}`);
  assert.ok(purchases > 0);
});

test('settings are checked', () => {
  assert.deepEqual(validateLiveSettings({}), DEFAULT_LIVE);
  assert.equal(validateLiveSettings({ intervalMs: 500 }).intervalMs, 500);
  assert.throws(() => validateLiveSettings({ intervalMs: 100 }), /intervalMs.*500 to 10000/);
  assert.throws(() => validateLiveSettings({ traffic: Number.NaN }), /traffic/);
});

/** Every column of user_metrics, user_segments or session_metrics, rounded where sums of doubles could differ in the last bit. */
async function snapshot(db: Db, table: 'user_metrics' | 'user_segments' | 'session_metrics'): Promise<string> {
  const cols = toRows(await db.query(`SELECT column_name AS c, data_type AS t FROM duckdb_columns() WHERE database_name = current_database()
    AND schema_name = current_schema() AND table_name = '${table}' ORDER BY column_name`)).map((r) => [String(r.c), String(r.t)]);
  const select = cols.map(([c, t]) => (t === 'DOUBLE' ? `round("${c}", 6) AS "${c}"` : `"${c}"`)).join(', ');
  return JSON.stringify(toRows(await db.query(`SELECT ${select} FROM ${table} ORDER BY ${table === 'session_metrics' ? 'session_id' : 'user_id'}`)), (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
}

/** What the app does on the heavy-panel interval and on pause: recompute the segmentations the data outdated. */
async function refreshSegments(db: Db): Promise<void> {
  const records = await listSegmentations(db);
  const ids = builtinsToCompute(await builtinAvailability(db), records, await dataFingerprint(db));
  await computeBuiltinSegmentations(db, storedOptions(records), ids);
}

function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

async function duckMemory(db: Db): Promise<number> {
  return Number(toRows(await db.query('SELECT sum(memory_usage_bytes)::DOUBLE AS b FROM duckdb_memory()'))[0].b);
}

function suite(backend: string, open: () => Promise<Db>, ticks: number): void {
  describe(`live appends (${backend})`, () => {
    test(`${ticks} ticks leave user_metrics and every segmentation equal to a full recomputation; memory stays bounded`, async () => {
      const db = await open();
      try {
        await loadShop(db, PARAMS);
        await refreshSegments(db);
        const shop = await shopCounters(db);
        const start = initialCounters(PARAMS, shop);
        let state: LiveState = { params: PARAMS, settings: DEFAULT_LIVE, counters: start, start, totals: { orders: 0, revenue: 0, newUsers: 0 }, lastEventMs: shop.lastEventMs, status: 'running' };
        const sim = new LiveSim(PARAMS, DEFAULT_LIVE);
        const feed: string[] = [];
        let heap0 = 0;
        let duck0 = 0;
        let events0 = 0;
        for (let k = 0; k < ticks; k++) {
          const rows = sim.tick(state.counters);
          const { summary, state: next } = await appendTick(db, state, rows);
          assert.deepEqual(summary.orders, feedRows(PARAMS, rows));
          feed.push(...summary.orders.map((o) => o.orderId));
          state = next;
          if ((k + 1) % 450 === 0) await refreshSegments(db); // a heavy refresh now and then (the app: every 30 s)
          if (k === Math.floor(ticks / 6)) {
            heap0 = heapAfterGc();
            duck0 = await duckMemory(db);
            events0 = Number(toRows(await db.query('SELECT count(*)::DOUBLE AS n FROM events'))[0].n);
          }
        }
        // Memory, measured before the checks below copy the data: the JS heap does not grow with ticks; DuckDB's
        // grows with the data only (bounded per appended event).
        const heapGrowth = heapAfterGc() - heap0;
        const duckGrowth = (await duckMemory(db)) - duck0;
        await refreshSegments(db); // on pause
        const stored = await readLiveState(db);
        assert.deepEqual(stored?.counters, state.counters, 'the live state is stored with the data');
        // The appended orders, as the feed listed them (each tick's in time order), are in the data in that order,
        // numbered as they came.
        const live = toRows(await db.query(`SELECT order_id FROM events WHERE event_type = 'purchase' AND event_id >= ${start.nextEventId}
          GROUP BY order_id ORDER BY min(event_id)`)).map((r) => String(r.order_id));
        assert.deepEqual(live, feed);
        assert.deepEqual([...feed].sort(), feed, 'order numbers follow the feed');
        assert.equal(state.totals.orders, feed.length);
        const n = toRows(await db.query(`SELECT count(*)::INTEGER AS e, (SELECT count(*) FROM users)::INTEGER AS u FROM events`))[0];
        assert.equal(n.e, state.counters.nextEventId - 1);
        assert.equal(n.u, state.counters.nextUser);

        // The same events from scratch: user_metrics rebuilt, the segmentations computed afresh.
        const incremental = { metrics: await snapshot(db, 'user_metrics'), segments: await snapshot(db, 'user_segments'), sessions: await snapshot(db, 'session_metrics') };
        await db.exec(`CREATE SCHEMA fresh; SET schema = 'fresh';
CREATE TABLE users AS SELECT * FROM main.users; CREATE TABLE events AS SELECT * FROM main.events;
CREATE TABLE products AS SELECT * FROM main.products; ${userMetricsSql('fresh.user_metrics', true)}; ${sessionMetricsSql('fresh.session_metrics')}`);
        await computeBuiltinSegmentations(db);
        assert.equal(incremental.metrics, await snapshot(db, 'user_metrics'), 'user_metrics equals a full recomputation');
        assert.equal(incremental.sessions, await snapshot(db, 'session_metrics'), 'session_metrics equals a full recomputation');
        assert.ok(incremental.sessions.includes(`"S${String(start.nextSession).padStart(7, '0')}"`), 'the live sessions are in it');
        assert.equal(incremental.segments, await snapshot(db, 'user_segments'), 'every segmentation equals a full recomputation');
        assert.ok((await listSegmentations(db)).length >= 10);
        await db.exec(`SET schema = 'main'`);

        console.log(`live ${backend}: ${ticks} ticks, +${n.e - events0} events since the first measure: JS heap ${(heapGrowth / 1e6).toFixed(1)} MB, DuckDB ${(duckGrowth / 1e6).toFixed(1)} MB`);
        assert.ok(heapGrowth < 16 * 1024 * 1024, `JS heap grew ${(heapGrowth / 1e6).toFixed(1)} MB`);
        const added = n.e - events0;
        assert.ok(duckGrowth < 16 * 1024 * 1024 + added * 2048, `DuckDB memory grew ${(duckGrowth / 1e6).toFixed(1)} MB for ${added} events`);
      } finally {
        await db.close();
      }
    });
  });
}

suite('native DuckDB', () => openNodeDb({ threads: 1 }), 600);
suite('DuckDB-WASM', () => openWasmDb(), 200);

test('a dataset stored before user_metrics kept the first touch (and before session_metrics): live ticks refresh it without one, and the traffic source still comes from the events', async () => {
  const db = await openNodeDb();
  try {
    await loadShop(db, PARAMS);
    await db.exec('ALTER TABLE user_metrics DROP COLUMN first_source; ALTER TABLE user_metrics DROP COLUMN first_medium; DROP TABLE session_metrics');
    const shop = await shopCounters(db);
    const start = initialCounters(PARAMS, shop);
    let state: LiveState = { params: PARAMS, settings: DEFAULT_LIVE, counters: start, start, totals: { orders: 0, revenue: 0, newUsers: 0 }, lastEventMs: shop.lastEventMs, status: 'running' };
    const sim = new LiveSim(PARAMS, DEFAULT_LIVE);
    let added = 0;
    for (let k = 0; k < 30; k++) {
      const rows = sim.tick(state.counters);
      added += rows.eventCount;
      state = (await appendTick(db, state, rows)).state;
    }
    assert.ok(added > 0, 'the ticks added events');
    const cols = toRows(await db.query(`SELECT column_name AS c FROM duckdb_columns() WHERE database_name = current_database()
      AND schema_name = current_schema() AND table_name = 'user_metrics'`)).map((r) => String(r.c));
    assert.ok(!cols.includes('first_source') && !cols.includes('first_medium'), 'no first-touch columns appeared');
    const tables = toRows(await db.query(`SELECT table_name AS t FROM duckdb_tables() WHERE schema_name = current_schema()`)).map((r) => String(r.t));
    assert.ok(!tables.includes('session_metrics'), 'no session_metrics appeared (the Overview reads the events instead)');
    const incremental = await snapshot(db, 'user_metrics');
    await db.exec(`CREATE SCHEMA fresh; SET schema = 'fresh';
CREATE TABLE users AS SELECT * FROM main.users; CREATE TABLE events AS SELECT * FROM main.events; ${userMetricsSql('fresh.user_metrics')}`);
    assert.equal(incremental, await snapshot(db, 'user_metrics'), 'user_metrics equals a full recomputation');
    await db.exec(`SET schema = 'main'`);
    const outcome = await computeBuiltinSegmentations(db);
    assert.equal(outcome.find((o) => o.id === 'traffic-source')?.unavailable, null);
    const unknown = toRows(await db.query(`SELECT count(*)::DOUBLE AS n FROM user_segments s JOIN (SELECT DISTINCT user_id FROM events
      WHERE nullif(trim(source), '') IS NOT NULL) e USING (user_id) WHERE s.traffic_source = 'Unknown'`));
    assert.equal(Number(unknown[0].n), 0, 'every user with a source has a traffic category');
  } finally {
    await db.close();
  }
});
