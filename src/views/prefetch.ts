// A warm start for the analysis screens: once a small dataset is open and its segments are computed, the statements
// Retention, Funnels, Journeys and Pivot run when opened with nothing in their link are run once in the background,
// through the same query cache the screens read. Opening one of them for the first time then answers at once, and the
// engine's code for those statements is already compiled to its fast tier (DuckDB-WASM runs in V8's baseline
// WebAssembly tier until a function has run enough: the first runs of an analysis took up to 2-3x their later time).
import type { Table } from 'apache-arrow';
import type { Field } from '../analyses/fields.ts';
import { cohortSql, runLifecycle } from '../analyses/cohort/index.ts';
import { computeFunnel, passWith } from '../analyses/funnel/index.ts';
import { toIo, type Io } from '../db/coordinator.ts';
import { computePaths } from '../analyses/paths/index.ts';
import type { Pause } from '../analyses/pass-kit.ts';
import { defaultPivotFor, runPivot } from '../analyses/pivot/index.ts';
import { completeOnly } from '../analyses/filter/filter-edit.ts';
import type { Sql } from '../sql/quote.ts';
import { funnelFromParams, runnableFunnel } from './funnels/url-spec.ts';
import { journeysFromParams } from './journeys/url-spec.ts';
import { retentionFromParams, runnableRetention } from './retention/url-spec.ts';

/**
 * The largest dataset (events) whose screens are warmed: at 250,000 events the four screens' first statements take
 * well under a second in all; beyond, they would hold the engine's one queue for seconds while the user may be asking
 * for something else.
 */
export const PREFETCH_MAX_EVENTS = 250_000;

/** How a statement is sent: the page passes the coordinator's cache; tests pass the Db. */
export type RunSql = (q: Sql) => Promise<Table>;

/** What the screens read of the dataset before they query: its fields and event types (the DatasetCatalog's). */
export interface PrefetchContext {
  fields: readonly Field[];
  eventTypes: readonly string[];
  /** How a one-pass funnel or journeys run gives the page a turn between slices; straight through by default. */
  pause?: Pause;
}

/**
 * Each screen's first statements with no settings in its link, built exactly as the screen builds them (its own
 * link reader, its own "runnable" step), so the screen's requests are the same text and values: cache hits.
 */
export function screenWarmups(ctx: PrefetchContext): { screen: string; run: (io: Io) => Promise<unknown> }[] {
  const none = new URLSearchParams();
  const { fields, eventTypes } = ctx;
  return [
    {
      screen: 'retention',
      run: async ({ run }) => {
        const cohort = runnableRetention(retentionFromParams(none).view).cohort;
        await run(cohortSql(cohort, fields));
        await runLifecycle(run, cohort, fields);
      },
    },
    {
      screen: 'funnels',
      run: async (io) => {
        const spec = runnableFunnel(funnelFromParams(none, eventTypes).spec);
        // With the funnels' kept columns, loaded behind it (the screen's next funnels are a pass over them).
        await (await computeFunnel(io, spec, fields, passWith(ctx.pause))).behind;
      },
    },
    {
      screen: 'journeys',
      run: async (io) => {
        const parsed = journeysFromParams(none, eventTypes).spec;
        await computePaths(io, { ...parsed, users: completeOnly(parsed.users) }, fields, ctx.pause);
      },
    },
    {
      screen: 'pivot',
      run: async ({ run }) => {
        const base = defaultPivotFor(fields);
        await runPivot(run, { ...base, filter: completeOnly(base.filter) }, fields);
      },
    },
  ];
}

/**
 * Run every screen's first statements, one screen at a time, while `wanted()` (the same dataset version, nothing
 * else writing); a screen whose statement fails is skipped (it shows its own error when opened). Returns the screens
 * warmed.
 */
export async function prefetchScreens(run: RunSql | Io, ctx: PrefetchContext, wanted: () => boolean): Promise<string[]> {
  const io = toIo(run);
  const done: string[] = [];
  for (const w of screenWarmups(ctx)) {
    if (!wanted()) break;
    try {
      await w.run(io);
      done.push(w.screen);
    } catch {
      // The screen runs it again when opened and says what went wrong there.
    }
  }
  return done;
}
