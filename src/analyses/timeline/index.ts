// One user's story: their properties, their metrics and their events in time order — what a drill-down opens from
// any list of users or a customer's point on a chart. Every value is a bound parameter.
import type { Table } from 'apache-arrow';
import { toRows } from '../../lib/rows.ts';
import { sql, type Sql } from '../../sql/quote.ts';

/** Events shown at most (the latest are kept when a user has more). */
export const TIMELINE_LIMIT = 500;

/** One event of the timeline. */
export interface TimelineEvent {
  ts: number;
  type: string;
  session: string | null;
  product: string | null;
  category: string | null;
  revenue: number | null;
  order: string | null;
  source: string | null;
}

/**
 * The user's last `limit` events, oldest first (ties in table order), each row also carrying how many events the
 * user has in all (`total`).
 */
export function timelineSql(userId: string, limit = TIMELINE_LIMIT): Sql {
  return sql`SELECT * FROM (
  SELECT epoch_ms(ts)::DOUBLE AS ms, event_type::VARCHAR AS type, session_id::VARCHAR AS session, product_id::VARCHAR AS product,
    category::VARCHAR AS category, revenue::DOUBLE AS revenue, order_id::VARCHAR AS order_id, source::VARCHAR AS source,
    count(*) OVER ()::DOUBLE AS total, rowid AS rid
  FROM events WHERE CAST(user_id AS VARCHAR) = ${userId} AND ts IS NOT NULL
  ORDER BY ts DESC, rowid DESC LIMIT ${limit}
) ORDER BY ms, rid`;
}

/** The events (oldest first) and the user's event count. */
export function decodeTimeline(t: Table): { events: TimelineEvent[]; total: number } {
  const rows = toRows(t);
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    total: rows.length ? Number(rows[0].total) : 0,
    events: rows.map((r) => ({
      ts: Number(r.ms), type: String(r.type), session: str(r.session), product: str(r.product), category: str(r.category),
      revenue: r.revenue === null ? null : Number(r.revenue), order: str(r.order_id), source: str(r.source),
    })),
  };
}

/** The user's row of `users` and of `user_metrics` (whatever columns the dataset has), merged; null when unknown. */
export function timelineUserSql(userId: string): Sql {
  return sql`SELECT * FROM users u LEFT JOIN user_metrics m USING (user_id) WHERE CAST(u.user_id AS VARCHAR) = ${userId}`;
}
