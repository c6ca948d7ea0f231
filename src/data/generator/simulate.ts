// Walk each user through time: first visit at sign-up, later visits by a calendar-shaped Poisson process until
// they churn, sessions planned and committed in order, refunds as short service visits days after an order.
import type { Prng } from './prng.ts';
import type { Catalog } from './catalog.ts';
import type { Users } from './users.ts';
import type { Vocab } from './vocab.ts';
import type { EventBuffer } from './buffer.ts';
import { CH, CHANNELS, seasonalCampaign } from './codes.ts';
import { DAY_MS, END_MS } from './params.ts';
import { dayOf, nextVisit, type Calendar } from './calendar.ts';
import { T, newPlan, planSession, type Shopper } from './session.ts';

/** Average visits per day of a user with activity 1 (tuned so the default shop has ~75K events). */
const BASE_RATE = 0.012;
const GAP_MS = 60_000;

interface Refund {
  t: number;
  order: number;
  products: number[];
  qty: number[];
}

/** Runs the behaviour model for one user at a time, writing committed sessions into the event buffer. */
export class Simulator {
  private sessions = 0;
  private orders = 0;
  private plan = newPlan();
  private pending: Refund[] = [];

  constructor(
    private rng: Prng,
    private cal: Calendar,
    private cat: Catalog,
    private users: Users,
    private vocab: Vocab,
    private buf: EventBuffer,
  ) {}

  /** Simulate every session of user `u`. */
  user(u: number): void {
    const { rng, cal, users } = this;
    const activity = users.activity[u];
    const perDay = BASE_RATE * activity;
    const offset = this.vocab.places.offset[users.place[u]];
    let t = users.signup[u];
    if (t < cal.start) {
      if (rng.chance(0.3)) return; // lapsed before the period: no visits in it
      t = nextVisit(rng, cal, cal.start, perDay, offset, END_MS);
    }
    const retained = rng.chance(0.25 + 0.08 * Math.min(activity, 3));
    let churnAt = retained ? Infinity : t + rng.exp(35 * DAY_MS * Math.pow(activity, 0.3));
    const shopper: Shopper = {
      band: users.band[u], prefCat: users.prefCat[u], prop: users.prop[u], power: activity > 8,
      buyer: false, channel: 0, device: 0, day: 0,
    };
    let cursor = -Infinity;
    let first = true;
    this.pending.length = 0;
    while (Number.isFinite(t)) {
      cursor = this.refundsBefore(u, t, cursor);
      const s = Math.max(t, cursor + GAP_MS);
      if (s > END_MS) break;
      shopper.day = dayOf(cal, s);
      const campaign = this.pickChannel(u, shopper, first);
      const end = planSession(rng, cal, this.cat, shopper, s, this.plan);
      if (end > END_MS) break;
      this.commit(u, shopper, campaign);
      cursor = end;
      first = false;
      if (this.plan.purchased) {
        shopper.buyer = true;
        if (rng.chance(0.35)) churnAt = Math.max(churnAt, end + rng.exp(75 * DAY_MS));
      }
      t = nextVisit(rng, cal, cursor, perDay, offset, churnAt);
    }
    this.refundsBefore(u, Infinity, cursor);
  }

  /** Set the session's channel and device on `s`; returns its campaign code (-1 none). */
  private pickChannel(u: number, s: Shopper, first: boolean): number {
    const { rng, users } = this;
    const own = users.channel[u];
    const month = this.cal.month[s.day];
    s.device = first || rng.chance(0.85) ? users.device[u] : users.device[u] === 0 ? 1 : 0;
    const r = first ? 0 : rng.next();
    if (first) s.channel = own;
    else if (r < 0.6) s.channel = own;
    else if (r < 0.78) s.channel = CH.direct;
    else if (r < 0.88) s.channel = CH.organic;
    else s.channel = users.newsletter[u] ? CH.email : CH.retarget;
    if (first) return users.campaign[u];
    if (s.channel === CH.email) return month >= 10 ? 14 : rng.chance(0.3) ? 13 : 12;
    if (s.channel === CH.retarget && s.channel !== own) return 8;
    const camps = CHANNELS[s.channel].campaigns;
    if (camps.length === 0) return -1;
    return CHANNELS[s.channel].medium === 'paid_social' ? seasonalCampaign(month, rng.next()) : camps[rng.int(camps.length)];
  }

  private commit(u: number, s: Shopper, campaign: number): void {
    const { plan, buf, rng } = this;
    const order = plan.purchased ? this.orders++ : -1;
    buf.begin(u, this.sessions++, s.channel, campaign, s.device);
    const refund: Refund | null = plan.purchased && rng.chance(0.03) ? { t: 0, order, products: [], qty: [] } : null;
    for (let i = 0; i < plan.n; i++) {
      const type = plan.type[i];
      const isLine = type === T.purchase;
      buf.push(type, plan.ts[i], plan.product[i], type === T.cart || isLine ? plan.qty[i] : 0, isLine ? order : -1);
      if (isLine && refund && (refund.products.length === 0 || rng.chance(0.3))) {
        refund.products.push(plan.product[i]);
        refund.qty.push(plan.qty[i]);
      }
    }
    if (refund) {
      refund.t = plan.ts[plan.n - 1] + 2 * DAY_MS + Math.floor(rng.next() * 28 * DAY_MS);
      this.pending.push(refund);
    }
  }

  /** Emit pending refund visits due before `limit`, each after the previous visit; returns the new cursor. */
  private refundsBefore(u: number, limit: number, cursor: number): number {
    const { pending, rng, buf } = this;
    for (;;) {
      let k = -1;
      for (let i = 0; i < pending.length; i++) if (pending[i].t < limit && (k < 0 || pending[i].t < pending[k].t)) k = i;
      if (k < 0) return cursor;
      const r = pending.splice(k, 1)[0];
      let t = Math.max(r.t, cursor + GAP_MS);
      const steps = 2 + r.products.length;
      if (t + steps * 120_000 > END_MS) continue; // would not finish inside the period
      buf.begin(u, this.sessions++, CH.direct, -1, this.users.device[u]);
      buf.push(T.start, t, -1, 0, -1);
      t += 30_000 + rng.int(150_000);
      for (let i = 0; i < r.products.length; i++) buf.push(T.refund, (t += 1_000), r.products[i], r.qty[i], r.order);
      t += 10_000 + rng.int(50_000);
      buf.push(T.end, t, -1, 0, -1);
      cursor = t;
    }
  }
}
