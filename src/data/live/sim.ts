// The live shop: the demo shop's generator continued tick by tick. Each tick covers a stretch of simulated time
// after the data's last event; visits arrive by a Poisson process shaped like the shop's own calendar (weekday and
// season, and each visitor's local hour of day), mostly from the shop's users (weighted by their hidden activity,
// the same traits the generator drew for them) with some new sign-ups, each session planned by the generator's own
// session model (channels, devices, categories, prices, conversion). Pure and seeded: tick k of a shop depends only
// on the shop's params, the settings and the counters before it, so the same seed and tick count give the same events.
import { Prng } from '../generator/prng.ts';
import { vocabFor, type Vocab } from '../generator/vocab.ts';
import { buildCalendar, buildCalendarFrom, HOUR, HOUR_MAX, type Calendar } from '../generator/calendar.ts';
import { generateUsers, type Users } from '../generator/users.ts';
import { buildCatalog, type Catalog } from '../generator/catalog.ts';
import { CH, CHANNELS, seasonalCampaign } from '../generator/codes.ts';
import { T, newPlan, planSession, type Shopper } from '../generator/session.ts';
import { DAY_MS, END_MS, validateParams, type GenParams } from '../generator/params.ts';
import type { Column } from '../generator/arrow.ts';
import { StrataError } from '../../errors.ts';

/** How the live shop runs. */
export interface LiveSettings {
  /** Real milliseconds between ticks (500–10,000). */
  intervalMs: number;
  /** Simulated minutes each tick covers (1–1,440): the speed at which the shop's day and week cycles pass. */
  simMinutes: number;
  /** Visits per simulated minute at an average hour and day (0.01–20). */
  traffic: number;
  /** Share of visits by someone signing up (0–0.5). */
  newUserShare: number;
}

export const DEFAULT_LIVE: LiveSettings = { intervalMs: 2000, simMinutes: 30, traffic: 0.5, newUserShare: 0.08 };

const LIMITS: Record<keyof LiveSettings, [number, number]> = {
  intervalMs: [500, 10_000], simMinutes: [1, 1440], traffic: [0.01, 20], newUserShare: [0, 0.5],
};

/** Check untrusted settings (a form, a stored row); throws a StrataError naming the bad one. */
export function validateLiveSettings(x: unknown): LiveSettings {
  const o = (x && typeof x === 'object' ? x : {}) as Record<string, unknown>;
  const out = { ...DEFAULT_LIVE };
  for (const [k, [lo, hi]] of Object.entries(LIMITS) as [keyof LiveSettings, [number, number]][]) {
    const v = o[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
      throw new StrataError(`Live setting "${k}" must be a number from ${lo} to ${hi} (got ${JSON.stringify(v)}).`);
    }
    out[k] = v;
  }
  return out;
}

/** Where the live shop stands: the next tick and the next free numbers (stored with the dataset). */
export interface LiveCounters {
  /** Ticks done so far. */
  tick: number;
  /** The simulated clock: the next tick covers [clockMs, clockMs + simMinutes). */
  clockMs: number;
  /** The next user index (user id U%06d of index + 1); the shop's own users are 0 … params.users − 1. */
  nextUser: number;
  nextSession: number;
  nextOrder: number;
  nextEventId: number;
}

/** One tick's rows, as numeric columns for the shared finalize SQL (eventColumnsSql / usersSelectSql). */
export interface TickRows {
  /** stg_users-shaped columns of the users who signed up in this tick (null when none). */
  users: Record<string, Column> | null;
  /** Event rows: event_id, user_idx, sn, onum, type, ts_ms, product_idx, quantity, order_idx, channel, campaign, device. */
  events: Record<string, Column>;
  eventCount: number;
  /** Counters after the tick. */
  counters: LiveCounters;
}

/** New users the pool holds before it repeats its traits (ids stay new). */
const POOL = 20_000;
/** Days of calendar the live clock can run through (ten years). */
const LIVE_DAYS = 3650;
/** Largest number of visits one tick may start (a bound on memory and on the tick's cost). */
const MAX_VISITS = 5000;

