// The Segments screen's state <-> URL parameters: the segmentation shown ("s"), the report view ("view=report"),
// and the segment builder's draft ("b": JSON { name, filter }), validated on the way in.
import { EMPTY_FILTER, validateFilter, type FilterGroup } from '../../analyses/filter/spec.ts';
import { StrataError } from '../../errors.ts';
import { jsonParamText, readJsonParam } from '../../state/url-json.ts';
import type { SegmentationRecord } from '../../data/segments-store.ts';

/** The builder's draft: a name and a users filter. */
export interface BuilderDraft {
  name: string;
  filter: FilterGroup;
}

/** What the screen shows. */
export interface SegmentsView {
  /** A stored segmentation's column, 'new' for the builder, or null for the default. */
  selected: string | null;
  report: boolean;
  draft: BuilderDraft;
}

export const EMPTY_DRAFT: BuilderDraft = { name: '', filter: EMPTY_FILTER };

/** Check an untrusted draft. */
export function validateDraft(x: unknown): BuilderDraft {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new StrataError('The segment draft must be an object.');
  const o = x as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'name' && k !== 'filter') throw new StrataError(`Unknown segment draft setting ${JSON.stringify(k)}.`);
  const name = o.name === undefined ? '' : o.name;
  if (typeof name !== 'string' || name.length > 80) throw new StrataError('A segment name is text of at most 80 characters.');
  return { name, filter: o.filter === undefined ? { op: 'and', items: [] } : validateFilter(o.filter) };
}

/** The segmentations the screen lists (labels, not scores; RFM's cell is shown inside RFM). */
export function listedSegmentations(all: readonly SegmentationRecord[]): SegmentationRecord[] {
  return all.filter((r) => r.type === 'label' && r.column !== 'rfm_cell');
}

/** Shown when the view names none (or one this dataset lacks): the customer segments, else engagement, else RFM. */
const DEFAULT_SELECTED = ['customer_segment', 'engagement_level', 'rfm'];

/** The segmentation a view shows: the one it names, else the default, else the first listed; null for the builder or none. */
export function defaultSegmentation(all: readonly SegmentationRecord[], selected: string | null): SegmentationRecord | null {
  if (selected === 'new') return null;
  const listed = listedSegmentations(all);
  return listed.find((r) => r.column === selected) ?? DEFAULT_SELECTED.map((c) => listed.find((r) => r.column === c)).find((r) => r) ?? listed[0] ?? null;
}

/** Read the view from URL parameters; a bad draft falls back to an empty one with a message saying why. */
export function segmentsFromParams(p: URLSearchParams): { view: SegmentsView; error: string | null } {
  const s = p.get('s');
  const selected = s && /^[a-z0-9_]{1,63}$/.test(s) ? s : null;
  const r = readJsonParam(p, 'b', validateDraft, () => ({ name: '', filter: { op: 'and' as const, items: [] } }), "The link's segment draft was ignored");
  const bad = s && !selected ? `The link's segmentation ${JSON.stringify(s.slice(0, 40))} is not a segmentation name; showing the default.` : null;
  return { view: { selected, report: p.get('view') === 'report', draft: r.value }, error: r.error ?? bad };
}

/** Write the view as URL parameters (defaults write nothing). */
export function segmentsToParams(v: SegmentsView): Record<string, string | null> {
  return {
    s: v.selected,
    view: v.report ? 'report' : null,
    b: v.selected === 'new' ? jsonParamText(v.draft, EMPTY_DRAFT) : null,
  };
}
