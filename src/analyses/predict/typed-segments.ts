// Typed values → rule-based segments: which label each built-in segmentation (and RFM) would give a customer with
// these values, computed by the segmentations' own SQL — never a second copy of their rules.
//
// How: the segmentation's statement runs unchanged inside a WITH that shadows the dataset's tables by name —
//   users         = every stored user but the customer, plus one row with the customer's typed values
//   user_metrics  = the same, for the metric columns
//   events        = (only when the traffic source is asked) every stored event but the customer's, plus one event
//                   carrying the typed first-visit source and medium
// and the customer's row is read back. The typed customer therefore takes the place of a stored one (`basis`: the
// customer whose values were loaded, so nobody is counted twice and typing a customer's own values gives exactly
// their stored labels — tested for every built-in) or joins the data as one more user (no basis). Rules that rank
// users against everyone (RFM quintiles, the engagement score's 95th percentiles, income percentiles) see the
// dataset with the typed customer in it, as they would if that customer were stored.
// Columns the typed form does not carry are NULL on the typed row (no built-in reads them).
import type { Db } from '../../db/types.ts';
import { toRows } from '../../lib/rows.ts';
import { ident, joinSql, raw, sql, type Sql } from '../../sql/quote.ts';
import { BUILTIN_SEGMENTATIONS, type Columns } from '../segments/builtin/index.ts';
import { pick } from '../segments/builtin/common.ts';
import { FIRST_TOUCH_COLUMNS, firstTouchCtes } from '../segments/builtin/traffic-source.ts';
import { rfmSql } from '../rfm/index.ts';
import { StrataError } from '../../errors.ts';

/** One value a person can type: a users or user_metrics column, or the first visit's source / medium. */
export interface TypedField {
  /** `table.column` ("first_touch.source" for the first visit). */
  key: string;
  table: 'users' | 'user_metrics' | 'first_touch';
  column: string;
  /** The column's DuckDB type (VARCHAR for the first visit). */
  type: string;
  numeric: boolean;
  /** Which segmentations read it (their names), for the form's hints. */
  usedBy: string[];
}

/** A typed value: a number, a text, or null (blank: missing, e.g. no purchase yet). */
export type TypedValue = number | string | null;

export interface TypedLabel {
  id: string;
  name: string;
  label: string | null;
  /** The engagement score's value, the RFM cell: shown beside the label. */
  detail: string | null;
}

const RFM_NEEDS = ['days_since_last_purchase', 'orders', 'revenue'];
const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|REAL|DOUBLE|DECIMAL.*)$/;

interface Schema {
  name: string;
  columns: Columns;
  types: Map<string, string>;
}

async function schemaOf(db: Db): Promise<Schema> {
  const rows = toRows(await db.query(`SELECT current_schema() AS s, table_name AS t, column_name AS c, data_type AS ty FROM duckdb_columns()
    WHERE database_name = current_database() AND schema_name = current_schema()
      AND table_name IN ('events', 'users', 'user_metrics') ORDER BY column_index`));
  const of = (t: string) => rows.filter((r) => r.t === t).map((r) => String(r.c));
  const name = rows.length ? String(rows[0].s) : String(toRows(await db.query('SELECT current_schema() AS s'))[0].s);
  return {
    name,
    // Without user_metrics' stored first touch: a typed first visit lives in the events shadow (typedSegmentSql),
    // so the traffic source must pick it from events, as it does for datasets that store none.
    columns: { events: of('events'), users: of('users'), user_metrics: of('user_metrics').filter((c) => !(FIRST_TOUCH_COLUMNS as readonly string[]).includes(c)) },
    types: new Map(rows.map((r) => [`${String(r.t)}.${String(r.c)}`, String(r.ty)])),
  };
}

