// Pure builders from segment results to ECharts options (tooltips come from the wrapper's text formatter, so a
// segment name from the data is never markup).
import type { ChartOption } from '../../components/echarts.ts';
import { textTooltip } from '../../components/echarts.ts';
import type { RfmGridCell } from '../../analyses/rfm/index.ts';
import { fmtInt, fmtMoney, fmtPct } from '../../lib/format.ts';

const axis = { axisLine: { lineStyle: { color: '#334155' } }, splitLine: { lineStyle: { color: '#1e293b' } }, axisLabel: { color: '#94a3b8' } };

/** One segment's size and revenue as the charts read them. */
export interface SegmentShare {
  label: string;
  users: number;
  revenue: number;
}

/**
 * Segment sizes beside revenue contribution: for each segment its share of users and its share of revenue, as
 * two horizontal bars (a segment whose revenue bar outgrows its users bar is worth more than its size).
 */
export function sharesOption(rows: readonly SegmentShare[]): ChartOption {
  const users = rows.reduce((s, r) => s + r.users, 0) || 1;
  const revenue = rows.reduce((s, r) => s + r.revenue, 0) || 1;
  const order = [...rows].reverse();
  return {
    grid: { left: 150, right: 30, top: 30, bottom: 30 },
    legend: { top: 0, textStyle: { color: '#cbd5e1' } },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: textTooltip((v) => fmtPct(v as number)) },
    xAxis: { type: 'value', max: 1, ...axis, axisLabel: { color: '#94a3b8', formatter: (v: number) => fmtPct(v) } },
    yAxis: { type: 'category', data: order.map((r) => r.label), ...axis, axisLabel: { color: '#cbd5e1', width: 140, overflow: 'truncate' } },
    series: [
      { name: 'Share of users', type: 'bar', data: order.map((r) => r.users / users), itemStyle: { color: '#38bdf8' } },
      { name: 'Share of revenue', type: 'bar', data: order.map((r) => r.revenue / revenue), itemStyle: { color: '#34d399' } },
    ],
  };
}

/**
 * The RFM grid: recency score across, frequency score up, one bubble per cell sized by its buyers and coloured by
 * their mean revenue (monetary). Empty cells draw nothing.
 */
export function rfmGridOption(cells: readonly RfmGridCell[]): ChartOption {
  const filled = cells.filter((c) => c.users > 0);
  const maxUsers = Math.max(1, ...filled.map((c) => c.users));
  const monetary = filled.map((c) => c.monetary ?? 0);
  const lo = Math.min(...monetary, 0);
  const hi = Math.max(...monetary, 1);
  return {
    grid: { left: 60, right: 90, top: 20, bottom: 50 },
    tooltip: {
      trigger: 'item',
      formatter: textTooltip((v) => {
        const [r, f, users, m] = v as number[];
        return `R${r} F${f}: ${fmtInt(users)} buyers · ${fmtMoney(m)} average revenue`;
      }),
    },
    xAxis: { type: 'value', name: 'Recency score (5 = most recent)', nameLocation: 'middle', nameGap: 30, min: 0.5, max: 5.5, interval: 1, ...axis, axisLabel: { color: '#94a3b8', formatter: (v: number) => (Number.isInteger(v) ? String(v) : '') } },
    yAxis: { type: 'value', name: 'Frequency score', nameLocation: 'middle', nameGap: 35, min: 0.5, max: 5.5, interval: 1, ...axis, axisLabel: { color: '#94a3b8', formatter: (v: number) => (Number.isInteger(v) ? String(v) : '') } },
    visualMap: { dimension: 3, min: lo, max: hi, calculable: true, right: 0, top: 'middle', itemHeight: 140, text: ['High M', 'Low M'], textStyle: { color: '#94a3b8' }, inRange: { color: ['#1e3a5f', '#38bdf8', '#34d399', '#fbbf24'] } },
    series: [{
      name: 'Buyers',
      type: 'scatter',
      data: filled.map((c) => [c.r, c.f, c.users, c.monetary ?? 0]),
      symbolSize: (v: number[]) => 8 + 52 * Math.sqrt(v[2] / maxUsers),
    }],
  };
}
