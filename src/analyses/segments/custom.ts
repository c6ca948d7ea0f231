// Custom segments from the segment builder: a users filter (user properties, user metrics, other segments and,
// through the filter's behaviour conditions, what users did) whose matching users form the segment.
import { sql, type Sql } from '../../sql/quote.ts';
import { fromSql, isFieldId, isUserField, type Field, type FieldSource } from '../fields.ts';
import { filterSql } from '../filter/sql.ts';
import { filterFields, validateFilter, type FilterGroup } from '../filter/spec.ts';

/** A builder segment's stored definition: the filter (recomputed over the data whenever the data changes). */
export interface CustomDefinition {
  filter: FilterGroup;
}

/** The per-user sources a filter reads (its event-field ids belong to behaviour conditions and join nothing). */
function userSources(g: FilterGroup, fields: readonly Field[]): Set<FieldSource> {
  const out = new Set<FieldSource>();
  for (const id of filterFields(g)) {
    const f = isFieldId(id) ? fields.find((x) => x.id === id) : undefined;
    if (f && isUserField(f)) out.add(f.source);
  }
  return out;
}

/**
 * `SELECT u.user_id FROM users u … WHERE <filter>`: the members of a builder segment. The filter is untrusted
 * (URL, stored definition): it is validated, then checked against this dataset's fields at the users grain.
 */
export function segmentMembersSql(filter: unknown, fields: readonly Field[]): Sql {
  const g = validateFilter(filter);
  return sql`SELECT u.user_id FROM ${fromSql('users', userSources(g, fields))} WHERE ${filterSql(g, fields, 'users')}`;
}

/** One row: `n` users match, of `total`. The builder's live count. */
export function segmentCountSql(filter: unknown, fields: readonly Field[]): Sql {
  return sql`SELECT (SELECT count(*) FROM (${segmentMembersSql(filter, fields)}))::DOUBLE AS n, (SELECT count(*) FROM users)::DOUBLE AS total`;
}

/** The definition JSON stored with a builder segment. */
export function customDefinition(filter: FilterGroup): string {
  return JSON.stringify({ filter } satisfies CustomDefinition);
}

/** A snapshot's definition: where its users were listed (a funnel step, a retention cell, a pivot cell). */
export function snapshotDefinition(from: string, detail: unknown): string {
  return JSON.stringify({ from, detail });
}

