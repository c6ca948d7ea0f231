// SQL building events_next, users_next and products_next (the shop's contract) from the normalised files.
// Sessions are derived where the data has none; users and products are derived from events where no file has them.
import { ident } from '../../sql/quote.ts';
import { eventsTableSql, storageOrderSql, type ColumnType } from '../events-storage.ts';
import { FIELD_TYPES } from './normalize-sql.ts';
import type { Target } from './types.ts';

/** A normalised file: its temp table and the (unquoted) names of its kept columns. */
export interface NormTable {
  table: string;
  kept: readonly string[];
  /** Fields the normalised table has (mapped, plus the derived ones of events files). */
  mapped: ReadonlySet<Target>;
}

/** Everything the three statements need. */
export interface BuildInput {
  events: readonly NormTable[];
  users: readonly NormTable[];
  products: readonly NormTable[];
  sessionGapMinutes: number;
}

const CONTRACT = ['user_id', 'session_id', 'event_type', 'ts', 'product_id'];
/** Fields kept on events beyond the contract when some events file maps them (a line's own place and product). */
const EVENT_EXTRAS: readonly Target[] = ['product_name', 'brand', 'country', 'region', 'city', 'shipping', 'status'];
const USER_ATTRS: readonly Target[] = ['city', 'email', 'name', 'age', 'gender', 'source', 'medium', 'campaign', 'device'];

/** The loaded rows of all files, with NULL placeholders for the `needed` fields no file has. */
function loaded(files: readonly NormTable[], needed: readonly Target[] = []): string {
  const union = files.map((f) => `SELECT * EXCLUDE (reason) FROM ${ident(f.table)} WHERE reason IS NULL`).join('\nUNION ALL BY NAME\n');
  const missing = needed.filter((t) => !anyMaps(files, t));
  if (!missing.length) return union;
  return `SELECT *, ${missing.map((t) => `NULL::${FIELD_TYPES[t]} AS ${ident(t)}`).join(', ')} FROM (${union})`;
}

const EVENT_NEEDS: readonly Target[] = ['session_id', 'product_id', 'category', 'price', 'source', 'medium', 'campaign', 'device'];
const USER_NEEDS: readonly Target[] = ['signup_ts', 'country', 'region'];
const PRODUCT_NEEDS: readonly Target[] = ['product_name', 'category', 'brand', 'price'];

function anyMaps(files: readonly NormTable[], t: Target): boolean {
  return files.some((f) => f.mapped.has(t));
}

function keptOf(files: readonly NormTable[]): string[] {
  return [...new Set(files.flatMap((f) => f.kept))];
}

/** The first loaded row per key across files (file order, then row order), for users and products files. */
function firstPerKey(files: readonly NormTable[], key: string, needed: readonly Target[]): string {
  return `SELECT * EXCLUDE (src_row, file_idx) FROM (${loaded(files, needed)})
  QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY file_idx, src_row) = 1`;
}

/** Rows per events_next chunk: each chunk is numbered and sorted whole, so its rows (all columns) are in memory at once. */
export const EVENTS_CHUNK_ROWS = 1_000_000;

/** The loaded events' time column only (for counting rows and choosing chunk boundaries). */
function loadedTs(files: readonly NormTable[]): string {
  return files.map((f) => `SELECT ts FROM ${ident(f.table)} WHERE reason IS NULL`).join('\nUNION ALL\n');
}

/** SELECT n: how many events load. */
export function eventsCountSql(b: BuildInput): string {
  return `SELECT count(*)::DOUBLE AS n FROM (${loadedTs(b.events)})`;
}

/** SELECT b (text, microseconds): times splitting the loaded events into about `k` equal parts, in order. */
export function eventsBoundsSql(b: BuildInput, k: number): string {
  const qs = Array.from({ length: k - 1 }, (_, i) => String((i + 1) / k)).join(', ');
  return `SELECT DISTINCT strftime(q, '%Y-%m-%d %H:%M:%S.%f') AS b
FROM (SELECT unnest(quantile_disc(ts, [${qs}])) AS q FROM (${loadedTs(b.events)}))
ORDER BY b`;
}

