// The pivot's configuration: serialisable (UI state, URL, test fixture), validated on the way in.
import { StrataError } from '../../errors.ts';
import { has, int, obj, oneOf, only } from '../validate.ts';
import { isFieldId, type Grain } from '../fields.ts';
import { EMPTY_FILTER, validateFilter, type FilterGroup } from '../filter/spec.ts';
import { LinkBudget } from '../limits.ts';

/** Date parts a temporal dimension can be bucketed by. */
export type DateUnit = 'hour' | 'dow' | 'day' | 'week' | 'month' | 'quarter' | 'year';

/** How a dimension's values become row / column groups. */
export type Bucket =
  | { kind: 'none' }
  | { kind: 'width'; bins: number }
  | { kind: 'quantile'; bins: number }
  | { kind: 'edges'; edges: number[] }
  | { kind: 'log' }
  | { kind: 'date'; unit: DateUnit }
  | { kind: 'top'; n: number }
  | { kind: 'groups'; groups: { name: string; values: string[] }[] };

/** A row or column dimension. */
export interface Dim {
  field: string;
  bucket: Bucket;
}

/** Built-in measures (meaning depends on the grain) and statistics of any field. */
export type Agg =
  | 'users' | 'events' | 'sessions' | 'orders' | 'revenue' | 'aov' | 'conversion'
  | 'count_distinct' | 'sum' | 'avg' | 'median' | 'min' | 'max' | 'stddev';

/** A measure, optionally shown as a share of its row, column or grand total. */
export interface Measure {
  agg: Agg;
  /** The field for count_distinct and the statistics; absent for built-in measures. */
  field?: string;
  pct?: 'row' | 'col' | 'total';
}

/** Sort the rows within each group by a value column, or (null) by the dimension's own order. */
export interface PivotSort {
  /** Index into measures. */
  measure: number;
  /** Column key path (one key per column dimension) or [] for the Total column. */
  col: (string | number | boolean | null)[];
  dir: 'asc' | 'desc';
}

/** The chart drawn beside the table. */
export type ChartKind = 'bar' | 'stacked' | 'line' | 'heatmap';

/** Everything a pivot depends on. */
export interface PivotSpec {
  grain: Grain;
  rows: Dim[];
  cols: Dim[];
  measures: Measure[];
  filter: FilterGroup;
  sort: PivotSort | null;
  chart: ChartKind;
  /** Which measure the chart draws (index into measures). */
  chartMeasure: number;
}

/**
 * Limits that keep a pivot readable and its SQL small (groupValues: the values of one dimension's custom groups,
 * each a bound parameter, as many as one filter list holds; the filter's own limits are in ../limits.ts).
 */
export const PIVOT_LIMITS = { rows: 4, cols: 3, measures: 8, bins: 100, edges: 50, topN: 100, groups: 50, groupValues: 1000 } as const;

export const DATE_UNITS: readonly DateUnit[] = ['hour', 'dow', 'day', 'week', 'month', 'quarter', 'year'];
export const AGGS: readonly Agg[] = ['users', 'events', 'sessions', 'orders', 'revenue', 'aov', 'conversion', 'count_distinct', 'sum', 'avg', 'median', 'min', 'max', 'stddev'];
/** Aggregations that need a field. */
export const FIELD_AGGS: readonly Agg[] = ['count_distinct', 'sum', 'avg', 'median', 'min', 'max', 'stddev'];
export const CHARTS: readonly ChartKind[] = ['bar', 'stacked', 'line', 'heatmap'];

/** A first pivot on any shop: users by country, with users, orders and revenue. */
export const DEFAULT_PIVOT: PivotSpec = {
  grain: 'users',
  rows: [{ field: 'u.country', bucket: { kind: 'top', n: 10 } }],
  cols: [],
  measures: [{ agg: 'users' }, { agg: 'orders' }, { agg: 'revenue' }, { agg: 'aov' }],
  filter: EMPTY_FILTER,
  sort: null,
  chart: 'bar',
  chartMeasure: 0,
};

const KEYS = ['grain', 'rows', 'cols', 'measures', 'filter', 'sort', 'chart', 'chartMeasure'];

/** Check an untrusted value and return a fresh PivotSpec; missing keys take defaults, anything odd throws. */
export function validatePivotSpec(x: unknown, budget: LinkBudget = new LinkBudget()): PivotSpec {
  const o = obj(x, 'The pivot settings');
  only(o, KEYS, 'pivot setting');
  const grain = has(o, 'grain') ? oneOf(o.grain, ['users', 'events'] as const, 'grain') : DEFAULT_PIVOT.grain;
  const rows = has(o, 'rows') ? dims(o.rows, 'row', PIVOT_LIMITS.rows) : structuredClone(DEFAULT_PIVOT.rows);
  const cols = has(o, 'cols') ? dims(o.cols, 'column', PIVOT_LIMITS.cols) : [];
  const measures = has(o, 'measures') ? measureList(o.measures) : structuredClone(DEFAULT_PIVOT.measures);
  const filter = has(o, 'filter') ? validateFilter(o.filter, budget) : { op: 'and' as const, items: [] };
  const sort = has(o, 'sort') && o.sort !== null ? sortOf(o.sort, measures.length, cols.length) : null;
  const chart = has(o, 'chart') ? oneOf(o.chart, CHARTS, 'chart') : DEFAULT_PIVOT.chart;
  const chartMeasure = has(o, 'chartMeasure') ? int(o.chartMeasure, 0, measures.length - 1, 'charted measure') : 0;
  return { grain, rows, cols, measures, filter, sort, chart, chartMeasure };
}

