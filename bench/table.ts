// Turns measurements into the one markdown table the benchmark prints: size | step | WASM | native | ratio.
import type { BundleSizes } from './build.ts';
import type { ColdStart } from './browser.ts';
import { median, type EngineRun, type QueryTiming } from './queries.ts';

/** A table cell: a duration (ratios are computed from these), free text (sizes, failures), or nothing. */
export type Cell = { ms: number } | { text: string } | null;

/** One table row. */
export interface Row {
  size: string;
  step: string;
  wasm: Cell;
  native: Cell;
}

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const one = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

function show(c: Cell): string {
  if (c === null) return '—';
  if ('text' in c) return c.text;
  if (!Number.isFinite(c.ms)) return 'n/a';
  return c.ms < 100 ? one.format(c.ms) : int.format(c.ms);
}

function ratio(a: Cell, b: Cell): string {
  if (!a || !b || !('ms' in a) || !('ms' in b) || !(b.ms > 0) || !Number.isFinite(a.ms)) return '—';
  return (a.ms / b.ms).toFixed(2);
}

const kb = (bytes: number): string => `${int.format(bytes / 1024)} KB`;

/** Rows for the build's gzip weights (in the WASM column; native has no bundle). */
export function bundleRows(s: BundleSizes): Row[] {
  return [
    { size: 'build', step: `JS, gzip, all ${s.jsFiles} files (.wasm excluded)`, wasm: { text: kb(s.jsGzip) }, native: null },
    { size: 'build', step: `JS, gzip, entry chunk ${s.entryName}`, wasm: { text: kb(s.entryGzip) }, native: null },
    {
      size: 'build',
      step: `DuckDB wasm, gzip (raw ${one.format(s.wasmRaw / 1048576)} MB)`,
      wasm: { text: kb(s.wasmGzip) },
      native: null,
    },
  ];
}

/** Rows for the cold start: the median of each milestone over fresh-context runs, ms since navigation. */
export function coldRows(runs: readonly ColdStart[], error?: string): Row[] {
  const label = `cold start (median of ${runs.length})`;
  const steps: [keyof ColdStart, string][] = [
    ['fcp', 'first contentful paint'],
    ['dbReady', 'DuckDB ready'],
    ['datasetReady', 'default shop generated (5K users)'],
    ['firstKpis', "first visit: KPIs on screen (the build's demo-shop figures)"],
    ['dashboard', 'dashboard rendered (every panel answered by the generated shop)'],
    ['returning', 'returning visit: KPIs on screen'],
    ['returningDashboard', 'returning visit: every panel answered by the stored data'],
  ];
  if (error && runs.length === 0) return [{ size: 'cold start', step: 'all', wasm: { text: `failed: ${error}` }, native: null }];
  return steps.map(([key, step]) => ({ size: label, step, wasm: { ms: median(runs.map((r) => r[key])) }, native: null }));
}

function queryCell(t: QueryTiming | undefined, engineError: string | undefined): Cell {
  if (!t) return engineError ? null : { text: 'not run' };
  if ('error' in t) return { text: `failed: ${t.error}` };
  return { ms: median(t.times) };
}

function sumCell(ts: (QueryTiming | undefined)[]): Cell {
  let sum = 0;
  for (const t of ts) {
    if (!t || 'error' in t) return null;
    sum += median(t.times);
  }
  return { ms: sum };
}

/** What to flag when both engines ran a pivot but disagree on its main SQL (their stats differed) or its size. */
function pivotMismatch(w: QueryTiming | undefined, n: QueryTiming | undefined): string {
  if (!w || !n || 'error' in w || 'error' in n) return '';
  const notes: string[] = [];
  if (w.fingerprint !== n.fingerprint) notes.push('main SQL differs between engines');
  if (w.rows !== n.rows) notes.push(`${w.rows} vs ${n.rows} result rows`);
  return notes.length ? ` (WARNING: ${notes.join('; ')})` : '';
}

