// The funnel as CSV: one line per group and step (the whole funnel first).
import type { FunnelResult, FunnelSpec } from '../../analyses/funnel/index.ts';
import { csvField } from '../../analyses/pivot/csv.ts';
import { groupLabel, stepLabel } from './labels.ts';

/** group, step, label, count, overall, from_previous, dropped, median / mean seconds from the previous step. */
export function funnelCsv(spec: FunnelSpec, r: FunnelResult): string {
  const head = ['group', 'step', 'label', 'count', 'overall', 'from_previous', 'dropped', 'median_seconds_from_previous', 'mean_seconds_from_previous'];
  const lines = [head.join(',')];
  const groups = [{ name: 'All', g: r.total }, ...r.groups.map((g) => ({ name: groupLabel(spec, g), g }))];
  for (const { name, g } of groups) {
    for (const s of g.steps) {
      const t = s.step > 1 ? g.times[s.step - 2] : null;
      const sec = (v: number | null | undefined) => (v === null || v === undefined ? null : v / 1000);
      lines.push([name, s.step, stepLabel(spec, s.step), s.count, s.overall, s.fromPrevious, s.dropped, sec(t?.medianMs), sec(t?.meanMs)].map((v) => csvField(v)).join(','));
    }
  }
  return lines.join('\r\n') + '\r\n';
}
