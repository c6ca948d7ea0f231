// Journeys in one pass: one statement selects every session event as a narrow row in no order (user and session
// keys, time, table order, event type); the page groups the rows by session, puts each session in time order,
// walks it once (repeats collapsed, the first occurrence of the event, the K steps from or to it) and counts the
// whole paths and the Sankey's nodes and links from those walks. The same results as pathsTopSql and
// pathsSankeySql, whose arithmetic it follows (distinct users, "Other" per step, the statements' orders).
import type { Table } from 'apache-arrow';
import { commentText, raw, sql, type Sql } from '../../sql/quote.ts';
import type { Field } from '../fields.ts';
import { membersSql } from '../filter/members.ts';
import { byteOrder, CHECK, CHECK_FINE, childOf, columnArray, groupItems, groupRuns, HashBits, inGroupSlices, inSlices, noPause, Scratch, sharedPool, validArray, type BufferPool, type Pause } from '../pass-kit.ts';
import { toIo, type Io } from '../../db/coordinator.ts';
import { SESSION_PATH_SQL, SESSION_PATHS_PRESENT_SQL } from '../../data/session-metrics.ts';
import { decodePathsSankey, decodePathsTop, nodeId, type PathRow, type PathsSankey, type PathsTop, type SankeyLink, type SankeyNode } from './decode.ts';
import { pathsSankeySql, pathsTopSql, TOP_PATHS } from './sql.ts';
import type { PathsSpec } from './spec.ts';

/**
 * Whether the pass may key users and sessions by the top 52 bits of their hashes, and the event types it will
 * meet: rows (`ok`, `t` an event type, `h` the low 32 bits of its hash, `stored`); `ok` is true when no two users, and no two sessions
 * (a user's session_id), share their bits; `stored` when the dataset stores each session's path (pathsStoredSql
 * then selects the pass's rows). It reads the whole events table and nothing of the spec: cached
 * once per dataset version. No row: no event has a type.
 */
export function pathsKeysSql(): Sql {
  // The distinct pairs first (a set far smaller than the events), then their hashes and their users' (measured at
  // 1M events: 212 -> 112 ms natively against counting each distinct over the events).
  return raw(`WITH p AS MATERIALIZED (
  SELECT DISTINCT e.user_id, e.session_id FROM events e
  WHERE e.user_id IS NOT NULL AND e.session_id IS NOT NULL AND e.event_type IS NOT NULL
),
k AS (SELECT (SELECT count(*) = count(DISTINCT hash(user_id, session_id) >> 12) FROM p)
  AND (SELECT count(DISTINCT user_id) = count(DISTINCT hash(user_id) >> 12) FROM p) AS ok)
SELECT (SELECT ok FROM k) AS ok, y.v::VARCHAR AS t, (hash(y.v) & 4294967295)::UINTEGER AS h, (${SESSION_PATHS_PRESENT_SQL.text}) = 1 AS stored
FROM (SELECT DISTINCT e.event_type AS v FROM events e WHERE e.event_type IS NOT NULL) y`);
}

/**
 * The pass's rows: every event of a session (user_id and session_id present) with a type, of the users the
 * spec's filter keeps — `hu` and `hs` the user's and the session's hash bits, `t` epoch µs (NULL for no
 * time: such events come last, as in the statements), `rid` table order, `c` the low 32 bits of the type's hash.
 */
export function pathsEventsSql(spec: PathsSpec, fields: readonly Field[]): Sql {
  return sql`SELECT (hash(e.user_id) >> 12)::DOUBLE AS hu, (hash(e.user_id, e.session_id) >> 12)::DOUBLE AS hs,
  epoch_us(e.ts)::DOUBLE AS t, e.rowid::INTEGER AS rid, (hash(e.event_type) & 4294967295)::UINTEGER AS c
FROM events e
WHERE e.session_id IS NOT NULL AND e.user_id IS NOT NULL AND e.event_type IS NOT NULL AND ${membersSql(spec, fields, 'e.user_id')}`;
}

