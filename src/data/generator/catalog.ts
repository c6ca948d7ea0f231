// The product catalogue (~200 products) and the per-income-band picking weights that make richer users buy pricier.
import { Prng } from './prng.ts';
import { CATEGORIES } from './codes.ts';
import { CATALOG } from './catalog-data.ts';
import type { Vocab } from './vocab.ts';
import type { Column } from './arrow.ts';

/** Income thresholds (dollars) splitting users into 5 bands for price affinity. */
export const INCOME_BANDS = [35_000, 55_000, 80_000, 120_000] as const;

/** Which income band (0-4) an income falls in. */
export function incomeBand(income: number): number {
  let b = 0;
  while (b < INCOME_BANDS.length && income >= INCOME_BANDS[b]) b++;
  return b;
}

/** Products as parallel arrays, grouped by category, plus cumulative picking weights per income band. */
export interface Catalog {
  n: number;
  category: Int8Array;
  price: Float64Array;
  catFrom: Int32Array; // first product index of each category
  catTo: Int32Array; // one past the last
  cumByBand: Float64Array[]; // global cumulative weights; pick within [catFrom, catTo)
  columns: Record<string, Column>; // the stg_products table
}

const BAND_CENTER = [0.12, 0.3, 0.5, 0.7, 0.88];

/** Build the catalogue for a seed (its own PRNG stream, so it never shifts when user counts change). */
export function buildCatalog(seed: number, vocab: Vocab): Catalog {
  const rng = new Prng(seed ^ 0x5eed_c47a);
  const names: string[] = [];
  const cats: string[] = [];
  const subs: string[] = [];
  const brands: string[] = [];
  const prices: number[] = [];
  const ratings: number[] = [];
  const reviews: number[] = [];
  const pct: number[] = [];
  const pop: number[] = [];
  const catIdx: number[] = [];
  const catFrom = new Int32Array(CATEGORIES.length);
  const catTo = new Int32Array(CATEGORIES.length);
  CATALOG.forEach(({ count, subs: subList }, c) => {
    catFrom[c] = prices.length;
    const catBrands = Array.from({ length: 6 }, () => vocab.brands[rng.int(vocab.brands.length)]);
    const start = prices.length;
    for (let i = 0; i < count; i++) {
      const [sub, lo, hi, nouns] = subList[i % subList.length];
      const noun = nouns[rng.int(nouns.length)];
      const brand = catBrands[rng.int(catBrands.length)];
      const word = rng.chance(0.3)
        ? vocab.materials[rng.int(vocab.materials.length)]
        : vocab.adjectives[rng.int(vocab.adjectives.length)];
      const price = Math.min(499.99, Math.floor(lo * Math.pow(hi / lo, rng.next())) + 0.99);
      const p = Math.pow(1 + rng.int(count), -0.9);
      names.push(c === 5 ? `The ${word} ${noun}` : `${brand} ${word} ${noun}`);
      cats.push(CATEGORIES[c]);
      subs.push(sub);
      brands.push(c === 5 ? `${brand} Press` : brand);
      prices.push(price);
      ratings.push(Math.round(Math.max(2.5, Math.min(5, 4.3 + 0.35 * rng.normal())) * 10) / 10);
      reviews.push(Math.round(p * (200 + rng.int(1500))));
      pop.push(p);
      catIdx.push(c);
    }
    const order = prices.slice(start).map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    order.forEach(([, i], rank) => (pct[start + i] = (rank + 0.5) / count));
    catTo[c] = prices.length;
  });
  const cumByBand = BAND_CENTER.map((center) => {
    const cum = new Float64Array(prices.length);
    let s = 0;
    for (let i = 0; i < prices.length; i++) {
      const d = pct[i] - center;
      cum[i] = s += pop[i] * Math.exp((-d * d) / (2 * 0.22 * 0.22));
    }
    return cum;
  });
  return {
    n: prices.length,
    category: Int8Array.from(catIdx),
    price: Float64Array.from(prices),
    catFrom,
    catTo,
    cumByBand,
    columns: {
      product_idx: Int32Array.from(prices.map((_, i) => i)),
      name: names,
      category: cats,
      subcategory: subs,
      brand: brands,
      price: Float64Array.from(prices),
      rating: Float64Array.from(ratings),
      review_count: Int32Array.from(reviews),
    },
  };
}
