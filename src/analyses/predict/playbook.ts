// Segment profiles with predictions, the risk–value matrix, growth opportunities in dollars and the marketing
// playbook: per segment of one label segmentation (built-in, your own, or learned), from the stored predictions
// (src/data/predictions-store.ts) and user_metrics.
//
// Per segment (every user of the dataset, "(none)" for users without a label), and for all users (segment NULL):
//   users, customers (orders > 0), revenue (to date), revenue share, events per user, AOV (customers' mean),
//   predicted CLV / churn probability / probability alive: mean, 25th and 75th percentile (over users that have it),
//   revenue at risk = Σ predicted CLV × P(churn)   (each customer's value times the chance it is lost)
//   upsell potential = Σ expected purchases × max(0, median AOV of all customers − the customer's AOV)
//                      (what the expected orders would add if each customer's basket reached the median)
// Risk–value matrix: customers with both a churn probability and a CLV, split at churn ≥ the threshold and at CLV ≥
// the median CLV of those customers: users, revenue to date and predicted CLV per quadrant.
import type { Table } from 'apache-arrow';
import { ident, raw, sql, type Sql } from '../../sql/quote.ts';
import { toRows } from '../../lib/rows.ts';
import { StrataError } from '../../errors.ts';
import { PREDICTION_COLUMNS as P } from '../../data/predictions-store.ts';

export interface SegmentFigures {
  /** null for the all-users row. */
  segment: string | null;
  users: number;
  customers: number;
  revenue: number;
  revenueShare: number;
  eventsPerUser: number;
  aov: number | null;
  clv: Spread;
  churn: Spread;
  alive: Spread;
  revenueAtRisk: number;
  upsell: number;
}
export interface Spread { mean: number | null; p25: number | null; p75: number | null }

/** Which prediction columns the playbook needs (all stored by one training run). */
export const PLAYBOOK_NEEDS = [P.churn, P.clv, P.alive, P.purchases] as const;

export function checkPredictions(stored: readonly string[]): void {
  const missing = PLAYBOOK_NEEDS.filter((c) => !stored.includes(c));
  if (missing.length) throw new StrataError('There are no stored predictions (or CLV could not be fitted): train the models on the Predictions screen first.');
}

/** One row per segment of `column` plus the all-users row (segment NULL, is_total true). */
export function playbookSql(column: string): Sql {
  const spread = (c: string) => raw(`avg(${c})::DOUBLE AS ${c}_mean, quantile_cont(${c}, 0.25)::DOUBLE AS ${c}_p25, quantile_cont(${c}, 0.75)::DOUBLE AS ${c}_p75`);
  return sql`WITH med AS (SELECT median(aov) AS aov FROM user_metrics WHERE orders > 0),
pu AS (
  SELECT coalesce(CAST(s.${raw(ident(column))} AS VARCHAR), '(none)') AS segment, m.orders, m.revenue, m.events, m.aov,
    s.${raw(P.clv)} AS clv, s.${raw(P.churn)} AS churn, s.${raw(P.alive)} AS alive,
    s.${raw(P.clv)} * s.${raw(P.churn)} AS at_risk,
    CASE WHEN m.orders > 0 THEN s.${raw(P.purchases)} * greatest(0, med.aov - m.aov) END AS upsell
  FROM users u JOIN user_segments s ON s.user_id = u.user_id JOIN user_metrics m ON m.user_id = u.user_id CROSS JOIN med
), t AS (
  SELECT segment, GROUPING(segment) = 1 AS is_total,
    count(*)::DOUBLE AS users, count(*) FILTER (WHERE orders > 0)::DOUBLE AS customers,
    coalesce(sum(revenue), 0)::DOUBLE AS revenue, coalesce(avg(events), 0)::DOUBLE AS events_per_user,
    avg(aov) FILTER (WHERE orders > 0)::DOUBLE AS aov, ${spread('clv')}, ${spread('churn')}, ${spread('alive')},
    coalesce(sum(at_risk), 0)::DOUBLE AS revenue_at_risk, coalesce(sum(upsell), 0)::DOUBLE AS upsell
  FROM pu GROUP BY GROUPING SETS ((segment), ())
)
SELECT *, revenue / nullif(sum(revenue) FILTER (WHERE is_total) OVER (), 0) AS revenue_share FROM t
ORDER BY is_total DESC, users DESC, segment`;
}

export function decodePlaybook(t: Table): { total: SegmentFigures; segments: SegmentFigures[] } {
  const rows = toRows(t).map((r): SegmentFigures => {
    const n = (k: string) => (r[k] === null || r[k] === undefined ? null : Number(r[k]));
    const sp = (k: string): Spread => ({ mean: n(`${k}_mean`), p25: n(`${k}_p25`), p75: n(`${k}_p75`) });
    return {
      segment: r.is_total ? null : String(r.segment), users: Number(r.users), customers: Number(r.customers), revenue: Number(r.revenue),
      revenueShare: n('revenue_share') ?? 0, eventsPerUser: Number(r.events_per_user), aov: n('aov'),
      clv: sp('clv'), churn: sp('churn'), alive: sp('alive'), revenueAtRisk: Number(r.revenue_at_risk), upsell: Number(r.upsell),
    };
  });
  const total = rows.find((r) => r.segment === null);
  if (!total) throw new StrataError('The playbook found no users.');
  return { total, segments: rows.filter((r) => r.segment !== null) };
}

export interface Quadrant { highRisk: boolean; highValue: boolean; users: number; revenue: number; clv: number }

/** The risk–value matrix (see the header); `threshold` bound. */
export function riskValueSql(threshold: number): Sql {
  return sql`WITH c AS (
  SELECT s.${raw(P.churn)} AS p, s.${raw(P.clv)} AS clv, coalesce(m.revenue, 0) AS revenue
  FROM user_segments s JOIN user_metrics m ON m.user_id = s.user_id
  WHERE s.${raw(P.churn)} IS NOT NULL AND s.${raw(P.clv)} IS NOT NULL
), cut AS (SELECT median(clv) AS v FROM c)
SELECT (p >= ${threshold}) AS high_risk, (clv >= cut.v) AS high_value, count(*)::DOUBLE AS users, sum(revenue)::DOUBLE AS revenue, sum(clv)::DOUBLE AS clv
FROM c CROSS JOIN cut GROUP BY ALL ORDER BY high_risk, high_value`;
}

export function decodeRiskValue(t: Table): Quadrant[] {
  return toRows(t).map((r) => ({ highRisk: r.high_risk === true, highValue: r.high_value === true, users: Number(r.users), revenue: Number(r.revenue), clv: Number(r.clv) }));
}
