// The shapes a conversion passes around: converted chunks, where they go, and how a file is converted.
// Plain data and a sink interface only, so the same converter runs in a browser worker and in Node tests.

/** Formats Strata converts to Arrow itself where DuckDB has no reader (DuckDB-WASM ships without parquet/json). */
export type ConvertFormat = 'parquet' | 'json' | 'ndjson';

/** One chunk of converted rows as Arrow IPC stream bytes. */
export interface ConvertChunk {
  ipc: Uint8Array;
  rows: number;
  /** Columns this chunk has that earlier chunks lacked (JSON keys first seen in it), in order, at the end. */
  added: string[];
}

/** Where converted chunks go; `chunk` is awaited before the next is built, so memory stays at about one chunk. */
export interface ConvertSink {
  chunk(c: ConvertChunk): Promise<void>;
  /** Bytes of the file read so far (for Parquet: the share of rows read, in bytes), of `total`. */
  progress(done: number, total: number): void;
}

/** How to convert one file. */
export interface ConvertOptions {
  format: ConvertFormat;
  /** JSON/NDJSON compressed with gzip (.json.gz, .ndjson.gz). */
  gzip: boolean;
  /** The file's own name, for messages. */
  who: string;
  /** Rows per chunk (default 100,000). */
  chunkRows?: number;
}

/** What a finished conversion read. */
export interface ConvertResult {
  rows: number;
  columns: string[];
}

/** Rows per chunk unless told: big enough to amortise each insert, small enough to keep memory low. */
export const CHUNK_ROWS = 100_000;

/** Key of the message the conversion worker posts when an error escaped everything (see workers/convert.worker.ts). */
export const CRASH = 'strataConvertCrash';

/** That message: the escaped error as "Name: message". */
export type CrashMessage = { [CRASH]: string };
