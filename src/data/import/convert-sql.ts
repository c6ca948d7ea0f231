// SQL that turns a staged source column (text from CSV, or a typed Parquet/JSON column) into a data-model value.
// The rules live in a few temporary macros so a 10,000-column SELECT stays short; every column goes through ident().
import { ident, literal } from '../../sql/quote.ts';
import { isNumericType, kindOf } from './kinds.ts';
import type { DateOrder, Target, ValueKind } from './types.ts';

/** A staged column: its name and DuckDB type. */
export interface StagedColumn {
  name: string;
  type: string;
}

export type { DateOrder } from './types.ts';

const P = 'strata_imp_';

/** Formats tried after DuckDB's own ISO cast, beyond the day/month-first ones. */
const OTHER_FORMATS = [
  '%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y/%m/%d', '%Y.%m.%d %H:%M:%S', '%Y.%m.%d',
  '%Y-%m-%d %I:%M:%S %p', '%Y-%m-%d %I:%M %p',
  '%d %b %Y %H:%M:%S', '%d %b %Y %H:%M', '%d %b %Y', '%d %B %Y %H:%M:%S', '%d %B %Y %H:%M', '%d %B %Y',
  '%d-%b-%Y %H:%M:%S', '%d-%b-%Y %H:%M', '%d-%b-%Y', '%b %d, %Y %H:%M:%S', '%b %d, %Y %I:%M:%S %p', '%b %d, %Y %I:%M %p', '%b %d, %Y',
  '%B %d, %Y %H:%M:%S', '%B %d, %Y', '%b %d %Y', '%a, %d %b %Y %H:%M:%S', '%a %b %d %H:%M:%S %Y',
];

/** Numeric dates with the day first (Europe) or the month first (US); four-digit years. */
export const DMY_FORMATS = ['%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y %I:%M:%S %p', '%d/%m/%Y %I:%M %p',
  '%d/%m/%Y', '%d-%m-%Y %H:%M:%S', '%d-%m-%Y %H:%M', '%d-%m-%Y', '%d.%m.%Y %H:%M:%S', '%d.%m.%Y %H:%M', '%d.%m.%Y'];
const MDY_FORMATS = DMY_FORMATS.map((f) => f.replace('%d', '\u0000').replace('%m', '%d').replace('\u0000', '%m'));

/** Two-digit-year numeric dates of each order, for telling the orders apart (dots are always day first). */
const DMY_SHORT = ['%d/%m/%y %H:%M', '%d/%m/%y'];
const MDY_SHORT = ['%m/%d/%y %H:%M', '%m/%d/%y'];

/** Two-digit years ('01/02/24'), tried only when the four-digit reading fails or gives a year below 1000. */
const SHORT_YEAR = (order: DateOrder) =>
  (order === 'dmy' ? ['%d/%m/%y %H:%M', '%d/%m/%y', '%d.%m.%y'] : ['%m/%d/%y %H:%M', '%m/%d/%y', '%d.%m.%y']).concat(
    ['%d-%b-%y %H:%M', '%d-%b-%y'],
  );

function list(formats: readonly string[]): string {
  return '[' + formats.map((f) => literal(f)).join(', ') + ']';
}

/**
 * The macros every conversion uses (temporary: they vanish with the connection and are dropped after import).
 * A time with an explicit UTC offset (10:00+02:00) goes through TIMESTAMPTZ so the offset is applied (a TIMESTAMP
 * cast would drop it); text without one is taken as UTC, whatever the session's time zone.
 */
