// The pivot spec <-> one URL parameter ("p", compact JSON), validated on the way in.
import { DEFAULT_PIVOT, validatePivotSpec, type PivotSpec } from '../../analyses/pivot/index.ts';
import { messageOf } from '../../errors.ts';

/** Read the spec from the URL; a bad link falls back to the default pivot with a message saying why. */
export function pivotFromParams(p: URLSearchParams): { spec: PivotSpec; error: string | null } {
  const text = p.get('p');
  if (!text) return { spec: validatePivotSpec({}), error: null };
  try {
    return { spec: validatePivotSpec(JSON.parse(text)), error: null };
  } catch (err) {
    const why = err instanceof SyntaxError ? 'it is not valid JSON' : messageOf(err);
    return { spec: validatePivotSpec({}), error: `The link's pivot was ignored: ${why}` };
  }
}

/** Write the spec as URL parameters; the default pivot writes none, so the plain link stays short. */
export function pivotToParams(s: PivotSpec): Record<string, string | null> {
  const text = JSON.stringify(s);
  return { p: text === JSON.stringify(validatePivotSpec(DEFAULT_PIVOT)) ? null : text };
}
