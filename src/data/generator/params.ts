// Generator parameters, their validation, and the fixed calendar every generated shop ends on.
import { StrataError } from '../../errors.ts';

/** What to generate: how many users, over how many days, from which seed. */
export interface GenParams {
  users: number;
  days: number;
  seed: number;
}

/** The reference shop: 5,000 users over a year, seed 42. */
export const DEFAULT_PARAMS: GenParams = { users: 5000, days: 365, seed: 42 };

/** Every generated shop ends here (2025-12-31 23:59:59 UTC), so runs are reproducible and include the holidays. */
export const END_MS = Date.UTC(2025, 11, 31, 23, 59, 59);

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

/** First millisecond covered: midnight UTC `days` days before 2026-01-01. */
export function startMs(p: GenParams): number {
  return Date.UTC(2026, 0, 1) - p.days * DAY_MS;
}

const LIMITS = {
  users: [10, 2_000_000],
  days: [7, 3650],
  seed: [0, 2 ** 31 - 1],
} as const;

/** Check untrusted input (URL, form, worker message) and return clean params, or throw a StrataError saying why. */
export function validateParams(p: unknown): GenParams {
  if (p === null || typeof p !== 'object' || Array.isArray(p)) {
    throw new StrataError('Generator settings must be an object with users, days and seed.');
  }
  const obj = p as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => !(k in LIMITS));
  if (unknown.length) {
    throw new StrataError(`Unknown generator setting(s): ${unknown.join(', ')}. Allowed: users, days, seed.`);
  }
  const out: Record<string, number> = {};
  for (const [key, [lo, hi]] of Object.entries(LIMITS)) {
    const v = obj[key];
    if (v === undefined) throw new StrataError(`Generator setting "${key}" is missing.`);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
      const shown = typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v);
      throw new StrataError(
        `Generator setting "${key}" must be a whole number from ${lo.toLocaleString('en-US')} to ${hi.toLocaleString('en-US')} (got ${shown}).`,
      );
    }
    out[key] = v;
  }
  return { users: out.users, days: out.days, seed: out.seed };
}
