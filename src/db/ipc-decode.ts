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