/**
 * The pass's sessions as the dataset stores them (session_metrics.path, derived with the dataset: session-metrics.ts)
 * — the same sessions and orders as pathsEventsSql's rows, a row per session instead of a row per event: `hu` the
 * user's hash bits, `c` the session's event types in order (the low 32 bits of their hashes), for the users the
 * spec's filter keeps. A session whose events are not all one user's (`one_user` false: rare) is a session per user,
 * grouped here from its events as the stored paths were (with none, DuckDB skips that scan: 7-9 ms against 9-12 at
 * 1M events natively).
 */
export function pathsStoredSql(spec: PathsSpec, fields: readonly Field[]): Sql {
  return sql`SELECT (hash(m.user_id) >> 12)::DOUBLE AS hu, m.path AS c FROM session_metrics m
WHERE m.one_user AND m.path IS NOT NULL AND ${membersSql(spec, fields, 'm.user_id')}
UNION ALL
SELECT (hash(e.user_id) >> 12)::DOUBLE AS hu, ${raw(SESSION_PATH_SQL)} AS c FROM events e
WHERE e.session_id IN (SELECT session_id FROM session_metrics WHERE NOT one_user) AND e.user_id IS NOT NULL AND ${membersSql(spec, fields, 'e.user_id')}
GROUP BY e.user_id, e.session_id HAVING count(e.event_type) > 0`;
}

/** The statement that selects the pass's rows for `spec`: the stored paths where the dataset has them, else the events. */
export function pathsRowsSql(spec: PathsSpec, fields: readonly Field[], types: PathTypes): Sql {
  return types.stored ? pathsStoredSql(spec, fields) : pathsEventsSql(spec, fields);
}

/** The sessions of pathsRowsSql's rows (pathSessions or storedSessions, as `types` says the rows were selected). */
export function sessionsOfRows(table: Table, types: PathTypes, pause: Pause = noPause, pool: BufferPool | null = sharedPool): Promise<PathSessions | null> {
  return (types.stored ? storedSessions : pathSessions)(table, types, pause, pool);
}

/** The dataset's event types in text order, with the low 32 bits of their hashes (distinct: pathTypes checks). */
export interface PathTypes {
  names: string[];
  hashes: number[];
  /** The dataset stores each session's path (session_metrics.path): pathsStoredSql selects the rows. */
  stored?: boolean;
}

/** The event types of pathsKeysSql's result in text order with their hash bits, or null if the pass may not run. */
export function pathTypes(keys: Table): PathTypes | null {
  const n = keys.numRows;
  if (n === 0) return { names: [], hashes: [] };
  if (childOf(keys, 'ok').get(0) !== true) return null;
  const t = childOf(keys, 't');
  const h = childOf(keys, 'h');
  const all = Array.from({ length: n }, (_, i) => ({ name: String(t.get(i)), hash: Number(h.get(i)) }));
  all.sort((a, b) => byteOrder(a.name, b.name));
  if (new Set(all.map((x) => x.hash)).size < n) return null; // two types share their bits
  const types: PathTypes = { names: all.map((x) => x.name), hashes: all.map((x) => x.hash) };
  if (keys.getChild('stored')?.get(0) === true) types.stored = true;
  return types;
}

/** The top paths (at most `limit` rows) and the Sankey, as decodePathsTop and decodePathsSankey give them. */
export interface PathsResult {
  top: PathsTop;
  sankey: PathsSankey;
}

/**
 * Every session of pathsEventsSql's rows grouped and in order: what any journeys spec over those rows is counted
 * from (the rows depend on the users filter only). Compact — a byte per event when the dataset has under 256
 * types, and three integers per session — so the page can keep the newest one and count a changed spec without
 * asking DuckDB again.
 */
export interface PathSessions {
  types: PathTypes;
  /** Every row's type code (text order), session by session, each session in (time, table order). */
  codes: Uint8Array | Int32Array;
  /** Session s holds codes[start[s]] .. codes[start[s + 1] - 1]. */
  start: Int32Array;
  /** Each session's user (dense ids). */
  userOf: Int32Array;
  /** The sessions in user order: a count of distinct users is then "the user changed since the last one". */
  byUser: Int32Array;
}

