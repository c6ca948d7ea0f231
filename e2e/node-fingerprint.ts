// An order-sensitive fingerprint of the events table, computed natively, to compare with the browser's.
import { openNodeDb } from '../src/db/node-db.ts';
import { loadShop, type GenParams } from '../src/data/generator/index.ts';

/** md5 over every event row (ordered by event_id) for a shop generated natively. */
export async function fingerprintEvents(params: GenParams): Promise<string> {
  const db = await openNodeDb({ threads: 1 });
  try {
    await loadShop(db, params);
    const t = await db.query("SELECT md5(string_agg(e::VARCHAR, '|' ORDER BY event_id)) AS h FROM events e");
    return t.getChild('h')!.get(0) as string;
  } finally {
    await db.close();
  }
}
