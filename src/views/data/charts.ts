// ECharts options for a column profile: the histogram (numbers, dates) and the top values (any type).
import type { ChartOption } from '../../components/echarts.ts';
import { textTooltip } from '../../components/echarts.ts';
import type { ColumnKind, DateGrain, Histogram, TopValue } from '../../analyses/profile/index.ts';
import { fmtCompact, fmtDay, fmtExact, fmtInt, fmtMonth } from '../../lib/format.ts';
import { fmtTopValue } from './values.ts';

const axis = { axisLine: { lineStyle: { color: '#334155' } }, splitLine: { lineStyle: { color: '#1e293b' } }, axisLabel: { color: '#94a3b8' } };

function bucketLabel(ms: number, grain: DateGrain): string {
  if (grain === 'year') return String(new Date(ms).getUTCFullYear());
  if (grain === 'month') return fmtMonth(ms);
  return grain === 'week' ? `Week of ${fmtDay(ms)}` : fmtDay(ms);
}

/** Bars per bin; the axis shows each bin's start, the tooltip its full range and count. */
export function histogramOption(h: Histogram): ChartOption {
  const full = h.bins.map((b) => (h.type === 'date' ? bucketLabel(b.lo, h.grain) : `${fmtExact(b.lo)} – ${fmtExact(b.hi)}`));
  const short = h.bins.map((b) => (h.type === 'date' ? (h.grain === 'day' || h.grain === 'week' ? fmtDay(b.lo) : bucketLabel(b.lo, h.grain)) : fmtCompact(b.lo)));
  return {
    grid: { left: 50, right: 16, top: 14, bottom: 40 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: textTooltip((v) => `${fmtInt(v as number)} rows`) },
    xAxis: { type: 'category', data: full, ...axis, axisLabel: { color: '#94a3b8', hideOverlap: true, formatter: (_: string, i: number) => short[i] ?? '' } },
    yAxis: { type: 'value', minInterval: 1, ...axis, axisLabel: { color: '#94a3b8', formatter: (v: number) => fmtCompact(v) } },
    series: [{ name: 'Rows', type: 'bar', barCategoryGap: '8%', data: h.bins.map((b) => b.count), itemStyle: { color: '#38bdf8', borderRadius: [3, 3, 0, 0] } }],
  };
}

/** Horizontal bars for the most frequent values, most frequent on top. */
export function topValuesOption(top: TopValue[], kind: ColumnKind): ChartOption {
  const rows = [...top].reverse();
  return {
    grid: { left: 16, right: 24, top: 8, bottom: 24, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: textTooltip((v) => `${fmtInt(v as number)} rows`) },
    xAxis: { type: 'value', minInterval: 1, ...axis, axisLabel: { color: '#94a3b8', formatter: (v: number) => fmtCompact(v) } },
    yAxis: { type: 'category', data: rows.map((t) => fmtTopValue(t, kind)), ...axis, axisLabel: { color: '#94a3b8', width: 140, overflow: 'truncate' } },
    series: [{ name: 'Rows', type: 'bar', data: rows.map((t) => t.count), itemStyle: { color: '#818cf8', borderRadius: [0, 3, 3, 0] } }],
  };
}
