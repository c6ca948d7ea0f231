// `npm run bench`: cold start, bundle weight, and generate + Overview SQL + pivots at several sizes, WASM vs native.
// Prints one markdown table, writes it to bench/out/latest.md and between the README's bench markers if present.
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT, bundleSizes, ensureDist } from './build.ts';
import { benchBrowser, coldStart, startRig, type BrowserRig, type ColdStart } from './browser.ts';
import { benchNative } from './native.ts';
import { benchImports } from './import.ts';
import { ANALYSIS_NAMES } from './analyses.ts';
import { PIVOT_NAMES } from './pivots.ts';
import { pivotOnScreen } from './pivot-screen.ts';
import { SIZES, overviewQueries, shortReason, type BenchSize, type QueryTiming } from './queries.ts';
import { bundleRows, coldRows, renderTable, sizeRows, type Row } from './table.ts';

/** Command-line options. */
interface Options {
  sizes: BenchSize[];
  runs: number;
  imports: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  let sizes = ['50k', '1m', '10m'];
  let runs = 3;
  let imports = true;
  for (const arg of argv) {
    const [key, value = ''] = arg.split('=', 2);
    if (key === '--no-imports') imports = false;
    else if (key === '--sizes') sizes = value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    else if (key === '--runs') runs = Number(value);
    else throw new Error(`Unknown option ${arg}. Use --sizes=50k,1m,10m, --runs=N and --no-imports.`);
  }
  const unknown = sizes.filter((s) => !(s in SIZES));
  if (unknown.length) throw new Error(`Unknown size(s) ${unknown.join(', ')}; choose from ${Object.keys(SIZES).join(', ')}.`);
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error('--runs must be a whole number from 1 to 50.');
  return { sizes: sizes.map((s) => SIZES[s]), runs, imports };
}

const started = performance.now();
const log = (msg: string): void => {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`);
};

/** Browser time limit per size: generous for 10M on 2 cores, yet the whole run stays well under 30 minutes. */
const BROWSER_TIMEOUT_MS = 9 * 60_000;
/** A separate limit for the pivots that follow (so a slow pivot cannot cost a size its Overview figures). */
const PIVOT_TIMEOUT_MS = 6 * 60_000;
/** And one for the analysis statements (retention, funnels, journeys) after the pivots. */
const ANALYSIS_TIMEOUT_MS = 8 * 60_000;

async function coldStarts(rig: BrowserRig, runs: number): Promise<Row[]> {
  const results: ColdStart[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      results.push(await coldStart(rig));
      log(`cold start ${i + 1}/${runs}: dashboard at ${results[i].dashboard.toFixed(0)} ms`);
    }
    return coldRows(results);
  } catch (err) {
    log(`cold start failed: ${shortReason(err)}`);
    return coldRows(results, shortReason(err));
  }
}

function logPivotFailures(what: string, pivots: readonly QueryTiming[] | undefined): void {
  for (const p of pivots ?? []) if ('error' in p) log(`${what} ${p.name.split(':')[0]} failed: ${p.error}`);
}

/** Warn on the log when both engines ran an analysis statement but returned different row counts or totals. */
function logAnalysisMismatches(label: string, wasm: readonly QueryTiming[] | undefined, native: readonly QueryTiming[] | undefined): void {
  for (const w of wasm ?? []) {
    const n = native?.find((x) => x.name === w.name);
    if (!n || 'error' in w || 'error' in n) continue;
    const tag = w.name.split(':')[0];
    if (w.rows !== n.rows) log(`${label}: WARNING ${tag}: WASM returned ${w.rows} rows, native ${n.rows}`);
    else if (w.fingerprint !== n.fingerprint) log(`${label}: WARNING ${tag}: SQL or user totals differ between engines`);
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  log(ensureDist() ? 'built dist-bench/' : 'dist-bench/ is up to date');
  const rows: Row[] = bundleRows(bundleSizes());
  const rig = await startRig();
  try {
    log(`serving dist-bench/ at ${rig.url}; Chromium ${rig.browser.version()}`);
    rows.push(...(await coldStarts(rig, opts.runs)));
    log('Pivot screen: one-measure changes on screen (50K demo)');
    rows.push(await pivotOnScreen(rig, opts.runs));
    for (const size of opts.sizes) {
      log(`${size.label}: native load + queries + pivots + analyses`);
      const { run: native, window } = await benchNative(size.params, opts.runs, overviewQueries);
      if (native.error) log(`${size.label}: native failed: ${native.error}`);
      logPivotFailures(`${size.label}: native`, native.pivots);
      logPivotFailures(`${size.label}: native`, native.analyses);
      const queries = overviewQueries(window);
      log(`${size.label}: browser generate + queries + pivots + analyses`);
      const wasm = await benchBrowser(rig, size.params, queries, opts.runs, BROWSER_TIMEOUT_MS, PIVOT_TIMEOUT_MS, ANALYSIS_TIMEOUT_MS);
      if (wasm.error) log(`${size.label}: browser failed: ${wasm.error}`);
      logPivotFailures(`${size.label}: browser`, wasm.pivots);
      logPivotFailures(`${size.label}: browser`, wasm.analyses);
      logAnalysisMismatches(size.label, wasm.analyses, native.analyses);
      rows.push(...sizeRows(size.label, queries.map((q) => q.name), wasm, native, PIVOT_NAMES, ANALYSIS_NAMES));
    }
    if (opts.imports) rows.push(...(await benchImports(rig, opts.runs, log)));
  } finally {
    await rig.close();
  }
  const table = renderTable(rows);
  process.stdout.write(table + '\n');
  const caption =
    `_${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores, median of ${opts.runs} timed runs after 1 warm-up; ` +
    `WASM = DuckDB-WASM in Chromium (query times include the worker round trip and Arrow decode), ` +
    `native = @duckdb/node-api, threads=1, in memory. A pivot's time is the engine time of all its statements ` +
    `(bucket stats, then the GROUPING SETS query) summed per run, the app's runPivot deciding what runs; ` +
    `the one-measure change is what the Pivot screen runs when its coordinator already holds A's stats. ` +
    `A retention, funnel or journey row is one statement (the app's cohortSql, lifecycleSql, funnelSql, pathsSql) timed per run. ` +
    `Tree: ${treeState()}. Whole run: ${((performance.now() - started) / 1000).toFixed(0)} s._`;
  writeOutputs(table + '\n\n' + caption + '\n', opts.imports && opts.sizes.length === Object.keys(SIZES).length);
  log('done');
}

/** The measured source: commit and whether the working tree had uncommitted changes. */
function treeState(): string {
  try {
    const head = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
    const dirty = execSync('git status --porcelain -- src workers index.html vite.config.ts', { cwd: ROOT }).toString().trim();
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}

/** Write bench/out/latest.md; the README's table is replaced only by a full run (every size, imports included). */
function writeOutputs(md: string, full: boolean): void {
  const out = join(ROOT, 'bench', 'out');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'latest.md'), md);
  const readme = join(ROOT, 'README.md');
  if (!full) return log('partial run: bench/out/latest.md written, README.md left as it is');
  if (!existsSync(readme)) return;
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end, a);
  if (a < 0 || b < 0) return;
  writeFileSync(readme, text.slice(0, a + start.length) + '\n' + md + text.slice(b));
  log('updated README.md between the bench markers');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
