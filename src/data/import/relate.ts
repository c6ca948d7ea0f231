// Running relate-sql.ts for an import: which normalised tables join, the joined tables that replace them, and the
// report's relational part (the joins with their matches, where revenue came from and both totals, the order
// statuses and their meaning, orders without lines). Also the person step (customer key -> person id), for any plan.
import type { Db } from '../../db/types.ts';
import { firstRow, toRows } from '../../lib/rows.ts';
import { ident } from '../../sql/quote.ts';
import { StrataError } from '../../errors.ts';
import { linesFromOrdersSql, ordersAsLinesSql, personSql, type RelTable } from './relate-sql.ts';
import { DERIVED_FIELDS } from './normalize-sql.ts';
import { tempName } from './names.ts';
import type { NormTable } from './build-sql.ts';
import type { FileMapping, FileRole, RelationalReport, StatusClass, Target } from './types.ts';

/** The fields a file's mapping fills (plus the derived ones of events and order lines). */
export function mappedFields(m: FileMapping): Set<Target> {
  const mapped = new Set(m.columns.map((c) => c.target).filter((t): t is Target => t !== 'keep' && t !== 'ignore'));
  if (m.role === 'events' || m.role === 'transactions') for (const t of DERIVED_FIELDS) mapped.add(t);
  return mapped;
}

/** A normalised table as the build step reads it. */
export function normTable(table: string, m: FileMapping): NormTable {
  const kept = m.columns.filter((c) => c.target === 'keep').map((c) => c.as ?? c.column);
  return { table, kept, mapped: mappedFields(m) };
}

export interface RelateFile {
  role: FileRole;
  norm: string;
  mapping: FileMapping;
  who: string;
}

const PLACE_ETC: readonly Target[] = ['country', 'region', 'city', 'source', 'medium', 'campaign', 'device', 'email'];

