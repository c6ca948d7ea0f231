// Relational shop exports joined by their keys, on the normalised tables (normalize-sql.ts), into what the rest of
// the import reads: one table of order lines shaped like a transactions file's.
//
//   order lines  --order_id-->  orders  --user_id (customer key)-->  customers  (person_id, when the file has one)
//   payments     --order_id-->  orders
//
// Rules (README "Relational imports"):
//   - A line takes its order's customer and time when it has none of its own; a line whose order id is not in the
//     orders file is set aside ('no_order'), as is every line of an order whose status means no sale ('not_a_sale').
//     An order whose status means a refund or return makes its lines refunds (refund_rule 'status').
//   - Without an order lines file, each order is one purchase line: revenue = the order's payments (summed), else
//     the order's own total; an order with neither is set aside ('no_amount').
//   - The person: when a users (customers) file maps a per-order customer key to a stable person id, every user id
//     (lines and users) becomes that person, so repeat customers are found; keys without a person stay as they are.
import { ident } from '../../sql/quote.ts';
import type { Target } from './types.ts';

/** A normalised table and the fields it has. */
export interface RelTable {
  table: string;
  mapped: ReadonlySet<Target>;
}

const ORDER_FIELDS_FOR_LINES: readonly Target[] = ['country', 'region', 'city', 'source', 'medium', 'campaign', 'device', 'email'];

/** CREATE TEMP TABLE `out`: the lines `lines` with their order's customer, time and status applied. */
export function linesFromOrdersSql(lines: RelTable, orders: RelTable, out: string): string {
  const l = (t: Target) => `l.${ident(t)}`;
  const o = (t: Target) => `o.${ident(t)}`;
  // Order-level place and traffic fields fill lines that lack them.
  const fill = ORDER_FIELDS_FOR_LINES.filter((t) => orders.mapped.has(t));
  const replace = [
    `coalesce(l.user_id, o.user_id) AS user_id`,
    `coalesce(l.ts, o.ts) AS ts`,
    `CASE WHEN o.status_class = 'refund' THEN 'refund' ELSE l.event_type END AS event_type`,
    `CASE WHEN o.status_class = 'refund' THEN 'status' ELSE l.refund_rule END AS refund_rule`,
    `CASE WHEN l.reason IS NOT NULL THEN l.reason
      WHEN o.order_id IS NULL THEN 'no_order'
      WHEN o.status_class = 'not_sale' THEN 'not_a_sale'
      WHEN coalesce(l.ts, o.ts) IS NULL THEN 'bad_timestamp'
      WHEN coalesce(l.user_id, o.user_id) IS NULL THEN 'no_user' END AS reason`,
    ...fill.filter((t) => lines.mapped.has(t)).map((t) => `coalesce(${l(t)}, ${o(t)}) AS ${ident(t)}`),
  ];
  const added = [
    ...fill.filter((t) => !lines.mapped.has(t)).map((t) => `${o(t)} AS ${ident(t)}`),
    orders.mapped.has('status') && !lines.mapped.has('status') ? `${o('status')} AS status` : '',
  ].filter(Boolean);
  return `CREATE TEMP TABLE ${ident(out)} AS
SELECT l.* REPLACE (${replace.join(',\n    ')})${added.length ? `,\n  ${added.join(', ')}` : ''}
FROM ${ident(lines.table)} l
LEFT JOIN (SELECT * FROM ${ident(orders.table)} WHERE reason IS NULL) o ON o.order_id = l.order_id`;
}

/**
 * CREATE TEMP TABLE `out`: one purchase (or refund) line per order, for exports without order lines. Revenue is
 * the sum of the order's loaded payments, else the order's total.
 */
export function ordersAsLinesSql(orders: RelTable, payments: RelTable | null, out: string): string {
  const total = orders.mapped.has('revenue') ? 'o.revenue' : `NULL::DOUBLE`;
  const paid = payments ? 'p.amount' : 'NULL::DOUBLE';
  const keep = ['country', 'region', 'city', 'source', 'medium', 'campaign', 'device', 'email', 'status', 'shipping']
    .filter((t) => orders.mapped.has(t as Target)).map((t) => `o.${ident(t)}`);
  return `CREATE TEMP TABLE ${ident(out)} AS
SELECT o.src_row, o.file_idx, o.order_id, o.user_id, o.ts${keep.length ? `, ${keep.join(', ')}` : ''},
  CASE WHEN o.status_class = 'refund' THEN 'refund' ELSE 'purchase' END AS event_type,
  CASE WHEN o.status_class = 'refund' THEN 'status' END AS refund_rule,
  1::INTEGER AS quantity,
  coalesce(${paid}, ${total})::DOUBLE AS revenue,
  CASE WHEN o.reason IS NOT NULL THEN o.reason
    WHEN o.status_class = 'not_sale' THEN 'not_a_sale'
    WHEN coalesce(${paid}, ${total}) IS NULL THEN 'no_amount' END AS reason
FROM ${ident(orders.table)} o${payments ? `
LEFT JOIN (SELECT order_id, sum(revenue) AS amount FROM ${ident(payments.table)} WHERE reason IS NULL GROUP BY order_id) p
  ON p.order_id = o.order_id AND o.reason IS NULL` : ''}`;
}

/** UPDATE `table`'s user ids (customer keys) to the person ids of `map` (user_id -> person_id, one row per key). */
export function personSql(table: string, map: string): string {
  return `UPDATE ${ident(table)} t SET user_id = m.person_id FROM ${ident(map)} m WHERE m.user_id = t.user_id`;
}
