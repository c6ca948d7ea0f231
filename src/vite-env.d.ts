/// <reference types="svelte" />
/// <reference types="vite/client" />
/// <reference types="vite-plugin-pwa/client" />

/** The default demo shop's Overview figures, computed at build time (vite.config.ts, scripts/demo-overview.ts). */
declare module 'virtual:demo-overview' {
  const preview: import('./state/dashboard-cache.ts').DashboardCache;
  export default preview;
}

/** DuckDB-WASM's worker script (no exports: running it is all it does), bundled into workers/duckdb-eh.worker.ts. */
declare module '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js' {}
