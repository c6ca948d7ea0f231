// `npm run bench`: cold start, bundle weight, and generate + Overview SQL + pivots at several sizes, WASM vs native,
// then the built-in segmentations on the same shops, then clustering (the ML worker vs scikit-learn, bench/ml.ts).
// Prints three markdown tables (the main one, Segments, Clustering), writes them to bench/out/latest.md and each
// between its README markers if present (see writeOutputs).
import { benchPredict, PREDICT_SIZES } from './predict.ts';
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT, bundleSizes, ensureDist } from './build.ts';
import { benchBrowser, coldStart, startRig, type BrowserRig, type ColdStart } from './browser.ts';
import type { Page } from '@playwright/test';
import { benchNative } from './native.ts';
import { benchImports } from './import.ts';
import { ANALYSIS_NAMES } from './analyses.ts';
import { PIVOT_NAMES } from './pivots.ts';
import { pivotOnScreen } from './pivot-screen.ts';
import { SIZES, overviewQueries, shortReason, type BenchSize, type QueryTiming } from './queries.ts';
import { SEGMENT_NAMES, SEGMENTS_ALL, SEGMENTS_CHURN, SEGMENTS_CUSTOMER, type SegmentPlan } from './segments.ts';
import { bundleRows, coldRows, renderMlTable, renderTable, segmentRows, sizeRows, type Row, type SegmentTarget } from './table.ts';
import { benchMl, ML_SETS, type MlResult } from './ml.ts';
import { benchLive } from './live.ts';
import { bigLongTaskRows, longTasksOnScreens, observeLongTasks, screensLongTasks, type RunResult } from './long-tasks.ts';

/** Command-line options. */
interface Options {
  sizes: BenchSize[];
  runs: number;
  imports: boolean;
  /** Everything but the segments (cold start, pivot screen, Overview queries, pivots, analyses). */
  main: boolean;
  segments: boolean;
  /** Clustering: the ML worker vs scikit-learn at the sizes chosen (50k, 1m), and the Clusters screen. */
  ml: boolean;
  /** The --sizes keys (50k, 1m, 10m). */
  sizeKeys: string[];
  /** Predictions: the prediction worker vs Node at --predict-sizes (5k, 50k, 500k), and the Predictions screen. */
  predict: boolean;
  predictSizes: string[];
  /** Live mode: one tick's cost at --sizes, page vs native. */
  live: boolean;
  /** Serve the page cross-origin isolated (its threaded reader on), as `npm start` does; --no-threads turns it off. */
  threads: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  let sizes = ['50k', '1m', '10m'];
  let runs = 3;
  let imports = true;
  let main = true;
  let segments = true;
  let ml = true;
  let predict = true;
  let predictSizes = Object.keys(PREDICT_SIZES);
  let live = true;
  let threads = true;
  for (const arg of argv) {
    const [key, value = ''] = arg.split('=', 2);
    if (key === '--no-imports') imports = false;
    else if (key === '--no-segments') segments = false;
    else if (key === '--no-ml') ml = false;
    else if (key === '--no-predict') predict = false;
    else if (key === '--no-live') live = false;
    else if (key === '--no-threads') threads = false;
    else if (key === '--only' && value === 'live') [main, imports, segments, ml, predict] = [false, false, false, false, false];
    else if (key === '--predict-sizes') predictSizes = value.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean);
    else if (key === '--only' && value === 'segments') [main, imports, ml, predict, live] = [false, false, false, false, false];
    else if (key === '--only' && value === 'ml') [main, imports, segments, predict, live] = [false, false, false, false, false];
    else if (key === '--only' && value === 'predict') [main, imports, segments, ml, live] = [false, false, false, false, false];
    else if (key === '--sizes') sizes = value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    else if (key === '--runs') runs = Number(value);
    else throw new Error(`Unknown option ${arg}. Use --sizes=50k,1m,10m, --runs=N, --no-imports, --no-segments, --no-ml, --no-predict, --predict-sizes=5k,50k,500k, --only=segments, --only=ml, --only=predict, --only=live, --no-live and --no-threads.`);
  }
  const unknown = sizes.filter((s) => !(s in SIZES));
  if (unknown.length) throw new Error(`Unknown size(s) ${unknown.join(', ')}; choose from ${Object.keys(SIZES).join(', ')}.`);
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error('--runs must be a whole number from 1 to 50.');
  if (!main && !segments && !ml && !predict && !live) throw new Error('--only=… with its --no-… leaves nothing to run.');
  if (!main && !segments && ml && !sizes.some((s) => s in ML_SETS)) throw new Error('--only=ml needs --sizes with 50k and/or 1m.');
  const badPredict = predictSizes.filter((x) => !(x in PREDICT_SIZES));
  if (badPredict.length) throw new Error(`Unknown prediction size(s) ${badPredict.join(', ')}; choose from ${Object.keys(PREDICT_SIZES).join(', ')}.`);
  return { sizes: sizes.map((s) => SIZES[s]), runs, imports, main, segments, ml, sizeKeys: sizes, predict, predictSizes, live, threads };
}

