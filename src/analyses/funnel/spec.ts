// Funnel settings: the steps (event types with event conditions), the order mode, the conversion window, what is
// counted (users or sessions), exclusion steps, a property held constant, a breakdown and the trend period.
// Serialisable (UI state, URL, test fixture) and validated on the way in.
import { StrataError } from '../../errors.ts';
import { has, int, obj, oneOf, only } from '../validate.ts';
import { isFieldId } from '../fields.ts';
import { validateFilter, type FilterGroup } from '../filter/spec.ts';
import { LinkBudget } from '../limits.ts';

/** One step: an event type, optionally with conditions on the event (event fields only). */
export interface FunnelStep {
  eventType: string;
  filter?: FilterGroup;
}

/** An event that, happening between two steps, makes the user (or session) leave the funnel. */
export interface FunnelExclusion {
  eventType: string;
  filter?: FilterGroup;
  /** Between step `from` and step `to` (1-based, from < to). */
  from: number;
  to: number;
}

/** Sequential: other events may happen between steps. Strict: the next event must be the next step. Any: any order. */
export type FunnelOrder = 'sequential' | 'strict' | 'any';

export type WindowUnit = 'minute' | 'hour' | 'day';

/** The conversion window, counted from the step-1 event. */
export interface FunnelWindow {
  value: number;
  unit: WindowUnit;
}

/** How results are split: by a field (top N values + Other), or by a users filter (matches / the rest). */
export type FunnelBreakdown =
  | { kind: 'field'; field: string; top: number }
  | { kind: 'filter'; name: string; filter: FilterGroup };

export type TrendPeriod = 'day' | 'week' | 'month';

/** Everything a funnel depends on. */
export interface FunnelSpec {
  steps: FunnelStep[];
  order: FunnelOrder;
  /** null: no window (steps may happen any time after step 1). */
  window: FunnelWindow | null;
  countBy: 'users' | 'sessions';
  exclusions: FunnelExclusion[];
  /** An event field every step must share (e.g. "e.product_id": the same product), or null. */
  hold: string | null;
  breakdown: FunnelBreakdown | null;
  /** Period of the conversion-over-time chart (by the date a unit entered the funnel). */
  trend: TrendPeriod;
  /** Which users count at all (user fields only). */
  users: FilterGroup;
}

export const MIN_STEPS = 2;
export const MAX_STEPS = 15;
export const MAX_TOP = 50;
export const WINDOW_UNITS: readonly WindowUnit[] = ['minute', 'hour', 'day'];
export const TREND_PERIODS: readonly TrendPeriod[] = ['day', 'week', 'month'];
const MINUTES: Record<WindowUnit, number> = { minute: 1, hour: 60, day: 1440 };
/** The longest window: 90 days. */
export const MAX_WINDOW_MINUTES = 90 * 1440;

/** The window in minutes (null: none). */
export function windowMinutes(w: FunnelWindow | null): number | null {
  return w ? w.value * MINUTES[w.unit] : null;
}

/** The shop's purchase funnel: visit -> view -> cart -> purchase by users within 14 days. */
export const DEFAULT_FUNNEL: FunnelSpec = {
  steps: [{ eventType: 'session_start' }, { eventType: 'product_view' }, { eventType: 'add_to_cart' }, { eventType: 'purchase' }],
  order: 'sequential',
  window: { value: 14, unit: 'day' },
  countBy: 'users',
  exclusions: [],
  hold: null,
  breakdown: null,
  trend: 'week',
  users: { op: 'and', items: [] },
};

/**
 * The default funnel fitted to a dataset's event types: the default steps it has (in order); with fewer than two of
 * them, its first three event types (a dataset brings its own vocabulary); unchanged when it has fewer than two types.
 */
export function defaultFunnelFor(eventTypes: readonly string[]): FunnelSpec {
  const d = structuredClone(DEFAULT_FUNNEL);
  const have = d.steps.filter((s) => eventTypes.includes(s.eventType));
  if (have.length >= MIN_STEPS) return { ...d, steps: have };
  if (eventTypes.length >= MIN_STEPS) return { ...d, steps: eventTypes.slice(0, 3).map((eventType) => ({ eventType })) };
  return d;
}

const KEYS = ['steps', 'order', 'window', 'countBy', 'exclusions', 'hold', 'breakdown', 'trend', 'users'];

/**
 * Check an untrusted value and return a fresh FunnelSpec; missing keys take defaults, anything odd throws. Every
 * filter (users, steps, exclusions, breakdown) counts against one budget: they all run in one statement.
 */
