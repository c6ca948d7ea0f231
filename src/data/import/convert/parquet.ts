// Parquet into Arrow chunks with parquet-wasm (arrow-rs compiled to WebAssembly): the file is read lazily from the
// Blob in batches, and each batch leaves as Arrow IPC with the file's own types (as read_parquet would give).
import { StrataError, messageOf } from '../../../errors.ts';
import { CHUNK_ROWS, type ConvertOptions, type ConvertResult, type ConvertSink } from './types.ts';

/** The part of parquet-wasm used here (its browser build once initialised, or its Node build). */
export interface ParquetWasm {
  ParquetFile: { fromFile(blob: Blob): Promise<ParquetFileLike> };
}

interface ParquetFileLike {
  metadata(): { fileMetadata(): { numRows(): number } };
  schema(): { intoIPCStream(): Uint8Array };
  stream(options: { batchSize: number }): Promise<ReadableStream<RecordBatchLike>>;
  free(): void;
}

interface RecordBatchLike {
  readonly numRows: number;
  intoIPCStream(): Uint8Array;
}

/** Convert a Parquet file; progress is the share of rows read, scaled to the file's bytes. */
export async function convertParquet(pw: ParquetWasm, blob: Blob, opts: ConvertOptions, sink: ConvertSink): Promise<ConvertResult> {
  let file: ParquetFileLike;
  try {
    file = await pw.ParquetFile.fromFile(blob);
  } catch (err) {
    throw unreadable(opts.who, err);
  }
  try {
    const total = file.metadata().fileMetadata().numRows();
    if (total === 0) throw new StrataError(`${opts.who} has columns but no rows. Export it again with the data.`);
    let rows = 0;
    let reader: ReadableStreamDefaultReader<RecordBatchLike>;
    try {
      reader = (await file.stream({ batchSize: opts.chunkRows ?? CHUNK_ROWS })).getReader();
    } catch (err) {
      throw unreadable(opts.who, err);
    }
    for (;;) {
      let next: ReadableStreamReadResult<RecordBatchLike>;
      try {
        next = await reader.read();
      } catch (err) {
        throw unreadable(opts.who, err);
      }
      if (next.done) break;
      const n = next.value.numRows;
      const ipc = next.value.intoIPCStream(); // consumes (frees) the batch
      rows += n;
      await sink.chunk({ ipc, rows: n, added: [] });
      sink.progress(Math.round(blob.size * (rows / total)), blob.size);
    }
    return { rows, columns: [] };
  } finally {
    file.free();
  }
}

function unreadable(who: string, err: unknown): StrataError {
  const raw = messageOf(err);
  return new StrataError(
    `${who} could not be read as Parquet (${raw.split('\n')[0]}). It may be damaged or use a feature Strata cannot read: ` +
      'export it again, or as CSV.',
    raw, { cause: err },
  );
}
