// Live mode on the demo shop: a tick loop (simulate in live.worker, append on a connection of its own), the feed and
// counters the Live panel shows, and when views refresh: the Overview's KPIs every tick, everything else (panels,
// the current screen, segmentations, the stored file) on the heavy-refresh interval and on pause.
import * as Comlink from 'comlink';
import type { CancellableDb } from '../db/browser-db.ts';
import type { DatasetRecord } from '../data/datasets.ts';
import { checkpoint, updateDatasetCounts } from '../data/datasets.ts';
import { literal } from '../sql/quote.ts';
import { toRows } from '../lib/rows.ts';
import { messageOf } from '../errors.ts';
import { validateParams, type GenParams } from '../data/generator/params.ts';
import { DEFAULT_LIVE, initialCounters, validateLiveSettings, type LiveSettings } from '../data/live/sim.ts';
import { appendTick, clearLiveState, readLiveState, shopCounters, writeLiveState, type FeedRow, type LiveState } from '../data/live/append.ts';
import type { LiveWorkerApi } from '../db/protocols.ts';

/** What the controller needs from the app (kept narrow: the app owns the engine and the dataset). */
export interface LiveHost {
  readonly db: { fork(): Promise<CancellableDb> } | null;
  readonly dataset: DatasetRecord | null;
  /** True while the segmentations are being recomputed (a heavy refresh still under way). */
  readonly refreshing: boolean;
  /** A tick landed: cached query results are stale. */
  dataAppended(): void;
  /** The heavy refresh: every view re-queries, segmentations catch up. */
  refreshAll(): void;
}

/** A feed row and whether it came with the latest tick. */
export type LiveFeedRow = FeedRow & { fresh: boolean };

/** Heavy-refresh intervals offered (ms). */
export const HEAVY_INTERVALS = [10_000, 30_000, 60_000, 120_000] as const;
export const FEED_ROWS = 10;
const SPARK_MINUTES = 30;
const CHANNEL = 'strata-live';

/** The demo shop's generator params, or null for an import. */
export function demoParams(d: DatasetRecord | null): GenParams | null {
  if (!d || d.kind !== 'demo' || !d.meta) return null;
  try {
    return validateParams(JSON.parse(d.meta));
  } catch {
    return null;
  }
}

export class LiveController {
  status = $state<'off' | 'starting' | 'running' | 'paused'>('off');
  settings = $state<LiveSettings>({ ...DEFAULT_LIVE });
  heavyMs = $state(30_000);
  totals = $state({ orders: 0, revenue: 0, newUsers: 0 });
  feed = $state<LiveFeedRow[]>([]);
  /** Orders and revenue per real minute since live mode started in this page (the sparkline), oldest first. */
  minutes = $state<{ at: number; orders: number; revenue: number }[]>([]);
  /** Ticks done, and events in the dataset now (null until known). */
  ticks = $state(0);
  events = $state<number | null>(null);
  /** Milliseconds the last tick took (simulate + append), for the panel and the bench. */
  lastTickMs = $state<number | null>(null);
  error = $state<string | null>(null);
  /** Set when the last heavy refresh could not write the stored file (retried at the next one). */
  saveError = $state<string | null>(null);
  /** Set when another tab runs this shop live. */
  elsewhere = $state<string | null>(null);
  /** The time of the last heavy refresh (ms since epoch). */
  lastHeavy = $state<number | null>(null);
  /** The last ticks' costs (simulate + append, ms), oldest first: read by the benchmark (not reactive). */
  readonly tickTimes: number[] = [];

  private state: LiveState | null = null;
  private conn: CancellableDb | null = null;
  private worker: Worker | null = null;
  private remote: Comlink.Remote<LiveWorkerApi> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private heavyTimer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  /**
   * Everything this controller runs on its connection (a tick's append, the heavy refresh's counts and CHECKPOINT,
   * the stored state) goes through one lane, one at a time: a CHECKPOINT landing inside a tick's open transaction
   * aborts the tick (seen at 10M events, where a tick takes seconds and overlaps the 30 s refresh).
   */
  private lane: Promise<void> = Promise.resolve();
  private generation = 0;
  private channel: BroadcastChannel | null = null;

  constructor(private host: LiveHost) {
    if (typeof BroadcastChannel === 'function') {
      this.channel = new BroadcastChannel(CHANNEL);
      this.channel.onmessage = (e: MessageEvent) => this.onMessage(e.data);
    }
  }

  /** The shop this dataset is, when live mode can run on it. */
  get params(): GenParams | null {
    return demoParams(this.host.dataset);
  }

  /** A dataset was opened: stop any loop, and show a stored live state (paused) if it has one. */
  async attach(rec: DatasetRecord | null): Promise<void> {
    const gen = ++this.generation;
    await this.halt();
    this.status = 'off';
    this.state = null;
    this.feed = [];
    this.minutes = [];
    this.totals = { orders: 0, revenue: 0, newUsers: 0 };
    this.ticks = 0;
    this.events = null;
    this.error = null;
    this.channel?.postMessage({ type: 'ask' });
    if (!rec || !demoParams(rec) || !this.host.db) return;
    try {
      const conn = await this.connection(rec);
      const s = await readLiveState(conn);
      if (gen !== this.generation || !s) return;
      this.state = { ...s, status: 'paused' };
      this.settings = s.settings;
      this.totals = s.totals;
      this.ticks = s.counters.tick;
      this.events = s.counters.nextEventId - 1;
      this.feed = await recentOrders(conn, s.start.nextEventId);
      this.status = 'paused';
    } catch (err) {
      if (gen === this.generation) this.error = `Live mode could not read its state: ${messageOf(err)}`;
    }
  }

