// A screen's long-lived result: the last good value stays on screen while the next one loads, an older run
// that returns late is dropped, and a superseded query is not an error.
import { Superseded } from '../db/coordinator.ts';
import { messageOf } from '../errors.ts';

/** Status, error, timing and the last good value of a screen's work. */
export class LatestRun<T> {
  // Raw: a run is replaced whole and never changed in place, so nothing is gained from Svelte's deep proxies, which
  // would wrap every object of a result (a pivot's rows, a retention grid's cells) and tax each read of them.
  run = $state.raw<T | null>(null);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  /** Milliseconds the last successful run took. */
  lastMs = $state<number | null>(null);
  private ticket = 0;

  /** Run `work`; its result replaces the shown one only if no newer run started meanwhile. */
  async refresh(work: () => Promise<T>): Promise<void> {
    const ticket = ++this.ticket;
    const t0 = performance.now();
    this.status = 'loading';
    try {
      const run = await work();
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
