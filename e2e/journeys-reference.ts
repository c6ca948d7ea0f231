// What the Journeys screen must show, computed independently in Node: the same shop loaded into native DuckDB, its
// plain event rows (user, session, type, time) read once in table order, then paths and the Sankey worked out
// with ordinary TypeScript loops (tests/fixtures/paths-reference.ts; never the paths SQL, its decoder or the
// screen's code), so a bug in the journeys analysis cannot hide in its own reference.
import { openNodeDb } from '../src/db/node-db.ts';
import { loadShop, type GenParams } from '../src/data/generator/index.ts';
import { toRows } from '../src/lib/rows.ts';
import type { PathEvent } from '../tests/fixtures/paths-reference.ts';

const cache = new Map<string, Promise<PathEvent[]>>();

/** Every event of the generated shop in table order (loaded once per params and worker). */
export function shopEvents(params: GenParams): Promise<PathEvent[]> {
  const key = JSON.stringify(params);
  let rows = cache.get(key);
  if (!rows) {
    rows = (async () => {
      const db = await openNodeDb({ threads: 1 });
      try {
        await loadShop(db, params);
        const text = (v: unknown) => (v === null ? null : String(v));
        return toRows(await db.query('SELECT user_id, session_id, event_type, ts FROM events ORDER BY rowid')).map((r) => ({
          user: text(r.user_id),
          session: text(r.session_id),
          type: text(r.event_type),
          ms: Number(r.ts),
        }));
      } finally {
        await db.close();
      }
    })();
    cache.set(key, rows);
  }
  return rows;
}
