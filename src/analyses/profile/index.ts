// Column profiling and row paging for the Data screen: pure SQL builders and decoders (values as bound params).
export * from './kinds.ts';
export * from './tables.ts';
export * from './stats.ts';
export * from './top-values.ts';
export * from './histogram.ts';
export * from './profile.ts';
export * from './rows-page.ts';
