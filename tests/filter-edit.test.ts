// The filter builder's pure edits: defaults, operator changes, path edits, list parsing and completeOnly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendAt, changeOp, completeOnly, countConds, defaultCond, defaultValue, formatList, getAt, isComplete, memoSuggest,
  nestedGroup, parseList, removeAt, setAt, setValue,
} from '../src/analyses/filter/filter-edit.ts';
import { checkFilter, validateFilter, type FilterCond, type FilterGroup } from '../src/analyses/filter/spec.ts';
import type { Field } from '../src/analyses/fields.ts';
import type { ColumnKind } from '../src/analyses/profile/kinds.ts';

const field = (id: string, type: string, kind: ColumnKind): Field => ({ id, source: id[0] as Field['source'], column: id.slice(2), type, kind });
const AGE = field('u.age', 'INTEGER', 'integer');
const REV = field('m.revenue', 'DOUBLE', 'number');
const SIGNUP = field('u.signup_at', 'TIMESTAMP', 'temporal');
const COUNTRY = field('u.country', 'VARCHAR', 'text');
const VIP = field('u.is_vip', 'BOOLEAN', 'boolean');
const TAGS = field('u.tags', 'VARCHAR[]', 'other');
const FIELDS = [AGE, REV, SIGNUP, COUNTRY, VIP, TAGS];

const c = (f: string, op: FilterCond['op'], value?: FilterCond['value']): FilterCond => (value === undefined ? { field: f, op } : { field: f, op, value });

/** A deep-frozen copy, so any mutation by a helper throws. */
function frozen<T>(x: T): T {
  const copy = structuredClone(x);
  const freeze = (o: unknown) => {
    if (o && typeof o === 'object') {
      Object.values(o).forEach(freeze);
      Object.freeze(o);
    }
  };
  freeze(copy);
  return copy;
}

test('defaultCond takes the kind\'s first operator and an empty (or useful) value', () => {
  assert.deepEqual(defaultCond(COUNTRY), { field: 'u.country', op: '=', value: '' });
  assert.deepEqual(defaultCond(AGE), { field: 'u.age', op: '=', value: '' });
  assert.deepEqual(defaultCond(SIGNUP), { field: 'u.signup_at', op: 'before', value: '' });
  assert.deepEqual(defaultCond(VIP), { field: 'u.is_vip', op: '=', value: true });
  // "other" only has null tests: no value key at all, and complete straight away.
  assert.deepEqual(defaultCond(TAGS), { field: 'u.tags', op: 'is_null' });
  assert.equal('value' in defaultCond(TAGS), false);
  assert.equal(isComplete(defaultCond(TAGS)), true);
  assert.equal(isComplete(defaultCond(VIP)), true);
  assert.equal(isComplete(defaultCond(COUNTRY)), false);
});

test('defaultValue per operator', () => {
  assert.deepEqual(defaultValue('integer', 'between'), ['', '']);
  assert.deepEqual(defaultValue('text', 'in'), []);
  assert.equal(defaultValue('temporal', 'last_days'), 30);
  assert.equal(defaultValue('number', 'not_null'), undefined);
});

test('changeOp keeps what still fits and resets the rest', () => {
  assert.deepEqual(changeOp(c('u.age', '=', 25), '>', 'integer'), c('u.age', '>', 25));
  assert.deepEqual(changeOp(c('u.age', '=', 25), 'between', 'integer'), c('u.age', 'between', [25, '']));
  assert.deepEqual(changeOp(c('u.age', 'between', [18, 30]), 'in', 'integer'), c('u.age', 'in', [18, 30]));
  assert.deepEqual(changeOp(c('u.age', 'in', [1, 2, 3]), 'between', 'integer'), c('u.age', 'between', [1, '']));
  assert.deepEqual(changeOp(c('u.age', 'in', [7, 8]), '<=', 'integer'), c('u.age', '<=', 7));
  assert.deepEqual(changeOp(c('u.age', 'in', []), '<=', 'integer'), c('u.age', '<=', ''));
  assert.deepEqual(changeOp(c('u.age', '=', 25), 'is_null', 'integer'), c('u.age', 'is_null'));
  assert.deepEqual(changeOp(c('u.age', 'is_null'), '=', 'integer'), c('u.age', '=', ''));
  assert.deepEqual(changeOp(c('u.country', '=', 'FR'), 'in', 'text'), c('u.country', 'in', ['FR']));
  assert.deepEqual(changeOp(c('u.country', '=', ''), 'in', 'text'), c('u.country', 'in', []));
  assert.deepEqual(changeOp(c('u.country', '=', 'FR'), 'contains', 'text'), c('u.country', 'contains', 'FR'));
  // A date does not become a number of days, nor the other way round.
  assert.deepEqual(changeOp(c('u.signup_at', 'before', '2024-01-31'), 'last_days', 'temporal'), c('u.signup_at', 'last_days', 30));
  assert.deepEqual(changeOp(c('u.signup_at', 'last_days', 7), 'after', 'temporal'), c('u.signup_at', 'after', ''));
  assert.deepEqual(changeOp(c('u.signup_at', 'after', '2024-01-31'), 'between', 'temporal'), c('u.signup_at', 'between', ['2024-01-31', '']));
  assert.deepEqual(changeOp(c('u.is_vip', '=', false), '!=', 'boolean'), c('u.is_vip', '!=', false));
});

