// Assemble an ImportPlan from probed files and their (detected or user-edited) mappings.
import { detect } from './detect.ts';
import { DEFAULT_SESSION_GAP } from './validate.ts';
import type { FileMapping, FileProbe, ImportPlan } from './types.ts';

/** A plan for these probes: each file with its given mapping, else the detected one; 30-minute sessions. */
export function planFor(
  probes: readonly FileProbe[], mappings: readonly (FileMapping | undefined)[] = [], sessionGapMinutes = DEFAULT_SESSION_GAP,
): ImportPlan {
  return {
    files: probes.map((p, i) => ({ source: p.source.name, read: p.read, mapping: mappings[i] ?? detect(p) })),
    sessionGapMinutes,
    joinUsersOn: 'user_id',
  };
}

/** Re-exported here too: the plan's validator sits beside the plan builder for callers that import this module. */
export { validateImportPlan } from './validate.ts';