/** What to flag when both engines ran an analysis statement but disagree on its SQL, row count or summed users. */
function analysisMismatch(w: QueryTiming | undefined, n: QueryTiming | undefined): string {
  if (!w || !n || 'error' in w || 'error' in n) return '';
  const notes: string[] = [];
  if (w.rows !== n.rows) notes.push(`${w.rows} vs ${n.rows} result rows`);
  else if (w.fingerprint !== n.fingerprint) notes.push('SQL or user totals differ between engines');
  return notes.length ? ` (WARNING: ${notes.join('; ')})` : '';
}

/**
 * Rows for one shop size: load, table memory, each query, per-spec sums of the panel medians, then each pivot
 * (the median over runs of its statements' summed engine time), then each analysis statement (median over runs).
 */
export function sizeRows(
  label: string,
  names: readonly string[],
  wasm: EngineRun,
  native: EngineRun,
  pivotNames: readonly string[] = [],
  analysisNames: readonly string[] = [],
): Row[] {
  const events = native.events ?? wasm.events;
  const mismatch = wasm.events !== undefined && native.events !== undefined && wasm.events !== native.events;
  const size = `${label} (${events === undefined ? '?' : int.format(events)} events${mismatch ? `; WASM ${int.format(wasm.events!)}` : ''})`;
  const fail = (r: EngineRun, c: Cell): Cell => (r.error ? { text: `failed: ${r.error}` } : c);
  const mb = (r: EngineRun): Cell =>
    r.memoryMb === undefined ? null : { text: `${int.format(r.memoryMb)} MB${r.storage ? ` (${r.storage})` : ''}` };
  const rows: Row[] = [
    {
      size,
      step: 'generate + load shop (page: strata.generate; Node: loadShop)',
      wasm: fail(wasm, wasm.loadMs === undefined ? null : { ms: wasm.loadMs }),
      native: fail(native, native.loadMs === undefined ? null : { ms: native.loadMs }),
    },
    { size, step: 'DuckDB memory after load (duckdb_memory total)', wasm: mb(wasm), native: mb(native) },
  ];
  if (wasm.reader !== undefined) {
    const r = wasm.reader;
    const text = !r
      ? 'off (page not cross-origin isolated)'
      : r.state === 'ready'
        ? `${r.threads} threads${r.declined === undefined ? '' : `, answered ${r.answered} of the timed reads${r.declined ? ` and declined ${r.declined} (duckdb-wasm#2256: the main engine answered those)` : ''}`}`
        : r.state === 'standby'
          ? 'standing by (too few events: the main engine answers)'
          : `${r.state}${r.error ? `: ${r.error.slice(0, 160)}` : ''}`;
    rows.push({ size, step: `threaded reader: ${text}; its snapshot of the stored file (checkpoint, read, attach)`, wasm: r?.snapshotMs ? { ms: r.snapshotMs } : { text: '—' }, native: null });
  }
  const find = (r: EngineRun, n: string) => r.queries.find((q) => q.name === n);
  for (const name of names) {
    rows.push({ size, step: name, wasm: queryCell(find(wasm, name), wasm.error), native: queryCell(find(native, name), native.error) });
  }
  for (const tag of new Set(names.map((n) => /\(([^)]+)\)$/.exec(n)?.[1] ?? ''))) {
    const group = names.filter((n) => n.endsWith(`(${tag})`));
    rows.push({
      size,
      step: `Overview, ${group.length} panels (${tag}), sum of medians`,
      wasm: sumCell(group.map((n) => find(wasm, n))),
      native: sumCell(group.map((n) => find(native, n))),
    });
  }
  const pivot = (r: EngineRun, n: string) => r.pivots?.find((q) => q.name === n);
  for (const name of pivotNames) {
    const w = pivot(wasm, name);
    const n = pivot(native, name);
    rows.push({ size, step: name + pivotMismatch(w, n), wasm: queryCell(w, wasm.error), native: queryCell(n, native.error) });
  }
  const analysis = (r: EngineRun, n: string) => r.analyses?.find((q) => q.name === n);
  for (const name of analysisNames) {
    const w = analysis(wasm, name);
    const n = analysis(native, name);
    rows.push({ size, step: name + analysisMismatch(w, n), wasm: queryCell(w, wasm.error), native: queryCell(n, native.error) });
  }
  return rows;
}

