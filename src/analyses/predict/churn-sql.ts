// The honest time split for churn and lifetime-value models: every feature is computed from events on or before a
// cutoff day C; the label looks only at the H days after it.
//   training: C = the data's last day - H. Features from events with day <= C; churned = no purchase (or, with
//             target 'activity', no event at all) with C < day <= C + H; future_revenue = purchase revenue in
//             that window (the lifetime-value target); prior_revenue = purchase revenue in C - H < day <= C (the
//             baseline "next H days = the last H days").
//   scoring:  C = the data's last day, no label: the same features as of today's data.
// Who is in: customers (a purchase on or before C) when the target is 'purchase'; anyone with an event on or before
// C when it is 'activity'. Days are calendar days of ts. Rows in user_id order.
import type { Table } from 'apache-arrow';
import { sql, raw, type Sql } from '../../sql/quote.ts';

export type ChurnTarget = 'purchase' | 'activity';

/** The features, in column order (names as the model and the screen show them). */
export const CHURN_FEATURES = [
  { id: 'days_since_last_event', name: 'Days since last event' },
  { id: 'days_since_last_purchase', name: 'Days since last purchase (never: tenure + 1)' },
  { id: 'tenure_days', name: 'Days since first event' },
  { id: 'orders', name: 'Orders' },
  { id: 'revenue', name: 'Revenue' },
  { id: 'aov', name: 'Average order value' },
  { id: 'events', name: 'Events' },
  { id: 'sessions', name: 'Sessions' },
  { id: 'active_days', name: 'Active days' },
  { id: 'events_30d', name: 'Events, last 30 days' },
  { id: 'orders_90d', name: 'Orders, last 90 days' },
  { id: 'views', name: 'Product views' },
  { id: 'cart_adds', name: 'Add-to-carts' },
  { id: 'refunds', name: 'Refunds' },
] as const;

export interface ChurnSqlOptions {
  /** The cutoff day, 'YYYY-MM-DD'. */
  cutoff: string;
  horizonDays: number;
  target: ChurnTarget;
  /** true: add churned, future_revenue and prior_revenue (training); false: features only (scoring). */
  label: boolean;
}

/** Whole days in [1, 3650]. */
function checkHorizon(h: number): number {
  if (!Number.isInteger(h) || h < 1 || h > 3650) throw new Error('The horizon must be a whole number of days from 1 to 3,650.');
  return h;
}

/** One row per user in the population: user_id, the CHURN_FEATURES, and (label) churned, future_revenue, prior_revenue. */
export function churnFeaturesSql(o: ChurnSqlOptions): Sql {
  const h = checkHorizon(o.horizonDays);
  const purchaseOnly = o.target === 'purchase';
  const c = sql`CAST(${o.cutoff} AS DATE)`;
  const labelCtes = o.label
    ? sql`, after AS (
  SELECT user_id,
    count(*) FILTER (WHERE ${raw(purchaseOnly ? "event_type = 'purchase'" : 'TRUE')}) AS n,
    coalesce(sum(revenue) FILTER (WHERE event_type = 'purchase'), 0) AS future_revenue
  FROM e WHERE day > ${c} AND day <= ${c} + ${h}::INTEGER GROUP BY user_id
), prior AS (
  SELECT user_id, coalesce(sum(revenue) FILTER (WHERE event_type = 'purchase'), 0) AS prior_revenue
  FROM e WHERE day > ${c} - ${h}::INTEGER AND day <= ${c} GROUP BY user_id
)`
    : raw('');
  const labelCols = o.label
    ? raw(`, (coalesce(after.n, 0) = 0)::INTEGER AS churned, coalesce(after.future_revenue, 0)::DOUBLE AS future_revenue,
  coalesce(prior.prior_revenue, 0)::DOUBLE AS prior_revenue`)
    : raw('');
  const labelJoins = o.label ? raw('LEFT JOIN after USING (user_id) LEFT JOIN prior USING (user_id)') : raw('');
  return sql`WITH e AS (
  SELECT user_id, CAST(ts AS DATE) AS day, event_type, revenue, order_id, session_id FROM events WHERE user_id IS NOT NULL
), f AS (
  SELECT user_id,
    date_diff('day', max(day), ${c})::DOUBLE AS days_since_last_event,
    coalesce(date_diff('day', max(day) FILTER (WHERE event_type = 'purchase'), ${c}), date_diff('day', min(day), ${c}) + 1)::DOUBLE AS days_since_last_purchase,
    date_diff('day', min(day), ${c})::DOUBLE AS tenure_days,
    count(DISTINCT order_id) FILTER (WHERE event_type = 'purchase')::DOUBLE AS orders,
    coalesce(sum(revenue) FILTER (WHERE event_type = 'purchase'), 0)::DOUBLE AS revenue,
    count(*)::DOUBLE AS events,
    count(DISTINCT session_id)::DOUBLE AS sessions,
    count(DISTINCT day)::DOUBLE AS active_days,
    count(*) FILTER (WHERE day > ${c} - 30)::DOUBLE AS events_30d,
    count(DISTINCT order_id) FILTER (WHERE event_type = 'purchase' AND day > ${c} - 90)::DOUBLE AS orders_90d,
    count(*) FILTER (WHERE event_type = 'product_view')::DOUBLE AS views,
    count(*) FILTER (WHERE event_type = 'add_to_cart')::DOUBLE AS cart_adds,
    count(*) FILTER (WHERE event_type = 'refund')::DOUBLE AS refunds,
    bool_or(event_type = 'purchase') AS bought
  FROM e WHERE day <= ${c} GROUP BY user_id
)${labelCtes}
SELECT CAST(f.user_id AS VARCHAR) AS user_id, days_since_last_event, days_since_last_purchase, tenure_days, orders, revenue,
  (CASE WHEN orders > 0 THEN revenue / orders ELSE 0 END)::DOUBLE AS aov,
  events, sessions, active_days, events_30d, orders_90d, views, cart_adds, refunds${labelCols}
FROM f ${labelJoins}
${raw(purchaseOnly ? 'WHERE f.bought' : '')}
ORDER BY f.user_id`;
}

