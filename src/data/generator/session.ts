// Plan one shopping session (views, cart adds, checkout, purchase lines) into a small scratch buffer; the caller
// commits it only if it ends inside the period, so no session is ever cut or crosses into another.
import type { Prng } from './prng.ts';
import type { Catalog } from './catalog.ts';
import type { Calendar } from './calendar.ts';
import { CATEGORY_SEASON, CATEGORY_W, CHANNELS, DEVICE_BOUNCE, DEVICE_CONV } from './codes.ts';
import { cumulative } from './prng.ts';

/** Event type codes, in EVENT_TYPES order (src/data/schema.ts). */
export const T = { start: 0, view: 1, cart: 2, checkout: 3, purchase: 4, refund: 5, end: 6 } as const;

const MAX = 64;
const MAX_VIEWS = 30;

/** A planned session: parallel arrays of events; `purchased` says whether purchase lines need an order id. */
export interface Plan {
  n: number;
  type: Int8Array;
  ts: Float64Array;
  product: Int16Array;
  qty: Int8Array;
  purchased: boolean;
}

/** A fresh scratch plan, reused for every session. */
export function newPlan(): Plan {
  return { n: 0, type: new Int8Array(MAX), ts: new Float64Array(MAX), product: new Int16Array(MAX), qty: new Int8Array(MAX), purchased: false };
}

/** Who is shopping and how: inputs to planSession. */
export interface Shopper {
  band: number; // income band
  prefCat: number;
  prop: number; // purchase propensity
  power: boolean;
  buyer: boolean; // has ordered before
  channel: number;
  device: number;
  day: number; // day index
}

/** Per-month cumulative category weights (seasonal interest). */
export const MONTH_CATS: Float64Array[] = Array.from({ length: 12 }, (_, m) =>
  cumulative(CATEGORY_W.map((w, c) => w * CATEGORY_SEASON[c][m])),
);

function add(p: Plan, type: number, ts: number, product: number, qty: number): void {
  const i = p.n++;
  p.type[i] = type;
  p.ts[i] = ts;
  p.product[i] = product;
  p.qty[i] = qty;
}

function quantity(rng: Prng, price: number): number {
  const r = rng.next();
  if (price < 30) return r < 0.6 ? 1 : r < 0.86 ? 2 : 3;
  if (price < 100) return r < 0.86 ? 1 : 2;
  return r < 0.96 ? 1 : 2;
}

/** Plan a session starting at `start`; returns its end time. */
export function planSession(rng: Prng, cal: Calendar, cat: Catalog, s: Shopper, start: number, p: Plan): number {
  p.n = 0;
  p.purchased = false;
  const ch = CHANNELS[s.channel];
  const desktop = s.device === 1;
  const m = ch.conv * DEVICE_CONV[s.device] * s.prop * cal.conv[s.day] * (s.buyer ? 1.3 : 1);
  const months = MONTH_CATS[cal.month[s.day]];
  const cum = cat.cumByBand[s.band];
  let t = start;
  add(p, T.start, t, -1, 0);
  const bounce = rng.chance(Math.min(0.9, ch.bounce * DEVICE_BOUNCE[s.device]));
  let views = 1;
  if (!bounce) {
    const mean = 2.6 * (desktop ? 1.3 : 1) * (s.power ? 1.4 : 1);
    while (views < MAX_VIEWS && rng.chance(mean / (mean + 1))) views++;
  }
  let carts = 0;
  if (!bounce && rng.chance(Math.min(0.85, 0.3 * m))) carts = Math.min(views, 1 + (rng.chance(0.3) ? 1 : 0) + (rng.chance(0.1) ? 1 : 0));
  const sessionCat = rng.chance(0.5) ? s.prefCat : rng.pickCum(months);
  const cartStart = p.n;
  let cartLines = 0;
  for (let v = 0; v < views; v++) {
    const c = rng.chance(0.7) ? sessionCat : rng.pickCum(months);
    const prod = rng.pickCum(cum, cat.catFrom[c], cat.catTo[c]);
    t += (v === 0 ? 2_000 + rng.int(15_000) : 4_000) + Math.min(900_000, Math.floor(rng.exp(desktop ? 55_000 : 40_000)));
    add(p, T.view, t, prod, 0);
    const left = views - v;
    if (carts - cartLines > 0 && rng.chance((carts - cartLines) / left)) {
      let dup = false;
      for (let i = cartStart; i < p.n; i++) if (p.type[i] === T.cart && p.product[i] === prod) dup = true;
      cartLines++;
      if (dup) continue;
      t += 3_000 + rng.int(25_000);
      add(p, T.cart, t, prod, quantity(rng, cat.price[prod]));
    }
  }
  const firstCart = p.type.indexOf(T.cart, cartStart);
  if (firstCart >= 0 && firstCart < p.n && rng.chance(Math.min(0.95, 0.58 * Math.sqrt(m)))) {
    t += 15_000 + rng.int(90_000);
    add(p, T.checkout, t, -1, 0);
    if (rng.chance(Math.min(0.97, 0.8 * Math.pow(m, 0.2)))) {
      t += 20_000 + rng.int(120_000);
      const last = p.n;
      for (let i = cartStart; i < last; i++) {
        if (p.type[i] !== T.cart) continue;
        add(p, T.purchase, t, p.product[i], p.qty[i]);
        t += 1_000;
      }
      p.purchased = true;
    }
  }
  t += 3_000 + rng.int(60_000);
  add(p, T.end, t, -1, 0);
  return t;
}
