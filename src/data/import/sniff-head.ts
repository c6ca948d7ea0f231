// Look at a file's first bytes before DuckDB does: format (extension + magic bytes), compression, text encoding,
// and the bad inputs DuckDB would only report cryptically (empty file, binary file renamed .csv, UTF-16 BE).
import { StrataError } from '../../errors.ts';
import type { Compression, FileFormat, ImportSource, TextEncoding } from './types.ts';

/** What the first bytes say about a file. */
export interface HeadFacts {
  format: FileFormat;
  compression: Compression;
  encoding: TextEncoding;
  notes: string[];
  /** The head's records end in both CRLF and LF (line breaks inside quoted fields do not count). */
  mixedLineEnds: boolean;
}

const BINARY_MAGIC: readonly [string, number[]][] = [
  ['a zip archive or an Excel/OpenDocument workbook', [0x50, 0x4b, 0x03, 0x04]],
  ['a PDF document', [0x25, 0x50, 0x44, 0x46]],
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
  ['a GIF image', [0x47, 0x49, 0x46, 0x38]],
  ['an SQLite database', [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65]],
  ['an old Excel workbook (.xls)', [0xd0, 0xcf, 0x11, 0xe0]],
  ['a 7-Zip archive', [0x37, 0x7a, 0xbc, 0xaf]],
];

/** At most this much of a .gz file's head is decompressed for sniffing. */
const GUNZIP_HEAD_MAX = 65536;

const ACCEPTED = 'Strata reads CSV/TSV (optionally .gz), Parquet, JSON and NDJSON';

/** Decide format, compression and encoding from the extension and the head bytes; throw on unusable files. */
export async function sniffHead(source: ImportSource): Promise<HeadFacts> {
  const who = source.displayName;
  if (source.size === 0 || source.head.length === 0) {
    throw new StrataError(`${who} is empty (0 bytes). Check that the export finished, then drop the file again.`);
  }
  const ext = source.displayName.toLowerCase();
  const head = source.head;
  if (startsWith(head, [0x50, 0x41, 0x52, 0x31])) {
    return { format: 'parquet', compression: 'none', encoding: 'utf-8', notes: [], mixedLineEnds: false };
  }
  if (/\.parquet$/.test(ext)) {
    throw new StrataError(`${who} is named .parquet but is not a Parquet file (it lacks the PAR1 marker).`);
  }
  for (const [kind, magic] of BINARY_MAGIC) {
    if (startsWith(head, magic)) {
      throw new StrataError(`${who} looks like ${kind}, not a data file. ${ACCEPTED}: export or save it as CSV.`);
    }
  }
  const gzip = startsWith(head, [0x1f, 0x8b]);
  if (!gzip && /\.gz$/.test(ext)) {
    throw new StrataError(`${who} is named .gz but is not gzip-compressed. Rename it without .gz, or compress it again.`);
  }
  const text = gzip ? await gunzipHead(head) : head;
  if (gzip && text.length === 0) {
    throw new StrataError(`${who} holds no data once decompressed (or its gzip data is damaged). Check the export.`);
  }
  const notes: string[] = [];
  if (gzip) notes.push('Compressed with gzip: decompressed while reading.');
  const encoding = encodingOf(text, who, notes);
  // Does `text` hold the whole file? (For gzip: all of it arrived and decompressed to less than the 64 KiB cap.)
  const whole = head.length >= source.size && (!gzip || text.length < GUNZIP_HEAD_MAX);
  const format = formatOf(text, encoding, ext, who, notes, !whole);
  if (format !== 'csv' && encoding !== 'utf-8') {
    throw new StrataError(`${who} is JSON in ${encoding}; JSON must be UTF-8. Save it as UTF-8 and drop it again.`);
  }
  const mixedLineEnds = format === 'csv' && new LineEnds().scan(decode(text, labelOf(encoding))).mixed;
  if (mixedLineEnds) notes.push(MIXED_LINE_ENDS_NOTE);
  return { format, compression: gzip ? 'gzip' : 'none', encoding, notes, mixedLineEnds };
}

function labelOf(encoding: TextEncoding): string {
  return encoding === 'utf-16' ? 'utf-16le' : encoding === 'latin-1' ? 'latin1' : 'utf-8';
}

/** The probe's note for a file whose lines end in both CRLF and LF. */
export const MIXED_LINE_ENDS_NOTE = 'Line ends: a mix of Windows (CRLF) and Unix (LF) line ends; both are read.';

