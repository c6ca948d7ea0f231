// The Journeys screen's state <-> one URL parameter ("j", JSON): the paths spec, validated on the way in.
import { DEFAULT_PATHS, defaultPathsFor, validatePathsSpec, type PathsSpec } from '../../analyses/paths/index.ts';
import { jsonParamText, readJsonParam } from '../../state/url-json.ts';

/**
 * Read the spec from the URL; without one (or with a bad one, plus a message saying why) the default fitted to the
 * dataset's event types.
 */
export function journeysFromParams(p: URLSearchParams, eventTypes: readonly string[] = []): { spec: PathsSpec; error: string | null } {
  const r = readJsonParam(p, 'j', validatePathsSpec, () => defaultPathsFor(eventTypes), "The link's journeys settings were ignored");
  return { spec: r.value, error: r.error };
}

/** Write the spec as URL parameters; the default writes none. */
export function journeysToParams(spec: PathsSpec): Record<string, string | null> {
  return { j: jsonParamText(spec, DEFAULT_PATHS) };
}
