// RFM: recency, frequency and monetary scores by quintile over buyers, the R-F-M cell and named segments.
export * from './spec.ts';
export * from './segments.ts';
export * from './sql.ts';
export * from './decode.ts';
