// The Segments screen's numbers: one profile row per value of one segmentation column (user_segments.<column>).
//
// WHAT EACH NUMBER IS (a spreadsheet over users, user_metrics, user_segments and events reproduces it exactly):
//   The population is every row of `users` (user_metrics has one row per user; user_segments may lack a user that
//   arrived later). A user whose segment value is NULL, or who has no user_segments row, is in the "(none)" row
//   (NONE_LABEL; its `value` is null, so a real label spelled "(none)" stays a different row).
//   users           users in the segment; userShare = users / all users
//   revenue         sum of user_metrics.revenue (gross purchase revenue); revenueShare = revenue / all revenue
//   orders          sum of user_metrics.orders; aov = revenue / orders (null when no orders)
//   buyers          users with a purchase event (user_metrics.days_since_last_purchase IS NOT NULL, as RFM and
//                   churn risk count them); conversion = buyers / users; ordersPerCustomer = orders / buyers
//   medianDays      median of days_since_last_purchase over the segment's buyers (interpolated: 2 and 5 give 3.5)
//   avgEngagement   mean of user_segments.engagement_score_value over the segment's users that have one
//   avgChurn, avgClv, avgAlive   means of the stored predictions (Predictions screen): user_segments.predicted_churn,
//                   predicted_clv and p_alive, each over the segment's users that have one (NULL when none has)
//   churnMix        users per churn_risk label (CHURN_LABELS; other values and NULL are in no bucket)
//   topCategories   the 3 categories with the most purchase revenue (events of type 'purchase') of the segment's
//                   users; category cleaned as the built-ins clean text (whitespace runs one space, trimmed,
//                   blank = none); purchase lines without a category are in no list
//   topSources      the 3 traffic sources with the most users: the stored traffic_source segmentation (the
//                   cleaned first-touch channel over events, so it works for imports without users.source), else
//                   users.source cleaned; "Unknown" and NULL are in no list
//   topCountries    the 3 countries with the most users: the stored country segmentation (one spelling per
//                   country), else users.country cleaned; "Unknown" and NULL are in no list
//   ageGroup, gender, incomeBracket   the most common label of age_group / gender / income_bracket (stored
//                   segmentations) other than "Unknown" and NULL, with share = its users / ALL the segment's users
//                   (so unknowns lower it rather than hide)
//   Ties in every top list and dominant label: more revenue (compared to 6 decimals, so float summing order never
//   decides) or more users first, then the label in code-point order.
//   A metric whose column the dataset lacks is NULL in every row, and profileUnavailable says why.
// Rows: the segmentation's label order when it is a built-in or RFM (segmentOrder), other values after them by
// users descending then label; the "(none)" row last.
// Cost: one statement. Per-user values are materialised once (users ⋈ user_segments ⋈ user_metrics, already one row
// per user); only purchase events are read from events, joined to that and summed per segment and raw category.
// Measured (200K users, 3.1M events, a 2-core machine under heavy shared load): 1.3-1.7 s native single-thread,
// 1-4.6 s DuckDB-WASM; the category part is about half of it.
import { StrataError } from '../../errors.ts';
import { ident, joinSql, raw, sql, type Sql } from '../../sql/quote.ts';
import { BUILTIN_SEGMENTATIONS, CHURN_LABELS, type Columns } from './builtin/index.ts';
import { cleanSql } from './builtin/common.ts';
import { RFM_LABELS } from '../rfm/segments.ts';
import { segmentColumn } from '../../data/segments-store.ts';

/** The label shown for users with no value in the segmentation. */
export const NONE_LABEL = '(none)';
/** The label the built-ins give users they cannot place; never a top or dominant entry. */
export const UNKNOWN_LABEL = 'Unknown';
/** How many entries each top list holds. */
export const TOP_N = 3;

/** The dataset's columns plus the stored segmentation columns (user_segments, without user_id). */
export interface ProfileColumns extends Columns {
  user_segments: readonly string[];
}

/** datasetColumns(db) plus the columns of listSegmentations(db): what segmentProfileSql needs to know. */
export function profileColumns(columns: Columns, segmentations: readonly { column: string }[]): ProfileColumns {
  return { ...columns, user_segments: segmentations.map((s) => s.column) };
}

