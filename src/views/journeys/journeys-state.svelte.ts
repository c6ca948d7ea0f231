// Runs the journeys for the current spec through the coordinator (cached, latest-wins): the top paths with their
// totals and the Sankey's nodes and links, by the one pass over the selected rows (or the two statements).
import { computePaths, type PathsSankey, type PathsSpec, type PathsTop } from '../../analyses/paths/index.ts';
import { yieldToPage } from '../pass-page.ts';
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
      const { top, sankey, sql } = await computePaths(coordinator.io('journeys:main'), spec, fields, yieldToPage);
      return { spec, top, sankey, sql };
    });
  }
}
