// Decode the RFM statements into typed results.
import type { Table } from 'apache-arrow';
import { toRows } from '../../lib/rows.ts';
import { RFM_LABELS, rfmSegment } from './segments.ts';

/** One user's RFM result. */
export interface RfmUser {
  userId: string;
  /** Scores 1-5; null for users without a purchase. */
  r: number | null;
  f: number | null;
  m: number | null;
  /** "R-F-M", e.g. "5-4-5"; null without a purchase. */
  cell: string | null;
  /** The segment, or "No Purchase". */
  label: string;
  /** With RfmSpec.values: the values ranked (null without a purchase). */
  recencyDays?: number | null;
  frequency?: number | null;
  monetary?: number | null;
}

/** One cell of the R x F grid. */
export interface RfmGridCell {
  r: number;
  f: number;
  /** The segment this cell belongs to. */
  label: string;
  users: number;
  /** Mean revenue of the cell's buyers; null when the cell is empty. */
  monetary: number | null;
  revenue: number;
}

/** Users and revenue of one label. */
export interface RfmSegmentCount {
  label: string;
  users: number;
  revenue: number;
  /** users / all users (buyers and non-buyers). */
  share: number;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Decode rfmSql's rows. */
export function decodeRfmUsers(table: Table): RfmUser[] {
  const values = table.schema.fields.some((f) => f.name === 'monetary');
  return toRows(table).map((row) => {
    const u: RfmUser = {
      userId: String(row.user_id),
      r: num(row.r),
      f: num(row.f),
      m: num(row.m),
      cell: row.cell === null ? null : String(row.cell),
      label: String(row.label),
    };
    if (values) {
      u.recencyDays = num(row.recency_days);
      u.frequency = num(row.frequency);
      u.monetary = num(row.monetary);
    }
    return u;
  });
}

/** Decode rfmGridSql's 25 rows, each with its segment label. */
export function decodeRfmGrid(table: Table): RfmGridCell[] {
  return toRows(table).map((row) => {
    const r = Number(row.r), f = Number(row.f);
    return { r, f, label: rfmSegment(r, f), users: Number(row.users), monetary: num(row.monetary), revenue: Number(row.revenue) };
  });
}

/** Decode rfmSegmentsSql into every label in RFM_LABELS order (labels without users count 0). */
export function decodeRfmSegments(table: Table): RfmSegmentCount[] {
  const by = new Map(toRows(table).map((row) => [String(row.label), row]));
  const total = [...by.values()].reduce((s, row) => s + Number(row.users), 0);
  return RFM_LABELS.map((label) => {
    const row = by.get(label);
    const users = row ? Number(row.users) : 0;
    return { label, users, revenue: row ? Number(row.revenue) : 0, share: total ? users / total : 0 };
  });
}