/**
 * CREATE TEMP TABLE `table` (file_idx, src_row, ts, sid): the derived session id of every loaded event without one.
 * Per user in time order, a gap longer than the setting starts a new session; ids S0000001... are numbered by
 * session start, then user, so they are the same on every run. Only keys, user and time are sorted.
 */
export function sessionsSql(b: BuildInput, table: string): string {
  const gapUs = Math.round(b.sessionGapMinutes * 60e6);
  const order = 'ORDER BY ts, file_idx, src_row';
  const slim = b.events
    .map((f) =>
      f.mapped.has('session_id')
        ? `SELECT file_idx, src_row, user_id, ts FROM ${ident(f.table)} WHERE reason IS NULL AND session_id IS NULL`
        : `SELECT file_idx, src_row, user_id, ts FROM ${ident(f.table)} WHERE reason IS NULL`,
    )
    .join('\nUNION ALL\n');
  return `CREATE TEMP TABLE ${ident(table)} AS
WITH x AS (
  SELECT file_idx, src_row, user_id, ts, lag(ts) OVER (PARTITION BY user_id ${order}) AS prev_ts
  FROM (${slim})
),
xs AS (
  SELECT file_idx, src_row, user_id, ts, sum(CASE WHEN prev_ts IS NULL OR epoch_us(ts) - epoch_us(prev_ts) > ${gapUs} THEN 1 ELSE 0 END)
    OVER (PARTITION BY user_id ${order} ROWS UNBOUNDED PRECEDING) AS s_no
  FROM x
),
sn AS (
  SELECT user_id, s_no, printf('S%07d', row_number() OVER (ORDER BY min(ts), user_id, s_no)) AS sid
  FROM xs GROUP BY user_id, s_no
)
SELECT xs.file_idx, xs.src_row, xs.ts, sn.sid FROM xs JOIN sn USING (user_id, s_no)`;
}

/** A chunk of events_next: the loaded events with lo <= ts < hi (either bound open when absent). */
export interface EventsChunk {
  lo?: string;
  hi?: string;
  /** Events in the chunks before this one: event ids continue from there. */
  offset: number;
  /** The first chunk creates events_next; the others append to it. */
  first: boolean;
  /** The first chunk's columns (eventsChunkColumnsSql), to create events_next with before filling it. */
  columns?: readonly ColumnType[];
}

/**
 * The SELECT of one chunk of events_next (`sessions` = the sessionsSql table). event_id numbers events by time, user, file
 * and row; chunks are time ranges in order, each inserted in the storage order (storageOrderSql: by month, then user).
 * Purchases without an order id take their session id as order id (one session's purchases = one order).
 */
function eventsChunkSelectSql(b: BuildInput, sessions: string, c: EventsChunk): string {
  const pf = b.products.length > 0;
  const extras = EVENT_EXTRAS.filter((t) => anyMaps(b.events, t)).map((t) => `e.${ident(t)}`);
  const kept = keptOf(b.events).map((k) => `e.${ident(k)}`);
  const cols = [
    `(${c.offset} + row_number() OVER (ORDER BY e.ts, e.user_id, e.file_idx, e.src_row))::BIGINT AS event_id`, 'e.user_id', 'coalesce(e.session_id, s.sid) AS session_id', 'e.event_type', 'e.ts', 'e.product_id',
    pf ? 'coalesce(e.category, p.category) AS category' : 'e.category',
    pf ? 'coalesce(e.price, p.price) AS price' : 'e.price',
    'e.quantity', 'e.revenue',
    `coalesce(e.order_id, CASE WHEN e.event_type = 'purchase' THEN coalesce(e.session_id, s.sid) END) AS order_id`,
    'e.source', 'e.medium', 'e.campaign', 'e.device', ...extras, ...kept,
  ];
  const range = [c.lo ? `ts >= TIMESTAMP '${c.lo}'` : '', c.hi ? `ts < TIMESTAMP '${c.hi}'` : ''].filter(Boolean);
  const where = range.length ? ` WHERE ${range.join(' AND ')}` : '';
  const select = `WITH e AS (SELECT * FROM (${loaded(b.events, EVENT_NEEDS)})${where}),
s AS (SELECT file_idx, src_row, sid FROM ${ident(sessions)}${where})${pf ? `,
p AS (SELECT product_id, category, price FROM (${firstPerKey(b.products, 'product_id', PRODUCT_NEEDS)}))` : ''}
SELECT ${cols.join(',\n  ')}
FROM e LEFT JOIN s USING (file_idx, src_row)${pf ? '\nLEFT JOIN p ON p.product_id = e.product_id' : ''}
ORDER BY ${storageOrderSql('e.ts', 'e.user_id', 'e.file_idx', 'e.src_row')}`;
  return select;
}

