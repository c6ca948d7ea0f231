// Engagement score 0–100 per user, and its band as the label; customer segments reuse the same CTEs.
//
// Components (points), from user_metrics (a user without a user_metrics row counts as all zeros):
//   orders                 40   m.orders (distinct purchase orders)
//   session duration       25   m.avg_session_minutes (mean of each session's last event − first event; NULL = 0)
//   event count            20   m.events (all of the user's events)
//   session frequency      15   m.sessions (distinct session ids)
// Scaling, the same for each component x with weight w:
//   cap(x)    = the 95th percentile of x over every user in `users` (quantile_cont, linear interpolation);
//               when that is 0 (most users have none, e.g. orders in a browsing-heavy shop), the maximum of x;
//               when that is 0 too, nobody has any and the component is 0 for everyone.
//   points(x) = w × min(x ÷ cap(x), 1)  — at or above what the top 5 % reach earns the full weight.
//               (Written as a CASE on a NULL cap: DuckDB's least() skips NULLs, so least(x / NULL, 1) would be 1.)
//   score     = round(sum of the four points, 2): rounded to 2 decimals BEFORE any threshold compares it, so a
//               score shown as 70 is ≥ 70. Always within [0, 100].
// The score is relative to the dataset (its 95th percentiles), so it changes when the data does.
// Label: the score's band, lower bound inclusive: Very Low [0, 20), Low [20, 40), Medium [40, 60), High [60, 80),
// Very High [80, 100].
import { literal, raw, sql, type Sql } from '../../../sql/quote.ts';
import { missing, validateNone, type BuiltinSegmentation, type Columns, type Need } from './common.ts';

export const id = 'engagement-score';
export const name = 'Engagement score';
export const description =
  'A 0–100 score: orders 40 points, average session length 25, events 20, sessions 15, each scaled to the ' +
  "dataset's 95th percentile (capped at full points).";

/** The components in order: user_metrics column, points, what it measures. */
export const SCORE_COMPONENTS = [
  { column: 'orders', points: 40, what: 'orders' },
  { column: 'avg_session_minutes', points: 25, what: 'average session duration (minutes)' },
  { column: 'events', points: 20, what: 'event count' },
  { column: 'sessions', points: 15, what: 'session frequency (sessions)' },
] as const;

/** The scaling, in words, for the UI to show beside the score. */
export const SCORE_METHOD =
  'Each component earns its points × min(value ÷ its 95th percentile over all users, 1); when the 95th ' +
  'percentile is 0 the maximum is used instead, and a component nobody has scores 0. The total is rounded to 2 decimals.';

/** Score bands in order: label and inclusive lower bound (each band runs to the next one's bound, exclusive). */
export const SCORE_BANDS = [
  { label: 'Very Low', from: 0 },
  { label: 'Low', from: 20 },
  { label: 'Medium', from: 40 },
  { label: 'High', from: 60 },
  { label: 'Very High', from: 80 },
] as const;

/** The user_metrics columns the score needs. */
export const SCORE_NEEDS: readonly Need[] = SCORE_COMPONENTS.map((c) => ({ table: 'user_metrics', anyOf: [c.column] }));

/**
 * CTEs `seg_m`, `seg_caps` and `seg_score(user_id, orders_pts, duration_pts, events_pts, frequency_pts, score)`:
 * one seg_score row per user of `users`. Written once; the customer segments read seg_score too.
 */
export function scoreCtes(): Sql {
  const cap = (c: string) => raw(`coalesce(nullif(quantile_cont(${c}, 0.95), 0), nullif(max(${c}), 0))`);
  const pts = (c: string, w: number) => raw(`CASE WHEN seg_caps.c_${c} IS NULL THEN 0 ELSE least(seg_m.${c} / seg_caps.c_${c}, 1) * ${w} END`);
  return sql`seg_m AS (
  SELECT u.user_id,
    coalesce(m.orders, 0)::DOUBLE AS orders,
    coalesce(m.avg_session_minutes, 0)::DOUBLE AS avg_session_minutes,
    coalesce(m.events, 0)::DOUBLE AS events,
    coalesce(m.sessions, 0)::DOUBLE AS sessions
  FROM users u LEFT JOIN user_metrics m ON m.user_id = u.user_id
),
seg_caps AS (
  SELECT ${cap('orders')} AS c_orders, ${cap('avg_session_minutes')} AS c_avg_session_minutes,
    ${cap('events')} AS c_events, ${cap('sessions')} AS c_sessions
  FROM seg_m
),
seg_pts AS (
  SELECT seg_m.user_id,
    (${pts('orders', 40)})::DOUBLE AS orders_pts,
    (${pts('avg_session_minutes', 25)})::DOUBLE AS duration_pts,
    (${pts('events', 20)})::DOUBLE AS events_pts,
    (${pts('sessions', 15)})::DOUBLE AS frequency_pts
  FROM seg_m CROSS JOIN seg_caps
),
seg_score AS (
  SELECT *, round(orders_pts + duration_pts + events_pts + frequency_pts, 2)::DOUBLE AS score FROM seg_pts
)`;
}

/** The band label of `score` (trusted SQL naming a DOUBLE column). */
function bandSql(score: string): string {
  const whens = [...SCORE_BANDS].reverse().map((b) => `WHEN ${score} >= ${b.from} THEN ${literal(b.label)}`);
  return `CASE ${whens.join(' ')} ELSE ${literal(SCORE_BANDS[0].label)} END`;
}

export const defaults = {};
export const validate = validateNone('engagement score');

/** The columns the rules read (each need: one of `anyOf`, the first present is used). */
export const requires: readonly Need[] = SCORE_NEEDS;

/** null, or which user_metrics columns are missing. */
export function needs(columns: Columns): string | null {
  return missing(columns, requires);
}

/** user_id, label (the band), score. */
export function segmentSql(opts?: unknown): Sql {
  validate(opts);
  return sql`WITH ${scoreCtes()}
SELECT user_id, (${raw(bandSql('score'))})::VARCHAR AS label, score FROM seg_score`;
}

/** Per-user components and score, for showing the method beside the score. */
export function componentsSql(): Sql {
  return sql`WITH ${scoreCtes()} SELECT user_id, orders_pts, duration_pts, events_pts, frequency_pts, score FROM seg_score`;
}

export { segmentSql as sql };

export const segmentation: BuiltinSegmentation = {
  id, name, description, labels: SCORE_BANDS.map((b) => b.label), openLabels: false, scored: true,
  requires, defaults, validate, needs, sql: segmentSql,
};
