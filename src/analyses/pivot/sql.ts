// The pivot as SQL: one statement returns every cell, subtotal and total at once, so non-additive measures
// (distinct users, medians, AOV) are exact at every level instead of summed up from the cells below — a
// GROUP BY GROUPING SETS query, or for an events-grain pivot whose measures all roll up, the same rows from
// per-(group, user) partials regrouped set by set (pivotRollupSql, 2x faster).
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
  const text = pivotRollupSql(spec, dims, measures, plan.scope) ?? pivotSetsSql(spec, dims, measures, plan.scope);
  return { sql: text, dims, measures };
}

/** Every cell, subtotal and total in one GROUP BY GROUPING SETS query (any measure, either grain). */
export function pivotSetsSql(spec: PivotSpec, dims: readonly CompiledDim[], measures: readonly CompiledMeasure[], scope: Scope): Sql {
  const names = dims.map((_, i) => `d${i}`);
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
  return sql`SELECT ${joinSql(select, ',\n  ')}
FROM ${scope.from}
WHERE ${scope.where}${group}
LIMIT ${MAX_RESULT_ROWS + 1}`;
}

/**
 * The pivot's cells, subtotals and totals without GROUPING SETS, for an events-grain pivot whose every measure has
 * a rollup (null otherwise, or without dimensions). The same figures as the GROUPING SETS query: DuckDB runs
 * every grouping set, and every distinct count in it, over all the events (about 2x slower natively, 50K-10M).
 * Instead, with the sets named by (i, j) — the first i row and j column dimensions — from the finest to the total:
 * - `s{i}_{j}`, when a measure counts users: one row per (group, user) (`u`, the events' user_id, NULL for events
 *   without one) with the partials of the measures counted per user. The finest aggregates the events (with every
 *   partial); each other regroups the set a dimension finer, so each step reads fewer rows.
 * - `c{i}_{j}`: one row per group with the merged partials of the other measures (the finest also with the users
 *   counts), each from the `c` a dimension finer: a few rows.
 * - each set's output: its `c` row beside its users counts from its `s` (`n`, and `b{k}` the users whose partial k
 *   is true); `g` is the bitmask GROUPING() gives (a bit per dimension left out, the first the highest).
 * Sums add partial sums, so a sum of non-integers may differ from the one-pass query in its last binary digits
 * (1e-15 relative), never in a shown figure.
 */
export function pivotRollupSql(spec: PivotSpec, dims: readonly CompiledDim[], measures: readonly CompiledMeasure[], scope: Scope): Sql | null {
  const rollups = measures.map((m) => m.rollup);
  if (spec.grain !== 'events' || !dims.length || rollups.some((x) => !x)) return null;
  const ups = rollups as NonNullable<CompiledMeasure['rollup']>[];
  const users = ups.some((x) => x.users);
  const r = spec.rows.length;
  const c = spec.cols.length;
  const n = r + c;
  const names = dims.map((_, i) => `d${i}`);
  const keysOf = (i: number, j: number) => [...names.slice(0, i), ...names.slice(r, r + j)];
  const parts = ups.flatMap((x, k) => (x.part ? [{ name: `p${k}`, k, x }] : []));
  const perUser = parts.filter((p) => p.x.users); // merged per (group, user), counted in b{k}
  const perGroup = parts.filter((p) => !p.x.users); // merged per group
  const counts = () => [`count(u) AS n`, ...perUser.map((p) => `count(u) FILTER (WHERE ${p.name}) AS b${p.k}`)];
  const merges = perGroup.map((p) => `${p.x.merge}(${p.name}) AS ${p.name}`);
  const by = (keys: string[]) => (keys.length ? ` GROUP BY ${keys.join(', ')}` : '');
  const ctes: Sql[] = [];
  const outs: Sql[] = [];
  // From the finest set to the grand total; (i, j) regroups (i, j + 1), or (i + 1, c) when j = c.
  for (let i = r; i >= 0; i--) {
    for (let j = c; j >= 0; j--) {
      const keys = keysOf(i, j);
      const finest = i === r && j === c;
      const parent = j < c ? `${i}_${j + 1}` : `${i + 1}_${c}`;
      if (finest) {
        const select = [
          ...dims.map((d, k) => sql`${d.expr} AS ${raw(names[k])}`),
          ...(users ? [raw('e.user_id AS u')] : []),
          ...parts.map((p) => sql`${p.x.part!} AS ${raw(p.name)}`),
        ];
        const groupBy = [...dims.map((_, k) => String(k + 1)), ...(users ? [String(n + 1)] : [])].join(', ');
        ctes.push(sql`${raw(`s${i}_${j}`)} AS MATERIALIZED (SELECT ${joinSql(select, ', ')}
  FROM ${scope.from}
  WHERE ${scope.where}
  GROUP BY ${raw(groupBy)})`);
        ctes.push(raw(`c${i}_${j} AS MATERIALIZED (SELECT ${[...keys, ...merges, ...(users ? counts() : [])].join(', ')} FROM s${i}_${j}${by(keys)})`));
      } else {
        if (users) {
          const select = [...keys, 'u', ...perUser.map((p) => `bool_or(${p.name}) AS ${p.name}`)];
          ctes.push(raw(`s${i}_${j} AS MATERIALIZED (SELECT ${select.join(', ')} FROM s${parent}${by([...keys, 'u'])})`));
        }
        // An aggregate even without merges: the grand total has its one row when no event is in scope.
        const select = [...keys, ...(merges.length ? merges : ['count(*) AS groups'])];
        ctes.push(raw(`c${i}_${j} AS MATERIALIZED (SELECT ${select.join(', ')} FROM c${parent}${by(keys)})`));
      }
      const g = names.reduce((bits, d, k) => (keys.includes(d) ? bits : bits | (1 << (n - 1 - k))), 0);
      const col = (name: string) => (finest || !users || name.startsWith('p') ? `c.${name}` : `x.${name}`);
      const cols = [
        ...names.map((d) => raw(keys.includes(d) ? `c.${d}` : `NULL AS ${d}`)),
        raw(`${g} AS g`),
        ...ups.map((x, k) => sql`${x.final({ p: col(`p${k}`), n: col('n'), b: col(`b${k}`) })} AS ${raw(`m${k}`)}`),
      ];
      // The users counts of a coarser set come from its (group, user) rows, matched to its group by keys (NULL too).
      const x = !finest && users
        ? keys.length
          ? ` LEFT JOIN (SELECT ${[...keys, ...counts()].join(', ')} FROM s${i}_${j}${by(keys)}) x ON ${keys.map((d) => `c.${d} IS NOT DISTINCT FROM x.${d}`).join(' AND ')}`
          : ` CROSS JOIN (SELECT ${counts().join(', ')} FROM s${i}_${j}) x`
        : '';
      outs.push(sql`SELECT ${joinSql(cols, ', ')} FROM ${raw(`c${i}_${j} c${x}`)}`);
    }
  }
  // Fixed text (no data): what the statement does, for Show SQL.
  const note = raw(`-- Every grouping set from per-(cell${users ? ', user' : ''}) partials, each set regrouped from the one a dimension finer
-- (README, "Pivot semantics"): s{i}_{j} and c{i}_{j} have the first i row and j column dimensions.\n`);
  return sql`${note}WITH ${joinSql(ctes, ',\n')}
SELECT * FROM (${joinSql(outs, '\nUNION ALL ')})
LIMIT ${MAX_RESULT_ROWS + 1}`;
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
