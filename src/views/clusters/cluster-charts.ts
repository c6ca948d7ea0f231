// Pure builders from a clustering run to ECharts options (text tooltips from the wrapper; names are data).
import type { ChartOption } from '../../components/echarts.ts';
import { PALETTE, textTooltip } from '../../components/echarts.ts';
import type { ClusterRun } from '../../ml/pipeline.ts';
import type { KScore } from '../../ml/choose-k.ts';
import { fmtDec, fmtInt, fmtPct } from '../../lib/format.ts';

const axis = { axisLine: { lineStyle: { color: '#334155' } }, splitLine: { lineStyle: { color: '#1e293b' } }, axisLabel: { color: '#94a3b8' } };

/** The PCA scatter: one series per cluster (noise grey), at most the run's sample. */
export function pcaOption(r: ClusterRun, names: readonly string[]): ChartOption {
  const series = [];
  for (let c = -1; c < r.k; c++) {
    const data: [number, number][] = [];
    for (let i = 0; i < r.pca.labels.length; i++) if (r.pca.labels[i] === c) data.push([r.pca.x[i], r.pca.y[i]]);
    if (!data.length) continue;
    series.push({ name: c < 0 ? 'Noise' : names[c], type: 'scatter', data, symbolSize: 4, large: data.length > 500, largeThreshold: 500, animation: false, itemStyle: { color: c < 0 ? '#475569' : PALETTE[c % PALETTE.length], opacity: 0.7 } });
  }
  return {
    grid: { left: 50, right: 20, top: 40, bottom: 45 },
    // A scrolling legend only when the names may not fit: its page buttons cost ~9 ms of the chart's first draw.
    legend: { top: 0, textStyle: { color: '#cbd5e1' }, type: series.length > 8 ? 'scroll' : 'plain' },
    tooltip: { trigger: 'item', formatter: textTooltip((v) => (v as number[]).map((x) => fmtDec(x)).join(', ')) },
    xAxis: { type: 'value', name: `PC1 (${fmtPct(r.pca.ratio[0])} of variance)`, nameLocation: 'middle', nameGap: 28, scale: true, ...axis },
    yAxis: { type: 'value', name: `PC2 (${fmtPct(r.pca.ratio[1])})`, nameLocation: 'middle', nameGap: 35, scale: true, ...axis },
    series,
  };
}

/** The centroid heat map: clusters down, features across, each cell the cluster's mean z-score. */
export function zscoreOption(r: ClusterRun, names: readonly string[]): ChartOption {
  const data: [number, number, number][] = [];
  let max = 0.5;
  for (let c = 0; c < r.k; c++) {
    for (let j = 0; j < r.features.length; j++) {
      const z = r.zscores.data[c * r.features.length + j];
      max = Math.max(max, Math.abs(z));
      data.push([j, c, Math.round(z * 100) / 100]);
    }
  }
  return {
    grid: { left: 170, right: 80, top: 10, bottom: 90 },
    tooltip: { trigger: 'item', formatter: textTooltip((v) => `z = ${fmtDec((v as number[])[2])}`) },
    xAxis: { type: 'category', data: r.features, ...axis, axisLabel: { color: '#94a3b8', rotate: 35, width: 110, overflow: 'truncate' } },
    yAxis: { type: 'category', data: names.slice(0, r.k), ...axis, axisLabel: { color: '#cbd5e1', width: 160, overflow: 'truncate' } },
    visualMap: { min: -max, max, calculable: false, orient: 'vertical', right: 0, top: 'middle', itemHeight: 120, textStyle: { color: '#94a3b8' }, inRange: { color: ['#f87171', '#1e293b', '#34d399'] } },
    series: [{ name: 'Mean z-score', type: 'heatmap', data, label: { show: r.features.length <= 12, color: '#e2e8f0', fontSize: 11 } }],
  };
}

/** Feature importance, most important on top. */
export function importanceOption(r: ClusterRun): ChartOption {
  const order = [...r.features.keys()].sort((a, b) => r.importance.score[a] - r.importance.score[b]);
  return {
    grid: { left: 170, right: 30, top: 10, bottom: 30 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: textTooltip((v) => fmtPct(v as number)) },
    xAxis: { type: 'value', ...axis, axisLabel: { color: '#94a3b8', formatter: (v: number) => fmtPct(v) } },
    yAxis: { type: 'category', data: order.map((j) => r.features[j]), ...axis, axisLabel: { color: '#cbd5e1', width: 160, overflow: 'truncate' } },
    series: [{ name: 'Importance', type: 'bar', data: order.map((j) => r.importance.score[j]), itemStyle: { color: '#818cf8' } }],
  };
}

