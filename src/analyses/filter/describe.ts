// A filter as one line of plain text ("age > 25 AND revenue < 30"), for chips, saved-filter lists and titles.
import { fieldLabel } from '../fields.ts';
import { COUNT_OP_LABEL, isBehaviour, isDidNot, isGroup, OP_LABEL, type Behaviour, type FilterCond, type FilterGroup } from './spec.ts';

/** Plain text for a filter; "everything" for an empty one. Never HTML: callers render it as text. */
export function describeFilter(g: FilterGroup): string {
  const s = group(g, true);
  return s === '' ? 'everything' : s;
}

function group(g: FilterGroup, top: boolean): string {
  const parts = g.items.map((n) => (isGroup(n) ? group(n, false) : isBehaviour(n) ? behaviour(n.did) : cond(n))).filter((s) => s !== '');
  if (parts.length === 0) return '';
  const joined = parts.join(g.op === 'and' ? ' AND ' : ' OR ');
  return top || parts.length === 1 ? joined : `(${joined})`;
}

function cond(c: FilterCond): string {
  const name = fieldLabel(c.field).replace(/ \((event|user|user metric)\)$/, '');
  const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  const v = c.value;
  switch (c.op) {
    case 'is_null':
    case 'not_null':
      return `${name} ${OP_LABEL[c.op]}`;
    case 'between':
      return Array.isArray(v) ? `${name} between ${show(v[0])} and ${show(v[1])}` : name;
    case 'last_days':
      return `${name} in the last ${show(v)} days`;
    case 'in':
    case 'not_in':
      return `${name} ${OP_LABEL[c.op]} [${Array.isArray(v) ? v.map(show).join(', ') : ''}]`;
    default:
      return `${name} ${OP_LABEL[c.op]} ${show(v)}`;
  }
}

// 'did "purchase" with category is "Books" at least 2 times in the last 30 days', 'did not do "refund"'.
function behaviour(b: Behaviour): string {
  const where = b.where ? group(b.where, false) : '';
  const what = `${JSON.stringify(b.event)}${where === '' ? '' : ` with ${where}`}`;
  const w = b.window;
  const when = !w ? '' : 'last_days' in w ? ` in the last ${w.last_days} ${w.last_days === 1 ? 'day' : 'days'}` : ` between ${w.between[0]} and ${w.between[1]}`;
  if (isDidNot(b)) return `did not do ${what}${when}`;
  const { op, n } = b.count;
  const times = n === 1 ? 'once' : `${n.toLocaleString('en-US')} times`;
  const count = op === 'at_least' && n === 1 ? '' : op === 'at_least' && n === 0 ? ' any number of times' : ` ${COUNT_OP_LABEL[op]} ${times}`;
  return `did ${what}${count}${when}`;
}
