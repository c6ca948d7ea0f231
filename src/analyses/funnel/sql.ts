// Funnels as step-wise ASOF joins (the fastest shape measured here; window-function variants were ~3x slower).
//
// Every event that can take part gets one sort key k = (epoch µs, rank[, rowid]) packed into one integer, where
// rank is the first step the event matches (31 for other events). Ordering by k puts events in time order and, at
// the same instant, in the funnel's order — so "events with equal timestamps count as in order" — and rowid keeps
// two events at the same instant distinct when that matters (an event never fills two steps; see keySql).
//
// An attempt starts at each step-1 event (the anchor). Sequential: step i+1 is the first step-(i+1) event after
// step i (ASOF join on k). Strict: the unit's very next event must match step i+1. Any order: from each event
// that matches a step, the first event of every step at or after it. A unit (user or session) reaches step j of
// an attempt when steps 2..j happen within the window from the anchor and no exclusion event happens between
// two steps of its range; its depth is the best over all its attempts (ClickHouse windowFunnel semantics).
// `best` keeps one row per unit: depth, step timestamps and entry of its best attempt (earliest among equals).
//
// The ASOF joins match units by a 64-bit hash of the unit id (`hu`), not the text id: sorting and partitioning on
// text keys was most of their cost (measured natively, default funnel: 1.6× faster at 66,000 users, 1.5× at 5,000).
// A held property (the same product) is matched by its hash as well. Every matched event carries its own unit id
// (and held value), so a hash shared by two units that sends one unit's step to the
// other's event is caught (`collide`): the statement then fails with KEY_COLLISION and runFunnel runs it again on
// the text ids. (An event of the other unit is the only way a shared hash can change an answer: when the first
// event after a step among both units belongs to the same unit, it is also that unit's own first one.)
import { StrataError } from '../../errors.ts';
import { joinSql, literal, raw, sql, type Sql } from '../../sql/quote.ts';
import { eventMatchSql } from '../cohort/sql.ts';
import { membersSql } from '../filter/members.ts';
import { fieldById, fieldSql, isUserField, userValueSql, type Field } from '../fields.ts';
import { windowMinutes, type FunnelSpec, type FunnelStep, type TrendPeriod } from './spec.ts';

/** Rank of events that match no step (after every step at the same instant). */
const OTHER_RANK = 31;

/** Time-to-convert histogram bucket edges in minutes: <1m, 1–5m, 5–15m, 15–60m, 1–6h, 6–24h, 1–3d, 3–7d, 7–30d, 30d+. */
export const TIME_EDGES_MIN = [1, 5, 15, 60, 360, 1440, 4320, 10080, 43200] as const;

const TRUNC: Record<TrendPeriod, string> = { day: "'day'", week: "'week'", month: "'month'" };

const stepMatch = (s: FunnelStep, fields: readonly Field[]) => eventMatchSql({ kind: 'event', eventType: s.eventType, filter: s.filter }, fields);
/** The text a funnel statement fails with when two of its units share a key hash and it changed a match. */
export const KEY_COLLISION = 'strata: two funnel units share a key hash';

/** How units are matched: by a hash of their id (the default; `bits` < 64 only in tests, to force collisions), or by the id. */
export type UnitKeys = { kind: 'hash'; bits?: number } | { kind: 'text' };

const cols = (prefix: string, n: number, from = 1) => Array.from({ length: n - from + 1 }, (_, i) => `${prefix}${i + from}`);

/**
 * The CTEs up to `best(u, uid, depth, ts, entry, g)`: one row per counted unit with its best attempt's depth,
 * the list of its step timestamps (NULL past its depth), its entry time and (for an event-field breakdown) the
 * breakdown value on its step-1 event. Returned without the leading WITH so callers can add CTEs.
 */