/**
 * The sessions of pathsEventsSql's rows, pausing between slices of the work; null if a row's type is not among
 * `types` (the data changed between the two statements: the caller asks the statements instead).
 */
export async function pathSessions(
  table: Table, types: PathTypes, pause: Pause = noPause, pool: BufferPool | null = sharedPool,
): Promise<PathSessions | null> {
  return built(sessionsOf, table, types, pause, pool);
}

/** pathSessions for pathsStoredSql's rows (a session a row, its path stored in order). */
export async function storedSessions(
  table: Table, types: PathTypes, pause: Pause = noPause, pool: BufferPool | null = sharedPool,
): Promise<PathSessions | null> {
  return built(sessionsOfStored, table, types, pause, pool);
}

async function built(
  build: (table: Table, types: PathTypes, pause: Pause, mem: Scratch) => Promise<PathSessions | null>,
  table: Table, types: PathTypes, pause: Pause, pool: BufferPool | null,
): Promise<PathSessions | null> {
  // Working arrays come from `pool` and go back when the sessions are built, except the four the sessions hold
  // (the screen keeps them for its next view): those leave the pool for good.
  const mem = new Scratch(pool);
  try {
    const ss = await build(table, types, pause, mem);
    if (ss) for (const a of [ss.codes, ss.start, ss.userOf, ss.byUser]) mem.keep(a);
    return ss;
  } finally {
    mem.done();
  }
}

async function sessionsOf(table: Table, types: PathTypes, pause: Pause, mem: Scratch): Promise<PathSessions | null> {
  const n = table.numRows;
  const T = types.names.length;
  const typeIds = new HashBits(T);
  for (const h of types.hashes) typeIds.id(h);
  const few = Uint32Array.from(types.hashes); // a handful of types: a scan beats hashing

  // Per row: its type (a code in text order) and its session (dense, in order of appearance); per session its
  // user (dense).
  const hu = await columnArray<Float64Array>(table, 'hu', pause, mem);
  const hs = await columnArray<Float64Array>(table, 'hs', pause, mem);
  const rid = await columnArray<Int32Array>(table, 'rid', pause, mem);
  const c0 = await columnArray<Uint32Array>(table, 'c', pause, mem);
  const tCol = childOf(table, 't');
  let t = await columnArray<Float64Array>(table, 't', pause, mem);
  if (tCol.nullCount > 0) {
    t = Float64Array.from(t);
    const valid = await validArray(table, 't', pause, mem);
    for (let i = 0; i < n; i++) if (!valid[i]) t[i] = Infinity; // no time: last, as NULLS LAST
  }
  // (code and sess are written whole below.)
  const code = T < 256 ? mem.take(Uint8Array, n, false) : mem.take(Int32Array, n, false);
  const sess = mem.take(Int32Array, n, false);
  const sessions = new HashBits(n >> 2, mem); // sessions have 4+ events on average in a shop; more just grows the table
  const users = new HashBits(n >> 4, mem);
  const st: Sessioned = { T, few, typeIds, c0, hs, hu, code, sess, sessions, users, userOf: mem.take(Int32Array, 1 << 12, false), S: 0, mem };
  // (Every loop below is a small synchronous function run a slice at a time: inSlices, pass-kit.ts, says why.)
  // Finer slices here: the sessions' table's pages are first touched in this loop.
  let known = true;
  await inSlices(n, pause, (lo, hi) => void (known &&= sessionRows(st, lo, hi)), CHECK_FINE);
  if (!known) return null;
  const { S, userOf } = st;

  // Rows grouped by session (runs placed as blocks; nothing moves when every session is one run), then each session
  // in (time, table order).
  const { start, order, kept } = await groupRuns(sess, S, pause, mem);
  const resorted: number[] = [];
  await inGroupSlices(start, S, pause, (s0, s1) => sortSessions(t, rid, start, order, resorted, s0, s1));
  // The codes in session order: grouped already, the rows' own codes (copied and patched where a session was
  // re-sorted, when any was); else gathered.
  const codes = !kept ? (T < 256 ? mem.take(Uint8Array, n, false) : mem.take(Int32Array, n, false)) : resorted.length ? code.slice() : code;
  if (kept) {
    let since = 0;
    for (const s of resorted) {
      for (let j = start[s]; j < start[s + 1]; j++) codes[j] = code[order[j]];
      if ((since += start[s + 1] - start[s]) >= CHECK) {
        since = 0;
        await pause();
      }
    }
  } else {
    await inSlices(n, pause, (lo, hi) => gatherCodes(code, order, codes, lo, hi));
  }

  // Sessions by user (the same counting sort).
  const sessionUser = userOf.slice(0, S);
  const { order: byUser } = await groupItems(sessionUser, users.size, pause, mem);
  return { types, codes, start, userOf: sessionUser, byUser };
}

