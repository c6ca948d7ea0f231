// Cleaning of place names shared by the country and city segmentations.
// A value is cleaned: whitespace runs become one space, trimmed; blank or NULL is Unknown. Known aliases (countries
// only) are replaced by their canonical name, matched case-insensitively with dots removed ("U.S.A." = "usa").
// Consistent case: values that differ only in case are one place, shown in its most common spelling among the
// users (ties: a mixed-case spelling before an all-lower or all-upper one, then the alphabetically first, by
// code point), so "new york", "NEW YORK" and "New York" become one label.
import { joinSql, raw, sql, type Sql } from '../../../sql/quote.ts';
import { cleanSql } from './common.ts';

/** SELECT user_id, label over users, the label being the cleaned `column` (trusted: a column name). */
export function placeSql(column: string, aliases: Readonly<Record<string, string>>): Sql {
  const pairs = Object.entries(aliases);
  const alias = pairs.length
    ? sql`, alias(k, v) AS (VALUES ${joinSql(pairs.map(([k, v]) => sql`(${k}, ${v})`), ', ')})`
    : raw('');
  const aliased = pairs.length
    ? raw(`(SELECT c.user_id, coalesce(alias.v, c.v) AS v FROM c LEFT JOIN alias ON alias.k = replace(lower(c.v), '.', ''))`)
    : raw('c');
  return sql`WITH c AS (SELECT user_id, ${cleanSql(column)} AS v FROM users)${alias},
a AS (SELECT * FROM ${aliased}),
spell AS (SELECT lower(v) AS k, v, count(*) AS n FROM a WHERE v IS NOT NULL GROUP BY ALL),
best AS (SELECT k, first(v ORDER BY n DESC, (v = lower(v) OR v = upper(v)), v) AS v FROM spell GROUP BY k)
SELECT a.user_id, coalesce(best.v, 'Unknown')::VARCHAR AS label FROM a LEFT JOIN best ON best.k = lower(a.v)`;
}
