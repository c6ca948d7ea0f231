// Runs the pivot for the current spec through the coordinator (cached, latest-wins) and keeps the last result
// on screen while the next one loads.
import { runPivot, type PivotRun, type PivotSpec } from '../../analyses/pivot/index.ts';
import type { Field } from '../../analyses/fields.ts';
import { Superseded, type QueryCoordinator } from '../../db/coordinator.ts';
import { messageOf } from '../../errors.ts';

/** The pivot's lifecycle and its last good result. */
export class PivotData {
  run = $state<PivotRun | null>(null);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  /** Milliseconds from the spec change to the decoded result (all queries of the pivot). */
  lastMs = $state<number | null>(null);
  private ticket = 0;

  /** Run `spec`; an older run still in flight is dropped when it returns. */
  async refresh(coordinator: QueryCoordinator, spec: PivotSpec, fields: readonly Field[]): Promise<void> {
    const ticket = ++this.ticket;
    const t0 = performance.now();
    this.status = 'loading';
    let step = 0;
    try {
      const run = await runPivot((q) => coordinator.run(`pivot:${step++}`, q), spec, fields);
      if (ticket !== this.ticket) return;
      this.run = run;
      this.status = 'ready';
      this.error = null;
      this.lastMs = performance.now() - t0;
    } catch (err) {
      if (err instanceof Superseded || ticket !== this.ticket) return;
      this.status = 'error';
      this.error = messageOf(err);
    }
  }
}