/** Join a relational plan's files; `track` registers scratch tables for cleanup. */
export async function relate(db: Db, files: readonly RelateFile[], track: (name: string) => string): Promise<{
  norms: { role: FileRole; norm: NormTable }[];
  replaced: Map<string, string>;
  report: RelationalReport;
}> {
  const of = (role: FileRole) => files.filter((f) => f.role === role);
  const [orders, ...moreOrders] = of('orders');
  const payments = of('payments');
  if (moreOrders.length) throw new StrataError(`One orders file per import: ${[orders, ...moreOrders].map((f) => f.who).join(' and ')} are both orders files. Combine them, or change a file's role.`);
  if (payments.length > 1) throw new StrataError(`One payments file per import: ${payments.map((f) => f.who).join(' and ')} are both payments files.`);
  const rel = (f: RelateFile): RelTable => ({ table: f.norm, mapped: mappedFields(f.mapping) });
  const o = rel(orders);
  const p = payments[0] ? rel(payments[0]) : null;
  const lines = of('transactions');
  const norms: { role: FileRole; norm: NormTable }[] = [];
  const replaced = new Map<string, string>();
  const joins: RelationalReport['joins'] = [];
  const loadedOrders = `(SELECT order_id FROM ${ident(o.table)} WHERE reason IS NULL)`;
  const count = async (q: string) => Number(firstRow(await db.query(q)).n ?? 0);

  for (const l of lines) {
    const out = track(tempName('rel'));
    const lr = rel(l);
    await db.exec(linesFromOrdersSql(lr, o, out));
    replaced.set(l.norm, out);
    const mapped = new Set<Target>([...lr.mapped, 'user_id', 'ts', ...PLACE_ETC.filter((t) => o.mapped.has(t))]);
    if (o.mapped.has('status')) mapped.add('status');
    norms.push({ role: 'transactions', norm: { table: out, kept: normTable(out, l.mapping).kept, mapped } });
    joins.push({
      from: l.who, to: orders.who, key: 'order_id',
      rows: await count(`SELECT count(*)::DOUBLE AS n FROM ${ident(l.norm)} WHERE order_id IS NOT NULL`),
      matched: await count(`SELECT count(*)::DOUBLE AS n FROM ${ident(l.norm)} WHERE order_id IN ${loadedOrders}`),
    });
  }
  if (!lines.length) {
    const out = track(tempName('rel'));
    await db.exec(ordersAsLinesSql(o, p, out));
    replaced.set(orders.norm, out);
    const mapped = new Set<Target>(['order_id', 'user_id', 'ts', ...DERIVED_FIELDS,
      ...(['country', 'region', 'city', 'source', 'medium', 'campaign', 'device', 'email', 'status', 'shipping'] as Target[]).filter((t) => o.mapped.has(t))]);
    norms.push({ role: 'transactions', norm: { table: out, kept: [], mapped } });
  }
  if (p && payments[0]) {
    joins.push({
      from: payments[0].who, to: orders.who, key: 'order_id',
      rows: await count(`SELECT count(*)::DOUBLE AS n FROM ${ident(p.table)} WHERE order_id IS NOT NULL`),
      matched: await count(`SELECT count(*)::DOUBLE AS n FROM ${ident(p.table)} WHERE order_id IN ${loadedOrders}`),
    });
  }
  for (const f of files) {
    if (f.role === 'users' || f.role === 'products' || f.role === 'events') norms.push({ role: f.role, norm: normTable(f.norm, f.mapping) });
  }
  const customers = of('users');
  if (customers.length) {
    const keys = customers.map((c) => `SELECT user_id FROM ${ident(c.norm)} WHERE reason IS NULL`).join(' UNION ALL ');
    joins.push({
      from: orders.who, to: customers.map((c) => c.who).join(' + '), key: 'user_id',
      rows: await count(`SELECT count(*)::DOUBLE AS n FROM ${ident(o.table)} WHERE reason IS NULL`),
      matched: await count(`SELECT count(*)::DOUBLE AS n FROM ${ident(o.table)} WHERE reason IS NULL AND user_id IN (${keys})`),
    });
  }

  const statuses = o.mapped.has('status')
    ? toRows(await db.query(`SELECT coalesce(status, '(none)') AS status, status_class, count(*)::DOUBLE AS n FROM ${ident(o.table)}
WHERE reason IS NULL GROUP BY ALL ORDER BY n DESC, status`)).map((r) => ({ status: String(r.status), meaning: String(r.status_class) as StatusClass, orders: Number(r.n) }))
    : [];
  const sum = async (q: string) => {
    const v = firstRow(await db.query(q)).s;
    return v === null || v === undefined ? null : Number(v);
  };
  const sold = `(SELECT order_id FROM ${ident(o.table)} WHERE reason IS NULL AND status_class = 'purchase')`;
  const lineTables = lines.map((l) => replaced.get(l.norm)!);
  const linesRevenue = lineTables.length
    ? await sum(`SELECT sum(revenue)::DOUBLE AS s FROM (${lineTables.map((t) => `SELECT revenue FROM ${ident(t)} WHERE reason IS NULL AND event_type = 'purchase'`).join(' UNION ALL ')})`)
    : null;
  const shipping = lineTables.length && lines.some((l) => mappedFields(l.mapping).has('shipping'))
    ? await sum(`SELECT sum(shipping)::DOUBLE AS s FROM (${lines.filter((l) => mappedFields(l.mapping).has('shipping')).map((l) => `SELECT shipping FROM ${ident(replaced.get(l.norm)!)} WHERE reason IS NULL AND event_type = 'purchase'`).join(' UNION ALL ')})`)
    : o.mapped.has('shipping') ? await sum(`SELECT sum(shipping)::DOUBLE AS s FROM ${ident(o.table)} WHERE order_id IN ${sold}`) : null;
  const paymentsTotal = p ? await sum(`SELECT sum(revenue)::DOUBLE AS s FROM ${ident(p.table)} WHERE reason IS NULL AND order_id IN ${sold}`) : null;
  const ordersTotal = o.mapped.has('revenue') ? await sum(`SELECT sum(revenue)::DOUBLE AS s FROM ${ident(o.table)} WHERE order_id IN ${sold}`) : null;
  const ordersWithoutLines = lineTables.length
    ? await count(`SELECT count(*)::DOUBLE AS n FROM ${ident(o.table)} o WHERE reason IS NULL AND NOT EXISTS (${lineTables.map((t) => `SELECT 1 FROM ${ident(t)} l WHERE l.order_id = o.order_id`).join(' UNION ALL ')})`)
    : null;
  const revenueFrom: RelationalReport['revenueFrom'] = lineTables.length ? 'lines' : p ? 'payments' : 'orders';
  return { norms, replaced, report: { joins, revenueFrom, linesRevenue, paymentsTotal, ordersTotal, shipping, statuses, ordersWithoutLines } };
}

/**
 * When a users file maps customer keys to a person id, every user id becomes its person (events, order lines,
 * users); returns how many keys and persons there were, or null when no file has a person id.
 */
export async function personsFromCustomers(db: Db, norms: readonly { role: FileRole; norm: NormTable }[]): Promise<{ keys: number; persons: number } | null> {
  const customers = norms.filter((n) => n.role === 'users' && n.norm.mapped.has('person_id')).map((n) => n.norm.table);
  if (!customers.length) return null;
  const map = tempName('persons');
  const src = customers.map((c) => `SELECT user_id, person_id, file_idx, src_row FROM ${ident(c)} WHERE reason IS NULL AND person_id IS NOT NULL`).join('\nUNION ALL\n');
  await db.exec(`CREATE TEMP TABLE ${ident(map)} AS SELECT user_id, first(person_id ORDER BY file_idx, src_row) AS person_id FROM (${src}) GROUP BY user_id`);
  try {
    for (const n of norms) {
      if (n.role === 'products') continue;
      await db.exec(personSql(n.norm.table, map));
    }
    const r = firstRow(await db.query(`SELECT count(*)::DOUBLE AS keys, count(DISTINCT person_id)::DOUBLE AS persons FROM ${ident(map)}`));
    return { keys: Number(r.keys), persons: Number(r.persons) };
  } finally {
    await db.exec(`DROP TABLE IF EXISTS ${ident(map)}`);
  }
}
