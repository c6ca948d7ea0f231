// One column's full profile (statistics, top values, histogram), built from the pure builders in this folder.
import type { Table } from 'apache-arrow';
import type { Sql } from '../../sql/quote.ts';
import { isOrdinal } from './kinds.ts';
import type { ColumnInfo } from './tables.ts';
import { columnStatsSql, decodeColumnStats, statsOptions, type ColumnStats } from './stats.ts';
import { topValuesSql, decodeTopValues, topValuesUseful, type TopValue } from './top-values.ts';
import {
  numericBins, numericHistogramSql, decodeNumericHistogram, dateGrain, dateHistogramSql, decodeDateHistogram,
  type Bin, type DateGrain,
} from './histogram.ts';

/** A histogram: equal-width bins for numbers, calendar buckets for dates. */
export type Histogram = { type: 'numeric'; bins: Bin[] } | { type: 'date'; grain: DateGrain; bins: Bin[] };

/** Everything the Data screen shows for one column. `top` is null when (nearly) every value is distinct. */
export interface ColumnProfile {
  table: string;
  column: ColumnInfo;
  stats: ColumnStats;
  top: TopValue[] | null;
  histogram: Histogram | null;
}

/** Runs one query; the caller decides where (coordinator, Node Db) and may throw to stop early (latest-wins). */
export type RunQuery = (q: Sql) => Promise<Table>;

/**
 * Profile `column` of `table` (which has `rows` rows) in three queries: statistics, then top values and the
 * histogram, whose bins need the min and max. Each query reads one column, so this stays cheap on wide tables.
 */
export async function profileColumn(run: RunQuery, table: string, column: ColumnInfo, rows: number): Promise<ColumnProfile> {
  const opts = statsOptions(rows, true);
  const [stats] = decodeColumnStats(await run(columnStatsSql(table, [column], opts)), [column], opts);
  const top = topValuesUseful(stats.nonNull, stats.distinct, stats.approx)
    ? decodeTopValues(await run(topValuesSql(table, column.name, column.kind)))
    : null;
  return { table, column, stats, top, histogram: await histogram(run, table, column, stats) };
}

async function histogram(run: RunQuery, table: string, column: ColumnInfo, stats: ColumnStats): Promise<Histogram | null> {
  const { min, max } = stats;
  if (!isOrdinal(column.kind) || typeof min !== 'number' || typeof max !== 'number') return null;
  if (column.kind === 'temporal') {
    const grain = dateGrain(min, max);
    return { type: 'date', grain, bins: decodeDateHistogram(await run(dateHistogramSql(table, column.name, grain)), grain) };
  }
  const layout = numericBins(min, max, column.kind === 'integer');
  const t = await run(numericHistogramSql(table, column.name, column.kind, layout));
  return { type: 'numeric', bins: decodeNumericHistogram(t, layout) };
}