/** A tick's own seed: the shop's seed and the tick number mixed (splitmix-style), never 0. */
export function tickSeed(seed: number, tick: number): number {
  let h = (seed ^ Math.imul(tick + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) || 1;
}

/** The counters a freshly generated shop starts live from (its last event, users, sessions, orders, events). */
export function initialCounters(params: GenParams, shop: { lastEventMs: number; sessions: number; orders: number; events: number }): LiveCounters {
  const p = validateParams(params);
  return {
    tick: 0,
    clockMs: Math.max(shop.lastEventMs + 1, END_MS + 1),
    nextUser: p.users,
    nextSession: shop.sessions + 1,
    nextOrder: shop.orders + 1,
    nextEventId: shop.events + 1,
  };
}

/** The live shop's simulator for one generated shop. */
export class LiveSim {
  readonly params: GenParams;
  private readonly vocab: Vocab;
  private readonly users: Users;
  private readonly pool: Users;
  private readonly cat: Catalog;
  private readonly cal: Calendar;
  /** Cumulative activity of every user who can visit (the shop's, then each live sign-up's). */
  private cum: Float64Array;
  private known: number;
  private readonly plan = newPlan();

  constructor(params: GenParams, readonly settings: LiveSettings) {
    this.params = validateParams(params);
    const p = this.params;
    this.vocab = vocabFor(p.seed);
    // The same draws generateShop made, in the same order: the shop's users with their hidden traits.
    this.users = generateUsers(p, buildCalendar(p), this.vocab, new Prng(p.seed));
    this.pool = generateUsers({ users: POOL, days: p.days, seed: tickSeed(p.seed, -2) }, buildCalendar(p), this.vocab, new Prng(tickSeed(p.seed, -1)));
    this.cat = buildCatalog(p.seed, this.vocab);
    this.cal = buildCalendarFrom(END_MS + 1000, LIVE_DAYS); // from 2026-01-01
    this.cum = new Float64Array(p.users + 1024);
    this.known = 0;
    this.grow(p.users);
  }

  /** Make users below `n` eligible to visit (the shop's users, then live sign-ups). */
  private grow(n: number): void {
    if (n <= this.known) return;
    if (n > this.cum.length) {
      const next = new Float64Array(Math.max(n, this.cum.length * 2));
      next.set(this.cum.subarray(0, this.known));
      this.cum = next;
    }
    for (let i = this.known; i < n; i++) this.cum[i] = (i > 0 ? this.cum[i - 1] : 0) + this.trait(i).activity;
    this.known = n;
  }

  /** A user's traits (a shop user's own, a live sign-up's from the pool). */
  private trait(i: number) {
    const own = i < this.params.users;
    const u = own ? this.users : this.pool;
    const k = own ? i : (i - this.params.users) % POOL;
    return {
      activity: u.activity[k], prop: u.prop[k], band: u.band[k], prefCat: u.prefCat[k], device: u.device[k],
      channel: u.channel[k], campaign: u.campaign[k], newsletter: u.newsletter[k], place: u.place[k], k, own,
    };
  }

  /** Simulate one tick after `before`; returns its rows and the counters after it. Pure in (params, settings, before). */
  tick(before: LiveCounters): TickRows {
    const { settings, cal } = this;
    const rng = new Prng(tickSeed(this.params.seed, before.tick));
    const c = { ...before };
    this.grow(c.nextUser);
    const span = settings.simMinutes * 60_000;
    const from = c.clockMs;
    const peak = cal.maxTraffic * HOUR_MAX;
    // Candidate visits at the peak rate, thinned by the day's traffic and the visitor's local hour.
    const mean = settings.traffic * settings.simMinutes * peak;
    const candidates = Math.min(MAX_VISITS, poisson(rng, mean));
    const starts: number[] = [];
    for (let i = 0; i < candidates; i++) starts.push(from + Math.floor(rng.next() * span));
    starts.sort((a, b) => a - b);
    const ev = new Rows();
    let localOrders = 0;
    const newUsers: number[] = [];
    const signedUpAt: number[] = [];
    for (const start of starts) {
      const signup = rng.chance(settings.newUserShare);
      const idx = signup ? c.nextUser : rng.pickCum(this.cum, 0, this.known);
      const t = this.trait(idx);
      const d = Math.min(cal.days - 1, Math.max(0, Math.floor((start - cal.start) / DAY_MS)));
      const localHour = Math.floor((start + this.vocab.places.offset[t.place] * 3_600_000) / 3_600_000) % 24;
      if (rng.next() * peak >= cal.traffic[d] * HOUR[(localHour + 24) % 24]) continue; // thinned out
      if (signup) {
        newUsers.push(idx);
        signedUpAt.push(start);
        c.nextUser++;
        this.grow(c.nextUser);
      }
      const shopper: Shopper = {
        band: t.band, prefCat: t.prefCat, prop: t.prop, power: t.activity > 8, buyer: false, channel: t.channel,
        device: t.device, day: d,
      };
      const campaign = this.pickChannel(rng, t, shopper, signup);
      planSession(rng, cal, this.cat, shopper, start, this.plan);
      const order = this.plan.purchased ? localOrders++ : -1; // numbered in time order once the tick is sorted
      const sn = c.nextSession++;
      for (let i = 0; i < this.plan.n; i++) {
        const type = this.plan.type[i];
        const line = type === T.purchase;
        ev.push(idx, sn, order, type, this.plan.ts[i], this.plan.product[i], type === T.cart || line ? this.plan.qty[i] : 0,
          line ? order : -1, shopper.channel, campaign, shopper.device);
      }
    }
    const events = ev.columns(c);
    c.tick++;
    c.clockMs = from + span;
    return { users: newUsers.length ? this.userColumns(newUsers, signedUpAt) : null, events: events.cols, eventCount: events.n, counters: c };
  }

  /** The session's channel and device (as the generator picks them); returns its campaign code (-1 none). */
  private pickChannel(rng: Prng, t: ReturnType<LiveSim['trait']>, s: Shopper, first: boolean): number {
    const month = this.cal.month[s.day];
    s.device = first || rng.chance(0.85) ? t.device : t.device === 0 ? 1 : 0;
    if (first) {
      s.channel = t.channel;
      return t.campaign;
    }
    const r = rng.next();
    s.channel = r < 0.6 ? t.channel : r < 0.78 ? CH.direct : r < 0.88 ? CH.organic : t.newsletter ? CH.email : CH.retarget;
    if (s.channel === CH.email) return month >= 10 ? 14 : rng.chance(0.3) ? 13 : 12;
    if (s.channel === CH.retarget && s.channel !== t.channel) return 8;
    const camps = CHANNELS[s.channel].campaigns;
    if (camps.length === 0) return -1;
    return CHANNELS[s.channel].medium === 'paid_social' ? seasonalCampaign(month, rng.next()) : camps[rng.int(camps.length)];
  }

  /** stg_users columns for live sign-ups: the pool's traits, signed up at their first visit. */
  private userColumns(idx: number[], signedUpAt: number[]): Record<string, Column> {
    const pool = this.pool.columns;
    const pick = <A extends Int8Array | Int16Array | Int32Array | Float64Array>(col: A, make: (n: number) => A): A => {
      const out = make(idx.length);
      idx.forEach((u, i) => (out[i] = col[(u - this.params.users) % POOL]));
      return out;
    };
    const cols: Record<string, Column> = {};
    for (const [name, col] of Object.entries(pool)) {
      if (Array.isArray(col)) continue;
      if (col instanceof Int8Array) cols[name] = pick(col, (n) => new Int8Array(n));
      else if (col instanceof Int16Array) cols[name] = pick(col, (n) => new Int16Array(n));
      else if (col instanceof Int32Array) cols[name] = pick(col, (n) => new Int32Array(n));
      else cols[name] = pick(col, (n) => new Float64Array(n));
    }
    cols.user_idx = Int32Array.from(idx);
    cols.signup_ms = Float64Array.from(signedUpAt);
    return cols;
  }
}

/** A Poisson draw (Knuth's product for small means, a rounded normal above 50). */
function poisson(rng: Prng, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.normal()));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

