// Pure builders from prediction results to ECharts options (text tooltips from the wrapper; names are data).
import type { ChartOption } from '../../components/echarts.ts';
import { PALETTE, textTooltip } from '../../components/echarts.ts';
import type { CalibrationBin, LiftRow } from '../../ml/classify-metrics.ts';
import { fmtDec, fmtPct } from '../../lib/format.ts';

const axis = { axisLine: { lineStyle: { color: '#334155' } }, splitLine: { lineStyle: { color: '#1e293b' } }, axisLabel: { color: '#94a3b8' } };

/** Calibration: observed churn rate against the mean predicted probability per bin, forest and baseline, and the diagonal. */
export function calibrationOption(forest: readonly CalibrationBin[], logistic: readonly CalibrationBin[]): ChartOption {
  const pts = (b: readonly CalibrationBin[]) => b.map((x) => [x.meanPredicted, x.observedRate, x.count]);
  return {
    grid: { left: 55, right: 20, top: 35, bottom: 45 },
    legend: { top: 0, textStyle: { color: '#cbd5e1' } },
    tooltip: { trigger: 'item', formatter: textTooltip((v) => { const a = v as number[]; return `predicted ${fmtPct(a[0])}, observed ${fmtPct(a[1])} (${a[2]} users)`; }) },
    xAxis: { type: 'value', min: 0, max: 1, name: 'Mean predicted probability', nameLocation: 'middle', nameGap: 28, ...axis },
    yAxis: { type: 'value', min: 0, max: 1, name: 'Observed churn rate', nameLocation: 'middle', nameGap: 38, ...axis },
    series: [
      { name: 'Perfect calibration', type: 'line', data: [[0, 0], [1, 1]], symbol: 'none', lineStyle: { type: 'dashed', color: '#475569' }, tooltip: { show: false } },
      { name: 'Random forest', type: 'line', data: pts(forest), symbolSize: 7, itemStyle: { color: '#38bdf8' } },
      { name: 'Logistic baseline', type: 'line', data: pts(logistic), symbolSize: 7, itemStyle: { color: '#f472b6' } },
    ],
  };
}

/** Lift by decile (highest predicted risk first). */
export function liftOption(lift: readonly LiftRow[]): ChartOption {
  return {
    grid: { left: 50, right: 20, top: 15, bottom: 45 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: textTooltip((v) => `lift ${fmtDec(v as number)}`) },
    xAxis: { type: 'category', data: lift.map((l) => `${l.decile}`), name: 'Decile of predicted risk (1 = highest)', nameLocation: 'middle', nameGap: 28, ...axis },
    yAxis: { type: 'value', name: 'Lift', ...axis },
    series: [{ name: 'Lift', type: 'bar', data: lift.map((l) => l.lift), itemStyle: { color: '#818cf8' } }],
  };
}

/** Feature importance (bars, largest on top). */
export function importanceBars(names: readonly string[], score: ArrayLike<number>, color = '#34d399'): ChartOption {
  const order = [...names.keys()].sort((a, b) => score[a] - score[b]);
  return {
    grid: { left: 230, right: 30, top: 10, bottom: 30 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: textTooltip((v) => fmtPct(v as number)) },
    xAxis: { type: 'value', ...axis, axisLabel: { color: '#94a3b8', formatter: (v: number) => fmtPct(v) } },
    yAxis: { type: 'category', data: order.map((j) => names[j]), ...axis, axisLabel: { color: '#cbd5e1', width: 220, overflow: 'truncate' } },
    series: [{ name: 'Importance', type: 'bar', data: order.map((j) => score[j]), itemStyle: { color } }],
  };
}

/** LTV vs churn risk per segment: x = mean churn probability, y = mean predicted CLV, bubble area ∝ users. */
export function bubbleOption(rows: readonly { segment: string; churn: number; clv: number; users: number }[]): ChartOption {
  const max = Math.max(1, ...rows.map((r) => r.users));
  return {
    grid: { left: 70, right: 30, top: 40, bottom: 45 },
    tooltip: { trigger: 'item', formatter: textTooltip((v) => { const a = v as number[]; return `churn ${fmtPct(a[0])}, CLV ${fmtDec(a[1])}, ${a[2]} users`; }) },
    xAxis: { type: 'value', min: 0, max: 1, name: 'Mean churn probability', nameLocation: 'middle', nameGap: 28, ...axis, axisLabel: { color: '#94a3b8', formatter: (v: number) => fmtPct(v) } },
    yAxis: { type: 'value', name: 'Mean predicted CLV', nameLocation: 'middle', nameGap: 52, ...axis },
    series: rows.map((r, i) => ({
      name: r.segment, type: 'scatter', data: [[r.churn, r.clv, r.users]],
      symbolSize: 8 + 50 * Math.sqrt(r.users / max), itemStyle: { color: PALETTE[i % PALETTE.length], opacity: 0.75 },
      label: { show: true, formatter: r.segment, position: 'top', color: '#cbd5e1', fontSize: 11 },
    })),
  };
}
