// Funnels: spec, SQL and decoding.
export * from './spec.ts';
export * from './sql.ts';
export * from './decode.ts';
export * from './pass-stats.ts';
export * from './columns.ts';
