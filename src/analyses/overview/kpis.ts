// Panel 1: headline KPIs for the date range (users, active users, orders, revenue, refunds and ratios).
import type { Table } from 'apache-arrow';
import { firstRow } from '../../lib/rows.ts';
import { raw, sql, type Sql } from '../../sql/quote.ts';
import { num, numOrNull } from './decode-util.ts';
import { scopeCtes } from './scope.ts';
import type { OverviewSpec } from './spec.ts';

/** The KPI row; ratios are null when their denominator is zero. Money is gross purchase revenue. */
export interface OverviewKpis {
  /** Distinct users with any event in range. */
  users: number;
  /** Distinct users with an event after range_end - 30 days. */
  activeUsers: number;
  /** Distinct users with a purchase in range. */
  buyers: number;
  /** Buyers with two or more distinct orders in range. */
  repeatBuyers: number;
  /** Distinct order_id on purchase events. */
  orders: number;
  /** Sum of revenue on purchase events (gross). */
  revenue: number;
  /** Sum of revenue on refund events, as stored (positive in the standard model). */
  refunds: number;
  /** revenue / orders. */
  aov: number | null;
  /** buyers / users. */
  purchaseConversion: number | null;
  /** repeatBuyers / buyers. */
  repeatPurchaseRate: number | null;
  /** orders / buyers. */
  ordersPerCustomer: number | null;
  /** Start of the range in epoch ms (`from` 00:00 or the first event); null when the range holds no events. */
  rangeStart: number | null;
  /** End of the range in epoch ms (`to` 23:59:59.999 or the last event); null when the range holds no events. */
  rangeEnd: number | null;
  /** The same figures over the period just before (as many days, ending the day before `from`); null for an open range. */
  previous: PreviousKpis | null;
}

/** The comparison period's figures (what the KPI cards' "vs previous period" compares with). */
export interface PreviousKpis {
  /** Inclusive UTC dates 'YYYY-MM-DD'. */
  from: string;
  to: string;
  users: number;
  activeUsers: number;
  orders: number;
  revenue: number;
  aov: number | null;
  purchaseConversion: number | null;
  repeatPurchaseRate: number | null;
  ordersPerCustomer: number | null;
}

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The period before a closed range: as many days, ending the day before it starts (30 days from 2024-03-01 to
 * 2024-03-30 → 2024-01-31 to 2024-02-29). null when either end is open ("All time" has nothing before it to compare).
 */
export function previousPeriod(spec: Pick<OverviewSpec, 'from' | 'to'>): { from: string; to: string } | null {
  if (spec.from === null || spec.to === null) return null;
  const from = Date.parse(`${spec.from}T00:00:00Z`);
  const to = Date.parse(`${spec.to}T00:00:00Z`);
  // (A date the validator did not see, e.g. from a test of hostile input: no comparison rather than a throw.)
  if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) return null;
  const days = Math.round((to - from) / DAY_MS) + 1;
  return { from: isoDay(from - days * DAY_MS), to: isoDay(from - DAY_MS) };
}

/** The columns the previous period adds to the KPI row (prefixed prev_). */
const PREV_COLUMNS = ['users', 'active_users', 'orders', 'revenue', 'aov', 'purchase_conversion', 'repeat_purchase_rate', 'orders_per_customer'];

/**
 * SQL for the KPI row: one pass per user (recency, orders) and one over events (orders, money); for a closed range,
 * the same figures over the previous period beside them (prev_ columns, NULL for an open range).
 *
 * `fromUserMetrics` (the dataset's user_metrics accounts for every event with a user: `USER_METRICS_COVER_SQL`):
 * over all time, the per-user pass reads user_metrics' rows instead of grouping every event by user — its last
 * event, distinct orders and first purchase are exactly that pass's figures over all of a user's events — and the
 * events are read for the money and the order count only (purchases and refunds). Same answers; a date range always
 * groups its events.
 */
export function kpisSql(spec: OverviewSpec, fromUserMetrics = false): Sql {
  const prev = previousPeriod(spec);
  const current = periodKpisSql(spec, fromUserMetrics && spec.from === null && spec.to === null);
  if (!prev) return sql`SELECT *, ${raw(PREV_COLUMNS.map((c) => `NULL::DOUBLE AS prev_${c}`).join(', '))} FROM (${current}) cur`;
  return sql`SELECT cur.*, ${raw(PREV_COLUMNS.map((c) => `prev.${c} AS prev_${c}`).join(', '))}
FROM (${current}) cur CROSS JOIN (${periodKpisSql({ ...spec, ...prev }, false)}) prev`;
}

