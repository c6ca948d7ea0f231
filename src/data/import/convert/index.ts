// Convert Parquet, JSON and NDJSON files into Arrow chunks where DuckDB cannot read them (DuckDB-WASM ships
// without the parquet and json extensions and Strata never downloads one). Runs in a worker and in Node.
import { convertJsonArray, convertNdjson } from './json.ts';
import { convertParquet, type ParquetWasm } from './parquet.ts';
import type { ConvertOptions, ConvertResult, ConvertSink } from './types.ts';

export type { ConvertChunk, ConvertFormat, ConvertOptions, ConvertResult, ConvertSink } from './types.ts';
export type { ParquetWasm } from './parquet.ts';
export { tableSink } from './load.ts';
export { CHUNK_ROWS } from './types.ts';

/** Convert `blob` chunk by chunk into `sink`; `parquet` supplies parquet-wasm (loaded only for Parquet files). */
export async function convertFile(
  blob: Blob, opts: ConvertOptions, sink: ConvertSink, parquet: () => Promise<ParquetWasm>,
): Promise<ConvertResult> {
  if (opts.format === 'parquet') return convertParquet(await parquet(), blob, opts, sink);
  if (opts.format === 'json') return convertJsonArray(blob, opts, sink);
  return convertNdjson(blob, opts, sink);
}
