// A saved insight's live tile: its view read from the saved link exactly as its screen reads it, run over the data
// as it is now through the same analysis SQL, and summed up as a headline and a few rows (text only). The
// Dashboard runs one per tile; Node tests run them against native DuckDB on a hand-made shop.
import type { Table } from 'apache-arrow';
import type { Field } from '../../analyses/fields.ts';
import type { Sql } from '../../sql/quote.ts';
import { ident, raw } from '../../sql/quote.ts';
import { toRows } from '../../lib/rows.ts';
import { fmtInt, fmtMoney, fmtPct } from '../../lib/format.ts';
import { completeOnly } from '../../analyses/filter/filter-edit.ts';
import { computeFunnel, passWith } from '../../analyses/funnel/index.ts';
import { toIo, type Io } from '../../db/coordinator.ts';
import { cohortSql, decodeCohorts } from '../../analyses/cohort/index.ts';
import { computePaths } from '../../analyses/paths/index.ts';
import type { Pause } from '../../analyses/pass-kit.ts';
import { defaultPivotFor, leafRows, runPivot } from '../../analyses/pivot/index.ts';
import { OVERVIEW_PANELS, decodeKpisFor } from '../../analyses/overview/index.ts';
import type { SavedInsight } from '../../data/insights-store.ts';
import type { SegmentationRecord } from '../../data/segments-store.ts';
import { funnelFromParams, runnableFunnel } from '../funnels/url-spec.ts';
import { stepLabel } from '../funnels/labels.ts';
import { retentionFromParams, runnableRetention } from '../retention/url-spec.ts';
import { journeysFromParams } from '../journeys/url-spec.ts';
import { pivotFromParams } from '../pivot/url-spec.ts';
import { fmtValue } from '../pivot/format-value.ts';
import { specFromParams } from '../overview/url-spec.ts';
import { defaultSegmentation, segmentsFromParams } from '../segments/url-spec.ts';

/** How a tile sends SQL: the page passes the coordinator (cached per dataset version); Node passes the Db. */
export type RunSql = (q: Sql) => Promise<Table>;

/** What the tile shows: one headline figure with its meaning, and up to TILE_ROWS label / value rows. */
export interface TileSummary {
  headline: string;
  caption: string;
  rows: { label: string; value: string }[];
  /** Why the saved view could not be read as saved (a link the screen would also correct), or null. */
  note: string | null;
}

/** The most rows a tile lists. */
export const TILE_ROWS = 5;

/** What a tile needs to know of the dataset: its fields, event types and segmentations. */
export interface TileContext {
  fields: readonly Field[];
  eventTypes: readonly string[];
  segments: readonly SegmentationRecord[];
  /** How a one-pass funnel or journeys run gives the page a turn between slices; straight through by default. */
  pause?: Pause;
}

