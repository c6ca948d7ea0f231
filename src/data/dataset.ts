// Install a freshly built dataset atomically: the *_next tables replace the live ones, then metrics are derived.
import type { Db } from '../db/types.ts';
import { firstRow } from '../lib/rows.ts';
import { ident } from '../sql/quote.ts';
import { eventsHaveTouch, userMetricsSql } from './user-metrics.ts';
import { eventsHaveSessions, sessionMetricsSql, sessionsWorthStoring } from './session-metrics.ts';

/** The tables a loader builds under a `_next` suffix before they replace the live ones. */
export const NEXT = { users: 'users_next', products: 'products_next', events: 'events_next' } as const;

/** The schema unqualified names resolve to (each dataset lives in its own schema). */
export async function currentSchema(db: Db): Promise<string> {
  return String(firstRow<{ s: string }>(await db.query('SELECT current_schema() AS s')).s);
}

/**
 * Swap users_next/products_next/events_next into place in one transaction and derive user_metrics and
 * session_metrics.
 * Names are qualified with the current schema: DuckDB's DROP falls back to `main` when a schema lacks the
 * table, and a dataset must never touch another's tables. On failure nothing changes.
 */
export async function installDataset(db: Db): Promise<void> {
  const schema = ident(await currentSchema(db));
  await db.exec('BEGIN TRANSACTION');
  try {
    for (const [live, next] of Object.entries(NEXT)) {
      await db.exec(`DROP TABLE IF EXISTS ${schema}.${live}`);
      await db.exec(`ALTER TABLE ${schema}.${next} RENAME TO ${live}`);
    }
    await db.exec(userMetricsSql(`${schema}.user_metrics`, await eventsHaveTouch(db)));
    // Without the columns it needs, or sessions of several events, no table (and none left from before).
    const sessions = (await eventsHaveSessions(db)) && (await sessionsWorthStoring(db));
    await db.exec(sessions ? sessionMetricsSql(`${schema}.session_metrics`) : `DROP TABLE IF EXISTS ${schema}.session_metrics`);
    await db.exec('COMMIT');
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => undefined); // a failed ROLLBACK must not hide why the install failed
    throw err;
  }
}
