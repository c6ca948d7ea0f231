// Turn a DuckDB failure during probe or import into a StrataError a user can act on (the raw text stays in detail).
import { StrataError, messageOf } from '../../errors.ts';

const UNCHANGED = 'Your current data is unchanged.';

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
  if (/no magic bytes|not a parquet file|invalid parquet/i.test(raw)) {
    return make(`${who} is not a valid Parquet file (it may be truncated). Export it again.`);
  }
  if (/malformed json|json parse|invalid json/i.test(first)) {
    return make(`${who} is not valid JSON (or not one object per line for NDJSON): ${first}`);
  }
  if (/gzip|zlib|decompress/i.test(first)) {
    return make(`${who} could not be decompressed: the gzip data is damaged or cut short. Export it again.`);
  }
  if (/no files found|cannot open file|no such file/i.test(raw)) {
    return make(`${who} could not be opened: it may have been moved, deleted or not registered. Drop it again.`);
  }
  return make(`Could not import ${who}: ${first}. ${UNCHANGED}`);
}
