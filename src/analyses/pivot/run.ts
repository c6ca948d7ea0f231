// Run a pivot end to end on any Db-like query function: stats queries first, then the main query.
import type { Table } from 'apache-arrow';
import type { Sql } from '../../sql/quote.ts';
import type { Field } from '../fields.ts';
import { decodeBucketStats, type BucketStats } from './buckets.ts';
import { decodePivot, type PivotResult } from './model.ts';
import { planPivot, pivotCellUsersSql, pivotSql } from './sql.ts';
import type { Key } from './model.ts';
import type { PivotSpec } from './spec.ts';

/** How a runner sends SQL: the browser passes the coordinator (cached, latest-wins); Node passes the Db. */
export type RunSql = (q: Sql) => Promise<Table>;

/** A finished pivot with the SQL that produced it (for "Show SQL"). */
export interface PivotRun {
  result: PivotResult;
  sql: Sql;
  statsSql: Sql[];
  /** The users of a cell (users grain only; null at the events grain). */
  cellUsers: ((rowKeys: readonly Key[], colKeys: readonly Key[]) => Sql) | null;
}

/** Validate, plan, run the stats queries, then the main one. Throws a StrataError for a spec that cannot run. */
export async function runPivot(run: RunSql, spec: PivotSpec, fields: readonly Field[]): Promise<PivotRun> {
  const plan = planPivot(spec, fields);
  const dims = [...spec.rows, ...spec.cols];
  const stats: (BucketStats | null)[] = [];
  for (let i = 0; i < dims.length; i++) {
    const q = plan.stats[i];
    stats.push(q ? decodeBucketStats(dims[i], await run(q)) : null);
  }
  const query = pivotSql(spec, fields, plan, stats);
  const table = await run(query.sql);
  const cellUsers = spec.grain === 'users' ? (rk: readonly Key[], ck: readonly Key[]) => pivotCellUsersSql(spec, plan, query, rk, ck) : null;
  return { result: decodePivot(table, query, spec), sql: query.sql, statsSql: plan.stats.filter((q): q is Sql => q !== null), cellUsers };
}
