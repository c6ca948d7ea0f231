// In the browser: convert a dropped Parquet/JSON/NDJSON file in workers/convert.worker.ts and store its chunks in
// a scratch database attached in memory, so the table is visible to the import's forked connection, is never
// written to the OPFS database file, and vanishes on reload.
import * as Comlink from 'comlink';
import type { BrowserDb } from '../../../db/browser-db.ts';
import { CANCELLED } from '../../../db/types.ts';
import { firstRow } from '../../../lib/rows.ts';
import { ident } from '../../../sql/quote.ts';
import { sniffHead } from '../sniff-head.ts';
import { importError } from '../import-error.ts';
import { tableSink } from './load.ts';
import type { ImportSource, TableRef } from '../types.ts';
import { CRASH, type ConvertChunk, type ConvertOptions, type ConvertResult, type CrashMessage } from './types.ts';
import { StrataError } from '../../../errors.ts';
import type { ConvertWorkerApi } from '../../../db/protocols.ts';

/** The in-memory database (ATTACH ':memory:') that holds converted uploads for the import session. */
export const UPLOADS = 'strata_uploads';

/** A running conversion: `done` gives the table; `cancel()` terminates the worker and drops what was stored. */
export interface Conversion {
  done: Promise<TableRef>;
  cancel(): void;
}

/** How `source` must be converted first, or null when DuckDB reads it itself (CSV, or an engine with the extension). */
export async function conversionFor(db: BrowserDb, source: ImportSource): Promise<ConvertOptions | null> {
  const facts = await sniffHead(source);
  if (facts.format === 'csv') return null;
  const ext = facts.format === 'parquet' ? 'parquet' : 'json';
  const has = firstRow(await db.query(`SELECT count(*)::DOUBLE AS n FROM duckdb_extensions() WHERE extension_name = ? AND loaded`, [ext]));
  if (Number(has.n) > 0) return null;
  return { format: facts.format, gzip: facts.compression === 'gzip', who: source.displayName };
}

/** How far a conversion is, for the progress bar: "Converting a.ndjson: 12 MB of 100 MB" and the share done. */
export interface ConvertProgress {
  label: string;
  fraction: number;
}

/** Convert `file` into the table UPLOADS.`name` off the main thread, reporting bytes read of the file's size. */
export function convertInWorker(
  db: BrowserDb, file: File, opts: ConvertOptions, name: string, onProgress: (p: ConvertProgress) => void,
): Conversion {
  const label = (done: number) => `Converting ${file.name}: ${mb(done)} of ${mb(file.size)}`;
  onProgress({ label: label(0), fraction: 0 });
  const worker = new Worker(new URL('../../../../workers/convert.worker.ts', import.meta.url), { type: 'module', name: 'convert' });
  let stop: (err: Error) => void = () => undefined;
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  stopped.catch(() => undefined); // observed by the race below; a cancel before the race starts is not "unhandled"
  // An error that escaped the converter (a WebAssembly trap in parquet-wasm) rejects nothing inside the worker:
  // the worker reports it (CRASH), or the browser does (error event, e.g. the module failed to load). Either ends
  // the conversion now, with a message, instead of leaving it at "Converting … 41%" for ever.
  worker.addEventListener('message', (e: MessageEvent<unknown>) => {
    const d = e.data;
    if (d !== null && typeof d === 'object' && CRASH in d) stop(crashed(opts, String((d as CrashMessage)[CRASH])));
  });
  worker.addEventListener('error', (e) => {
    e.preventDefault();
    stop(crashed(opts, e.message || 'the conversion worker failed'));
  });
  worker.addEventListener('messageerror', () => stop(crashed(opts, 'a message from the conversion worker could not be read')));
  const done = (async (): Promise<TableRef> => {
    let pending: Promise<void> = Promise.resolve();
    await db.exec(`ATTACH IF NOT EXISTS ':memory:' AS ${ident(UPLOADS)}`);
    const conn = await db.fork();
    try {
      await conn.exec(`USE ${ident(UPLOADS)}`); // insertArrow writes to the connection's current schema
      const store = tableSink(conn, name);
      const remote = Comlink.wrap<ConvertWorkerApi>(worker);
      const sink = Comlink.proxy({
        chunk: (c: ConvertChunk) => (pending = store.chunk(c)),
        progress: (done: number, total: number) => onProgress({ label: label(done), fraction: done / Math.max(1, total) }),
      });
      await Promise.race<ConvertResult>([remote.convert(file, opts, sink), stopped]);
      return { schema: UPLOADS, name };
    } catch (err) {
      await pending.catch(() => undefined); // a chunk still being stored must land before its table is dropped
      await dropUpload(db, { schema: UPLOADS, name }).catch(() => undefined);
      throw importError(err, opts.who); // e.g. a Parquet type DuckDB cannot store, in words a user can act on
    } finally {
      worker.terminate();
      await conn.close().catch(() => undefined);
    }
  })();
  return {
    done,
    cancel() {
      worker.terminate();
      stop(new Error(CANCELLED));
    },
  };
}

/** The message for a conversion worker that crashed (its raw error stays in the detail). */
function crashed(opts: ConvertOptions, raw: string): StrataError {
  const what = opts.format === 'parquet'
    ? `${opts.who} could not be read as Parquet: the Parquet reader failed part-way through with an internal error, ` +
      'which a damaged or cut-short file causes.'
    : `${opts.who} could not be converted: the converter failed part-way through with an internal error.`;
  return new StrataError(
    `${what} Nothing was imported from it, and your current data is unchanged. Export the file again (or save it as ` +
      'CSV) and drop it again.',
    raw,
  );
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toLocaleString('en', { maximumFractionDigits: bytes < 1e7 ? 1 : 0 })} MB`;
}

/** Drop a converted upload's table (the file was removed, or the session is over). */
export async function dropUpload(db: BrowserDb, table: TableRef): Promise<void> {
  await db.exec(`DROP TABLE IF EXISTS ${ident(table.schema)}.${ident(table.name)}`);
}
