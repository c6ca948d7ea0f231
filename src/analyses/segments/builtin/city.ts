// City, cleaned (see place-names.ts): trimmed, one spelling per case-insensitive name, Unknown when blank or NULL.
// The label is the city name alone: two places of the same name in different countries share it.
import type { Sql } from '../../../sql/quote.ts';
import { missing, validateNone, type BuiltinSegmentation, type Columns, type Need } from './common.ts';
import { placeSql } from './place-names.ts';

export const id = 'city';
export const name = 'City';
export const description = 'The users’ city, trimmed and in one consistent spelling.';

export const defaults = {};
export const validate = validateNone('city');

/** The columns the rules read (each need: one of `anyOf`, the first present is used). */
export const requires: readonly Need[] = [{ table: 'users', anyOf: ['city'] }];

/** null, or that users.city is missing. */
export function needs(columns: Columns): string | null {
  return missing(columns, requires);
}

/** user_id, label. */
export function segmentSql(opts?: unknown): Sql {
  validate(opts);
  return placeSql('city', {});
}

export { segmentSql as sql };

export const segmentation: BuiltinSegmentation = {
  id, name, description, labels: ['Unknown'], openLabels: true, scored: false, requires, defaults, validate, needs, sql: segmentSql,
};
