// Install a freshly built dataset atomically: the *_next tables replace the live ones, then metrics are derived.
import type { Db } from '../db/types.ts';
import { USER_METRICS_SQL } from './user-metrics.ts';

/** The tables a loader builds under a `_next` suffix before they replace the live ones. */
export const NEXT = { users: 'users_next', products: 'products_next', events: 'events_next' } as const;

/**
 * Swap users_next/products_next/events_next into place in one transaction and derive user_metrics.
 * If anything fails, the transaction rolls back and the previous dataset stays as it was.
 */
export async function installDataset(db: Db): Promise<void> {
  await db.exec('BEGIN TRANSACTION');
  try {
    for (const [live, next] of Object.entries(NEXT)) {
      await db.exec(`DROP TABLE IF EXISTS ${live}`);
      await db.exec(`ALTER TABLE ${next} RENAME TO ${live}`);
    }
    await db.exec(USER_METRICS_SQL);
    await db.exec('COMMIT');
  } catch (err) {
    await db.exec('ROLLBACK');
    throw err;
  }
}
