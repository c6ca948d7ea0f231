// RFM as SQL over the current schema's user_metrics: one row per user with R, F and M scores, the R-F-M cell and
// the named segment; the R x F grid; users and revenue per segment.
//
// THE RULE (what every score means; a spreadsheet reproduces it exactly):
//   Buyers are the users with at least one purchase (user_metrics.days_since_last_purchase is not NULL). Only
//   buyers are scored; everyone else gets NULL scores, a NULL cell and the label "No Purchase".
//   Values, per buyer, all from user_metrics:
//     recency_days = days_since_last_purchase: calendar days (UTC) from the day of the buyer's last purchase to
//                    the day of the data's last event of any type (a purchase on that day is 0);
//     frequency    = orders (distinct order ids of purchase events; 0 if its purchases carry no order id);
//     monetary     = revenue (gross purchase revenue), rounded to 6 decimals so that floating-point noise in
//                    summing (0.1 + 0.2 vs 0.3) never splits two equal amounts.
//   Score of a buyer's value among the n buyers:
//     worse = the number of buyers whose value is strictly worse (a higher recency_days; a lower frequency;
//             a lower monetary)
//     score = 1 + floor(5 * worse / n)
//   Equal values always get the same score (ties are never split): a tie takes the lowest position it
//   occupies, as RANK.EQ / SQL rank() do. Consequences: one buyer, or buyers who are all equal, score 1; the
//   best value scores 5 only if at least 80% of buyers are strictly worse; skewed values leave scores unused
//   (if 60% of buyers have one order they are all F 1, and two orders jump to F 4).
//   Spreadsheet, buyers in rows 2..N, frequency in column F:
//     F score = 1 + INT(5 * (RANK.EQ(F2, F$2:F$N, 1) - 1) / COUNT(F$2:F$N))        (1 = ascending)
//     R score = 1 + INT(5 * (RANK.EQ(D2, D$2:D$N, 0) - 1) / COUNT(D$2:D$N))        (recency_days, descending)
//   The cell is "R-F-M" (e.g. "5-4-5"); the label is the first rule of RFM_SEGMENTS (segments.ts) whose R and F
//   ranges hold the buyer's R and F.
import { joinSql, raw, sql, type Sql } from '../../sql/quote.ts';
import { NO_PURCHASE, RFM_SEGMENTS } from './segments.ts';
import { DEFAULT_RFM, type RfmSpec } from './spec.ts';

/** The rule above as text for people (the UI's "How scores work", the README). */
export const RFM_TIE_RULE =
  'Scores 1-5 rank buyers only. For each value, count the buyers with a strictly worse value (older last ' +
  'purchase; fewer orders; less revenue): score = 1 + floor(5 × worse ÷ buyers). Equal values always share a ' +
  'score (a tie takes its lowest rank, like RANK.EQ), so one buyer, or buyers who are all equal, score 1. ' +
  'Recency counts calendar days from the last purchase to the last day in the data; revenue is compared to ' +
  '6 decimals.';

/** `1 + floor(5 * worse / n)` as SQL over rfm_buyers, `order` naming the column and best-last direction. */
function scoreSql(order: string): string {
  return `(1 + (5 * (rank() OVER (ORDER BY ${order}) - 1)) // count(*) OVER ())::INTEGER`;
}

/** CTEs rfm_buyers and rfm_scored(user_id, recency_days, frequency, monetary, revenue, r, f, m): buyers only. */
function scoredCtes(): Sql {
  return raw(`rfm_buyers AS (
  SELECT user_id, days_since_last_purchase::INTEGER AS recency_days, coalesce(orders, 0)::BIGINT AS frequency,
    round(coalesce(revenue, 0), 6)::DOUBLE AS monetary, coalesce(revenue, 0)::DOUBLE AS revenue
  FROM user_metrics WHERE days_since_last_purchase IS NOT NULL
),
rfm_scored AS (
  SELECT *, ${scoreSql('recency_days DESC')} AS r, ${scoreSql('frequency ASC')} AS f, ${scoreSql('monetary ASC')} AS m
  FROM rfm_buyers
)`);
}