test('setValue replaces or removes the value', () => {
  assert.deepEqual(setValue(c('u.age', '=', 1), 2), c('u.age', '=', 2));
  assert.deepEqual(setValue(c('u.age', 'is_null', 1), undefined), c('u.age', 'is_null'));
});

const TREE: FilterGroup = {
  op: 'and',
  items: [
    c('u.age', '>', 25),
    { op: 'or', items: [c('u.country', '=', 'FR'), { op: 'and', items: [c('u.is_vip', '=', true)] }] },
    c('m.revenue', '<', 30),
  ],
};

test('getAt / setAt / removeAt / appendAt edit by path without touching the original', () => {
  const t = frozen(TREE);
  assert.deepEqual(getAt(t, []), t);
  assert.deepEqual(getAt(t, [1, 1, 0]), c('u.is_vip', '=', true));
  assert.equal(getAt(t, [0, 0]), undefined);
  assert.equal(getAt(t, [3]), undefined);

  const a = setAt(t, [1, 0], c('u.country', '!=', 'DE'));
  assert.deepEqual(a, {
    op: 'and',
    items: [c('u.age', '>', 25), { op: 'or', items: [c('u.country', '!=', 'DE'), { op: 'and', items: [c('u.is_vip', '=', true)] }] }, c('m.revenue', '<', 30)],
  });
  // Untouched branches are shared, the edited path is new.
  assert.equal(a.items[0], t.items[0]);
  assert.equal(a.items[2], t.items[2]);
  assert.notEqual(a.items[1], t.items[1]);

  assert.deepEqual(removeAt(t, [0]), { op: 'and', items: [t.items[1], t.items[2]] });
  assert.deepEqual(removeAt(t, [1, 1]), { op: 'and', items: [c('u.age', '>', 25), { op: 'or', items: [c('u.country', '=', 'FR')] }, c('m.revenue', '<', 30)] });

  assert.deepEqual(appendAt({ op: 'or', items: [] }, [], c('u.age', 'not_null')), { op: 'or', items: [c('u.age', 'not_null')] });
  const b = appendAt(t, [1, 1], c('u.age', '=', 40));
  assert.deepEqual(getAt(b, [1, 1]), { op: 'and', items: [c('u.is_vip', '=', true), c('u.age', '=', 40)] });
  assert.equal(b.items.length, 3);

  assert.throws(() => setAt(t, [], c('u.age', '=', 1)), RangeError);
  assert.throws(() => removeAt(t, [5]), RangeError);
  assert.throws(() => setAt(t, [0, 0], c('u.age', '=', 1)), RangeError);
  assert.throws(() => appendAt(t, [0], c('u.age', '=', 1)), RangeError);
  assert.deepEqual(t, TREE);
});

test('nestedGroup joins the other way from its parent', () => {
  assert.deepEqual(nestedGroup('and', AGE), { op: 'or', items: [c('u.age', '=', '')] });
  assert.deepEqual(nestedGroup('or', undefined), { op: 'and', items: [] });
});

test('parseList trims, drops blanks and repeats, and reads numbers for numeric kinds', () => {
  assert.deepEqual(parseList(' FR, DE ,,FR, united states ', 'text'), { values: ['FR', 'DE', 'united states'], invalid: [] });
  assert.deepEqual(parseList('1, 2, ', 'integer'), { values: [1, 2], invalid: [] });
  assert.deepEqual(parseList('1,2,x,1.5,-3,+4,2', 'integer'), { values: [1, 2, -3, 4], invalid: ['x', '1.5'] });
  assert.deepEqual(parseList('0.5, 1e3, abc', 'number'), { values: [0.5, 1000], invalid: ['abc'] });
  assert.deepEqual(parseList('9007199254740993', 'integer'), { values: [], invalid: ['9007199254740993'] });
  assert.deepEqual(parseList('', 'text'), { values: [], invalid: [] });
  assert.deepEqual(parseList('a\nb', 'text'), { values: ['a', 'b'], invalid: [] });
  // Text "1" and number 1 are different values; only text fields keep text.
  assert.deepEqual(parseList('1, 01', 'text'), { values: ['1', '01'], invalid: [] });
  assert.deepEqual(parseList('1, 01', 'integer'), { values: [1], invalid: [] });
  assert.equal(formatList([1, 2, 3]), '1, 2, 3');
  assert.equal(formatList(['FR', 'DE']), 'FR, DE');
  assert.deepEqual(parseList(formatList(['FR', 'DE']), 'text').values, ['FR', 'DE']);
});