export function macrosSql(): string {
  return `
CREATE OR REPLACE TEMP MACRO ${P}blank(s) AS (s IS NULL OR regexp_full_match(s, '\\s*(null|none|nan|n/a|na|undefined|-)?\\s*', 'i'));
CREATE OR REPLACE TEMP MACRO ${P}id(s) AS CASE WHEN ${P}blank(s) THEN NULL
  WHEN contains(s, '.0') THEN regexp_replace(trim(s), '^(-?[0-9]+)\\.0+$', '\\1') ELSE trim(s) END;
CREATE OR REPLACE TEMP MACRO ${P}text(s) AS nullif(trim(s), '');
CREATE OR REPLACE TEMP MACRO ${P}num0(c) AS try_cast(CASE
  WHEN regexp_full_match(c, '[-+]?[0-9]{1,3}(\\.[0-9]{3})+,[0-9]+') THEN replace(replace(c, '.', ''), ',', '.')
  WHEN regexp_full_match(c, '[-+]?[0-9]+,[0-9]{1,2}') THEN replace(c, ',', '.')
  ELSE replace(c, ',', '') END AS DOUBLE);
CREATE OR REPLACE TEMP MACRO ${P}numraw(s) AS coalesce(
  CASE WHEN isfinite(try_cast(s AS DOUBLE)) THEN try_cast(s AS DOUBLE) END,
  CASE WHEN NOT ${P}blank(s) THEN ${P}num0(regexp_replace(trim(s), '(R|A|C|HK|NZ)?\\$|[\\s€£¥₹₩₽₺'']', '', 'g')) END);
CREATE OR REPLACE TEMP MACRO ${P}fin(x, lim) AS CASE WHEN abs(x) <= lim THEN x END;
CREATE OR REPLACE TEMP MACRO ${P}epoch(x) AS try(make_timestamp(CAST(round(CASE
  WHEN abs(x) < 1e11 THEN x * 1e6 WHEN abs(x) < 1e14 THEN x * 1e3 WHEN abs(x) < 1e17 THEN x ELSE x / 1e3 END) AS BIGINT)));
CREATE OR REPLACE TEMP MACRO ${P}y4(t) AS CASE WHEN year(t) >= 1000 THEN t END;
CREATE OR REPLACE TEMP MACRO ${P}dm(s, long_fmts, short_fmts) AS coalesce(${P}y4(try_strptime(s, long_fmts)), try_strptime(s, short_fmts));
CREATE OR REPLACE TEMP MACRO ${P}sane(t) AS CASE WHEN t >= TIMESTAMP '1900-01-01' AND t < TIMESTAMP '2200-01-01' THEN t END;
CREATE OR REPLACE TEMP MACRO ${P}tsv(s, long_fmts, short_fmts) AS coalesce(
  CASE WHEN regexp_matches(s, ':[0-9]{2}(\\.[0-9]+)?\\s*[+-][0-9]{2}(:?[0-9]{2})?\\s*$')
    THEN make_timestamp(epoch_us(try_cast(regexp_replace(trim(s), '\\s+([+-][0-9]{2}(:?[0-9]{2})?)$', '\\1') AS TIMESTAMPTZ))) END,
  ${P}y4(try_cast(s AS TIMESTAMP)),
  CASE
    WHEN ${P}blank(s) THEN NULL
    WHEN regexp_full_match(trim(s), '(19|20|21)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])') THEN try_strptime(trim(s), '%Y%m%d')
    WHEN regexp_full_match(trim(s), '-?[0-9]+(\\.[0-9]+)?') THEN ${P}epoch(CAST(trim(s) AS DOUBLE))
    ELSE coalesce(
      ${P}y4(try_strptime(regexp_replace(trim(s), '\\s*(UTC|GMT|Z)$', ''), long_fmts)),
      try_strptime(regexp_replace(trim(s), '\\s*(UTC|GMT|Z)$', ''), short_fmts))
  END);
`;
}

/** Drop the macros (the import leaves nothing behind). */
export function dropMacrosSql(): string {
  return ['blank', 'id', 'text', 'num0', 'numraw', 'fin', 'epoch', 'y4', 'sane', 'tsv', 'dm']
    .map((m) => `DROP MACRO IF EXISTS ${P}${m};`)
    .join('\n');
}

const IDS = new Set<Target>(['user_id', 'session_id', 'order_id', 'product_id', 'person_id']);
const TEXTS = new Set<Target>(['event_type', 'product_name', 'category', 'brand', 'country', 'region', 'city', 'source',
  'medium', 'campaign', 'device', 'email', 'name', 'gender', 'status', 'payment_method']);

/** The expression for a field; ids are text ('17850.0' -> '17850'), times are UTC TIMESTAMPs, money DOUBLE. */
export function targetExpr(target: Target, col: StagedColumn, order: DateOrder): string {
  const ref = ident(col.name);
  const asText = isText(col) ? ref : `CAST(${ref} AS VARCHAR)`;
  if (IDS.has(target)) return `${P}id(${asText})`;
  if (TEXTS.has(target)) return `${P}text(${asText})`;
  if (target === 'ts' || target === 'signup_ts') return timestampExpr(col, order);
  if (target === 'quantity' || target === 'age') return `try_cast(round(${numberExpr(col, QUANTITY_LIMIT)}) AS INTEGER)`;
  return numberExpr(col); // price, revenue, shipping
}

/**
 * Money beyond ±10^15 is not real (a double no longer holds its cents), and 1e308 × 2 is Infinity: such a value,
 * like Infinity or NaN itself, would make revenue and AOV Infinity or NaN. Those values read as NULL, and
 * badNumberExpr flags them so the row is set aside under a reason of its own instead of silently. Quantities
 * beyond ±10^9 are as unreal (and would not fit the INTEGER column).
 */
export const MONEY_LIMIT = 1e15;
export const QUANTITY_LIMIT = 1e9;

/** True when the column holds a number (or number-like text) that is not finite or beyond the limit for `target`. */
export function badNumberExpr(target: 'price' | 'revenue' | 'quantity', col: StagedColumn): string {
  const limit = target === 'quantity' ? QUANTITY_LIMIT : MONEY_LIMIT;
  const ref = ident(col.name);
  const x = isNumericType(col.type) ? `CAST(${ref} AS DOUBLE)` : `${P}numraw(${isText(col) ? ref : `CAST(${ref} AS VARCHAR)`})`;
  return `coalesce(NOT (abs(${x}) <= ${limit}), FALSE)`;
}

