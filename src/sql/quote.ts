// The one quoting choke point: every data-derived identifier and value reaches SQL through here.

/** A value that may be bound as a parameter or written as a literal. */
export type SqlValue = string | number | boolean | null;

/** Quote an identifier (column or table name) for DuckDB; safe for any text, including quotes and keywords. */
export function ident(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('An identifier must be a non-empty string');
  if (name.includes('\0')) throw new TypeError('An identifier cannot contain a NUL character');
  return '"' + name.replaceAll('"', '""') + '"';
}

/** Write a value as a SQL literal; prefer bound parameters, use this where DuckDB cannot bind (e.g. DDL). */
export function literal(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`Cannot write ${value} as a SQL number`);
    return String(value); // shortest round-trip form; DuckDB reads 1e-7 as a DOUBLE
  }
  if (value.includes('\0')) throw new TypeError('A SQL string cannot contain a NUL character');
  return "'" + value.replaceAll("'", "''") + "'";
}

/** A piece of SQL text with its bound parameters, in `?` order. */
export interface Sql {
  readonly text: string;
  readonly params: readonly SqlValue[];
}

/** Build a statement whose interpolated values become `?` parameters (never spliced text). */
export function sql(strings: TemplateStringsArray, ...values: (SqlValue | Sql)[]): Sql {
  let text = strings[0];
  const params: SqlValue[] = [];
  values.forEach((v, i) => {
    if (v !== null && typeof v === 'object') {
      text += v.text;
      params.push(...v.params);
    } else {
      text += '?';
      params.push(v);
    }
    text += strings[i + 1];
  });
  return { text, params };
}

/** Splice trusted SQL text (written in this code base, never from data) into an `sql` template. */
export function raw(text: string): Sql {
  return { text, params: [] };
}

/** Join SQL fragments with trusted separator text, keeping their parameters in order. */
export function joinSql(parts: readonly Sql[], sep: string): Sql {
  return { text: parts.map((p) => p.text).join(sep), params: parts.flatMap((p) => p.params) };
}

/**
 * The statement with its parameters written in as literals, for people to read and copy ("Show SQL").
 * Safe because `?` only ever appears in this code base's SQL text as a placeholder; never run the result.
 */
export function inlineSql(q: Sql): string {
  const parts = q.text.split('?');
  if (parts.length - 1 !== q.params.length) throw new TypeError('Placeholder count does not match parameters');
  return parts.reduce((acc, part, i) => acc + literal(q.params[i - 1]) + part);
}
