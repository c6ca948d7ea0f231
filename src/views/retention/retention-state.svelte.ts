// Runs the retention queries for the current view through the coordinator (cached, latest-wins): the triangle
// for the main group, the comparison group's triangle when there is one, and the lifecycle.
import { cohortSql, decodeCohorts, decodeLifecycle, lifecycleSql, type CohortResult, type LifecyclePeriod } from '../../analyses/cohort/index.ts';
import { fieldById, fieldValuesSql, type Field } from '../../analyses/fields.ts';
import type { FilterGroup } from '../../analyses/filter/spec.ts';
import { toRows } from '../../lib/rows.ts';
import type { QueryCoordinator } from '../../db/coordinator.ts';
import { LatestRun } from '../../state/latest-run.svelte.ts';
import { StrataError } from '../../errors.ts';
import type { Sql } from '../../sql/quote.ts';
import type { RetentionView } from './url-spec.ts';

/** Results of one refresh. */
export interface RetentionRun {
  main: CohortResult;
  compare: CohortResult | null;
  lifecycle: LifecyclePeriod[];
  /** One result per value of the split column (its most common values), when splitting. */
  split: { value: string; result: CohortResult }[];
  sql: Sql[];
}

/** How many values of the split column get their own row and curve. */
export const SPLIT_VALUES = 6;

/** The screen's data and its lifecycle. */
export class RetentionData extends LatestRun<RetentionRun> {
  /** Query everything for `view`: the triangle(s), the lifecycle and the split. */
  refreshView(coordinator: QueryCoordinator, view: RetentionView, fields: readonly Field[]): Promise<void> {
    return this.refresh(() => retentionRun(coordinator, view, fields));
  }
}

async function retentionRun(coordinator: QueryCoordinator, view: RetentionView, fields: readonly Field[]): Promise<RetentionRun> {
  const mainSql = cohortSql(view.cohort, fields);
  const compareSql = view.compare ? cohortSql({ ...view.cohort, users: view.compare }, fields) : null;
  const lifeSql = lifecycleSql(view.cohort, fields);
  const main = decodeCohorts(await coordinator.run('retention:main', mainSql));
  const compare = compareSql ? decodeCohorts(await coordinator.run('retention:compare', compareSql)) : null;
  const lifecycle = decodeLifecycle(await coordinator.run('retention:lifecycle', lifeSql));
  const split: RetentionRun['split'] = [];
  const splitSql: Sql[] = [];
  if (view.split) {
    const field = fieldById(fields, view.split, 'users');
    if (field.kind !== 'text') throw new StrataError(`Split by a text column; ${field.column} is not one.`);
    const values = toRows(await coordinator.run('retention:split-values', fieldValuesSql(field, SPLIT_VALUES))).map((r) => String(r.v));
    for (const [i, value] of values.entries()) {
      const users: FilterGroup = { op: 'and', items: [view.cohort.users, { field: field.id, op: '=', value }] };
      const q = cohortSql({ ...view.cohort, users }, fields);
      splitSql.push(q);
      split.push({ value, result: decodeCohorts(await coordinator.run(`retention:split:${i}`, q)) });
    }
  }
  return { main, compare, lifecycle, split, sql: [mainSql, ...(compareSql ? [compareSql] : []), lifeSql, ...splitSql] };
}
