// The top paths as CSV: one line per path as the table lists it, then its steps in step columns (for the "ending
// at" anchor a short path's first columns stay empty, as in the Sankey, so the chosen event is always step K).
import type { PathsSpec, PathsTop } from '../../analyses/paths/index.ts';
import { csvField } from '../../analyses/pivot/csv.ts';

/** A path as one line of text: "a → b → c". */
export const pathText = (steps: readonly string[]): string => steps.join(' → ');

/** rank, path, users, sessions, share_of_users (a fraction), steps, step_1..step_K. */
export function pathsCsv(top: PathsTop, spec: PathsSpec): string {
  const k = spec.steps;
  const head = ['rank', 'path', 'users', 'sessions', 'share_of_users', 'steps', ...Array.from({ length: k }, (_, i) => `step_${i + 1}`)];
  const lines = [head.join(',')];
  top.rows.forEach((r, i) => {
    const pad: string[] = spec.anchor === 'end' ? new Array<string>(k - r.steps.length).fill('') : [];
    const cols = [...pad, ...r.steps];
    while (cols.length < k) cols.push('');
    lines.push([i + 1, pathText(r.steps), r.users, r.sessions, r.share, r.steps.length, ...cols].map((v) => csvField(v)).join(','));
  });
  return lines.join('\r\n') + '\r\n';
}
