// Vite build: relative base (works from any sub-path), Svelte 5, ES workers, and an offline-first service worker.
import { execFileSync } from 'node:child_process';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';

/**
 * `virtual:demo-overview`: the default demo shop's Overview figures, computed at build time in Node by
 * scripts/demo-overview.ts (native DuckDB, the app's seeded generator and the Overview's statements), so a first
 * visit shows the shop's KPIs while DuckDB starts in the page. A lazily loaded chunk of ~20 KB.
 */
function demoOverview(): Plugin {
  const id = 'virtual:demo-overview';
  let code: string | null = null;
  return {
    name: 'strata-demo-overview',
    resolveId: (source) => (source === id ? `\0${id}` : null),
    load(source) {
      if (source !== `\0${id}`) return null;
      code ??= `export default ${execFileSync(process.execPath, ['--import', 'tsx', 'scripts/demo-overview.ts'], { encoding: 'utf8', maxBuffer: 16 << 20 })};`;
      return code;
    },
  };
}

/**
 * Cross-origin isolation (COOP + COEP): the page may then run DuckDB-WASM's threaded build as its reader
 * (src/db/reader.ts). Sent by `npm start` / `vite preview` and the dev server; static hosts that cannot set headers
 * get them from the service worker on later visits (src/sw.ts). Everything the page loads is its own origin's.
 */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export default defineConfig({
  base: './',
  plugins: [
    svelte({ configFile: false }),
    demoOverview(),
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: null,
      includeAssets: ['favicon.svg', 'icon-192.png', 'icon-512.png'],
      manifest: {
        name: 'Strata — e-commerce analytics in your browser',
        short_name: 'Strata',
        description: 'User-behaviour analytics and customer segmentation that runs entirely in the browser.',
        start_url: './',
        scope: './',
        display: 'standalone',
        background_color: '#0f172a',
        theme_color: '#0f172a',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,wasm,svg,png,webmanifest}'],
        // The threaded build (37 MB) is fetched only by pages that run the reader, on big datasets: cached when used.
        globIgnores: ['**/duckdb-coi-*.wasm'],
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
      },
    }),
  ],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
  preview: { port: 4173, headers: ISOLATION_HEADERS },
  server: { port: 5173, headers: ISOLATION_HEADERS },
});
