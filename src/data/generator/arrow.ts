// Pack generated columns (typed arrays, or string arrays for the small product table) into Arrow IPC stream bytes.
import { Table, Utf8, makeVector, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';

/** A column the generator emits: numbers in a typed array (fast) or plain strings. */
export type Column = Int8Array | Int16Array | Int32Array | Float64Array | string[];

/** Arrow IPC *stream* bytes for the given columns, all of the same length, in key order. */
export function toIpc(columns: Record<string, Column>): Uint8Array {
  const vectors: Record<string, Vector> = {};
  for (const [name, col] of Object.entries(columns)) {
    vectors[name] = Array.isArray(col) ? vectorFromArray(col, new Utf8()) : makeVector(col);
  }
  return tableToIPC(new Table(vectors), 'stream');
}
