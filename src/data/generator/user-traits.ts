// Small per-user trait draws (device, OS/browser, education, marital status, household) kept out of users.ts.
import { cumulative, type Prng } from './prng.ts';
import { EDUCATION_W } from './codes.ts';

/** Device code (0 mobile, 1 desktop, 2 tablet): the young lean mobile, older users more tablet and desktop. */
export function pickDevice(rng: Prng, age: number): number {
  const mobile = 0.7 - (age - 18) * 0.0065;
  const tablet = age > 55 ? 0.16 : 0.09;
  const r = rng.next();
  return r < mobile ? 0 : r < mobile + tablet ? 2 : 1;
}

/** [os, browser] codes for a device, in OSES / BROWSERS order. */
export function pickPlatform(rng: Prng, device: number): [number, number] {
  const r = rng.next();
  const b = rng.next();
  if (device === 0) {
    if (r < 0.55) return [0, b < 0.82 ? 1 : 0];
    return [1, b < 0.74 ? 0 : b < 0.95 ? 4 : 2];
  }
  if (device === 2) return r < 0.66 ? [6, b < 0.86 ? 1 : 0] : [1, 0];
  if (r < 0.62) return [2, b < 0.64 ? 0 : b < 0.88 ? 3 : b < 0.97 ? 2 : 5];
  if (r < 0.9) return [3, b < 0.5 ? 1 : b < 0.94 ? 0 : 2];
  if (r < 0.94) return [4, b < 0.55 ? 2 : 0];
  return [5, 0];
}

const EDU_CUM = cumulative(EDUCATION_W);

/** Education code; under-23s have not finished a degree yet. */
export function pickEducation(rng: Prng, age: number): number {
  if (age < 21) return rng.chance(0.55) ? 0 : 1;
  const max = age < 23 ? 3 : age < 26 ? 5 : 6;
  const x = rng.next() * EDU_CUM[max - 1];
  let e = 0;
  while (EDU_CUM[e] <= x) e++;
  return e;
}

/** Marital status code (MARITAL order) by age. */
export function pickMarital(rng: Prng, age: number): number {
  const r = rng.next();
  if (age < 25) return r < 0.8 ? 0 : r < 0.88 ? 1 : 4;
  if (age < 40) return r < 0.35 ? 0 : r < 0.8 ? 1 : r < 0.88 ? 2 : 4;
  if (age < 60) return r < 0.16 ? 0 : r < 0.7 ? 1 : r < 0.9 ? 2 : r < 0.93 ? 3 : 4;
  return r < 0.1 ? 0 : r < 0.6 ? 1 : r < 0.78 ? 2 : r < 0.95 ? 3 : 4;
}

/** Household size 1-7: couples often have children, singles mostly live alone. */
export function pickHousehold(rng: Prng, marital: number, age: number): number {
  const couple = marital === 1 || marital === 4;
  let n = couple ? 2 : rng.chance(0.7) ? 1 : 2;
  if (age >= 25 && age <= 55) while (n < 7 && rng.chance(couple ? 0.45 : 0.15)) n++;
  return n;
}

/** Age 18-75, centred in the late thirties. */
export function pickAge(rng: Prng): number {
  for (;;) {
    const a = Math.round(37 + 13 * rng.normal());
    if (a >= 18 && a <= 75) return a;
  }
}
