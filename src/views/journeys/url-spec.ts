// The Journeys screen's state <-> one URL parameter ("j", JSON): the paths spec, validated on the way in.
import { DEFAULT_PATHS, validatePathsSpec, type PathsSpec } from '../../analyses/paths/index.ts';
import { messageOf } from '../../errors.ts';

/** Read the spec from the URL; a bad link falls back to the default with a message saying why. */
export function journeysFromParams(p: URLSearchParams): { spec: PathsSpec; error: string | null } {
  const text = p.get('j');
  if (!text) return { spec: validatePathsSpec({}), error: null };
  try {
    return { spec: validatePathsSpec(JSON.parse(text)), error: null };
  } catch (err) {
    const why = err instanceof SyntaxError ? 'it is not valid JSON' : messageOf(err);
    return { spec: validatePathsSpec({}), error: `The link's journeys settings were ignored: ${why}` };
  }
}

/** Write the spec as URL parameters; the default writes none. */
export function journeysToParams(spec: PathsSpec): Record<string, string | null> {
  const text = JSON.stringify(spec);
  return { j: text === JSON.stringify(DEFAULT_PATHS) ? null : text };
}