function dims(x: unknown, what: string, max: number): Dim[] {
  if (!Array.isArray(x)) throw new StrataError(`The ${what} dimensions must be a list.`);
  if (x.length > max) throw new StrataError(`A pivot has at most ${max} ${what} dimensions.`);
  return x.map((d) => {
    const o = obj(d, `A ${what} dimension`);
    only(o, ['field', 'bucket'], `${what} dimension setting`);
    if (!isFieldId(o.field)) throw new StrataError(`A ${what} dimension needs a field such as "u.country".`);
    return { field: o.field, bucket: has(o, 'bucket') ? bucket(o.bucket) : { kind: 'none' } };
  });
}

function bucket(x: unknown): Bucket {
  const o = obj(x, 'A bucket');
  const kind = oneOf(o.kind, ['none', 'width', 'quantile', 'edges', 'log', 'date', 'top', 'groups'] as const, 'bucket kind');
  switch (kind) {
    case 'none':
    case 'log':
      only(o, ['kind'], 'bucket setting');
      return { kind };
    case 'width':
    case 'quantile':
      only(o, ['kind', 'bins'], 'bucket setting');
      return { kind, bins: int(o.bins, 2, PIVOT_LIMITS.bins, 'number of bins') };
    case 'top':
      only(o, ['kind', 'n'], 'bucket setting');
      return { kind, n: int(o.n, 1, PIVOT_LIMITS.topN, 'top N') };
    case 'date':
      only(o, ['kind', 'unit'], 'bucket setting');
      return { kind, unit: oneOf(o.unit, DATE_UNITS, 'date unit') };
    case 'edges': {
      only(o, ['kind', 'edges'], 'bucket setting');
      if (!Array.isArray(o.edges) || o.edges.length === 0 || o.edges.length > PIVOT_LIMITS.edges || !o.edges.every((e) => typeof e === 'number' && Number.isFinite(e))) {
        throw new StrataError(`Custom bucket edges must be a list of 1 to ${PIVOT_LIMITS.edges} numbers, e.g. 18, 25, 35.`);
      }
      const edges = [...new Set(o.edges as number[])].sort((a, b) => a - b);
      return { kind, edges };
    }
    case 'groups': {
      only(o, ['kind', 'groups'], 'bucket setting');
      if (!Array.isArray(o.groups) || o.groups.length === 0 || o.groups.length > PIVOT_LIMITS.groups) {
        throw new StrataError(`Custom groups must be a list of 1 to ${PIVOT_LIMITS.groups} groups.`);
      }
      const seen = new Set<string>();
      const groups = o.groups.map((g) => {
        const go = obj(g, 'A custom group');
        only(go, ['name', 'values'], 'custom group setting');
        if (typeof go.name !== 'string' || go.name.trim() === '') throw new StrataError('Every custom group needs a name.');
        if (!Array.isArray(go.values) || !go.values.every((v) => typeof v === 'string')) {
          throw new StrataError(`Custom group ${JSON.stringify(go.name)} needs a list of text values.`);
        }
        if (seen.size + go.values.length > PIVOT_LIMITS.groupValues) {
          throw new StrataError(`Custom groups hold at most ${PIVOT_LIMITS.groupValues.toLocaleString('en-US')} values in all.`);
        }
        for (const v of go.values as string[]) {
          if (seen.has(v)) throw new StrataError(`The value ${JSON.stringify(v)} is in two custom groups; keep it in one.`);
          seen.add(v);
        }
        return { name: go.name, values: [...(go.values as string[])] };
      });
      return { kind, groups };
    }
  }
}

function measureList(x: unknown): Measure[] {
  if (!Array.isArray(x) || x.length === 0 || x.length > PIVOT_LIMITS.measures) {
    throw new StrataError(`A pivot needs 1 to ${PIVOT_LIMITS.measures} measures.`);
  }
  return x.map((m) => {
    const o = obj(m, 'A measure');
    only(o, ['agg', 'field', 'pct'], 'measure setting');
    const agg = oneOf(o.agg, AGGS, 'measure');
    const out: Measure = { agg };
    if (FIELD_AGGS.includes(agg)) {
      if (!isFieldId(o.field)) throw new StrataError(`The measure "${agg}" needs a field such as "m.revenue".`);
      out.field = o.field;
    } else if (has(o, 'field')) {
      throw new StrataError(`The measure "${agg}" takes no field.`);
    }
    if (has(o, 'pct') && o.pct !== undefined) out.pct = oneOf(o.pct, ['row', 'col', 'total'] as const, 'share ("pct")');
    return out;
  });
}

function sortOf(x: unknown, measures: number, cols: number): PivotSort {
  const o = obj(x, 'The sort');
  only(o, ['measure', 'col', 'dir'], 'sort setting');
  const measure = int(o.measure, 0, measures - 1, 'sort measure');
  if (!Array.isArray(o.col) || (o.col.length !== 0 && o.col.length !== cols) || !o.col.every((k) => k === null || typeof k === 'string' || typeof k === 'number' || typeof k === 'boolean')) {
    throw new StrataError('The sort column must name one key per column dimension, or none for the total.');
  }
  return { measure, col: [...(o.col as PivotSort['col'])], dir: oneOf(o.dir, ['asc', 'desc'] as const, 'sort direction') };
}
