// The pivot as SQL: one GROUP BY GROUPING SETS query returns every cell, subtotal and total at once, so
// non-additive measures (distinct users, medians, AOV) are exact at every level instead of summed up.
import { StrataError } from '../../errors.ts';
import { joinSql, raw, sql, type Sql } from '../../sql/quote.ts';
import { fieldById, fromSql, type Field, type FieldSource } from '../fields.ts';
import { filterFields, filterSql } from '../filter/index.ts';
import { bucketStatsSql, checkBucket, compileDim, type BucketStats, type CompiledDim, type Scope } from './buckets.ts';
import { compileMeasure, type CompiledMeasure } from './measures.ts';
import type { PivotSpec } from './spec.ts';

/** At most this many result rows (cells, subtotals and totals together); beyond it the pivot asks for buckets. */
export const MAX_RESULT_ROWS = 50_000;

/** The shared scope and the per-dimension stats queries a pivot needs before its main query. */
export interface PivotPlan {
  scope: Scope;
  /** One entry per dimension (rows then columns); null when the bucket needs no stats. */
  stats: (Sql | null)[];
}

/** The main query and what decoding it needs. */
export interface PivotQuery {
  sql: Sql;
  dims: CompiledDim[];
  measures: CompiledMeasure[];
}

/** Validate the spec against the fields and plan its queries. Throws a StrataError a user can act on. */
export function planPivot(spec: PivotSpec, fields: readonly Field[]): PivotPlan {
  const dims = [...spec.rows, ...spec.cols];
  const seen = new Set<string>();
  for (const d of dims) {
    const f = fieldById(fields, d.field, spec.grain);
    checkBucket(d, f);
    const key = JSON.stringify(d);
    if (seen.has(key)) throw new StrataError(`${f.column} is used twice with the same bucket; remove one.`);
    seen.add(key);
  }
  const measures = spec.measures.map((m) => compileMeasure(m, spec.grain, fields));
  const sources = new Set<FieldSource>([
    ...dims.map((d) => fieldById(fields, d.field).source),
    ...filterFields(spec.filter).map((id) => fieldById(fields, id).source),
    ...measures.flatMap((m) => m.sources),
  ]);
  const scope: Scope = { from: fromSql(spec.grain, sources), where: filterSql(spec.filter, fields, spec.grain) };
  // Top N ranks values by the measure the table is sorted by, else by the first measure (documented in the README).
  const rank = measures[spec.sort?.measure ?? 0]?.expr;
  return { scope, stats: dims.map((d) => bucketStatsSql(d, fieldById(fields, d.field), scope, rank)) };
}

/** The main query, given the decoded stats (same order as plan.stats). */
export function pivotSql(spec: PivotSpec, fields: readonly Field[], plan: PivotPlan, stats: (BucketStats | null)[]): PivotQuery {
  const all = [...spec.rows, ...spec.cols];
  const dims = all.map((d, i) => compileDim(d, fieldById(fields, d.field), stats[i] ?? null));
  const measures = spec.measures.map((m) => compileMeasure(m, spec.grain, fields));
  const names = all.map((_, i) => `d${i}`);
  const select = [
    ...dims.map((d, i) => sql`${d.expr} AS ${raw(names[i])}`),
    names.length ? raw(`GROUPING(${names.join(', ')})::INTEGER AS g`) : raw('0 AS g'),
    ...measures.map((m, i) => sql`${m.expr} AS ${raw(`m${i}`)}`),
  ];
  const r = spec.rows.length;
  const sets: string[] = [];
  for (let i = 0; i <= r; i++) {
    for (let j = 0; j <= spec.cols.length; j++) sets.push(`(${[...names.slice(0, i), ...names.slice(r, r + j)].join(', ')})`);
  }
  const group = names.length ? raw(`\nGROUP BY GROUPING SETS (${sets.join(', ')})`) : raw('');
  const text = sql`SELECT ${joinSql(select, ',\n  ')}
FROM ${plan.scope.from}
WHERE ${plan.scope.where}${group}
LIMIT ${MAX_RESULT_ROWS + 1}`;
  return { sql: text, dims, measures };
}

/**
 * The users behind one cell of a users-grain pivot (a row key path and a column key path; shorter paths are
 * subtotals): the pivot's own filter plus each dimension's key expression equal to the cell's key, NULL keys
 * included ("(missing)"). Keys come from the pivot's result and are bound parameters.
 */
export function pivotCellUsersSql(spec: PivotSpec, plan: PivotPlan, q: PivotQuery, rowKeys: readonly (string | number | boolean | null)[], colKeys: readonly (string | number | boolean | null)[]): Sql {
  if (spec.grain !== 'users') throw new StrataError('Only a pivot at the users grain lists the users of a cell.');
  if (rowKeys.length > spec.rows.length || colKeys.length > spec.cols.length) throw new StrataError('That cell is not part of this pivot.');
  const conds: Sql[] = [sql`(${plan.scope.where})`];
  rowKeys.forEach((k, i) => conds.push(sql`((${q.dims[i].expr}) IS NOT DISTINCT FROM ${k})`));
  colKeys.forEach((k, j) => conds.push(sql`((${q.dims[spec.rows.length + j].expr}) IS NOT DISTINCT FROM ${k})`));
  return sql`SELECT DISTINCT u.user_id FROM ${plan.scope.from} WHERE ${joinSql(conds, ' AND ')}`;
}