/** Each user's last event, distinct orders and whether they bought, grouped from the events in scope. */
const PER_USER_FROM_EVENTS = raw(`per_user AS (
  SELECT max(ts) AS last_ts, count(DISTINCT order_id) FILTER (WHERE event_type = 'purchase') AS orders,
    bool_or(event_type = 'purchase') AS bought
  FROM ev WHERE user_id IS NOT NULL GROUP BY user_id
)`);

/** The same figures over all time, one stored row per user with events (the segment's users only, with one). */
function perUserFromMetrics(spec: OverviewSpec): Sql {
  const seg = spec.segment ? ' AND user_id IN (SELECT user_id FROM seg_users)' : '';
  return raw(`per_user AS (
  SELECT last_seen AS last_ts, orders, first_purchase IS NOT NULL AS bought
  FROM user_metrics WHERE events > 0${seg}
)`);
}

/** The KPI row of one period (`fromUserMetrics`: an all-time period whose per-user figures user_metrics holds). */
function periodKpisSql(spec: OverviewSpec, fromUserMetrics: boolean): Sql {
  // Reading user_metrics, only purchases and refunds are left to read from the events.
  const money = fromUserMetrics ? raw(`
  WHERE event_type IN ('purchase', 'refund')`) : raw('');
  return sql`WITH ${scopeCtes(spec, ['user_id', 'order_id', 'event_type', 'revenue'])},
${fromUserMetrics ? perUserFromMetrics(spec) : PER_USER_FROM_EVENTS},
people AS (
  SELECT count(*)::DOUBLE AS users,
    count(*) FILTER (WHERE last_ts > bounds.range_end - INTERVAL 30 DAY)::DOUBLE AS active_users,
    count(*) FILTER (WHERE bought)::DOUBLE AS buyers,
    count(*) FILTER (WHERE bought AND orders >= 2)::DOUBLE AS repeat_buyers
  FROM per_user CROSS JOIN bounds
),
totals AS (
  SELECT
    count(DISTINCT order_id) FILTER (WHERE event_type = 'purchase')::DOUBLE AS orders,
    coalesce(sum(revenue) FILTER (WHERE event_type = 'purchase'), 0)::DOUBLE AS revenue,
    coalesce(sum(revenue) FILTER (WHERE event_type = 'refund'), 0)::DOUBLE AS refunds
  FROM ev${money}
)
SELECT p.users, p.active_users, p.buyers, p.repeat_buyers, t.orders, t.revenue, t.refunds,
  (t.revenue / nullif(t.orders, 0))::DOUBLE AS aov,
  (p.buyers / nullif(p.users, 0))::DOUBLE AS purchase_conversion,
  (p.repeat_buyers / nullif(p.buyers, 0))::DOUBLE AS repeat_purchase_rate,
  (t.orders / nullif(p.buyers, 0))::DOUBLE AS orders_per_customer,
  epoch_ms(bounds.range_start)::DOUBLE AS range_start,
  epoch_ms(bounds.range_end)::DOUBLE AS range_end
FROM totals t CROSS JOIN people p CROSS JOIN bounds`;
}

/** Decode the KPI row. */
export function decodeKpis(table: Table): OverviewKpis {
  const r = firstRow(table);
  return {
    users: num(r, 'users'),
    activeUsers: num(r, 'active_users'),
    buyers: num(r, 'buyers'),
    repeatBuyers: num(r, 'repeat_buyers'),
    orders: num(r, 'orders'),
    revenue: num(r, 'revenue'),
    refunds: num(r, 'refunds'),
    aov: numOrNull(r, 'aov'),
    purchaseConversion: numOrNull(r, 'purchase_conversion'),
    repeatPurchaseRate: numOrNull(r, 'repeat_purchase_rate'),
    ordersPerCustomer: numOrNull(r, 'orders_per_customer'),
    rangeStart: numOrNull(r, 'range_start'),
    rangeEnd: numOrNull(r, 'range_end'),
    previous: null,
  };
}

/** Decode the KPI row with its previous period (`spec` says which dates that period covers). */
export function decodeKpisFor(table: Table, spec: Pick<OverviewSpec, 'from' | 'to'>): OverviewKpis {
  const k = decodeKpis(table);
  const prev = previousPeriod(spec);
  const r = firstRow(table);
  if (!prev || numOrNull(r, 'prev_users') === null) return k;
  return {
    ...k,
    previous: {
      ...prev,
      users: num(r, 'prev_users'),
      activeUsers: num(r, 'prev_active_users'),
      orders: num(r, 'prev_orders'),
      revenue: num(r, 'prev_revenue'),
      aov: numOrNull(r, 'prev_aov'),
      purchaseConversion: numOrNull(r, 'prev_purchase_conversion'),
      repeatPurchaseRate: numOrNull(r, 'prev_repeat_purchase_rate'),
      ordersPerCustomer: numOrNull(r, 'prev_orders_per_customer'),
    },
  };
}
