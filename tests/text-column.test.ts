// textColumn (src/analyses/pass-kit.ts): every text of an Arrow column in row order, ASCII batches decoded in one call
// and cut at their offsets, any other batch value by value — across batches, NULLs and sliced vectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Float64, Utf8, vectorFromArray } from 'apache-arrow';
import { textColumn } from '../src/analyses/pass-kit.ts';

test('textColumn: ASCII and non-ASCII batches, NULLs, empty strings, slices and a non-text column', () => {
  const ascii = ['u1', null, '', 'user-0042', 'z'];
  const other = ['café', null, 'naïve €', '', 'plain', '日本'];
  const v = vectorFromArray(ascii, new Utf8()).concat(vectorFromArray(other, new Utf8()));
  assert.equal(v.data.length, 2, 'two record batches');
  assert.deepEqual(textColumn(v), [...ascii, ...other]);
  // A slice starts inside a batch (its data has an offset).
  const cut = v.slice(3, 8);
  assert.deepEqual(textColumn(cut), [...ascii.slice(3), ...other.slice(0, 3)]);
  assert.deepEqual(textColumn(vectorFromArray([] as string[], new Utf8())), []);
  // Anything else as text, NULL as null.
  assert.deepEqual(textColumn(vectorFromArray([1.5, null, 3], new Float64())), ['1.5', null, '3']);
});
