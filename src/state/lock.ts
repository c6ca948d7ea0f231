// One tab owns the stored database (OPFS allows a single writer); other tabs learn so and work in memory.

/** Try to take the database lock for this tab's lifetime; false if another tab holds it (or locks are missing). */
export function acquireDbLock(name = 'strata-db'): Promise<boolean> {
  if (!('locks' in navigator)) return Promise.resolve(true);
  return new Promise((resolve) => {
    navigator.locks
      .request(name, { ifAvailable: true }, (lock) => {
        resolve(lock !== null);
        // Hold the lock until the tab goes away.
        return lock ? new Promise<void>(() => undefined) : undefined;
      })
      .catch(() => resolve(false));
  });
}
