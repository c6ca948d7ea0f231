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
 * The headers that make a page cross-origin isolated (so it may run DuckDB-WASM's threaded build): what `npm start`
 * and `vite preview` send too (vite.config.ts).
 */
export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * Serve `dir` on `port` (0 = any free port); resolves to the server. `opts.isolate` sends ISOLATION_HEADERS with
 * every response (the default for tests is a plain static host: no headers, as most hosts are).
 */
export function serveDist(port, dir = new URL('../dist/', import.meta.url).pathname, opts = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const rel = normalize(path).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, rel.endsWith('/') ? rel + 'index.html' : rel);
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
        ...(opts.isolate ? ISOLATION_HEADERS : {}),
      });
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
  serveDist(port, dir, { isolate: process.env.E2E_ISOLATE === '1' }).then(() => console.log(`serving ${dir ?? 'dist/'} on http://127.0.0.1:${port}/`));
}