/**
 * The sessions of pathsStoredSql's rows: each row a session, its user's hash bits (`hu`) and its events' type hashes
 * in order (`c`, a list) — nothing to group or sort. Null if a type is not among `types`.
 */
async function sessionsOfStored(table: Table, types: PathTypes, pause: Pause, mem: Scratch): Promise<PathSessions | null> {
  const S = table.numRows;
  const T = types.names.length;
  const typeIds = new HashBits(T);
  for (const h of types.hashes) typeIds.id(h);
  const hu = await columnArray<Float64Array>(table, 'hu', pause, mem);
  const lists = childOf(table, 'c');
  let n = 0;
  for (const d of lists.data) if (d.length > 0) n += d.valueOffsets[d.length] - d.valueOffsets[0]; // (an empty batch may have no offsets)
  const codes = T < 256 ? mem.take(Uint8Array, n, false) : mem.take(Int32Array, n, false);
  const start = mem.take(Int32Array, S + 1, false);
  const userOf = mem.take(Int32Array, S, false);
  // Sized for half as many users as sessions: growing the table rehashes it in one go, which at 10M events (592,271
  // users over 1,811,302 sessions, sized for a quarter, so it grew to the size this gives) was the Journeys screen's
  // longest main-thread task (155 of its 165 ms).
  const users = new HashBits(S >> 1, mem);
  const x: Stored = { T, few: Uint32Array.from(types.hashes), typeIds, hu, codes, start, userOf, users, offs: new Int32Array(0), vals: new Float64Array(0), row: 0, at: 0 };
  start[0] = 0;
  for (const d of lists.data) {
    if (d.length === 0) continue;
    x.offs = d.valueOffsets;
    x.vals = d.children[0].values as ArrayLike<number> as Float64Array | Uint32Array;
    let known = true;
    // Finer slices: the users' table's pages are first touched here.
    await inSlices(d.length, pause, (lo, hi) => void (known &&= storedRows(x, lo, hi)), CHECK_FINE);
    if (!known) return null;
  }
  const { order: byUser } = await groupItems(userOf, users.size, pause, mem);
  return { types, codes, start, userOf, byUser };
}

/** What storedRows reads (one record batch of lists at a time: offs, vals) and fills. */
interface Stored {
  T: number;
  few: Uint32Array;
  typeIds: HashBits;
  hu: Float64Array;
  codes: Uint8Array | Int32Array;
  start: Int32Array;
  userOf: Int32Array;
  users: HashBits;
  offs: Int32Array;
  vals: Float64Array | Uint32Array;
  /** Sessions, and codes, written so far. */
  row: number;
  at: number;
}

/** Sessions lo..hi-1 of the current batch: their codes, where each ends, their users; false if a type is unknown. */
function storedRows(x: Stored, lo: number, hi: number): boolean {
  const { T, few, typeIds, hu, codes, start, userOf, users, offs, vals } = x;
  let at = x.at;
  let row = x.row;
  for (let i = lo; i < hi; i++, row++) {
    for (let j = offs[i]; j < offs[i + 1]; j++) {
      const c = vals[j];
      let k = 0;
      if (T <= 16) {
        while (k < T && few[k] !== c) k++;
        if (k === T) return false;
      } else if ((k = typeIds.find(c)) < 0) return false;
      codes[at++] = k;
    }
    start[row + 1] = at;
    userOf[row] = users.id(hu[row]);
  }
  x.at = at;
  x.row = row;
  return true;
}

