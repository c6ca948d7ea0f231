// Churn risk by user_metrics.days_since_last_purchase (whole calendar days from the user's last purchase to the
// last event in the data, as the Overview measures it over the whole data). The bands are the Overview's, with its
// defaults and validator (DEFAULT_OVERVIEW.churn, validateOverviewSpec), so one setting serves both:
//   Low      days ≤ medium (90)
//   Medium   medium < days ≤ high (180)
//   High     days > high
//   No Purchase   never purchased (days NULL), also users without a user_metrics row
import { StrataError } from '../../../errors.ts';
import { sql, type Sql } from '../../../sql/quote.ts';
import { DEFAULT_OVERVIEW, validateOverviewSpec } from '../../overview/spec.ts';
import { missing, rowSelect, type BuiltinSegmentation, type Columns, type Need, type Options, type RowRule } from './common.ts';

export const id = 'churn-risk';
export const name = 'Churn risk';
export const description = 'Low, Medium or High by days since the last purchase (the Overview’s churn bands).';

/** Labels in order, lowest risk first, then buyers-to-be. */
export const CHURN_LABELS = ['Low', 'Medium', 'High', 'No Purchase'] as const;

/** The Overview's bands: medium after 90 days, high after 180. */
export const defaults: Options = DEFAULT_OVERVIEW.churn;

/** Check untrusted bands with the Overview's own rules ({ medium, high } whole days, medium < high). */
export function validate(x: unknown): Options {
  if (x === undefined) return { ...DEFAULT_OVERVIEW.churn };
  if (x === null || typeof x !== 'object' || Array.isArray(x)) {
    throw new StrataError('The churn risk options must be an object of named settings.');
  }
  return validateOverviewSpec({ churn: x }).churn;
}

/** The columns the rules read (each need: one of `anyOf`, the first present is used). */
export const requires: readonly Need[] = [{ table: 'user_metrics', anyOf: ['days_since_last_purchase'] }];

/** null, or that user_metrics.days_since_last_purchase is missing. */
export function needs(columns: Columns): string | null {
  return missing(columns, requires);
}

/** The label of one user (`m`: the user's user_metrics row). */
export function rowRule(opts?: unknown): RowRule {
  const o = validate(opts);
  return { metrics: true, label: sql`CASE
    WHEN m.days_since_last_purchase IS NULL THEN 'No Purchase'
    WHEN m.days_since_last_purchase <= ${o.medium} THEN 'Low'
    WHEN m.days_since_last_purchase <= ${o.high} THEN 'Medium'
    ELSE 'High' END` };
}

/** user_id, label. */
export function segmentSql(opts?: unknown): Sql {
  return rowSelect(rowRule(opts));
}

export { segmentSql as sql };

export const segmentation: BuiltinSegmentation = {
  id, name, description, labels: [...CHURN_LABELS], openLabels: false, scored: false, requires, defaults, validate, needs, sql: segmentSql, row: rowRule,
};
