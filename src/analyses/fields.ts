// The fields an analysis may group, filter or measure by: every column of events, users and user_metrics,
// named "<table letter>.<column>" so events.device and users.device never collide.
import type { Table } from 'apache-arrow';
import { toRows } from '../db/rows.ts';
import { ident, raw, sql, type Sql } from '../sql/quote.ts';
import { columnKind, type ColumnKind } from './profile/kinds.ts';
import { StrataError } from '../errors.ts';

/** Which table a field comes from: e = events, u = users, m = user_metrics (the SQL alias too). */
export type FieldSource = 'e' | 'u' | 'm';

/** One column an analysis can use. */
export interface Field {
  /** "e.category", "u.age", "m.revenue": the source letter, a dot, then the column name (which may hold dots). */
  id: string;
  source: FieldSource;
  column: string;
  /** DuckDB's type name, e.g. "DOUBLE", "TIMESTAMP". */
  type: string;
  kind: ColumnKind;
}

/** The row grain of an analysis: one row per user (users + user_metrics) or one row per event. */
export type Grain = 'users' | 'events';

const TABLE_OF: Record<FieldSource, string> = { e: 'events', u: 'users', m: 'user_metrics' };
const SOURCE_OF: Record<string, FieldSource> = { events: 'e', users: 'u', user_metrics: 'm' };

/** Display names of the sources. */
export const SOURCE_LABEL: Record<FieldSource, string> = { e: 'Event', u: 'User', m: 'User metric' };

/** Every column of events, users and user_metrics in the current schema, in table order. */
export function fieldsSql(): Sql {
  return sql`SELECT table_name AS t, column_name AS name, data_type AS type FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = current_schema()
  AND table_name IN ('events', 'users', 'user_metrics')
ORDER BY CASE table_name WHEN 'events' THEN 0 WHEN 'users' THEN 1 ELSE 2 END, column_index`;
}

/** Decode fieldsSql. user_metrics.user_id is dropped (it repeats users.user_id). */
export function decodeFields(table: Table): Field[] {
  return toRows(table)
    .map((r) => {
      const source = SOURCE_OF[String(r.t)];
      const column = String(r.name);
      const type = String(r.type);
      return { id: `${source}.${column}`, source, column, type, kind: columnKind(type) };
    })
    .filter((f) => !(f.source === 'm' && f.column === 'user_id'));
}

/** The fields available at a grain: users grain sees users + user_metrics; events grain sees all three. */
export function fieldsForGrain(fields: readonly Field[], grain: Grain): Field[] {
  return grain === 'events' ? [...fields] : fields.filter((f) => f.source !== 'e');
}

/** Look a field up by id, or throw a message naming what is missing. */
export function fieldById(fields: readonly Field[], id: string, grain?: Grain): Field {
  const f = fields.find((x) => x.id === id);
  if (!f) throw new StrataError(`This dataset has no column ${JSON.stringify(fieldLabel(id))}. Pick another field.`);
  if (grain === 'users' && f.source === 'e') {
    throw new StrataError(`${JSON.stringify(fieldLabel(id))} is an event column; switch the grain to events to use it.`);
  }
  return f;
}

/** The column as SQL: alias-qualified and quoted through the one quoting function. */
export function fieldSql(f: Field): Sql {
  return raw(`${f.source}.${ident(f.column)}`);
}

/** A short human label for a field id: "category (event)". */
export function fieldLabel(id: string): string {
  const source = id.slice(0, 1) as FieldSource;
  const column = id.slice(2);
  return SOURCE_LABEL[source] ? `${column} (${SOURCE_LABEL[source].toLowerCase()})` : id;
}

/** Whether a field id has the "<e|u|m>.<column>" shape. */
export function isFieldId(x: unknown): x is string {
  return typeof x === 'string' && /^[eum]\.[\s\S]+$/.test(x);
}

/**
 * FROM clause for a grain, joining users / user_metrics only when a used field needs them. The events grain
 * reads events as `e`; the users grain reads users as `u`. Table names are fixed text, never data.
 */
export function fromSql(grain: Grain, used: Iterable<FieldSource>): Sql {
  const need = new Set(used);
  if (grain === 'users') {
    return raw(`users u${need.has('m') ? ' LEFT JOIN user_metrics m ON m.user_id = u.user_id' : ''}`);
  }
  let from = 'events e';
  if (need.has('u')) from += ' LEFT JOIN users u ON u.user_id = e.user_id';
  if (need.has('m')) from += ' LEFT JOIN user_metrics m ON m.user_id = e.user_id';
  return raw(from);
}

/** The table a source letter reads (for messages). */
export function sourceTable(s: FieldSource): string {
  return TABLE_OF[s];
}

/** "a text column", "an integer column": a field kind with its article, for messages. */
export function kindPhrase(kind: string): string {
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} column`;
}

/** The most frequent values of a field as text (for value suggestions in the filter builder). */
export function fieldValuesSql(f: Field, limit = 200): Sql {
  const x = fieldSql(f);
  return sql`SELECT ${x}::VARCHAR AS v FROM ${raw(`${TABLE_OF[f.source]} ${f.source}`)} WHERE ${x} IS NOT NULL
GROUP BY ${x} ORDER BY count(*) DESC, ${x} LIMIT ${limit}`;
}