/** The live summary of one saved insight over the current data. */
export async function tileSummary(runner: RunSql | Io, ins: Pick<SavedInsight, 'screen' | 'query'>, ctx: TileContext): Promise<TileSummary> {
  const io = toIo(runner);
  const run = io.run;
  const p = new URLSearchParams(ins.query);
  switch (ins.screen) {
    case 'funnels': {
      const parsed = funnelFromParams(p, ctx.eventTypes);
      const spec = runnableFunnel(parsed.spec);
      const r = (await computeFunnel(io, spec, ctx.fields, passWith(ctx.pause))).result;
      const last = r.total.steps[r.total.steps.length - 1];
      const unit = spec.countBy === 'sessions' ? 'sessions' : 'users';
      return {
        headline: r.total.steps[0].count ? fmtPct(last.overall) : '–',
        caption: `of ${unit} who did step 1 reached the last step`,
        rows: r.total.steps.slice(0, TILE_ROWS).map((x) => ({ label: stepLabel(spec, x.step), value: `${fmtInt(x.count)} · ${fmtPct(x.overall)}` })),
        note: parsed.error,
      };
    }
    case 'retention': {
      const parsed = retentionFromParams(p);
      const c = runnableRetention(parsed.view).cohort;
      const r = decodeCohorts(await run(cohortSql(c, ctx.fields)));
      const avg = r.average.filter((a) => a.rate !== null && a.members > 0);
      const one = avg.find((a) => a.k === 1);
      return {
        headline: one ? fmtPct(one.rate) : '–',
        caption: one ? `returned in ${c.period} 1 (average of ${fmtInt(r.cohorts.length)} cohorts)` : `no cohort has finished its ${c.period} 1 yet`,
        rows: avg.slice(0, TILE_ROWS).map((a) => ({ label: `${c.period[0].toUpperCase() + c.period.slice(1)} ${a.k}`, value: fmtPct(a.rate) })),
        note: parsed.error,
      };
    }
    case 'journeys': {
      const parsed = journeysFromParams(p, ctx.eventTypes);
      const spec = { ...parsed.spec, users: completeOnly(parsed.spec.users) };
      const { top } = await computePaths(io, spec, ctx.fields, ctx.pause, TILE_ROWS);
      return {
        headline: fmtInt(top.totalPaths),
        caption: `distinct paths ${spec.anchor === 'start' ? 'from' : 'to'} ${spec.eventType} (${fmtInt(top.totalSessions)} sessions)`,
        rows: top.rows.map((r) => ({ label: r.steps.join(' → '), value: `${fmtInt(r.users)} ${r.users === 1 ? 'user' : 'users'}` })),
        note: parsed.error,
      };
    }
    case 'pivot': {
      const parsed = pivotFromParams(p);
      const base = p.has('p') && !parsed.error ? parsed.spec : defaultPivotFor(ctx.fields);
      const spec = { ...base, filter: completeOnly(base.filter) };
      const { result } = await runPivot(run, spec, ctx.fields);
      const m = Math.min(spec.chartMeasure ?? 0, result.measures.length - 1);
      const measure = result.measures[m];
      const kind = measure?.kind ?? 'count';
      return {
        headline: measure ? fmtValue(result.value([], [], m), kind) : '–',
        caption: measure ? `${measure.title}, all rows` : 'no measure',
        rows: measure ? leafRows(result, spec.sort).slice(0, TILE_ROWS).map((r) => ({ label: r.path.join(' / '), value: fmtValue(result.value(r.keys, [], m), kind) })) : [],
        note: p.has('p') ? parsed.error : null,
      };
    }
    case 'overview': {
      const parsed = specFromParams(p);
      const spec = parsed.spec.segment && !ctx.segments.some((r) => r.column === parsed.spec.segment!.column) ? { ...parsed.spec, segment: null } : parsed.spec;
      const k = decodeKpisFor(await run(OVERVIEW_PANELS.kpis(spec)), spec);
      return {
        headline: fmtMoney(k.revenue),
        caption: `revenue${spec.from || spec.to ? ` ${spec.from ?? '…'} – ${spec.to ?? '…'}` : ''}${spec.segment ? ' · one segment' : ''}`,
        rows: [
          { label: 'Users (active in range)', value: fmtInt(k.users) },
          { label: 'Orders', value: fmtInt(k.orders) },
          { label: 'Purchase conversion', value: fmtPct(k.purchaseConversion) },
          { label: 'Average order value', value: fmtMoney(k.aov) },
        ],
        note: parsed.error,
      };
    }
    case 'segments': {
      const parsed = segmentsFromParams(p);
      const rec = defaultSegmentation(ctx.segments, parsed.view.selected);
      if (!rec) return { headline: '–', caption: 'no segmentation of this dataset matches this view', rows: [], note: parsed.error };
      const q = raw(`SELECT ${ident(rec.column)} AS label, count(*)::DOUBLE AS users, sum(count(*)) OVER ()::DOUBLE AS total FROM user_segments GROUP BY 1 ORDER BY users DESC, label NULLS LAST LIMIT ${TILE_ROWS}`);
      const rows = toRows(await run(q));
      const total = Number(rows[0]?.total ?? 0);
      return {
        headline: fmtInt(total),
        caption: `users in ${rec.name}`,
        rows: rows.map((r) => ({ label: r.label === null ? '(none)' : String(r.label), value: `${fmtInt(Number(r.users))} · ${fmtPct(total ? Number(r.users) / total : null)}` })),
        note: parsed.error,
      };
    }
  }
}