const esc = (s: string): string => s.replace(/\|/g, '\\|');

/** Issue 17's speed targets in the page (ms, "under"), by kind of step and shop size. */
const SPEED_TARGETS: readonly { kind: string; test: (step: string) => boolean; ms: Readonly<Record<string, number>> }[] = [
  { kind: 'Overview panel', test: (s) => /^\w+ \((all|90 d)\)$/.test(s), ms: { '50K': 20, '1M': 100, '10M': 500 } },
  { kind: 'funnel', test: (s) => /^funnel F[12]\b/.test(s), ms: { '50K': 40, '1M': 200, '10M': 1500 } },
  { kind: 'journeys', test: (s) => /^journeys J[12]\b/.test(s), ms: { '50K': 40, '1M': 250, '10M': 2000 } },
  { kind: 'retention', test: (s) => /^retention R[1-3]\b/.test(s), ms: { '50K': 20, '1M': 100, '10M': 800 } },
  { kind: 'pivot', test: (s) => /^pivot [ABC]:/.test(s), ms: { '50K': 30, '1M': 300, '10M': 2000 } },
  { kind: 'first visit', test: (s) => s.startsWith('first visit: KPIs on screen'), ms: { 'cold start': 2500 } },
  // "No main-thread long task over 50 ms while any analysis runs": the longest one, 0 when there was none.
  { kind: 'long task', test: (s) => s.includes(' screen opened: longest main-thread task'), ms: { '50K': 50.01, '1M': 50.01, '10M': 50.01 } },
  { kind: 'returning visit', test: (s) => s === 'returning visit: KPIs on screen', ms: { 'cold start': 1200 } },
];

/** The target of a row (its size label's first word: 50K, 1M, 10M, or "cold start"), if issue 17 sets one. */
export function speedTarget(size: string, step: string): number | undefined {
  const label = size.startsWith('cold start') ? 'cold start' : size.split(' ')[0];
  return SPEED_TARGETS.find((t) => t.test(step))?.ms[label];
}

function targetCells(r: Row): [string, string] {
  const limit = speedTarget(r.size, r.step);
  if (limit === undefined) return ['', ''];
  const goal = `< ${int.format(limit)}`;
  if (!r.wasm || !('ms' in r.wasm) || !Number.isFinite(r.wasm.ms)) return [goal, 'not measured'];
  return [goal, r.wasm.ms < limit ? '✓' : `✗ (${(r.wasm.ms / limit).toFixed(1)}×)`];
}

/** The markdown table, with issue 17's target (page, ms) and whether the page met it, where one is set. */
export function renderTable(rows: readonly Row[]): string {
  const lines = ['| size | step | WASM ms | native ms | WASM/native ratio | target ms | met |', '|---|---|---:|---:|---:|---:|---|'];
  for (const r of rows) {
    const [goal, met] = targetCells(r);
    lines.push(`| ${esc(r.size)} | ${esc(r.step)} | ${esc(show(r.wasm))} | ${esc(show(r.native))} | ${ratio(r.wasm, r.native)} | ${goal} | ${met} |`);
  }
  return lines.join('\n');
}

/** A size's target for computing every built-in segmentation in the page (issue 12): an absolute time, or a ratio to native. */
export type SegmentTarget = { wasmMs: number } | { ratio: number };

/** The ALL row's note: the target and whether this run met it. */
function targetNote(target: SegmentTarget | undefined, w: Cell, n: Cell): string {
  if (!target) return '';
  const ms = (c: Cell) => (c && 'ms' in c && Number.isFinite(c.ms) ? c.ms : NaN);
  if ('wasmMs' in target) {
    const v = ms(w);
    const goal = `target < ${int.format(target.wasmMs)} ms in the page`;
    if (!Number.isFinite(v)) return ` (${goal}: not measured)`;
    return v < target.wasmMs ? ` (${goal}: met)` : ` (${goal}: MISSED, ${(v / target.wasmMs).toFixed(2)}× the target)`;
  }
  const r = ms(w) / ms(n);
  const goal = `target ≤ ${target.ratio}× native`;
  if (!Number.isFinite(r)) return ` (${goal}: not measured)`;
  return r <= target.ratio ? ` (${goal}: met)` : ` (${goal}: MISSED)`;
}

