// A filter: nested AND / OR groups of conditions on fields. Serialisable (URL, saved filters, tests) and
// validated twice: its shape on the way in, then against the dataset's fields before it reaches SQL.
import { StrataError } from '../../errors.ts';
import { fieldById, fieldLabel, isFieldId, kindPhrase, type Field, type Grain } from '../fields.ts';
import type { ColumnKind } from '../profile/kinds.ts';
import { LINK_LIMITS, LinkBudget } from '../limits.ts';
import { checkBehaviour, readBehaviour, type BehaviourCond } from './behaviour.ts';

export type { Behaviour, BehaviourCond, BehaviourWindow, CountOp } from './behaviour.ts';
export { COUNT_OPS, COUNT_OP_LABEL, isDidNot, MAX_COUNT } from './behaviour.ts';

/** Comparison operators; "is"/"is not" on text are "=" and "!=". */
export type CondOp =
  | '=' | '!=' | '<' | '<=' | '>' | '>=' | 'between'
  | 'before' | 'after' | 'last_days'
  | 'contains' | 'starts_with' | 'in' | 'not_in'
  | 'is_null' | 'not_null';

/** A scalar a condition compares with: numbers, text, booleans, or a date written YYYY-MM-DD. */
export type CondValue = string | number | boolean;

/** One condition on one field. */
export interface FilterCond {
  field: string;
  op: CondOp;
  /** One value (=, <, before, last_days, contains ...), two for between, a list for in / not_in, none for nulls. */
  value?: CondValue | CondValue[];
}

/** A group of conditions and groups joined by AND or OR. An empty group matches everything. */
export interface FilterGroup {
  op: 'and' | 'or';
  items: FilterNode[];
}

/** A condition on a field, a behaviour condition on the row's user ("did purchase at least twice"), or a group. */
export type FilterNode = FilterGroup | FilterCond | BehaviourCond;

/** The filter that keeps every row. */
export const EMPTY_FILTER: FilterGroup = Object.freeze({ op: 'and', items: Object.freeze([]) as unknown as FilterNode[] }) as FilterGroup;

/** Whether a node is a group. */
export function isGroup(n: FilterNode): n is FilterGroup {
  return 'items' in n;
}

/** Whether a node is a behaviour condition (what the row's user did). */
export function isBehaviour(n: FilterNode): n is BehaviourCond {
  return 'did' in n;
}

/** Whether a node is a plain condition on one field. */
export function isCond(n: FilterNode): n is FilterCond {
  return !isGroup(n) && !isBehaviour(n);
}

/** Operators per field kind, in the order a picker shows them. */
export const OPS_BY_KIND: Record<ColumnKind, readonly CondOp[]> = {
  integer: ['=', '!=', '<', '<=', '>', '>=', 'between', 'in', 'not_in', 'is_null', 'not_null'],
  number: ['=', '!=', '<', '<=', '>', '>=', 'between', 'is_null', 'not_null'],
  temporal: ['before', 'after', 'between', 'last_days', 'is_null', 'not_null'],
  text: ['=', '!=', 'contains', 'starts_with', 'in', 'not_in', 'is_null', 'not_null'],
  boolean: ['=', '!=', 'is_null', 'not_null'],
  other: ['is_null', 'not_null'],
};

/** What each operator reads as in a sentence. */
export const OP_LABEL: Record<CondOp, string> = {
  '=': 'is', '!=': 'is not', '<': '<', '<=': '≤', '>': '>', '>=': '≥', between: 'between',
  before: 'before', after: 'after', last_days: 'in the last N days',
  contains: 'contains', starts_with: 'starts with', in: 'is one of', not_in: 'is none of',
  is_null: 'is missing', not_null: 'is present',
};

const ALL_OPS = new Set<string>(Object.keys(OP_LABEL));
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Check the shape of an untrusted filter (URL, storage) and return a fresh copy; throws a StrataError. Its
 * conditions, groups and values count against `budget`: pass the view's one budget when it has several filters.
 */
export function validateFilter(x: unknown, budget: LinkBudget = new LinkBudget()): FilterGroup {
  const g = node(x, 0, budget);
  if (!isGroup(g)) return { op: 'and', items: [g] };
  return g;
}

function node(x: unknown, depth: number, budget: LinkBudget): FilterNode {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new StrataError('A filter entry must be an object.');
  const o = x as Record<string, unknown>;
  if ('items' in o) {
    onlyKeys(o, ['op', 'items'], 'filter group');
    if (o.op !== 'and' && o.op !== 'or') throw new StrataError('A filter group joins its conditions with "and" or "or".');
    if (!Array.isArray(o.items)) throw new StrataError('A filter group needs a list of conditions ("items").');
    if (depth >= LINK_LIMITS.depth) throw new StrataError(`Filters nest at most ${LINK_LIMITS.depth} groups deep.`);
    if (depth > 0) budget.group();
    const items: FilterNode[] = [];
    // A loop, not map: the budget stops a huge list at its limit instead of after walking all of it.
    for (const i of o.items) items.push(node(i, depth + 1, budget));
    return { op: o.op, items };
  }
  // Its event conditions are a group one level down, under the same budget and depth rules as any group.
  if ('did' in o) return readBehaviour(o, budget, (w) => node(w, depth, budget));
  onlyKeys(o, ['field', 'op', 'value'], 'filter condition');
  if (!isFieldId(o.field)) throw new StrataError('A filter condition needs a field such as "u.age".');
  if (typeof o.op !== 'string' || !ALL_OPS.has(o.op)) {
    throw new StrataError(`Unknown filter operator ${JSON.stringify(o.op)}.`);
  }
  budget.condition();
  const c: FilterCond = { field: o.field, op: o.op as CondOp };
  if ('value' in o && o.value !== undefined) {
    c.value = value(o.value);
    budget.value(c.value);
  }
  return c;
}

