// User features for clustering: which user fields to use, how each becomes numbers, and the SQL that hands them to
// the ML workers as one numeric matrix (one row per user, ordered by user_id). Text and dates are turned into
// numbers in SQL, so only doubles leave DuckDB; imputation and scaling happen in `preprocess.ts` on typed arrays.
//
// Per field kind (the transforms, recorded with every run):
//   integer / number   the value (DOUBLE); missing values imputed later with the median.
//   boolean            1 / 0.
//   temporal           three columns: days ago (from the last event in the data), month (1–12) and year.
//   text, ≤ 50 values  one-hot: one 0/1 column per value among the 8 most common, plus "Other" for the rest
//                      (missing is all zeros).
//   text, more values  when at most half the users' values are distinct: an ordinal code (1 = most common value,
//                      ties by value), a category code; otherwise (mostly unique, e.g. names, emails): two columns,
//                      length in characters and word count.
import { StrataError } from '../errors.ts';
import { fieldById, fieldSql, fromSql, isUserField, type Field, type FieldSource } from '../analyses/fields.ts';
import { filterFields, isEmptyFilter, type FilterGroup } from '../analyses/filter/spec.ts';
import { filterSql } from '../analyses/filter/sql.ts';
import { joinSql, raw, sql, type Sql } from '../sql/quote.ts';

/** At most this many distinct values make a text field one-hot. */
export const ONE_HOT_MAX_DISTINCT = 50;
/** One-hot keeps this many most common values (plus "Other"). */
export const ONE_HOT_TOP = 8;

/** What the profile statement learned about a text field. */
export interface TextStats {
  distinct: number;
  nonNull: number;
  /** The most common values, most common first (ties by value), up to ONE_HOT_TOP. */
  top: string[];
}

/** One output column of the matrix and how it was made. */
export interface FeatureColumn {
  /** "orders", "country = Germany", "signup_date (days ago)". */
  name: string;
  /** The field it comes from. */
  field: string;
  /** 'value' | 'flag' | 'one-hot' | 'other' | 'ordinal' | 'days-ago' | 'month' | 'year' | 'length' | 'words'. */
  encoding: Encoding;
  /** True for counts and money (log1p by default): orders, revenue, sessions, events, views… */
  skewed: boolean;
}

export type Encoding = 'value' | 'flag' | 'one-hot' | 'other' | 'ordinal' | 'days-ago' | 'month' | 'year' | 'length' | 'words';

/** The default features: the RFM-like set, where the dataset has them. */
export const DEFAULT_FEATURES = ['m.orders', 'm.revenue', 'm.aov', 'm.days_since_last_purchase', 'm.lifetime_days', 'm.sessions', 'm.events'] as const;

/** Counts and money among user metrics: log1p by default (heavy right tails). Matched by column name. */
const SKEWED = /^(orders|revenue|refunds|aov|sessions|events|views|cart_adds|checkouts|lifetime_days|income|avg_session_minutes|.*_count|.*_revenue|.*_value)$/;

/** Whether a numeric field is a skewed count or amount (log1p on by default). */
export function isSkewed(f: Field): boolean {
  return (f.kind === 'integer' || f.kind === 'number') && SKEWED.test(f.column);
}

/** The fields that can be features: per-user fields of a usable kind (not the user id itself). */
export function featureCandidates(fields: readonly Field[]): Field[] {
  return fields.filter((f) => isUserField(f) && f.kind !== 'other' && !(f.source === 'u' && f.column === 'user_id'));
}

/** Check a feature list: known per-user fields, no repeats, at least one, at most 60. */
export function checkFeatures(ids: readonly string[], fields: readonly Field[]): Field[] {
  if (!ids.length) throw new StrataError('Pick at least one feature.');
  if (ids.length > 60) throw new StrataError('At most 60 features.');
  if (new Set(ids).size !== ids.length) throw new StrataError('Each feature may be picked once.');
  return ids.map((id) => {
    const f = fieldById(fields, id, 'users');
    if (f.kind === 'other') throw new StrataError(`${f.column} is neither a number, a date, a flag nor text: it cannot be a feature.`);
    if (f.source === 'u' && f.column === 'user_id') throw new StrataError('The user id is not a feature.');
    return f;
  });
}