/** The fields the built-ins this dataset supports read (in the order they are first needed), and those built-ins. */
function fieldsOf(s: Schema): TypedField[] {
  const out = new Map<string, TypedField>();
  const add = (table: TypedField['table'], column: string, by: string, type: string) => {
    const key = `${table}.${column}`;
    const f = out.get(key) ?? { key, table, column, type, numeric: NUMERIC.test(type), usedBy: [] };
    if (!f.usedBy.includes(by)) f.usedBy.push(by);
    out.set(key, f);
  };
  for (const seg of BUILTIN_SEGMENTATIONS) {
    if (seg.needs(s.columns)) continue;
    for (const n of seg.requires) {
      const column = pick(s.columns, n.table, n.anyOf)!;
      if (n.table === 'events') add('first_touch', column, seg.name, 'VARCHAR');
      else add(n.table, column, seg.name, s.types.get(`${n.table}.${column}`) ?? 'VARCHAR');
    }
  }
  if (RFM_NEEDS.every((c) => s.columns.user_metrics.includes(c))) {
    for (const c of RFM_NEEDS) add('user_metrics', c, 'RFM segment', s.types.get(`user_metrics.${c}`) ?? 'DOUBLE');
  }
  return [...out.values()];
}

/** The values a person can type for this dataset (what its available built-in segmentations read). */
export async function typedFields(db: Db): Promise<TypedField[]> {
  return fieldsOf(await schemaOf(db));
}

/** A stored customer's values of `fields` (their first visit's source and medium included), or null when unknown. */
export async function customerTypedValues(db: Db, fields: readonly TypedField[], userId: string): Promise<Record<string, TypedValue> | null> {
  if (!(await hasUser(db, userId))) return null;
  const out: Record<string, TypedValue> = Object.fromEntries(fields.map((f) => [f.key, null]));
  const read = async (table: 'users' | 'user_metrics') => {
    const cols = fields.filter((f) => f.table === table);
    if (!cols.length) return;
    const q = sql`SELECT ${raw(cols.map((f) => `${ident(f.column)} AS ${ident(f.key)}`).join(', '))} FROM ${raw(table)} WHERE CAST(user_id AS VARCHAR) = ${userId} LIMIT 1`;
    const row = toRows(await db.query(q.text, q.params))[0];
    if (row) for (const f of cols) out[f.key] = cell(row[f.key], f.numeric);
  };
  await read('users');
  await read('user_metrics');
  if (fields.some((f) => f.table === 'first_touch')) {
    const q = sql`WITH ${firstTouchCtes()} SELECT CAST(source AS VARCHAR) AS s, CAST(medium AS VARCHAR) AS m FROM first_touch WHERE CAST(user_id AS VARCHAR) = ${userId}`;
    const row = toRows(await db.query(q.text, q.params))[0];
    if ('first_touch.source' in out) out['first_touch.source'] = row ? cell(row.s, false) : null;
    if ('first_touch.medium' in out) out['first_touch.medium'] = row ? cell(row.m, false) : null;
  }
  return out;
}