export function funnelCoreSql(spec: FunnelSpec, fields: readonly Field[], keys: UnitKeys = { kind: 'hash' }): Sql {
  const n = spec.steps.length;
  const hold = spec.hold ? holdField(spec.hold, fields) : null;
  const holdEq = raw(hold ? ' AND c.hh = b.hh' : '');
  /** Checks of every match against the anchor (`bad` below): its unit, and its held value when the join used it. */
  const matched: string[] = [];
  const keep2 = (col: string, held = false) => {
    if (keys.kind === 'text') return '';
    matched.push(`coalesce(${col} <> u, FALSE)`);
    if (!held || !hold) return `, b.u AS ${col}`;
    matched.push(`coalesce(${col}_h <> h, FALSE)`);
    return `, b.u AS ${col}, b.h AS ${col}_h`;
  };

  const parts: Sql[] = keyedCtes(spec, fields, keys);
  for (let i = spec.order === 'any' ? 1 : 2; i <= n; i++) parts.push(raw(`s${i} AS (SELECT u, hu, h, hh, ts, k FROM keyed WHERE f${i})`));
  const W = windowMinutes(spec.window);
  // The window (a validated whole number of minutes) goes in through the one escaping function.
  const within = (t: string, t0: string) => (W === null ? `${t} IS NOT NULL` : `coalesce(${t} <= ${t0} + to_minutes(${literal(W)}), FALSE)`);
  let last: string;
  let depth: string;
  let stamps: string;
  let entry: string;
  if (spec.order === 'any') {
    // Starts: every event matching a step (without a window only each unit's first one can do best).
    // arg_min_null, not arg_min: arg_min skips rows whose value is NULL, which would take the breakdown value of
    // a later event when the first one has none (it must be "(missing)").
    parts.push(
      raw(
        W === null
          ? `c0 AS (SELECT u, hu, h, hh, arg_min(uid, k) AS uid, arg_min_null(g, k) AS g, min(ts) AS t0, min(k) AS k0 FROM keyed WHERE ${cols('f', n).join(' OR ')} GROUP BY u, hu, h, hh)`
          : `c0 AS (SELECT u, hu, h, hh, uid, g, ts AS t0, k AS k0 FROM keyed WHERE ${cols('f', n).join(' OR ')})`,
      ),
    );
    for (let i = 1; i <= n; i++) {
      parts.push(raw(`c${i} AS (SELECT c.*, b.ts AS t${i}${keep2(`bu${i}`, true)} FROM c${i - 1} c ASOF LEFT JOIN s${i} b ON c.hu = b.hu${holdEq.text} AND b.k >= c.k0)`));
    }
    last = `c${n}`;
    depth = cols('t', n).map((t) => `(${within(t, 't0')})::INTEGER`).join(' + ');
    stamps = 'NULL::TIMESTAMP[]';
    entry = 't0';
  } else {
    // Without a window or exclusions the earliest anchor of a unit goes furthest, so it is the only one tried.
    // arg_min_null keeps a NULL breakdown value of that anchor (arg_min would skip to a later step-1 event's value).
    const firstOnly = spec.order === 'sequential' && W === null && spec.exclusions.length === 0;
    parts.push(raw(`s1x AS (SELECT u, hu, h, hh, uid, g, ts, k FROM keyed WHERE f1)`));
    parts.push(
      raw(
        firstOnly
          ? `c1 AS (SELECT u, hu, h, hh, arg_min(uid, k) AS uid, arg_min_null(g, k) AS g, min(ts) AS t1, min(k) AS k1 FROM s1x GROUP BY u, hu, h, hh)`
          : `c1 AS (SELECT u, hu, h, hh, uid, g, ts AS t1, k AS k1 FROM s1x)`,
      ),
    );
    for (let i = 2; i <= n; i++) {
      parts.push(
        raw(
          spec.order === 'sequential'
            ? `c${i} AS (SELECT c.*, b.ts AS t${i}, b.k AS k${i}${keep2(`bu${i}`, true)} FROM c${i - 1} c ASOF LEFT JOIN s${i} b ON c.hu = b.hu${holdEq.text} AND b.k > c.k${i - 1})`
            : `c${i} AS (SELECT c.*, CASE WHEN b.f${i}${hold ? ' AND b.h = c.h' : ''} THEN b.ts END AS t${i}, CASE WHEN b.f${i}${hold ? ' AND b.h = c.h' : ''} THEN b.k END AS k${i}${keep2(`bu${i}`)}
  FROM c${i - 1} c ASOF LEFT JOIN keyed b ON c.hu = b.hu AND b.k > c.k${i - 1})`,
        ),
      );
    }
    last = `c${n}`;
    // Exclusions: the first excluded event after step m (strictly later in time) cuts the attempt at m if it
    // comes before step m+1.
    const cuts: string[][] = Array.from({ length: n + 1 }, () => []);
    spec.exclusions.forEach((x, j) => {
      parts.push(raw(`xe${j + 1} AS (SELECT u, hu, ts FROM keyed WHERE x${j + 1})`));
      for (let m = x.from; m < x.to; m++) {
        const name = `x${j + 1}_${m}`;
        parts.push(raw(`c_${name} AS (SELECT c.*, b.ts AS ${name}${keep2(`bu_${name}`)} FROM ${last} c ASOF LEFT JOIN xe${j + 1} b ON c.hu = b.hu AND b.ts > c.t${m})`));
        last = `c_${name}`;
        cuts[m + 1].push(`coalesce(${name} < t${m + 1}, FALSE)`);
      }
    });
    const ok = (i: number) => [within(`t${i}`, 't1'), ...cuts[i].map((c) => `NOT ${c}`)].join(' AND ');
    depth = `CASE ${Array.from({ length: n - 1 }, (_, j) => `WHEN NOT (${ok(j + 2)}) THEN ${j + 1}`).join(' ')} ELSE ${n} END`;
    stamps = `[${cols('t', n).join(', ')}]`;
    entry = 't1';
  }
  // A match on another unit's event (two units sharing a hash): `bad`, which fails the statement in `best`.
  const bad = matched.length ? matched.join(' OR ') : 'FALSE';
  parts.push(raw(`scored AS (SELECT u, uid, g, ${entry} AS entry, ${stamps} AS ts, ${depth} AS depth, k${spec.order === 'any' ? '0' : '1'} AS ka, ${bad} AS bad FROM ${last})`));
  // Best attempt per unit: deepest, then earliest anchor. Step times past its depth are cleared.
  parts.push(
    raw(`top AS (SELECT u, arg_max({'uid': uid, 'g': g, 'entry': entry, 'ts': ts, 'depth': depth}, depth::HUGEINT * 1267650600228229401496703205376 - ka) AS b, bool_or(bad) AS bad FROM scored GROUP BY u)`),
  );
  const guard = matched.length ? `\n  WHERE CASE WHEN bad THEN error(${literal(KEY_COLLISION)}) ELSE TRUE END` : '';
  parts.push(
    raw(`best AS MATERIALIZED (SELECT u, b.uid AS uid, b.depth AS depth, b.entry AS entry, b.g AS g,
  list_transform(b.ts, (t, i) -> CASE WHEN i <= b.depth THEN t END) AS ts FROM top${guard})`),
  );
  return joinSql(parts, ',\n');
}