/**
 * For each text feature (numbered f in feature order among the text ones): a row with its distinct and non-null
 * counts (rk = 0), then a row per most common value (rk = 1, 2, …; ties by value). Rows, not lists: a list cell
 * does not survive the Arrow-to-row decoding as values.
 */
export function textStatsSql(feats: readonly Field[]): Sql | null {
  const text = feats.filter((f) => f.kind === 'text');
  if (!text.length) return null;
  const sources = new Set<FieldSource>(text.map((f) => f.source));
  const parts = text.map((f, i) => {
    const x = fieldSql(f);
    const from = fromSql('users', sources);
    return sql`SELECT ${i}::INTEGER AS f, 0 AS rk, count(DISTINCT ${x})::DOUBLE AS d, count(${x})::DOUBLE AS n, NULL::VARCHAR AS v FROM ${from}
UNION ALL
SELECT * FROM (SELECT ${i}::INTEGER AS f, row_number() OVER (ORDER BY count(*) DESC, ${x}::VARCHAR) AS rk, NULL::DOUBLE, NULL::DOUBLE, ${x}::VARCHAR AS v
  FROM ${from} WHERE ${x} IS NOT NULL GROUP BY ${x}::VARCHAR ORDER BY rk LIMIT ${ONE_HOT_TOP})`;
  });
  return sql`SELECT * FROM (${joinSql(parts, '\nUNION ALL\n')}) ORDER BY f, rk`;
}

/** Decode textStatsSql's rows into stats per text feature id. */
export function decodeTextStats(rows: readonly Record<string, unknown>[], feats: readonly Field[]): Map<string, TextStats> {
  const out = new Map<string, TextStats>();
  feats.filter((f) => f.kind === 'text').forEach((f, i) => {
    const mine = rows.filter((r) => Number(r.f) === i);
    const head = mine.find((r) => Number(r.rk) === 0);
    out.set(f.id, { distinct: Number(head?.d ?? 0), nonNull: Number(head?.n ?? 0), top: mine.filter((r) => Number(r.rk) > 0).map((r) => String(r.v)) });
  });
  return out;
}

/** How a text field is encoded, from its stats. */
export function textEncoding(s: TextStats): 'one-hot' | 'ordinal' | 'length' {
  if (s.distinct <= ONE_HOT_MAX_DISTINCT) return 'one-hot';
  return s.distinct <= s.nonNull / 2 ? 'ordinal' : 'length';
}

/**
 * The matrix statement and its columns: `SELECT user_id, c0, c1, … FROM users … ORDER BY user_id`, all DOUBLE,
 * NULL as NaN.
 */
