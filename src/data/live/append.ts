// Append one live tick to the current dataset: its new users and events, then user_metrics for the users the tick
// touched only (and every user's "days since" columns when the data's last day moved) and session_metrics for the
// sessions it touched, in one transaction, with the live state stored beside them so a reload continues where it
// stopped.
import type { Db } from '../../db/types.ts';
import { toRows } from '../../lib/rows.ts';
import { literal } from '../../sql/quote.ts';
import { toIpc } from '../generator/arrow.ts';
import { eventColumnsSql, nameListsSql, usersSelectSql } from '../generator/finalize.ts';
import { T } from '../generator/session.ts';
import { buildCatalog } from '../generator/catalog.ts';
import { vocabFor } from '../generator/vocab.ts';
import { CATEGORIES } from '../generator/codes.ts';
import { DAY_MS, validateParams, type GenParams } from '../generator/params.ts';
import { storesFirstTouch, userMetricsSelectSql } from '../user-metrics.ts';
import { hasSessionMetrics, hasSessionPaths, sessionMetricsSelectSql } from '../session-metrics.ts';
import { validateLiveSettings, type LiveCounters, type LiveSettings, type TickRows } from './sim.ts';

/** One order of a tick, for the live feed. */
export interface FeedRow {
  orderId: string;
  ts: number;
  userId: string;
  product: string;
  category: string;
  items: number;
  amount: number;
}

/** What a tick added. */
export interface TickSummary {
  tick: number;
  events: number;
  orders: FeedRow[];
  revenue: number;
  newUsers: number;
  touchedUsers: number;
  /** The data's last event after the tick (epoch ms), or the one before when the tick added nothing. */
  lastEventMs: number;
}

/** The live state stored with the dataset (one row). */
export interface LiveState {
  params: GenParams;
  settings: LiveSettings;
  counters: LiveCounters;
  /** The counters when live mode was switched on: "since live started" counts from here. */
  start: LiveCounters;
  /** Since live started: orders, revenue (purchases), new users. */
  totals: { orders: number; revenue: number; newUsers: number };
  /** The data's last event (epoch ms). */
  lastEventMs: number;
  /** 'running' or 'paused' (a stopped shop has no state row). */
  status: 'running' | 'paused';
}

const STAGE_USERS = 'strata_live_users';
const STAGE_EVENTS = 'strata_live_events';

/** The catalog's product names and categories (decoded once per shop). */
const catalogs = new Map<number, { names: string[]; categories: string[]; prices: Float64Array }>();
function catalogOf(seed: number) {
  let c = catalogs.get(seed);
  if (!c) {
    const cat = buildCatalog(seed, vocabFor(seed));
    c = { names: cat.columns.name as string[], categories: Array.from(cat.category, (k) => CATEGORIES[k]), prices: cat.price };
    catalogs.set(seed, c);
  }
  return c;
}

/** The orders a tick's rows hold, newest last, as the feed shows them. */
export function feedRows(params: GenParams, rows: TickRows): FeedRow[] {
  const cat = catalogOf(params.seed);
  const e = rows.events;
  const type = e.type as Int8Array;
  const byOrder = new Map<number, FeedRow>();
  for (let i = 0; i < rows.eventCount; i++) {
    if (type[i] !== T.purchase) continue;
    const onum = (e.onum as Int32Array)[i];
    const product = (e.product_idx as Int16Array)[i];
    const amount = Math.round(cat.prices[product] * (e.quantity as Int8Array)[i] * 100) / 100;
    const row = byOrder.get(onum);
    if (row) {
      row.items++;
      row.amount = Math.round((row.amount + amount) * 100) / 100;
      continue;
    }
    byOrder.set(onum, {
      orderId: `O${String(onum).padStart(7, '0')}`, ts: (e.ts_ms as Float64Array)[i],
      userId: `U${String((e.user_idx as Int32Array)[i] + 1).padStart(6, '0')}`,
      product: cat.names[product], category: cat.categories[product], items: 1, amount,
    });
  }
  return [...byOrder.values()].sort((a, b) => a.ts - b.ts || (a.orderId < b.orderId ? -1 : 1));
}

/** Create the live state table if missing. */
export async function ensureLiveTable(db: Db): Promise<void> {
  await db.exec('CREATE TABLE IF NOT EXISTS live_state (id INTEGER PRIMARY KEY, state VARCHAR NOT NULL)');
}

