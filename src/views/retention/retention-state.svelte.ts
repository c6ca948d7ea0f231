// Runs the retention queries for the current view through the coordinator (cached, latest-wins): the triangle
// for the main group, the comparison group's triangle when there is one, and the lifecycle.
import { cohortCellUsersSql, cohortSql, decodeCohorts, decodeLifecycle, runLifecycle, startsAtFirstEvent, type CohortResult, type LifecyclePeriod } from '../../analyses/cohort/index.ts';
import { USER_METRICS_COVER_SQL } from '../../data/user-metrics.ts';
import { fieldById, fieldValuesSql, type Field } from '../../analyses/fields.ts';
import type { FilterGroup } from '../../analyses/filter/spec.ts';
import { toRows } from '../../lib/rows.ts';
import type { QueryCoordinator } from '../../db/coordinator.ts';
import { LatestRun } from '../../state/latest-run.svelte.ts';
import { UserList } from '../../state/user-list.svelte.ts';
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

/** The most users a cell lists and exports (a cell of the 10M shop can hold hundreds of thousands). */
export const CELL_USERS_LIMIT = 1_000_000;

/** The group a cell belongs to: the main users (A) or the comparison group (B). */
export function cellCohort(view: RetentionView, group: 'A' | 'B'): RetentionView['cohort'] {
  return group === 'B' && view.compare ? { ...view.cohort, users: view.compare } : view.cohort;
}

/** The screen's data and its lifecycle, and the users of the cell picked. */
export class RetentionData extends LatestRun<RetentionRun> {
  readonly cellUsers = new UserList();

  /** List the users of cohort `start`'s period `k` (group A or the comparison group B). */
  loadCell(coordinator: QueryCoordinator, view: RetentionView, fields: readonly Field[], start: number, k: number, group: 'A' | 'B'): Promise<void> {
    return this.cellUsers.load(coordinator, 'retention:cell', cohortCellUsersSql(cellCohort(view, group), fields, start, k, CELL_USERS_LIMIT));
  }

  /** Query everything for `view`: the triangle(s), the lifecycle and the split. */
  refreshView(coordinator: QueryCoordinator, view: RetentionView, fields: readonly Field[]): Promise<void> {
    return this.refresh(() => retentionRun(coordinator, view, fields));
  }
}

/**
 * Whether the retention statements may read each user's first and last event from user_metrics: asked (cached per
 * dataset version, the Overview asks the same) only for cohorts by first event of any kind, the only ones that
 * read them; a failed check means no.
 */
function userMetricsCover(coordinator: QueryCoordinator, view: RetentionView): Promise<boolean> {
  return startsAtFirstEvent(view.cohort) ? coordinator.flag(USER_METRICS_COVER_SQL, 'ok') : Promise.resolve(false);
}

async function retentionRun(coordinator: QueryCoordinator, view: RetentionView, fields: readonly Field[]): Promise<RetentionRun> {
  const opts = { userMetrics: await userMetricsCover(coordinator, view) };
  const mainSql = cohortSql(view.cohort, fields, opts);
  const compareSql = view.compare ? cohortSql({ ...view.cohort, users: view.compare }, fields, opts) : null;
  const main = decodeCohorts(await coordinator.run('retention:main', mainSql));
  const compare = compareSql ? decodeCohorts(await coordinator.run('retention:compare', compareSql)) : null;
  const life = await runLifecycle((q) => coordinator.run('retention:lifecycle', q), view.cohort, fields);
  const lifecycle = decodeLifecycle(life.table);
  const lifeSql = life.sql;
  const split: RetentionRun['split'] = [];
  const splitSql: Sql[] = [];
  if (view.split) {
    const field = fieldById(fields, view.split, 'users');
    if (field.kind !== 'text') throw new StrataError(`Split by a text column; ${field.column} is not one.`);
    const values = toRows(await coordinator.run('retention:split-values', fieldValuesSql(field, SPLIT_VALUES))).map((r) => String(r.v));
    for (const [i, value] of values.entries()) {
      const users: FilterGroup = { op: 'and', items: [view.cohort.users, { field: field.id, op: '=', value }] };
      const q = cohortSql({ ...view.cohort, users }, fields, opts);
      splitSql.push(q);
      split.push({ value, result: decodeCohorts(await coordinator.run(`retention:split:${i}`, q)) });
    }
  }
  return { main, compare, lifecycle, split, sql: [mainSql, ...(compareSql ? [compareSql] : []), lifeSql, ...splitSql] };
}
