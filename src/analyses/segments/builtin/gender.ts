// Gender from users.gender. The value is cleaned (whitespace runs made one space, trimmed) and compared
// case-insensitively with the lists below: Male, Female, or Unknown (also NULL and blank). Any other value is
// kept as it is after cleaning (e.g. "non-binary"), so it appears as its own label.
import { sql, type Sql } from '../../../sql/quote.ts';
import { cleanSql, inList, missing, rowSelect, validateNone, type BuiltinSegmentation, type Columns, type Need, type RowRule } from './common.ts';

export const id = 'gender';
export const name = 'Gender';
export const description = 'Male / Female / Unknown from the users’ gender; other values are kept as written.';

/** Lower-case spellings read as each label. */
export const GENDER_VALUES = {
  Male: ['male', 'm', 'man'],
  Female: ['female', 'f', 'woman'],
  Unknown: ['unknown', 'u', 'n/a', 'na', 'none', 'null', 'not specified', 'prefer not to say', '-', '?'],
} as const;

export const defaults = {};
export const validate = validateNone('gender');

/** The columns the rules read (each need: one of `anyOf`, the first present is used). */
export const requires: readonly Need[] = [{ table: 'users', anyOf: ['gender'] }];

/** null, or that users.gender is missing. */
export function needs(columns: Columns): string | null {
  return missing(columns, requires);
}

/** The label of one user (`u`: the user's users row). */
export function rowRule(opts?: unknown): RowRule {
  validate(opts);
  const g = cleanSql('u.gender');
  const lg = sql`lower(${g})`;
  return { metrics: false, label: sql`CASE
    WHEN ${g} IS NULL OR ${inList(lg, GENDER_VALUES.Unknown)} THEN 'Unknown'
    WHEN ${inList(lg, GENDER_VALUES.Male)} THEN 'Male'
    WHEN ${inList(lg, GENDER_VALUES.Female)} THEN 'Female'
    ELSE ${g} END` };
}

/** user_id, label. */
export function segmentSql(opts?: unknown): Sql {
  return rowSelect(rowRule(opts));
}

export { segmentSql as sql };

export const segmentation: BuiltinSegmentation = {
  id, name, description, labels: ['Male', 'Female', 'Unknown'], openLabels: true, scored: false,
  requires, defaults, validate, needs, sql: segmentSql, row: rowRule,
};
