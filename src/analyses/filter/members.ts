// The users filter every analysis shares: "this user is one of the users matching a filter on per-user fields".
import { raw, sql, type Sql } from '../../sql/quote.ts';
import { fieldById, fromSql, type Field, type FieldSource } from '../fields.ts';
import { filterSql } from './sql.ts';
import { filterFields, isEmptyFilter, type FilterGroup } from './spec.ts';

/**
 * `<col> IN (users matching spec.users)`, or TRUE when the filter is empty; joins only the sources it uses (a
 * behaviour condition reads events in its own sub-query, so it joins nothing here).
 */
export function membersSql(spec: { users: FilterGroup }, fields: readonly Field[], col: string): Sql {
  if (isEmptyFilter(spec.users)) return raw('TRUE');
  const sources = new Set<FieldSource>(filterFields(spec.users).map((id) => fieldById(fields, id, 'users').source));
  return sql`${raw(col)} IN (SELECT u.user_id FROM ${fromSql('users', sources)} WHERE ${filterSql(spec.users, fields, 'users')})`;
}
