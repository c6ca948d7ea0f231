// Geography: US states (census region, population, time zone) and a few foreign cities, for user locations.

/** A US state: name, census region, population in millions, IANA time zone, UTC offset (standard time). */
export type UsState = readonly [name: string, region: string, pop: number, tz: string, offset: number];

const NE = 'Northeast';
const MW = 'Midwest';
const S = 'South';
const W = 'West';
const E: [string, number] = ['America/New_York', -5];
const C: [string, number] = ['America/Chicago', -6];
const M: [string, number] = ['America/Denver', -7];
const P: [string, number] = ['America/Los_Angeles', -8];

/** US states and DC with census regions; most users live here. */
export const US_STATES: readonly UsState[] = (
  [
    ['California', W, 39.0, P], ['Texas', S, 30.5, C], ['Florida', S, 22.6, E], ['New York', NE, 19.6, E],
    ['Pennsylvania', NE, 13.0, E], ['Illinois', MW, 12.5, C], ['Ohio', MW, 11.8, E], ['Georgia', S, 11.0, E],
    ['North Carolina', S, 10.8, E], ['Michigan', MW, 10.0, E], ['New Jersey', NE, 9.3, E], ['Virginia', S, 8.7, E],
    ['Washington', W, 7.8, P], ['Arizona', W, 7.4, ['America/Phoenix', -7]], ['Tennessee', S, 7.1, C],
    ['Massachusetts', NE, 7.0, E], ['Indiana', MW, 6.9, E], ['Missouri', MW, 6.2, C], ['Maryland', S, 6.2, E],
    ['Wisconsin', MW, 5.9, C], ['Colorado', W, 5.9, M], ['Minnesota', MW, 5.7, C], ['South Carolina', S, 5.4, E],
    ['Alabama', S, 5.1, C], ['Louisiana', S, 4.6, C], ['Kentucky', S, 4.5, E], ['Oregon', W, 4.2, P],
    ['Oklahoma', S, 4.1, C], ['Connecticut', NE, 3.6, E], ['Utah', W, 3.4, M], ['Iowa', MW, 3.2, C],
    ['Nevada', W, 3.2, P], ['Arkansas', S, 3.1, C], ['Mississippi', S, 2.9, C], ['Kansas', MW, 2.9, C],
    ['New Mexico', W, 2.1, M], ['Nebraska', MW, 2.0, C], ['Idaho', W, 1.96, M], ['West Virginia', S, 1.77, E],
    ['Hawaii', W, 1.44, ['Pacific/Honolulu', -10]], ['New Hampshire', NE, 1.4, E], ['Maine', NE, 1.4, E],
    ['Montana', W, 1.13, M], ['Rhode Island', NE, 1.1, E], ['Delaware', S, 1.03, E], ['South Dakota', MW, 0.92, C],
    ['North Dakota', MW, 0.78, C], ['Alaska', W, 0.73, ['America/Anchorage', -9]], ['District of Columbia', S, 0.68, E],
    ['Vermont', NE, 0.65, E], ['Wyoming', W, 0.58, M],
  ] as const
).map(([n, r, p, [tz, off]]) => [n, r, p, tz, off] as const);

/** Share of all users living in the US (percent). */
export const US_SHARE = 70;

/**
 * A foreign city: country, region label, province/state, city, time zone, UTC offset, calling code, language,
 * income factor relative to the US, and share of all users (percent).
 */
export type ForeignCity = readonly [
  country: string, region: string, province: string, city: string,
  tz: string, offset: number, callingCode: number, lang: string, income: number, share: number,
];

