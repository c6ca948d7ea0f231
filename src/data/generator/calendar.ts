// The shop's calendar: daily traffic (weekly cycle, seasons, Black Friday, Christmas), conversion by day, and the
// local hour-of-day rhythm; nextVisit samples visit times from it by thinning a Poisson process.
import type { Prng } from './prng.ts';
import { DAY_MS, END_MS, startMs, type GenParams } from './params.ts';

const HOUR_MS = 3_600_000;
// Sunday..Saturday: weekends busier (Sunday evening shopping), Friday quietest.
const WEEKDAY = [1.28, 0.96, 0.93, 0.93, 0.95, 0.88, 1.2];
const MONTH = [0.85, 0.8, 0.88, 0.9, 0.93, 0.95, 1.0, 0.95, 0.92, 1.0, 1.3, 1.5];
const HOUR_RAW = [
  0.35, 0.2, 0.12, 0.08, 0.08, 0.12, 0.3, 0.55, 0.75, 0.9, 1.0, 1.05,
  1.2, 1.15, 1.0, 0.95, 0.95, 1.0, 1.15, 1.35, 1.5, 1.45, 1.1, 0.7,
];
const HOUR_MEAN = HOUR_RAW.reduce((a, b) => a + b, 0) / 24;
/** Local hour-of-day traffic (mean 1). */
export const HOUR = HOUR_RAW.map((h) => h / HOUR_MEAN);
export const HOUR_MAX = Math.max(...HOUR);

/** Per-day factors for the covered period (index 0 = first day). */
export interface Calendar {
  start: number;
  days: number;
  traffic: Float64Array; // visit intensity multiplier
  conv: Float64Array; // conversion multiplier
  month: Int8Array; // 0-11
  maxTraffic: number;
}

/** Build the calendar for a period ending 2025-12-31. */
export function buildCalendar(p: GenParams): Calendar {
  return buildCalendarFrom(startMs(p), p.days);
}

/** The calendar of `days` days from `start` (midnight UTC): the live shop continues it past the generated period. */
export function buildCalendarFrom(start: number, days: number): Calendar {
  const traffic = new Float64Array(days);
  const conv = new Float64Array(days);
  const month = new Int8Array(days);
  for (let d = 0; d < days; d++) {
    const date = new Date(start + d * DAY_MS);
    const m = date.getUTCMonth();
    const dom = date.getUTCDate();
    const dow = date.getUTCDay();
    let t = WEEKDAY[dow] * MONTH[m];
    let c = dow === 0 || dow === 6 ? 0.93 : 1.0;
    const bf = blackFriday(date.getUTCFullYear());
    const sinceBf = m === 10 || m === 11 ? (Date.UTC(date.getUTCFullYear(), m, dom) - bf) / DAY_MS : -99;
    if (sinceBf >= 0 && sinceBf <= 3) [t, c] = [t * 1.9, c * 1.45]; // Black Friday to Cyber Monday
    else if ((m === 10 && dom >= 15) || (m === 11 && dom <= 21)) [t, c] = [t * 1.12, c * 1.22]; // gift season
    if (m === 11 && dom >= 24 && dom <= 25) t *= 0.55;
    if (m === 6 && dom >= 8 && dom <= 11) [t, c] = [t * 1.35, c * 1.2]; // mid-summer sale
    if (m === 0) c *= 0.92;
    traffic[d] = t;
    conv[d] = c;
    month[d] = m;
  }
  let maxTraffic = 0;
  for (const t of traffic) maxTraffic = Math.max(maxTraffic, t);
  return { start, days, traffic, conv, month, maxTraffic };
}

/** Epoch ms of the fourth Friday of November of a year. */
function blackFriday(year: number): number {
  const nov1 = new Date(Date.UTC(year, 10, 1)).getUTCDay();
  const firstFri = 1 + ((5 - nov1 + 7) % 7);
  return Date.UTC(year, 10, firstFri + 21);
}

/** Day index (0-based) of a time inside the period. */
export function dayOf(cal: Calendar, t: number): number {
  return Math.min(cal.days - 1, Math.max(0, Math.floor((t - cal.start) / DAY_MS)));
}

/**
 * The next visit after `t` for a user visiting `perDay` times a day on an average day, shaped by the calendar and
 * the user's local hour (`offset` hours from UTC); Infinity if none before `until`.
 */
export function nextVisit(rng: Prng, cal: Calendar, t: number, perDay: number, offset: number, until: number): number {
  const peak = cal.maxTraffic * HOUR_MAX;
  const meanGap = DAY_MS / (perDay * peak);
  const limit = Math.min(until, END_MS);
  const off = offset * HOUR_MS;
  for (;;) {
    t += rng.exp(meanGap);
    if (t > limit) return Infinity;
    const d = Math.floor((t - cal.start) / DAY_MS);
    const h = Math.floor((t + off) / HOUR_MS) % 24;
    if (rng.next() * peak < cal.traffic[d] * HOUR[h]) return Math.floor(t);
  }
}

/** A sign-up time inside the period: calendar- and hour-shaped, with sign-ups growing over the period. */
export function sampleSignup(rng: Prng, cal: Calendar, offset: number): number {
  const peak = cal.maxTraffic * HOUR_MAX * 1.4;
  const span = END_MS - cal.start;
  const off = offset * HOUR_MS;
  for (;;) {
    const t = cal.start + Math.floor(rng.next() * span);
    const d = Math.floor((t - cal.start) / DAY_MS);
    const growth = 0.6 + d / cal.days; // density rises ~2.7x from first to last day
    if (rng.next() * peak < cal.traffic[d] * HOUR[Math.floor((t + off) / HOUR_MS) % 24] * growth) return t;
  }
}
