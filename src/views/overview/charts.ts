// Pure builders from Overview results to ECharts options (tooltips come from the wrapper's text formatter).
import type { ChartOption } from '../../components/echarts.ts';
import { textTooltip } from '../../components/echarts.ts';
import { relativeChange, type CategoryPerformance, type ChurnBandCount, type CustomersScatter, type GeoRow, type Grain, type OverviewSpec, type RevenueOverTime, type TrafficSourceRow } from '../../analyses/overview/index.ts';
import { fmtCompact, fmtDay, fmtInt, fmtMoney, fmtMoneyAxis, fmtMonth, fmtPct } from '../../lib/format.ts';

const axis = { axisLine: { lineStyle: { color: '#334155' } }, splitLine: { lineStyle: { color: '#1e293b' } }, axisLabel: { color: '#94a3b8' } };
const BAND_COLORS = { low: '#34d399', medium: '#fbbf24', high: '#f87171' } as const;

/** Band legend text from the spec's thresholds. */
export function bandLabel(band: 'low' | 'medium' | 'high', churn: OverviewSpec['churn']): string {
  if (band === 'low') return `Low (≤ ${churn.medium} d)`;
  if (band === 'medium') return `Medium (${churn.medium + 1}–${churn.high} d)`;
  return `High (> ${churn.high} d)`;
}

function periodLabel(ms: number, grain: Grain): string {
  return grain === 'month' ? fmtMonth(ms) : grain === 'week' ? `Week of ${fmtDay(ms)}` : fmtDay(ms);
}

