// Runs the funnel statement for the current spec through the coordinator (cached, latest-wins).
import { decodeFunnel, funnelSql, type FunnelResult, type FunnelSpec } from '../../analyses/funnel/index.ts';
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

/** The screen's data. */
export class FunnelData extends LatestRun<FunnelRun> {
  refreshSpec(coordinator: QueryCoordinator, spec: FunnelSpec, fields: readonly Field[]): Promise<void> {
    return this.refresh(async () => {
      const sql = funnelSql(spec, fields);
      return { spec, sql, result: decodeFunnel(await coordinator.run('funnels:main', sql), spec) };
    });
  }
}
