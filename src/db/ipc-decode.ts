// Query results into Arrow tables on the page's main thread. A large result (the funnels' and journeys' rows: ~200 MB
// and ~4,000 record batches at 10M events) is decoded batch by batch, giving the page a turn whenever ~8 ms have
// run: decoding it in one go took 60-160 ms in Node and made long tasks of 130-250 ms in the page.
import { RecordBatchReader, Table, tableFromIPC, type RecordBatch } from 'apache-arrow';
import { CHECK_BATCHES, paced, taskTurn, type Pause } from '../analyses/pass-kit.ts';

/** Results from this many bytes on are decoded in slices (smaller ones take well under a millisecond per MB). */
export const SLICED_IPC_BYTES = 4 * 1024 * 1024;

/** The table in Arrow IPC bytes (stream or file format), as tableFromIPC reads it. */
export async function decodeIpc(bytes: Uint8Array, pause: Pause = paced(taskTurn), slicedFrom = SLICED_IPC_BYTES): Promise<Table> {
  if (bytes.length < slicedFrom) return tableFromIPC(bytes);
  const reader = RecordBatchReader.from(bytes);
  const batches: RecordBatch[] = [];
  for (const batch of reader) {
    batches.push(batch);
    if (batches.length % CHECK_BATCHES === 0) await pause();
  }
  return new Table(reader.schema, batches);
}

/** "ARROW1": the Arrow IPC file format's first and last bytes. */
const FILE_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31];

/**
 * True when `bytes` are a whole Arrow IPC file (DuckDB-WASM's runQuery answers in that format): its magic at both
 * ends. DuckDB-WASM's threaded build can hand back a result cut short, or empty, with no error: its bindings copy
 * the result through a view of the engine's memory taken before a worker thread grew it (duckdb-wasm#2256). An empty
 * one decodes to a table with no columns, silently; a cut one fails to decode.
 */
export function isWholeIpcFile(bytes: Uint8Array): boolean {
  const n = bytes.length;
  if (n < 2 * FILE_MAGIC.length) return false;
  return FILE_MAGIC.every((b, i) => bytes[i] === b && bytes[n - FILE_MAGIC.length + i] === b);
}

/** The message of an answer refused by wholeResult. */
export const INCOMPLETE_RESULT = 'The threaded engine returned an incomplete result';

/** `bytes` when they are a whole Arrow IPC file; otherwise an error (the reader worker's answers: the page then asks the main engine). */
export function wholeResult(bytes: Uint8Array): Uint8Array {
  if (!isWholeIpcFile(bytes)) throw new Error(`${INCOMPLETE_RESULT} (${bytes.length} bytes; duckdb-wasm#2256)`);
  return bytes;
}