/** What sessionRows reads and fills: each row's type code and session, each session's user. */
interface Sessioned {
  T: number;
  few: Uint32Array;
  typeIds: HashBits;
  c0: Uint32Array;
  hs: Float64Array;
  hu: Float64Array;
  code: Uint8Array | Int32Array;
  sess: Int32Array;
  sessions: HashBits;
  users: HashBits;
  userOf: Int32Array;
  S: number;
  mem: Scratch;
}

/** Rows lo..hi-1: their type codes and sessions (new sessions get their user); false if a row's type is unknown. */
function sessionRows(x: Sessioned, lo: number, hi: number): boolean {
  const { T, few, typeIds, c0, hs, hu, code, sess, sessions, users } = x;
  for (let i = lo; i < hi; i++) {
    let k = 0;
    if (T <= 16) {
      const c = c0[i];
      while (k < T && few[k] !== c) k++;
      if (k === T) return false;
    } else if ((k = typeIds.find(c0[i])) < 0) return false;
    code[i] = k;
    const s = sessions.id(hs[i]);
    if (s === x.S) {
      if (x.S === x.userOf.length) {
        const grown = x.mem.take(Int32Array, x.S * 2, false);
        grown.set(x.userOf);
        x.mem.give(x.userOf);
        x.userOf = grown;
      }
      x.userOf[x.S++] = users.id(hu[i]);
    }
    sess[i] = s;
  }
  return true;
}

/** Sessions s0..s1-1 put in (time, table order): each only checked when in order already; re-sorted ones listed. */
function sortSessions(t: Float64Array, rid: Int32Array, start: Int32Array, order: Int32Array, resorted: number[], s0: number, s1: number): void {
  for (let s = s0; s < s1; s++) {
    for (let j = start[s] + 1; j < start[s + 1]; j++) {
      const a = order[j - 1];
      const b = order[j];
      if (t[a] > t[b] || (t[a] === t[b] && rid[a] > rid[b])) {
        const cmp = (x: number, y: number) => (t[x] < t[y] ? -1 : t[x] > t[y] ? 1 : rid[x] - rid[y]);
        order.set(Array.from(order.subarray(start[s], start[s + 1])).sort(cmp), start[s]);
        resorted.push(s);
        break;
      }
    }
  }
}

function gatherCodes(code: Uint8Array | Int32Array, order: Int32Array, codes: Uint8Array | Int32Array, lo: number, hi: number): void {
  for (let j = lo; j < hi; j++) codes[j] = code[order[j]];
}

/** Both journeys results from pathsRowsSql's rows (sessionsOfRows, then pathsOfSessions); null as sessionsOfRows. */
export async function pathsByPass(
  table: Table, types: PathTypes, spec: PathsSpec, limit = TOP_PATHS, pause: Pause = noPause, pool: BufferPool | null = sharedPool,
): Promise<PathsResult | null> {
  const sessions = await sessionsOfRows(table, types, pause, pool);
  return sessions && pathsOfSessions(sessions, spec, limit, pause, pool);
}

/** The top paths (at most `limit`) and the Sankey for `spec`, counted from the sessions, pausing between slices. */
export async function pathsOfSessions(
  ss: PathSessions, spec: PathsSpec, limit = TOP_PATHS, pause: Pause = noPause, pool: BufferPool | null = sharedPool,
): Promise<PathsResult> {
  // The per-session paths come from `pool` and go back when counted (the result holds copies).
  const mem = new Scratch(pool);
  try {
    return await countPaths(ss, spec, limit, pause, mem);
  } finally {
    mem.done();
  }
}

