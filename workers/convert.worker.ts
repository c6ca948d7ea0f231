// The conversion worker: a thin Comlink shell over src/data/import/convert; chunks leave as transferred Arrow IPC.
import * as Comlink from 'comlink';
import { convertFile, type ConvertOptions, type ConvertResult } from '../src/data/import/convert/index.ts';
import { CRASH, type CrashMessage } from '../src/data/import/convert/types.ts';
import type { ConvertWorkerApi, RemoteConvertSink } from '../src/db/protocols.ts';

/**
 * A Rust panic inside parquet-wasm (a damaged file can cause one) traps as "RuntimeError: unreachable" in a
 * microtask: it rejects no promise, so the page would wait for the conversion forever. Any error nothing caught
 * is sent to the page instead, which ends the conversion with a message and terminates this worker (WebAssembly
 * state after a trap is unusable). preventDefault: the page reports it; the console stays clean.
 */
function crash(e: Event, err: unknown): void {
  e.preventDefault();
  const message: CrashMessage = { [CRASH]: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  self.postMessage(message);
}
self.addEventListener('error', (e) => crash(e, e.error ?? e.message));
self.addEventListener('unhandledrejection', (e) => crash(e, e.reason));

const api: ConvertWorkerApi = {
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

Comlink.expose(api);
