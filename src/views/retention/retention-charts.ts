// Retention curves, LTV curves and the lifecycle chart (ECharts options; labels are text drawn on canvas).
import type { ChartOption } from '../../components/echarts.ts';
import { textTooltip } from '../../components/echarts.ts';
import type { CohortPeriod, CohortResult, LifecyclePeriod } from '../../analyses/cohort/index.ts';
import { dateLabel } from '../../analyses/pivot/buckets.ts';
import { fmtInt, fmtMoney2, fmtPct } from '../../lib/format.ts';

const AXIS = { color: '#94a3b8' };
const MAX_LINES = 24;

/** One line per cohort (observed periods only) plus the average in bold; `ltv` draws cumulative revenue per user. */
export function curvesOption(r: CohortResult, period: CohortPeriod, ltv: boolean, compare?: CohortResult | null): ChartOption {
  const k = r.average.map((a) => String(a.k));
  const fmt = (v: unknown) => (typeof v === 'number' ? (ltv ? fmtMoney2(v) : fmtPct(v)) : '–');
  const cohorts = r.cohorts.slice(-MAX_LINES).map((c) => ({
    type: 'line',
    name: dateLabel(c.start, period),
    data: c.cells.map((x) => (x.observed ? (ltv ? x.cumulativePerMember : x.rate) : null)),
    lineStyle: { width: 1, opacity: 0.45 },
    symbol: 'none',
    emphasis: { focus: 'series' },
  }));
  const avg = (res: CohortResult, name: string, color: string) => ({
    type: 'line',
    name,
    data: res.average.map((a) => (ltv ? a.cumulativePerMember : a.rate)),
    lineStyle: { width: 3, color },
    itemStyle: { color },
    z: 10,
  });
  const series = [...cohorts, avg(r, compare ? 'Average (group A)' : 'Average', '#f8fafc'), ...(compare ? [avg(compare, 'Average (group B)', '#fbbf24')] : [])];
  return {
    animation: false,
    tooltip: { trigger: 'axis', formatter: textTooltip(fmt) },
    legend: { type: 'scroll', top: 0, textStyle: { color: '#cbd5e1' } },
    grid: { left: 60, right: 16, top: 36, bottom: 30 },
    xAxis: { type: 'category', data: k, name: period, nameLocation: 'middle', nameGap: 22, axisLabel: AXIS },
    yAxis: { type: 'value', axisLabel: { ...AXIS, formatter: (v: number) => fmt(v) }, splitLine: { lineStyle: { color: '#1e293b' } }, ...(ltv ? {} : { max: 1 }) },
    series,
  };
}

/** New, returning and resurrecting users stacked up; dormant users stacked down. */
export function lifecycleOption(periods: LifecyclePeriod[], period: CohortPeriod): ChartOption {
  const x = periods.map((p) => dateLabel(p.start, period));
  const bar = (name: string, data: number[], color: string) => ({ type: 'bar', name, stack: 'life', data, itemStyle: { color } });
  return {
    animation: false,
    tooltip: { trigger: 'axis', formatter: textTooltip((v) => (typeof v === 'number' ? fmtInt(Math.abs(v)) : '')) },
    legend: { top: 0, textStyle: { color: '#cbd5e1' } },
    grid: { left: 60, right: 16, top: 36, bottom: 50 },
    xAxis: { type: 'category', data: x, axisLabel: { ...AXIS, rotate: x.length > 12 ? 30 : 0 } },
    yAxis: { type: 'value', axisLabel: { ...AXIS, formatter: (v: number) => fmtInt(Math.abs(v)) }, splitLine: { lineStyle: { color: '#1e293b' } } },
    series: [
      bar('New', periods.map((p) => p.new), '#34d399'),
      bar('Returning', periods.map((p) => p.returning), '#38bdf8'),
      bar('Resurrecting', periods.map((p) => p.resurrecting), '#a78bfa'),
      bar('Dormant', periods.map((p) => (p.dormant ? -p.dormant : 0)), '#f87171'),
    ],
  };
}

/** One average curve per value of the split column. */
export function splitOption(split: { value: string; result: CohortResult }[], period: CohortPeriod): ChartOption {
  const width = Math.max(0, ...split.map((s) => s.result.average.length));
  return {
    animation: false,
    tooltip: { trigger: 'axis', formatter: textTooltip((v) => (typeof v === 'number' ? fmtPct(v) : '–')) },
    legend: { type: 'scroll', top: 0, textStyle: { color: '#cbd5e1' } },
    grid: { left: 60, right: 16, top: 36, bottom: 30 },
    xAxis: { type: 'category', data: Array.from({ length: width }, (_, k) => String(k)), name: period, nameLocation: 'middle', nameGap: 22, axisLabel: AXIS },
    yAxis: { type: 'value', max: 1, axisLabel: { ...AXIS, formatter: (v: number) => fmtPct(v) }, splitLine: { lineStyle: { color: '#1e293b' } } },
    series: split.map((s) => ({ type: 'line', name: s.value, data: s.result.average.map((a) => a.rate) })),
  };
}
