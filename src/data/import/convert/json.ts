// JSON into text chunks with the platform's JSON.parse: NDJSON line by line from a stream (never one giant string),
// a JSON array parsed whole. Records must be objects; big integers keep every digit where the platform allows.
import { StrataError, messageOf } from '../../../errors.ts';
import { clause } from '../import-error.ts';
import { MAX_DEPTH, TextRows, TooDeepError, nestsDeeper } from './text-rows.ts';
import { eachLine, textStream } from './text-stream.ts';
import { CHUNK_ROWS, type ConvertOptions, type ConvertResult, type ConvertSink } from './types.ts';

/** Integers this long may not survive as doubles: parse such text with the (slower) source-aware reviver. */
const LONG_DIGITS = /\d{16}/;

/** Convert an NDJSON file (one JSON object per line; blank lines skipped). */
export async function convertNdjson(blob: Blob, opts: ConvertOptions, sink: ConvertSink): Promise<ConvertResult> {
  const rows = new TextRows(opts.chunkRows ?? CHUNK_ROWS);
  await eachLine(textStream(blob, opts.gzip, sink), (line, n) => {
    if (!line.trim()) return;
    const where = () => `${opts.who}, line ${n.toLocaleString('en')},`;
    if (add(rows, record(parse(line, where, 'Each line must be one JSON object (NDJSON).'), where), where)) return store(rows, sink);
  });
  return finish(rows, sink, opts.who);
}

/** Convert a JSON file holding one array of objects. */
export async function convertJsonArray(blob: Blob, opts: ConvertOptions, sink: ConvertSink): Promise<ConvertResult> {
  const parts: string[] = [];
  await eachChunk(textStream(blob, opts.gzip, sink), (s) => parts.push(s));
  let text: string;
  try {
    text = parts.join('');
  } catch (err) {
    throw new StrataError(
      `${opts.who} is too large to read as one JSON array. Save it as NDJSON (one object per line) and drop it again.`,
      messageOf(err), { cause: err },
    );
  }
  parts.length = 0;
  const where = () => `${opts.who}`;
  const all = parse(text, where, 'A JSON file must hold one array of objects, e.g. [{"user_id": 1, ...}, ...].');
  text = '';
  if (!Array.isArray(all)) {
    throw new StrataError(`${opts.who} is not a JSON array of records. Strata reads [{...}, {...}] or NDJSON (one object per line).`);
  }
  const rows = new TextRows(opts.chunkRows ?? CHUNK_ROWS);
  for (let i = 0; i < all.length; i++) {
    const at = () => `${opts.who}, item ${(i + 1).toLocaleString('en')},`;
    const full = add(rows, record(all[i], at), at);
    all[i] = null; // let each parsed record go once it is text
    if (full) await store(rows, sink);
  }
  return finish(rows, sink, opts.who);
}

async function eachChunk(text: ReadableStream<string>, fn: (s: string) => void): Promise<void> {
  const reader = text.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    fn(value);
  }
}

/**
 * JSON.parse, which is iterative, so any nesting parses. The reviver that keeps long integers exact recurses, so it
 * runs only where the depth is known to be bounded: text with at most MAX_DEPTH brackets cannot nest deeper (the
 * usual record, checked with a native indexOf), else the plain parse's value is measured first.
 */
function parse(text: string, where: () => string, hint: string): unknown {
  const fail = (err: unknown) =>
    new StrataError(`${where()} is not valid JSON (${clause(messageOf(err))}). ${hint}`, messageOf(err), { cause: err });
  const long = LONG_DIGITS.test(text);
  if (long && bracketsAtMost(text, MAX_DEPTH)) {
    try {
      return JSON.parse(text, exactIntegers);
    } catch (err) {
      throw fail(err);
    }
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw fail(err);
  }
  if (!long) return v;
  if (nestsDeeper(v)) throw tooDeep(where);
  return JSON.parse(text, exactIntegers);
}

/** True when `text` holds at most `limit` opening brackets ({ and [, also inside strings: an upper bound on depth). */
function bracketsAtMost(text: string, limit: number): boolean {
  let n = 0;
  for (const b of ['{', '[']) {
    for (let at = text.indexOf(b); at >= 0; at = text.indexOf(b, at + 1)) if (++n > limit) return false;
  }
  return true;
}

/** Add a record, naming the file and line when one of its values nests too deep to turn into text. */
function add(rows: TextRows, rec: Record<string, unknown>, where: () => string): boolean {
  try {
    return rows.add(rec);
  } catch (err) {
    if (err instanceof TooDeepError) throw tooDeep(where);
    throw err;
  }
}

function tooDeep(where: () => string): StrataError {
  return new StrataError(
    `${where()} nests objects or arrays more than ${MAX_DEPTH} levels deep, which Strata does not read (real records ` +
      'nest a few levels). Flatten the data, or export the fields you need, and drop the file again.',
  );
}

function record(v: unknown, where: () => string): Record<string, unknown> {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  throw new StrataError(`${where()} is not a JSON object: every record must be {"field": value, ...}.`);
}

/** Reviver keeping integers beyond 2^53 exact (as BigInt) where JSON.parse passes the source text (Chrome 114+). */
function exactIntegers(this: unknown, _key: string, v: unknown, context?: { source?: string }): unknown {
  if (typeof v !== 'number' || Number.isSafeInteger(v) || !context?.source || !/^-?\d+$/.test(context.source)) return v;
  return BigInt(context.source);
}

async function store(rows: TextRows, sink: ConvertSink): Promise<void> {
  const chunk = rows.take();
  if (rows.columns.length === 0) throw new StrataError('The records have no fields: every object is empty ({}).');
  await sink.chunk(chunk);
}

async function finish(rows: TextRows, sink: ConvertSink, who: string): Promise<ConvertResult> {
  if (rows.total === 0) throw new StrataError(`${who} holds no records. Export it again with the data.`);
  if (rows.pending > 0) await store(rows, sink);
  return { rows: rows.total, columns: [...rows.columns] };
}