/** Every metric that may be unavailable. */
export type ProfileMetric =
  | 'revenue' | 'orders' | 'buyers' | 'avgEngagement' | 'medianDays' | 'churnMix' | 'topCategories' | 'topSources'
  | 'topCountries' | 'ageGroup' | 'gender' | 'incomeBracket' | 'avgChurn' | 'avgClv' | 'avgAlive';

/** Where the top sources and countries come from (null: neither exists). */
export interface ProfileSources {
  traffic: 'segment:traffic_source' | 'users.source' | null;
  country: 'segment:country' | 'users.country' | null;
}

/** The segmentation columns the profile reads when they are stored. */
export const PROFILE_SEGMENT_COLUMNS = {
  engagement: 'engagement_score_value', churn: 'churn_risk', traffic: 'traffic_source', country: 'country',
  ageGroup: 'age_group', gender: 'gender', incomeBracket: 'income_bracket',
  predictedChurn: 'predicted_churn', predictedClv: 'predicted_clv', pAlive: 'p_alive',
} as const;

const S = PROFILE_SEGMENT_COLUMNS;

/** Which source the top traffic sources and countries read, given what is stored. */
export function profileSources(cols: ProfileColumns): ProfileSources {
  return {
    traffic: cols.user_segments.includes(S.traffic) ? 'segment:traffic_source' : cols.users.includes('source') ? 'users.source' : null,
    country: cols.user_segments.includes(S.country) ? 'segment:country' : cols.users.includes('country') ? 'users.country' : null,
  };
}

/** Metric -> why it is null everywhere (a missing column); metrics not listed are computed. */
export function profileUnavailable(cols: ProfileColumns): Partial<Record<ProfileMetric, string>> {
  const out: Partial<Record<ProfileMetric, string>> = {};
  const lacks = (what: string) => `This dataset has no ${what}.`;
  const m = (c: string) => cols.user_metrics.includes(c);
  const seg = (c: string) => cols.user_segments.includes(c);
  if (!m('revenue')) out.revenue = lacks('user_metrics.revenue column');
  if (!m('orders')) out.orders = lacks('user_metrics.orders column');
  if (!m('days_since_last_purchase')) out.buyers = out.medianDays = lacks('user_metrics.days_since_last_purchase column');
  if (!seg(S.engagement)) out.avgEngagement = lacks('stored engagement score (compute the built-in segmentations)');
  if (!seg(S.churn)) out.churnMix = lacks('stored churn risk segmentation');
  const ev = ['user_id', 'event_type', 'category', 'revenue'].filter((c) => !cols.events.includes(c));
  if (ev.length) out.topCategories = lacks(ev.map((c) => `events.${c}`).join(', ') + (ev.length > 1 ? ' columns' : ' column'));
  const src = profileSources(cols);
  if (!src.traffic) out.topSources = lacks('traffic source segmentation or users.source column');
  if (!src.country) out.topCountries = lacks('country segmentation or users.country column');
  if (!seg(S.ageGroup)) out.ageGroup = lacks('stored age group segmentation');
  if (!seg(S.gender)) out.gender = lacks('stored gender segmentation');
  if (!seg(S.incomeBracket)) out.incomeBracket = lacks('stored income bracket segmentation');
  if (!seg(S.predictedChurn)) out.avgChurn = lacks('stored churn prediction (train and score on the Predictions screen)');
  if (!seg(S.predictedClv)) out.avgClv = lacks('stored CLV prediction (train and score on the Predictions screen)');
  if (!seg(S.pAlive)) out.avgAlive = lacks('stored probability alive (train and score on the Predictions screen)');
  return out;
}

/** The label order of a built-in or RFM column (its stored column name), or null for any other column. */
export function segmentOrder(column: string): readonly string[] | null {
  if (column === 'rfm') return RFM_LABELS;
  const b = BUILTIN_SEGMENTATIONS.find((s) => segmentColumn(s.id) === column);
  return b ? b.labels : null;
}

/** The top lists and dominant labels: output prefix, how many, and the per-user column (pu) ranked. */
export const PROFILE_TOPS = [
  { key: 'topCategories', prefix: 'category', n: TOP_N },
  { key: 'topSources', prefix: 'source', n: TOP_N },
  { key: 'topCountries', prefix: 'country', n: TOP_N },
  { key: 'ageGroup', prefix: 'age_group', n: 1 },
  { key: 'gender', prefix: 'gender', n: 1 },
  { key: 'incomeBracket', prefix: 'income_bracket', n: 1 },
] as const satisfies readonly { key: ProfileMetric; prefix: string; n: number }[];

