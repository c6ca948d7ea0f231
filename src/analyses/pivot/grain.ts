// Switching a pivot's grain: the users grain cannot read event columns, so they are dropped with a note.
import { pruneFilter } from '../filter/spec.ts';
import type { Grain } from '../fields.ts';
import type { PivotSpec } from './spec.ts';

/** The spec at another grain, and what had to go (for a message); the sort resets. */
export function withGrain(spec: PivotSpec, grain: Grain): { spec: PivotSpec; dropped: string[] } {
  if (grain === spec.grain) return { spec, dropped: [] };
  if (grain === 'events') return { spec: { ...spec, grain, sort: null }, dropped: [] };
  const ok = (id: string | undefined) => id === undefined || !id.startsWith('e.');
  const dropped = [
    ...[...spec.rows, ...spec.cols].filter((d) => !ok(d.field)).map((d) => d.field.slice(2)),
    ...spec.measures.filter((m) => !ok(m.field)).map((m) => `${m.agg} of ${m.field!.slice(2)}`),
  ];
  const measures = spec.measures.filter((m) => ok(m.field));
  const filter = pruneFilter(spec.filter, ok);
  if (JSON.stringify(filter) !== JSON.stringify(pruneFilter(spec.filter, () => true))) dropped.push('event conditions in the filter');
  return {
    spec: {
      ...spec,
      grain,
      rows: spec.rows.filter((d) => ok(d.field)),
      cols: spec.cols.filter((d) => ok(d.field)),
      measures: measures.length ? measures : [{ agg: 'users' }],
      filter,
      sort: null,
      chartMeasure: Math.max(0, measures.indexOf(spec.measures[spec.chartMeasure])),
    },
    dropped,
  };
}