async function countPaths(ss: PathSessions, spec: PathsSpec, limit: number, pause: Pause, mem: Scratch): Promise<PathsResult> {
  const { types, codes: code, start, userOf, byUser } = ss;
  const S = start.length - 1;
  const K = spec.steps;
  const T = types.names.length;
  const anchor = types.names.indexOf(spec.eventType); // -1: no session has it

  // Each session's path: K type codes, -1 where it has no step (after a short "start" path, before a short "end").
  // (Every loop below is a small synchronous function run a slice at a time: inSlices, pass-kit.ts, says why.)
  const path = mem.take(Int32Array, S * K, false); // each slice fills its sessions' part with -1 first
  const has = mem.take(Uint8Array, S);
  const walk: Walk = { code, start, K, anchor, collapse: spec.collapse, fromStart: spec.anchor === 'start', path, has, ring: new Int32Array(K) };
  await inSlices(S, pause, (s0, s1) => walkSessions(walk, s0, s1));

  // Whole paths: keyed by their codes as a number when it fits in 2^53, else as text.
  const numeric = (T + 1) ** K <= Number.MAX_SAFE_INTEGER;
  const c: PathCount = {
    K, T, numeric, path, has, userOf, byUser, pathIds: new Map(), pSessions: [], pUsers: [], pLast: [], pRep: [],
    totalSessions: 0, totalUsers: 0, lastUser: -1, typed: new Float64Array(K * T), typedLast: new Int32Array(K * T).fill(-1),
  };
  await inSlices(S, pause, (q0, q1) => countSessions(c, q0, q1));
  const { pSessions, pUsers, pRep, totalSessions, totalUsers, typed } = c;

  // The top paths: users, then sessions (both descending), then the steps in text order with a missing step first.
  const steps = (id: number) => path.subarray(pRep[id] * K, pRep[id] * K + K);
  const ids = Array.from(pSessions, (_, i) => i);
  ids.sort((a, b) => {
    const d = pUsers[b] - pUsers[a] || pSessions[b] - pSessions[a];
    if (d) return d;
    const x = steps(a);
    const y = steps(b);
    for (let p = 0; p < K; p++) if (x[p] !== y[p]) return x[p] - y[p];
    return 0;
  });
  const rows: PathRow[] = ids.slice(0, limit).map((id) => ({
    steps: Array.from(steps(id)).filter((x) => x >= 0).map((x) => types.names[x]),
    users: pUsers[id],
    sessions: pSessions[id],
    share: pUsers[id] / totalUsers,
  }));
  const top: PathsTop = { rows, totalUsers, totalSessions, totalPaths: pSessions.length };

  // The Sankey: per step the nodesPerStep types with the most users (ties by name) keep their name; the others
  // share the step's "Other" node (slot N).
  const N = spec.nodesPerStep;
  const slot = new Int32Array(K * T).fill(N);
  const names: (number | null)[][] = [];
  for (let p = 0; p < K; p++) {
    const present: number[] = [];
    for (let x = 0; x < T; x++) if (typed[p * T + x] > 0) present.push(x);
    present.sort((a, b) => typed[p * T + b] - typed[p * T + a] || a - b);
    const kept = present.slice(0, N);
    kept.forEach((x, i) => (slot[p * T + x] = i));
    names.push([...kept, null]);
  }
  const W = N + 1;
  const nodeUsers = new Float64Array(K * W);
  const nodeLast = new Int32Array(K * W).fill(-1);
  const linkUsers = new Float64Array(K * W * W);
  const linkLast = new Int32Array(K * W * W).fill(-1);
  const sk: SankeyCount = { K, T, W, path, has, userOf, byUser, slot, nodeUsers, nodeLast, linkUsers, linkLast };
  await inSlices(S, pause, (q0, q1) => sankeySessions(sk, q0, q1));
  // Nodes, then links; each by step, users (descending), then names in text order with "Other" last.
  const type = (p: number, b: number) => {
    const x = names[p][b];
    return x === null || x === undefined ? null : types.names[x];
  };
  const rank = (p: number, b: number) => names[p][b] ?? T; // text order, "Other" last
  const nodes: SankeyNode[] = [];
  const links: SankeyLink[] = [];
  for (let p = 0; p < K; p++) {
    const bs = Array.from({ length: W }, (_, b) => b).filter((b) => nodeUsers[p * W + b] > 0);
    bs.sort((a, b) => nodeUsers[p * W + b] - nodeUsers[p * W + a] || rank(p, a) - rank(p, b));
    for (const b of bs) nodes.push({ id: nodeId(p + 1, type(p, b)), step: p + 1, type: type(p, b), users: nodeUsers[p * W + b] });
  }
  for (let p = 0; p < K - 1; p++) {
    const here: [number, number, number][] = [];
    for (let a = 0; a < W; a++) {
      for (let b = 0; b < W; b++) {
        const v = linkUsers[(p * W + a) * W + b];
        if (v > 0) here.push([a, b, v]);
      }
    }
    here.sort((x, y) => y[2] - x[2] || rank(p, x[0]) - rank(p, y[0]) || rank(p + 1, x[1]) - rank(p + 1, y[1]));
    for (const [a, b, v] of here) links.push({ source: nodeId(p + 1, type(p, a)), target: nodeId(p + 2, type(p + 1, b)), users: v });
  }
  return { top, sankey: { nodes, links } };
}