export function featureMatrixSql(
  feats: readonly Field[], stats: ReadonlyMap<string, TextStats>, only?: { users: FilterGroup; fields: readonly Field[] },
): { sql: Sql; columns: FeatureColumn[] } {
  const sources = new Set<FieldSource>(feats.map((f) => f.source));
  const filtered = only && !isEmptyFilter(only.users);
  const where = filtered ? sql`\nWHERE ${filterSql(only.users, only.fields, 'users')}` : raw('');
  if (filtered) for (const id of filterFields(only.users)) sources.add(fieldById(only.fields, id, 'users').source);
  const exprs: Sql[] = [];
  const columns: FeatureColumn[] = [];
  const ctes: Sql[] = [];
  const joins: Sql[] = [];
  const add = (e: Sql, c: FeatureColumn) => {
    // NULL arrives as NaN: preprocess.ts treats NaN (and ±Infinity) as missing.
    exprs.push(sql`coalesce((${e})::DOUBLE, 'NaN'::DOUBLE) AS ${raw(`c${columns.length}`)}`);
    columns.push(c);
  };
  feats.forEach((f, fi) => {
    const x = fieldSql(f);
    switch (f.kind) {
      case 'integer':
      case 'number':
        add(x, { name: f.column, field: f.id, encoding: 'value', skewed: isSkewed(f) });
        break;
      case 'boolean':
        add(sql`CASE WHEN ${x} THEN 1 WHEN NOT ${x} THEN 0 END`, { name: f.column, field: f.id, encoding: 'flag', skewed: false });
        break;
      case 'temporal':
        add(sql`date_diff('day', ${x}::TIMESTAMP, (SELECT max(ts) FROM events))`, { name: `${f.column} (days ago)`, field: f.id, encoding: 'days-ago', skewed: false });
        add(sql`month(${x}::TIMESTAMP)`, { name: `${f.column} (month)`, field: f.id, encoding: 'month', skewed: false });
        add(sql`year(${x}::TIMESTAMP)`, { name: `${f.column} (year)`, field: f.id, encoding: 'year', skewed: false });
        break;
      case 'text': {
        const s = stats.get(f.id);
        if (!s) throw new Error(`No text stats for ${f.id}`);
        const enc = textEncoding(s);
        if (enc === 'one-hot') {
          for (const v of s.top) add(sql`CASE WHEN ${x} IS NULL THEN 0 WHEN ${x}::VARCHAR = ${v} THEN 1 ELSE 0 END`, { name: `${f.column} = ${v}`, field: f.id, encoding: 'one-hot', skewed: false });
          if (s.distinct > s.top.length) {
            const list = joinSql(s.top.map((v) => sql`${v}`), ', ');
            add(sql`CASE WHEN ${x} IS NULL THEN 0 WHEN ${x}::VARCHAR IN (${list}) THEN 0 ELSE 1 END`, { name: `${f.column} = Other`, field: f.id, encoding: 'other', skewed: false });
          }
        } else if (enc === 'ordinal') {
          const cte = raw(`o${fi}`);
          ctes.push(sql`${cte} AS (SELECT v, row_number() OVER (ORDER BY c DESC, v) AS code FROM (SELECT ${x}::VARCHAR AS v, count(*) AS c
  FROM ${fromSql('users', sources)} WHERE ${x} IS NOT NULL GROUP BY 1))`);
          joins.push(sql`LEFT JOIN ${cte} ON ${cte}.v = ${x}::VARCHAR`);
          add(sql`${cte}.code`, { name: `${f.column} (code)`, field: f.id, encoding: 'ordinal', skewed: false });
        } else {
          add(sql`length(${x}::VARCHAR)`, { name: `${f.column} (length)`, field: f.id, encoding: 'length', skewed: false });
          add(sql`CASE WHEN ${x} IS NULL THEN NULL ELSE len(string_split_regex(trim(${x}::VARCHAR), '\\s+')) - CASE WHEN trim(${x}::VARCHAR) = '' THEN 1 ELSE 0 END END`, { name: `${f.column} (words)`, field: f.id, encoding: 'words', skewed: false });
        }
        break;
      }
      default:
        throw new StrataError(`${f.column} cannot be a feature.`);
    }
  });
  const withClause = ctes.length ? sql`WITH ${joinSql(ctes, ',\n')}\n` : raw('');
  const joinClause = joins.length ? sql` ${joinSql(joins, ' ')}` : raw('');
  return {
    sql: sql`${withClause}SELECT u.user_id, ${joinSql(exprs, ',\n  ')}
FROM ${fromSql('users', sources)}${joinClause}${where}
ORDER BY u.user_id`,
    columns,
  };
}

/** The matrix from the statement's Arrow result: user ids in row order and the values row-major. */
export function decodeFeatureMatrix(table: { numRows: number; getChild(name: string): { toArray(): ArrayLike<unknown> } | null }, columns: readonly FeatureColumn[]): { userIds: string[]; data: Float64Array } {
  const n = table.numRows;
  const d = columns.length;
  const data = new Float64Array(n * d);
  for (let j = 0; j < d; j++) {
    const v = table.getChild(`c${j}`)!.toArray() as ArrayLike<number>;
    for (let i = 0; i < n; i++) data[i * d + j] = v[i];
  }
  const ids = table.getChild('user_id')!.toArray();
  const userIds = Array.from({ length: n }, (_, i) => String(ids[i]));
  return { userIds, data };
}
