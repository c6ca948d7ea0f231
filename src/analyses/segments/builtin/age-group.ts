// Age group from users.age. The age is read as a number (TRY_CAST to DOUBLE, so "25" counts and "n/a" does not)
// and rounded DOWN to whole years (24.9 is 24). Bounds are inclusive on both ends:
//   Under 18 (0–17), 18–24, 25–34, 35–44, 45–54, 55–64, 65+ (65–120).
//   Unknown: NULL, not a number, negative, NaN or above 120.
// "Under 18" is not in the list; a 16-year-old is a known age, not Unknown, so it gets its own group.
import { joinSql, raw, sql, type Sql } from '../../../sql/quote.ts';
import { missing, rowSelect, validateNone, type BuiltinSegmentation, type Columns, type Need, type RowRule } from './common.ts';

export const id = 'age-group';
export const name = 'Age group';
export const description = 'Age bands 18–24 … 65+ from the users’ age; Unknown where the age is missing or implausible.';

/** The groups in order with their inclusive bounds; Unknown last. */
export const AGE_GROUPS = [
  { label: 'Under 18', from: 0, to: 17 },
  { label: '18–24', from: 18, to: 24 },
  { label: '25–34', from: 25, to: 34 },
  { label: '35–44', from: 35, to: 44 },
  { label: '45–54', from: 45, to: 54 },
  { label: '55–64', from: 55, to: 64 },
  { label: '65+', from: 65, to: 120 },
] as const;

export const defaults = {};
export const validate = validateNone('age group');

/** The columns the rules read (each need: one of `anyOf`, the first present is used). */
export const requires: readonly Need[] = [{ table: 'users', anyOf: ['age'] }];

/** null, or that users.age is missing. */
export function needs(columns: Columns): string | null {
  return missing(columns, requires);
}

/** The label of one user (`u`: the user's users row). */
export function rowRule(opts?: unknown): RowRule {
  validate(opts);
  const a = raw('floor(TRY_CAST(u.age AS DOUBLE))');
  const whens = AGE_GROUPS.map((g) => sql`WHEN ${a} BETWEEN ${g.from} AND ${g.to} THEN ${g.label}`);
  return { metrics: false, label: sql`CASE ${joinSql(whens, ' ')} ELSE 'Unknown' END` };
}

/** user_id, label. */
export function segmentSql(opts?: unknown): Sql {
  return rowSelect(rowRule(opts));
}

export { segmentSql as sql };

export const segmentation: BuiltinSegmentation = {
  id, name, description, labels: [...AGE_GROUPS.map((g) => g.label), 'Unknown'], openLabels: false, scored: false,
  requires, defaults, validate, needs, sql: segmentSql, row: rowRule,
};