/** The expression for a kept column of the chosen kind. */
export function keptExpr(kind: ValueKind, col: StagedColumn, order: DateOrder): string {
  const ref = ident(col.name);
  const own = kindOf(col.type);
  if (!isText(col) && own === kind) return ref;
  switch (kind) {
    case 'text':
      return isText(col) ? ref : `CAST(${ref} AS VARCHAR)`;
    case 'integer':
      return isNumericType(col.type)
        ? `try_cast(${ref} AS BIGINT)`
        : `coalesce(try_cast(trim(${ref}) AS BIGINT), try_cast(round(${numberExpr(col)}) AS BIGINT))`;
    case 'number':
      return numberExpr(col);
    case 'timestamp':
      return timestampExpr(col, order);
    case 'date':
      return `CAST(${timestampExpr(col, order)} AS DATE)`;
    case 'boolean': {
      const s = `lower(trim(CAST(${ref} AS VARCHAR)))`;
      return `CASE WHEN ${s} IN ('true', 't', 'yes', 'y', '1') THEN TRUE WHEN ${s} IN ('false', 'f', 'no', 'n', '0') THEN FALSE END`;
    }
  }
}

function numberExpr(col: StagedColumn, limit = MONEY_LIMIT): string {
  const ref = ident(col.name);
  if (isNumericType(col.type)) return `${P}fin(CAST(${ref} AS DOUBLE), ${limit})`;
  return `${P}fin(${P}numraw(${isText(col) ? ref : `CAST(${ref} AS VARCHAR)`}), ${limit})`;
}

/** A UTC TIMESTAMP from text (many formats, epoch s/ms/us/ns by magnitude) or from a typed column; else NULL. */
export function timestampExpr(col: StagedColumn, order: DateOrder): string {
  const ref = ident(col.name);
  const t = col.type.toUpperCase();
  if (t === 'TIMESTAMP WITH TIME ZONE' || t === 'TIMESTAMPTZ') return `${P}sane(make_timestamp(epoch_us(${ref})))`;
  if (t.startsWith('TIMESTAMP') || t === 'DATE') return `${P}sane(CAST(${ref} AS TIMESTAMP))`;
  if (isNumericType(col.type)) return `${P}sane(${P}epoch(CAST(${ref} AS DOUBLE)))`;
  const first = order === 'dmy' ? DMY_FORMATS : MDY_FORMATS;
  const long = [...first, ...OTHER_FORMATS];
  const asText = isText(col) ? ref : `CAST(${ref} AS VARCHAR)`;
  return `${P}sane(${P}tsv(${asText}, ${list(long)}, ${list(SHORT_YEAR(order))}))`;
}

function orderReading(s: string, order: DateOrder): string {
  return order === 'dmy'
    ? `${P}dm(${s}, ${list(DMY_FORMATS)}, ${list(DMY_SHORT)})`
    : `${P}dm(${s}, ${list(MDY_FORMATS)}, ${list(MDY_SHORT)})`;
}

/**
 * SQL sizing up one text column's numeric dates over the whole file: how many read only day-first (13/2/2025), only
 * month-first (2/13/2025), or both ways differently (1/2/2025), with the first example of each and its two readings.
 */
export function dateOrderSql(table: string, column: string): string {
  const both = 'd IS NOT NULL AND m IS NOT NULL AND d <> m';
  return `WITH v AS (
  SELECT rowid AS r, trim(${ident(column)}) AS s FROM ${ident(table)} WHERE try_cast(trim(${ident(column)}) AS TIMESTAMP) IS NULL
), x AS (SELECT r, s, ${orderReading('s', 'dmy')} AS d, ${orderReading('s', 'mdy')} AS m FROM v)
SELECT count(*) FILTER (WHERE d IS NOT NULL AND m IS NULL)::DOUBLE AS only_d,
  count(*) FILTER (WHERE m IS NOT NULL AND d IS NULL)::DOUBLE AS only_m,
  count(*) FILTER (WHERE ${both})::DOUBLE AS differ,
  arg_min(s, r) FILTER (WHERE d IS NOT NULL AND m IS NULL) AS ex_d,
  arg_min(s, r) FILTER (WHERE m IS NOT NULL AND d IS NULL) AS ex_m,
  arg_min(s, r) FILTER (WHERE ${both}) AS ex_both,
  strftime(arg_min(d, r) FILTER (WHERE ${both}), '%Y-%m-%d') AS ex_both_d,
  strftime(arg_min(m, r) FILTER (WHERE ${both}), '%Y-%m-%d') AS ex_both_m
FROM x`;
}

/**
 * For a text column of times read in `order`: true where the value reads as a numeric date the other way round
 * (`text` is the SQL of the cell's text; null for a column that is not text, which has no other order). A row whose
 * time did not read but is true here is set aside as "date_order" (named), never read the other way.
 */
export function otherOrderExpr(col: StagedColumn, order: DateOrder, text = ident(col.name)): string | null {
  if (!isText(col)) return null;
  return `(${orderReading(`trim(${text})`, order === 'dmy' ? 'mdy' : 'dmy')} IS NOT NULL)`;
}

function isText(col: StagedColumn): boolean {
  return col.type.toUpperCase() === 'VARCHAR';
}
