// A checked filter as a SQL predicate: fields through the quoting function, every value a bound parameter.
import { joinSql, raw, sql, type Sql } from '../../sql/quote.ts';
import { fieldById, fieldSql, type Field, type Grain } from '../fields.ts';
import { checkFilter, isGroup, type CondValue, type FilterCond, type FilterGroup, type FilterNode } from './spec.ts';

/**
 * The WHERE predicate for `g` at `grain` (TRUE for an empty filter). Semantics a user expects rather than SQL's:
 * "is not" and "is none of" keep rows where the field is missing; text "contains" / "starts with" ignore case;
 * dates are whole UTC days ("before D" = before D 00:00, "after D" = from D+1 00:00, "between" includes both
 * days); "in the last N days" counts back from the last event in the data, not from today.
 */
export function filterSql(g: FilterGroup, fields: readonly Field[], grain: Grain): Sql {
  checkFilter(g, fields, grain);
  return groupSql(g, fields);
}

function groupSql(g: FilterGroup, fields: readonly Field[]): Sql {
  const parts = g.items.map((n: FilterNode) => (isGroup(n) ? groupSql(n, fields) : condSql(n, fields)));
  if (parts.length === 0) return raw('TRUE');
  return sql`(${joinSql(parts, g.op === 'and' ? ' AND ' : ' OR ')})`;
}

const day = (v: CondValue) => sql`CAST(${v}::DATE AS TIMESTAMP)`;
const nextDay = (v: CondValue) => sql`CAST(${v}::DATE + 1 AS TIMESTAMP)`;
const list = (vs: CondValue[]) => joinSql(vs.map((v) => sql`${v}`), ', ');

function condSql(c: FilterCond, fields: readonly Field[]): Sql {
  const f = fieldById(fields, c.field);
  const col = fieldSql(f);
  const v = c.value as CondValue;
  const vs = c.value as CondValue[];
  switch (c.op) {
    case 'is_null': return sql`(${col} IS NULL)`;
    case 'not_null': return sql`(${col} IS NOT NULL)`;
    case '=': return sql`(${col} = ${v})`;
    case '!=': return sql`(${col} IS DISTINCT FROM ${v})`;
    case '<': return sql`(${col} < ${v})`;
    case '<=': return sql`(${col} <= ${v})`;
    case '>': return sql`(${col} > ${v})`;
    case '>=': return sql`(${col} >= ${v})`;
    case 'between':
      return f.kind === 'temporal'
        ? sql`(${col} >= ${day(vs[0])} AND ${col} < ${nextDay(vs[1])})`
        : sql`(${col} BETWEEN ${vs[0]} AND ${vs[1]})`;
    case 'before': return sql`(${col} < ${day(v)})`;
    case 'after': return sql`(${col} >= ${nextDay(v)})`;
    case 'last_days':
      return sql`(${col} > (SELECT max(ts) FROM events) - to_days(CAST(${v} AS INTEGER)))`;
    case 'contains': return sql`contains(lower(${col}), lower(${v}))`;
    case 'starts_with': return sql`starts_with(lower(${col}), lower(${v}))`;
    case 'in': return sql`(${col} IN (${list(vs)}))`;
    case 'not_in': return sql`(${col} IS NULL OR ${col} NOT IN (${list(vs)}))`;
  }
}
