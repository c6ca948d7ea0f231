// Vocabulary pools built once per seed with Faker (names, jobs, cities, brands, product words) plus the place list.
// The generator picks from these with its PRNG (Faker per field is far too slow for a million users), and
// finalizeShopSql rebuilds the same pools from the seed to decode the codes back into text.
import { Faker, en } from '@faker-js/faker';
import { US_STATES, US_SHARE, FOREIGN } from './geo.ts';

/** Every place a user can live, as parallel arrays indexed by place code. */
export interface Places {
  city: string[];
  state: string[];
  country: string[];
  region: string[];
  tz: string[];
  offset: number[]; // hours from UTC (standard time), for the local hour-of-day pattern
  callingCode: number[];
  lang: string[];
  income: number[]; // income factor relative to the US
  weight: number[]; // share of users
}

/** Text pools for one seed. Names are split: femaleCount female first names, then male ones. */
export interface Vocab {
  first: string[];
  femaleCount: number;
  last: string[];
  jobs: string[];
  brands: string[];
  adjectives: string[];
  materials: string[];
  places: Places;
}

const cache = new Map<number, Vocab>();

/** The pools for a seed (cached: generateShop and finalizeShopSql both ask for them). */
export function vocabFor(seed: number): Vocab {
  let v = cache.get(seed);
  if (!v) {
    v = buildVocab(seed);
    if (cache.size > 4) cache.clear();
    cache.set(seed, v);
  }
  return v;
}

function unique(n: number, make: () => string): string[] {
  const seen = new Set<string>();
  for (let tries = 0; seen.size < n && tries < n * 20; tries++) seen.add(make());
  return [...seen];
}

function buildVocab(seed: number): Vocab {
  const faker = new Faker({ locale: [en] });
  faker.seed(seed);
  const female = unique(400, () => faker.person.firstName('female'));
  const male = unique(400, () => faker.person.firstName('male'));
  const last = unique(700, () => faker.person.lastName());
  const jobs = unique(250, () => faker.person.jobTitle());
  const usCities = unique(400, () => faker.location.city());
  const brands = unique(70, () => brandName(faker));
  const adjectives = unique(60, () => faker.commerce.productAdjective());
  const materials = unique(30, () => faker.commerce.productMaterial());
  return {
    first: [...female, ...male],
    femaleCount: female.length,
    last,
    jobs,
    brands,
    adjectives,
    materials,
    places: buildPlaces(usCities),
  };
}

function brandName(faker: Faker): string {
  const base = faker.person.lastName().replace(/[^A-Za-z]/g, '');
  const suffix = ['', '', ' & Co', ' Labs', 'ly', ' Works', 'ify', ' Goods'][faker.number.int(7)];
  return base + suffix;
}

function buildPlaces(usCities: string[]): Places {
  const p: Places = {
    city: [], state: [], country: [], region: [], tz: [], offset: [], callingCode: [], lang: [], income: [], weight: [],
  };
  const usPop = US_STATES.reduce((s, st) => s + st[2], 0);
  let next = 0;
  for (const [name, region, pop, tz, offset] of US_STATES) {
    const k = Math.max(2, Math.round(pop / 1.5));
    let norm = 0;
    for (let j = 0; j < k; j++) norm += 1 / (j + 1);
    for (let j = 0; j < k; j++) {
      p.city.push(usCities[next++ % usCities.length]);
      p.state.push(name);
      p.country.push('United States');
      p.region.push(region);
      p.tz.push(tz);
      p.offset.push(offset);
      p.callingCode.push(1);
      p.lang.push('en-US');
      p.income.push(1);
      p.weight.push(((US_SHARE * pop) / usPop) * (1 / (j + 1) / norm));
    }
  }
  for (const [country, region, province, city, tz, offset, cc, lang, income, share] of FOREIGN) {
    p.city.push(city);
    p.state.push(province);
    p.country.push(country);
    p.region.push(region);
    p.tz.push(tz);
    p.offset.push(offset);
    p.callingCode.push(cc);
    p.lang.push(lang);
    p.income.push(income);
    p.weight.push(share);
  }
  return p;
}

/** Language codes a user may have (the place's language, or es-US for some US users). */
export function languages(v: Vocab): string[] {
  return [...new Set([...v.places.lang, 'es-US'])];
}
