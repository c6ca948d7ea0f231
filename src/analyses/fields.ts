// The fields an analysis may group, filter or measure by: every column of events, users and user_metrics,
// named "<table letter>.<column>" so events.device and users.device never collide.
import type { Table } from 'apache-arrow';
import { toRows } from '../lib/rows.ts';
import { ident, literal, raw, sql, type Sql } from '../sql/quote.ts';
import { columnKind, type ColumnKind } from './profile/kinds.ts';
import { StrataError } from '../errors.ts';

/** Which table a field comes from: the SQL alias, one letter per entry of SOURCES. */
export type FieldSource = 'e' | 'u' | 'm' | 's';

/**
 * Where fields come from: one entry per table, in display order. `perUser` tables hold one row per user and join
 * on user_id; a new source (segments, predictions) is one entry here, and every screen, filter and join follows.
 */
export interface SourceDef {
  letter: FieldSource;
  table: string;
  /** "User metric": group headings in field pickers. */
  label: string;
  /** "metric": the short tag beside a field's name. */
  tag: string;
  perUser: boolean;
}

/** The field sources, in the order pickers list them. Table names are fixed text, never data. */
export const SOURCES: readonly SourceDef[] = [
  { letter: 'e', table: 'events', label: 'Event', tag: 'event', perUser: false },
  { letter: 'u', table: 'users', label: 'User', tag: 'user', perUser: true },
  { letter: 'm', table: 'user_metrics', label: 'User metric', tag: 'metric', perUser: true },
  { letter: 's', table: 'user_segments', label: 'Segment', tag: 'segment', perUser: true },
];

const BY_LETTER = new Map(SOURCES.map((d) => [d.letter, d]));
const BY_TABLE = new Map(SOURCES.map((d) => [d.table, d]));

/** The definition of a source letter. */
export function sourceDef(letter: FieldSource): SourceDef {
  return BY_LETTER.get(letter)!;
}

/** True for fields with one value per user (users, user metrics, segments), false for event columns. */
export function isUserField(f: { source: FieldSource }): boolean {
  return sourceDef(f.source).perUser;
}

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

/** Display names of the sources. */
export const SOURCE_LABEL: Record<FieldSource, string> = Object.fromEntries(SOURCES.map((d) => [d.letter, d.label])) as Record<FieldSource, string>;

/** Every column of every source table in the current schema, sources in SOURCES order, columns in table order. */
export function fieldsSql(): Sql {
  const tables = SOURCES.map((d) => literal(d.table)).join(', ');
  const order = SOURCES.map((d, i) => `WHEN ${literal(d.table)} THEN ${i}`).join(' ');
  return sql`SELECT table_name AS t, column_name AS name, data_type AS type FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = current_schema()
  AND table_name IN (${raw(tables)})
ORDER BY CASE table_name ${raw(order)} END, column_index`;
}

/** Decode fieldsSql. The user_id of every per-user table but users is dropped (it repeats users.user_id). */
export function decodeFields(table: Table): Field[] {
  return toRows(table)
    .map((r) => {
      const source = BY_TABLE.get(String(r.t))!.letter;
      const column = String(r.name);
      const type = String(r.type);
      return { id: `${source}.${column}`, source, column, type, kind: columnKind(type) };
    })
    .filter((f) => !(f.source !== 'u' && isUserField(f) && f.column === 'user_id'));
}

/** The fields available at a grain: the users grain sees per-user sources; the events grain sees all. */
export function fieldsForGrain(fields: readonly Field[], grain: Grain): Field[] {
  return grain === 'events' ? [...fields] : fields.filter(isUserField);
}

/** Look a field up by id, or throw a message naming what is missing. */
export function fieldById(fields: readonly Field[], id: string, grain?: Grain): Field {
  const f = fields.find((x) => x.id === id);
  if (!f) throw new StrataError(`This dataset has no column ${JSON.stringify(fieldLabel(id))}. Pick another field.`);
  if (grain === 'users' && !isUserField(f)) {
    throw new StrataError(`${JSON.stringify(fieldLabel(id))} is an event column; switch the grain to events to use it.`);
  }
  return f;
}

