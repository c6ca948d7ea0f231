// Income bracket by percentile of users.income among users with a KNOWN income (a finite number after
// TRY_CAST to DOUBLE; NULL, text, NaN and ±Infinity are Unknown and take no part in the ranking).
// With n known incomes and below(u) = how many of them are STRICTLY lower than u's (rank() − 1), u's percentile
// is below(u) ÷ n, and the brackets (compared in whole numbers, so exact at the edges) are:
//   High Income     below ≥ 90 % of n   (top 10 %: e.g. of 10 distinct incomes, only the highest)
//   Above Average   80 % ≤ below < 90 % (the 11–20 % band)
//   Average         50 % ≤ below < 80 % (the 21–50 % band)
//   Low Income      below < 50 %        (the lower half)
//   Unknown         no known income
// Ties: equal incomes share one percentile (the count strictly below them), so a tie group is never split and
// stands where its lowest member would; e.g. two equal top incomes among 10 are both Above Average.
import { joinSql, sql, type Sql } from '../../../sql/quote.ts';
import { missing, validateNone, type BuiltinSegmentation, type Columns, type Need } from './common.ts';

export const id = 'income-bracket';
export const name = 'Income bracket';
export const description = 'High (top 10 %), Above Average (next 10 %), Average (to the median), Low; by income percentile.';

/** Brackets in first-match order: label and the least share of known incomes strictly below (percent). */
export const INCOME_BRACKETS = [
  { label: 'High Income', minBelowPct: 90 },
  { label: 'Above Average', minBelowPct: 80 },
  { label: 'Average', minBelowPct: 50 },
  { label: 'Low Income', minBelowPct: 0 },
] as const;

export const defaults = {};
export const validate = validateNone('income bracket');

/** The columns the rules read (each need: one of `anyOf`, the first present is used). */
export const requires: readonly Need[] = [{ table: 'users', anyOf: ['income'] }];

/** null, or that users.income is missing. */
export function needs(columns: Columns): string | null {
  return missing(columns, requires);
}

/** user_id, label. */
export function segmentSql(opts?: unknown): Sql {
  validate(opts);
  const whens = INCOME_BRACKETS.map((b) => sql`WHEN k.below * 100 >= k.n * ${b.minBelowPct} THEN ${b.label}`);
  return sql`WITH inc AS (SELECT user_id, TRY_CAST(income AS DOUBLE) AS x FROM users),
k AS (
  SELECT user_id, (rank() OVER (ORDER BY x) - 1)::BIGINT AS below, (count(*) OVER ())::BIGINT AS n
  FROM inc WHERE x IS NOT NULL AND isfinite(x)
)
SELECT inc.user_id, (CASE WHEN k.n IS NULL THEN 'Unknown'
    ${joinSql(whens, ' ')} END)::VARCHAR AS label
FROM inc LEFT JOIN k ON k.user_id = inc.user_id`;
}

export { segmentSql as sql };

export const segmentation: BuiltinSegmentation = {
  id, name, description, labels: [...INCOME_BRACKETS.map((b) => b.label), 'Unknown'], openLabels: false, scored: false,
  requires, defaults, validate, needs, sql: segmentSql,
};
