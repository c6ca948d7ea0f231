// Telling an engine crash from an ordinary SQL error, and storage errors from both, in words a user can act on.

/**
 * Messages that mean the DuckDB-WASM instance itself is broken (a WebAssembly trap, an aborted runtime, a
 * database DuckDB invalidated after a fatal error): no later statement can be trusted, the engine must restart.
 */
const FATAL = [
  /RuntimeError/i,
  /\bunreachable\b/i,
  /table index is out of bounds/i,
  /memory access out of bounds/i,
  /Aborted\(/,
  /database has been invalidated/i,
  /FATAL Error/i,
  /Maximum call stack size exceeded/i,
];

/** True when `message` says the engine can no longer be used (restart it from the stored file). */
export function isEngineFatal(message: string): boolean {
  return FATAL.some((re) => re.test(message));
}

/** The prefix of every error a dead engine rejects with, so callers can tell it from a failed statement. */
export const ENGINE_STOPPED = 'The database engine stopped';

/** True when an error came from a dead or restarting engine rather than from the statement itself. */
export function isEngineStopped(message: string): boolean {
  return message.startsWith(ENGINE_STOPPED) || isEngineFatal(message);
}

/** True when the browser refused a write because this site's storage is full. */
export function isStorageFull(message: string): boolean {
  return /QuotaExceeded|quota (has been )?exceeded|No space (left|available)|storage (is )?full|ENOSPC/i.test(message);
}

/** The message a user sees when storage ran out: what happened to their data, and what to do. */
export const STORAGE_FULL =
  "The browser's storage for this site is full, so the change was not saved (your stored datasets are unchanged). " +
  'Delete a dataset you no longer need on the Datasets screen, or free disk space, then try again.';

/** DuckDB-WASM wraps some errors as JSON ({"exception_type":"IO","exception_message":"…"}): keep the words. */
export function readableEngineError(message: string): string {
  const m = /\{"exception_type".*\}/s.exec(message);
  if (!m) return message;
  try {
    const parsed = JSON.parse(m[0]) as { exception_type?: unknown; exception_message?: unknown };
    if (typeof parsed.exception_message === 'string') return parsed.exception_message;
  } catch {
    // Not JSON after all: the raw text is still the best we have.
  }
  return message;
}
