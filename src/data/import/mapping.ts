// Checks on a mapping before anything is read (what is missing, in words), and a stable key for "same columns".
import { StrataError } from '../../errors.ts';
import { RESERVED_COLUMNS } from './names.ts';
import { EXPECTED_NAMES, REQUIRED, ROLE_TARGETS, TARGET_LABELS } from './targets.ts';
import type { FileMapping, Target } from './types.ts';

/** Problems that stop a file from importing, as sentences (empty when the mapping is usable). */
export function mappingProblems(mapping: FileMapping, who = 'This file', opts: { relational?: boolean } = {}): string[] {
  const problems: string[] = [];
  const seen = new Map<Target, string>();
  const allowed = ROLE_TARGETS[mapping.role];
  for (const m of mapping.columns) {
    if (m.target === 'keep' || m.target === 'ignore') continue;
    if (!allowed.includes(m.target)) {
      problems.push(`${who}: column "${m.column}" is mapped to ${m.target}, which ${an(mapping.role)} file cannot fill.`);
    }
    const prev = seen.get(m.target);
    if (prev !== undefined) {
      problems.push(`${who}: columns "${prev}" and "${m.column}" are both mapped to ${m.target}; keep one.`);
    }
    seen.set(m.target, m.column);
  }
  // Beside an orders file, order lines need only their order id: customer and time come from the order.
  const required = opts.relational && mapping.role === 'transactions' ? (['order_id'] as const) : REQUIRED[mapping.role];
  const missing = required.filter((t) => !seen.has(t));
  if (missing.length) {
    const what = missing.map((t) => TARGET_LABELS[t] ?? t).join(' and ');
    const expected = missing.map((t) => `for the ${TARGET_LABELS[t] ?? t}, a column named like ${EXPECTED_NAMES[t] ?? t}`);
    problems.push(
      `${who} has no usable ${what} column, which ${an(mapping.role)} file needs. Expected ${expected.join('; and ')}. ` +
        'Pick the right column in the mapping, or rename it in the file.',
    );
  }
  const kept = new Set<string>();
  for (const m of mapping.columns) {
    if (m.target !== 'keep') continue;
    const as = m.as ?? '';
    if (!as) problems.push(`${who}: kept column "${m.column}" needs a name.`);
    else if (RESERVED_COLUMNS.includes(as)) problems.push(`${who}: kept column name "${as}" is taken by the data model.`);
    else if (kept.has(as)) problems.push(`${who}: two kept columns are both named "${as}".`);
    kept.add(as);
  }
  return problems;
}

function an(role: string): string {
  return (/^[aeiou]/.test(role) ? 'an ' : 'a ') + role;
}

/** Throw a StrataError listing every problem of the mapping, if any. */
export function assertMappingUsable(mapping: FileMapping, who: string, opts: { relational?: boolean } = {}): void {
  const problems = mappingProblems(mapping, who, opts);
  if (problems.length) throw new StrataError(problems.join(' '));
}

/**
 * A stable key for a set of column names (order and letter case ignored), so a mapping the user fixed once is
 * offered again for the next export with the same columns.
 */
export function mappingKey(columns: readonly string[]): string {
  const names = [...new Set(columns.map((c) => c.trim().toLowerCase()))].sort();
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (const ch of names.join('\u0000')) {
    const c = ch.codePointAt(0) ?? 0;
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return `cols-v1-${names.length}-${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`;
}
