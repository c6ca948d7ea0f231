// Filters: nested AND / OR conditions on any field, shared by the pivot and every later analysis.
export * from './spec.ts';
export * from './sql.ts';
export * from './describe.ts';
export * from './members.ts';