export function validateFunnelSpec(x: unknown, budget: LinkBudget = new LinkBudget()): FunnelSpec {
  const o = obj(x, 'The funnel settings');
  only(o, KEYS, 'funnel setting');
  const d = structuredClone(DEFAULT_FUNNEL);
  const steps = has(o, 'steps') ? stepsOf(o.steps, budget) : d.steps;
  const order = has(o, 'order') ? oneOf(o.order, ['sequential', 'strict', 'any'] as const, 'order') : d.order;
  const window = has(o, 'window') ? windowOf(o.window) : d.window;
  const countBy = has(o, 'countBy') ? oneOf(o.countBy, ['users', 'sessions'] as const, 'count ("countBy")') : d.countBy;
  const exclusions = has(o, 'exclusions') ? exclusionsOf(o.exclusions, steps.length, budget) : d.exclusions;
  if (exclusions.length && order === 'any') throw new StrataError('Exclusion steps need an ordered funnel (sequential or strict).');
  // In any order each step takes the first matching event on its own, so one event could fill two steps of the same type.
  if (order === 'any' && new Set(steps.map((s) => s.eventType)).size < steps.length) {
    throw new StrataError('An any-order funnel needs a different event type for every step; use sequential order to count repeats.');
  }
  let hold = d.hold;
  if (has(o, 'hold') && o.hold !== null) {
    if (!isFieldId(o.hold) || !o.hold.startsWith('e.')) throw new StrataError('Hold constant an event column such as "e.product_id".');
    hold = o.hold;
  }
  const breakdown = has(o, 'breakdown') ? breakdownOf(o.breakdown, budget) : d.breakdown;
  const trend = has(o, 'trend') ? oneOf(o.trend, TREND_PERIODS, 'trend period') : d.trend;
  const users = has(o, 'users') ? validateFilter(o.users, budget) : d.users;
  return { steps, order, window, countBy, exclusions, hold, breakdown, trend, users };
}

function stepsOf(x: unknown, budget: LinkBudget): FunnelStep[] {
  if (!Array.isArray(x)) throw new StrataError('The funnel steps must be a list.');
  if (x.length < MIN_STEPS || x.length > MAX_STEPS) throw new StrataError(`A funnel has ${MIN_STEPS} to ${MAX_STEPS} steps; got ${x.length}.`);
  return x.map((s, i) => {
    const o = obj(s, `Step ${i + 1}`);
    only(o, ['eventType', 'filter'], `step ${i + 1} setting`);
    return { eventType: eventTypeOf(o.eventType, `Step ${i + 1}`), ...(has(o, 'filter') ? { filter: validateFilter(o.filter, budget) } : {}) };
  });
}

function eventTypeOf(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw new StrataError(`${what} needs an event type.`);
  return v;
}

function windowOf(x: unknown): FunnelWindow | null {
  if (x === null) return null;
  const o = obj(x, 'The conversion window');
  only(o, ['value', 'unit'], 'window setting');
  const unit = oneOf(o.unit, WINDOW_UNITS, 'window unit');
  const value = int(o.value, 1, MAX_WINDOW_MINUTES / MINUTES[unit], `window in ${unit}s`);
  return { value, unit };
}

function exclusionsOf(x: unknown, nSteps: number, budget: LinkBudget): FunnelExclusion[] {
  if (!Array.isArray(x)) throw new StrataError('The exclusion steps must be a list.');
  if (x.length > 10) throw new StrataError('A funnel takes at most 10 exclusion steps.');
  return x.map((e, i) => {
    const o = obj(e, `Exclusion ${i + 1}`);
    only(o, ['eventType', 'filter', 'from', 'to'], `exclusion ${i + 1} setting`);
    const from = int(o.from, 1, nSteps - 1, `exclusion ${i + 1} "from" step`);
    const to = int(o.to, from + 1, nSteps, `exclusion ${i + 1} "to" step`);
    return {
      eventType: eventTypeOf(o.eventType, `Exclusion ${i + 1}`),
      ...(has(o, 'filter') ? { filter: validateFilter(o.filter, budget) } : {}),
      from,
      to,
    };
  });
}

function breakdownOf(x: unknown, budget: LinkBudget): FunnelBreakdown | null {
  if (x === null) return null;
  const o = obj(x, 'The breakdown');
  const kind = oneOf(o.kind, ['field', 'filter'] as const, 'breakdown kind');
  if (kind === 'field') {
    only(o, ['kind', 'field', 'top'], 'breakdown setting');
    if (!isFieldId(o.field)) throw new StrataError('Break down by a column such as "u.country" or "e.device".');
    return { kind, field: o.field, top: has(o, 'top') ? int(o.top, 1, MAX_TOP, 'number of breakdown values') : 5 };
  }
  only(o, ['kind', 'name', 'filter'], 'breakdown setting');
  if (typeof o.name !== 'string') throw new StrataError('A breakdown by a saved filter needs its name.');
  return { kind, name: o.name.slice(0, 80), filter: validateFilter(o.filter, budget) };
}
