// Runs the journeys queries for the current spec through the coordinator (cached, latest-wins per key): the
// top paths with their totals, then the Sankey's nodes and links.
import { decodePathsSankey, decodePathsTop, pathsSankeySql, pathsTopSql, type PathsSankey, type PathsSpec, type PathsTop } from '../../analyses/paths/index.ts';
import type { Field } from '../../analyses/fields.ts';
import type { QueryCoordinator } from '../../db/coordinator.ts';
import { LatestRun } from '../../state/latest-run.svelte.ts';
import type { Sql } from '../../sql/quote.ts';

/** Results of one refresh, with the spec they answer (the screen labels them by it, not by newer settings). */
export interface JourneysRun {
  spec: PathsSpec;
  top: PathsTop;
  sankey: PathsSankey;
  sql: Sql[];
}

/** The screen's data and its lifecycle. */
export class JourneysData extends LatestRun<JourneysRun> {
  /** Query the top paths and the Sankey for `spec`. */
  refreshSpec(coordinator: QueryCoordinator, spec: PathsSpec, fields: readonly Field[]): Promise<void> {
    return this.refresh(async () => {
      const topSql = pathsTopSql(spec, fields);
      const sankeySql = pathsSankeySql(spec, fields);
      const top = decodePathsTop(await coordinator.run('journeys:top', topSql));
      const sankey = decodePathsSankey(await coordinator.run('journeys:sankey', sankeySql));
      return { spec, top, sankey, sql: [topSql, sankeySql] };
    });
  }
}
