// Columns of text (or null) into an Arrow IPC stream of Utf8 columns, built directly from one encoded buffer per
// column: ~10x faster than vectorFromArray for the millions of values a big JSON file holds.
import { Field, RecordBatch, Schema, Struct, Table, Utf8, makeData, tableToIPC, type Data } from 'apache-arrow';

const encoder = new TextEncoder();

/**
 * Arrow IPC stream bytes for `rows` rows of the named text columns (missing entries are null). The schema is built
 * from a list of fields, never from an object keyed by name: JSON keys are data, and a key "__proto__" would
 * replace such an object's prototype (Arrow then recursed until the stack ran out).
 */
export function textIpc(names: readonly string[], columns: readonly (string | null | undefined)[][], rows: number): Uint8Array {
  const fields = names.map((name) => new Field(name, new Utf8(), true));
  const children = names.map((_, i) => utf8Data(columns[i], rows));
  const struct = makeData({ type: new Struct(fields), length: rows, nullCount: 0, children });
  return tableToIPC(new Table([new RecordBatch(new Schema(fields), struct)]), 'stream');
}

function utf8Data(values: readonly (string | null | undefined)[], n: number): Data<Utf8> {
  const offsets = new Int32Array(n + 1);
  const valid = new Uint8Array((n + 7) >> 3);
  const parts: string[] = [];
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) nulls++;
    else {
      valid[i >> 3] |= 1 << (i & 7);
      parts.push(v);
    }
  }
  const joined = parts.join('');
  const data = encoder.encode(joined);
  const ascii = data.length === joined.length; // then every character is one byte
  let at = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) at += ascii ? v.length : utf8Length(v);
    offsets[i + 1] = at;
  }
  const type = new Utf8();
  return makeData({ type, length: n, nullCount: nulls, nullBitmap: nulls ? valid : null, valueOffsets: offsets, data });
}

/** Bytes TextEncoder writes for `s` (a lone surrogate becomes U+FFFD, three bytes). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
