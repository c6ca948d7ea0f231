// The Funnels screen's state <-> one URL parameter ("f", JSON of the funnel spec). Validated on the way in.
import { DEFAULT_FUNNEL, defaultFunnelFor, validateFunnelSpec, type FunnelSpec } from '../../analyses/funnel/index.ts';
import { messageOf } from '../../errors.ts';

/**
 * Read the spec from the URL; without one (or with a bad one, plus a message saying why) the default funnel fitted
 * to the dataset's event types.
 */
export function funnelFromParams(p: URLSearchParams, eventTypes: readonly string[]): { spec: FunnelSpec; error: string | null } {
  const text = p.get('f');
  if (!text) return { spec: defaultFunnelFor(eventTypes), error: null };
  try {
    return { spec: validateFunnelSpec(JSON.parse(text)), error: null };
  } catch (err) {
    const why = err instanceof SyntaxError ? 'it is not valid JSON' : messageOf(err);
    return { spec: defaultFunnelFor(eventTypes), error: `The link's funnel settings were ignored: ${why}` };
  }
}

/** Write the spec as URL parameters; the default writes none. */
export function funnelToParams(spec: FunnelSpec): Record<string, string | null> {
  const text = JSON.stringify(spec);
  return { f: text === JSON.stringify(DEFAULT_FUNNEL) ? null : text };
}
