// What the Retention screen must show, computed independently in Node: the same shop loaded into native DuckDB,
// its plain event rows (user, type, timestamp) read once, then monthly cohorts worked out with ordinary
// TypeScript loops over UTC calendar months (never the cohort SQL, its decoder or the screen's code), so a bug
// in the retention analysis cannot hide in its own reference.
import { openNodeDb } from '../src/db/node-db.ts';
import { loadShop, type GenParams } from '../src/data/generator/index.ts';
import { toRows } from '../src/lib/rows.ts';

/** One event as plain values. */
export interface EventRow {
  user: string | null;
  type: string;
  /** UTC timestamp, epoch ms. */
  ms: number;
}

const cache = new Map<string, Promise<EventRow[]>>();

/** Every event of the generated shop (loaded once per params and worker). */
export function eventRows(params: GenParams): Promise<EventRow[]> {
  const key = JSON.stringify(params);
  let rows = cache.get(key);
  if (!rows) {
    rows = (async () => {
      const db = await openNodeDb({ threads: 1 });
      await loadShop(db, params);
      return toRows(await db.query('SELECT user_id, event_type, ts FROM events')).map((r) => ({
        user: r.user_id === null ? null : String(r.user_id),
        type: String(r.event_type),
        ms: Number(r.ts),
      }));
    })();
    cache.set(key, rows);
  }
  return rows;
}

/** Months since year 0 for a UTC instant (2025-03 -> 2025 * 12 + 2). */
export const monthIndex = (ms: number): number => {
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};

/** First millisecond of a month index, UTC. */
const monthStart = (m: number): number => Date.UTC(Math.floor(m / 12), m % 12, 1);

