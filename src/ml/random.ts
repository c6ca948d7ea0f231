// Seeded randomness for every ML module: the generator's sfc32 stream (same seed => same draws in Node and in every
// browser), plus the sampling helpers the algorithms share. Never Math.random.
import { Prng } from '../data/generator/prng.ts';

export { Prng };

/** `k` distinct indexes from 0..n-1 in random order (a partial Fisher–Yates); all of them when k >= n. */
export function sampleIndexes(rng: Prng, n: number, k: number): Uint32Array {
  const m = Math.min(k, n);
  const pool = new Uint32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  return pool.slice(0, m);
}

/** The indexes 0..n-1 shuffled. */
export function permutation(rng: Prng, n: number): Uint32Array {
  return sampleIndexes(rng, n, n);
}
