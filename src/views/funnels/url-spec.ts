// The Funnels screen's state <-> one URL parameter ("f", JSON of the funnel spec). Validated on the way in.
import { DEFAULT_FUNNEL, validateFunnelSpec, type FunnelSpec } from '../../analyses/funnel/index.ts';
import { messageOf } from '../../errors.ts';

/** Read the spec from the URL; a bad link falls back to the default with a message saying why. */
export function funnelFromParams(p: URLSearchParams): { spec: FunnelSpec; error: string | null } {
  const text = p.get('f');
  if (!text) return { spec: validateFunnelSpec({}), error: null };
  try {
    return { spec: validateFunnelSpec(JSON.parse(text)), error: null };
  } catch (err) {
    const why = err instanceof SyntaxError ? 'it is not valid JSON' : messageOf(err);
    return { spec: validateFunnelSpec({}), error: `The link's funnel settings were ignored: ${why}` };
  }
}

/** Write the spec as URL parameters; the default writes none. */
export function funnelToParams(spec: FunnelSpec): Record<string, string | null> {
  const text = JSON.stringify(spec);
  return { f: text === JSON.stringify(DEFAULT_FUNNEL) ? null : text };
}
