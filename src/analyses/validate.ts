// Small checks every spec validator uses on untrusted input (URL, storage, UI), each throwing a StrataError that
// names the setting and says what it must be.
import { StrataError } from '../errors.ts';

/** A whole number in [lo, hi]. */
export function int(v: unknown, lo: number, hi: number, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new StrataError(`The ${what} must be a whole number from ${lo} to ${hi}; got ${JSON.stringify(v) ?? 'nothing'}.`);
  }
  return v;
}

/** One of a fixed list of strings. */
export function oneOf<T extends string>(v: unknown, allowed: readonly T[], what: string): T {
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  throw new StrataError(`The ${what} must be one of ${allowed.join(', ')}; got ${JSON.stringify(v) ?? 'nothing'}.`);
}

/** A plain object (not null, not a list). */
export function obj(x: unknown, what: string): Record<string, unknown> {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new StrataError(`${what} must be an object.`);
  return x as Record<string, unknown>;
}

/** No keys beyond `keys` (a spec rejects what it does not know). */
export function only(o: Record<string, unknown>, keys: readonly string[], what: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new StrataError(`Unknown ${what} ${JSON.stringify(k)}.`);
}

/** Whether `o` has its own key `k`. */
export function has(o: Record<string, unknown>, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}
