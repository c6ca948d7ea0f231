// The funnel's charts (ECharts options; labels are text drawn on canvas, tooltips built with textContent).
import type { ChartOption } from '../../components/echarts.ts';
import { textTooltip } from '../../components/echarts.ts';
import { TIME_EDGES_MIN, type FunnelResult, type FunnelSpec, type TrendPeriod } from '../../analyses/funnel/index.ts';
import { dateLabel } from '../../analyses/pivot/buckets.ts';
import { fmtInt, fmtPct } from '../../lib/format.ts';
import { groupLabel, stepLabel } from './labels.ts';

const AXIS = { color: '#94a3b8' };
const SPLIT = { lineStyle: { color: '#1e293b' } };
/** Breakdown groups drawn (the table lists them all). */
export const MAX_GROUP_SERIES = 10;

/** Bars per step: units reaching it (labelled with % of step 1); with a breakdown, % of step 1 per group. */
export function stepsOption(spec: FunnelSpec, r: FunnelResult): ChartOption {
  const x = r.total.steps.map((s) => stepLabel(spec, s.step));
  const label = { show: true, position: 'top', color: '#cbd5e1', fontSize: 11 };
  if (r.groups.length) {
    return {
      animation: false,
      tooltip: { trigger: 'axis', formatter: textTooltip((v) => (typeof v === 'number' ? fmtPct(v) : '–')) },
      legend: { type: 'scroll', top: 0, textStyle: { color: '#cbd5e1' } },
      grid: { left: 56, right: 16, top: 36, bottom: 60 },
      xAxis: { type: 'category', data: x, axisLabel: { ...AXIS, interval: 0, width: 120, overflow: 'truncate' } },
      yAxis: { type: 'value', max: 1, axisLabel: { ...AXIS, formatter: (v: number) => fmtPct(v) }, splitLine: SPLIT },
      series: r.groups.slice(0, MAX_GROUP_SERIES).map((g) => ({ type: 'bar', name: groupLabel(spec, g), data: g.steps.map((s) => s.overall) })),
    };
  }
  return {
    animation: false,
    tooltip: { trigger: 'axis', formatter: textTooltip((v) => (typeof v === 'number' ? fmtInt(v) : '–')) },
    grid: { left: 64, right: 16, top: 30, bottom: 60 },
    xAxis: { type: 'category', data: x, axisLabel: { ...AXIS, interval: 0, width: 120, overflow: 'truncate' } },
    yAxis: { type: 'value', axisLabel: AXIS, splitLine: SPLIT },
    series: [
      {
        type: 'bar',
        name: spec.countBy === 'sessions' ? 'Sessions' : 'Users',
        data: r.total.steps.map((s) => s.count),
        itemStyle: { color: '#38bdf8' },
        stack: 'funnel',
        barMaxWidth: 90,
        label: { ...label, formatter: (p: { dataIndex: number }) => fmtPct(r.total.steps[p.dataIndex]?.overall) },
      },
      {
        type: 'bar',
        name: 'Dropped',
        data: r.total.steps.map((s) => s.dropped),
        // Stacked on the step's bar, so each bar reaches the previous step's height.
        itemStyle: { color: 'rgba(248, 113, 113, 0.45)' },
        stack: 'funnel',
        barMaxWidth: 90,
      },
    ],
  };
}

/** Bucket labels of the time-to-convert histogram. */
export const TIME_BUCKETS = bucketLabels();

function bucketLabels(): string[] {
  const name = (m: number) => (m < 60 ? `${m} min` : m < 1440 ? `${m / 60} h` : `${m / 1440} d`);
  const e = TIME_EDGES_MIN;
  return [`< ${name(e[0])}`, ...e.slice(1).map((m, i) => `${name(e[i])} – ${name(m)}`), `≥ ${name(e[e.length - 1])}`];
}

/** Units per time bucket for one transition. */
export function histogramOption(buckets: readonly number[]): ChartOption {
  return {
    animation: false,
    tooltip: { trigger: 'axis', formatter: textTooltip((v) => (typeof v === 'number' ? fmtInt(v) : '–')) },
    grid: { left: 56, right: 16, top: 16, bottom: 50 },
    xAxis: { type: 'category', data: TIME_BUCKETS, axisLabel: { ...AXIS, interval: 0, rotate: 30 } },
    yAxis: { type: 'value', axisLabel: AXIS, splitLine: SPLIT },
    series: [{ type: 'bar', name: 'Converted', data: [...buckets], itemStyle: { color: '#a78bfa' } }],
  };
}

/** Conversion rate (first to last step) by entry period; one line per breakdown group too. */
export function trendOption(spec: FunnelSpec, r: FunnelResult, period: TrendPeriod): ChartOption {
  const periods = [...new Set([...r.trend, ...r.groupTrends.flat()].map((p) => p.period))].sort((a, b) => a - b);
  const line = (name: string, pts: FunnelResult['trend'], width: number) => {
    const at = new Map(pts.map((p) => [p.period, p.rate]));
    return { type: 'line', name, data: periods.map((p) => at.get(p) ?? null), lineStyle: { width }, symbol: periods.length > 40 ? 'none' : 'circle', connectNulls: false };
  };
  // Groups first, so each takes the same palette colour as its bars in the steps chart; "All" last, in white.
  const all = { ...line('All', r.trend, 3), itemStyle: { color: '#f8fafc' }, lineStyle: { width: 3, color: '#f8fafc' }, z: 10 };
  const series = [...r.groups.slice(0, MAX_GROUP_SERIES).map((g, i) => line(groupLabel(spec, g), r.groupTrends[i], 1.5)), all];
  return {
    animation: false,
    tooltip: { trigger: 'axis', formatter: textTooltip((v) => (typeof v === 'number' ? fmtPct(v) : '–')) },
    legend: { type: 'scroll', top: 0, textStyle: { color: '#cbd5e1' } },
    grid: { left: 56, right: 16, top: 36, bottom: 40 },
    xAxis: { type: 'category', data: periods.map((p) => dateLabel(p, period)), axisLabel: AXIS },
    yAxis: { type: 'value', min: 0, axisLabel: { ...AXIS, formatter: (v: number) => fmtPct(v) }, splitLine: SPLIT },
    series,
  };
}