/**
 * `ev, flagged, keyed`: every event that can take part, with its unit (u, and hu: the unit's hash, or u itself for
 * text keys), user, time, held value (h, hh), breakdown value (g), step flags f1..fn, exclusion flags x1..xm and
 * sort key k.
 */
function keyedCtes(spec: FunnelSpec, fields: readonly Field[], keys: UnitKeys): Sql[] {
  const n = spec.steps.length;
  if (n < 2) throw new StrataError('A funnel needs at least two steps.');
  const unit = raw(spec.countBy === 'sessions' ? 'e.session_id' : 'e.user_id');
  const hold = spec.hold ? holdField(spec.hold, fields) : null;
  const bd = spec.breakdown?.kind === 'field' ? fieldById(fields, spec.breakdown.field) : null;
  const g = bd && !isUserField(bd) ? sql`${fieldSql(bd)}::VARCHAR` : raw('NULL::VARCHAR');
  const h = hold ? sql`${fieldSql(hold)}` : raw('NULL::VARCHAR');
  const bits = keys.kind === 'hash' ? (keys.bits ?? 64) : 64;
  if (!Number.isInteger(bits) || bits < 1 || (bits > 52 && bits !== 64)) throw new StrataError('A unit key hash has 64 bits, or 1 to 52.');
  // The join key: the unit's hash (each match then checked, see `collide`), or the unit id itself.
  const hashOf = (x: string) => (keys.kind === 'text' ? x : bits === 64 ? `hash(${x})` : `hash(${x}) % ${2 ** bits}::UBIGINT`);
  const hu = raw(hashOf(unit.text));
  // The held property is matched by its hash too (hh), and checked the same way.
  const hh = hold ? hashOf('h') : 'NULL::UBIGINT';
  const flags = spec.steps.map((s, i) => sql`coalesce(${stepMatch(s, fields)}, FALSE) AS ${raw(`m${i + 1}`)}`);
  const xflags = spec.exclusions.map((x, i) => sql`coalesce(${stepMatch(x, fields)}, FALSE) AS ${raw(`x${i + 1}`)}`);
  const rank = raw(`CASE ${cols('f', n).map((f, i) => `WHEN ${f} THEN ${i + 1}`).join(' ')} ELSE ${OTHER_RANK} END`);
  const anyStep = raw(cols('m', n).join(' OR '));
  const anyX = spec.exclusions.length ? raw(' OR ' + cols('x', spec.exclusions.length).join(' OR ')) : raw('');
  // Strict needs every event of the unit (any other event breaks the chain); other modes only the matching ones.
  const keep = spec.order === 'strict' ? raw('') : sql` AND (${anyStep}${anyX})`;
  const stepFlags = raw(cols('m', n).map((m, i) => `${m}${hold ? ' AND h IS NOT NULL' : ''} AS f${i + 1}`).join(', '));
  return [
    sql`ev AS (SELECT ${unit} AS u, ${hu} AS hu, e.user_id AS uid, e.ts, e.rowid AS rid, ${h} AS h, ${g} AS g, ${joinSql([...flags, ...xflags], ', ')}
  FROM events e WHERE ${unit} IS NOT NULL AND e.ts IS NOT NULL AND ${membersSql(spec, fields, 'e.user_id')})`,
    sql`flagged AS (SELECT *, ${stepFlags} FROM ev WHERE TRUE${keep})`,
    sql`keyed AS (SELECT u, hu, uid, ts, rid, h, ${raw(hh)} AS hh, g, ${raw(cols('f', n).join(', '))}${raw(spec.exclusions.length ? ', ' + cols('x', spec.exclusions.length).join(', ') : '')},
  ${keySql(spec, rank)} AS k FROM flagged)`,
  ];
}

