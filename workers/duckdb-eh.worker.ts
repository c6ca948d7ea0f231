// DuckDB-WASM's own worker (its "eh" build), started by WasmEngine. Loaded through this file for one reason: the
// library streams its 34 MB .wasm through a TransformStream to report download progress, and a Response built from
// that stream carries no URL, so the browser cannot cache the compiled module — every page load compiled it again
// (~2-4 s of CPU before the database could open). Without TransformStream the library hands the fetch() Response
// itself to WebAssembly.instantiateStreaming, which Chromium caches compiled code for. Strata never asked for the
// progress events.
import './duckdb-no-progress.ts';
import * as duckdbWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js';

// The package declares itself free of side effects, and this worker file is nothing but one: keep it referenced so
// the bundler cannot drop it.
(globalThis as Record<string, unknown>).strataDuckdbWorker = duckdbWorker;
