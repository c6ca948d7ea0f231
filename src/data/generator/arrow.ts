// Pack generated columns (typed arrays, or string arrays for the small product table) into Arrow IPC stream bytes.
import { Table, Utf8, makeData, makeVector, tableToIPC, type Vector } from 'apache-arrow';

/** A column the generator emits: numbers in a typed array (fast) or plain strings. */
export type Column = Int8Array | Int16Array | Int32Array | Float64Array | string[];

/** Arrow IPC *stream* bytes for the given columns, all of the same length, in key order. */
export function toIpc(columns: Record<string, Column>): Uint8Array {
  const vectors: Record<string, Vector> = {};
  for (const [name, col] of Object.entries(columns)) {
    vectors[name] = Array.isArray(col) ? utf8Vector(col) : makeVector(col);
  }
  return tableToIPC(new Table(vectors), 'stream');
}

/**
 * A Utf8 vector built from its buffers (offsets and UTF-8 bytes). Arrow's `vectorFromArray` goes through its
 * builders, which compile code with `new Function`: the page's Content-Security-Policy (no 'unsafe-eval') refuses
 * that on the main thread, where clustering labels are stored.
 */
export function utf8Vector(values: readonly string[]): Vector<Utf8> {
  const enc = new TextEncoder();
  const parts = values.map((v) => enc.encode(v));
  const valueOffsets = new Int32Array(values.length + 1);
  for (let i = 0; i < parts.length; i++) valueOffsets[i + 1] = valueOffsets[i] + parts[i].length;
  const data = new Uint8Array(valueOffsets[values.length]);
  parts.forEach((p, i) => data.set(p, valueOffsets[i]));
  return makeVector(makeData({ type: new Utf8(), length: values.length, nullCount: 0, valueOffsets, data }));
}