/** Foreign cities; shares add up to 100 - US_SHARE. */
export const FOREIGN: readonly ForeignCity[] = [
  ['Canada', 'Canada', 'Ontario', 'Toronto', 'America/Toronto', -5, 1, 'en-CA', 0.85, 2.6],
  ['Canada', 'Canada', 'Ontario', 'Ottawa', 'America/Toronto', -5, 1, 'en-CA', 0.85, 0.7],
  ['Canada', 'Canada', 'Quebec', 'Montreal', 'America/Toronto', -5, 1, 'fr-CA', 0.8, 1.4],
  ['Canada', 'Canada', 'British Columbia', 'Vancouver', 'America/Vancouver', -8, 1, 'en-CA', 0.85, 1.3],
  ['Canada', 'Canada', 'Alberta', 'Calgary', 'America/Edmonton', -7, 1, 'en-CA', 0.9, 1.0],
  ['United Kingdom', 'Europe', 'England', 'London', 'Europe/London', 0, 44, 'en-GB', 0.85, 3.0],
  ['United Kingdom', 'Europe', 'England', 'Manchester', 'Europe/London', 0, 44, 'en-GB', 0.75, 1.2],
  ['United Kingdom', 'Europe', 'England', 'Birmingham', 'Europe/London', 0, 44, 'en-GB', 0.72, 1.0],
  ['United Kingdom', 'Europe', 'Scotland', 'Edinburgh', 'Europe/London', 0, 44, 'en-GB', 0.78, 0.8],
  ['Germany', 'Europe', 'Berlin', 'Berlin', 'Europe/Berlin', 1, 49, 'de-DE', 0.8, 1.5],
  ['Germany', 'Europe', 'Bavaria', 'Munich', 'Europe/Berlin', 1, 49, 'de-DE', 0.95, 1.2],
  ['Germany', 'Europe', 'Hamburg', 'Hamburg', 'Europe/Berlin', 1, 49, 'de-DE', 0.85, 0.8],
  ['France', 'Europe', 'Île-de-France', 'Paris', 'Europe/Paris', 1, 33, 'fr-FR', 0.8, 1.6],
  ['France', 'Europe', 'Auvergne-Rhône-Alpes', 'Lyon', 'Europe/Paris', 1, 33, 'fr-FR', 0.7, 0.9],
  ['Spain', 'Europe', 'Madrid', 'Madrid', 'Europe/Madrid', 1, 34, 'es-ES', 0.6, 0.8],
  ['Spain', 'Europe', 'Catalonia', 'Barcelona', 'Europe/Madrid', 1, 34, 'es-ES', 0.6, 0.7],
  ['Netherlands', 'Europe', 'North Holland', 'Amsterdam', 'Europe/Amsterdam', 1, 31, 'nl-NL', 0.85, 1.0],
  ['Australia', 'Asia-Pacific', 'New South Wales', 'Sydney', 'Australia/Sydney', 10, 61, 'en-AU', 0.9, 1.5],
  ['Australia', 'Asia-Pacific', 'Victoria', 'Melbourne', 'Australia/Melbourne', 10, 61, 'en-AU', 0.88, 1.3],
  ['Australia', 'Asia-Pacific', 'Queensland', 'Brisbane', 'Australia/Brisbane', 10, 61, 'en-AU', 0.82, 0.7],
  ['Japan', 'Asia-Pacific', 'Tokyo', 'Tokyo', 'Asia/Tokyo', 9, 81, 'ja-JP', 0.75, 1.0],
  ['Japan', 'Asia-Pacific', 'Osaka', 'Osaka', 'Asia/Tokyo', 9, 81, 'ja-JP', 0.68, 0.5],
  ['India', 'Asia-Pacific', 'Maharashtra', 'Mumbai', 'Asia/Kolkata', 5.5, 91, 'en-IN', 0.3, 0.6],
  ['India', 'Asia-Pacific', 'Karnataka', 'Bengaluru', 'Asia/Kolkata', 5.5, 91, 'en-IN', 0.35, 0.5],
  ['India', 'Asia-Pacific', 'Delhi', 'New Delhi', 'Asia/Kolkata', 5.5, 91, 'hi-IN', 0.28, 0.4],
  ['Brazil', 'Latin America', 'São Paulo', 'São Paulo', 'America/Sao_Paulo', -3, 55, 'pt-BR', 0.35, 0.6],
  ['Brazil', 'Latin America', 'Rio de Janeiro', 'Rio de Janeiro', 'America/Sao_Paulo', -3, 55, 'pt-BR', 0.3, 0.4],
  ['Mexico', 'Latin America', 'Mexico City', 'Mexico City', 'America/Mexico_City', -6, 52, 'es-MX', 0.32, 0.6],
  ['Mexico', 'Latin America', 'Jalisco', 'Guadalajara', 'America/Mexico_City', -6, 52, 'es-MX', 0.28, 0.4],
];