/** What walkSessions reads and writes: each session's path (K codes, -1 for no step) and whether it has one. */
interface Walk {
  code: Uint8Array | Int32Array;
  start: Int32Array;
  K: number;
  anchor: number;
  collapse: boolean;
  fromStart: boolean;
  path: Int32Array;
  has: Uint8Array;
  ring: Int32Array;
}

/** Sessions s0..s1-1 walked once: repeats collapsed, the first anchor event, the K steps from or to it. */
function walkSessions(w: Walk, s0: number, s1: number): void {
  const { code, start, K, anchor, collapse, fromStart, path, has, ring } = w;
  path.fill(-1, s0 * K, s1 * K);
  if (anchor < 0) return;
  for (let s = s0; s < s1; s++) {
    let found = false;
    let len = 0; // steps written ("start") or kept events seen ("end")
    for (let j = start[s]; j < start[s + 1]; j++) {
      const x = code[j];
      if (collapse && j > start[s] && x === code[j - 1]) continue;
      if (fromStart) {
        if (!found && x === anchor) found = true;
        if (found) {
          path[s * K + len++] = x;
          if (len === K) break;
        }
      } else {
        ring[len++ % K] = x;
        if (x === anchor) {
          found = true;
          const m = Math.min(len, K);
          for (let q = 0; q < m; q++) path[s * K + K - m + q] = ring[(len - m + q) % K];
          break;
        }
      }
    }
    if (found) has[s] = 1;
  }
}

/** What countSessions counts into: the whole paths (sessions, distinct users, a session showing each) and per step and type the distinct users. */
interface PathCount {
  K: number;
  T: number;
  numeric: boolean;
  path: Int32Array;
  has: Uint8Array;
  userOf: Int32Array;
  byUser: Int32Array;
  pathIds: Map<number | string, number>;
  pSessions: number[];
  pUsers: number[];
  pLast: number[];
  pRep: number[];
  totalSessions: number;
  totalUsers: number;
  lastUser: number;
  typed: Float64Array;
  typedLast: Int32Array;
}

/** Sessions byUser[q0..q1-1] (in user order: a user's sessions follow each other) counted. */
function countSessions(c: PathCount, q0: number, q1: number): void {
  const { K, T, numeric, path, has, userOf, byUser, pathIds, pSessions, pUsers, pLast, pRep, typed, typedLast } = c;
  for (let q = q0; q < q1; q++) {
    const s = byUser[q];
    if (!has[s]) continue;
    const u = userOf[s];
    let key: number | string = 0;
    if (numeric) for (let p = 0; p < K; p++) key = (key as number) * (T + 1) + path[s * K + p] + 1;
    else key = String.fromCharCode(...Array.from(path.subarray(s * K, s * K + K), (x) => x + 1));
    let id = pathIds.get(key);
    if (id === undefined) {
      pathIds.set(key, (id = pSessions.length));
      pSessions.push(0);
      pUsers.push(0);
      pLast.push(-1);
      pRep.push(s);
    }
    pSessions[id]++;
    if (pLast[id] !== u) {
      pLast[id] = u;
      pUsers[id]++;
    }
    c.totalSessions++;
    if (c.lastUser !== u) {
      c.lastUser = u;
      c.totalUsers++;
    }
    for (let p = 0; p < K; p++) {
      const x = path[s * K + p];
      if (x < 0) continue;
      const cell = p * T + x;
      if (typedLast[cell] !== u) {
        typedLast[cell] = u;
        typed[cell]++;
      }
    }
  }
}