/** One chunk of events_next: INSERT its rows, or for the first chunk create the table (see below) and fill it. */
export function eventsChunkSql(b: BuildInput, sessions: string, c: EventsChunk): string {
  const select = eventsChunkSelectSql(b, sessions, c);
  if (!c.first) return `INSERT INTO events_next\n${select}`;
  // The first chunk creates events_next: with its columns first when their types are known (`columns`, from
  // DESCRIBE of this statement's SELECT: eventsChunkColumnsSql), so that ids are stored as dictionaries
  // (events-storage.ts); else as CREATE TABLE AS.
  const ddl = c.columns ? eventsTableSql('events_next', c.columns) : null;
  return ddl ? `${ddl};\nINSERT INTO events_next\n${select}` : `CREATE OR REPLACE TABLE events_next AS\n${select}`;
}

/** DESCRIBE the first chunk's rows (column_name, column_type): the types eventsChunkSql creates events_next with. */
export function eventsChunkColumnsSql(b: BuildInput, sessions: string, c: EventsChunk): string {
  return `DESCRIBE ${eventsChunkSelectSql(b, sessions, c)}`;
}

/** A user's most frequent value of a place field over their events (ties: alphabetically first). */
function modeCte(field: Target): string {
  const f = ident(field);
  return `m_${field} AS (
  SELECT user_id, first(${f} ORDER BY n DESC, ${f}) AS ${f}
  FROM (SELECT user_id, ${f}, count(*) AS n FROM events_next WHERE ${f} IS NOT NULL GROUP BY ALL)
  GROUP BY user_id
)`;
}

/**
 * users_next: every user seen in events or a users file. A users file wins field by field; otherwise
 * signup_ts = first seen, country/region/city = the most frequent value on the user's events, other
 * attributes = the latest value on the user's events.
 */