/**
 * Whether records end both in CRLF and in a bare LF, over text fed in pieces. Breaks inside quoted fields are
 * skipped: Excel ends rows in CRLF but writes a line break within a cell as LF, and such files read fine with
 * DuckDB's strict checks.
 */
class LineEnds {
  mixed = false;
  private quoted = false;
  private crlf = false;
  private lf = false;
  private last = 0;

  scan(text: string): this {
    for (let i = 0; i < text.length && !this.mixed; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x22) this.quoted = !this.quoted; // a doubled quote toggles twice: still inside
      else if (c === 0x0a && !this.quoted) {
        if ((i > 0 ? text.charCodeAt(i - 1) : this.last) === 0x0d) this.crlf = true;
        else this.lf = true;
        this.mixed = this.crlf && this.lf;
      }
    }
    if (text.length) this.last = text.charCodeAt(text.length - 1);
    return this;
  }
}

/** How far fileMixesLineEnds reads: past DuckDB's sniffing sample (20,480 lines) in any real file. */
const LINE_END_SCAN_BYTES = 64 * 1024 * 1024;

/** Whether the file's records end in both CRLF and LF anywhere in its first 64 MiB (decompressed, decoded). */
export async function fileMixesLineEnds(blob: Blob, facts: Pick<HeadFacts, 'compression' | 'encoding'>): Promise<boolean> {
  let bytes = blob.stream() as ReadableStream<Uint8Array>;
  if (facts.compression === 'gzip') bytes = bytes.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>);
  const reader = bytes.getReader();
  const decoder = new TextDecoder(labelOf(facts.encoding));
  const ends = new LineEnds();
  let read = 0;
  try {
    while (read < LINE_END_SCAN_BYTES && !ends.mixed) {
      const { done, value } = await reader.read();
      if (done) break;
      read += value.length;
      ends.scan(decoder.decode(value, { stream: true }));
    }
  } catch {
    return ends.mixed; // a damaged .gz is reported by the gzip check, not here
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return ends.mixed;
}

function encodingOf(b: Uint8Array, who: string, notes: string[]): TextEncoding {
  if (startsWith(b, [0xef, 0xbb, 0xbf])) return 'utf-8';
  if (startsWith(b, [0xff, 0xfe])) {
    notes.push('Text encoding: UTF-16 (little-endian, with a byte-order mark).');
    if (!decode(b.subarray(2), 'utf-16le').trim()) throw emptyText(who);
    return 'utf-16';
  }
  if (startsWith(b, [0xfe, 0xff])) {
    throw new StrataError(
      `${who} is UTF-16 big-endian text, which Strata cannot read. Save it as UTF-8 (or UTF-16 LE) and drop it again.`,
    );
  }
  if (looksUtf16le(b)) {
    notes.push('Text encoding: UTF-16 (little-endian, no byte-order mark).');
    return 'utf-16';
  }
  if (b.includes(0) || controlShare(b) > 0.01) {
    throw new StrataError(`${who} is not a text file (it contains binary data). ${ACCEPTED}: export the data as CSV.`);
  }
  if (!decode(b, 'latin1').trim()) throw emptyText(who);
  if (validUtf8(b)) return 'utf-8';
  notes.push('Text encoding: not valid UTF-8, read as Latin-1 (ISO-8859-1).');
  return 'latin-1';
}

/**
 * The format from the content, with the extension as a tie-breaker: a .csv that holds JSON records is read as JSON
 * (a CSV header never starts with [{ or {"), and a JSON file holding one object spread over lines, or one scalar,
 * is refused in words rather than read as a CSV with a header "42". `partial` is false when `b` is the whole file.
 */