/** Issue 12's targets for computing every built-in in the page, by size label. */
const SEGMENT_TARGETS: Readonly<Record<string, SegmentTarget>> = {
  '50K': { wasmMs: 150 },
  '1M': { wasmMs: 1500 },
  '10M': { ratio: 1.5 },
};

/** From this many users on, computing every built-in is timed once without a warm-up (about 40 s native at 10M on 2 cores). */
const SEGMENT_HEAVY_USERS = 500_000;

/**
 * The segments rows' plan: warm-up plus `runs` timed computations of every built-in, except on heavy sizes where one
 * timed run follows no warm-up of its own (in the page the app has just computed them all in the background).
 */
function segmentPlan(size: BenchSize, runs: number): SegmentPlan {
  const heavy = size.params.users >= SEGMENT_HEAVY_USERS;
  // Small shops take a few milliseconds a run, where this machine's noise is as large as the figure: 7 runs there.
  return { runs, allRuns: heavy ? 1 : size.params.users <= 10_000 ? Math.max(runs, 7) : runs, allWarmUp: !heavy };
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
/** And one for the built-in segmentations after them. */
const SEGMENT_TIMEOUT_MS = 8 * 60_000;

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
  const rows: Row[] = opts.main ? bundleRows(bundleSizes()) : [];
  const segRows: Row[] = [];
  let ml: MlResult | null = null;
  let predictMd = '';
  let liveMd = '';
  const rig = await startRig([], opts.threads);
  try {
    log(`serving dist-bench/ at ${rig.url}; Chromium ${rig.browser.version()}`);
    if (opts.main) {
      rows.push(...(await coldStarts(rig, opts.runs)));
      log('Pivot screen: one-measure changes on screen (50K demo)');
      rows.push(await pivotOnScreen(rig, opts.runs));
      log('long tasks: every analysis screen opened on the 50K demo');
      rows.push(...(await longTasksOnScreens(rig, opts.runs, log)));
    }
    const parts = [...(opts.main ? ['queries + pivots + analyses'] : []), ...(opts.segments ? ['segments'] : [])].join(' + ');
    for (const size of opts.main || opts.segments ? opts.sizes : []) {
      // At 1M and 10M the long tasks are measured in the page the timed statements ran in: each screen's first view.
      let bigLongTasks: RunResult | string | null = null;
      const big = opts.main && size.label !== '50K';
      const sections = {
        queries: opts.main,
        segments: opts.segments ? segmentPlan(size, opts.runs) : null,
        log: (m: string) => log(`${size.label}: ${m}`),
        prepare: big ? observeLongTasks : undefined,
        afterAnalyses: big
          ? async (page: Page) => {
              try {
                bigLongTasks = await screensLongTasks(page);
                log(`${size.label}: long tasks: ${Object.entries(bigLongTasks).map(([k, [ms, n]]) => `${k} ${ms.toFixed(0)} ms (${n})`).join(', ')}`);
              } catch (err) {
                bigLongTasks = shortReason(err);
              }
            }
          : undefined,
      };
      log(`${size.label}: native load + ${parts}`);
      const { run: native, window } = await benchNative(size.params, opts.runs, overviewQueries, sections);
      if (native.error) log(`${size.label}: native failed: ${native.error}`);
      logPivotFailures(`${size.label}: native`, native.pivots);
      logPivotFailures(`${size.label}: native`, native.analyses);
      logPivotFailures(`${size.label}: native`, native.segments);
      const queries = overviewQueries(window);
      log(`${size.label}: browser generate + ${parts}`);
      const timeouts = { main: BROWSER_TIMEOUT_MS, pivots: PIVOT_TIMEOUT_MS, analyses: ANALYSIS_TIMEOUT_MS, segments: SEGMENT_TIMEOUT_MS };
      const wasm = await benchBrowser(rig, size.params, queries, opts.runs, timeouts, sections);
      if (wasm.error) log(`${size.label}: browser failed: ${wasm.error}`);
      logPivotFailures(`${size.label}: browser`, wasm.pivots);
      logPivotFailures(`${size.label}: browser`, wasm.analyses);
      logPivotFailures(`${size.label}: browser`, wasm.segments);
      if (opts.main) {
        logAnalysisMismatches(size.label, wasm.analyses, native.analyses);
        rows.push(...sizeRows(size.label, queries.map((q) => q.name), wasm, native, PIVOT_NAMES, ANALYSIS_NAMES));
        if (big) rows.push(...bigLongTaskRows(rows.at(-1)?.size ?? size.label, bigLongTasks ?? `not run (${wasm.error ?? 'the analyses did not finish'})`));
      }
      if (opts.segments) {
        logAnalysisMismatches(`${size.label} segments`, wasm.segments, native.segments);
        const changes = [SEGMENTS_CHURN, SEGMENTS_CUSTOMER];
        segRows.push(...segmentRows(size.label, size.params.users, SEGMENT_NAMES, wasm, native, { all: SEGMENTS_ALL, changes, target: SEGMENT_TARGETS[size.label] }));
      }
    }
    if (opts.imports) rows.push(...(await benchImports(rig, opts.runs, log)));
    if (opts.ml) {
      const sets = mlSets(opts);
      log(`clustering: ML worker vs scikit-learn at ${sets.map((s) => ML_SETS[s].label).join(', ') || 'no size'}, Clusters screen`);
      ml = await benchMl(rig, { sets, runs: opts.runs, screen: true, log: (m) => log(`ml: ${m}`) });
    }
    if (opts.live) {
      log(`live: one tick at ${opts.sizes.map((s) => s.label).join(', ')}, page vs native`);
      liveMd = await benchLive(rig, opts.sizes, (m) => log(`live: ${m}`));
    }
    if (opts.predict) {
      log(`predictions: the prediction worker vs Node at ${opts.predictSizes.join(', ')}, Predictions screen`);
      predictMd = await benchPredict(rig, { sizes: opts.predictSizes, log: (m) => log(`predict: ${m}`) });
    }
  } finally {
    await rig.close();
  }
  if (predictMd) {
    const caption = `_${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores, Chromium ${rig.browser.version()}. One run per size and side on bench/ml-page/predict-data.ts's seeded customers (14 features); page = the prediction worker's own clock for each part, Node = src/ml/predict.ts timed around each call, same settings (seed 1, 70/30 split). The screen row: three fresh page loads of the app (dist-bench, service worker blocked) after its background segment computation, Train clicked; long tasks from a PerformanceObserver, from the click to 2.5 s after the predictions are stored (the cards, charts and playbook render then). Tree: ${treeState()}._`;
    const md = predictMd + '\n\n' + caption + '\n';
    process.stdout.write('\n' + md);
    mkdirSync(join(ROOT, 'bench', 'out'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'out', 'predict.md'), md);
    if (Object.keys(PREDICT_SIZES).every((k) => opts.predictSizes.includes(k))) replaceBetween(join(ROOT, 'README.md'), 'bench:predict', md);
    else log('predictions: partial sizes, README.md left as it is');
  }
  if (liveMd) {
    process.stdout.write('\n' + liveMd);
    mkdirSync(join(ROOT, 'bench', 'out'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'out', 'live.md'), liveMd);
    if (opts.sizes.length === Object.keys(SIZES).length) replaceBetween(join(ROOT, 'README.md'), 'bench:live', liveMd);
    else log('live: partial sizes, README.md left as it is');
  }
  const whole = `Whole run: ${((performance.now() - started) / 1000).toFixed(0)} s.`;
  const segMd = opts.segments ? renderTable(segRows) + '\n\n' + segmentCaption(opts, whole) + '\n' : '';
  const mlMd = ml ? renderMlTable(ml.rows, ml.threads) + '\n\n' + mlCaption(ml, rig.browser.version(), whole) + '\n' : '';
  const fullMl = !!ml && Object.keys(ML_SETS).every((s) => opts.sizeKeys.includes(s));
  if (!opts.main) {
    if (opts.segments) process.stdout.write(renderTable(segRows) + '\n');
    if (ml) process.stdout.write((opts.segments ? '\n' : '') + renderMlTable(ml.rows, ml.threads) + '\n');
    if (opts.segments || ml) writeOutputs('', segMd, mlMd, false, opts.segments && opts.sizes.length === Object.keys(SIZES).length, fullMl);
    log('done');
    return;
  }
  const table = renderTable(rows);
  process.stdout.write(table + '\n');
  if (opts.segments) process.stdout.write('\n' + renderTable(segRows) + '\n');
  if (ml) process.stdout.write('\n' + renderMlTable(ml.rows, ml.threads) + '\n');
  const caption =
    `_${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores, median of ${opts.runs} timed runs after 1 warm-up; ` +
    `WASM = DuckDB-WASM in Chromium (query times include the worker round trip and Arrow decode; ${opts.threads ? 'the page served cross-origin isolated, as npm start serves it, so its reads are answered by the threaded reader once its snapshot is current' : 'the page served without cross-origin isolation (--no-threads): the single-threaded engine answers everything'}), ` +
    `native = @duckdb/node-api, threads=1, in memory; the page is timed after its background computation of the built-in segmentations has finished. A pivot's time is the engine time of all its statements ` +
    `(bucket stats, then the GROUPING SETS query) summed per run, the app's runPivot deciding what runs; ` +
    `the one-measure change is what the Pivot screen runs when its coordinator already holds A's stats. ` +
    `A retention row is one statement (the app's cohortSql, lifecycleSql) timed per run; a funnel or journeys row is what its screen does, the statement that selects the rows (funnelEventsSql; for journeys pathsStoredSql, the sessions' paths stored with the dataset) and the one pass over them in the page (Node natively), its key check a row of its own. ` +
    `Tree: ${treeState()}. ${whole}_`;
  const allSizes = opts.sizes.length === Object.keys(SIZES).length;
  writeOutputs(table + '\n\n' + caption + '\n', segMd, mlMd, opts.imports && allSizes, opts.segments && allSizes, fullMl);
  log('done');
}

