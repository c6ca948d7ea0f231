// The conversion worker: a thin Comlink shell over src/data/import/convert; chunks leave as transferred Arrow IPC.
import * as Comlink from 'comlink';
import { convertFile, type ConvertChunk, type ConvertOptions, type ConvertResult } from '../src/data/import/convert/index.ts';

/** Where converted chunks go: the main thread stores each in DuckDB before the next is sent. */
export interface RemoteConvertSink {
  chunk(c: ConvertChunk): Promise<void>;
  progress(done: number, total: number): void;
}

const api = {
  /** Convert one file (read lazily from the File) into chunks sent to `sink`. */
  convert(file: File, opts: ConvertOptions, sink: RemoteConvertSink): Promise<ConvertResult> {
    return convertFile(
      file, opts,
      {
        chunk: (c) => sink.chunk(Comlink.transfer(c, [c.ipc.buffer])),
        progress: (done, total) => sink.progress(done, total),
      },
      () => import('../src/data/import/convert/parquet-browser.ts').then((m) => m.loadParquetWasm()),
    );
  },
};

/** The worker's API as seen through Comlink. */
export type ConvertWorkerApi = typeof api;

Comlink.expose(api);
