// The per-customer summary the probabilistic CLV models read (src/ml/clv.ts), as of a cutoff day: purchases are
// counted per distinct day (several orders on one day are one transaction, as in Fader, Hardie & Lee), in days.
//   x  = purchase days up to the cutoff, minus the first
//   tx = days from the first purchase day to the last one (0 for one-day customers)
//   T  = days from the first purchase day to the cutoff day
//   m  = the mean value of the repeat purchase days (a day's value = the sum of that day's purchase revenue;
//        refunds are not subtracted: the spend model describes what customers pay per transaction); 0 when x = 0
// Only users with a purchase on or before the cutoff are customers here. Rows are in user_id order.
import type { Table } from 'apache-arrow';
import { sql, type Sql } from '../../sql/quote.ts';
import { numbers, strings } from './churn-sql.ts';

export interface ClvSummary {
  userIds: string[];
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  m: Float64Array;
}

/** The summary as of `cutoff` ('YYYY-MM-DD', inclusive; purchases after it are not seen). */
export function clvSummarySql(cutoff: string): Sql {
  return sql`WITH d AS (
  SELECT user_id, CAST(ts AS DATE) AS day, sum(coalesce(revenue, 0)) AS value
  FROM events
  WHERE event_type = 'purchase' AND CAST(ts AS DATE) <= CAST(${cutoff} AS DATE)
  GROUP BY user_id, day
), f AS (
  SELECT user_id, min(day) AS first_day, max(day) AS last_day, count(*) AS days, sum(value) AS total, arg_min(value, day) AS first_value
  FROM d GROUP BY user_id
)
SELECT CAST(user_id AS VARCHAR) AS user_id,
  (days - 1)::DOUBLE AS x,
  date_diff('day', first_day, last_day)::DOUBLE AS tx,
  date_diff('day', first_day, CAST(${cutoff} AS DATE))::DOUBLE AS t_obs,
  (CASE WHEN days > 1 THEN (total - first_value) / (days - 1) ELSE 0 END)::DOUBLE AS m
FROM f ORDER BY user_id`;
}

/** The answer as typed arrays (one entry per customer, user_id order). */
export function decodeClvSummary(t: Table): ClvSummary {
  const col = (name: string) => numbers(t, name) ?? new Float64Array(t.numRows);
  return { userIds: strings(t, 'user_id'), x: col('x'), tx: col('tx'), T: col('t_obs'), m: col('m') };
}

/** The last day of purchase data ('YYYY-MM-DD'), or null when there is no purchase. */
export const LAST_PURCHASE_DAY_SQL = `SELECT strftime(max(CAST(ts AS DATE)), '%Y-%m-%d') AS d FROM events WHERE event_type = 'purchase'`;
