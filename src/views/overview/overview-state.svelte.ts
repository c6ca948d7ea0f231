// Runs every Overview panel for the current spec and dataset; each panel fills in as its query returns.
import { OVERVIEW_PANELS, OVERVIEW_DECODERS, type OverviewPanel, type OverviewResults, type OverviewSpec, type PanelContext } from '../../analyses/overview/index.ts';
import { SESSION_METRICS_PRESENT_SQL } from '../../data/session-metrics.ts';
import { USER_METRICS_COVER_SQL } from '../../data/user-metrics.ts';
import { Superseded, type QueryCoordinator } from '../../db/coordinator.ts';
import { messageOf } from '../../errors.ts';
import { firstRow } from '../../lib/rows.ts';
import { raw, type Sql } from '../../sql/quote.ts';

/** A panel's lifecycle. */
export type PanelStatus = 'idle' | 'loading' | 'ready' | 'error';

const KEYS = Object.keys(OVERVIEW_PANELS) as OverviewPanel[];

/** Results, statuses and errors for every panel; the last result stays on screen while a new one loads. */
export class OverviewData {
  // Raw, replaced whole when a panel's result arrives: a deep $state proxies every object inside it, and reading the
  // customers scatter's points (one object per buyer) through those proxies cost ~50 ms of one main-thread task on
  // the 1M shop (Svelte's proxy traps, measured with Chrome's profiler). Nothing mutates a result in place.
  results = $state.raw<Partial<OverviewResults>>({});
  status = $state<Record<OverviewPanel, PanelStatus>>(Object.fromEntries(KEYS.map((k) => [k, 'idle'])) as Record<OverviewPanel, PanelStatus>);
  errors = $state<Partial<Record<OverviewPanel, string>>>({});
  /** Milliseconds the last full refresh took (all panels). */
  lastMs = $state<number | null>(null);
  /** The data's first and last event (epoch ms), for the date presets; null until read (or with no events). */
  range = $state<{ start: number | null; end: number | null }>({ start: null, end: null });

  /** Read the data's first and last event (cached per dataset version by the coordinator). */
  async loadRange(coordinator: QueryCoordinator): Promise<void> {
    try {
      const r = firstRow<{ s: number | null; e: number | null }>(await coordinator.cached(raw('SELECT epoch_ms(min(ts))::DOUBLE AS s, epoch_ms(max(ts))::DOUBLE AS e FROM events')));
      this.range = { start: r.s, end: r.e };
    } catch {
      // Presets then fall back to today's calendar; the panels report their own errors.
    }
  }

  /** Show `results` (the last visit's figures) until queries replace them; panels not given stay loading. */
  prefill(results: Partial<OverviewResults>): void {
    this.results = { ...results };
    for (const k of KEYS) this.status[k] = k in results ? 'ready' : 'loading';
  }

  /** Forget every result (prefilled figures that turned out to belong to other data). */
  clear(): void {
    this.results = {};
    for (const k of KEYS) this.status[k] = 'idle';
  }

  /**
   * What the dataset's derived tables can answer (each read cached per dataset version); a read that fails leaves its
   * flag off, and the panels then aggregate the events themselves.
   */
  private async context(coordinator: QueryCoordinator, keys: readonly OverviewPanel[], spec: OverviewSpec): Promise<PanelContext> {
    const flag = async (wanted: boolean, q: Sql, col: string): Promise<boolean> => wanted && coordinator.flag(q, col);
    const [sessionMetrics, userMetrics] = await Promise.all([
      flag(keys.includes('trafficSources'), SESSION_METRICS_PRESENT_SQL, 'n'),
      // (only the all-time KPI row reads user_metrics)
      flag(keys.includes('kpis') && spec.from === null && spec.to === null, USER_METRICS_COVER_SQL, 'ok'),
    ]);
    return { sessionMetrics, userMetrics };
  }

  /** Query every panel; resolves when all have settled (errors are kept per panel). */
  async refresh(coordinator: QueryCoordinator, spec: OverviewSpec, opts: { only?: readonly OverviewPanel[]; quiet?: boolean } = {}): Promise<void> {
    const t0 = performance.now();
    const keys = opts.only ?? KEYS;
    const ctx = this.context(coordinator, keys, spec);
    const runs = keys.map(async (k) => {
      // A quiet refresh (live mode) keeps the panel as it is until the new result replaces it: no flicker.
      if (!opts.quiet || !(k in this.results)) this.status[k] = 'loading';
      try {
        const q = OVERVIEW_PANELS[k](spec, await ctx);
        const table = await coordinator.run(`overview:${k}`, q);
        this.results = { ...this.results, [k]: OVERVIEW_DECODERS[k](table, spec) };
        this.status[k] = 'ready';
        delete this.errors[k];
      } catch (err) {
        if (err instanceof Superseded) return;
        this.status[k] = 'error';
        this.errors[k] = messageOf(err);
      }
    });
    await Promise.all(runs);
    this.lastMs = performance.now() - t0;
  }
}
