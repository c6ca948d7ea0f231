// Pure helpers behind the filter builder: immutable edits by path, operator/field changes, list parsing and the
// "complete conditions only" view a query uses while the user is still typing. No DOM, so Node tests cover them.
import { isGroup, OPS_BY_KIND, type CondOp, type CondValue, type FilterCond, type FilterGroup, type FilterNode } from '../../analyses/filter/spec.ts';
import type { Field } from '../../analyses/fields.ts';
import type { ColumnKind } from '../../analyses/profile/kinds.ts';
import { LINK_LIMITS } from '../../analyses/limits.ts';

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

/** The filter without incomplete conditions and the groups they leave empty: what a query should run with. */
export function completeOnly(group: FilterGroup): FilterGroup {
  const items: FilterNode[] = [];
  for (const n of group.items) {
    if (isGroup(n)) {
      const g = completeOnly(n);
      if (g.items.length > 0) items.push(g);
    } else if (isComplete(n)) {
      items.push(n);
    }
  }
  return { op: group.op, items };
}

/** How many conditions a filter holds, and how many of them are still incomplete. */
export function countConds(group: FilterGroup): { total: number; incomplete: number } {
  let total = 0;
  let incomplete = 0;
  const walk = (n: FilterNode) => {
    if (isGroup(n)) return n.items.forEach(walk);
    total++;
    if (!isComplete(n)) incomplete++;
  };
  walk(group);
  return { total, incomplete };
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
