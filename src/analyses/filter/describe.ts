// A filter as one line of plain text ("age > 25 AND revenue < 30"), for chips, saved-filter lists and titles.
import { fieldLabel } from '../fields.ts';
import { isGroup, OP_LABEL, type FilterCond, type FilterGroup } from './spec.ts';

/** Plain text for a filter; "everything" for an empty one. Never HTML: callers render it as text. */
export function describeFilter(g: FilterGroup): string {
  const s = group(g, true);
  return s === '' ? 'everything' : s;
}

function group(g: FilterGroup, top: boolean): string {
  const parts = g.items.map((n) => (isGroup(n) ? group(n, false) : cond(n))).filter((s) => s !== '');
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