  /** Switch live mode on (or resume it). */
  async start(): Promise<void> {
    const rec = this.host.dataset;
    const params = this.params;
    if (!rec || !params || this.status === 'running' || this.status === 'starting') return;
    const gen = this.generation;
    this.status = 'starting';
    this.error = null;
    try {
      const conn = await this.connection(rec);
      if (!this.state) {
        const shop = await shopCounters(conn);
        const counters = initialCounters(params, shop);
        this.state = {
          params, settings: { ...this.settings }, counters, start: counters, totals: { orders: 0, revenue: 0, newUsers: 0 },
          lastEventMs: shop.lastEventMs, status: 'running',
        };
        this.events = shop.events;
      }
      this.state = { ...this.state, settings: { ...this.settings }, status: 'running' };
      await writeLiveState(conn, this.state);
      await this.simulator(params, this.state.settings);
      if (gen !== this.generation) return;
      this.status = 'running';
      this.announce();
      this.schedule(0);
      this.scheduleHeavy();
    } catch (err) {
      if (gen !== this.generation) return;
      this.status = this.state ? 'paused' : 'off';
      this.error = `Live mode could not start: ${messageOf(err)}`;
    }
  }

  /** Pause: no more ticks; views, segmentations and the stored file catch up. */
  async pause(): Promise<void> {
    if (this.status !== 'running') return;
    await this.halt();
    this.status = 'paused';
    // Other tabs learn of it now, not after the catch-up below (seconds on a big shop or a busy machine).
    this.announce();
    if (this.state && this.conn) {
      this.state = { ...this.state, status: 'paused' };
      const conn = this.conn;
      const state = this.state;
      await this.serial(() => writeLiveState(conn, state)).catch(() => undefined);
    }
    await this.heavy();
  }

  /** Stop: the dataset is an ordinary one again (what was appended stays). */
  async stop(): Promise<void> {
    await this.halt();
    const conn = this.conn;
    if (conn) await this.serial(() => clearLiveState(conn)).catch(() => undefined);
    const wasLive = this.state !== null;
    this.state = null;
    this.status = 'off';
    this.feed = [];
    this.minutes = [];
    this.totals = { orders: 0, revenue: 0, newUsers: 0 };
    this.announce();
    if (wasLive) await this.heavy();
  }

  /** Change the settings (a running loop picks the new interval and speed up at its next tick). */
  async configure(next: Partial<LiveSettings>, heavyMs?: number): Promise<void> {
    this.settings = validateLiveSettings({ ...this.settings, ...next });
    if (heavyMs !== undefined) this.heavyMs = heavyMs;
    if (this.state) this.state = { ...this.state, settings: { ...this.settings } };
    if (this.status === 'running' && this.state && this.remote) {
      await this.remote.init(this.state.params, this.settings);
      this.scheduleHeavy();
    }
  }

  /** Stop timers and wait for a tick (and any work on the connection) in flight; the connection stays. */
  private async halt(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    if (this.heavyTimer) clearTimeout(this.heavyTimer);
    this.timer = this.heavyTimer = null;
    const was = this.status;
    if (was === 'running') this.status = 'paused';
    await this.running?.catch(() => undefined);
    await this.lane;
  }

