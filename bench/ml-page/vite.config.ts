// Build of the clustering benchmark's page (bench/ml-page/index.html): the app's own ML worker (workers/ml.worker.ts
// and its k-means pool), bundled by Vite the way the app bundles it, behind a bare page that bench/ml.ts drives.
// Offline (no CDN); output in bench/out/ml-page/ (git-ignored), where bench/ml.ts also writes the data files.
import { defineConfig } from 'vite';

const here = new URL('.', import.meta.url).pathname;

export default defineConfig({
  root: here,
  base: './',
  logLevel: 'warn',
  worker: { format: 'es' },
  build: { target: 'es2022', outDir: new URL('../out/ml-page/', import.meta.url).pathname, emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
