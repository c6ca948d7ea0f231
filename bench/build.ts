// The production build the benchmark measures (in dist-bench/, with VITE_STRATA_DEBUG=1 so the page exposes the
// app object the benchmark drives; production builds expose only a read-only probe): rebuilt only when stale,
// and weighed as gzip bytes.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Repository root (bench/..). */
export const ROOT = new URL('..', import.meta.url).pathname;
/** Where the benchmark's build goes (not dist/, which `npm start` and the e2e tests serve). */
export const DIST = join(ROOT, 'dist-bench');
const INPUTS = ['src', 'workers', 'public', 'index.html', 'vite.config.ts', 'package.json', 'package-lock.json'];

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) return [dir];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : [join(dir, d.name)],
  );
}

function newestInput(): number {
  return Math.max(...INPUTS.flatMap((p) => files(join(ROOT, p))).map((f) => statSync(f).mtimeMs));
}

/** Build dist/ with Vite if it is missing or older than any source; returns whether it built. */
export function ensureDist(): boolean {
  const index = join(DIST, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestInput()) return false;
  const r = spawnSync('npx', ['vite', 'build', '--outDir', DIST, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT, stdio: ['ignore', 2, 2], env: { ...process.env, VITE_STRATA_DEBUG: '1' },
  });
  if (r.status !== 0) throw new Error(`vite build failed (exit ${r.status ?? r.signal})`);
  return true;
}

/** Gzip weights of the build in bytes: every JS file, the entry chunk alone, and the DuckDB wasm. */
export interface BundleSizes {
  jsGzip: number;
  jsFiles: number;
  entryGzip: number;
  entryName: string;
  wasmGzip: number;
  wasmRaw: number;
}

const gz = (path: string): number => gzipSync(readFileSync(path)).length;

/** Weigh dist/: gzip (level 6, what a typical server sends) of each file, summed. */
export function bundleSizes(): BundleSizes {
  const all = files(DIST);
  const js = all.filter((f) => /\.m?js$/.test(f));
  const wasm = all.filter((f) => f.endsWith('.wasm'));
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const src = /<script[^>]*type="module"[^>]*src="\.?\/?([^"]+)"/.exec(html)?.[1];
  if (!src) throw new Error('dist/index.html has no module entry script');
  return {
    jsGzip: js.reduce((sum, f) => sum + gz(f), 0),
    jsFiles: js.length,
    entryGzip: gz(join(DIST, src)),
    entryName: relative(DIST, join(DIST, src)),
    wasmGzip: wasm.reduce((sum, f) => sum + gz(f), 0),
    wasmRaw: wasm.reduce((sum, f) => sum + statSync(f).size, 0),
  };
}
