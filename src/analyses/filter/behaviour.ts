// Behaviour conditions: what the row's user did ("did purchase with category Books at least 2 times in the last
// 30 days", "did not do refund"). Their shape, its validation for untrusted input and the check against the
// dataset's fields. Kept apart from spec.ts, which hands in its own group reader and checker (no import cycle).
import { StrataError } from '../../errors.ts';
import { fieldById, fieldLabel, type Field } from '../fields.ts';
import type { LinkBudget } from '../limits.ts';
import type { FilterGroup, FilterNode } from './spec.ts';

/** How the number of matching events compares with n. "Did not" is exactly 0 (at most 0 means the same). */
export type CountOp = 'at_least' | 'at_most' | 'exactly';

/** When the counted events happened: in the last D days of the data, or between two whole UTC days inclusive. */
export type BehaviourWindow = { last_days: number } | { between: [string, string] };

/** One behaviour: events of one type, optionally narrowed by conditions on event fields, counted per user. */
export interface Behaviour {
  /** The event type (events.event_type), any text from the data. */
  event: string;
  /** Conditions on event fields (e.* only) the counted events must also meet. */
  where?: FilterGroup;
  count: { op: CountOp; n: number };
  /** Absent: ever. */
  window?: BehaviourWindow;
}

/** The filter node: `{ did: Behaviour }`. Per user, so it suits the users grain and the events grain alike. */
export interface BehaviourCond {
  did: Behaviour;
}

/** The count operators, in the order a picker shows them. */
export const COUNT_OPS: readonly CountOp[] = ['at_least', 'at_most', 'exactly'];

/** What each count operator reads as. */
export const COUNT_OP_LABEL: Record<CountOp, string> = { at_least: 'at least', at_most: 'at most', exactly: 'exactly' };

/** The largest count a behaviour may ask for. */
export const MAX_COUNT = 1_000_000_000;

/** The longest "in the last D days" window (as for the last_days operator). */
export const MAX_DAYS = 36_500;

