// The pivot explorer: any dimension by any dimension, bucketed and filtered, with exact subtotals.
export * from './spec.ts';
export * from './buckets.ts';
export * from './measures.ts';
export * from './sql.ts';
export * from './model.ts';
export * from './layout.ts';
export * from './csv.ts';
export * from './run.ts';
export * from './grain.ts';
export * from './defaults.ts';