function formatOf(b: Uint8Array, encoding: TextEncoding, ext: string, who: string, notes: string[], partial: boolean): FileFormat {
  const name = ext.replace(/\.gz$/, '');
  const csvName = /\.(csv|tsv|tab|txt|psv)$/.test(name);
  const text = decode(b, labelOf(encoding)).replace(/^\uFEFF/, '').trimStart();
  const kind = csvName ? 'CSV' : 'JSON';
  if (text.startsWith('[')) {
    if (csvName && !/^\[\s*[{\]]/.test(text)) return 'csv'; // a bracketed header such as [user_id],[date]
    if (csvName) notes.push(`${who} holds a JSON array, not CSV: read as JSON.`);
    return 'json';
  }
  if (text.startsWith('{')) {
    if (csvName && !/^\{\s*"/.test(text)) return 'csv';
    const nl = text.indexOf('\n');
    const line = (nl < 0 ? text : text.slice(0, nl)).trim();
    if ((nl >= 0 || !partial) && !isObject(line)) {
      const shown = line.length > 40 ? line.slice(0, 39) + '…' : line;
      throw new StrataError(
        `${who} is ${kind === 'CSV' ? 'JSON, not CSV, and is ' : ''}not one JSON record per line: its first line (${shown}) ` +
          'is not a complete JSON object. Strata reads a JSON array of records ([{...}, {...}]) or NDJSON (one object ' +
          'per line). If the records sit inside one object (e.g. {"data": [...]}), save that list on its own.',
      );
    }
    if (csvName) notes.push(`${who} holds JSON records (one object per line), not CSV: read as NDJSON.`);
    return 'ndjson';
  }
  if (/\.(json|ndjson|jsonl)$/.test(name) && !partial && /^("|-?[0-9]|true|false|null)/.test(text)) {
    const value = parseOrUndefined(text);
    if (value !== undefined) {
      const shown = text.trim().length > 40 ? text.trim().slice(0, 39) + '…' : text.trim();
      throw new StrataError(
        `${who} holds a single JSON value (${shown}), not records. Strata reads a JSON array of objects ` +
          '([{"user_id": 1, ...}, ...]) or NDJSON (one object per line): export the data in one of those shapes.',
      );
    }
  }
  return 'csv';
}

function isObject(text: string): boolean {
  const v = parseOrUndefined(text);
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // not JSON: that is the answer the caller asks for, not a failure
  }
}

function emptyText(who: string): StrataError {
  return new StrataError(`${who} holds only blank space: there is no header and no data. Check the export.`);
}

/** UTF-16 LE without a BOM: ASCII text leaves every odd byte zero. */
function looksUtf16le(b: Uint8Array): boolean {
  const n = Math.min(b.length - (b.length % 2), 4096);
  if (n < 4) return false;
  let oddZero = 0;
  let evenZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (b[i] === 0) evenZero++;
    if (b[i + 1] === 0) oddZero++;
  }
  return oddZero / (n / 2) > 0.6 && evenZero / (n / 2) < 0.05;
}

/** Share of control bytes other than tab, CR, LF, FF: text has almost none, binary has many. */
function controlShare(b: Uint8Array): number {
  let bad = 0;
  for (const x of b) if (x < 0x20 && x !== 0x09 && x !== 0x0a && x !== 0x0d && x !== 0x0c) bad++;
  return bad / b.length;
}

/** Valid UTF-8, forgiving a multi-byte character cut off at the end of the 64 KiB head. */
function validUtf8(b: Uint8Array): boolean {
  let end = b.length;
  for (let k = 1; k <= 3 && end - k >= 0; k++) {
    const x = b[end - k];
    if ((x & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = x >= 0xf0 ? 4 : x >= 0xe0 ? 3 : x >= 0xc0 ? 2 : 1;
    if (need > k) end -= k;
    break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, end));
    return true;
  } catch {
    return false; // fatal decoding throws exactly when the bytes are not UTF-8: that is the answer, not a failure
  }
}

function decode(b: Uint8Array, label: string): string {
  return new TextDecoder(label).decode(b);
}

function startsWith(b: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((x, i) => b[i] === x);
}

/** Decompress what a truncated gzip prefix yields (up to 64 KiB); the stream's "unexpected end" is expected. */
export async function gunzipHead(bytes: Uint8Array, max = GUNZIP_HEAD_MAX): Promise<Uint8Array> {
  const ds = new DecompressionStream('gzip');
  const writer = ds.writable.getWriter();
  // The head is cut mid-stream, so write/close reject with "unexpected end": the reader sees the same error below.
  writer.write(new Uint8Array(bytes)).catch(() => undefined);
  writer.close().catch(() => undefined);
  const reader = ds.readable.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  try {
    while (n < max) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      n += value.length;
    }
  } catch {
    // Truncated input ends the stream with an error after yielding everything decodable: keep what we have.
  }
  await reader.cancel().catch(() => undefined);
  const out = new Uint8Array(Math.min(n, max));
  let at = 0;
  for (const p of parts) {
    if (at >= out.length) break;
    out.set(p.subarray(0, out.length - at), at);
    at += p.length;
  }
  return out;
}
