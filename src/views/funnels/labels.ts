// Human labels for funnel steps and breakdown groups (plain text; rendered as text only).
import type { FunnelSpec } from '../../analyses/funnel/index.ts';
import { describeFilter, isEmptyFilter } from '../../analyses/filter/index.ts';

/** "2. product_view (category = Electronics)", or "2 of 4 steps" in any order. */
export function stepLabel(spec: FunnelSpec, step: number): string {
  if (spec.order === 'any') return `${step} of ${spec.steps.length} steps`;
  const s = spec.steps[step - 1];
  const cond = s.filter && !isEmptyFilter(s.filter) ? ` (${describeFilter(s.filter)})` : '';
  return `${step}. ${s.eventType}${cond}`;
}

/** A breakdown group's label: its value, "Other", "(missing)", or the saved filter's name / "Everyone else". */
export function groupLabel(spec: FunnelSpec, g: { value: string | null; other: boolean }): string {
  if (spec.breakdown?.kind === 'filter') return g.value === 'match' ? spec.breakdown.name || 'Matching users' : 'Everyone else';
  if (g.other) return 'Other';
  return g.value === null ? '(missing)' : g.value;
}