/**
 * The rows a one-pass funnel reads (pass.ts): every event that can take part — its unit key (hu), time in epoch µs
 * (t), step bits (bit s-1: step s), with exclusions their bits (bit j: exclusion j+1), where the sort key has table
 * order the rowid (rid), with a held property the held value's key (hh), with an event-field breakdown its value
 * (g). In no particular order: the pass groups them by unit and orders each unit's rows by the sort key itself
 * (pass-rows.ts), which costs less than DuckDB's sort. Keys are, by default, the top 52 bits of the ids' hashes
 * (exact as numbers in JavaScript), which funnelKeysSql checks are distinct over the whole dataset; with `text`, the
 * ids themselves.
 */
export function funnelEventsSql(spec: FunnelSpec, fields: readonly Field[], keys: { kind: 'hash' | 'text' } = { kind: 'hash' }): Sql {
  const n = spec.steps.length;
  if (n < 2) throw new StrataError('A funnel needs at least two steps.');
  const hash = keys.kind === 'hash';
  const unit = spec.countBy === 'sessions' ? 'e.session_id' : 'e.user_id';
  const hold = spec.hold ? fieldSql(holdField(spec.hold, fields)) : null;
  const bd = spec.breakdown?.kind === 'field' ? fieldById(fields, spec.breakdown.field) : null;
  // One flat SELECT over the events (the CTEs funnelSql shares cost ~30% more at 1M events): each step's and
  // exclusion's match evaluated where it is used, as keyedCtes defines them.
  const match = spec.steps.map((st) => stepMatch(st, fields));
  const xmatch = spec.exclusions.map((x) => stepMatch(x, fields));
  // A match that is NULL (a NULL in a step's filter) is no match, as coalesce(…, FALSE) makes it in keyedCtes.
  const bits = (flags: Sql[]) => joinSql(flags.map((f, i) => sql`CASE WHEN ${f} THEN ${raw(String(2 ** i))} ELSE 0 END`), ' + ');
  const stepFlags = hold ? match.map((m) => sql`(${m} AND ${hold} IS NOT NULL)`) : match;
  const select = [
    raw(hash ? `hash(${unit}) AS hu` : `${unit} AS hu`),
    raw('e.ts'),
    sql`(${bits(stepFlags)})::INTEGER AS steps`,
    ...(xmatch.length ? [sql`(${bits(xmatch)})::INTEGER AS excl`] : []),
    ...(keyHasRowid(spec) ? [raw('e.rowid::INTEGER AS rid')] : []), // 4 bytes a row (a browser's tables stay far below 2^31 rows)
    ...(hold ? [hash ? sql`hash(${hold}) AS hh` : sql`${hold} AS hh`] : []),
    ...(bd ? [isUserField(bd) ? raw('NULL::VARCHAR AS g') : sql`${fieldSql(bd)}::VARCHAR AS g`] : []),
  ];
  // The keys as numbers (the top 52 bits of the hashes) and times in epoch µs.
  const outer = [
    hash ? '(hu >> 12)::DOUBLE AS hu' : 'hu', 'epoch_us(ts)::DOUBLE AS t', 'steps', ...(xmatch.length ? ['excl'] : []), ...(keyHasRowid(spec) ? ['rid'] : []),
    ...(hold ? [hash ? '(hh >> 12)::DOUBLE AS hh' : 'hh'] : []), ...(bd ? ['g'] : []),
  ];
  // Strict needs every event of the unit (any other event breaks the chain); other modes only the matching ones.
  // No coalesce (NULL is not TRUE in WHERE either): a plain OR of event types reaches the table scan.
  const keep = spec.order === 'strict' ? raw('') : sql` AND (${joinSql([...match, ...xmatch], ' OR ')})`;
  return sql`SELECT ${raw(outer.join(', '))} FROM (
  SELECT ${joinSql(select, ', ')}
  FROM events e WHERE ${raw(unit)} IS NOT NULL AND e.ts IS NOT NULL AND ${membersSql(spec, fields, 'e.user_id')}${keep}
) keyed`;
}

