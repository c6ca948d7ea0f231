// Large query results are decoded and copied in slices on the page's main thread (src/db/ipc-decode.ts, columnArray
// in src/analyses/pass-kit.ts): the same tables and arrays as tableFromIPC / Vector.toArray, with pauses between.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordBatch, Table, Utf8, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
import { decodeIpc, INCOMPLETE_RESULT, isWholeIpcFile, wholeResult } from '../src/db/ipc-decode.ts';
import { CHECK_BATCHES, columnArray } from '../src/analyses/pass-kit.ts';

/** A table of `batches` record batches of `rows` rows: numbers, integers, texts with NULLs. */
function batched(batches: number, rows: number): Table {
  const n = batches * rows;
  const whole = new Table({
    hu: vectorFromArray(Float64Array.from({ length: n }, (_, i) => i * 4096 + 0.5)),
    steps: vectorFromArray(Int32Array.from({ length: n }, (_, i) => i % 16)),
    g: vectorFromArray(Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : `device ${i % 3}`)), new Utf8()),
  });
  const one = whole.batches[0];
  const out: RecordBatch[] = [];
  for (let b = 0; b < batches; b++) out.push(one.slice(b * rows, (b + 1) * rows));
  return new Table(out);
}

const plain = (t: Table) => ({ fields: t.schema.fields.map((f) => `${f.name}:${f.type}`), rows: t.toArray().map((r) => r.toJSON()) });

test('a large result decoded in slices equals tableFromIPC, in stream and file format, pausing every CHECK_BATCHES batches', async () => {
  const table = batched(CHECK_BATCHES * 3 + 5, 7);
  for (const format of ['stream', 'file'] as const) {
    const bytes = tableToIPC(table, format);
    let pauses = 0;
    const t = await decodeIpc(bytes, async () => void pauses++, 0);
    assert.equal(t.batches.length, CHECK_BATCHES * 3 + 5);
    assert.deepEqual(plain(t), plain(tableFromIPC(bytes)));
    assert.equal(pauses, 3, format);
  }
});

test('small results and empty ones decode at once, with their schema', async () => {
  const bytes = tableToIPC(batched(2, 3), 'file');
  let pauses = 0;
  const small = await decodeIpc(bytes, async () => void pauses++);
  assert.deepEqual(plain(small), plain(tableFromIPC(bytes)));
  assert.equal(pauses, 0);
  const empty = tableToIPC(batched(1, 3).slice(0, 0), 'stream');
  const e = await decodeIpc(empty, async () => undefined, 0);
  assert.equal(e.numRows, 0);
  assert.deepEqual(e.schema.fields.map((f) => f.name), ['hu', 'steps', 'g']);
});

test('columnArray copies a column of many batches as toArray does, pausing between slices; one batch is a view', async () => {
  const table = batched(CHECK_BATCHES * 2 + 1, 5);
  let pauses = 0;
  const pause = async () => void pauses++;
  const hu = await columnArray<Float64Array>(table, 'hu', pause);
  const steps = await columnArray<Int32Array>(table, 'steps', pause);
  assert.ok(hu instanceof Float64Array && steps instanceof Int32Array);
  assert.deepEqual(Array.from(hu), Array.from(table.getChild('hu')!.toArray() as Float64Array));
  assert.deepEqual(Array.from(steps), Array.from(table.getChild('steps')!.toArray() as Int32Array));
  assert.equal(pauses, 2 * (1 + 2), 'one before each column, then one every CHECK_BATCHES batches');
  const one = batched(1, 9);
  const view = await columnArray<Float64Array>(one, 'hu', async () => undefined);
  assert.equal(view.buffer, (one.getChild('hu')!.data[0].values as Float64Array).buffer);
});

test('a whole Arrow IPC file is told from one cut short (duckdb-wasm#2256) or empty, and from the stream format', () => {
  const bytes = tableToIPC(batched(3, 5), 'file');
  assert.equal(isWholeIpcFile(bytes), true);
  assert.equal(wholeResult(bytes), bytes);
  // An empty answer decodes silently to a table with no columns: the reason for the check.
  assert.equal(tableFromIPC(new Uint8Array(0)).numCols, 0);
  for (const cut of [0, 6, 11, 12, 100, bytes.length - 1, bytes.length - 6]) {
    assert.equal(isWholeIpcFile(bytes.subarray(0, cut)), false, `cut at ${cut}`);
    assert.throws(() => wholeResult(bytes.subarray(0, cut)), (e: Error) => e.message.startsWith(INCOMPLETE_RESULT) && e.message.includes(`(${cut} bytes`));
  }
  assert.equal(isWholeIpcFile(bytes.subarray(8)), false, 'the start missing');
  assert.equal(isWholeIpcFile(tableToIPC(batched(3, 5), 'stream')), false, 'the reader answers in the file format only');
});