function cell(v: unknown, numeric: boolean): TypedValue {
  if (v === null || v === undefined) return null;
  if (numeric) {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return String(v);
}

/** Check typed values against the fields: numbers finite, texts at most 200 characters; unknown keys refused. */
export function checkTypedValues(fields: readonly TypedField[], values: Readonly<Record<string, TypedValue>>): Record<string, TypedValue> {
  const out: Record<string, TypedValue> = {};
  for (const k of Object.keys(values)) if (!fields.some((f) => f.key === k)) throw new StrataError(`“${k}” is not a value the segments read.`);
  for (const f of fields) {
    const v = values[f.key] ?? null;
    if (v === null || (typeof v === 'string' && !v.trim())) {
      out[f.key] = null;
    } else if (f.numeric) {
      const n = typeof v === 'number' ? v : Number(v.trim());
      if (!Number.isFinite(n)) throw new StrataError(`${f.column} must be a number, got “${String(v).slice(0, 40)}”.`);
      out[f.key] = n;
    } else {
      const t = String(v);
      if (t.length > 200) throw new StrataError(`${f.column} is longer than 200 characters.`);
      out[f.key] = t;
    }
  }
  return out;
}

/** The statement for one segmentation over the data with the typed customer `id` in it (see the header). */
export function typedSegmentSql(body: Sql, s: Schema, fields: readonly TypedField[], values: Readonly<Record<string, TypedValue>>, id: string, withEvents: boolean): Sql {
  const schema = ident(s.name);
  const idType = s.types.get('users.user_id') ?? 'VARCHAR';
  const typedRow = (table: 'users' | 'user_metrics'): Sql => {
    const cols = fields.filter((f) => f.table === table);
    const parts = [sql`CAST(${id} AS ${raw(idType)}) AS user_id`, ...cols.map((f) => sql`CAST(${values[f.key] ?? null} AS ${raw(f.type)}) AS ${raw(ident(f.column))}`)];
    return sql`SELECT * FROM ${raw(schema)}.${raw(table)} WHERE CAST(user_id AS VARCHAR) IS DISTINCT FROM ${id}
  UNION ALL BY NAME SELECT ${joinSql(parts, ', ')}`;
  };
  const ctes = [sql`users AS (${typedRow('users')})`, sql`user_metrics AS (${typedRow('user_metrics')})`];
  if (withEvents) {
    const source = values['first_touch.source'] ?? null;
    const medium = values['first_touch.medium'] ?? null;
    const touch = source === null && medium === null
      ? raw('')
      : sql`
  UNION ALL BY NAME SELECT CAST(${id} AS ${raw(s.types.get('events.user_id') ?? 'VARCHAR')}) AS user_id, TIMESTAMP '1970-01-01' AS ts,
    CAST(${source} AS VARCHAR) AS source, CAST(${medium} AS VARCHAR) AS medium`;
    ctes.push(sql`events AS (SELECT * FROM ${raw(schema)}.events WHERE CAST(user_id AS VARCHAR) IS DISTINCT FROM ${id}${touch})`);
  }
  return sql`WITH ${joinSql(ctes, ',\n')}
SELECT * FROM (${body}) t WHERE CAST(t.user_id AS VARCHAR) = ${id}`;
}

/**
 * The label of every built-in segmentation this dataset supports, and RFM, for a customer with `values`. `basis`:
 * the stored customer the values stand for (replaced, see the header), or null for a customer not in the data.
 * `options`: each built-in's stored options (thresholds), by id.
 */
export async function typedSegments(
  db: Db, values: Readonly<Record<string, TypedValue>>, basis: string | null, options: Readonly<Record<string, unknown>> = {},
): Promise<TypedLabel[]> {
  const s = await schemaOf(db);
  const fields = fieldsOf(s);
  const checked = checkTypedValues(fields, values);
  const id = basis ?? await freeId(db, NUMERIC.test(s.types.get('users.user_id') ?? 'VARCHAR'));
  const out: TypedLabel[] = [];
  for (const seg of BUILTIN_SEGMENTATIONS) {
    if (seg.needs(s.columns)) continue;
    let opts: unknown;
    try {
      opts = seg.validate(options[seg.id]);
    } catch {
      opts = seg.validate(undefined);
    }
    const q = typedSegmentSql(seg.sql(opts, s.columns), s, fields, checked, id, seg.requires.some((n) => n.table === 'events'));
    const row = toRows(await db.query(q.text, q.params))[0];
    out.push({
      id: seg.id, name: seg.name, label: row?.label === null || row?.label === undefined ? null : String(row.label),
      detail: seg.scored && row?.score !== null && row?.score !== undefined ? `score ${Number(row.score).toFixed(2)}` : null,
    });
  }
  if (RFM_NEEDS.every((c) => s.columns.user_metrics.includes(c))) {
    const q = typedSegmentSql(rfmSql(), s, fields, checked, id, false);
    const row = toRows(await db.query(q.text, q.params))[0];
    out.push({
      id: 'rfm', name: 'RFM segment', label: row?.label === null || row?.label === undefined ? null : String(row.label),
      detail: row?.cell === null || row?.cell === undefined ? null : `R-F-M ${String(row.cell)}`,
    });
  }
  return out;
}

/** A user id no stored user has (for a customer typed from scratch): one above the largest for numeric ids. */
async function freeId(db: Db, numeric: boolean): Promise<string> {
  if (numeric) return String(toRows(await db.query('SELECT (coalesce(max(user_id), 0) + 1)::VARCHAR AS n FROM users'))[0].n);
  for (let i = 0; ; i++) {
    const id = i ? `what-if-${i}` : 'what-if';
    if (!(await hasUser(db, id))) return id;
  }
}

/** Whether a stored user has this id. */
async function hasUser(db: Db, id: string): Promise<boolean> {
  const q = sql`SELECT count(*)::DOUBLE AS n FROM users WHERE CAST(user_id AS VARCHAR) = ${id}`;
  return Number(toRows(await db.query(q.text, q.params))[0]?.n) > 0;
}
