// Country, cleaned (see place-names.ts): trimmed, one spelling per case-insensitive name, common aliases of the
// United States and the United Kingdom written in full (COUNTRY_ALIASES), Unknown when blank or NULL.
import type { Sql } from '../../../sql/quote.ts';
import { missing, validateNone, type BuiltinSegmentation, type Columns, type Need } from './common.ts';
import { placeSql } from './place-names.ts';

export const id = 'country';
export const name = 'Country';
export const description = 'The users’ country, trimmed and in one consistent spelling (USA, U.S. → United States).';

/** Lower-case spellings without dots → the country's name. */
export const COUNTRY_ALIASES: Readonly<Record<string, string>> = {
  us: 'United States', usa: 'United States', 'united states of america': 'United States', america: 'United States',
  uk: 'United Kingdom', gb: 'United Kingdom', 'great britain': 'United Kingdom',
};

export const defaults = {};
export const validate = validateNone('country');

/** The columns the rules read (each need: one of `anyOf`, the first present is used). */
export const requires: readonly Need[] = [{ table: 'users', anyOf: ['country'] }];

/** null, or that users.country is missing. */
export function needs(columns: Columns): string | null {
  return missing(columns, requires);
}

/** user_id, label. */
export function segmentSql(opts?: unknown): Sql {
  validate(opts);
  return placeSql('country', COUNTRY_ALIASES);
}

export { segmentSql as sql };

export const segmentation: BuiltinSegmentation = {
  id, name, description, labels: ['Unknown'], openLabels: true, scored: false, requires, defaults, validate, needs, sql: segmentSql,
};
