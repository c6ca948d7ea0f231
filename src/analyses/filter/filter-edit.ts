// Pure helpers behind the filter builder: immutable edits by path, operator/field changes, list parsing and the
// "complete conditions only" view a query uses while the user is still typing. No DOM, so Node tests cover them.
import {
  isBehaviour, isDidNot, isGroup, OPS_BY_KIND,
  type Behaviour, type BehaviourCond, type CondOp, type CondValue, type CountOp, type FilterCond, type FilterGroup, type FilterNode,
} from './spec.ts';
import type { Field } from '../fields.ts';
import type { ColumnKind } from '../profile/kinds.ts';
import { LINK_LIMITS } from '../limits.ts';

/** Indexes from the top group down to a node: [] is the top group, [2, 0] the first item of its third item. */
export type NodePath = readonly number[];

/** The deepest a group may sit (top group = 0): validateFilter refuses a group at depth LINK_LIMITS.depth. */
export const MAX_GROUP_DEPTH = LINK_LIMITS.depth - 1;

/** What last_days starts at when picked: a useful window rather than an empty box. */
export const DEFAULT_DAYS = 30;

/** The value a fresh condition of this kind and operator starts with ('' / [] mean "not filled in yet"). */
export function defaultValue(kind: ColumnKind, op: CondOp): CondValue | CondValue[] | undefined {
  switch (op) {
    case 'is_null':
    case 'not_null':
      return undefined;
    case 'between':
      return ['', ''];
    case 'in':
    case 'not_in':
      return [];
    case 'last_days':
      return DEFAULT_DAYS;
    default:
      return kind === 'boolean' ? true : '';
  }
}

/** A new condition on a field: its kind's first operator and that operator's default value. */
export function defaultCond(field: Field): FilterCond {
  const op = OPS_BY_KIND[field.kind][0];
  return withValue({ field: field.id, op }, defaultValue(field.kind, op));
}

/** A new nested group holding one default condition, joined the other way from its parent (AND inside OR). */
export function nestedGroup(parentOp: FilterGroup['op'], field: Field | undefined): FilterGroup {
  return { op: parentOp === 'and' ? 'or' : 'and', items: field ? [defaultCond(field)] : [] };
}

/** The condition with another operator, keeping as much of the value as still fits (5 -> [5, ''] for between). */
export function changeOp(cond: FilterCond, op: CondOp, kind: ColumnKind): FilterCond {
  const v = cond.value;
  const first = Array.isArray(v) ? v[0] : v;
  const keep = first !== undefined && first !== '' && fits(first, kind);
  let next: CondValue | CondValue[] | undefined;
  switch (op) {
    case 'is_null':
    case 'not_null':
      next = undefined;
      break;
    case 'between':
      next = Array.isArray(v) && v.length === 2 && v.every((x) => fits(x, kind) || x === '') ? [...v] : [keep ? first : '', ''];
      break;
    case 'in':
    case 'not_in':
      next = Array.isArray(v) ? v.filter((x) => x !== '' && fits(x, kind)) : keep ? [first] : [];
      break;
    case 'last_days':
      next = typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : DEFAULT_DAYS;
      break;
    default:
      next = keep ? first : defaultValue(kind, op);
  }
  return withValue({ field: cond.field, op }, next);
}

// Whether a scalar has the type a kind's single value takes (numbers for numbers, text for text and dates).
function fits(x: CondValue, kind: ColumnKind): boolean {
  if (kind === 'integer' || kind === 'number') return typeof x === 'number';
  if (kind === 'boolean') return typeof x === 'boolean';
  return typeof x === 'string';
}

// A condition with value set, or without the key at all when there is none (the null operators).
function withValue(c: FilterCond, v: CondValue | CondValue[] | undefined): FilterCond {
  return v === undefined ? { field: c.field, op: c.op } : { field: c.field, op: c.op, value: v };
}

/** The condition with its value replaced (undefined removes it). */
export function setValue(cond: FilterCond, v: CondValue | CondValue[] | undefined): FilterCond {
  return withValue(cond, v);
}

/** The node at a path, or undefined when the path leads nowhere. */
export function getAt(group: FilterGroup, path: NodePath): FilterNode | undefined {
  let n: FilterNode = group;
  for (const i of path) {
    if (!isGroup(n) || i < 0 || i >= n.items.length) return undefined;
    n = n.items[i];
  }
  return n;
}

