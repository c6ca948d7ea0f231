// Evaluated before DuckDB-WASM's worker code (module imports run in order): see duckdb-eh.worker.ts.
(globalThis as { TransformStream?: unknown }).TransformStream = undefined;
export {};
