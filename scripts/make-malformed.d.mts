// Types for scripts/make-malformed.mjs (a plain Node script, so `node scripts/make-malformed.mjs` runs without tsx).

/** Where the generated files go (listed in .gitignore). */
export const GENERATED: string;

/** Write every generated file that is missing; resolves to the folder holding them. */
export function makeMalformed(dir?: string): Promise<string>;