/** A new top group with the node at a non-empty path replaced; throws RangeError on a path that leads nowhere. */
export function setAt(group: FilterGroup, path: NodePath, node: FilterNode): FilterGroup {
  return edit(group, path, (items, i) => items.map((x, j) => (j === i ? node : x)));
}

/** A new top group without the node at a non-empty path; throws RangeError on a path that leads nowhere. */
export function removeAt(group: FilterGroup, path: NodePath): FilterGroup {
  return edit(group, path, (items, i) => items.filter((_, j) => j !== i));
}

/** A new top group with a node added at the end of the group at a path ([] = the top group). */
export function appendAt(group: FilterGroup, path: NodePath, node: FilterNode): FilterGroup {
  const target = getAt(group, path);
  if (!target || !isGroup(target)) throw new RangeError(`No filter group at [${path.join(', ')}].`);
  const grown: FilterGroup = { op: target.op, items: [...target.items, node] };
  return path.length === 0 ? grown : setAt(group, path, grown);
}

// Rebuild the groups along a path, letting `change` produce the last group's new items from its old ones.
function edit(group: FilterGroup, path: NodePath, change: (items: FilterNode[], i: number) => FilterNode[]): FilterGroup {
  const [i, ...rest] = path;
  if (i === undefined || i < 0 || i >= group.items.length) throw new RangeError(`No filter item at [${path.join(', ')}].`);
  if (rest.length === 0) return { op: group.op, items: change(group.items, i) };
  const child = group.items[i];
  if (!isGroup(child)) throw new RangeError(`No filter item at [${path.join(', ')}].`);
  return { op: group.op, items: group.items.map((x, j) => (j === i ? edit(child, rest, change) : x)) };
}

