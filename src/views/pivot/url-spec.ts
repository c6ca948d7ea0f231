// The pivot spec <-> one URL parameter ("p", compact JSON), validated on the way in.
import { DEFAULT_PIVOT, validatePivotSpec, type PivotSpec } from '../../analyses/pivot/index.ts';
import { jsonParamProblem, jsonParamText, readJsonParam } from '../../state/url-json.ts';

/** Read the spec from the URL; a bad link falls back to the default pivot with a message saying why. */
export function pivotFromParams(p: URLSearchParams): { spec: PivotSpec; error: string | null } {
  const r = readJsonParam(p, 'p', validatePivotSpec, () => validatePivotSpec({}), "The link's pivot was ignored");
  return { spec: r.value, error: r.error };
}

/** Write the spec as URL parameters; the default pivot writes none, so the plain link stays short. */
export function pivotToParams(s: PivotSpec): Record<string, string | null> {
  return { p: jsonParamText(s, validatePivotSpec(DEFAULT_PIVOT)) };
}

/** Why these parameters would be refused as a link (over a limit, say), or null: check before writing them. */
export function pivotParamsProblem(params: Record<string, string | null>): string | null {
  return jsonParamProblem(params.p ?? null, validatePivotSpec);
}

/**
 * `next` with every top-level part that equals `prev`'s taken from `prev` (and `prev` itself when nothing
 * changed), so a URL change that touches one part of the pivot does not re-render the editors of the others.
 */
export function keepUnchanged(prev: PivotSpec | null, next: PivotSpec): PivotSpec {
  if (!prev) return next;
  let same = true;
  const out = { ...next } as Record<string, unknown>;
  for (const k of Object.keys(next) as (keyof PivotSpec)[]) {
    if (JSON.stringify(prev[k]) === JSON.stringify(next[k])) out[k] = prev[k];
    else same = false;
  }
  return same ? prev : (out as unknown as PivotSpec);
}