export function usersNextSql(b: BuildInput): string {
  const uf = b.users.length > 0;
  const ctes = ['ev AS (SELECT user_id, min(ts) AS first_seen FROM events_next GROUP BY user_id)'];
  const from = ['ids', 'LEFT JOIN ev USING (user_id)'];
  if (uf) {
    ctes.push(`uf AS (${firstPerKey(b.users, 'user_id', [...USER_NEEDS, ...USER_ATTRS.filter((t) => anyMaps(b.users, t))])})`);
    from.push('LEFT JOIN uf USING (user_id)');
  }
  const latest = (['signup_ts', ...USER_ATTRS] as Target[]).filter(
    (t) => !['city', 'source', 'medium', 'campaign', 'device'].includes(t) && anyMaps(b.events, t),
  );
  if (latest.length) {
    const aggs = latest.map((t) => `arg_max(${ident(t)}, ts) FILTER (WHERE ${ident(t)} IS NOT NULL) AS ${ident(t)}`);
    ctes.push(`ua AS (SELECT user_id, ${aggs.join(', ')} FROM (${loaded(b.events)}) GROUP BY user_id)`);
    from.push('LEFT JOIN ua USING (user_id)');
  }
  const places = (['country', 'region', 'city'] as Target[]).filter((t) => anyMaps(b.events, t));
  for (const t of places) {
    ctes.push(modeCte(t));
    from.push(`LEFT JOIN m_${t} USING (user_id)`);
  }
  ctes.push(`ids AS (SELECT user_id FROM ev${uf ? ' UNION SELECT user_id FROM uf' : ''})`);
  const fromFile = (t: Target) => (uf && (USER_NEEDS.includes(t) || anyMaps(b.users, t)) ? `uf.${ident(t)}` : null);
  const pick = (t: Target, fromEvents: string | null) => {
    const parts = [fromFile(t), fromEvents].filter((p): p is string => p !== null);
    return parts.length ? `${parts.length > 1 ? `coalesce(${parts.join(', ')})` : parts[0]} AS ${ident(t)}` : null;
  };
  const evSource = (t: Target) => (places.includes(t) ? `m_${t}.${ident(t)}` : latest.includes(t) ? `ua.${ident(t)}` : null);
  const signup = [uf ? 'uf.signup_ts' : '', latest.includes('signup_ts') ? 'ua.signup_ts' : '', 'ev.first_seen'].filter(Boolean);
  const cols = [
    'ids.user_id',
    `coalesce(${signup.join(', ')}) AS signup_ts`,
    pick('country', evSource('country')) ?? 'NULL::VARCHAR AS country',
    pick('region', evSource('region')) ?? 'NULL::VARCHAR AS region',
    ...USER_ATTRS.filter((t) => (uf && anyMaps(b.users, t)) || evSource(t) !== null).map((t) => pick(t, evSource(t))),
    ...keptOf(b.users).map((k) => `uf.${ident(k)}`),
  ].filter((c): c is string => c !== null);
  return `CREATE OR REPLACE TABLE users_next AS
WITH ${ctes.join(',\n')}
SELECT ${cols.join(',\n  ')}
FROM ${from.join('\n')}
ORDER BY ids.user_id`;
}

/** products_next: a products file wins field by field; otherwise the latest name, category, brand and price seen. */
export function productsNextSql(b: BuildInput): string {
  const pf = b.products.length > 0;
  const latest = (col: string, as: string, cond = '') =>
    `arg_max(${col}, event_id) FILTER (WHERE ${col} IS NOT NULL${cond}) AS ${as}`;
  const hasName = anyMaps(b.events, 'product_name');
  const hasBrand = anyMaps(b.events, 'brand');
  const aggs = [
    hasName ? latest('product_name', 'name') : 'NULL::VARCHAR AS name',
    latest('category', 'category'),
    hasBrand ? latest('brand', 'brand') : 'NULL::VARCHAR AS brand',
    latest('price', 'price', ' AND price > 0'),
  ];
  const ctes = [`pe AS (SELECT product_id, ${aggs.join(', ')} FROM events_next WHERE product_id IS NOT NULL GROUP BY product_id)`];
  if (pf) ctes.push(`pf AS (${firstPerKey(b.products, 'product_id', PRODUCT_NEEDS)})`);
  ctes.push(`ids AS (SELECT product_id FROM pe${pf ? ' UNION SELECT product_id FROM pf' : ''})`);
  const pick = (fileCol: string, evCol: string, as: string) => (pf ? `coalesce(pf.${fileCol}, pe.${evCol})` : `pe.${evCol}`) + ` AS ${as}`;
  const cols = [
    'ids.product_id',
    pick('product_name', 'name', 'name'),
    pick('category', 'category', 'category'),
    pick('brand', 'brand', 'brand'),
    `${pf ? 'coalesce(pf.price, pe.price)' : 'pe.price'}::DOUBLE AS price`,
    ...keptOf(b.products).map((k) => `pf.${ident(k)}`),
  ];
  return `CREATE OR REPLACE TABLE products_next AS
WITH ${ctes.join(',\n')}
SELECT ${cols.join(',\n  ')}
FROM ids LEFT JOIN pe USING (product_id)${pf ? ' LEFT JOIN pf USING (product_id)' : ''}
ORDER BY ids.product_id`;
}