/**
 * The segment label of scores `r`, `f` (trusted column expressions): the rules of RFM_SEGMENTS in order, their
 * bounds and labels bound as parameters; NULL scores (no purchase) give NO_PURCHASE.
 */
export function rfmLabelSql(r: string, f: string): Sql {
  const whens = RFM_SEGMENTS.map((s) =>
    sql`WHEN ${raw(r)} BETWEEN CAST(${s.r[0]} AS INTEGER) AND CAST(${s.r[1]} AS INTEGER) AND ${raw(f)} BETWEEN CAST(${s.f[0]} AS INTEGER) AND CAST(${s.f[1]} AS INTEGER) THEN CAST(${s.label} AS VARCHAR)`);
  return sql`CASE WHEN ${raw(r)} IS NULL THEN CAST(${NO_PURCHASE} AS VARCHAR) ${joinSql(whens, ' ')} END`;
}

/**
 * One row per user of user_metrics, in no particular order (it is stored as a table or read with a filter; an
 * ORDER BY added 0.5-2 s of 3-5 s at 1M users): user_id, r, f, m (INTEGER 1-5, NULL without a
 * purchase), cell (VARCHAR "R-F-M", NULL without a purchase), label (VARCHAR, never NULL); with spec.values also
 * recency_days, frequency and monetary (NULL without a purchase).
 */
export function rfmSql(spec: RfmSpec = DEFAULT_RFM): Sql {
  const values = raw(spec.values ? ', s.recency_days::DOUBLE AS recency_days, s.frequency::DOUBLE AS frequency, s.monetary::DOUBLE AS monetary' : '');
  return sql`WITH ${scoredCtes()}
SELECT u.user_id, s.r, s.f, s.m,
  CAST(s.r AS VARCHAR) || '-' || CAST(s.f AS VARCHAR) || '-' || CAST(s.m AS VARCHAR) AS cell,
  ${rfmLabelSql('s.r', 's.f')} AS label${values}
FROM user_metrics u LEFT JOIN rfm_scored s ON s.user_id = u.user_id`;
}

/**
 * The R x F grid: all 25 cells (R 5 to 1, then F 1 to 5), each with its buyers (users), their mean revenue
 * (monetary; NULL in an empty cell) and total revenue; for a heat map coloured by monetary and sized by users.
 */
export function rfmGridSql(): Sql {
  return sql`WITH ${scoredCtes()},
rfm_cells AS (SELECT r, f, count(*) AS users, avg(revenue) AS monetary, sum(revenue) AS revenue FROM rfm_scored GROUP BY r, f)
SELECT g.r::INTEGER AS r, h.f::INTEGER AS f, coalesce(c.users, 0)::DOUBLE AS users, c.monetary::DOUBLE AS monetary,
  coalesce(c.revenue, 0)::DOUBLE AS revenue
FROM range(5, 0, -1) g(r) CROSS JOIN range(1, 6) h(f)
LEFT JOIN rfm_cells c ON c.r = g.r AND c.f = h.f
ORDER BY g.r DESC, h.f`;
}

/** Users and gross revenue per label (segments with users only; "No Purchase" included when there are any). */
export function rfmSegmentsSql(): Sql {
  return sql`WITH ${scoredCtes()},
rfm_labelled AS (
  SELECT ${rfmLabelSql('s.r', 's.f')} AS label, coalesce(u.revenue, 0) AS revenue
  FROM user_metrics u LEFT JOIN rfm_scored s ON s.user_id = u.user_id
)
SELECT label, count(*)::DOUBLE AS users, sum(revenue)::DOUBLE AS revenue FROM rfm_labelled GROUP BY label ORDER BY label`;
}
