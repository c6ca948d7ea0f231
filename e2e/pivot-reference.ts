// What the Pivot screen must show, computed independently in Node: the same shop loaded into native DuckDB, its
// plain rows read once, then every number worked out with ordinary TypeScript loops (never the pivot's own SQL,
// buckets or layout code), so a bug in the pivot cannot hide in its own reference.
import { openNodeDb } from '../src/db/node-db.ts';
import { loadShop, type GenParams } from '../src/data/generator/index.ts';
import { toRows } from '../src/lib/rows.ts';
import type { Db } from '../src/db/types.ts';

const shops = new Map<string, Promise<Db>>();

function shop(params: GenParams): Promise<Db> {
  const key = JSON.stringify(params);
  let s = shops.get(key);
  if (!s) {
    s = (async () => {
      const db = await openNodeDb({ threads: 1 });
      await loadShop(db, params);
      return db;
    })();
    shops.set(key, s);
  }
  return s;
}

/** One user with their metrics, as plain values. */
export interface UserRow {
  country: string | null;
  gender: string | null;
  age: number | null;
  orders: number | null;
  revenue: number | null;
}

/** Every user joined to their metrics (one row per user). */
export async function userRows(params: GenParams): Promise<UserRow[]> {
  const db = await shop(params);
  return toRows(await db.query('SELECT * FROM users JOIN user_metrics USING (user_id)')).map((r) => ({
    country: r.country as string | null,
    gender: r.gender as string | null,
    age: r.age as number | null,
    orders: r.orders as number | null,
    revenue: r.revenue as number | null,
  }));
}

/** Every event's type and UTC timestamp (epoch ms). */
export async function eventRows(params: GenParams): Promise<{ type: string; ms: number }[]> {
  const db = await shop(params);
  return toRows(await db.query('SELECT event_type, epoch_ms(ts) AS ms FROM events')).map((r) => ({ type: String(r.event_type), ms: Number(r.ms) }));
}

/** The expected table: row paths in display order, column labels in order, and each (row, column) cell. */
export interface Expected<V> {
  /** data-row of every row in display order: "total", then each group followed by its children. */
  rows: string[];
  /** Column group labels in display order, "Total" last. */
  cols: string[];
  /** cells.get(row)?.get(col); missing = the combination has no rows. */
  cells: Map<string, Map<string, V>>;
}

const MISSING = '(missing)';

/** Text keys in the table's natural order: alphabetical (the browser's localeCompare), missing last. */
function byText(a: string, b: string): number {
  if (a === b) return 0;
  if (a === MISSING) return 1;
  if (b === MISSING) return -1;
  return a.localeCompare(b);
}

/**
 * Users grain; rows = country (top N by users after the filter, then "Other") then gender (each value);
 * columns = age at custom edges (each bucket holds its lower edge); measures users and revenue.
 */
export function countryGenderByAge(
  users: UserRow[],
  keep: (u: UserRow) => boolean,
  topN: number,
  edges: number[],
): Expected<{ users: number; revenue: number }> & { top: string[] } {
  const kept = users.filter(keep);

  // Top N countries by user count, ties by name (byte order, like DuckDB's ORDER BY).
  const perCountry = new Map<string, number>();
  for (const u of kept) if (u.country !== null) perCountry.set(u.country, (perCountry.get(u.country) ?? 0) + 1);
  const top = [...perCountry.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, topN)
    .map(([c]) => c);
  const countryOf = (u: UserRow) => (u.country === null ? MISSING : top.includes(u.country) ? u.country : 'Other');
  const genderOf = (u: UserRow) => u.gender ?? MISSING;

  // Age buckets by hand: "< e0", "e0–(e1-1)", ..., "eLast+".
  const labels = [`< ${edges[0]}`, ...edges.slice(1).map((e, i) => `${edges[i]}–${e - 1}`), `${edges[edges.length - 1]}+`];
  const ageOf = (u: UserRow) => {
    if (u.age === null) return MISSING;
    let i = 0;
    while (i < edges.length && u.age >= edges[i]) i++;
    return labels[i];
  };

  const cells = new Map<string, Map<string, { users: number; revenue: number }>>();
  const add = (row: string, col: string, u: UserRow) => {
    let r = cells.get(row);
    if (!r) cells.set(row, (r = new Map()));
    const c = r.get(col) ?? { users: 0, revenue: 0 };
    c.users += 1;
    c.revenue += u.revenue ?? 0;
    r.set(col, c);
  };
  const seenCols = new Set<string>();
  const genders = new Map<string, Set<string>>();
  for (const u of kept) {
    const country = countryOf(u);
    const gender = genderOf(u);
    const age = ageOf(u);
    seenCols.add(age);
    if (!genders.has(country)) genders.set(country, new Set());
    genders.get(country)!.add(gender);
    for (const row of ['total', country, `${country} / ${gender}`]) {
      add(row, age, u);
      add(row, 'Total', u);
    }
  }

  // Country order: top-N rank, then Other, then missing; genders alphabetically within each.
  const countryOrder = [...top, 'Other', MISSING].filter((c) => genders.has(c));
  const rows = ['total', ...countryOrder.flatMap((c) => [c, ...[...genders.get(c)!].sort(byText).map((g) => `${c} / ${g}`)])];
  const cols = [...labels, MISSING].filter((l) => seenCols.has(l)).concat('Total');
  return { rows, cols, cells, top };
}

/** Events grain: events per event type, per UTC calendar quarter ("2025 Q1") and in total. */
export function eventsByTypeAndQuarter(events: { type: string; ms: number }[]): Expected<number> {
  const cells = new Map<string, Map<string, number>>();
  const quarters = new Set<string>();
  const bump = (row: string, col: string) => {
    let r = cells.get(row);
    if (!r) cells.set(row, (r = new Map()));
    r.set(col, (r.get(col) ?? 0) + 1);
  };
  for (const e of events) {
    const d = new Date(e.ms);
    const q = `${d.getUTCFullYear()} Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
    quarters.add(q);
    for (const row of ['total', e.type]) {
      bump(row, q);
      bump(row, 'Total');
    }
  }
  // Sorted by the Total column, largest first (ties: alphabetical, the table's natural order).
  const types = [...cells.keys()].filter((k) => k !== 'total');
  types.sort((a, b) => cells.get(b)!.get('Total')! - cells.get(a)!.get('Total')! || byText(a, b));
  return { rows: ['total', ...types], cols: [...quarters].sort().concat('Total'), cells };
}
