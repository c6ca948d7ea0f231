// A chart's data as a table: the text alternative every chart offers (keyboard and screen-reader users, and anyone
// who wants the exact figures). Built from the ECharts option itself, so the table is exactly what is drawn.
//   bar / line over a category axis  -> one row per category, one column per series
//   pie                              -> one row per slice (name, value)
//   scatter / line over value axes   -> one row per point (series, x, y), at most MAX_ROWS
//   heatmap over two category axes   -> one row per cell (x, y, value)
// Anything else (a Sankey: the Journeys screen lists its moves in a table of its own) has no table: null.
import type { ChartOption } from './echarts.ts';

/** Rows shown at most (a scatter can hold thousands of points). */
export const MAX_ROWS = 500;

export interface ChartTable {
  columns: string[];
  rows: string[][];
  /** Points left out past MAX_ROWS. */
  omitted: number;
}

type Obj = Record<string, unknown>;
const asArray = (x: unknown): unknown[] => (Array.isArray(x) ? x : x === undefined || x === null ? [] : [x]);
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A cell's text: numbers with at most 2 decimals (grouped), text as it is, missing as an empty cell. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined || v === '-') return '';
  if (typeof v === 'number') return Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: 2 }) : '';
  return String(v);
}

/** The value a series datum holds (a number, { value }, or [x, y] where the category is x). */
function datumValue(d: unknown): unknown {
  if (isObj(d)) return datumValue(d.value);
  if (Array.isArray(d)) return d[d.length - 1];
  return d;
}

/** The category axis's labels, when one of the axes is a category axis with data. */
function categoryAxis(o: Obj): { labels: unknown[]; title: string } | null {
  for (const key of ['xAxis', 'yAxis']) {
    const axis = asArray(o[key])[0];
    if (isObj(axis) && axis.type === 'category' && Array.isArray(axis.data)) {
      return { labels: axis.data.map((l) => (isObj(l) ? l.value : l)), title: typeof axis.name === 'string' && axis.name ? axis.name : 'Category' };
    }
  }
  return null;
}

/** Whether `chartTable` can read this kind of chart (a cheap check on the series types, for showing the button). */
export function hasTable(option: ChartOption): boolean {
  const types = asArray((option as Obj).series).filter(isObj).map((s) => String(s.type ?? ''));
  return types.length > 0 && types.every((t) => ['bar', 'line', 'pie', 'heatmap', 'scatter', 'effectScatter'].includes(t));
}

/** The chart's data as rows and columns of text, or null when this kind of chart has no tabular reading. */
export function chartTable(option: ChartOption): ChartTable | null {
  const o = option as Obj;
  const series = asArray(o.series).filter(isObj);
  if (!series.length) return null;
  const types = new Set(series.map((s) => String(s.type ?? '')));
  const name = (s: Obj, i: number) => (typeof s.name === 'string' && s.name ? s.name : `Series ${i + 1}`);

  if (types.size === 1 && types.has('pie')) {
    const rows = series.flatMap((s) => asArray(s.data).filter(isObj).map((d) => [cellText(d.name), cellText(datumValue(d))]));
    return { columns: ['Name', 'Value'], rows, omitted: 0 };
  }
  if (types.size === 1 && types.has('heatmap')) {
    const xs = asArray(asArray(o.xAxis)[0] && (asArray(o.xAxis)[0] as Obj).data);
    const ys = asArray(asArray(o.yAxis)[0] && (asArray(o.yAxis)[0] as Obj).data);
    const rows: string[][] = [];
    for (const d of asArray(series[0].data)) {
      const v = isObj(d) ? d.value : d;
      if (!Array.isArray(v)) continue;
      const [x, y, z] = v as unknown[];
      rows.push([cellText(typeof x === 'number' && xs.length ? xs[x] : x), cellText(typeof y === 'number' && ys.length ? ys[y] : y), cellText(z)]);
    }
    return { columns: ['Column', 'Row', 'Value'], rows: rows.slice(0, MAX_ROWS), omitted: Math.max(0, rows.length - MAX_ROWS) };
  }
  if ([...types].every((t) => t === 'bar' || t === 'line')) {
    const cat = categoryAxis(o);
    if (cat) {
      const rows = cat.labels.map((label, j) => [cellText(label), ...series.map((s) => cellText(datumValue(asArray(s.data)[j])))]);
      return { columns: [cat.title, ...series.map(name)], rows, omitted: 0 };
    }
  }
  if ([...types].every((t) => t === 'scatter' || t === 'line' || t === 'effectScatter')) {
    const rows: string[][] = [];
    series.forEach((s, i) => {
      for (const d of asArray(s.data)) {
        const v = isObj(d) ? d.value : d;
        if (Array.isArray(v)) rows.push([name(s, i), cellText(v[0]), cellText(v[1])]);
      }
    });
    if (!rows.length) return null;
    return { columns: ['Series', 'x', 'y'], rows: rows.slice(0, MAX_ROWS), omitted: Math.max(0, rows.length - MAX_ROWS) };
  }
  return null;
}