/** The stored live state of the current dataset, or null (never live, or stopped). */
export async function readLiveState(db: Db): Promise<LiveState | null> {
  const exists = toRows(await db.query(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE database_name = current_database()
    AND schema_name = current_schema() AND table_name = 'live_state'`))[0].n;
  if (!exists) return null;
  const r = toRows(await db.query('SELECT state FROM live_state WHERE id = 1'));
  if (!r.length) return null;
  try {
    const s = JSON.parse(String(r[0].state)) as LiveState;
    return { ...s, params: validateParams(s.params), settings: validateLiveSettings(s.settings) };
  } catch {
    return null; // a damaged row: live mode starts afresh
  }
}

/** SQL storing `state` (inside the caller's transaction). */
function writeStateSql(state: LiveState): string {
  return `INSERT OR REPLACE INTO live_state VALUES (1, ${literal(JSON.stringify(state))})`;
}

/** Store `state` on its own. */
export async function writeLiveState(db: Db, state: LiveState): Promise<void> {
  await ensureLiveTable(db);
  await db.exec(writeStateSql(state));
}

/** Forget the live state (stop: the dataset is an ordinary one again, keeping what was appended). */
export async function clearLiveState(db: Db): Promise<void> {
  await ensureLiveTable(db);
  await db.exec('DELETE FROM live_state');
}

/**
 * Append `rows` (tick `state.counters.tick`) to the current dataset and advance `state`; returns what the tick
 * added. All or nothing: on failure the dataset and the stored state are as before.
 */
export async function appendTick(db: Db, state: LiveState, rows: TickRows): Promise<{ summary: TickSummary; state: LiveState }> {
  const p = state.params;
  const orders = feedRows(p, rows);
  const revenue = Math.round(orders.reduce((s, o) => s + o.amount, 0) * 100) / 100;
  const newUsers = rows.users ? (rows.users.user_idx as Int32Array).length : 0;
  let lastEventMs = state.lastEventMs;
  const ts = rows.events.ts_ms as Float64Array;
  for (let i = 0; i < rows.eventCount; i++) lastEventMs = Math.max(lastEventMs, ts[i]);
  const next: LiveState = {
    ...state,
    counters: rows.counters,
    totals: { orders: state.totals.orders + orders.length, revenue: Math.round((state.totals.revenue + revenue) * 100) / 100, newUsers: state.totals.newUsers + newUsers },
    lastEventMs,
  };
  let touched = 0;
  await ensureLiveTable(db);
  // user_metrics rows are rebuilt with the columns the table has (a dataset stored before it kept the first touch
  // has none); only a tick with events rebuilds any.
  const firstTouch = rows.eventCount > 0 && (await storesFirstTouch(db));
  // session_metrics rows of the sessions the tick touched are rebuilt too (a dataset stored before it has none).
  const sessions = rows.eventCount > 0 && (await hasSessionMetrics(db));
  const paths = sessions && (await hasSessionPaths(db)); // (stored before the table had paths: the app rebuilds it)
  if (rows.eventCount > 0) {
    await db.insertArrow(STAGE_EVENTS, toIpc(rows.events));
    if (rows.users) await db.insertArrow(STAGE_USERS, toIpc(rows.users));
  }
  await db.exec('BEGIN TRANSACTION');
  try {
    if (rows.eventCount > 0) {
      if (rows.users) {
        const names = nameListsSql(p.seed);
        await db.exec(`INSERT INTO users BY NAME
WITH spend AS (SELECT NULL::INTEGER AS user_idx, NULL::DOUBLE AS total WHERE false),
u AS (SELECT s.*, ${names.first}[s.first + 1] AS fn, ${names.last}[s.last + 1] AS ln FROM ${STAGE_USERS} s)
${usersSelectSql(p)}`);
      }
      await db.exec(`INSERT INTO events BY NAME SELECT ${eventColumnsSql(p)} FROM ${STAGE_EVENTS} e;
CREATE OR REPLACE TEMP TABLE strata_live_touched AS SELECT DISTINCT printf('U%06d', user_idx + 1) AS user_id FROM ${STAGE_EVENTS};
DELETE FROM user_metrics WHERE user_id IN (SELECT user_id FROM temp.strata_live_touched);
INSERT INTO user_metrics BY NAME ${userMetricsSelectSql('SELECT user_id FROM temp.strata_live_touched', firstTouch)};`);
      if (sessions) {
        await db.exec(`CREATE OR REPLACE TEMP TABLE strata_live_sessions AS SELECT DISTINCT printf('S%07d', sn) AS session_id FROM ${STAGE_EVENTS};
DELETE FROM session_metrics WHERE session_id IN (SELECT session_id FROM temp.strata_live_sessions);
INSERT INTO session_metrics BY NAME ${sessionMetricsSelectSql('SELECT session_id FROM temp.strata_live_sessions', { path: paths })};`);
      }
      touched = Number(toRows(await db.query('SELECT count(*)::INTEGER AS n FROM temp.strata_live_touched'))[0].n);
      // "Days since" counts calendar days to the data's last event: when that day moves, it moves for everyone.
      if (Math.floor(lastEventMs / DAY_MS) !== Math.floor(state.lastEventMs / DAY_MS)) {
        await db.exec(`UPDATE user_metrics SET
  days_since_last_visit = date_diff('day', last_seen, b.now_ts)::INTEGER,
  days_since_last_purchase = date_diff('day', last_purchase, b.now_ts)::INTEGER
FROM (SELECT max(ts) AS now_ts FROM events) b`);
      }
    }
    await db.exec(writeStateSql(next));
    await db.exec('COMMIT');
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await db.exec(`DROP TABLE IF EXISTS ${STAGE_EVENTS}; DROP TABLE IF EXISTS ${STAGE_USERS}; DROP TABLE IF EXISTS temp.strata_live_touched; DROP TABLE IF EXISTS temp.strata_live_sessions`).catch(() => undefined);
  }
  return {
    summary: { tick: state.counters.tick, events: rows.eventCount, orders, revenue, newUsers, touchedUsers: touched, lastEventMs },
    state: next,
  };
}

/** The counters and last event of the current (generated) dataset, to start live mode from. */
export async function shopCounters(db: Db): Promise<{ lastEventMs: number; users: number; sessions: number; orders: number; events: number }> {
  const r = toRows(await db.query(`SELECT coalesce(epoch_ms(max(ts)), 0)::DOUBLE AS last,
  coalesce(max(TRY_CAST(substr(session_id, 2) AS BIGINT)), 0)::DOUBLE AS sessions,
  coalesce(max(TRY_CAST(substr(order_id, 2) AS BIGINT)), 0)::DOUBLE AS orders,
  coalesce(max(event_id), 0)::DOUBLE AS events,
  (SELECT coalesce(max(TRY_CAST(substr(user_id, 2) AS BIGINT)), 0) FROM users)::DOUBLE AS users
FROM events`))[0];
  return { lastEventMs: Number(r.last), users: Number(r.users), sessions: Number(r.sessions), orders: Number(r.orders), events: Number(r.events) };
}
