// A screen's settings as one JSON URL parameter: read through the screen's validator (a bad link falls back with a
// message saying why) and written only when it differs from the default, so plain links stay short.
import { messageOf } from '../errors.ts';
import { checkJsonText } from '../analyses/limits.ts';

/**
 * Read parameter `key` through `validate`; missing gives `fallback()`, bad gives `fallback()` and `${ignored}: why`.
 * Text over the link limits (src/analyses/limits.ts) is refused before it is parsed; `validate` enforces the rest.
 */
export function readJsonParam<T>(
  p: URLSearchParams,
  key: string,
  validate: (x: unknown) => T,
  fallback: () => T,
  ignored: string,
): { value: T; error: string | null } {
  const text = p.get(key);
  if (!text) return { value: fallback(), error: null };
  try {
    checkJsonText(text);
    return { value: validate(JSON.parse(text)), error: null };
  } catch (err) {
    const why = err instanceof SyntaxError ? 'it is not valid JSON' : messageOf(err);
    return { value: fallback(), error: `${ignored}: ${why}` };
  }
}

/** Why parameter text would be refused when the link is read back (readJsonParam's checks), or null if it reads. */
export function jsonParamProblem(text: string | null, validate: (x: unknown) => unknown): string | null {
  if (text === null) return null;
  try {
    checkJsonText(text);
    validate(JSON.parse(text));
    return null;
  } catch (err) {
    return messageOf(err);
  }
}

/** The parameter's text, or null (no parameter) when `value` serialises like `defaultValue`. */
export function jsonParamText(value: unknown, defaultValue: unknown): string | null {
  const text = JSON.stringify(value);
  return text === JSON.stringify(defaultValue) ? null : text;
}
