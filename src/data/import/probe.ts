// probe(): what a file is (format, encoding, CSV dialect), its columns with DuckDB's types, and ~50 preview rows.
// DuckDB does all the parsing; this module only chooses between the dialects DuckDB's sniffer proposes.
import type { Db } from '../../db/types.ts';
import { toRows, type Row } from '../../lib/rows.ts';
import { ident } from '../../sql/quote.ts';
import { StrataError, messageOf } from '../../errors.ts';
import { MIXED_LINE_ENDS_NOTE, fileMixesLineEnds, gunzipHead, sniffHead, type HeadFacts } from './sniff-head.ts';
import { whitespaceLayout } from './whitespace.ts';
import { MAX_LINE_BYTES, readSql, sniffSql } from './read-sql.ts';
import { importError } from './import-error.ts';
import { kindOf } from './kinds.ts';
import { rejectGroups } from './rejects.ts';
import { tempName } from './names.ts';
import { textColumnTypes } from './text-types.ts';
import { ownKey, putKey } from './keys.ts';
import { checkGzip } from './gzip-check.ts';
import type { CsvDialect, FileProbe, ImportSource, PreviewRow, ProbeColumn, ReadOptions, TableRef } from './types.ts';

/** Beyond this many columns the mapping keeps only the first extras (see detect's MAX_KEPT). */
const WIDE = 250;

/** How many rows the preview holds. */
export const PREVIEW_ROWS = 50;

/** Inspect a source: throws a StrataError for files that cannot be imported (empty, binary, header only, ...). */
export async function probe(db: Db, source: ImportSource): Promise<FileProbe> {
  const facts = await sniffHead(source);
  // A cut-short .gz reads as a shorter file without an error from DuckDB: check the whole stream first.
  if (facts.compression === 'gzip' && source.blob && !source.table) await checkGzip(source.blob, source.displayName);
  try {
    if (source.table) return await probeOther(db, source, facts, source.table);
    return facts.format === 'csv' ? await probeCsv(db, source, facts) : await probeOther(db, source, facts);
  } catch (err) {
    throw importError(err, source.displayName);
  }
}

interface Sniffed {
  dialect: CsvDialect;
  columns: { name: string; type: string }[];
}

async function sniff(db: Db, source: ImportSource, facts: HeadFacts, rfc: boolean): Promise<Sniffed | null> {
  let rows: Row[];
  try {
    rows = toRows(await db.query(sniffSql(source.name, facts, rfc, !facts.mixedLineEnds)));
  } catch (err) {
    // Forcing RFC quotes can make the sniffer give up on a file with a stray quote: try DuckDB's own choice. Not
    // for an overlong line, which fails every dialect (and each try of a 10 MB line costs seconds).
    if (rfc && !LINE_TOO_LONG.test(messageOf(err))) return null;
    throw err;
  }
  if (rows.length === 0) return null;
  const r = rows[0];
  const text = (v: unknown) => (v === null || v === '(empty)' ? '' : String(v));
  const quote = text(r.quote);
  return {
    dialect: {
      delimiter: text(r.delim),
      quote,
      escape: text(r.escape) || quote, // no escape means doubled quotes, as in RFC 4180
      header: r.header === true,
      skip: Number(r.skip ?? 0),
      comment: text(r.comment),
      ...(facts.mixedLineEnds ? { strict: false } : {}),
    },
    columns: rows.map((x) => ({ name: String(x.name), type: String(x.type) })),
  };
}

/**
 * Two sniffs: with RFC 4180 quotes forced (right for almost every export, and harmless when there are none),
 * then, when that finds a single column, DuckDB's free choice. A stray quote sends the forced sniff to a
 * one-column reading; the free sniff still finds the delimiter, and RFC quotes are then used with it.
 */
async function chooseDialect(db: Db, source: ImportSource, facts: HeadFacts): Promise<Sniffed> {
  const rfc = await sniff(db, source, facts, true);
  if (rfc && rfc.columns.length > 1) return rfc;
  const free = await sniff(db, source, facts, false);
  if (!free || (rfc && rfc.columns.length >= free.columns.length)) {
    if (rfc) return rfc;
    throw new StrataError(`Strata could not work out how ${source.displayName} is laid out. Check it is a CSV file.`);
  }
  const quote = free.dialect.quote || '"';
  return { ...free, dialect: { ...free.dialect, quote, escape: free.dialect.escape || quote } };
}

