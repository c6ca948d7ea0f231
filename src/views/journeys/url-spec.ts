// The Journeys screen's state <-> one URL parameter ("j", JSON): the paths spec, validated on the way in.
import { DEFAULT_PATHS, validatePathsSpec, type PathsSpec } from '../../analyses/paths/index.ts';
import { jsonParamText, readJsonParam } from '../../state/url-json.ts';

/** Read the spec from the URL; a bad link falls back to the default with a message saying why. */
export function journeysFromParams(p: URLSearchParams): { spec: PathsSpec; error: string | null } {
  const r = readJsonParam(p, 'j', validatePathsSpec, () => validatePathsSpec({}), "The link's journeys settings were ignored");
  return { spec: r.value, error: r.error };
}

/** Write the spec as URL parameters; the default writes none. */
export function journeysToParams(spec: PathsSpec): Record<string, string | null> {
  return { j: jsonParamText(spec, DEFAULT_PATHS) };
}