/**
 * Rows for one size's built-in segmentations (bench/segments.ts): every built-in computed, its share per
 * segmentation, two threshold changes and the profile statement. `rows` of a computation is its statement count.
 */
export function segmentRows(
  label: string,
  users: number,
  names: readonly string[],
  wasm: EngineRun,
  native: EngineRun,
  opts: { all: string; changes: readonly string[]; target?: SegmentTarget },
): Row[] {
  const events = native.events ?? wasm.events;
  const size = `${label} (${events === undefined ? '?' : int.format(events)} events, ${int.format(users)} users)`;
  const find = (r: EngineRun, n: string) => r.segments?.find((q) => q.name === n);
  const rows: Row[] = [];
  for (const name of names) {
    const w = find(wasm, name);
    const n = find(native, name);
    const wc = queryCell(w, wasm.error);
    const nc = queryCell(n, native.error);
    let step = name;
    const ok = (t: QueryTiming | undefined): t is Extract<QueryTiming, { times: number[] }> => !!t && !('error' in t);
    const counted = name === opts.all || opts.changes.includes(name);
    const ref = ok(n) ? n : ok(w) ? w : undefined;
    if (counted && ref) step += `, ${ref.rows} statements`;
    if (name === opts.all) step += targetNote(opts.target, wc, nc);
    if (ok(w) && ok(n)) {
      if (counted && w.rows !== n.rows) step += ` (WARNING: ${w.rows} vs ${n.rows} statements)`;
      if (w.fingerprint !== n.fingerprint) step += counted ? ' (WARNING: stored segments differ between engines)' : ' (WARNING: results differ between engines)';
    }
    rows.push({ size, step, wasm: wc, native: nc });
  }
  return rows;
}

/** A target of the clustering table (issue 13): an absolute time in the page, or a ratio to scikit-learn's time. */
export type MlTarget = { belowMs: number } | { atMostMs: number } | { maxRatio: number };

/** One row of the clustering table: browser vs scikit-learn (default threads, and one thread). */
export interface MlRow {
  op: string;
  size: string;
  browser: Cell;
  sklearn: Cell;
  sklearn1: Cell;
  target?: MlTarget;
}

function mlTarget(t: MlTarget | undefined, r: MlRow): [string, string] {
  if (!t) return ['—', '—'];
  const ms = (c: Cell) => (c && 'ms' in c && Number.isFinite(c.ms) ? c.ms : NaN);
  const b = ms(r.browser);
  if ('maxRatio' in t) {
    const goal = `≤ ${t.maxRatio}× sklearn`;
    const ratio = b / ms(r.sklearn);
    if (!Number.isFinite(ratio)) return [goal, 'not measured'];
    return [goal, ratio <= t.maxRatio ? 'yes' : `NO (${ratio.toFixed(2)}×)`];
  }
  const [goal, limit, ok] = 'belowMs' in t ? [`< ${int.format(t.belowMs)} ms`, t.belowMs, b < t.belowMs] : [`≤ ${int.format(t.atMostMs)} ms`, t.atMostMs, b <= t.atMostMs];
  if (!Number.isFinite(b)) return [goal, 'not measured'];
  return [goal, ok ? 'yes' : `NO (${(b / limit).toFixed(2)}× the target)`];
}

/** The clustering table; `threads` names the default-threads sklearn column ("2 threads"). */
export function renderMlTable(rows: readonly MlRow[], threads: string): string {
  const lines = [
    `| operation | size | browser ms | sklearn ms (${threads}) | ratio | sklearn ms (1 thread) | ratio (1 thread) | target | met? |`,
    '|---|---|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const r of rows) {
    const [goal, met] = mlTarget(r.target, r);
    const cells = [r.op, r.size, show(r.browser), show(r.sklearn), ratio(r.browser, r.sklearn), show(r.sklearn1), ratio(r.browser, r.sklearn1), goal, met];
    lines.push(`| ${cells.map(esc).join(' | ')} |`);
  }
  return lines.join('\n');
}