/**
 * Whether funnelEventsSql may key units (and the held property) by the top 52 bits of their hashes: one row,
 * `ok`, true when no two ids of the dataset share them. It reads the whole events table, so it depends only on
 * the data, the unit and the held field: cached once per dataset version.
 */
export function funnelKeysSql(spec: FunnelSpec, fields: readonly Field[]): Sql {
  const unit = raw(spec.countBy === 'sessions' ? 'e.session_id' : 'e.user_id');
  // hash(NULL) is a value like any other: only non-NULL ids are compared (rows without one never take part). The
  // distinct ids first, then their hashes: at 1M events 110 -> 70 ms natively (sessions and products), 54 -> 22
  // (users) against counting both distincts over the events.
  const distinct = (x: Sql) => sql`(SELECT count(*) = count(DISTINCT hash(x) >> 12) FROM (SELECT DISTINCT ${x} AS x FROM events e WHERE ${x} IS NOT NULL))`;
  const held = spec.hold ? sql` AND ${distinct(fieldSql(holdField(spec.hold, fields)))}` : raw('');
  return sql`SELECT ${distinct(unit)}${held} AS ok`;
}

/** Whether funnelEventsSql's sort key holds table order (rowid): then no two rows of a unit share a key. */
export function keyHasRowid(spec: FunnelSpec): boolean {
  const shared = new Set(spec.steps.map((s) => s.eventType)).size < spec.steps.length;
  return shared || spec.hold !== null || (spec.breakdown?.kind === 'field' && spec.breakdown.field.startsWith('e.'));
}

