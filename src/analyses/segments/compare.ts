// Comparing two segmentations of the same users (two clustering runs, or any two saved segmentations): the
// contingency table of their labels, counted in SQL over user_segments (users without a row or a label are
// "(none)"), and the adjusted Rand index computed from it (1 = the same partition, ~0 = chance agreement).
import type { Table } from 'apache-arrow';
import { raw, sql, ident, type Sql } from '../../sql/quote.ts';
import { toRows } from '../../lib/rows.ts';
import { adjustedRandFromCounts } from '../../ml/metrics.ts';

/** The label of users a segmentation leaves out. */
export const NONE_LABEL = '(none)';

export interface SegmentComparison {
  /** Labels of the first segmentation (table rows), most users first, then by label. */
  rowLabels: string[];
  /** Labels of the second (table columns), in the same order. */
  colLabels: string[];
  /** counts[r][c]: users labelled rowLabels[r] by the first and colLabels[c] by the second. */
  counts: number[][];
  users: number;
  /** Adjusted Rand index of the two partitions ((none) is a label like any other). */
  ari: number;
}

/** Users by (label in `a`, label in `b`), every user of the dataset once. */
export function compareSql(a: string, b: string): Sql {
  return sql`SELECT coalesce(s.${raw(ident(a))}::VARCHAR, ${NONE_LABEL}) AS a, coalesce(s.${raw(ident(b))}::VARCHAR, ${NONE_LABEL}) AS b,
  count(*)::DOUBLE AS n
FROM users u LEFT JOIN user_segments s ON s.user_id = u.user_id
GROUP BY ALL`;
}

/** The comparison from compareSql's rows. */
export function decodeComparison(table: Table): SegmentComparison {
  const rows = toRows<{ a: string; b: string; n: number }>(table);
  const order = (key: 'a' | 'b'): string[] => {
    const tot = new Map<string, number>();
    for (const r of rows) tot.set(r[key], (tot.get(r[key]) ?? 0) + Number(r.n));
    return [...tot].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)).map(([l]) => l);
  };
  const rowLabels = order('a');
  const colLabels = order('b');
  const ri = new Map(rowLabels.map((l, i) => [l, i]));
  const ci = new Map(colLabels.map((l, i) => [l, i]));
  const counts = rowLabels.map(() => new Array<number>(colLabels.length).fill(0));
  let users = 0;
  for (const r of rows) {
    counts[ri.get(r.a)!][ci.get(r.b)!] += Number(r.n);
    users += Number(r.n);
  }
  const data = Float64Array.from(counts.flat());
  const ari = users ? adjustedRandFromCounts({ data, rows: rowLabels.length, cols: colLabels.length }) : NaN;
  return { rowLabels, colLabels, counts, users, ari };
}