/** When the period starting at `start` (UTC, epoch ms) ends: the next day, week or month. */
export function periodEnd(start: number, grain: Grain): number {
  if (grain === 'day') return start + 86_400_000;
  if (grain === 'week') return start + 7 * 86_400_000;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/**
 * Whether the last period is one the data has not finished: the range's last day (`rangeEnd`, the KPIs' end of
 * range, epoch ms) is before the period's last day, so its figures are partial — marked, as Retention marks its
 * unfinished periods (whole days: data ending at 22:00 on the 31st has finished its month).
 */
export function lastPeriodPartial(r: RevenueOverTime, grain: Grain, rangeEnd: number | null): boolean {
  const last = r.buckets.at(-1);
  if (!last || rangeEnd === null) return false;
  const dayAfter = Math.floor(rangeEnd / 86_400_000) * 86_400_000 + 86_400_000;
  return dayAfter < periodEnd(last.period, grain);
}

/** The previous period's revenue series' name. */
export const PREVIOUS_SERIES = 'Revenue, previous period';

/** A relative change as text: "+12.3%", "−4%"; '' when there is nothing to compare with. */
export function changeText(change: number | null): string {
  if (change === null) return '';
  return `${change > 0 ? '+' : change < 0 ? '−' : '±'}${fmtPct(Math.abs(change))}`;
}

/**
 * Revenue (line), orders (bars, right axis) and the linear revenue trend; a partial last period is starred. For a
 * closed range, the previous period's revenue is a dotted line over the same buckets and the tooltip gives each
 * bucket's change against it.
 */
export function revenueOption(r: RevenueOverTime, grain: Grain, partialLast = false): ChartOption {
  const labels = r.buckets.map((b, i) => periodLabel(b.period, grain) + (partialLast && i === r.buckets.length - 1 ? ' *' : ''));
  const prev = r.previous ?? null;
  const tip = (v: unknown, p: { seriesName?: string; name?: string }) => {
    if (p.seriesName === 'Orders') return fmtInt(v as number);
    const money = fmtMoney(v as number);
    if (p.seriesName !== 'Revenue' || !prev) return money;
    const i = labels.indexOf(p.name ?? '');
    const change = i >= 0 ? changeText(relativeChange(r.buckets[i].revenue, prev.buckets[i]?.revenue)) : '';
    return change ? `${money} (${change} vs previous)` : money;
  };
  return {
    grid: { left: 60, right: 50, top: 30, bottom: 50 },
    legend: { top: 0, textStyle: { color: '#cbd5e1' } },
    tooltip: { trigger: 'axis', formatter: textTooltip(tip) },
    xAxis: { type: 'category', data: labels, ...axis },
    yAxis: [
      { type: 'value', name: 'Revenue', ...axis, axisLabel: { color: '#94a3b8', formatter: (v: number) => fmtMoneyAxis(v) } },
      { type: 'value', name: 'Orders', ...axis, splitLine: { show: false } },
    ],
    dataZoom: r.buckets.length > 60 ? [{ type: 'inside' }, { type: 'slider', height: 16, bottom: 8 }] : [],
    series: [
      { name: 'Orders', type: 'bar', yAxisIndex: 1, data: r.buckets.map((b) => b.orders), itemStyle: { color: '#334d7a' } },
      { name: 'Revenue', type: 'line', data: r.buckets.map((b) => b.revenue), showSymbol: r.buckets.length < 40, smooth: false, lineStyle: { width: 2 } },
      { name: 'Revenue trend', type: 'line', data: r.trend.values, showSymbol: false, lineStyle: { type: 'dashed', width: 1.5 }, itemStyle: { color: '#f472b6' } },
      ...(prev ? [{ name: PREVIOUS_SERIES, type: 'line' as const, data: prev.buckets.map((b) => b.revenue), showSymbol: false, lineStyle: { type: 'dotted' as const, width: 1.5 }, itemStyle: { color: '#94a3b8' } }] : []),
    ],
  };
}

/** Revenue per category, horizontal bars. */
export function categoryOption(rows: CategoryPerformance[]): ChartOption {
  const sorted = [...rows].reverse();
  return {
    grid: { left: 110, right: 20, top: 10, bottom: 30 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: textTooltip((v) => fmtMoney(v as number)) },
    xAxis: { type: 'value', ...axis, axisLabel: { color: '#94a3b8', formatter: (v: number) => fmtMoneyAxis(v) } },
    yAxis: { type: 'category', data: sorted.map((r) => r.category ?? 'Uncategorised'), ...axis },
    series: [{ name: 'Revenue', type: 'bar', data: sorted.map((r) => r.revenue), itemStyle: { color: '#38bdf8', borderRadius: [0, 4, 4, 0] } }],
  };
}

/** Customers per churn-risk band. */
export function churnOption(rows: ChurnBandCount[], churn: OverviewSpec['churn']): ChartOption {
  return {
    grid: { left: 50, right: 20, top: 20, bottom: 30 },
    tooltip: { trigger: 'item', formatter: textTooltip((v) => `${fmtInt(v as number)} customers`) },
    xAxis: { type: 'category', data: rows.map((r) => bandLabel(r.band, churn)), ...axis },
    yAxis: { type: 'value', ...axis },
    series: [{ name: 'Customers', type: 'bar', data: rows.map((r) => ({ value: r.customers, itemStyle: { color: BAND_COLORS[r.band], borderRadius: [4, 4, 0, 0] } })) }],
  };
}

/** Each customer's total spend against purchase count, coloured by churn band. */
export function scatterOption(s: CustomersScatter, churn: OverviewSpec['churn']): ChartOption {
  const bands = ['low', 'medium', 'high'] as const;
  return {
    grid: { left: 60, right: 20, top: 30, bottom: 40 },
    legend: { top: 0, textStyle: { color: '#cbd5e1' } },
    tooltip: {
      trigger: 'item',
      formatter: textTooltip((v) => {
        const [orders, spend] = v as [number, number];
        return `${fmtInt(orders)} orders · ${fmtMoney(spend)}`;
      }),
    },
    xAxis: { type: 'value', name: 'Orders', nameLocation: 'middle', nameGap: 26, minInterval: 1, ...axis },
    yAxis: { type: 'value', name: 'Total spend', ...axis, axisLabel: { color: '#94a3b8', formatter: (v: number) => fmtMoneyAxis(v) } },
    series: bands.map((band) => ({
      name: bandLabel(band, churn),
      type: 'scatter',
      symbolSize: 6,
      // Large mode (the points drawn as one path, not one element each): a series of a few hundred symbols drawn
      // one by one was a 50–75 ms main-thread task when the heap was busy. Clicks and tooltips still find the point.
      large: true,
      largeThreshold: 200,
      itemStyle: { color: BAND_COLORS[band], opacity: 0.7 },
      data: s.points.filter((p) => p.band === band).map((p) => [p.orders, p.spend]),
    })),
  };
}

/** Revenue by country or region. */
export function geoOption(rows: GeoRow[]): ChartOption {
  const sorted = [...rows].reverse();
  return {
    grid: { left: 120, right: 20, top: 10, bottom: 30 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: textTooltip((v) => fmtMoney(v as number)) },
    xAxis: { type: 'value', ...axis, axisLabel: { color: '#94a3b8', formatter: (v: number) => fmtMoneyAxis(v) } },
    yAxis: { type: 'category', data: sorted.map((r) => (r.isOther ? 'Other' : (r.place ?? 'Unknown'))), ...axis },
    series: [{ name: 'Revenue', type: 'bar', data: sorted.map((r) => r.revenue), itemStyle: { color: '#818cf8', borderRadius: [0, 4, 4, 0] } }],
  };
}

/** Sessions and conversion per traffic source. */
export function trafficOption(rows: TrafficSourceRow[]): ChartOption {
  const top = rows.slice(0, 12);
  const name = (r: TrafficSourceRow) => `${r.source ?? '(none)'} / ${r.medium ?? '(none)'}`;
  return {
    grid: { left: 60, right: 60, top: 30, bottom: 90 },
    legend: { top: 0, textStyle: { color: '#cbd5e1' } },
    tooltip: { trigger: 'axis', formatter: textTooltip((v, p) => (p.seriesName === 'Conversion' ? fmtPct(v as number) : fmtInt(v as number))) },
    xAxis: { type: 'category', data: top.map(name), ...axis, axisLabel: { color: '#94a3b8', rotate: 35, interval: 0 } },
    yAxis: [
      { type: 'value', name: 'Sessions', ...axis },
      { type: 'value', name: 'Conversion', ...axis, splitLine: { show: false }, axisLabel: { color: '#94a3b8', formatter: (v: number) => fmtPct(v) } },
    ],
    series: [
      { name: 'Sessions', type: 'bar', data: top.map((r) => r.sessions), itemStyle: { color: '#334d7a' } },
      { name: 'Conversion', type: 'line', yAxisIndex: 1, data: top.map((r) => r.conversion), itemStyle: { color: '#34d399' } },
    ],
  };
}
