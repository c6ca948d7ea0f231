// Cohorts and retention: who comes back, who keeps paying.
export * from './spec.ts';
export * from './sql.ts';
export * from './decode.ts';
export * from './lifecycle.ts';
