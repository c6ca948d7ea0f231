// What both engines run: the shop sizes, the Overview panel SQL (whole data and a 90-day window), and medians.
import { DEFAULT_OVERVIEW, OVERVIEW_PANELS, type OverviewSpec } from '../src/analyses/overview/index.ts';
import type { GenParams } from '../src/data/generator/index.ts';
import type { SqlValue } from '../src/sql/quote.ts';

/** A benchmark size: its label and the generator parameters that give roughly that many events. */
export interface BenchSize {
  label: string;
  params: GenParams;
}

/** Sizes by command-line name (events scale ~15.7 per user). */
export const SIZES: Readonly<Record<string, BenchSize>> = {
  '50k': { label: '50K', params: { users: 5000, days: 365, seed: 42 } },
  '1m': { label: '1M', params: { users: 66_000, days: 365, seed: 42 } },
  '10m': { label: '10M', params: { users: 660_000, days: 365, seed: 42 } },
};

/** One timed statement: a row label and plain SQL plus bound parameters (serialisable into the page). */
export interface BenchQuery {
  name: string;
  text: string;
  params: SqlValue[];
  /** The engine the app runs it on when the page has the threaded reader (Sql.engine): 'main', or unset (either). */
  engine?: 'main';
}

/** The data's last day as 'YYYY-MM-DD' (UTC) and the first day of the 90-day window ending on it. */
export const LAST_DAY_SQL = `SELECT strftime(max(ts)::DATE, '%Y-%m-%d') AS last_day,
  strftime(max(ts)::DATE - 89, '%Y-%m-%d') AS first_day FROM events`;

/** Every Overview panel's SQL for the default spec, then again for the 90 days ending on `lastDay`. */
export function overviewQueries(window90: { from: string; to: string } | null): BenchQuery[] {
  const specs: [string, OverviewSpec][] = [['all', DEFAULT_OVERVIEW]];
  if (window90) specs.push(['90 d', { ...DEFAULT_OVERVIEW, from: window90.from, to: window90.to }]);
  return specs.flatMap(([tag, spec]) =>
    Object.entries(OVERVIEW_PANELS).map(([panel, build]) => {
      // The page's panels: every dataset the bench loads was installed with session_metrics, and its user_metrics
      // covers its events (the page's cached checks answer yes; they run once per dataset version, not timed here).
      const q = build(spec, { sessionMetrics: true, userMetrics: true });
      return { name: `${panel} (${tag})`, text: q.text, params: [...q.params], ...(q.engine ? { engine: q.engine } : {}) };
    }),
  );
}

/** The median of some timings (mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** A query's outcome on one engine: per-run milliseconds and result rows, or why it failed. */
export type QueryTiming =
  | { name: string; times: number[]; rows: number; /** For pivots: the main statement with its bound values. */ fingerprint?: string }
  | { name: string; error: string };

/** The threaded reader as the page reported it before the timed statements. */
export type ReaderRun = {
  state: string;
  threads: number;
  snapshotMs: number | null;
  error: string | null;
  /** After the timed reads (queries, pivots, analyses): statements the reader answered, and declined (duckdb-wasm#2256: the main engine answered them). */
  answered?: number;
  declined?: number;
} | null;

/** What one engine did at one size: load time, events, table memory, query timings; or why it failed. */
export interface EngineRun {
  loadMs?: number;
  events?: number;
  memoryMb?: number;
  /** Where the engine keeps tables, when it says: 'in memory' or 'OPFS'. */
  storage?: string;
  /** The page's threaded reader once its snapshot was current (null: the page ran without it). */
  reader?: ReaderRun;
  queries: QueryTiming[];
  /** Pivot timings (bench/pivots.ts), when the engine got that far. */
  pivots?: QueryTiming[];
  /** Retention, funnel and journey timings (bench/analyses.ts), when the engine got that far. */
  analyses?: QueryTiming[];
  /** Built-in segmentation timings (bench/segments.ts), when the engine got that far. */
  segments?: QueryTiming[];
  error?: string;
}

/** Everything DuckDB's buffer manager holds (tables, and any cached blocks of a file-backed database), in MB. */
export const ENGINE_MEMORY_SQL = `SELECT (sum(memory_usage_bytes) / 1e6)::DOUBLE AS mb FROM duckdb_memory()`;

/** A short one-line reason from any thrown value. */
export function shortReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const line = msg.split('\n').find((l) => l.trim()) ?? msg;
  return line.length > 90 ? line.slice(0, 90) + '…' : line;
}
