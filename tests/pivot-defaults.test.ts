// The first pivot adapts to the open dataset's columns (an imported file may have no country).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPivotFor, DEFAULT_PIVOT } from '../src/analyses/pivot/index.ts';
import type { Field } from '../src/analyses/fields.ts';
import { columnKind } from '../src/analyses/profile/kinds.ts';

const f = (id: string, type: string): Field => ({ id, source: id[0] as Field['source'], column: id.slice(2), type, kind: columnKind(type) });
const core = [f('e.user_id', 'VARCHAR'), f('e.ts', 'TIMESTAMP'), f('u.user_id', 'VARCHAR'), f('m.first_seen', 'TIMESTAMP'), f('m.orders', 'BIGINT')];

test('the demo shop (has country) gets the standard default', () => {
  const spec = defaultPivotFor([...core, f('u.country', 'VARCHAR'), f('u.gender', 'VARCHAR')]);
  assert.deepEqual(spec, DEFAULT_PIVOT);
});

test('without country, a preferred column, then the first non-identifier text column of users', () => {
  assert.deepEqual(defaultPivotFor([...core, f('u.gender', 'VARCHAR')]).rows, [{ field: 'u.gender', bucket: { kind: 'top', n: 10 } }]);
  // email and name look like identifiers (one value per user) and are skipped; segment is the first that is not
  const rows = defaultPivotFor([...core, f('u.email', 'VARCHAR'), f('u.name', 'VARCHAR'), f('u.segment', 'VARCHAR')]).rows;
  assert.deepEqual(rows, [{ field: 'u.segment', bucket: { kind: 'top', n: 10 } }]);
});

test('no usable text column: users by first-seen month; nothing at all: just the totals', () => {
  assert.deepEqual(defaultPivotFor(core).rows, [{ field: 'm.first_seen', bucket: { kind: 'date', unit: 'month' } }]);
  assert.deepEqual(defaultPivotFor([f('u.user_id', 'VARCHAR')]).rows, []);
  // the measures stay the standard four
  assert.deepEqual(defaultPivotFor(core).measures, DEFAULT_PIVOT.measures);
});
