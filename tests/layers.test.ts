// The layering rules the code keeps (ARCHITECTURE.md): the page talks to workers through the protocol types in
// src/db/protocols.ts, never by importing a worker file; analyses never reach into the database layer's
// internals (only its Db interface, src/db/types.ts, and the coordinator's Superseded signal).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|svelte)$/.test(name) ? [p] : [];
  });
}

/** Every module a file imports (static `import … from '…'` and `export … from '…'`). */
function imports(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"\n]*?(?:from\s+)?['"]([^'"]+)['"]/gm)].map((m) => m[1]);
}

test('no module under src/ imports a worker file: workers are reached through src/db/protocols.ts', () => {
  const offenders = files(join(root, 'src')).flatMap((f) => imports(f).filter((m) => m.includes('workers/')).map((m) => `${relative(root, f)} → ${m}`));
  assert.deepEqual(offenders, []);
});

test('every worker implements a protocol type from src/db/protocols.ts', () => {
  // (duckdb-eh.worker.ts is DuckDB-WASM's own worker, speaking the library's protocol to its AsyncDuckDB.)
  const workers = readdirSync(join(root, 'workers')).filter((f) => f.endsWith('.worker.ts') && f !== 'duckdb-eh.worker.ts');
  assert.ok(workers.length >= 7, `found ${workers.length} workers`);
  for (const w of workers) {
    const text = readFileSync(join(root, 'workers', w), 'utf8');
    assert.match(text, /from '\.\.\/src\/db\/protocols\.ts'/, `${w} imports its protocol`);
    assert.match(text, /const api: \w+Api = \{/, `${w} declares its api with its protocol type`);
    assert.doesNotMatch(text, /export type \w+ = typeof api/, `${w} does not export its own type`);
  }
});

test('analyses reach the database only through its Db interface (src/db/types.ts) and the Superseded signal', () => {
  const allowed = new Set(['types.ts', 'coordinator.ts']);
  const offenders = files(join(root, 'src/analyses')).flatMap((f) =>
    imports(f).filter((m) => /\/db\//.test(m) && !allowed.has(m.split('/db/')[1])).map((m) => `${relative(root, f)} → ${m}`));
  assert.deepEqual(offenders, []);
});

test('every worker the page starts is a worker file that exists (new Worker(new URL(…)) → workers/*.worker.ts)', () => {
  const started: string[] = [];
  const bad: string[] = [];
  for (const f of [...files(join(root, 'src')), ...files(join(root, 'workers'))]) {
    for (const m of readFileSync(f, 'utf8').matchAll(/new Worker\(\s*new URL\(\s*'([^']+)'/g)) {
      const target = resolve(dirname(f), m[1]);
      started.push(relative(root, target));
      if (!/\/workers\/[\w-]+\.worker\.ts$/.test(target) || !existsSync(target)) bad.push(`${relative(root, f)} → ${m[1]}`);
    }
  }
  assert.deepEqual(bad, []);
  // db, gen, convert, live, ml, predict from the page; the threaded reader from the browser Db (src/db/reader.ts);
  // the k-means pool from the ML worker; DuckDB-WASM's own worker from the db worker.
  assert.deepEqual([...new Set(started)].sort(), ['convert', 'db', 'duckdb-eh', 'gen', 'kmeans-chunk', 'live', 'ml', 'predict', 'reader'].map((w) => `workers/${w}.worker.ts`));
});
