// Runs the pivot for the current spec through the coordinator (cached, latest-wins) and keeps the last result
// on screen while the next one loads.
import { runPivot, type PivotRun, type PivotSpec } from '../../analyses/pivot/index.ts';
import type { Field } from '../../analyses/fields.ts';
import type { QueryCoordinator } from '../../db/coordinator.ts';
import { LatestRun } from '../../state/latest-run.svelte.ts';

/** The pivot's lifecycle and its last good result. */
export class PivotData extends LatestRun<PivotRun> {
  /** Run `spec` (its stats queries, then the main one). */
  refreshPivot(coordinator: QueryCoordinator, spec: PivotSpec, fields: readonly Field[]): Promise<void> {
    let step = 0;
    return this.refresh(() => runPivot((q) => coordinator.run(`pivot:${step++}`, q), spec, fields));
  }
}
