// Turn a DuckDB failure during probe or import into a StrataError a user can act on (the raw text stays in detail).
import { StrataError, messageOf } from '../../errors.ts';

/** The sentence every refused import ends with: the previous dataset was not touched. */
export const UNCHANGED = 'Your current data is unchanged.';

/** Wrap anything thrown while reading `who` (a file's display name, or 'the import') into a StrataError. */
export function importError(err: unknown, who: string): StrataError {
  if (err instanceof StrataError) return err;
  const raw = messageOf(err);
  const first = raw.split('\n')[0].trim();
  const make = (msg: string) => new StrataError(msg, raw, { cause: err });
  if (/out of memory|could not allocate|failed to allocate|memory limit/i.test(raw)) {
    const limit = /(\d+(?:\.\d+)?\s*[KMGT]i?B)\s*used\)/i.exec(raw);
    return make(
      `${who} needs more memory than is available to Strata${limit ? ` (limit ${limit[1]})` : ''}. ` +
        `${UNCHANGED} Close other tabs or apps and try again, import fewer or smaller files (split it by date), ` +
        'or convert it to Parquet, which needs far less memory to read.',
    );
  }
  if (/^Cancelled by the user|INTERRUPT Error|Interrupted!/.test(raw)) return make(`The import was cancelled. ${UNCHANGED}`);
  const ext = /exists in the (\w+) extension/.exec(raw);
  if (ext) {
    const kind = ext[1] === 'parquet' ? 'Parquet' : ext[1] === 'json' ? 'JSON' : ext[1];
    return make(
      `${who}: this build of Strata cannot read ${kind} files (DuckDB's ${ext[1]} extension is not bundled). ` +
        'Save the data as CSV and drop it again.',
    );
  }
  const long = /Maximum line size of (\d+) bytes exceeded\. Actual Size:\s*(\d+)/i.exec(raw);
  if (long) {
    const start = /Original Line:\s*(.{0,40})/.exec(raw)?.[1];
    return make(
      `${who} has a line of ${megabytes(Number(long[2]))} near its start${start ? ` (it begins "${start}…")` : ''}, longer than ` +
        `the ${megabytes(Number(long[1]))} Strata reads in one line. Shorten or remove that field (or line), or check ` +
        'that the file really is a CSV with one record per line, then drop it again.',
    );
  }
  if (/state machine reached an invalid state/i.test(raw)) {
    return make(`${who} could not be read as CSV: a line breaks the layout found at the start of the file (for ` +
      'example its line ends change from LF to CRLF part-way, or a quote is never closed). Save it again as CSV ' +
      `(UTF-8, one record per line) and drop it again. ${UNCHANGED}`);
  }
  if (/unterminated quote/i.test(raw)) {
    return make(`${who} has a quote (") that is never closed, so the rest of the file runs together. ` +
      'Fix or remove the stray quote near the line DuckDB names, then drop the file again.');
  }
  if (/invalid unicode|not utf-8 encoded/i.test(raw)) {
    return make(`${who} contains bytes that are not valid text in the detected encoding. Save it as UTF-8 and try again.`);
  }
  if (/error when sniffing|not possible to automatically detect/i.test(raw)) {
    return make(`Strata could not work out how ${who} is laid out (delimiter, quotes, header). ` +
      'Check that it is a CSV or TSV file with one record per line.');
  }
  if (/snappy|zstd|lz4|brotli|decompression failure|out of buffer|corrupted file|payload value bigger|invalid string encoding found in parquet|thrift/i.test(first)) {
    return make(`${who} is a damaged Parquet file: part of its data does not decode (${clause(first.replace(/^[\w ]*Error: /, ''))}). ` +
      `Export it again (or as CSV). ${UNCHANGED}`);
  }
  if (/no magic bytes|not a parquet file|invalid parquet/i.test(raw)) {
    return make(`${who} is not a valid Parquet file (it may be truncated). Export it again.`);
  }
  if (/malformed json|json parse|invalid json/i.test(first)) {
    return make(`${who} is not valid JSON (or not one object per line for NDJSON): ${clause(first)}.`);
  }
  if (/gzip|zlib|decompress|compressed (input|data)|incorrect header check|unexpected end of file/i.test(first)) {
    return make(`${who} could not be decompressed: the gzip data is damaged or cut short. Export it again.`);
  }
  if (/no files found|cannot open file|no such file/i.test(raw)) {
    return make(`${who} could not be opened: it may have been moved, deleted or not registered. Drop it again.`);
  }
  return make(`Could not import ${who}: ${clause(first)}. ${UNCHANGED}`);
}

/** A message used inside a sentence: trimmed, without its own closing full stop (so no ".." after it). */
export function clause(text: string): string {
  return text.trim().replace(/[.\s]+$/, '');
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toLocaleString('en', { maximumFractionDigits: 1 })} MB`;
}