/**
 * The sort key. When two steps share an event type, one event could fill both, so events at the same instant and
 * rank must stay distinct: rowid takes the low 40 bits of a HUGEINT (a trillion rows), the rank the 5 bits above,
 * epoch µs the rest. The same goes when a held property or an event-column breakdown can tell two such events
 * apart (e.g. carts of products B and A at one instant in a strict funnel, or two step-1 views on different
 * devices): equal keys would leave the pick to how DuckDB orders ties — a different answer from run to run — where
 * the README says table order. Otherwise two such events are interchangeable (the same instant, the same steps),
 * and a BIGINT (epoch µs, rank) sorts ~30% faster.
 */
function keySql(spec: FunnelSpec, rank: Sql): Sql {
  return keyHasRowid(spec) ? sql`(epoch_us(ts)::HUGEINT * 32 + ${rank}) * 1099511627776 + rid` : sql`epoch_us(ts) * 32 + ${rank}`;
}

function holdField(id: string, fields: readonly Field[]): Field {
  const f = fieldById(fields, id);
  if (isUserField(f)) throw new StrataError('Hold constant an event column (such as product_id).');
  return f;
}

/** Breakdown groups: `grouped(u, uid, depth, ts, entry, grp, other)`; grp is NULL for a missing value. */
function groupedSql(spec: FunnelSpec, fields: readonly Field[]): Sql {
  const b = spec.breakdown;
  if (!b) return raw(`grouped AS (SELECT *, NULL::VARCHAR AS grp, FALSE AS other FROM best)`);
  if (b.kind === 'filter') {
    return sql`grouped AS (SELECT best.*, CASE WHEN ${membersSql({ users: b.filter }, fields, 'best.uid')} THEN 'match' ELSE 'rest' END AS grp,
  FALSE AS other FROM best)`;
  }
  const f = fieldById(fields, b.field);
  const val = isUserField(f) ? userValueSql(f, 'best.uid') : raw('best.g');
  return sql`valued AS (SELECT best.*, ${val} AS v FROM best),
tops AS (SELECT v FROM valued WHERE v IS NOT NULL GROUP BY v ORDER BY count(*) DESC, v LIMIT ${b.top}),
grouped AS (SELECT valued.*, CASE WHEN v IS NULL OR v IN (SELECT v FROM tops) THEN v END AS grp,
  (v IS NOT NULL AND v NOT IN (SELECT v FROM tops)) AS other FROM valued)`;
}

/**
 * The funnel statement: rows (part, grp, other, tot, k, x, n, v) —
 * depth: units per breakdown group whose best depth is k;
 * time: per transition k -> k+1, units converting, median and mean ms (per group, and tot = TRUE overall);
 * hist: per transition, units per time bucket x (edges TIME_EDGES_MIN), overall;
 * trend: units per group, entry period x (epoch ms) and depth k.
 */