/** What sankeySessions counts into: distinct users per step's node (slot) and per link between two steps' nodes. */
interface SankeyCount {
  K: number;
  T: number;
  W: number;
  path: Int32Array;
  has: Uint8Array;
  userOf: Int32Array;
  byUser: Int32Array;
  slot: Int32Array;
  nodeUsers: Float64Array;
  nodeLast: Int32Array;
  linkUsers: Float64Array;
  linkLast: Int32Array;
}

/** Sessions byUser[q0..q1-1] counted into the Sankey's nodes and links. */
function sankeySessions(k: SankeyCount, q0: number, q1: number): void {
  const { K, T, W, path, has, userOf, byUser, slot, nodeUsers, nodeLast, linkUsers, linkLast } = k;
  for (let q = q0; q < q1; q++) {
    const s = byUser[q];
    if (!has[s]) continue;
    const u = userOf[s];
    let prev = -1; // the previous step's slot
    for (let p = 0; p < K; p++) {
      const x = path[s * K + p];
      if (x < 0) {
        prev = -1;
        continue;
      }
      const b = slot[p * T + x];
      const node = p * W + b;
      if (nodeLast[node] !== u) {
        nodeLast[node] = u;
        nodeUsers[node]++;
      }
      if (prev >= 0) {
        const link = ((p - 1) * W + prev) * W + b;
        if (linkLast[link] !== u) {
          linkLast[link] = u;
          linkUsers[link]++;
        }
      }
      prev = b;
    }
  }
}

/** What Show SQL says above the statement that selected the pass's rows: what the pass then does with them. */
function passNote(spec: PathsSpec, stored: boolean): string {
  const K = spec.steps;
  return (
    `-- Computed in one pass over the rows this statement returns (README, "Journeys in one pass"): ` +
    (stored ? `each session's event types, stored in time order with the dataset (session_metrics.path)` : `each session's events, put in time order`) +
    (spec.collapse ? ', an event of the same type as the one before it dropped' : '') +
    `;\n-- the first ${commentText(spec.eventType)} event is step ${spec.anchor === 'start' ? `1 and the next ${K - 1} events follow` : `${K} and the ${K - 1} events before it precede`}` +
    `;\n-- whole paths and the Sankey's steps count distinct users (${spec.nodesPerStep} event types a step, the rest as "Other").\n`
  );
}

/**
 * The journeys for `spec`: by the one pass when the dataset's users and sessions have distinct hash bits
 * (checked once per dataset version) and `pause` is given (how the pass gives the page a turn), else by the two
 * statements. `sql` holds the statements that answered (for the pass, the one that selected its rows).
 */
export async function computePaths(
  io: Io | ((q: Sql) => Promise<Table>), spec: PathsSpec, fields: readonly Field[], pause: Pause | null = noPause, limit = TOP_PATHS,
): Promise<PathsResult & { sql: Sql[]; onePass: boolean }> {
  const { run, derive } = toIo(io);
  if (pause) {
    const types = pathTypes(await run(pathsKeysSql()));
    if (types) {
      // The sessions as stored with the dataset where it has them, else from its events.
      const q = pathsRowsSql(spec, fields, types);
      // The sessions depend on the users filter only: the newest are kept, so changing anything else in the
      // spec counts again without a statement.
      const sessions = await derive('rows:journeys-sessions', q, (rows) => sessionsOfRows(rows, types, pause));
      if (sessions) {
        const value = await pathsOfSessions(sessions, spec, limit, pause);
        return { ...value, sql: [{ text: passNote(spec, types.stored === true) + q.text, params: q.params }], onePass: true };
      }
    }
  }
  const topSql = pathsTopSql(spec, fields, limit);
  const sankeySql = pathsSankeySql(spec, fields);
  const top = decodePathsTop(await run(topSql));
  const sankey = decodePathsSankey(await run(sankeySql));
  return { top, sankey, sql: [topSql, sankeySql], onePass: false };
}
