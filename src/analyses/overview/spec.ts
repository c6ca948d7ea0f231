// The Overview dashboard's settings: serialisable (UI state, URL state, test fixture) and validated on the way in.
import { StrataError } from '../../errors.ts';

/** Time bucket for the revenue-over-time panel. */
export type Grain = 'day' | 'week' | 'month';

/** Which users column the geography panel groups by. */
export type GeoLevel = 'country' | 'region';

/** Everything the Overview panels depend on; `from`/`to` are inclusive UTC dates 'YYYY-MM-DD', null = whole data. */
export interface OverviewSpec {
  from: string | null;
  to: string | null;
  grain: Grain;
  churn: { medium: number; high: number };
  geo: GeoLevel;
  /** Only the users in one segment (a stored segmentation column and one of its values), or null for everyone. */
  segment: SegmentPick | null;
}

/** One segment: the segmentation's column in user_segments and the segment's value. */
export interface SegmentPick {
  column: string;
  value: string;
}

/** The grains the UI may offer, in display order. */
export const GRAINS: readonly Grain[] = ['day', 'week', 'month'];

/** The geography levels the UI may offer. */
export const GEO_LEVELS: readonly GeoLevel[] = ['country', 'region'];

/** Whole data, monthly, churn bands at 90/180 days since last purchase, by country. */
export const DEFAULT_OVERVIEW: OverviewSpec = Object.freeze({
  from: null,
  to: null,
  grain: 'month',
  churn: Object.freeze({ medium: 90, high: 180 }),
  geo: 'country',
  segment: null,
}) as OverviewSpec;

const KEYS = ['from', 'to', 'grain', 'churn', 'geo', 'segment'] as const;
const CHURN_KEYS = ['medium', 'high'] as const;
const MAX_DAYS = 36500;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Check an untrusted value (URL, saved view, UI) and return a fresh OverviewSpec. Missing keys take the
 * defaults; unknown keys and bad values throw a StrataError saying what to change.
 */
export function validateOverviewSpec(x: unknown): OverviewSpec {
  const obj = plainObject(x, 'The Overview settings');
  rejectUnknown(obj, KEYS, 'Overview setting');
  const from = has(obj, 'from') ? dateOrNull(obj.from, 'start date ("from")') : DEFAULT_OVERVIEW.from;
  const to = has(obj, 'to') ? dateOrNull(obj.to, 'end date ("to")') : DEFAULT_OVERVIEW.to;
  if (from !== null && to !== null && from > to) {
    throw new StrataError(`The start date (${from}) is after the end date (${to}). Pick a start on or before the end.`);
  }
  const grain = has(obj, 'grain') ? oneOf(obj.grain, GRAINS, 'time grain ("grain")') : DEFAULT_OVERVIEW.grain;
  const geo = has(obj, 'geo') ? oneOf(obj.geo, GEO_LEVELS, 'geography level ("geo")') : DEFAULT_OVERVIEW.geo;
  const churn = has(obj, 'churn') ? churnBands(obj.churn) : { ...DEFAULT_OVERVIEW.churn };
  const segment = has(obj, 'segment') && obj.segment !== null ? segmentPick(obj.segment) : null;
  return { from, to, grain, churn, geo, segment };
}

/** A segment column is a stored segmentation's name (lower snake case); its value is any text up to 500 characters. */
function segmentPick(x: unknown): SegmentPick {
  const obj = plainObject(x, 'The segment ("segment")');
  rejectUnknown(obj, ['column', 'value'], 'segment setting');
  if (typeof obj.column !== 'string' || !/^[a-z0-9_]{1,63}$/.test(obj.column)) {
    throw new StrataError(`The segment's segmentation must be a stored segmentation name; got ${show(obj.column)}.`);
  }
  if (typeof obj.value !== 'string' || obj.value.length > 500) {
    throw new StrataError(`The segment must be text of at most 500 characters; got ${show(obj.value)}.`);
  }
  return { column: obj.column, value: obj.value };
}

function churnBands(x: unknown): OverviewSpec['churn'] {
  const obj = plainObject(x, 'The churn thresholds ("churn")');
  rejectUnknown(obj, CHURN_KEYS, 'churn threshold');
  const medium = has(obj, 'medium') ? days(obj.medium, 'medium') : DEFAULT_OVERVIEW.churn.medium;
  const high = has(obj, 'high') ? days(obj.high, 'high') : DEFAULT_OVERVIEW.churn.high;
  if (medium >= high) {
    throw new StrataError(
      `The churn "medium" threshold (${medium} days) must be less than the "high" threshold (${high} days).`,
    );
  }
  return { medium, high };
}

function days(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_DAYS) {
    throw new StrataError(
      `The churn "${name}" threshold must be a whole number of days between 0 and ${MAX_DAYS}; got ${show(v)}.`,
    );
  }
  return v;
}

function dateOrNull(v: unknown, what: string): string | null {
  if (v === null) return null;
  const m = typeof v === 'string' ? DATE_RE.exec(v) : null;
  if (!m) throw new StrataError(`The ${what} must be a date written YYYY-MM-DD, or empty for all data; got ${show(v)}.`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1 || t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) {
    throw new StrataError(`The ${what} ${show(v)} is not a real calendar date; check the month and day.`);
  }
  return v as string;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], what: string): T {
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  throw new StrataError(`The ${what} must be one of ${allowed.join(', ')}; got ${show(v)}.`);
}

function plainObject(x: unknown, what: string): Record<string, unknown> {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) {
    throw new StrataError(`${what} must be an object of named settings; got ${show(x)}.`);
  }
  return x as Record<string, unknown>;
}

function rejectUnknown(obj: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new StrataError(`Unknown ${what} ${JSON.stringify(key)}. Allowed: ${allowed.join(', ')}.`);
    }
  }
}

function has(obj: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (v !== null && typeof v === 'object') return 'an object';
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 40 ? s.slice(0, 40) + '…' : s;
}
