// One customer at a time: find users by id or name, read everything stored about one (every segmentation's label
// or score, the predictions), their key metrics against the averages of their segment in a chosen segmentation,
// and their event timeline. Every value is bound; the segmentation column is quoted through ident().
import type { Table } from 'apache-arrow';
import { ident, raw, sql, type Sql } from '../../sql/quote.ts';
import { toRows } from '../../lib/rows.ts';

/** The metrics compared with the segment's averages. */
export const KEY_METRICS = [
  { id: 'orders', name: 'Orders' },
  { id: 'revenue', name: 'Revenue' },
  { id: 'aov', name: 'Average order value' },
  { id: 'events', name: 'Events' },
  { id: 'sessions', name: 'Sessions' },
  { id: 'days_since_last_purchase', name: 'Days since last purchase' },
  { id: 'days_since_last_visit', name: 'Days since last visit' },
] as const;

/** Up to `limit` users whose id, or name when the users table has one, contains `text` (case-insensitive). */
export function customerSearchSql(text: string, hasName: boolean, limit = 20): Sql {
  const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return hasName
    ? sql`SELECT CAST(user_id AS VARCHAR) AS user_id, CAST(name AS VARCHAR) AS name FROM users
WHERE CAST(user_id AS VARCHAR) ILIKE ${like} ESCAPE '\\' OR CAST(name AS VARCHAR) ILIKE ${like} ESCAPE '\\' ORDER BY user_id LIMIT ${limit}`
    : sql`SELECT CAST(user_id AS VARCHAR) AS user_id, NULL::VARCHAR AS name FROM users WHERE CAST(user_id AS VARCHAR) ILIKE ${like} ESCAPE '\\' ORDER BY user_id LIMIT ${limit}`;
}

/** The user's row of user_segments (every stored segmentation), or no row. */
export function customerSegmentsSql(userId: string): Sql {
  return sql`SELECT * FROM user_segments WHERE CAST(user_id AS VARCHAR) = ${userId}`;
}

/**
 * The user's KEY_METRICS (prefix "u_") and the mean of each over the users sharing their label in `by` ("s_"),
 * and that segment's size (segment_users). With `by` null, the averages are over all users.
 */
export function customerVsSegmentSql(userId: string, by: string | null): Sql {
  const pick = KEY_METRICS.map((k) => `me.${k.id}::DOUBLE AS u_${k.id}, avg(m.${k.id})::DOUBLE AS s_${k.id}`).join(', ');
  const peers = by === null
    ? raw('TRUE')
    : raw(`s.${ident(by)} IS NOT DISTINCT FROM (SELECT ${ident(by)} FROM user_segments WHERE CAST(user_id AS VARCHAR) = me.user_id)`);
  return sql`WITH me AS (SELECT CAST(user_id AS VARCHAR) AS user_id, ${raw(KEY_METRICS.map((k) => k.id).join(', '))} FROM user_metrics WHERE CAST(user_id AS VARCHAR) = ${userId})
SELECT ${raw(pick)}, count(*)::DOUBLE AS segment_users
FROM me, user_metrics m LEFT JOIN user_segments s ON s.user_id = m.user_id
WHERE ${peers}
GROUP BY ALL`;
}

export interface CustomerVsSegment { metric: string; name: string; user: number | null; segment: number | null }

export function decodeVsSegment(t: Table): { rows: CustomerVsSegment[]; segmentUsers: number } | null {
  const r = toRows(t)[0];
  if (!r) return null;
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return { rows: KEY_METRICS.map((k) => ({ metric: k.id, name: k.name, user: n(r[`u_${k.id}`]), segment: n(r[`s_${k.id}`]) })), segmentUsers: Number(r.segment_users) };
}

/** The user's latest `limit` events, newest first. */
export function customerTimelineSql(userId: string, limit = 100): Sql {
  return sql`SELECT epoch_ms(ts)::DOUBLE AS t, event_type, CAST(product_id AS VARCHAR) AS product_id, revenue::DOUBLE AS revenue, CAST(order_id AS VARCHAR) AS order_id
FROM events WHERE CAST(user_id AS VARCHAR) = ${userId} ORDER BY ts DESC, event_type LIMIT ${limit}`;
}

/** All users' means the recommendations compare a customer with (as the playbook's all-users row). */
export function overallFiguresSql(): Sql {
  return raw(`SELECT avg(s.predicted_clv)::DOUBLE AS clv, avg(s.predicted_churn)::DOUBLE AS churn, avg(s.p_alive)::DOUBLE AS alive, avg(m.events)::DOUBLE AS events
FROM users u JOIN user_segments s ON s.user_id = u.user_id JOIN user_metrics m ON m.user_id = u.user_id`);
}
