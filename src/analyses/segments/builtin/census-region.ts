// US Census region (Northeast, Midwest, South, West) from the user's state; Other outside the US.
// State column: users.state when the dataset has one, else users.region (imports map a "state"/"province" column
// onto region). Country column: users.country when present (optional).
// Matching: state and country cleaned (whitespace runs one space, trimmed), lower case, dots removed ("D.C." = "dc").
// The state matches a full name or a two-letter USPS code of the 50 states and DC (STATE_REGIONS), or a region's
// own name (a region column that already holds "Midwest" keeps it).
//   country is a US spelling (US_COUNTRY_NAMES)  -> the state's region; Unknown when the state is blank or unmatched
//   country blank / NULL / no country column     -> the state's region when it matches; else Unknown
//   any other country                            -> Other (whatever the state says)
// Puerto Rico and other territories are in no census region: with a US country they are Unknown.
import { joinSql, raw, sql, type Sql } from '../../../sql/quote.ts';
import { cleanSql, inList, missing, pick, validateNone, type BuiltinSegmentation, type Columns, type Need } from './common.ts';

export const id = 'census-region';
export const name = 'US Census region';
export const description = 'Northeast, Midwest, South or West from the state; Other for users outside the US.';

/** The four census regions. */
export const CENSUS_REGIONS = ['Northeast', 'Midwest', 'South', 'West'] as const;

/** State (full name) → [USPS code, census region]: the 50 states and DC. */
export const STATE_REGIONS: Readonly<Record<string, readonly [code: string, region: (typeof CENSUS_REGIONS)[number]]>> = {
  Connecticut: ['CT', 'Northeast'], Maine: ['ME', 'Northeast'], Massachusetts: ['MA', 'Northeast'],
  'New Hampshire': ['NH', 'Northeast'], 'Rhode Island': ['RI', 'Northeast'], Vermont: ['VT', 'Northeast'],
  'New Jersey': ['NJ', 'Northeast'], 'New York': ['NY', 'Northeast'], Pennsylvania: ['PA', 'Northeast'],
  Illinois: ['IL', 'Midwest'], Indiana: ['IN', 'Midwest'], Michigan: ['MI', 'Midwest'], Ohio: ['OH', 'Midwest'],
  Wisconsin: ['WI', 'Midwest'], Iowa: ['IA', 'Midwest'], Kansas: ['KS', 'Midwest'], Minnesota: ['MN', 'Midwest'],
  Missouri: ['MO', 'Midwest'], Nebraska: ['NE', 'Midwest'], 'North Dakota': ['ND', 'Midwest'], 'South Dakota': ['SD', 'Midwest'],
  Delaware: ['DE', 'South'], 'District of Columbia': ['DC', 'South'], Florida: ['FL', 'South'], Georgia: ['GA', 'South'],
  Maryland: ['MD', 'South'], 'North Carolina': ['NC', 'South'], 'South Carolina': ['SC', 'South'], Virginia: ['VA', 'South'],
  'West Virginia': ['WV', 'South'], Alabama: ['AL', 'South'], Kentucky: ['KY', 'South'], Mississippi: ['MS', 'South'],
  Tennessee: ['TN', 'South'], Arkansas: ['AR', 'South'], Louisiana: ['LA', 'South'], Oklahoma: ['OK', 'South'], Texas: ['TX', 'South'],
  Arizona: ['AZ', 'West'], Colorado: ['CO', 'West'], Idaho: ['ID', 'West'], Montana: ['MT', 'West'], Nevada: ['NV', 'West'],
  'New Mexico': ['NM', 'West'], Utah: ['UT', 'West'], Wyoming: ['WY', 'West'], Alaska: ['AK', 'West'],
  California: ['CA', 'West'], Hawaii: ['HI', 'West'], Oregon: ['OR', 'West'], Washington: ['WA', 'West'],
};

/** Extra state spellings (lower case, no dots) for DC. */
const STATE_ALIASES: Readonly<Record<string, (typeof CENSUS_REGIONS)[number]>> = { 'washington dc': 'South' };

/** Country spellings (lower case, no dots, cleaned) read as the United States. */
export const US_COUNTRY_NAMES = ['united states', 'united states of america', 'usa', 'us', 'america'] as const;

/** Every lower-case key → region: full names, USPS codes, aliases and the region names themselves. */
function lookupPairs(): [string, string][] {
  const out: [string, string][] = [];
  for (const [state, [code, region]] of Object.entries(STATE_REGIONS)) out.push([state.toLowerCase(), region], [code.toLowerCase(), region]);
  for (const [k, region] of Object.entries(STATE_ALIASES)) out.push([k, region]);
  for (const r of CENSUS_REGIONS) out.push([r.toLowerCase(), r]);
  return out;
}

export const defaults = {};
export const validate = validateNone('census region');

/** The columns the rules read (each need: one of `anyOf`, the first present is used). */
export const requires: readonly Need[] = [{ table: 'users', anyOf: ['state', 'region'] }];

/** null, or that neither users.state nor users.region exists. */
export function needs(columns: Columns): string | null {
  return missing(columns, requires);
}

/** user_id, label; `columns` picks the state column (state, else region) and whether country exists. */
export function segmentSql(opts?: unknown, columns?: Columns): Sql {
  validate(opts);
  const stateCol = pick(columns, 'users', ['state', 'region']) ?? 'state';
  const countryCol = pick(columns, 'users', ['country']);
  const key = (c: string) => sql`replace(lower(${cleanSql(c)}), '.', '')`;
  const country = countryCol ? key(countryCol) : raw('NULL::VARCHAR');
  const values = joinSql(lookupPairs().map(([k, r]) => sql`(${k}, ${r})`), ', ');
  return sql`WITH lookup(k, region) AS (VALUES ${values}),
u AS (SELECT user_id, ${key(stateCol)} AS st, ${country} AS co FROM users)
SELECT u.user_id, (CASE
    WHEN u.co IS NOT NULL AND NOT ${inList(raw('u.co'), US_COUNTRY_NAMES)} THEN 'Other'
    ELSE coalesce(l.region, 'Unknown') END)::VARCHAR AS label
FROM u LEFT JOIN lookup l ON l.k = u.st`;
}

export { segmentSql as sql };

export const segmentation: BuiltinSegmentation = {
  id, name, description, labels: [...CENSUS_REGIONS, 'Other', 'Unknown'], openLabels: false, scored: false,
  requires, defaults, validate, needs, sql: segmentSql,
};