/** Split "a, b ,c" into values for in / not_in: trimmed, blanks and repeats dropped, numbers for numeric kinds. */
export function parseList(text: string, kind: ColumnKind): { values: CondValue[]; invalid: string[] } {
  const values: CondValue[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(/[,\n]/)) {
    const t = raw.trim();
    if (t === '') continue;
    let v: CondValue;
    if (kind === 'integer') {
      if (!/^[-+]?\d+$/.test(t) || !Number.isSafeInteger(Number(t))) {
        invalid.push(t);
        continue;
      }
      v = Number(t);
    } else if (kind === 'number') {
      const n = Number(t);
      if (!Number.isFinite(n)) {
        invalid.push(t);
        continue;
      }
      v = n;
    } else {
      v = t;
    }
    const key = `${typeof v}:${String(v)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    values.push(v);
  }
  return { values, invalid };
}

/** A list value as the text parseList reads back: "1, 2, 3". */
export function formatList(values: readonly CondValue[]): string {
  return values.map(String).join(', ');
}

// A scalar counts as filled in unless it is the empty text or a non-finite number.
function filled(x: unknown): boolean {
  if (typeof x === 'number') return Number.isFinite(x);
  return typeof x === 'boolean' || (typeof x === 'string' && x !== '');
}

/** Whether a condition has everything its operator needs (shape only; checkFilter judges types and ranges). */
export function isComplete(cond: FilterCond): boolean {
  const v = cond.value;
  switch (cond.op) {
    case 'is_null':
    case 'not_null':
      return true;
    case 'between':
      return Array.isArray(v) && v.length === 2 && v.every(filled);
    case 'in':
    case 'not_in':
      return Array.isArray(v) && v.length > 0 && v.every(filled);
    default:
      return !Array.isArray(v) && filled(v);
  }
}

/**
 * The filter without incomplete conditions and the groups they leave empty: what a query should run with. A
 * behaviour condition is always complete (its editor only stores valid counts and windows); its event conditions
 * are pruned the same way, and a where left empty goes.
 */
export function completeOnly(group: FilterGroup): FilterGroup {
  const items: FilterNode[] = [];
  for (const n of group.items) {
    if (isGroup(n)) {
      const g = completeOnly(n);
      if (g.items.length > 0) items.push(g);
    } else if (isBehaviour(n)) {
      items.push(n.did.where ? setWhere(n, completeOnly(n.did.where)) : n);
    } else if (isComplete(n)) {
      items.push(n);
    }
  }
  return { op: group.op, items };
}

/** How many conditions a filter holds (a behaviour and each of its event conditions count), and how many are incomplete. */
export function countConds(group: FilterGroup): { total: number; incomplete: number } {
  let total = 0;
  let incomplete = 0;
  const walk = (n: FilterNode) => {
    if (isGroup(n)) return n.items.forEach(walk);
    total++;
    if (isBehaviour(n)) {
      if (n.did.where) walk(n.did.where);
    } else if (!isComplete(n)) {
      incomplete++;
    }
  };
  walk(group);
  return { total, incomplete };
}

// ---- Behaviour conditions ("did purchase at least 2 times in the last 30 days") -----------------------------

/** The event type a new behaviour starts with: purchase when the data has it, else its most common type. */
export function pickEvent(types: readonly string[]): string {
  return types.includes('purchase') || types.length === 0 ? 'purchase' : types[0];
}

/** A new behaviour condition: did `event` at least once, ever. */
export function defaultBehaviour(event: string): BehaviourCond {
  return { did: { event, count: { op: 'at_least', n: 1 } } };
}

// The behaviour with some settings replaced, keys in the validator's order (event, where, count, window).
function withDid(b: BehaviourCond, patch: Partial<Behaviour>): BehaviourCond {
  const d = { ...b.did, ...patch };
  return {
    did: { event: d.event, ...(d.where ? { where: d.where } : {}), count: d.count, ...(d.window ? { window: d.window } : {}) },
  };
}

/** The behaviour with another event type. */
export function setEvent(b: BehaviourCond, event: string): BehaviourCond {
  return withDid(b, { event });
}

/** "did" or "did not" (exactly 0 / at most 0). */
export function behaviourMode(b: BehaviourCond): 'did' | 'did_not' {
  return isDidNot(b.did) ? 'did_not' : 'did';
}

/** Switch between "did" (back to at least once when it was "did not") and "did not" (exactly 0). */
export function setMode(b: BehaviourCond, mode: 'did' | 'did_not'): BehaviourCond {
  if (mode === behaviourMode(b)) return b;
  return withDid(b, { count: mode === 'did_not' ? { op: 'exactly', n: 0 } : { op: 'at_least', n: 1 } });
}

/** The behaviour with another count; the editor only passes whole numbers it has checked. */
export function setCount(b: BehaviourCond, op: CountOp, n: number): BehaviourCond {
  return withDid(b, { count: { op, n } });
}

/** Which window a behaviour has. */
export type WindowKind = 'ever' | 'last_days' | 'between';

/** The kind of a behaviour's window. */
export function windowKind(b: BehaviourCond): WindowKind {
  const w = b.did.window;
  return !w ? 'ever' : 'last_days' in w ? 'last_days' : 'between';
}

/** An ISO day `days` before `d` (UTC). */
function isoDay(d: Date, days = 0): string {
  return new Date(d.getTime() - days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The behaviour with another kind of window, starting from something valid: the last DEFAULT_DAYS days, or the
 * DEFAULT_DAYS days up to `today` (UTC) for between, ready to be edited.
 */
export function setWindowKind(b: BehaviourCond, kind: WindowKind, today: Date = new Date()): BehaviourCond {
  if (kind === windowKind(b)) return b;
  if (kind === 'ever') return withDid(b, { window: undefined });
  if (kind === 'last_days') return withDid(b, { window: { last_days: DEFAULT_DAYS } });
  return withDid(b, { window: { between: [isoDay(today, DEFAULT_DAYS - 1), isoDay(today)] } });
}

/** The behaviour with its window's days or dates replaced (the editor checks them first). */
export function setWindow(b: BehaviourCond, window: Behaviour['window']): BehaviourCond {
  return withDid(b, { window });
}

/** The behaviour with other event conditions; an empty group (or none) removes them. */
export function setWhere(b: BehaviourCond, where: FilterGroup | undefined): BehaviourCond {
  return withDid(b, { where: where && where.items.length > 0 ? where : undefined });
}

/** A whole number from lo to hi typed in a box, or null when it is not one. */
export function parseWhole(text: string, lo: number, hi: number): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) && n >= lo && n <= hi ? n : null;
}

/** Wrap a suggestion source so each field is asked once; a failed lookup is forgotten so it can be retried. */
export function memoSuggest(fn: (fieldId: string) => Promise<string[]>): (fieldId: string) => Promise<string[]> {
  const cache = new Map<string, Promise<string[]>>();
  return (id) => {
    let p = cache.get(id);
    if (!p) {
      p = fn(id);
      cache.set(id, p);
      p.catch(() => cache.delete(id));
    }
    return p;
  };
}