test('isComplete asks for every value an operator needs', () => {
  assert.equal(isComplete(c('u.age', '=', '')), false);
  assert.equal(isComplete(c('u.age', '=')), false);
  assert.equal(isComplete(c('u.age', '=', 0)), true);
  assert.equal(isComplete(c('u.age', '=', Number.NaN)), false);
  assert.equal(isComplete(c('u.age', '=', [1])), false);
  assert.equal(isComplete(c('u.is_vip', '=', false)), true);
  assert.equal(isComplete(c('u.age', 'between', [1, ''])), false);
  assert.equal(isComplete(c('u.age', 'between', [1, 2])), true);
  assert.equal(isComplete(c('u.age', 'between', [1, 2, 3])), false);
  assert.equal(isComplete(c('u.age', 'in', [])), false);
  assert.equal(isComplete(c('u.age', 'in', [3])), true);
  assert.equal(isComplete(c('u.age', 'is_null')), true);
  assert.equal(isComplete(c('u.signup_at', 'last_days', 7)), true);
  // Complete but wrong (0 days) stays in, so checkFilter can say what is wrong rather than silently dropping it.
  assert.equal(isComplete(c('u.signup_at', 'last_days', 0)), true);
  assert.equal(isComplete(c('u.country', 'contains', '')), false);
});

test('completeOnly drops incomplete conditions and the groups they empty', () => {
  const g: FilterGroup = frozen({
    op: 'or',
    items: [
      c('u.age', '>', ''),
      { op: 'and', items: [c('u.country', '=', ''), { op: 'or', items: [] }] },
      { op: 'and', items: [c('u.country', 'in', ['FR']), c('u.age', 'between', [1, ''])] },
      c('m.revenue', 'not_null'),
    ],
  });
  const want: FilterGroup = { op: 'or', items: [{ op: 'and', items: [c('u.country', 'in', ['FR'])] }, c('m.revenue', 'not_null')] };
  assert.deepEqual(completeOnly(g), want);
  assert.doesNotThrow(() => checkFilter(completeOnly(g), FIELDS, 'users'));
  assert.deepEqual(completeOnly({ op: 'and', items: [c('u.age', '=', '')] }), { op: 'and', items: [] });
  assert.deepEqual(countConds(g), { total: 5, incomplete: 3 });
  assert.deepEqual(countConds({ op: 'and', items: [] }), { total: 0, incomplete: 0 });
});

test('a built-up filter survives validateFilter and checkFilter', () => {
  let g: FilterGroup = { op: 'and', items: [] };
  g = appendAt(g, [], defaultCond(AGE));
  g = setAt(g, [0], changeOp(getAt(g, [0]) as FilterCond, 'between', 'integer'));
  g = setAt(g, [0], setValue(getAt(g, [0]) as FilterCond, [18, 30]));
  g = appendAt(g, [], nestedGroup(g.op, COUNTRY));
  g = setAt(g, [1, 0], changeOp(getAt(g, [1, 0]) as FilterCond, 'in', 'text'));
  g = setAt(g, [1, 0], setValue(getAt(g, [1, 0]) as FilterCond, parseList('FR, DE', 'text').values));
  g = appendAt(g, [1], defaultCond(VIP));
  const want: FilterGroup = {
    op: 'and',
    items: [c('u.age', 'between', [18, 30]), { op: 'or', items: [c('u.country', 'in', ['FR', 'DE']), c('u.is_vip', '=', true)] }],
  };
  assert.deepEqual(g, want);
  assert.deepEqual(validateFilter(JSON.parse(JSON.stringify(g))), want);
  assert.doesNotThrow(() => checkFilter(g, FIELDS, 'users'));
});

test('memoSuggest asks once per field and forgets failures', async () => {
  const calls: string[] = [];
  let fail = true;
  const ask = memoSuggest(async (id) => {
    calls.push(id);
    if (id === 'u.bad' && fail) throw new Error('boom');
    return [`${id}:x`];
  });
  assert.deepEqual(await ask('u.country'), ['u.country:x']);
  assert.deepEqual(await ask('u.country'), ['u.country:x']);
  await assert.rejects(ask('u.bad'), /boom/);
  fail = false;
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(await ask('u.bad'), ['u.bad:x']);
  assert.deepEqual(calls, ['u.country', 'u.bad', 'u.bad']);
});
