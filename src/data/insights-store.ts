// Saved insights: a screen's view (its screen and URL parameters) stored by name in the dataset's own schema, so it
// goes with the dataset (deleted with it, never seen from another) and reopens exactly as it was saved.
import type { Db } from '../db/types.ts';
import { toRows } from '../lib/rows.ts';
import { sql } from '../sql/quote.ts';
import { StrataError } from '../errors.ts';

/** The screens whose views can be saved. */
export const INSIGHT_SCREENS = ['overview', 'pivot', 'retention', 'funnels', 'journeys', 'segments'] as const;
export type InsightScreen = (typeof INSIGHT_SCREENS)[number];

export interface SavedInsight {
  id: number;
  name: string;
  screen: InsightScreen;
  /** The view's URL parameters ("f=…"), as the screen wrote them. */
  query: string;
  /** Place on the dashboard, 0 first. */
  position: number;
  savedAt: number;
}

/** Longest name and query stored (a query is a link's parameters: the screens cap those at 100,000 characters). */
export const INSIGHT_NAME_MAX = 80;
const QUERY_MAX = 120_000;

const ENSURE = `CREATE TABLE IF NOT EXISTS saved_insights (id INTEGER PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, screen VARCHAR NOT NULL,
  query VARCHAR NOT NULL, position INTEGER NOT NULL, saved_at TIMESTAMP NOT NULL)`;

/** The current dataset's saved insights, in dashboard order. */
export async function listInsights(db: Db): Promise<SavedInsight[]> {
  await db.exec(ENSURE);
  return toRows(await db.query(`SELECT id, name, screen, query, position, epoch_ms(saved_at)::DOUBLE AS ms FROM saved_insights ORDER BY position, id`))
    .map((r) => ({ id: Number(r.id), name: String(r.name), screen: r.screen as InsightScreen, query: String(r.query), position: Number(r.position), savedAt: Number(r.ms) }));
}

/** A name as stored: trimmed, 1–80 characters; anything else is a clear error. */
export function insightName(name: string): string {
  const n = name.trim().replace(/\s+/g, ' ');
  if (!n) throw new StrataError('Give the insight a name.');
  if (n.length > INSIGHT_NAME_MAX) throw new StrataError(`A name has at most ${INSIGHT_NAME_MAX} characters.`);
  return n;
}

/**
 * Save a view by name (last on the dashboard). A name already used is refused unless `replace`, which keeps the
 * insight's place and takes the new view.
 */
export async function saveInsight(db: Db, v: { name: string; screen: string; query: string; replace?: boolean }): Promise<SavedInsight> {
  const name = insightName(v.name);
  if (!(INSIGHT_SCREENS as readonly string[]).includes(v.screen)) throw new StrataError(`Views of the ${v.screen} screen cannot be saved.`);
  if (v.query.length > QUERY_MAX) throw new StrataError('This view is too large to save.');
  const all = await listInsights(db);
  const same = all.find((i) => i.name.toLowerCase() === name.toLowerCase());
  if (same && !v.replace) throw new StrataError(`An insight named “${same.name}” exists. Replace it, or pick another name.`);
  if (same) {
    const q = sql`UPDATE saved_insights SET name = ${name}, screen = ${v.screen}, query = ${v.query}, saved_at = now()::TIMESTAMP WHERE id = ${same.id}`;
    await db.query(q.text, q.params);
  } else {
    const id = Math.max(0, ...all.map((i) => i.id)) + 1;
    const position = Math.max(-1, ...all.map((i) => i.position)) + 1;
    const q = sql`INSERT INTO saved_insights VALUES (${id}, ${name}, ${v.screen}, ${v.query}, ${position}, now()::TIMESTAMP)`;
    await db.query(q.text, q.params);
  }
  return (await listInsights(db)).find((i) => i.name === name)!;
}

export async function deleteInsight(db: Db, id: number): Promise<void> {
  const q = sql`DELETE FROM saved_insights WHERE id = ${id}`;
  await db.query(q.text, q.params);
}

/** Put the dashboard in this order (ids; any not listed keep their relative order after them). */
export async function orderInsights(db: Db, ids: readonly number[]): Promise<void> {
  const all = await listInsights(db);
  const order = [...ids.filter((id) => all.some((i) => i.id === id)), ...all.map((i) => i.id).filter((id) => !ids.includes(id))];
  await db.exec('BEGIN TRANSACTION');
  try {
    for (let p = 0; p < order.length; p++) {
      const q = sql`UPDATE saved_insights SET position = ${p} WHERE id = ${order[p]}`;
      await db.query(q.text, q.params);
    }
    await db.exec('COMMIT');
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
