// The joins an import will make, proposed from the files' roles and mapped key columns (shown beside the mapping
// before importing; the report then says how many rows matched). Changing a file's role or a key column's mapping
// changes them. Pure.
import type { Db } from '../../db/types.ts';
import { toRows } from '../../lib/rows.ts';
import { ident } from '../../sql/quote.ts';
import { readSql } from './read-sql.ts';
import { importError } from './import-error.ts';
import type { FileMapping, PlannedFile } from './types.ts';

export interface ProposedJoin {
  from: string;
  fromColumn: string;
  to: string;
  toColumn: string;
  /** The data-model key both columns are mapped to. */
  key: 'order_id' | 'user_id' | 'product_id';
  /** The files' ids, when the caller gave them. */
  fromId?: number;
  toId?: number;
}

/** Joins among `files` (display name and mapping), in the order the import makes them. */
export function proposedJoins(files: readonly { name: string; mapping: FileMapping; id?: number }[]): ProposedJoin[] {
  type F = (typeof files)[number];
  const col = (m: FileMapping, key: string) => m.columns.find((c) => c.target === key)?.column ?? null;
  const out: ProposedJoin[] = [];
  const link = (from: F, to: F, key: ProposedJoin['key']) => {
    const a = col(from.mapping, key);
    const b = col(to.mapping, key);
    if (a && b) out.push({ from: from.name, fromColumn: a, to: to.name, toColumn: b, key, fromId: from.id, toId: to.id });
  };
  const orders = files.find((f) => f.mapping.role === 'orders');
  const lines = files.filter((f) => f.mapping.role === 'transactions' || f.mapping.role === 'events');
  const customers = files.filter((f) => f.mapping.role === 'users');
  const products = files.filter((f) => f.mapping.role === 'products');
  if (orders) {
    for (const l of lines) if (l.mapping.role === 'transactions') link(l, orders, 'order_id');
    for (const p of files.filter((f) => f.mapping.role === 'payments')) link(p, orders, 'order_id');
  }
  const buyers = orders ? [orders, ...lines.filter((l) => col(l.mapping, 'user_id'))] : lines;
  for (const b of buyers) for (const c of customers) link(b, c, 'user_id');
  for (const l of lines) for (const p of products) link(l, p, 'product_id');
  return out;
}

/** How many of a sample of one file's keys the other file has. */
export interface JoinOverlap {
  sampled: number;
  found: number;
}

/** Distinct keys sampled from the "from" file (its first ones): enough to tell a wrong key column at once. */
export const OVERLAP_SAMPLE = 1000;

/**
 * Check a proposed join on the files themselves before importing: take up to OVERLAP_SAMPLE distinct keys from the
 * head of `from` and count those `to` has anywhere (one pass over `to`). Keys compare as trimmed text with a
 * trailing ".0" dropped, as the import reads ids.
 */
export async function joinOverlap(
  db: Db, from: Pick<PlannedFile, 'source' | 'read'>, fromColumn: string, to: Pick<PlannedFile, 'source' | 'read'>, toColumn: string,
): Promise<JoinOverlap> {
  const key = (c: string) => `nullif(regexp_replace(trim(CAST(${ident(c)} AS VARCHAR)), '\\.0+$', ''), '')`;
  try {
    const t = await db.query(`WITH a AS (
  SELECT DISTINCT k FROM (SELECT ${key(fromColumn)} AS k FROM ${readSql(from.source, from.read)} LIMIT 200000) WHERE k IS NOT NULL LIMIT ${OVERLAP_SAMPLE}
)
SELECT (SELECT count(*) FROM a)::DOUBLE AS sampled,
  (SELECT count(DISTINCT k) FROM (SELECT ${key(toColumn)} AS k FROM ${readSql(to.source, to.read)}) WHERE k IN (SELECT k FROM a))::DOUBLE AS found`);
    const [r] = toRows(t);
    return { sampled: Number(r.sampled), found: Number(r.found) };
  } catch (err) {
    throw importError(err, toColumn);
  }
}