/** The clustering sizes among --sizes (50k, 1m; 10m has none). */
function mlSets(opts: Options): (keyof typeof ML_SETS)[] {
  return (Object.keys(ML_SETS) as (keyof typeof ML_SETS)[]).filter((s) => opts.sizeKeys.includes(s));
}

/** The Clustering table's caption: when, where, then what bench/ml.ts says it measured. */
function mlCaption(ml: MlResult, chromium: string, whole: string): string {
  return `_${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores, Chromium ${chromium}. ${ml.caption} Tree: ${treeState()}. ${whole}_`;
}

/** What the Segments table measures, and how. */
function segmentCaption(opts: Options, whole: string): string {
  return (
    `_${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores. The app's computeBuiltinSegmentations ` +
    `(src/data/segments-compute.ts) and segmentProfileSql run from Node against each engine, every statement sent to it ` +
    `and timed there (WASM: \`strata.db\` in the page, worker round trip and Arrow decode included, stored on OPFS; native: ` +
    `@duckdb/node-api, threads=1, on a database file holding a checkpointed copy of the shop, since the page writes each ` +
    `segmentation to its stored file and a database in memory writes nothing); a row is the sum of its statements' engine times, median of ${opts.runs} ` +
    `timed runs after 1 warm-up — except "all built-ins" at ${int(SEGMENT_HEAVY_USERS)}+ users, timed once without a ` +
    `warm-up of its own (the page has just computed them in the background). "· of which" rows split the same runs by ` +
    `the segmentation being computed (its availability check, then its writes: ALTER TABLE, UPDATE … FROM the rule's ` +
    `SELECT, the record). Threshold changes recompute one segmentation (\`only\`), as the Segments screen does; the ` +
    `profile reads every stored built-in. Not included: the app's checkpoint after computing. Tree: ${treeState()}. ${whole}_`
  );
}

