// The retention triangle as CSV (and the shared download helper, re-exported for the screen).
import type { CohortPeriod, CohortResult } from '../../analyses/cohort/index.ts';
import { dateLabel } from '../../analyses/pivot/buckets.ts';
import { csvField } from '../../analyses/pivot/csv.ts';

/** One line per cohort and cell: cohort, size, k, retained, rate, orders, revenue, cumulative revenue per user, complete. */
export function triangleCsv(main: CohortResult, period: CohortPeriod, compare: CohortResult | null): string {
  const head = ['group', 'cohort', 'users', 'period', 'retained', 'retention', 'orders', 'revenue', 'cumulative_revenue_per_user', 'complete'];
  const lines = [head.join(',')];
  const add = (group: string, r: CohortResult) => {
    for (const c of r.cohorts) {
      for (const x of c.cells) {
        if (!x.observed) continue;
        lines.push([group, dateLabel(c.start, period), c.size, x.k, x.retained, x.rate, x.orders, x.revenue, x.cumulativePerMember, x.complete ? 'yes' : 'no'].map((v) => csvField(v)).join(','));
      }
    }
  };
  add('A', main);
  if (compare) add('B', compare);
  return lines.join('\r\n') + '\r\n';
}

export { downloadText as download } from '../../lib/download.ts';