function value(v: unknown): CondValue | CondValue[] {
  if (Array.isArray(v)) {
    if (v.length > LINK_LIMITS.listValues) throw new StrataError(`A filter list holds at most ${LINK_LIMITS.listValues.toLocaleString('en-US')} values.`);
    return v.map((x) => scalar(x));
  }
  return scalar(v);
}

function scalar(v: unknown): CondValue {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw new StrataError(`A filter value must be a number, text or true/false; got ${JSON.stringify(v) ?? 'nothing'}.`);
}

function onlyKeys(o: Record<string, unknown>, keys: readonly string[], what: string) {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new StrataError(`Unknown ${what} setting ${JSON.stringify(k)}.`);
}

/**
 * Check every condition against the dataset's fields at a grain: the field exists, the operator suits its kind,
 * and the value has the right type and count. Behaviour conditions are per user, so they suit either grain; their
 * event conditions are checked against event fields. Throws a StrataError naming the condition.
 */
export function checkFilter(g: FilterGroup, fields: readonly Field[], grain: Grain): void {
  for (const n of g.items) {
    if (isGroup(n)) checkFilter(n, fields, grain);
    else if (isBehaviour(n)) checkBehaviour(n.did, fields, (w, eventFields) => checkFilter(w, eventFields, 'events'));
    else checkCond(n, fieldById(fields, n.field, grain));
  }
}

function checkCond(c: FilterCond, f: Field): void {
  const where = `In the filter on ${fieldLabel(c.field)}`;
  if (!OPS_BY_KIND[f.kind].includes(c.op)) {
    throw new StrataError(`${where}: "${OP_LABEL[c.op]}" does not apply to ${kindPhrase(f.kind)}.`);
  }
  const v = c.value;
  const want = (ok: boolean, what: string) => {
    if (!ok) throw new StrataError(`${where}: "${OP_LABEL[c.op]}" needs ${what}.`);
  };
  const isNum = (x: unknown): x is number => typeof x === 'number';
  const isDate = (x: unknown) => typeof x === 'string' && DATE_RE.test(x) && !Number.isNaN(Date.parse(x)) && new Date(x).toISOString().slice(0, 10) === x;
  const one = (x: unknown) =>
    f.kind === 'integer' || f.kind === 'number' ? isNum(x) : f.kind === 'boolean' ? typeof x === 'boolean' : f.kind === 'temporal' ? isDate(x) : typeof x === 'string';
  const kindWord = f.kind === 'temporal' ? 'a date (YYYY-MM-DD)' : f.kind === 'boolean' ? 'true or false' : f.kind === 'text' ? 'a text value' : 'a number';
  switch (c.op) {
    case 'is_null':
    case 'not_null':
      want(v === undefined, 'no value');
      return;
    case 'between':
      want(Array.isArray(v) && v.length === 2 && v.every(one), `two values, each ${kindWord}`);
      return;
    case 'in':
    case 'not_in':
      want(Array.isArray(v) && v.length > 0 && v.every(one), `a list of at least one value, each ${kindWord}`);
      return;
    case 'last_days':
      want(isNum(v) && Number.isInteger(v) && v > 0 && v <= 36500, 'a whole number of days from 1 to 36500');
      return;
    case 'contains':
    case 'starts_with':
      want(typeof v === 'string' && v.length > 0, 'some text');
      return;
    default:
      want(!Array.isArray(v) && one(v), kindWord);
  }
}

/**
 * Every field id a filter reads from the row it filters (what the FROM clause must join). A behaviour condition
 * reads none of them: it counts in its own events sub-query, whose event conditions are in behaviourFields.
 */
export function filterFields(g: FilterGroup): string[] {
  const out: string[] = [];
  const walk = (n: FilterNode) => (isGroup(n) ? n.items.forEach(walk) : isBehaviour(n) ? undefined : out.push(n.field));
  walk(g);
  return out;
}

/** The event field ids the behaviour conditions of a filter read inside their own sub-queries. */
export function behaviourFields(g: FilterGroup): string[] {
  const out: string[] = [];
  const walk = (n: FilterNode): void => {
    if (isGroup(n)) n.items.forEach(walk);
    else if (isBehaviour(n) && n.did.where) out.push(...filterFields(n.did.where));
  };
  walk(g);
  return out;
}

/** Whether a filter has no conditions at all (every group empty); a behaviour condition is a condition. */
export function isEmptyFilter(g: FilterGroup): boolean {
  return g.items.every((n) => isGroup(n) && isEmptyFilter(n));
}

/**
 * The filter without conditions whose field fails `keep` (e.g. event fields when switching to the users grain).
 * Behaviour conditions stay whole: they suit every grain, and their event conditions read their own events.
 */
export function pruneFilter(g: FilterGroup, keep: (fieldId: string) => boolean): FilterGroup {
  const items = g.items.flatMap((n): FilterNode[] =>
    isGroup(n) ? [pruneFilter(n, keep)] : isBehaviour(n) || keep(n.field) ? [n] : [],
  );
  return { op: g.op, items };
}