const int = (n: number): string => new Intl.NumberFormat('en-US').format(n);

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

/**
 * Write bench/out/latest.md (every table measured; the clustering one also to bench/out/ml.md); the README's main
 * table is replaced only by a full run (every size, imports included), its Segments table by any run that measured
 * the segments at every size, its Clustering table (`bench:ml` markers) by any run that measured 50K and 1M.
 */
function writeOutputs(md: string, segMd: string, mlMd: string, full: boolean, fullSegments: boolean, fullMl: boolean): void {
  const out = join(ROOT, 'bench', 'out');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'latest.md'), [md, segMd && '### Segments\n\n' + segMd, mlMd && '### Clustering\n\n' + mlMd].filter(Boolean).join('\n'));
  if (mlMd) writeFileSync(join(out, 'ml.md'), mlMd);
  const readme = join(ROOT, 'README.md');
  if (!existsSync(readme)) return;
  if (full) replaceBetween(readme, 'bench', md);
  if (fullSegments) replaceBetween(readme, 'bench-segments', segMd);
  if (fullMl) replaceBetween(readme, 'bench:ml', mlMd);
  if (!full && !fullSegments && !fullMl) log('partial run: bench/out/latest.md written, README.md left as it is');
}

/** Replace what lies between `<!-- name:start -->` and `<!-- name:end -->` in `file`, if both are there. */
function replaceBetween(file: string, name: string, md: string): void {
  const text = readFileSync(file, 'utf8');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const a = text.indexOf(start);
  const b = text.indexOf(end, a);
  if (a < 0 || b < 0) return;
  writeFileSync(file, text.slice(0, a + start.length) + '\n' + md + text.slice(b));
  log(`updated README.md between the ${name} markers`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
