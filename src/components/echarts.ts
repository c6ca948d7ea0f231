// ECharts, tree-shaken to what Strata draws, with a theme and a tooltip built from text nodes (never data as HTML).
import * as echarts from 'echarts/core';
import { BarChart, LineChart, ScatterChart, PieChart, HeatmapChart, SankeyChart, BoxplotChart } from 'echarts/charts';
import {
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomComponent,
  VisualMapComponent,
  TitleComponent,
  MarkLineComponent,
  AriaComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { fmtDec } from '../lib/format.ts';

echarts.use([
  BarChart,
  LineChart,
  ScatterChart,
  PieChart,
  HeatmapChart,
  SankeyChart,
  BoxplotChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomComponent,
  VisualMapComponent,
  TitleComponent,
  MarkLineComponent,
  AriaComponent,
  CanvasRenderer,
]);

export { echarts };
/** The option object a chart takes. */
export type ChartOption = echarts.EChartsCoreOption;

/** The palette every chart uses, so a category keeps its colour across panels. */
export const PALETTE = ['#38bdf8', '#818cf8', '#f472b6', '#34d399', '#fbbf24', '#f87171', '#a78bfa', '#2dd4bf', '#fb923c', '#94a3b8'];

interface TipParam {
  marker?: unknown;
  color?: unknown;
  seriesName?: string;
  seriesIndex?: number;
  name?: string;
  axisValueLabel?: string;
  value?: unknown;
  data?: unknown;
}

/** Format one tooltip value as text. */
export type ValueFormatter = (value: unknown, p: TipParam) => string;

const defaultValue: ValueFormatter = (v) => {
  const x = Array.isArray(v) ? v[v.length - 1] : v;
  return typeof x === 'number' ? fmtDec(x) : String(x ?? '');
};

/** A tooltip formatter that builds DOM with textContent: data can never inject markup. */
export function textTooltip(format: ValueFormatter = defaultValue) {
  return (raw: TipParam | TipParam[]): HTMLElement => {
    const items = Array.isArray(raw) ? raw : [raw];
    const box = document.createElement('div');
    box.className = 'tip';
    const title = items[0]?.axisValueLabel ?? (Array.isArray(raw) ? '' : (items[0]?.name ?? ''));
    if (title) {
      const t = document.createElement('div');
      t.className = 'tip-title';
      t.textContent = title;
      box.append(t);
    }
    for (const p of items) {
      const row = document.createElement('div');
      row.className = 'tip-row';
      const dot = document.createElement('span');
      dot.className = 'tip-dot';
      if (typeof p.color === 'string') dot.style.background = p.color;
      const label = document.createElement('span');
      label.textContent = p.seriesName ?? '';
      const val = document.createElement('b');
      val.textContent = format(p.value, p);
      row.append(dot, label, val);
      box.append(row);
    }
    return box;
  };
}
