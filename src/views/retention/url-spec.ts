// The Retention screen's state <-> one URL parameter ("r", JSON): the cohort spec, an optional second group to
// compare, and what the triangle shows. Validated on the way in.
import { DEFAULT_COHORT, validateCohortSpec, type CohortSpec, type EventMatch } from '../../analyses/cohort/index.ts';
import { completeOnly } from '../../analyses/filter/filter-edit.ts';
import { validateFilter, type FilterGroup } from '../../analyses/filter/spec.ts';
import { LinkBudget } from '../../analyses/limits.ts';
import { StrataError } from '../../errors.ts';
import { jsonParamProblem, jsonParamText, readJsonParam } from '../../state/url-json.ts';
import { isFieldId } from '../../analyses/fields.ts';

/** What the triangle's cells show. */
export type CellMeasure = 'rate' | 'users' | 'revenue' | 'ltv';

/** The whole screen state. */
export interface RetentionView {
  cohort: CohortSpec;
  /** A second users filter to compare with the first (null: no comparison). */
  compare: FilterGroup | null;
  /** A user text column to split by: one average row and curve per value (its 6 most common values). */
  split: string | null;
  measure: CellMeasure;
}

const MEASURES: readonly CellMeasure[] = ['rate', 'users', 'revenue', 'ltv'];

/** Validate an untrusted view state; the cohort's filters and the comparison filter share one budget. */
export function validateRetentionView(x: unknown): RetentionView {
  const budget = new LinkBudget();
  if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new StrataError('The retention settings must be an object.');
  const { compare, measure, split, ...cohort } = x as Record<string, unknown>;
  if (measure !== undefined && !MEASURES.includes(measure as CellMeasure)) throw new StrataError(`Unknown cell measure ${JSON.stringify(measure)}.`);
  if (split !== undefined && split !== null && !(isFieldId(split) && !split.startsWith('e.'))) throw new StrataError('Split by a user column such as "u.country".');
  return {
    cohort: validateCohortSpec(cohort, budget),
    compare: compare === undefined || compare === null ? null : validateFilter(compare, budget),
    split: (split as string | null | undefined) ?? null,
    measure: (measure as CellMeasure | undefined) ?? 'rate',
  };
}

/** Read the view from the URL; a bad link falls back to the default with a message saying why. */
export function retentionFromParams(p: URLSearchParams): { view: RetentionView; error: string | null } {
  const r = readJsonParam(p, 'r', validateRetentionView, () => validateRetentionView({}), "The link's retention settings were ignored");
  return { view: r.value, error: r.error };
}

/** Why these parameters would be refused as a link (over a limit, say), or null: check before writing them. */
export function retentionParamsProblem(params: Record<string, string | null>): string | null {
  return jsonParamProblem(params.r ?? null, validateRetentionView);
}

/** Write the view as URL parameters; the default writes none. */
export function retentionToParams(v: RetentionView): Record<string, string | null> {
  const flat = { ...v.cohort, compare: v.compare, split: v.split, measure: v.measure };
  return { r: jsonParamText(flat, { ...DEFAULT_COHORT, compare: null, split: null, measure: 'rate' }) };
}

/** What runs: conditions still being typed are left out until complete (the screen and its dashboard tile). */
export function runnableRetention(view: RetentionView): RetentionView {
  const clean = (m: EventMatch): EventMatch => (m.filter ? { ...m, filter: completeOnly(m.filter) } : m);
  const c = view.cohort;
  const start = c.start.by === 'event' ? { by: 'event' as const, event: clean(c.start.event) } : c.start;
  const cohort: CohortSpec = { ...c, start, returns: clean(c.returns), users: completeOnly(c.users) };
  return { ...view, cohort, compare: view.compare ? completeOnly(view.compare) : null };
}
