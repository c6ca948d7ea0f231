// What every built-in segmentation shares: its shape, the "needs" sentence, option validation and text cleaning SQL.
import { StrataError } from '../../../errors.ts';
import { has, obj, only } from '../../validate.ts';
import { joinSql, raw, sql, type Sql } from '../../../sql/quote.ts';

/** The column names of the current dataset's three tables (what `needs` and column-choosing `sql` look at). */
export interface Columns {
  events: readonly string[];
  users: readonly string[];
  user_metrics: readonly string[];
}

/** Numeric options of a segmentation (thresholds), already validated. */
export type Options = Readonly<Record<string, number>>;

/**
 * A rule-based segmentation: one label per user of `users` (and, when `scored`, a numeric `score`).
 * `sql` reads the current schema's users / user_metrics / events and returns `user_id, label[, score]`.
 */
export interface BuiltinSegmentation {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Every label the rules can produce, in display order; `openLabels` adds values kept from the data. */
  readonly labels: readonly string[];
  /** True when labels also come from the data itself (other genders, country and city names). */
  readonly openLabels: boolean;
  /** True when the result has a `score DOUBLE` column besides the label. */
  readonly scored: boolean;
  /** The columns the rules read: `needs` checks they exist, `dataNeedsSql` that they hold values. */
  readonly requires: readonly Need[];
  /** The options and their defaults (empty when nothing is editable). */
  readonly defaults: Options;
  /** Check untrusted options (URL, storage, UI): missing keys take the defaults, unknown keys throw. */
  validate(x: unknown): Options;
  /** null when the dataset has what the rules need, else a sentence naming the missing columns. */
  needs(columns: Columns): string | null;
  /** The SELECT (options validated inside); `columns` lets a module pick between alternative columns. */
  sql(opts?: unknown, columns?: Columns): Sql;
  /**
   * For rules that look at one user at a time: the label as one expression over that user's row, `u` (users) and,
   * when `row.metrics`, `m` (user_metrics, LEFT JOINed). `sql` is then exactly `rowSelect` of it; the compute step
   * evaluates the expression inside its table rebuild instead (no body, no temporary table, no join of its own).
   */
  readonly row?: (opts?: unknown, columns?: Columns) => RowRule;
  /**
   * For rules over another built-in's result (the customer segment reads the engagement score): when built-in `id`
   * is computed in the same run, the label as one expression over that one's body columns (`of('score')`), `u` and
   * `m` — evaluated inside the rebuild, so the other's work is not done twice. Otherwise `sql` runs as a body.
   */
  readonly over?: { id: string; row: (opts: unknown, of: (column: string) => Sql) => RowRule };
}

/** A rule over one user's row: the label expression and whether it reads `m` (user_metrics). */
export interface RowRule {
  label: Sql;
  metrics: boolean;
}

/** `user_id, label` for every user from a row rule (what such a segmentation's `sql` returns). */
export function rowSelect(rule: RowRule): Sql {
  const join = rule.metrics ? raw(' LEFT JOIN user_metrics m ON m.user_id = u.user_id') : raw('');
  return sql`SELECT u.user_id, (${rule.label})::VARCHAR AS label FROM users u${join}`;
}

/** A required column: one of `anyOf` in `table` (the first present is used). */
export interface Need {
  table: keyof Columns;
  anyOf: readonly string[];
}

/** The sentence listing what is missing, or null when every need is met. */
export function missing(columns: Columns, needs: readonly Need[]): string | null {
  const lacking = needs.filter((n) => !n.anyOf.some((c) => columns[n.table].includes(c)));
  if (!lacking.length) return null;
  const names = lacking.map((n) => n.anyOf.map((c) => `${n.table}.${c}`).join(' or '));
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `Unavailable: this dataset has no ${list} column${names.length > 1 ? 's' : ''}, which this segmentation needs.`;
}

/** The first of `anyOf` present in `table`, or the first of `anyOf` when columns are not given. */
export function pick(columns: Columns | undefined, table: keyof Columns, anyOf: readonly string[]): string | null {
  if (!columns) return anyOf[0];
  return anyOf.find((c) => columns[table].includes(c)) ?? null;
}

/** One numeric option: its range and whether it must be whole. */
export interface NumberOption {
  lo: number;
  hi: number;
  integer: boolean;
  what: string;
}

/** Validate numeric options against their specs; unknown keys and out-of-range values throw a StrataError. */
export function validateNumbers(
  x: unknown,
  specs: Readonly<Record<string, NumberOption>>,
  defaults: Options,
  what: string,
): Options {
  if (x === undefined) return { ...defaults };
  const o = obj(x, `The ${what} options`);
  only(o, Object.keys(specs), `${what} option`);
  const out: Record<string, number> = {};
  for (const [k, s] of Object.entries(specs)) {
    const v = has(o, k) ? o[k] : defaults[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < s.lo || v > s.hi || (s.integer && !Number.isInteger(v))) {
      const kind = s.integer ? 'a whole number' : 'a number';
      throw new StrataError(`The ${s.what} ("${k}") must be ${kind} from ${s.lo} to ${s.hi}; got ${JSON.stringify(v) ?? 'nothing'}.`);
    }
    out[k] = v;
  }
  return out;
}

/** Validator for a segmentation with nothing to edit: only undefined or {} pass. */
export function validateNone(what: string): (x: unknown) => Options {
  return (x) => validateNumbers(x, {}, {}, what);
}

/** `expr` as text, every whitespace run made one space, trimmed; blank becomes NULL. `expr` is trusted SQL. */
export function cleanSql(expr: string): Sql {
  return sql`nullif(trim(regexp_replace(CAST(${raw(expr)} AS VARCHAR), '\\s+', ' ', 'g')), '')`;
}

/** `x IN (?, ?, ...)` with every value bound. */
export function inList(x: Sql, values: readonly string[]): Sql {
  return sql`${x} IN (${joinSql(values.map((v) => sql`${v}`), ', ')})`;
}
