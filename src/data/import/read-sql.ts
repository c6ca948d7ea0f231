// The DuckDB table functions that read a source (read_csv / read_parquet / read_json), built from ReadOptions,
// or the table a browser conversion already loaded the file into.
// Every file name and column name goes through literal(); options come from closed lists or DuckDB's sniffer.
import { ident, literal } from '../../sql/quote.ts';
import type { ReadOptions } from './types.ts';

/**
 * read_csv's buffer size in bytes, and the longest line read (DuckDB's default maximum is 2 MB: a 5 MB text field
 * on line 12 failed the whole file with "CSV Error on Line: 1"). The maximum equals the buffer: below it DuckDB
 * drops a longer line without a word in the rejects table; at it, the line is set aside and reported.
 */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;
const BUFFER_BYTES = MAX_LINE_BYTES;

/** Where read_csv stores the lines it could not parse (two temp tables DuckDB creates). */
export interface RejectTables {
  errors: string;
  scans: string;
}

/**
 * A CSV file's sniffing call: DuckDB's own dialect detection, lenient so ragged lines do not derail it. `strict`
 * false lets it read a file whose lines end in a mix of CRLF and LF (the strict sniffer gives up on those).
 */
export function sniffSql(
  name: string, read: Pick<ReadOptions, 'encoding' | 'compression'>, rfcQuotes: boolean, strict = true,
): string {
  const opts = ['ignore_errors = true', `max_line_size = ${MAX_LINE_BYTES}`, `buffer_size = ${BUFFER_BYTES}`, ...encodingOpts(read)];
  if (rfcQuotes) opts.push(`quote = '"'`, `escape = '"'`);
  if (!strict) opts.push('strict_mode = false');
  return `SELECT Delimiter AS delim, Quote AS quote, Escape AS escape, HasHeader AS header, SkipRows AS skip,
  Comment AS comment, unnest(Columns, recursive := true)
FROM sniff_csv(${literal(name)}, ${opts.join(', ')})`;
}

/**
 * The table function reading a whole source. CSV is read with the probed dialect, every column as text
 * (auto-detection off: the import casts each column itself, so one odd value late in the file cannot fail the
 * read) and malformed lines set aside into `rejects` instead of failing the import.
 */
export function readSql(name: string, read: ReadOptions, rejects?: RejectTables): string {
  if (read.table) return `${ident(read.table.schema)}.${ident(read.table.name)}`; // rows already loaded: no file reader
  const file = literal(name);
  if (read.format === 'parquet') return `read_parquet(${file})`;
  if (read.format === 'json' || read.format === 'ndjson') {
    const format = read.format === 'json' ? 'array' : 'newline_delimited';
    const opts = [`format = '${format}'`];
    if (read.compression === 'gzip') opts.push(`compression = 'gzip'`);
    return `read_json(${file}, ${opts.join(', ')})`;
  }
  const csv = read.csv;
  if (!csv) throw new TypeError('A CSV read needs its dialect');
  if (csv.whitespace) return whitespaceSql(file, read, rejects);
  const columns = read.columns.map((c) => `${literal(c)}: 'VARCHAR'`).join(', ');
  const opts = [
    'auto_detect = false',
    `delim = ${literal(csv.delimiter)}`,
    `quote = ${literal(csv.quote)}`,
    `escape = ${literal(csv.escape)}`,
    `header = ${csv.header}`,
    `skip = ${Math.max(0, Math.trunc(csv.skip))}`,
    `columns = {${columns}}`,
    'ignore_errors = true',
    // 8 MiB read buffers instead of 32: DuckDB allocates one per thread up front, which alone would fail a
    // small import under a tight memory limit (the browser has far less memory than a native process).
    `buffer_size = ${BUFFER_BYTES}`,
    `max_line_size = ${MAX_LINE_BYTES}`,
    ...encodingOpts(read),
  ];
  if (csv.comment) opts.push(`comment = ${literal(csv.comment)}`);
  // Only for files mixing CRLF and LF line ends: non-strict parsing also lets a stray quote or an extra field
  // pass unreported, so every other file keeps DuckDB's checks (those lines are set aside and shown).
  if (csv.strict === false) opts.push('strict_mode = false');
  if (rejects) {
    opts.push('store_rejects = true', `rejects_table = ${literal(rejects.errors)}`, `rejects_scan = ${literal(rejects.scans)}`);
  }
  return `read_csv(${file}, ${opts.join(', ')})`;
}

/** A character no text line holds: whitespace-separated files are read a whole line per row. */
const NO_DELIMITER = '\u0001';

/**
 * Whitespace-separated text: each line read whole (no delimiter, no quotes), blank lines skipped, trimmed and split
 * on runs of spaces or tabs; field i becomes read.columns[i] (a short line leaves the rest NULL).
 */
function whitespaceSql(file: string, read: ReadOptions, rejects?: RejectTables): string {
  const csv = read.csv!;
  const opts = [
    'auto_detect = false', `delim = ${literal(NO_DELIMITER)}`, "quote = ''", "escape = ''", `header = ${csv.header}`,
    `skip = ${Math.max(0, Math.trunc(csv.skip))}`, "columns = {'line': 'VARCHAR'}", 'ignore_errors = true',
    `buffer_size = ${BUFFER_BYTES}`, `max_line_size = ${MAX_LINE_BYTES}`, ...encodingOpts(read),
  ];
  if (rejects) opts.push('store_rejects = true', `rejects_table = ${literal(rejects.errors)}`, `rejects_scan = ${literal(rejects.scans)}`);
  const fields = read.columns.map((c, i) => `f[${i + 1}] AS ${ident(c)}`).join(', ');
  return `(SELECT ${fields} FROM (SELECT string_split_regex(trim(line, ' \t\r'), '[ \t]+') AS f
  FROM read_csv(${file}, ${opts.join(', ')}) WHERE trim(line, ' \t\r') <> ''))`;
}

function encodingOpts(read: Pick<ReadOptions, 'encoding' | 'compression'>): string[] {
  const opts: string[] = [];
  if (read.encoding !== 'utf-8') opts.push(`encoding = '${read.encoding}'`);
  if (read.compression === 'gzip') opts.push(`compression = 'gzip'`);
  return opts;
}
