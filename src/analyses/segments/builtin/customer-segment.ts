// Customer segment: the first rule that matches, in this order, over user_metrics (orders, gross purchase revenue
// `revenue` — refunds are not subtracted) and the engagement score (engagement-score.ts, the same CTEs, rounded to
// 2 decimals before comparing). Every comparison is inclusive; defaults in brackets, all editable:
//   1. High-Value       revenue ≥ highValueRevenue (500) AND orders ≥ highValueOrders (2)
//   2. Loyal            score ≥ loyalScore (70) AND orders ≥ 1
//   3. High-Potential   score ≥ highPotentialScore (60) AND orders = 0
//   4. At-Risk          orders ≥ 1 AND score ≤ atRiskScore (30)
//   5. New              orders = 1 AND score ≤ newScore (50)
//   6. Casual Browser   orders = 0 AND score ≤ casualScore (40)
//   7. Regular          everyone else
// A user without a user_metrics row has 0 orders, 0 revenue and score 0 (Casual Browser by default).
import { raw, sql, type Sql } from '../../../sql/quote.ts';
import { missing, validateNumbers, type BuiltinSegmentation, type Columns, type Need, type NumberOption, type Options, type RowRule } from './common.ts';
import { SCORE_NEEDS, scoreCtes, id as scoreId } from './engagement-score.ts';

export const id = 'customer-segment';
export const name = 'Customer segment';
export const description =
  'High-Value, Loyal, High-Potential, At-Risk, New, Casual Browser or Regular, from revenue, orders and the engagement score.';

/** The thresholds and their defaults. */
export const CUSTOMER_DEFAULTS: Options = Object.freeze({
  highValueRevenue: 500,
  highValueOrders: 2,
  loyalScore: 70,
  highPotentialScore: 60,
  atRiskScore: 30,
  newScore: 50,
  casualScore: 40,
});

const score = (what: string): NumberOption => ({ lo: 0, hi: 100, integer: false, what });
const SPECS: Readonly<Record<string, NumberOption>> = {
  highValueRevenue: { lo: 0, hi: 1e12, integer: false, what: 'High-Value revenue threshold' },
  highValueOrders: { lo: 1, hi: 1e6, integer: true, what: 'High-Value order threshold' },
  loyalScore: score('Loyal score threshold'),
  highPotentialScore: score('High-Potential score threshold'),
  atRiskScore: score('At-Risk score threshold'),
  newScore: score('New score threshold'),
  casualScore: score('Casual Browser score threshold'),
};

/** The rules in first-match order: label and condition in words (option names in braces). */
export const CUSTOMER_RULES = [
  { label: 'High-Value', rule: 'revenue ≥ {highValueRevenue} and orders ≥ {highValueOrders}' },
  { label: 'Loyal', rule: 'score ≥ {loyalScore} and at least 1 order' },
  { label: 'High-Potential', rule: 'score ≥ {highPotentialScore} and no orders' },
  { label: 'At-Risk', rule: 'at least 1 order and score ≤ {atRiskScore}' },
  { label: 'New', rule: 'exactly 1 order and score ≤ {newScore}' },
  { label: 'Casual Browser', rule: 'no orders and score ≤ {casualScore}' },
  { label: 'Regular', rule: 'everyone else' },
] as const;

export const defaults = CUSTOMER_DEFAULTS;

/** Check untrusted thresholds; missing ones take the defaults. */
export function validate(x: unknown): Options {
  return validateNumbers(x, SPECS, CUSTOMER_DEFAULTS, 'customer segment');
}

/** The columns the rules read (each need: one of `anyOf`, the first present is used). */
export const requires: readonly Need[] = [{ table: 'user_metrics', anyOf: ['revenue'] }, ...SCORE_NEEDS];

/** null, or which user_metrics columns are missing. */
export function needs(columns: Columns): string | null {
  return missing(columns, requires);
}

/** The rules as one CASE over a user's revenue, orders and score (trusted SQL expressions). */
function labelSql(o: Options, revenue: Sql, orders: Sql, score: Sql): Sql {
  return sql`CASE
    WHEN ${revenue} >= ${o.highValueRevenue} AND ${orders} >= ${o.highValueOrders} THEN 'High-Value'
    WHEN ${score} >= ${o.loyalScore} AND ${orders} >= 1 THEN 'Loyal'
    WHEN ${score} >= ${o.highPotentialScore} AND ${orders} = 0 THEN 'High-Potential'
    WHEN ${orders} >= 1 AND ${score} <= ${o.atRiskScore} THEN 'At-Risk'
    WHEN ${orders} = 1 AND ${score} <= ${o.newScore} THEN 'New'
    WHEN ${orders} = 0 AND ${score} <= ${o.casualScore} THEN 'Casual Browser'
    ELSE 'Regular' END`;
}

/** user_id, label. */
export function segmentSql(opts?: unknown): Sql {
  const o = validate(opts);
  return sql`WITH ${scoreCtes()}
SELECT s.user_id, (${labelSql(o, raw('coalesce(m.revenue, 0)'), raw('s.orders'), raw('s.score'))})::VARCHAR AS label
FROM (SELECT seg_score.*, seg_m.orders FROM seg_score JOIN seg_m USING (user_id)) s
LEFT JOIN user_metrics m ON m.user_id = s.user_id`;
}

/**
 * When the engagement score is computed in the same run: the label of one user from that score (`of('score')`, the
 * score body's column) and `m` — the same values segmentSql compares (orders as seg_m has them: 0 without a row).
 */
export function overScore(opts: unknown, of: (column: string) => Sql): RowRule {
  const o = validate(opts);
  return { metrics: true, label: labelSql(o, raw('coalesce(m.revenue, 0)'), raw('coalesce(m.orders, 0)::DOUBLE'), of('score')) };
}

export { segmentSql as sql };

export const segmentation: BuiltinSegmentation = {
  id, name, description, labels: CUSTOMER_RULES.map((r) => r.label), openLabels: false, scored: false,
  requires, defaults, validate, needs, sql: segmentSql, over: { id: scoreId, row: overScore },
};