/** Whether a behaviour means "did not": no matching event at all. */
export function isDidNot(b: Behaviour): boolean {
  return b.count.n === 0 && (b.count.op === 'exactly' || b.count.op === 'at_most');
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether x is a real calendar date written YYYY-MM-DD. */
export function isIsoDate(x: unknown): x is string {
  return typeof x === 'string' && DATE_RE.test(x) && !Number.isNaN(Date.parse(x)) && new Date(x).toISOString().slice(0, 10) === x;
}

const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

function onlyKeys(o: Record<string, unknown>, keys: readonly string[], what: string) {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new StrataError(`Unknown ${what} setting ${JSON.stringify(k)}.`);
}

const wholeIn = (x: unknown, lo: number, hi: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= lo && x <= hi;

/** Check a count; throws a StrataError. */
export function readCount(x: unknown): Behaviour['count'] {
  if (!isObject(x)) throw new StrataError('A behaviour condition needs a count such as { "op": "at_least", "n": 1 }.');
  onlyKeys(x, ['op', 'n'], 'behaviour count');
  if (typeof x.op !== 'string' || !(COUNT_OPS as readonly string[]).includes(x.op)) {
    throw new StrataError(`A behaviour count is "at_least", "at_most" or "exactly"; got ${JSON.stringify(x.op) ?? 'nothing'}.`);
  }
  if (!wholeIn(x.n, 0, MAX_COUNT)) throw new StrataError(`A behaviour count needs a whole number of times from 0 to ${MAX_COUNT.toLocaleString('en-US')}.`);
  return { op: x.op as CountOp, n: x.n };
}

/** Check a window; throws a StrataError. */
export function readWindow(x: unknown): BehaviourWindow {
  if (!isObject(x)) throw new StrataError('A behaviour window is { "last_days": D } or { "between": ["YYYY-MM-DD", "YYYY-MM-DD"] }.');
  const keys = Object.keys(x);
  if (keys.length !== 1 || (keys[0] !== 'last_days' && keys[0] !== 'between')) {
    throw new StrataError(`A behaviour window has one setting, "last_days" or "between"; got ${JSON.stringify(keys)}.`);
  }
  if ('last_days' in x) {
    if (!wholeIn(x.last_days, 1, MAX_DAYS)) throw new StrataError(`"In the last D days" needs a whole number of days from 1 to ${MAX_DAYS}.`);
    return { last_days: x.last_days };
  }
  const b = x.between;
  if (!Array.isArray(b) || b.length !== 2 || !b.every(isIsoDate)) {
    throw new StrataError('A behaviour window "between" needs two dates written YYYY-MM-DD.');
  }
  if (b[0] > b[1]) throw new StrataError(`A behaviour window starts (${b[0]}) after it ends (${b[1]}).`);
  return { between: [b[0], b[1]] };
}

/**
 * Check the shape of an untrusted `{ did: ... }` node and return a fresh copy; throws a StrataError. It counts
 * as one condition with its bound values (event type, count, window); `readGroup` validates its event conditions
 * as a nested group (depth and budget), which may hold only conditions on event fields.
 */
export function readBehaviour(o: Record<string, unknown>, budget: LinkBudget, readGroup: (x: unknown) => FilterNode): BehaviourCond {
  onlyKeys(o, ['did'], 'behaviour condition');
  const d = o.did;
  if (!isObject(d)) throw new StrataError('A behaviour condition ("did") must be an object with an event and a count.');
  onlyKeys(d, ['event', 'where', 'count', 'window'], 'behaviour condition');
  if (typeof d.event !== 'string' || d.event === '') throw new StrataError('A behaviour condition needs an event type ("event").');
  budget.condition();
  budget.value(d.event);
  const count = readCount(d.count);
  budget.value(count.n);
  const out: Behaviour = { event: d.event, count };
  if (d.where !== undefined) {
    if (!isObject(d.where) || !('items' in d.where)) throw new StrataError('A behaviour\'s event conditions ("where") must be a filter group.');
    out.where = readGroup(d.where) as FilterGroup;
    eventOnly(out.where);
  }
  if (d.window !== undefined) {
    out.window = readWindow(d.window);
    budget.value('last_days' in out.window ? out.window.last_days : out.window.between);
  }
  // Key order fixed (event, where, count, window), so equal filters serialise alike.
  return { did: { event: out.event, ...(out.where ? { where: out.where } : {}), count, ...(out.window ? { window: out.window } : {}) } };
}

// A behaviour's event conditions: conditions on event fields and groups of them, never another behaviour.
function eventOnly(g: FilterGroup): void {
  for (const n of g.items) {
    if ('items' in n) eventOnly(n);
    else if ('did' in n) throw new StrataError('A behaviour\'s event conditions cannot hold another behaviour condition.');
    else if (!n.field.startsWith('e.')) {
      throw new StrataError(`A behaviour's event conditions use event columns only; ${JSON.stringify(fieldLabel(n.field))} is not one.`);
    }
  }
}

/**
 * Check a behaviour against the dataset's fields: events has a text event_type, a user_id, a timestamp ts when
 * windowed, and the event conditions (via `checkGroup`, at the events grain) use event fields only.
 */
export function checkBehaviour(b: Behaviour, fields: readonly Field[], checkGroup: (g: FilterGroup, eventFields: Field[]) => void): void {
  const what = `In the behaviour condition on ${JSON.stringify(b.event)}`;
  if (typeof b.event !== 'string' || b.event === '') throw new StrataError('A behaviour condition needs an event type.');
  readCount(b.count);
  if (b.window !== undefined) readWindow(b.window);
  const type = fieldById(fields, 'e.event_type');
  if (type.kind !== 'text') throw new StrataError(`${what}: the events' event_type column is ${type.type}, not text.`);
  fieldById(fields, 'e.user_id');
  if (b.window) {
    const ts = fieldById(fields, 'e.ts');
    if (ts.kind !== 'temporal') throw new StrataError(`${what}: the events' ts column is ${ts.type}, not a timestamp.`);
  }
  if (b.where) {
    eventOnly(b.where);
    checkGroup(b.where, fields.filter((f) => f.source === 'e'));
  }
}