/** Cluster sizes. */
export function sizesOption(r: ClusterRun, names: readonly string[]): ChartOption {
  const labels = [...names.slice(0, r.k), ...(r.noise ? ['Noise'] : [])];
  const values = [...r.sizes, ...(r.noise ? [r.noise] : [])];
  return {
    grid: { left: 170, right: 30, top: 10, bottom: 30 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: textTooltip((v) => `${fmtInt(v as number)} users`) },
    xAxis: { type: 'value', ...axis },
    yAxis: { type: 'category', data: labels, inverse: true, ...axis, axisLabel: { color: '#cbd5e1', width: 160, overflow: 'truncate' } },
    series: [{ name: 'Users', type: 'bar', data: values.map((v, i) => ({ value: v, itemStyle: { color: i < r.k ? PALETTE[i % PALETTE.length] : '#475569' } })) }],
  };
}

/** The k scan: inertia (elbow) and silhouette per k. */
export function scanOption(scores: readonly KScore[], chosen: number): ChartOption {
  return {
    grid: { left: 60, right: 60, top: 40, bottom: 35 },
    legend: { top: 0, textStyle: { color: '#cbd5e1' } },
    tooltip: { trigger: 'axis', formatter: textTooltip((v) => fmtDec(v as number)) },
    xAxis: { type: 'category', data: scores.map((s) => String(s.k)), name: 'k', ...axis },
    yAxis: [{ type: 'value', name: 'Inertia', ...axis }, { type: 'value', name: 'Silhouette', ...axis, splitLine: { show: false } }],
    series: [
      { name: 'Inertia', type: 'line', data: scores.map((s) => s.inertia) },
      { name: 'Silhouette', type: 'line', yAxisIndex: 1, data: scores.map((s) => s.silhouette), markLine: { silent: true, symbol: 'none', data: [{ xAxis: String(chosen) }], lineStyle: { color: '#fbbf24' } } },
    ],
  };
}

/** One feature's distribution per cluster (values as read): a box plot of min, quartiles and max. */
export function distributionOption(r: ClusterRun, names: readonly string[], feature: number): ChartOption {
  const groups = r.distributions.byFeature[feature]?.groups ?? [];
  const labels = groups.map((_, g) => (g < r.k ? names[g] : 'Noise'));
  return {
    grid: { left: 170, right: 30, top: 10, bottom: 30 },
    tooltip: {
      trigger: 'item',
      formatter: textTooltip((v) => {
        const five = (v as number[]).slice(-5);
        return `min ${fmtDec(five[0])} · Q1 ${fmtDec(five[1])} · median ${fmtDec(five[2])} · Q3 ${fmtDec(five[3])} · max ${fmtDec(five[4])}`;
      }),
    },
    xAxis: { type: 'value', name: r.distributions.features[feature], nameLocation: 'middle', nameGap: 22, scale: true, ...axis },
    yAxis: { type: 'category', data: labels, inverse: true, ...axis, axisLabel: { color: '#cbd5e1', width: 160, overflow: 'truncate' } },
    series: [{
      name: r.distributions.features[feature], type: 'boxplot',
      data: groups.map((f, g) => ({ value: f ?? [], itemStyle: { color: '#0f172a', borderColor: g < r.k ? PALETTE[g % PALETTE.length] : '#475569' } })),
    }],
  };
}

/** DBSCAN's k-distance curve (sorted distance to the k-th neighbour) with the suggested eps. */
export function kDistanceOption(distances: Float64Array, eps: number, k: number): ChartOption {
  const step = Math.max(1, Math.floor(distances.length / 2000));
  const data: [number, number][] = [];
  for (let i = 0; i < distances.length; i += step) data.push([i, distances[i]]);
  return {
    grid: { left: 60, right: 20, top: 20, bottom: 40 },
    tooltip: { trigger: 'axis', formatter: textTooltip((v) => fmtDec((v as number[])[1])) },
    xAxis: { type: 'value', name: 'users, sorted', nameLocation: 'middle', nameGap: 25, ...axis },
    yAxis: { type: 'value', name: `distance to neighbour ${k}`, ...axis },
    series: [{
      name: 'k-distance', type: 'line', showSymbol: false, data, lineStyle: { color: '#818cf8' },
      markLine: { silent: true, symbol: 'none', data: [{ yAxis: eps }], lineStyle: { color: '#fbbf24' }, label: { formatter: `eps ≈ ${fmtDec(eps)}`, color: '#fbbf24' } },
    }],
  };
}
