// Engagement level: one label per user by the first rule that matches, in this order (user_metrics columns;
// a user without a user_metrics row counts as all zeros / NULL):
//   1. Repeat Purchaser        orders ≥ 2
//   2. Single Purchaser        orders = 1
//   3. Cart Abandoner          cart_adds ≥ 1 (added to cart; no orders, or rule 1/2 would have matched)
//   4. High Engagement Viewer  avg_session_minutes ≥ 10 (inclusive: a 10-minute average matches)
//                              OR events ÷ sessions ≥ 8 (average events per session, inclusive; only when sessions ≥ 1)
//   5. Frequent Viewer         sessions ≥ 3
//   6. Occasional Viewer       everyone else (including users with no events at all)
// "Average session ≥ 10 min or ≥ 8 events" is read as the average session lasting 10 minutes or holding 8 events.
// avg_session_minutes is NULL without sessions and never matches rule 4; session minutes are the last event
// minus the first (a one-event session lasts 0). events counts all of the user's events, also any without a session.
import { sql, type Sql } from '../../../sql/quote.ts';
import { missing, rowSelect, validateNone, type BuiltinSegmentation, type Columns, type Need, type RowRule } from './common.ts';

export const id = 'engagement-level';
export const name = 'Engagement level';
export const description =
  'Repeat and single purchasers, cart abandoners, then viewers by session length, events per session and visits.';

/** The rules in first-match order: label and condition in words. */
export const ENGAGEMENT_RULES = [
  { label: 'Repeat Purchaser', rule: '2 or more orders' },
  { label: 'Single Purchaser', rule: 'exactly 1 order' },
  { label: 'Cart Abandoner', rule: 'added to cart at least once, no orders' },
  { label: 'High Engagement Viewer', rule: 'average session ≥ 10 minutes, or ≥ 8 events per session on average' },
  { label: 'Frequent Viewer', rule: '3 or more sessions' },
  { label: 'Occasional Viewer', rule: 'everyone else' },
] as const;

const NEEDS: readonly Need[] = ['orders', 'cart_adds', 'avg_session_minutes', 'events', 'sessions'].map((c) => ({
  table: 'user_metrics' as const,
  anyOf: [c],
}));

export const defaults = {};
export const validate = validateNone('engagement level');

/** The columns the rules read (each need: one of `anyOf`, the first present is used). */
export const requires: readonly Need[] = NEEDS;

/** null, or which user_metrics columns are missing. */
export function needs(columns: Columns): string | null {
  return missing(columns, requires);
}

/** The label of one user (`m`: the user's user_metrics row). */
export function rowRule(opts?: unknown): RowRule {
  validate(opts);
  return { metrics: true, label: sql`CASE
    WHEN coalesce(m.orders, 0) >= 2 THEN 'Repeat Purchaser'
    WHEN coalesce(m.orders, 0) = 1 THEN 'Single Purchaser'
    WHEN coalesce(m.cart_adds, 0) >= 1 THEN 'Cart Abandoner'
    WHEN m.avg_session_minutes >= 10
      OR (coalesce(m.sessions, 0) >= 1 AND m.events::DOUBLE / m.sessions >= 8) THEN 'High Engagement Viewer'
    WHEN coalesce(m.sessions, 0) >= 3 THEN 'Frequent Viewer'
    ELSE 'Occasional Viewer' END` };
}

/** user_id, label. */
export function segmentSql(opts?: unknown): Sql {
  return rowSelect(rowRule(opts));
}

export { segmentSql as sql };

export const segmentation: BuiltinSegmentation = {
  id, name, description, labels: ENGAGEMENT_RULES.map((r) => r.label), openLabels: false, scored: false,
  requires, defaults, validate, needs, sql: segmentSql, row: rowRule,
};