export function funnelSql(spec: FunnelSpec, fields: readonly Field[], keys: UnitKeys = { kind: 'hash' }): Sql {
  const n = spec.steps.length;
  const bucket = raw(TIME_EDGES_MIN.map((m) => `(ms >= ${m * 60_000})::INTEGER`).join(' + '));
  return sql`WITH ${funnelCoreSql(spec, fields, keys)},
${groupedSql(spec, fields)},
gaps AS (SELECT grp, other, r.k, (epoch_ms(ts[r.k + 1]) - epoch_ms(ts[r.k]))::DOUBLE AS ms
  FROM grouped, range(1, CAST(${n} AS BIGINT)) r(k) WHERE depth > r.k AND ts[r.k + 1] IS NOT NULL)
SELECT 'depth' AS part, grp, other, FALSE AS tot, depth::INTEGER AS k, NULL::DOUBLE AS x, count(*)::DOUBLE AS n, NULL::DOUBLE AS v
  FROM grouped GROUP BY grp, other, depth
UNION ALL
SELECT 'time', grp, other, grouping(grp) = 1, k::INTEGER, avg(ms)::DOUBLE, count(*)::DOUBLE, median(ms)::DOUBLE
  FROM gaps GROUP BY GROUPING SETS ((grp, other, k), (k))
UNION ALL
SELECT 'hist', NULL, FALSE, TRUE, k::INTEGER, (${bucket})::DOUBLE AS b, count(*)::DOUBLE, NULL FROM gaps GROUP BY k, b
UNION ALL
SELECT 'trend', grp, other, FALSE, depth::INTEGER, epoch_ms(date_trunc(${raw(TRUNC[spec.trend])}, entry))::DOUBLE AS p, count(*)::DOUBLE, NULL
  FROM grouped GROUP BY grp, other, depth, p`;
}

/**
 * The users behind a step: "converted" = reached step k; "dropped" = reached step k-1 but not k. Their user rows
 * (for the list and CSV), at most `limit`. Counting by sessions lists the users of those sessions. Matched on the
 * unit ids by default (a list, or a saved segment's members, never needs running twice).
 */
export function funnelUsersSql(spec: FunnelSpec, fields: readonly Field[], k: number, which: 'converted' | 'dropped', limit = 10_000, keys: UnitKeys = { kind: 'text' }): Sql {
  if (!Number.isInteger(k) || k < 1 || k > spec.steps.length || (which === 'dropped' && k < 2)) throw new StrataError(`There is no step ${k} to list ${which} users at.`);
  const cond = which === 'converted' ? sql`depth >= CAST(${k} AS INTEGER)` : sql`depth = CAST(${k - 1} AS INTEGER)`;
  return sql`WITH ${funnelCoreSql(spec, fields, keys)}
SELECT u.* FROM users u WHERE u.user_id IN (SELECT uid FROM best WHERE ${cond}) ORDER BY u.user_id LIMIT ${limit}`;
}

/** Whether `err` is a funnel statement's KEY_COLLISION (run it again with text keys). */
export function isKeyCollision(err: unknown): boolean {
  return String(err instanceof Error ? err.message : err).includes(KEY_COLLISION);
}

/**
 * Run a funnel statement built by `build` (funnelSql, funnelUsersSql) with hashed unit keys (`first`: tests pass
 * fewer bits), and again with the unit ids themselves in the rare case two units share a hash that changed a match.
 */
export async function runFunnel<T>(
  run: (q: Sql) => Promise<T>, build: (keys: UnitKeys) => Sql, first: UnitKeys = { kind: 'hash' },
): Promise<{ value: T; sql: Sql }> {
  const hashed = build(first);
  try {
    return { value: await run(hashed), sql: hashed };
  } catch (err) {
    if (!isKeyCollision(err)) throw err;
    const text = build({ kind: 'text' });
    return { value: await run(text), sql: text };
  }
}
