// The import core: probe a file, detect its mapping, run the import. Pure TypeScript + SQL through the Db interface.
export * from './types.ts';
export { probe, PREVIEW_ROWS } from './probe.ts';
export { detect, detectRole, defaultEventType } from './detect.ts';
export { mappingKey, mappingProblems, assertMappingUsable } from './mapping.ts';
export { validateFileMapping, validateImportPlan, validateReadOptions, DEFAULT_SESSION_GAP } from './validate.ts';
export { planFor } from './plan.ts';
export { runImport } from './run-import.ts';
export { columnValues, type ValueCount } from './values.ts';
export { VALUE_KINDS } from './kinds.ts';
export { REASON_MESSAGES } from './reasons.ts';
export { DEFAULT_EVENT_TYPES, ROLE_TARGETS } from './targets.ts';
