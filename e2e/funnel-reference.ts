// What the Funnels screen must show, computed independently in Node: the same shop loaded into native DuckDB, its
// plain event rows (rowid, user, session, type, timestamp) and users' countries read once, then funnels worked out
// with ordinary TypeScript loops following README "## Funnel semantics" (never the funnel SQL, its decoder or the
// screen's code), so a bug in the funnel analysis cannot hide in its own reference.
//
// Per unit (user or session): events sorted by time, then by the first step they match, then rowid; an attempt
// starts at every step-1 event (any order: at every event matching a step); sequential takes the first event of the
// next step after the current one, strict needs the unit's very next event to be it; every step must be within the
// window from the attempt's start (inclusive). Depth = best over attempts; the best attempt (deepest, earliest of
// equally deep) gives the entry, the user and the step times.
import { openNodeDb } from '../src/db/node-db.ts';
import { loadShop, type GenParams } from '../src/data/generator/index.ts';
import { toRows } from '../src/lib/rows.ts';

/** One event as plain values. */
export interface ShopEvent {
  rid: number;
  user: string | null;
  session: string | null;
  type: string | null;
  /** UTC timestamp, epoch ms (the generated shop has whole milliseconds). */
  ms: number;
}

export interface Shop {
  events: ShopEvent[];
  /** users.country by user id. */
  country: Map<string, string | null>;
}

const cache = new Map<string, Promise<Shop>>();

/** The generated shop's events (in rowid order) and users' countries, loaded once per params and worker. */
export function shopRows(params: GenParams): Promise<Shop> {
  const key = JSON.stringify(params);
  let shop = cache.get(key);
  if (!shop) {
    shop = (async () => {
      const db = await openNodeDb({ threads: 1 });
      await loadShop(db, params);
      const str = (v: unknown) => (v === null ? null : String(v));
      const events = toRows(await db.query('SELECT rowid AS rid, user_id, session_id, event_type, ts FROM events ORDER BY rowid'))
        .filter((r) => r.ts !== null)
        .map((r) => ({ rid: Number(r.rid), user: str(r.user_id), session: str(r.session_id), type: str(r.event_type), ms: Number(r.ts) }));
      const country = new Map<string, string | null>();
      for (const r of toRows(await db.query('SELECT user_id, country FROM users'))) country.set(String(r.user_id), str(r.country));
      return { events, country };
    })();
    cache.set(key, shop);
  }
  return shop;
}

export type RefOrder = 'sequential' | 'strict' | 'any';

/** A funnel over plain event types (the tests' steps carry no conditions). */
export interface RefSpec {
  steps: string[];
  order: RefOrder;
  /** Conversion window in ms (inclusive), or null for none. */
  windowMs: number | null;
  countBy: 'users' | 'sessions';
}

/** One counted unit: its best attempt. */
export interface RefUnit {
  unit: string;
  /** The user of the best attempt's first event. */
  user: string;
  depth: number;
  /** When the best attempt started (epoch ms). */
  entryMs: number;
  /** Ordered funnels: the best attempt's step times, steps 1..depth. */
  stepMs: number[];
}

export interface RefStep {
  step: number;
  count: number;
  overall: number;
  fromPrevious: number;
  dropped: number;
}

export interface RefTime {
  /** The transition from -> from + 1. */
  from: number;
  count: number;
  medianMs: number | null;
  meanMs: number | null;
}

export interface RefFunnel {
  spec: RefSpec;
  units: RefUnit[];
  steps: RefStep[];
  times: RefTime[];
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Per-step numbers from the units' depths: reached k, k / step 1, k / k-1, reached k-1 but not k. */
export function stepsOf(units: readonly RefUnit[], n: number): RefStep[] {
  const reached: number[] = [];
  for (let k = 1; k <= n; k++) {
    let c = 0;
    for (const u of units) if (u.depth >= k) c++;
    reached.push(c);
  }
  return reached.map((count, i) => ({
    step: i + 1,
    count,
    overall: reached[0] === 0 ? 0 : count / reached[0],
    fromPrevious: i === 0 ? 1 : reached[i - 1] === 0 ? 0 : count / reached[i - 1],
    dropped: i === 0 ? 0 : reached[i - 1] - count,
  }));
}

/** The median with interpolation between the two middle values, as a continuous quantile. */
function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = (s.length - 1) / 2;
  return (s[Math.floor(m)] + s[Math.ceil(m)]) / 2;
}