async function probeCsv(db: Db, source: ImportSource, factsIn: HeadFacts): Promise<FileProbe> {
  let facts = factsIn;
  let sniffed: Sniffed;
  try {
    sniffed = await chooseDialect(db, source, facts);
  } catch (err) {
    if (LINE_TOO_LONG.test(messageOf(err)) && source.blob) throw await lineTooLong(source, source.blob, facts, err);
    // DuckDB's strict sniffer gives up on a file whose line ends switch from LF to CRLF after the 64 KiB head.
    // Only then (never for a file that is merely malformed) is it sniffed again without strict mode.
    if (facts.mixedLineEnds || !source.blob || !(await fileMixesLineEnds(source.blob, facts))) throw err;
    facts = { ...facts, mixedLineEnds: true, notes: [...facts.notes, MIXED_LINE_ENDS_NOTE] };
    sniffed = await chooseDialect(db, source, facts);
  }
  // One column found, but the lines split on runs of spaces into the same number of fields: whitespace-separated.
  if (sniffed.columns.length === 1) {
    const layout = whitespaceLayout(await headText(source, facts));
    if (layout) {
      sniffed = {
        dialect: { delimiter: ' ', quote: '', escape: '', header: layout.header, skip: 0, comment: '', whitespace: true },
        columns: layout.names.map((name) => ({ name, type: 'VARCHAR' })),
      };
    }
  }
  const { dialect, columns } = sniffed;
  const read: ReadOptions = {
    format: 'csv', compression: facts.compression, encoding: facts.encoding, csv: dialect,
    columns: columns.map((c) => c.name),
  };
  const rejects = { errors: tempName('probe_rej'), scans: tempName('probe_scan') };
  try {
    const preview = toRows(await db.query(`SELECT ${previewList(read.columns, false)} FROM ${readSql(source.name, read, rejects)} LIMIT ${PREVIEW_ROWS}`));
    const notes = [...facts.notes, describeDialect(dialect)];
    if (columns.length > WIDE) {
      notes.push(`${columns.length.toLocaleString('en')} columns: only the first ${WIDE} extra columns are kept by default.`);
    }
    if (preview.length === 0) {
      const bad = await rejectGroups(db, rejects, 1);
      if (bad.length) {
        throw new StrataError(
          `No row of ${source.displayName} could be read: ${bad[0].message} (e.g. line ${bad[0].samples[0]?.line ?? '?'}). ` +
            'Fix the file and drop it again.',
        );
      }
      throw headerOnly(source.displayName, read.columns);
    }
    return finish(source, read, columns, preview, notes);
  } finally {
    await db.exec(`DROP TABLE IF EXISTS ${ident(rejects.errors)}; DROP TABLE IF EXISTS ${ident(rejects.scans)}`);
  }
}

/** Parquet and JSON through DuckDB's readers, or (table set) the table a browser conversion loaded them into. */
async function probeOther(db: Db, source: ImportSource, facts: HeadFacts, table?: TableRef): Promise<FileProbe> {
  const read: ReadOptions = {
    format: facts.format, compression: facts.compression, encoding: 'utf-8', csv: null, columns: [],
  };
  if (table) read.table = table;
  const from = readSql(source.name, read);
  const described = toRows(await db.query(`DESCRIBE SELECT * FROM ${from}`));
  const columns = described.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  read.columns = columns.map((c) => c.name);
  // Converted JSON is all text (like CSV); show and map it with the types read_json would have found.
  if (table && facts.format !== 'parquet') {
    const types = await textColumnTypes(db, from, read.columns);
    columns.forEach((c, i) => (c.type = c.type === 'VARCHAR' ? types[i] : c.type));
  }
  const preview = toRows(await db.query(`SELECT ${previewList(read.columns, true)} FROM ${from} LIMIT ${PREVIEW_ROWS}`));
  if (preview.length === 0) throw headerOnly(source.displayName, read.columns);
  return finish(source, read, columns, preview, facts.notes);
}

/**
 * The preview's select list: each column under a positional alias (c0, c1, ...). Column names are data: a column
 * called "__proto__" must not become a key of a result row, where assigning it would replace the row's prototype.
 */
function previewList(columns: readonly string[], cast: boolean): string {
  return columns.map((c, i) => `${cast ? `CAST(${ident(c)} AS VARCHAR)` : ident(c)} AS c${i}`).join(', ');
}