/** A tick's event rows, in time order with event ids assigned after sorting. */
class Rows {
  private r: number[][] = [];
  push(user: number, sn: number, onum: number, type: number, ts: number, product: number, qty: number, order: number, channel: number, campaign: number, device: number): void {
    this.r.push([user, sn, onum, type, ts, product, qty, order, channel, campaign, device, this.r.length]);
  }
  columns(c: LiveCounters): { cols: Record<string, Column>; n: number } {
    // The shop's order: time, then user, then the event's place in its session.
    this.r.sort((a, b) => a[4] - b[4] || a[0] - b[0] || a[11] - b[11]);
    // Orders are numbered by their first line's time, as the shop numbers them.
    const number = new Map<number, number>();
    for (const x of this.r) {
      if (x[7] < 0) {
        x[2] = -1;
        continue;
      }
      let o = number.get(x[7]);
      if (o === undefined) number.set(x[7], (o = c.nextOrder++));
      x[2] = x[7] = o;
    }
    const n = this.r.length;
    const i32 = (k: number) => Int32Array.from(this.r, (x) => x[k]);
    const i8 = (k: number) => Int8Array.from(this.r, (x) => x[k]);
    const cols: Record<string, Column> = {
      event_id: Float64Array.from(this.r, (_, i) => c.nextEventId + i),
      user_idx: i32(0), sn: i32(1), onum: i32(2), type: i8(3), ts_ms: Float64Array.from(this.r, (x) => x[4]),
      product_idx: Int16Array.from(this.r, (x) => x[5]), quantity: i8(6), order_idx: i32(7), channel: i8(8),
      campaign: i8(9), device: i8(10),
    };
    c.nextEventId += n;
    return { cols, n };
  }
}