/** The column as SQL: alias-qualified and quoted through the one quoting function. */
export function fieldSql(f: Field): Sql {
  return raw(`${f.source}.${ident(f.column)}`);
}

/** Words written in capitals in a column's title. */
const ACRONYMS = new Set(['id', 'url', 'utm', 'aov', 'ltv', 'clv', 'rfm', 'sku', 'ip', 'uk', 'us', 'iso', 'sms', 'cpc', 'cpm', 'ua']);

/**
 * A friendlier title for a raw column name, shown beside it (never instead of it: the raw name is what links, SQL
 * and exports use): "acquisition_source" -> "Acquisition source", "InvoiceNo" -> "Invoice no", "user_id" -> "User ID".
 */
export function columnTitle(column: string): string {
  const words = column
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_\-.]+/)
    .filter(Boolean)
    .map((w) => (ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : w.toLowerCase()));
  if (!words.length) return column;
  const t = words.join(' ');
  return t[0].toUpperCase() + t.slice(1);
}

/** A field as pickers list it: its title, and the raw column beside it when they differ by more than case. */
export function fieldTitle(f: Pick<Field, 'column'>): string {
  const t = columnTitle(f.column);
  return t.toLowerCase() === f.column.toLowerCase() ? t : `${t} (${f.column})`;
}

/** A short human label for a field id: "category (event)". */
export function fieldLabel(id: string): string {
  const def = BY_LETTER.get(id.slice(0, 1) as FieldSource);
  return def && id[1] === '.' ? `${id.slice(2)} (${def.label.toLowerCase()})` : id;
}

/** Whether a field id has the "<source letter>.<column>" shape. */
export function isFieldId(x: unknown): x is string {
  return typeof x === 'string' && x.length > 2 && x[1] === '.' && BY_LETTER.has(x[0] as FieldSource);
}

/**
 * FROM clause for a grain, joining each per-user source only when a used field needs it. The events grain reads
 * events as `e`; the users grain reads users as `u`. Table names and aliases come from SOURCES, never from data.
 */
export function fromSql(grain: Grain, used: Iterable<FieldSource>): Sql {
  const need = new Set(used);
  const base = grain === 'users' ? 'u' : 'e';
  let from = grain === 'users' ? 'users u' : 'events e';
  for (const d of SOURCES) {
    if (!d.perUser || d.letter === base || !need.has(d.letter)) continue;
    from += ` LEFT JOIN ${d.table} ${d.letter} ON ${d.letter}.user_id = ${base}.user_id`;
  }
  return raw(from);
}

/** A per-user field's value for the user in column `uid` (a scalar sub-query), for breakdowns of per-unit rows. */
export function userValueSql(f: Field, uid: string): Sql {
  const d = sourceDef(f.source);
  if (!d.perUser) throw new StrataError(`${JSON.stringify(fieldLabel(f.id))} is an event column, not a user column.`);
  return sql`(SELECT ${fieldSql(f)}::VARCHAR FROM ${raw(`${d.table} ${d.letter}`)} WHERE ${raw(d.letter)}.user_id = ${raw(uid)})`;
}

/** The table a source letter reads (for messages). */
export function sourceTable(s: FieldSource): string {
  return sourceDef(s).table;
}

/** "a text column", "an integer column": a field kind with its article, for messages. */
export function kindPhrase(kind: string): string {
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} column`;
}

/** The most frequent values of a field as text (for value suggestions in the filter builder). */
export function fieldValuesSql(f: Field, limit = 200): Sql {
  const x = fieldSql(f);
  return sql`SELECT ${x}::VARCHAR AS v FROM ${raw(`${sourceDef(f.source).table} ${f.source}`)} WHERE ${x} IS NOT NULL
GROUP BY ${x} ORDER BY count(*) DESC, ${x} LIMIT ${limit}`;
}