/** Rows from previewList (keyed c0, c1, ...) become preview rows keyed by column name, as own properties. */
function finish(
  source: ImportSource, read: ReadOptions, columns: { name: string; type: string }[], rows: Row[], notes: string[],
): FileProbe {
  const preview: PreviewRow[] = rows.map((r) => {
    const out: PreviewRow = {};
    read.columns.forEach((c, i) => {
      const v = r[`c${i}`];
      putKey(out, c, v === null || v === undefined ? null : String(v));
    });
    return out;
  });
  const probed: ProbeColumn[] = columns.map((c) => ({
    name: c.name, duckType: c.type, kind: kindOf(c.type), samples: samplesOf(preview, c.name),
  }));
  return {
    source: { name: source.name, displayName: source.displayName, size: source.size },
    read, columns: probed, preview, notes,
  };
}

function samplesOf(rows: PreviewRow[], col: string): string[] {
  const seen = new Set<string>();
  for (const r of rows) {
    const v = ownKey(r, col);
    if (v !== null && v !== undefined && v.trim() !== '') seen.add(v);
    if (seen.size >= 5) break;
  }
  return [...seen];
}

/** DuckDB's words for a line longer than max_line_size. */
const LINE_TOO_LONG = /Maximum line size of \d+ bytes exceeded/i;

/** The sniffer met a line over MAX_LINE_BYTES: find which (DuckDB says "Line: 1") and say so. */
async function lineTooLong(source: ImportSource, blob: Blob, facts: HeadFacts, err: unknown): Promise<StrataError> {
  const found = await findLongLine(blob, facts.compression === 'gzip', MAX_LINE_BYTES);
  if (!found) return importError(err, source.displayName);
  return new StrataError(
    `Line ${found.line.toLocaleString('en')} of ${source.displayName} is ${(found.bytes / 1e6).toLocaleString('en', { maximumFractionDigits: 1 })} MB ` +
      `long (it begins "${found.start}…"), longer than the ${(MAX_LINE_BYTES / 1e6).toLocaleString('en', { maximumFractionDigits: 1 })} MB ` +
      'Strata reads in one line. Shorten or remove that field (or line), or check that the file really is a CSV with one ' +
      'record per line, then drop it again.',
    messageOf(err), { cause: err },
  );
}

/** The first line longer than `max` bytes: its 1-based number, length (up to the next break) and first characters. */
async function findLongLine(blob: Blob, gzip: boolean, max: number): Promise<{ line: number; bytes: number; start: string } | null> {
  let bytes = blob.stream() as ReadableStream<Uint8Array>;
  if (gzip) bytes = bytes.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>);
  const reader = bytes.getReader();
  let line = 1;
  let length = 0;
  let start: Uint8Array | null = null;
  let found: { line: number; start: Uint8Array } | null = null;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let at = 0;
      while (at < value.length) {
        const nl = value.indexOf(0x0a, at);
        const end = nl < 0 ? value.length : nl;
        if (length === 0) start = value.slice(at, Math.min(end, at + 40));
        length += end - at;
        if (!found && length > max) found = { line, start: start ?? new Uint8Array() };
        if (nl < 0) break;
        if (found) return { line: found.line, bytes: length, start: new TextDecoder().decode(found.start) };
        line++;
        length = 0;
        at = nl + 1;
      }
    }
    return found ? { line: found.line, bytes: length, start: new TextDecoder().decode(found.start) } : null;
  } catch {
    return null; // a damaged stream: the caller falls back to DuckDB's words
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function headerOnly(who: string, columns: string[]): StrataError {
  const shown = columns.slice(0, 8).join(', ') + (columns.length > 8 ? ', …' : '');
  return new StrataError(`${who} has column names (${shown}) but no data rows. Export it again with the data.`);
}

/** The head's text (decompressed when gzip), for layout checks DuckDB's sniffer does not make. */
async function headText(source: ImportSource, facts: HeadFacts): Promise<string> {
  const bytes = facts.compression === 'gzip' ? await gunzipHead(source.head) : source.head;
  return new TextDecoder(facts.encoding === 'utf-16' ? 'utf-16le' : facts.encoding === 'latin-1' ? 'latin1' : 'utf-8').decode(bytes);
}

function describeDialect(d: CsvDialect): string {
  if (d.whitespace) return `Columns separated by spaces (runs of spaces or tabs); ${d.header ? 'first line is the header' : 'no header line (columns numbered)'}.`;
  const delim = d.delimiter === '\t' ? 'tab' : d.delimiter === ',' ? 'comma' : d.delimiter === ';' ? 'semicolon' : `"${d.delimiter}"`;
  return `Delimiter: ${delim}; ${d.header ? 'first line is the header' : 'no header line (columns numbered)'}.`;
}
