// Decode the retention statement into cohorts with their cells, and the size-weighted average row that
// leaves out incomplete periods.
import type { Table } from 'apache-arrow';
import { toRows } from '../../lib/rows.ts';

/** One cell of the triangle. */
export interface CohortCell {
  k: number;
  retained: number;
  /** retained / cohort size. */
  rate: number;
  orders: number;
  revenue: number;
  /** Revenue in this period per cohort member. */
  revenuePerMember: number;
  /** Revenue in periods 0..k per cohort member (the LTV curve). */
  cumulativePerMember: number;
  /** The period has begun by the data's last day (otherwise the cell is not shown). */
  observed: boolean;
  /** The period has ended by the data's last day; incomplete cells are marked and left out of averages. */
  complete: boolean;
}

/** One cohort row. */
export interface Cohort {
  /** Start of the cohort's period, epoch ms (UTC). */
  start: number;
  size: number;
  cells: CohortCell[];
}

/** The average row: each period weighted by the sizes of the cohorts whose cell is complete. */
export interface CohortAverage {
  k: number;
  rate: number | null;
  revenuePerMember: number | null;
  cumulativePerMember: number | null;
  /** Members the average covers (sum of the sizes of cohorts complete at k). */
  members: number;
}

/** Decoded retention. */
export interface CohortResult {
  cohorts: Cohort[];
  average: CohortAverage[];
}

/** Decode cohortSql's rows (ordered by cohort, then k). */
export function decodeCohorts(table: Table): CohortResult {
  const byStart = new Map<number, Cohort>();
  for (const r of toRows(table)) {
    const start = Number(r.cohort);
    let c = byStart.get(start);
    if (!c) byStart.set(start, (c = { start, size: Number(r.size), cells: [] }));
    const revenue = Number(r.revenue);
    const prev = c.cells[c.cells.length - 1];
    const perMember = c.size ? revenue / c.size : 0;
    c.cells.push({
      k: Number(r.k),
      retained: Number(r.retained),
      rate: c.size ? Number(r.retained) / c.size : 0,
      orders: Number(r.orders),
      revenue,
      revenuePerMember: perMember,
      cumulativePerMember: (prev?.cumulativePerMember ?? 0) + perMember,
      observed: r.observed === true,
      complete: r.complete === true,
    });
  }
  const cohorts = [...byStart.values()].sort((a, b) => a.start - b.start);
  const width = Math.max(0, ...cohorts.map((c) => c.cells.length));
  const average: CohortAverage[] = Array.from({ length: width }, (_, k) => {
    let members = 0, retained = 0, revenue = 0, cumulative = 0;
    for (const c of cohorts) {
      const cell = c.cells[k];
      if (!cell?.complete) continue;
      members += c.size;
      retained += cell.retained;
      revenue += cell.revenue;
      cumulative += cell.cumulativePerMember * c.size;
    }
    return {
      k,
      members,
      rate: members ? retained / members : null,
      revenuePerMember: members ? revenue / members : null,
      cumulativePerMember: members ? cumulative / members : null,
    };
  });
  return { cohorts, average };
}