/** "YYYY-MM" for a month index, as the table's data-row. */
export const monthLabel = (m: number): string => `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;

/** One expected cell. */
export interface RefCell {
  k: number;
  /** The month has begun by the end of the data (the table shows the cell). */
  observed: boolean;
  /** The month has ended by the end of the data (counts towards the average). */
  complete: boolean;
  retained: number;
  /** The retained users' ids. */
  users: Set<string>;
}

/** One expected cohort row. */
export interface RefCohort {
  label: string;
  size: number;
  cells: RefCell[];
}

/** The expected monthly triangle. */
export interface RefTriangle {
  cohorts: RefCohort[];
  /** Per k: retained / members over cohorts whose month k is complete (null: none is). */
  average: { k: number; members: number; rate: number | null }[];
  /** Cells the table shows (observed), over all cohorts. */
  observedCells: number;
}

export interface MonthlySpec {
  /** Which events start a cohort (first such event per user). */
  start: (type: string) => boolean;
  /** Which events count as coming back. */
  returns: (type: string) => boolean;
  /** "on": active in month k exactly; "on_or_after": active in month k or any later month. */
  mode: 'on' | 'on_or_after';
  periods: number;
}

/**
 * First-time monthly cohorts: a user's cohort is the month of their first start event; k is the month
 * difference to a month with a return event. The data ends at midnight after its last event's day.
 */
export function monthlyTriangle(events: readonly EventRow[], spec: MonthlySpec): RefTriangle {
  let lastMs = -Infinity;
  const first = new Map<string, number>();
  const active = new Map<string, Set<number>>();
  for (const e of events) {
    if (e.ms > lastMs) lastMs = e.ms;
    if (e.user === null) continue;
    if (spec.start(e.type)) {
      const prev = first.get(e.user);
      if (prev === undefined || e.ms < prev) first.set(e.user, e.ms);
    }
    if (spec.returns(e.type)) {
      let s = active.get(e.user);
      if (!s) active.set(e.user, (s = new Set()));
      s.add(monthIndex(e.ms));
    }
  }
  const last = new Date(lastMs);
  const dataEnd = Date.UTC(last.getUTCFullYear(), last.getUTCMonth(), last.getUTCDate() + 1);

  const members = new Map<number, string[]>();
  for (const [user, ms] of first) {
    const c = monthIndex(ms);
    let list = members.get(c);
    if (!list) members.set(c, (list = []));
    list.push(user);
  }
  const cohorts: RefCohort[] = [];
  for (const c of [...members.keys()].sort((a, b) => a - b)) {
    const list = members.get(c)!;
    const cells: RefCell[] = [];
    for (let k = 0; k <= spec.periods; k++) {
      const users = new Set<string>();
      for (const u of list) {
        const months = active.get(u);
        if (!months) continue;
        let hit = false;
        if (spec.mode === 'on') hit = months.has(c + k);
        else for (const m of months) if (m >= c + k) hit = true;
        if (hit) users.add(u);
      }
      cells.push({ k, observed: monthStart(c + k) < dataEnd, complete: monthStart(c + k + 1) <= dataEnd, retained: users.size, users });
    }
    cohorts.push({ label: monthLabel(c), size: list.length, cells });
  }
  const average = Array.from({ length: spec.periods + 1 }, (_, k) => {
    let size = 0;
    let kept = 0;
    for (const c of cohorts) {
      if (!c.cells[k].complete) continue;
      size += c.size;
      kept += c.cells[k].retained;
    }
    return { k, members: size, rate: size ? kept / size : null };
  });
  const observedCells = cohorts.reduce((s, c) => s + c.cells.filter((x) => x.observed).length, 0);
  return { cohorts, average, observedCells };
}

/** One period of the expected lifecycle. */
export interface RefLifePeriod {
  start: number;
  new: number;
  returning: number;
  resurrecting: number;
  dormant: number;
}

const DAY_MS = 86_400_000;

/**
 * The lifecycle per month or (Monday) week, PostHog's states, worked out per user over the sorted set of periods
 * in which they did a return event: their first such period is "new", one right after an active one "returning",
 * any other "resurrecting"; the period after an active one in which they are not active is "dormant", shown only
 * if it began by the end of the data (midnight after the last event's day). Periods with no user in any state are
 * left out, as the chart leaves them out.
 */
export function lifecycleReference(events: readonly EventRow[], returns: (type: string) => boolean, period: 'month' | 'week' | 'day'): RefLifePeriod[] {
  // Epoch day 0 (1970-01-01) is a Thursday: Monday-based week w starts on day 7w - 3.
  const index = period === 'month' ? monthIndex : period === 'week' ? (ms: number) => Math.floor((Math.floor(ms / DAY_MS) + 3) / 7) : (ms: number) => Math.floor(ms / DAY_MS);
  const start = period === 'month' ? monthStart : period === 'week' ? (w: number) => (w * 7 - 3) * DAY_MS : (d: number) => d * DAY_MS;
  let lastMs = -Infinity;
  const active = new Map<string, Set<number>>();
  for (const e of events) {
    if (e.ms > lastMs) lastMs = e.ms;
    if (e.user === null || !returns(e.type)) continue;
    const set = active.get(e.user) ?? new Set<number>();
    set.add(index(e.ms));
    active.set(e.user, set);
  }
  const dataEnd = Math.floor(lastMs / DAY_MS) * DAY_MS + DAY_MS;
  const out = new Map<number, RefLifePeriod>();
  const at = (p: number) => {
    let x = out.get(p);
    if (!x) out.set(p, (x = { start: start(p), new: 0, returning: 0, resurrecting: 0, dormant: 0 }));
    return x;
  };
  for (const set of active.values()) {
    const ps = [...set].sort((a, b) => a - b);
    ps.forEach((p, i) => {
      if (i === 0) at(p).new++;
      else if (ps[i - 1] === p - 1) at(p).returning++;
      else at(p).resurrecting++;
      if (!set.has(p + 1) && start(p + 1) < dataEnd) at(p + 1).dormant++;
    });
  }
  return [...out.values()].sort((a, b) => a.start - b.start);
}