/** The funnel `spec` over `shop`. */
export function funnel(shop: Shop, spec: RefSpec): RefFunnel {
  const n = spec.steps.length;
  // The first step an event matches (1-based), or Infinity: at one instant, earlier steps come first.
  const rank = (e: ShopEvent) => {
    const i = spec.steps.indexOf(e.type ?? '\u0000');
    return i < 0 ? Infinity : i + 1;
  };
  const matches = (e: ShopEvent, step: number) => e.type === spec.steps[step - 1];
  const byUnit = new Map<string, ShopEvent[]>();
  for (const e of shop.events) {
    const id = spec.countBy === 'sessions' ? e.session : e.user;
    if (id === null) continue;
    let list = byUnit.get(id);
    if (!list) byUnit.set(id, (list = []));
    list.push(e);
  }
  const within = (ms: number, t0: number) => spec.windowMs === null || ms - t0 <= spec.windowMs;

  const units: RefUnit[] = [];
  for (const [unit, list] of byUnit) {
    const ev = list.map((e) => ({ e, r: rank(e) }));
    ev.sort((a, b) => a.e.ms - b.e.ms || a.r - b.r || a.e.rid - b.e.rid);
    let best: RefUnit | null = null;
    for (let i = 0; i < ev.length; i++) {
      const start = ev[i].e;
      let depth = 0;
      const stepMs: number[] = [];
      if (spec.order === 'any') {
        if (ev[i].r === Infinity) continue;
        // From this event on, within the window: how many different steps happen, one event filling one step at
        // most (steps are plain event types, so a type listed twice needs two such events).
        const have = new Map<string, number>();
        for (let j = i; j < ev.length && within(ev[j].e.ms, start.ms); j++) {
          const type = ev[j].e.type;
          if (type !== null) have.set(type, (have.get(type) ?? 0) + 1);
        }
        for (const type of new Set(spec.steps)) depth += Math.min(spec.steps.filter((t) => t === type).length, have.get(type) ?? 0);
      } else {
        if (!matches(start, 1)) continue;
        depth = 1;
        stepMs.push(start.ms);
        let pos = i;
        for (let s = 2; s <= n; s++) {
          let next = -1;
          if (spec.order === 'strict') {
            if (pos + 1 < ev.length && matches(ev[pos + 1].e, s)) next = pos + 1;
          } else {
            for (let j = pos + 1; j < ev.length; j++) {
              if (matches(ev[j].e, s)) {
                next = j;
                break;
              }
            }
          }
          if (next < 0 || !within(ev[next].e.ms, start.ms)) break;
          depth = s;
          stepMs.push(ev[next].e.ms);
          pos = next;
        }
      }
      if (!best || depth > best.depth) best = { unit, user: start.user ?? '', depth, entryMs: start.ms, stepMs };
    }
    if (best) units.push(best);
  }

  const times: RefTime[] = [];
  for (let k = 1; k < n; k++) {
    const gaps = spec.order === 'any' ? [] : units.filter((u) => u.depth > k).map((u) => u.stepMs[k] - u.stepMs[k - 1]);
    times.push({ from: k, count: gaps.length, medianMs: median(gaps), meanMs: gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : null });
  }
  return { spec, units, steps: stepsOf(units, n), times };
}

/** One breakdown group as the table labels it. */
export interface RefGroup {
  label: string;
  steps: RefStep[];
}

/**
 * Breakdown by the unit's user's country: the top `top` countries by units entering (ties by name), then "Other",
 * then "(missing)"; real values largest first.
 */
export function byCountry(shop: Shop, f: RefFunnel, top: number): RefGroup[] {
  const value = (u: RefUnit) => shop.country.get(u.user) ?? null;
  const size = new Map<string, number>();
  for (const u of f.units) {
    const v = value(u);
    if (v !== null) size.set(v, (size.get(v) ?? 0) + 1);
  }
  const tops = [...size.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, top).map(([v]) => v);
  const n = f.spec.steps.length;
  const groups: RefGroup[] = tops.map((v) => ({ label: v, steps: stepsOf(f.units.filter((u) => value(u) === v), n) }));
  const other = f.units.filter((u) => value(u) !== null && !tops.includes(value(u)!));
  const missing = f.units.filter((u) => value(u) === null);
  if (other.length) groups.push({ label: 'Other', steps: stepsOf(other, n) });
  if (missing.length) groups.push({ label: '(missing)', steps: stepsOf(missing, n) });
  return groups;
}

/** Users who reached step k (counting sessions: the users of those sessions). */
export function convertedUsers(f: RefFunnel, k: number): Set<string> {
  return new Set(f.units.filter((u) => u.depth >= k).map((u) => u.user));
}

/** Users who reached step k-1 but not k (counting sessions: the users of those sessions). */
export function droppedUsers(f: RefFunnel, k: number): Set<string> {
  return new Set(f.units.filter((u) => u.depth === k - 1).map((u) => u.user));
}
