// `npm test`: Node unit tests against native DuckDB, then a production build, then Playwright e2e in Chromium.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const env = { ...process.env, TZ: 'UTC' };
let passed = 0;
let failed = 0;

function step(title, cmd, args, extraEnv = {}) {
  console.log(`\n=== ${title} ===`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 28 });
  process.stdout.write(r.stdout ?? '');
  console.log(`--- ${title}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return { code: r.status ?? 1, out: r.stdout ?? '' };
}

const only = process.argv[2];

if (!only || only === 'unit') {
  const check = step('Type check (svelte-check, TypeScript strict)', 'npx', ['svelte-check', '--tsconfig', './tsconfig.json', '--fail-on-warnings', '--output', 'human']);
  if (check.code) {
    console.log('Type check failed (see above).');
    failed += 1;
  }
  // Node's runner starts the files in the order given, two at a time: the longest start first (measured on a 2-core
  // machine, longest first), so the last minutes are not one long file running alone while the other slot idles.
  // Order changes nothing but the time; a file missing from the list runs after these, alphabetically.
  const LONGEST_FIRST = ['live', 'pivot-real', 'import-real', 'lifecycle-bits', 'funnel-pass', 'import-malformed', 'import-run', 'import-bad', 'import-formats', 'import-exports', 'paths-pass', 'import-convert-run', 'overview', 'pivot-rollup', 'cohort-real', 'rfm-real', 'ml-real-data', 'import-relational', 'filter-behaviour'];
  const rank = (f) => {
    const i = LONGEST_FIRST.indexOf(f.replace(/\.test\.ts$/, ''));
    return i < 0 ? LONGEST_FIRST.length : i;
  };
  const files = readdirSync(root + 'tests')
    .filter((f) => f.endsWith('.test.ts'))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((f) => 'tests/' + f);
  // Two test files at a time: Node's default on 2 cores is one; each file is its own process with its own temp dirs.
  const unit = step('Unit tests (Node + native DuckDB)', process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files]);
  const p = /ℹ pass (\d+)/.exec(unit.out);
  const f = /ℹ fail (\d+)/.exec(unit.out);
  passed += Number(p?.[1] ?? 0);
  failed += Number(f?.[1] ?? (unit.code ? 1 : 0));
  if (unit.code && !f) failed += 1;
}

if (!only || only === 'e2e') {
  const build = step('Production build', 'npx', ['vite', 'build', '--logLevel', 'warn']);
  if (build.code) {
    failed += 1;
  } else {
    const json = root + 'test-results/e2e.json';
    rmSync(json, { force: true });
    const e2e = step('End-to-end tests (Playwright + Chromium)', 'npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts']);
    let counted = 0;
    if (existsSync(json)) {
      const report = JSON.parse(readFileSync(json, 'utf8'));
      const stats = report.stats ?? {};
      passed += stats.expected ?? 0;
      counted = (stats.unexpected ?? 0) + (stats.flaky ?? 0);
      // Errors outside any test (the web server could not start, a config error) fail the run too.
      counted += (report.errors ?? []).length;
      failed += counted;
    }
    // Playwright failed but no failure was counted (no report, or a report of nothing): that is a failure.
    if (e2e.code && counted === 0) failed += 1;
  }
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
