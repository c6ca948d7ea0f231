// The chart in step with the pivot table: leaf rows on the axis, column leaves (or measures) as series.
import type { ChartOption } from '../../components/echarts.ts';
import { textTooltip } from '../../components/echarts.ts';
import { layoutCols, leafRows, type ChartKind, type PivotResult, type PivotSort, type ValueKind } from '../../analyses/pivot/index.ts';
import { fmtValue } from './format-value.ts';

/** At most this many categories are charted (the table shows everything). */
export const CHART_MAX_CATEGORIES = 60;
const MAX_SERIES = 20;

/** Series data for the chart; categories are leaf row paths joined with " / ". */
export function chartData(res: PivotResult, sort: PivotSort | null, measure = 0) {
  const rows = res.rowDims ? leafRows(res, sort).slice(0, CHART_MAX_CATEGORIES) : [{ keys: [], path: ['Total'] }];
  const categories = rows.map((r) => r.path.join(' / '));
  const { cols } = layoutCols(res);
  // One series per column leaf of the charted measure (one series in all without column dimensions).
  const m = Math.min(measure, res.measures.length - 1);
  const series = cols.filter((c) => c.isLeaf && c.measure === m).slice(0, MAX_SERIES);
  return {
    categories,
    series: series.map((c) => ({
      name: res.colDims ? c.path.join(' / ') : res.measures[c.measure].title,
      kind: res.measures[c.measure].kind,
      data: rows.map((r) => res.value(r.keys, c.keys, c.measure) ?? null),
    })),
    truncatedRows: res.rowDims ? leafRows(res, sort).length > CHART_MAX_CATEGORIES : false,
  };
}

/** The ECharts option for a chart kind. */
export function pivotChartOption(res: PivotResult, sort: PivotSort | null, kind: ChartKind, measure = 0): ChartOption {
  const d = chartData(res, sort, measure);
  const valueKind: ValueKind = d.series[0]?.kind ?? 'number';
  const fmt = (v: unknown) => fmtValue(typeof v === 'number' ? v : Array.isArray(v) && typeof v[2] === 'number' ? v[2] : null, valueKind);
  if (kind === 'heatmap') {
    const points = d.series.flatMap((s, x) => s.data.map((v, y) => ({ name: `${d.categories[y]} · ${s.name}`, value: [x, y, v] })));
    const values = points.map((p) => p.value[2]).filter((v): v is number => typeof v === 'number');
    return {
      animation: false,
      tooltip: { formatter: textTooltip((v) => fmt(v)) },
      grid: { left: 140, right: 20, top: 10, bottom: 70 },
      xAxis: { type: 'category', data: d.series.map((s) => s.name), axisLabel: { rotate: 30, color: '#94a3b8' } },
      yAxis: { type: 'category', data: d.categories, inverse: true, axisLabel: { color: '#94a3b8', width: 130, overflow: 'truncate' } },
      visualMap: { min: Math.min(0, ...values), max: Math.max(1, ...values), calculable: false, show: false, inRange: { color: ['#0f172a', '#0ea5e9', '#f0f9ff'] } },
      series: [{ type: 'heatmap', name: d.series[0]?.name ?? '', data: points, label: { show: points.length <= 120, formatter: (p: { value: unknown }) => fmt(p.value), color: '#0f172a', fontSize: 11 } }],
    };
  }
  return {
    animation: false, // a pivot redraws on every change; animating each one costs main-thread time
    tooltip: { trigger: 'axis', formatter: textTooltip((v, p) => fmtValue(typeof v === 'number' ? v : null, d.series[p.seriesIndex ?? 0]?.kind ?? valueKind)) },
    legend: { show: res.colDims > 0 && d.series.length > 1, type: 'scroll', textStyle: { color: '#cbd5e1' }, top: 0 },
    grid: { left: 70, right: 20, top: res.colDims > 0 && d.series.length > 1 ? 36 : 12, bottom: 80 },
    xAxis: { type: 'category', data: d.categories, axisLabel: { rotate: d.categories.length > 6 ? 30 : 0, color: '#94a3b8', width: 120, overflow: 'truncate' } },
    yAxis: { type: 'value', axisLabel: { color: '#94a3b8', formatter: (v: number) => fmtValue(v, valueKind) }, splitLine: { lineStyle: { color: '#1e293b' } } },
    series: d.series.map((s) => ({
      type: kind === 'line' ? 'line' : 'bar',
      name: s.name,
      data: s.data,
      stack: kind === 'stacked' ? 'all' : undefined,
      smooth: false,
      connectNulls: false,
    })),
  };
}
