// The joins an import will make, proposed from the files' roles and mapped key columns (shown beside the mapping
// before importing; the report then says how many rows matched). Changing a file's role or a key column's mapping
// changes them. Pure.
import type { FileMapping } from './types.ts';

export interface ProposedJoin {
  from: string;
  fromColumn: string;
  to: string;
  toColumn: string;
  /** The data-model key both columns are mapped to. */
  key: 'order_id' | 'user_id' | 'product_id';
}

/** Joins among `files` (display name and mapping), in the order the import makes them. */
export function proposedJoins(files: readonly { name: string; mapping: FileMapping }[]): ProposedJoin[] {
  const col = (m: FileMapping, key: string) => m.columns.find((c) => c.target === key)?.column ?? null;
  const out: ProposedJoin[] = [];
  const link = (from: { name: string; mapping: FileMapping }, to: { name: string; mapping: FileMapping }, key: ProposedJoin['key']) => {
    const a = col(from.mapping, key);
    const b = col(to.mapping, key);
    if (a && b) out.push({ from: from.name, fromColumn: a, to: to.name, toColumn: b, key });
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