/** The data's first and last day ('YYYY-MM-DD'), to place the cutoff; nulls on an empty dataset. */
export const DATA_DAYS_SQL = `SELECT strftime(min(CAST(ts AS DATE)), '%Y-%m-%d') AS first_day, strftime(max(CAST(ts AS DATE)), '%Y-%m-%d') AS last_day FROM events`;

/** The cutoff for training: the last day minus the horizon; throws when that leaves no history before it. */
export function trainingCutoff(firstDay: string, lastDay: string, horizonDays: number): string {
  const h = checkHorizon(horizonDays);
  const day = (s: string) => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10)));
  const cut = day(lastDay) - h * 86_400_000;
  if (cut < day(firstDay)) {
    const span = Math.round((day(lastDay) - day(firstDay)) / 86_400_000);
    throw new Error(`The horizon (${h} days) is longer than the data (${span} days, ${firstDay} to ${lastDay}): there would be no history before the cutoff. Choose a horizon under ${Math.max(1, Math.floor(span / 2))} days.`);
  }
  return new Date(cut).toISOString().slice(0, 10);
}

/** The time-split answer as typed arrays: features row-major in CHURN_FEATURES order, labels when asked for. */
export interface ChurnTable {
  userIds: string[];
  data: Float64Array;
  rows: number;
  cols: number;
  churned: Int32Array | null;
  futureRevenue: Float64Array | null;
  priorRevenue: Float64Array | null;
}

export function decodeChurnTable(t: Table): ChurnTable {
  // Column arrays, not per-cell get(): 500K customers × 14 features is 7M cells, seconds of main thread by get().
  const n = t.numRows, d = CHURN_FEATURES.length;
  const data = new Float64Array(n * d);
  CHURN_FEATURES.forEach((f, j) => {
    const col = numbers(t, f.id);
    if (!col) throw new Error(`The churn features lack ${f.id}.`);
    for (let i = 0; i < n; i++) data[i * d + j] = col[i];
  });
  const ch = numbers(t, 'churned');
  return {
    userIds: strings(t, 'user_id'), data, rows: n, cols: d,
    churned: ch ? Int32Array.from(ch) : null,
    futureRevenue: numbers(t, 'future_revenue'), priorRevenue: numbers(t, 'prior_revenue'),
  };
}

/** A numeric column as a Float64Array (nulls as 0), or null when absent. */
export function numbers(t: Table, name: string): Float64Array | null {
  const v = t.getChild(name);
  if (!v) return null;
  const out = new Float64Array(t.numRows);
  let at = 0;
  for (const chunk of v.data) {
    const values = chunk.values as ArrayLike<number | bigint>;
    const valid = chunk.nullCount > 0 ? chunk.nullBitmap : null;
    // Arrow slices a chunk's values by its offset but not its validity bitmap (as Data.getValid reads it).
    for (let i = 0; i < chunk.length; i++) {
      const k = chunk.offset + i;
      out[at++] = valid && !((valid[k >> 3] >> (k & 7)) & 1) ? 0 : Number(values[i]);
    }
  }
  return out;
}

/** A column as strings (row order). */
export function strings(t: Table, name: string): string[] {
  const v = t.getChild(name);
  if (!v) return [];
  const out = new Array<string>(t.numRows);
  let i = 0;
  for (const x of v) out[i++] = String(x);
  return out;
}
