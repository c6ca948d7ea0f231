// Decode the funnel statement into per-step counts (overall and per breakdown group), times to convert, their
// histograms and the conversion rate over time.
import type { Table } from 'apache-arrow';
import { toRows } from '../../lib/rows.ts';
import { TIME_EDGES_MIN } from './sql.ts';
import type { FunnelSpec } from './spec.ts';

/** One step's numbers. */
export interface StepCount {
  /** 1-based step. */
  step: number;
  /** Units that reached this step. */
  count: number;
  /** count / units at step 1 (0 when nobody entered). */
  overall: number;
  /** count / units at the previous step (1 for step 1). */
  fromPrevious: number;
  /** Units that reached the previous step but not this one (0 for step 1). */
  dropped: number;
}

/** Time from step k to step k+1 among the units that made it. */
export interface StepTime {
  /** The transition k -> k+1. */
  from: number;
  count: number;
  medianMs: number | null;
  meanMs: number | null;
}

/** One breakdown group (or the whole funnel). */
export interface FunnelGroup {
  /** The value as text; null for a missing value. */
  value: string | null;
  /** The group holding every value beyond the top N. */
  other: boolean;
  steps: StepCount[];
  times: StepTime[];
}

/** One period of the conversion-over-time chart (by the period a unit entered the funnel). */
export interface TrendPoint {
  /** Period start, epoch ms (UTC). */
  period: number;
  entered: number;
  converted: number;
  /** converted / entered. */
  rate: number;
}

export interface FunnelResult {
  total: FunnelGroup;
  /** Breakdown groups, largest first ("Other" and "(missing)" last); empty without a breakdown. */
  groups: FunnelGroup[];
  /** Per transition: units per time bucket (edges TIME_EDGES_MIN). */
  histograms: { from: number; buckets: number[] }[];
  trend: TrendPoint[];
  /** Per breakdown group (same order as groups). */
  groupTrends: TrendPoint[][];
}

type Key = string;
const keyOf = (value: string | null, other: boolean): Key => (other ? 'o' : value === null ? 'n' : 'v' + value);

/** Step counts from "units whose best depth is d" (d = 1..n). */
export function stepCounts(byDepth: readonly number[], n: number): StepCount[] {
  const reached = Array.from({ length: n }, (_, i) => byDepth.slice(i + 1).reduce((a, b) => a + b, 0));
  return reached.map((count, i) => ({
    step: i + 1,
    count,
    overall: reached[0] ? count / reached[0] : 0,
    fromPrevious: i === 0 ? 1 : reached[i - 1] ? count / reached[i - 1] : 0,
    dropped: i === 0 ? 0 : reached[i - 1] - count,
  }));
}

/** One row of funnelSql's result (and of the one-pass statistics, pass-stats.ts). */
export interface FunnelRow {
  part: 'depth' | 'time' | 'hist' | 'trend';
  grp: string | null;
  other: boolean | null;
  tot: boolean;
  k: number;
  x: number | null;
  n: number;
  v: number | null;
}

/** Decode funnelSql's rows for `spec`. */
export function decodeFunnel(table: Table, spec: FunnelSpec): FunnelResult {
  return decodeFunnelRows(toRows(table) as unknown as FunnelRow[], spec);
}

/** Decode funnel rows (funnelSql's, or the one-pass statistics') for `spec`. */
export function decodeFunnelRows(rows: readonly FunnelRow[], spec: FunnelSpec): FunnelResult {
  const n = spec.steps.length;
  const depth = new Map<Key, { value: string | null; other: boolean; byDepth: number[] }>();
  const times = new Map<Key, StepTime[]>();
  const trend = new Map<Key, Map<number, number[]>>();
  const emptyTimes = (): StepTime[] => Array.from({ length: n - 1 }, (_, i) => ({ from: i + 1, count: 0, medianMs: null, meanMs: null }));
  const histograms = Array.from({ length: n - 1 }, (_, i) => ({ from: i + 1, buckets: new Array<number>(TIME_EDGES_MIN.length + 1).fill(0) }));
  const totalDepth = new Array<number>(n + 1).fill(0);
  const totalTrend = new Map<number, number[]>();
  const addTrend = (m: Map<number, number[]>, p: number, d: number, c: number) => {
    const a = m.get(p) ?? new Array<number>(n + 1).fill(0);
    a[d] += c;
    m.set(p, a);
  };
  for (const r of rows) {
    const value = r.grp === null ? null : String(r.grp);
    const other = r.other === true;
    const key = keyOf(value, other);
    const k = Number(r.k);
    const c = Number(r.n);
    if (r.part === 'depth') {
      const g = depth.get(key) ?? { value, other, byDepth: new Array<number>(n + 1).fill(0) };
      g.byDepth[k] += c;
      depth.set(key, g);
      totalDepth[k] += c;
    } else if (r.part === 'time') {
      const tkey = r.tot === true ? 'total' : key;
      const t = times.get(tkey) ?? emptyTimes();
      t[k - 1] = { from: k, count: c, medianMs: r.v === null ? null : Number(r.v), meanMs: r.x === null ? null : Number(r.x) };
      times.set(tkey, t);
    } else if (r.part === 'hist') {
      histograms[k - 1].buckets[Number(r.x)] += c;
    } else if (r.part === 'trend') {
      const m = trend.get(key) ?? new Map<number, number[]>();
      addTrend(m, Number(r.x), k, c);
      trend.set(key, m);
      addTrend(totalTrend, Number(r.x), k, c);
    }
  }
  const points = (m: Map<number, number[]> | undefined): TrendPoint[] =>
    [...(m ?? new Map<number, number[]>()).entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([period, d]) => {
        const entered = d.reduce((a, b) => a + b, 0);
        return { period, entered, converted: d[n], rate: entered ? d[n] / entered : 0 };
      });
  const groups = spec.breakdown
    ? [...depth.entries()]
        .map(([key, g]) => ({ key, g, size: g.byDepth.reduce((a, b) => a + b, 0) }))
        .sort((a, b) => rankOf(a.g) - rankOf(b.g) || b.size - a.size || String(a.g.value).localeCompare(String(b.g.value)))
    : [];
  return {
    total: { value: null, other: false, steps: stepCounts(totalDepth, n), times: times.get('total') ?? emptyTimes() },
    groups: groups.map(({ key, g }) => ({ value: g.value, other: g.other, steps: stepCounts(g.byDepth, n), times: times.get(key) ?? emptyTimes() })),
    histograms,
    trend: points(totalTrend),
    groupTrends: groups.map(({ key }) => points(trend.get(key))),
  };
}

// Real values first, then "Other", then "(missing)".
const rankOf = (g: { value: string | null; other: boolean }) => (g.other ? 1 : g.value === null ? 2 : 0);
