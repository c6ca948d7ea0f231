// Journeys: user paths within sessions, from or to a chosen event.
export * from './spec.ts';
export * from './sql.ts';
export * from './decode.ts';
export * from './pass.ts';
