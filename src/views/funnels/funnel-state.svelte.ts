// Runs the funnel statement for the current spec through the coordinator (cached, latest-wins).
import { computeFunnel, funnelUsersSql, type FunnelResult, type FunnelSpec } from '../../analyses/funnel/index.ts';
import { passInPage } from '../pass-page.ts';
import { UserList } from '../../state/user-list.svelte.ts';
import type { Field } from '../../analyses/fields.ts';
import type { QueryCoordinator } from '../../db/coordinator.ts';
import { LatestRun } from '../../state/latest-run.svelte.ts';
import type { Sql } from '../../sql/quote.ts';

/** Results of one refresh, with the spec they answer (labels follow it, not the one being edited). */
export interface FunnelRun {
  spec: FunnelSpec;
  result: FunnelResult;
  sql: Sql;
}

/** The most users a step lists and exports. */
export const STEP_USERS_LIMIT = 1_000_000;

/** The screen's data: the funnel, and the users of the step picked (converted or dropped there). */
export class FunnelData extends LatestRun<FunnelRun> {
  readonly users = new UserList();

  /** List the users who converted at (or dropped before) `step` of the funnel on screen. */
  loadUsers(coordinator: QueryCoordinator, fields: readonly Field[], step: number, which: 'converted' | 'dropped'): Promise<void> {
    if (!this.run) return Promise.resolve();
    return this.users.load(coordinator, 'funnels:users', funnelUsersSql(this.run.spec, fields, step, which, STEP_USERS_LIMIT));
  }

  refreshSpec(coordinator: QueryCoordinator, spec: FunnelSpec, fields: readonly Field[]): Promise<void> {
    return this.refresh(async () => {
      const { result, sql } = await computeFunnel(coordinator.io('funnels:main'), spec, fields, passInPage);
      return { spec, sql, result };
    });
  }
}
