// The Funnels screen's state <-> one URL parameter ("f", JSON of the funnel spec). Validated on the way in.
import { DEFAULT_FUNNEL, defaultFunnelFor, validateFunnelSpec, type FunnelSpec } from '../../analyses/funnel/index.ts';
import { jsonParamText, readJsonParam } from '../../state/url-json.ts';
import { completeOnly } from '../../analyses/filter/filter-edit.ts';

/**
 * Read the spec from the URL; without one (or with a bad one, plus a message saying why) the default funnel fitted
 * to the dataset's event types.
 */
export function funnelFromParams(p: URLSearchParams, eventTypes: readonly string[]): { spec: FunnelSpec; error: string | null } {
  const r = readJsonParam(p, 'f', validateFunnelSpec, () => defaultFunnelFor(eventTypes), "The link's funnel settings were ignored");
  return { spec: r.value, error: r.error };
}

/** Write the spec as URL parameters; the default writes none. */
export function funnelToParams(spec: FunnelSpec): Record<string, string | null> {
  return { f: jsonParamText(spec, DEFAULT_FUNNEL) };
}

/** What runs: conditions still being typed are left out until complete (the screen and its dashboard tile). */
export function runnableFunnel(spec: FunnelSpec): FunnelSpec {
  return {
    ...spec,
    steps: spec.steps.map((s) => (s.filter ? { ...s, filter: completeOnly(s.filter) } : s)),
    exclusions: spec.exclusions.map((x) => (x.filter ? { ...x, filter: completeOnly(x.filter) } : x)),
    users: completeOnly(spec.users),
  };
}
