// One error type for everything a user may see: a message they can act on, plus the cause for the console.

/** An error whose message is written for the person using Strata. */
export class StrataError extends Error {
  override readonly name = 'StrataError';
  constructor(message: string, readonly detail?: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Turn anything thrown into a message fit to show. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