  /** Run `work` on the connection after everything queued before it (see `lane`). */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const done = this.lane.then(work);
    this.lane = done.then(() => undefined, () => undefined);
    return done;
  }

  private async connection(rec: DatasetRecord): Promise<CancellableDb> {
    if (this.conn) await this.conn.close().catch(() => undefined);
    this.conn = null;
    const db = this.host.db;
    if (!db) throw new Error('The database is not open.');
    const conn = await db.fork();
    await conn.exec(`SET schema = ${literal(rec.schema)}`);
    this.conn = conn;
    return conn;
  }

  private async simulator(params: GenParams, settings: LiveSettings): Promise<void> {
    if (!this.worker) {
      this.worker = new Worker(new URL('../../workers/live.worker.ts', import.meta.url), { type: 'module', name: 'live' });
      this.remote = Comlink.wrap<LiveWorkerApi>(this.worker);
    }
    await this.remote!.init(params, settings);
  }

  private schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.step().finally(() => (this.running = null));
    }, delay);
  }

  private scheduleHeavy(): void {
    if (this.heavyTimer) clearTimeout(this.heavyTimer);
    this.heavyTimer = setTimeout(() => {
      this.heavyTimer = null;
      if (this.status !== 'running') return;
      // The last refresh is still computing (10M events: segmentations take longer than the interval): skip this
      // one rather than queue the engine solid, so ticks keep their pace. Pause always refreshes.
      if (this.host.refreshing) {
        this.scheduleHeavy();
        return;
      }
      void this.heavy().finally(() => {
        if (this.status === 'running') this.scheduleHeavy();
      });
    }, this.heavyMs);
  }

  /** One tick: simulate, append, update the feed and counters; then the next one after the interval. */
  private async step(): Promise<void> {
    const gen = this.generation;
    const state = this.state;
    const conn = this.conn;
    if (this.status !== 'running' || !state || !conn || !this.remote) return;
    const t0 = performance.now();
    try {
      const remote = this.remote;
      const rows = await remote.tick(state.counters);
      const { summary, state: next } = await this.serial(() => appendTick(conn, state, rows));
      if (gen !== this.generation) return;
      this.state = next;
      this.totals = next.totals;
      this.ticks = next.counters.tick;
      this.events = next.counters.nextEventId - 1;
      if (summary.orders.length) {
        const fresh = summary.orders.slice(-FEED_ROWS).reverse().map((o) => ({ ...o, fresh: true }));
        this.feed = [...fresh, ...this.feed.map((o) => ({ ...o, fresh: false }))].slice(0, FEED_ROWS);
      } else if (this.feed.some((o) => o.fresh)) {
        this.feed = this.feed.map((o) => ({ ...o, fresh: false }));
      }
      this.spark(summary.orders.length, summary.revenue);
      this.lastTickMs = performance.now() - t0;
      this.tickTimes.push(this.lastTickMs);
      if (this.tickTimes.length > 200) this.tickTimes.shift();
      if (summary.events) this.host.dataAppended();
    } catch (err) {
      if (gen !== this.generation) return;
      console.error('Strata live tick failed', err);
      this.error = `A live tick failed (live mode paused; nothing was half-written): ${messageOf(err) || 'the engine gave no reason'}`;
      this.status = 'paused';
      return;
    }
    if (this.status === 'running' && gen === this.generation) {
      this.schedule(Math.max(0, this.settings.intervalMs - (performance.now() - t0)));
    }
  }

  private spark(orders: number, revenue: number): void {
    const at = Math.floor(Date.now() / 60_000) * 60_000;
    const last = this.minutes[this.minutes.length - 1];
    if (last && last.at === at) {
      this.minutes = [...this.minutes.slice(0, -1), { at, orders: last.orders + orders, revenue: last.revenue + revenue }];
    } else {
      this.minutes = [...this.minutes, { at, orders, revenue }].slice(-SPARK_MINUTES);
    }
  }

  /** Views re-query, segmentations catch up, the dataset's counts and the stored file are brought up to date. */
  private async heavy(): Promise<void> {
    const conn = this.conn;
    const rec = this.host.dataset;
    if (conn && rec && this.state) {
      try {
        await this.serial(async () => {
          await updateDatasetCounts(conn, rec.id);
          await checkpoint(conn);
        });
        this.saveError = null;
      } catch (err) {
        // Not fatal: the rows are in the database; the next refresh (or pause) writes the file again.
        this.saveError = `The latest live data is not saved to storage yet (${messageOf(err) || 'the engine gave no reason'}); it is retried at the next refresh.`;
      }
    }
    this.lastHeavy = Date.now();
    this.host.refreshAll();
  }

  private announce(): void {
    const p = this.params;
    this.channel?.postMessage({ type: 'status', status: this.status, shop: p ? `${p.users}:${p.days}:${p.seed}` : null });
  }

  private onMessage(m: unknown): void {
    const msg = m as { type?: string; status?: string; shop?: string | null };
    if (msg?.type === 'ask') {
      if (this.status === 'running') this.announce();
      return;
    }
    if (msg?.type !== 'status') return;
    const p = this.params;
    const mine = p ? `${p.users}:${p.days}:${p.seed}` : null;
    if (!mine || msg.shop !== mine) return;
    this.elsewhere = msg.status === 'running'
      ? 'This demo shop is live in another tab: the events it adds there are not shown here (reload after it stops to see them).'
      : null;
  }
}

/** The latest live orders stored in the dataset (after a reload), newest first. */
async function recentOrders(db: CancellableDb, fromEventId: number): Promise<LiveFeedRow[]> {
  const rows = toRows(await db.query(`SELECT order_id, epoch_ms(min(ts))::DOUBLE AS ts, any_value(user_id) AS user_id,
    arg_min(p.name, e.event_id) AS product, arg_min(e.category, e.event_id) AS category, count(*)::INTEGER AS items,
    round(sum(e.revenue), 2)::DOUBLE AS amount, min(e.event_id) AS first
  FROM events e LEFT JOIN products p USING (product_id)
  WHERE e.event_type = 'purchase' AND e.event_id >= ${Math.trunc(fromEventId)}
  GROUP BY order_id ORDER BY first DESC LIMIT ${FEED_ROWS}`));
  return rows.map((r) => ({
    orderId: String(r.order_id), ts: Number(r.ts), userId: String(r.user_id), product: String(r.product ?? ''),
    category: String(r.category ?? ''), items: Number(r.items), amount: Number(r.amount), fresh: false,
  }));
}
