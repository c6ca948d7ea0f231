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

/**
 * Text from data shown inside a `--` comment (Show SQL's notes): a line break would end the comment and turn the
 * rest into statement text, so every one becomes a space.
 */
export function commentText(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]/g, ' ');
}

/** A piece of SQL text with its bound parameters, in `?` order. */
export interface Sql {
  readonly text: string;
  readonly params: readonly SqlValue[];
  /**
   * Where a read runs when the page has the threaded reader (src/db/reader.ts): 'main', on the single-threaded main
   * engine even while the reader's snapshot is current — for statements measured slower on the reader's threads
   * (`onMainEngine`). Unset: wherever the Db sends reads. The answer is the same either way.
   */
  readonly engine?: 'main';
}

/** `q`, run on the main engine even when the threaded reader could answer it (see Sql.engine). */
export function onMainEngine(q: Sql): Sql {
  return { ...q, engine: 'main' };
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
 * The statement with its parameters written in as literals, for people to read and copy ("Show SQL"; to run
 * text with its values written in, use scriptSql). Only a `?` that DuckDB would read as a placeholder is replaced: one inside a quoted identifier
 * ("what?" — a column name from the data), a string literal ('(\.com)?' — a regular expression) or a comment stays
 * as written. (Splitting the text on every `?` threw "Placeholder count does not match parameters" for any column
 * name holding one.)
 */
export function inlineSql(q: Sql): string {
  return spliceParams(q, literal);
}

/**
 * The statement as text to RUN, its parameters written in through `literal` (the one escaping function): for
 * scripts of several statements sent in one call (in the page each call costs milliseconds, however small the
 * statement). Numbers are written as DOUBLE, which is how both engines bind a number parameter, so the script means
 * exactly what the bound statement means; text is a plain string literal (typed from its context, like a bound
 * parameter).
 */
export function scriptSql(q: Sql): string {
  return spliceParams(q, (v) => (typeof v === 'number' ? `CAST(${literal(v)} AS DOUBLE)` : literal(v)));
}

/** `q`'s text with each placeholder `?` (not one inside quotes or a comment) replaced by `write(its value)`. */
function spliceParams(q: Sql, write: (v: SqlValue) => string): string {
  const t = q.text;
  let out = '';
  let n = 0;
  let i = 0;
  while (i < t.length) {
    const c = t[i];
    if (c === '"' || c === "'") {
      // A quoted identifier or string: up to the closing quote (a doubled quote is an escaped one).
      let j = i + 1;
      while (j < t.length) {
        if (t[j] === c) {
          if (t[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      out += t.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' && t[i + 1] === '-') {
      const j = t.indexOf('\n', i);
      const end = j < 0 ? t.length : j;
      out += t.slice(i, end);
      i = end;
    } else if (c === '/' && t[i + 1] === '*') {
      const j = t.indexOf('*/', i + 2);
      const end = j < 0 ? t.length : j + 2;
      out += t.slice(i, end);
      i = end;
    } else if (c === '?') {
      if (n >= q.params.length) throw new TypeError('Placeholder count does not match parameters');
      out += write(q.params[n++]);
      i++;
    } else {
      out += c;
      i++;
    }
  }
  if (n !== q.params.length) throw new TypeError('Placeholder count does not match parameters');
  return out;
}