/** Output columns of the churn mix, in CHURN_LABELS order. */
export const CHURN_COLUMNS = CHURN_LABELS.map((_, i) => `churn_${i}`);

/**
 * One statement: a row per segment value of user_segments.<column> (see the top of this module). Columns:
 * value (VARCHAR, NULL = none), users, user_share, revenue, revenue_share, orders, buyers, aov, orders_per_customer,
 * conversion, median_days, avg_engagement, avg_churn, avg_clv, avg_alive, churn_0..3, then per PROFILE_TOPS entry `<prefix>_<k>` (VARCHAR) and
 * `<prefix>_<k>_amount` (DOUBLE: revenue for categories, users otherwise), k = 1..n. All numbers DOUBLE.
 */
export function segmentProfileSql(column: string, cols: ProfileColumns): Sql {
  if (!cols.user_segments.includes(column)) throw new StrataError(`There is no stored segmentation “${column}” to profile.`);
  const na = profileUnavailable(cols);
  const src = profileSources(cols);
  const s = (c: string) => `s.${ident(c)}`;
  const known = (expr: string) => sql`nullif(CAST(${raw(expr)} AS VARCHAR), ${UNKNOWN_LABEL})`;
  const pick = (ok: boolean, expr: Sql | string, type: string): Sql =>
    ok ? (typeof expr === 'string' ? raw(expr) : expr) : raw(`NULL::${type}`);
  const traffic = src.traffic === 'segment:traffic_source' ? known(s(S.traffic)) : src.traffic ? cleanSql(`u.${ident('source')}`) : raw('NULL::VARCHAR');
  const country = src.country === 'segment:country' ? known(s(S.country)) : src.country ? cleanSql(`u.${ident('country')}`) : raw('NULL::VARCHAR');
  const pu = sql`pu AS MATERIALIZED (
  SELECT CAST(${raw(s(column))} AS VARCHAR) AS seg, u.user_id,
    ${pick(!na.revenue, 'coalesce(m.revenue, 0)::DOUBLE', 'DOUBLE')} AS revenue,
    ${pick(!na.orders, 'coalesce(m.orders, 0)::DOUBLE', 'DOUBLE')} AS orders,
    ${pick(!na.buyers, 'm.days_since_last_purchase::DOUBLE', 'DOUBLE')} AS days,
    ${pick(!na.avgEngagement, `${s(S.engagement)}::DOUBLE`, 'DOUBLE')} AS eng,
    ${pick(!na.avgChurn, `${s(S.predictedChurn)}::DOUBLE`, 'DOUBLE')} AS p_churn,
    ${pick(!na.avgClv, `${s(S.predictedClv)}::DOUBLE`, 'DOUBLE')} AS p_clv,
    ${pick(!na.avgAlive, `${s(S.pAlive)}::DOUBLE`, 'DOUBLE')} AS p_alive,
    ${pick(!na.churnMix, `CAST(${s(S.churn)} AS VARCHAR)`, 'VARCHAR')} AS churn,
    ${traffic} AS source, ${country} AS country,
    ${pick(!na.ageGroup, known(s(S.ageGroup)), 'VARCHAR')} AS age_group,
    ${pick(!na.gender, known(s(S.gender)), 'VARCHAR')} AS gender,
    ${pick(!na.incomeBracket, known(s(S.incomeBracket)), 'VARCHAR')} AS income_bracket
  FROM users u LEFT JOIN user_segments s ON s.user_id = u.user_id LEFT JOIN user_metrics m ON m.user_id = u.user_id
)`;
  const churn = CHURN_LABELS.map((l, i) => na.churnMix
    ? raw(`NULL::DOUBLE AS ${CHURN_COLUMNS[i]}`)
    : sql`count(*) FILTER (WHERE churn = ${l})::DOUBLE AS ${raw(CHURN_COLUMNS[i])}`);
  const agg = sql`agg AS (
  SELECT seg, count(*)::DOUBLE AS users, sum(revenue)::DOUBLE AS revenue, sum(orders)::DOUBLE AS orders,
    ${raw(na.buyers ? 'NULL::DOUBLE' : 'count(days)::DOUBLE')} AS buyers,
    quantile_cont(days, 0.5)::DOUBLE AS median_days, avg(eng)::DOUBLE AS avg_engagement,
    avg(p_churn)::DOUBLE AS avg_churn, avg(p_clv)::DOUBLE AS avg_clv, avg(p_alive)::DOUBLE AS avg_alive, ${joinSql(churn, ', ')}
  FROM pu GROUP BY seg
)`;
  const items: Sql[] = [];
  if (!na.topCategories) {
    // Purchase lines are summed per segment and raw category first; only those few groups are cleaned (the regex
    // per purchase line cost ~0.5 s per 125K lines in DuckDB-WASM), then merged per cleaned name.
    items.push(sql`SELECT 'category' AS kind, seg, item, sum(amount)::DOUBLE AS amount
    FROM (SELECT seg, ${cleanSql('category')} AS item, amount FROM (
      SELECT p.seg, e.category, coalesce(sum(e.revenue), 0) AS amount
      FROM events e JOIN pu p ON p.user_id = e.user_id WHERE e.event_type = 'purchase' GROUP BY p.seg, e.category) c) ci
    WHERE item IS NOT NULL GROUP BY seg, item`);
  }
  for (const t of PROFILE_TOPS.filter((x) => x.key !== 'topCategories')) {
    if (!na[t.key]) items.push(raw(`SELECT '${t.prefix}' AS kind, seg, ${t.prefix} AS item, count(*)::DOUBLE AS amount FROM pu WHERE ${t.prefix} IS NOT NULL GROUP BY seg, ${t.prefix}`));
  }
  const topCols = PROFILE_TOPS.flatMap((t) => Array.from({ length: t.n }, (_, i) => {
    const name = `${t.prefix}_${i + 1}`;
    const where = `kind = '${t.prefix}' AND rn = ${i + 1}`;
    return items.length
      ? `max(item) FILTER (WHERE ${where}) AS ${name}, max(amount) FILTER (WHERE ${where}) AS ${name}_amount`
      : `NULL::VARCHAR AS ${name}, NULL::DOUBLE AS ${name}_amount`;
  }));
  const tops = items.length
    ? sql`, items AS (${joinSql(items, '\n  UNION ALL ')}),
ranked AS (
  SELECT kind, seg, item, amount, row_number() OVER (PARTITION BY kind, seg ORDER BY round(amount, 6) DESC, item) AS rn
  FROM items QUALIFY rn <= ${raw(String(TOP_N))}
),
tops AS (SELECT seg, ${raw(topCols.join(',\n  '))} FROM ranked GROUP BY seg)`
    : raw('');
  const order = segmentOrder(column);
  const position = order?.length
    ? sql`CASE a.seg ${joinSql(order.map((l, i) => sql`WHEN ${l} THEN ${raw(String(i))}`), ' ')} ELSE ${raw(String(order.length))} END, `
    : raw('');
  const topSelect = items.length
    ? raw(PROFILE_TOPS.flatMap((t) => Array.from({ length: t.n }, (_, i) => `t.${t.prefix}_${i + 1}, t.${t.prefix}_${i + 1}_amount`)).join(', '))
    : raw(topCols.join(', '));
  return sql`WITH ${pu},
${agg}${tops}
SELECT a.seg AS value, a.users, (a.users / sum(a.users) OVER ())::DOUBLE AS user_share,
  a.revenue, (a.revenue / nullif(sum(a.revenue) OVER (), 0))::DOUBLE AS revenue_share, a.orders, a.buyers,
  (a.revenue / nullif(a.orders, 0))::DOUBLE AS aov, (a.orders / nullif(a.buyers, 0))::DOUBLE AS orders_per_customer,
  (a.buyers / a.users)::DOUBLE AS conversion, a.median_days, a.avg_engagement, a.avg_churn, a.avg_clv, a.avg_alive, ${raw(CHURN_COLUMNS.map((c) => `a.${c}`).join(', '))},
  ${topSelect}
FROM agg a${raw(items.length ? ' LEFT JOIN tops t ON t.seg IS NOT DISTINCT FROM a.seg' : '')}
ORDER BY a.seg IS NULL, ${position}a.users DESC, a.seg`;
}
