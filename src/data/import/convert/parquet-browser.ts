// parquet-wasm's browser build, with its WebAssembly bundled locally (a Vite ?url import, never a CDN), started once.
import init, * as parquetWasm from 'parquet-wasm/esm';
import wasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import type { ParquetWasm } from './parquet.ts';

let ready: Promise<ParquetWasm> | null = null;

/** parquet-wasm, initialised on first use (only Parquet files pay for loading it). */
export function loadParquetWasm(): Promise<ParquetWasm> {
  ready ??= init({ module_or_path: wasmUrl }).then(() => parquetWasm as unknown as ParquetWasm);
  return ready;
}
