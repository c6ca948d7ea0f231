// A tiny static server for dist/ (correct MIME types for wasm and workers); startable and stoppable from tests.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

/**
 * The headers that make a page cross-origin isolated (SharedArrayBuffer, so DuckDB-WASM's threaded build runs).
 * Every response is same-origin, so require-corp blocks nothing of the app's own.
 */
export const ISOLATION_HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** Serve `dir` on `port` (0 = any free port), cross-origin isolated when `isolated`; resolves to the server. */
export function serveDist(port, dir = new URL('../dist/', import.meta.url).pathname, { isolated = false } = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const rel = normalize(path).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, rel.endsWith('/') ? rel + 'index.html' : rel);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache', ...(isolated ? ISOLATION_HEADERS : {}) });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.argv[2] ?? 4180);
  // E2E_DIST serves another build folder, so a run can test its own build while dist/ is rebuilt elsewhere.
  const dir = process.env.E2E_DIST || undefined;
  // --isolated: with the COOP/COEP headers (the threaded engine); without, the single-threaded one.
  const isolated = process.argv.includes('--isolated');
  serveDist(port, dir, { isolated }).then(() => console.log(`serving ${dir ?? 'dist/'} on http://127.0.0.1:${port}/${isolated ? ' (cross-origin isolated)' : ''}`));
}
