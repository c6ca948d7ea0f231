// Measures as SQL aggregates. Built-in measures mean the same thing at both grains (users: from user_metrics;
// events: counted from the events themselves), so a pivot reads alike whichever grain it uses.
import { StrataError } from '../../errors.ts';
import { raw, sql, type Sql } from '../../sql/quote.ts';
import { fieldById, fieldLabel, fieldSql, kindPhrase, type Field, type FieldSource, type Grain } from '../fields.ts';
import { FIELD_AGGS, type Agg, type Measure } from './spec.ts';

/** How a measure's values should be formatted. */
export type ValueKind = 'count' | 'money' | 'number' | 'ratio' | 'date';

/** A measure compiled: aggregate SQL, the tables it reads, and how it reads. */
export interface CompiledMeasure {
  expr: Sql;
  sources: FieldSource[];
  kind: ValueKind;
  label: string;
  /** How the measure is rebuilt from per-(cell, user) partials (events grain), or undefined if it cannot be. */
  rollup?: Rollup;
}

/**
 * An events-grain measure rebuilt from partials (see pivotRollupSql): `part` aggregates a group's events into one
 * value and `merge` names the aggregate that combines such values (so merged partials merge again). `final` reads
 * one output group's columns: `p` the merged partial, `n` the group's distinct users, `b` its users whose partial
 * is true (for `users` measures, which are counted per (group, user)). `part` null: the measure needs only `n`.
 */
export interface Rollup {
  part: Sql | null;
  merge: 'sum' | 'min' | 'max' | 'bool_or';
  final: (c: { p: string; n: string; b: string }) => Sql;
  users: boolean;
}

/** Display names of the aggregations. */
export const AGG_LABEL: Record<Agg, string> = {
  users: 'Users', events: 'Events', sessions: 'Sessions', orders: 'Orders', revenue: 'Revenue', aov: 'AOV',
  conversion: 'Conversion', count_distinct: 'Distinct', sum: 'Sum', avg: 'Average', median: 'Median',
  min: 'Min', max: 'Max', stddev: 'Std dev',
};

/** What each built-in measure means, for tooltips and the README. */
export const AGG_HELP: Partial<Record<Agg, string>> = {
  users: 'Distinct users',
  events: 'Number of events',
  sessions: 'Distinct sessions',
  orders: 'Distinct orders (purchase events)',
  revenue: 'Gross purchase revenue (refunds not deducted)',
  aov: 'Revenue ÷ orders',
  conversion: 'Share of users with at least one purchase',
};

const NUMERIC = new Set(['integer', 'number']);

/** Aggregations a field of this kind supports. */
export function aggsForKind(kind: Field['kind']): Agg[] {
  if (NUMERIC.has(kind)) return ['sum', 'avg', 'median', 'min', 'max', 'stddev', 'count_distinct'];
  if (kind === 'temporal') return ['min', 'max', 'count_distinct'];
  return ['count_distinct'];
}

/** Compile one measure at a grain. */
export function compileMeasure(m: Measure, grain: Grain, fields: readonly Field[]): CompiledMeasure {
  if (FIELD_AGGS.includes(m.agg)) return fieldMeasure(m, grain, fields);
  const b = grain === 'users' ? USERS[m.agg as Builtin] : EVENTS[m.agg as Builtin];
  return { expr: b.expr, sources: grain === 'users' ? ['u', 'm'] : ['e'], kind: b.kind, label: AGG_LABEL[m.agg], ...(b.rollup ? { rollup: b.rollup } : {}) };
}

type Builtin = 'users' | 'events' | 'sessions' | 'orders' | 'revenue' | 'aov' | 'conversion';
type Def = { expr: Sql; kind: ValueKind; rollup?: Rollup };

// Rollups of the events-grain built-ins, each giving what `expr` gives over the same events: a distinct count of
// users is the number of (group, user) pairs with a user; the sessions and orders counts (and AOV) have no rollup,
// being distinct over other ids.
const PURCHASE = "e.event_type = 'purchase'";
const USERS_ROLLUP: Rollup = { part: null, merge: 'sum', final: (c) => sql`coalesce(${raw(c.n)}, 0)::DOUBLE`, users: true };
const SUM0 = (c: { p: string }) => sql`coalesce(${raw(c.p)}, 0)::DOUBLE`;

// Fixed SQL over the standard columns (never data text).
const USERS: Record<Builtin, Def> = {
  users: { expr: sql`count(*)::DOUBLE`, kind: 'count' },
  events: { expr: sql`coalesce(sum(m.events), 0)::DOUBLE`, kind: 'count' },
  sessions: { expr: sql`coalesce(sum(m.sessions), 0)::DOUBLE`, kind: 'count' },
  orders: { expr: sql`coalesce(sum(m.orders), 0)::DOUBLE`, kind: 'count' },
  revenue: { expr: sql`coalesce(sum(m.revenue), 0)::DOUBLE`, kind: 'money' },
  aov: { expr: sql`(sum(m.revenue) / nullif(sum(m.orders), 0))::DOUBLE`, kind: 'money' },
  conversion: { expr: sql`(count(*) FILTER (WHERE m.orders > 0) / nullif(count(*), 0))::DOUBLE`, kind: 'ratio' },
};

const EVENTS: Record<Builtin, Def> = {
  users: { expr: sql`count(DISTINCT e.user_id)::DOUBLE`, kind: 'count', rollup: USERS_ROLLUP },
  events: { expr: sql`count(*)::DOUBLE`, kind: 'count', rollup: { part: sql`count(*)`, merge: 'sum', final: SUM0, users: false } },
  sessions: { expr: sql`count(DISTINCT e.session_id)::DOUBLE`, kind: 'count' },
  orders: { expr: sql`count(DISTINCT e.order_id) FILTER (WHERE e.event_type = 'purchase')::DOUBLE`, kind: 'count' },
  revenue: {
    expr: sql`coalesce(sum(e.revenue) FILTER (WHERE e.event_type = 'purchase'), 0)::DOUBLE`,
    kind: 'money',
    rollup: { part: raw(`sum(e.revenue) FILTER (WHERE ${PURCHASE})`), merge: 'sum', final: SUM0, users: false },
  },
  aov: {
    expr: sql`(sum(e.revenue) FILTER (WHERE e.event_type = 'purchase') / nullif(count(DISTINCT e.order_id) FILTER (WHERE e.event_type = 'purchase'), 0))::DOUBLE`,
    kind: 'money',
  },
  conversion: {
    expr: sql`(count(DISTINCT e.user_id) FILTER (WHERE e.event_type = 'purchase') / nullif(count(DISTINCT e.user_id), 0))::DOUBLE`,
    kind: 'ratio',
    // Per (group, user): did any of the user's events in the group buy.
    rollup: { part: raw(`bool_or(${PURCHASE})`), merge: 'bool_or', final: (c) => sql`(${raw(c.b)} / nullif(${raw(c.n)}, 0))::DOUBLE`, users: true },
  },
};

function fieldMeasure(m: Measure, grain: Grain, fields: readonly Field[]): CompiledMeasure {
  const f = fieldById(fields, m.field!, grain);
  if (!aggsForKind(f.kind).includes(m.agg)) {
    throw new StrataError(`"${AGG_LABEL[m.agg]}" does not apply to ${fieldLabel(f.id)}, ${kindPhrase(f.kind)}.`);
  }
  const x = fieldSql(f);
  const label = `${AGG_LABEL[m.agg]} of ${f.column}`;
  const money = /revenue|price|aov|spend|amount|income|ltv|value/i.test(f.column) ? 'money' : 'number';
  const one = (expr: Sql, kind: ValueKind, rollup?: Rollup): CompiledMeasure => ({ expr, sources: [f.source], kind, label, ...(rollup ? { rollup } : {}) });
  // Sums, minima and maxima merge; a rollup is offered at the events grain only.
  const merged = (agg: 'sum' | 'min' | 'max', final: (c: { p: string }) => Sql): Rollup | undefined =>
    grain === 'events' ? { part: sql`${raw(agg)}(${x})`, merge: agg, final, users: false } : undefined;
  if (m.agg === 'count_distinct') return one(sql`count(DISTINCT ${x})::DOUBLE`, 'count');
  if (f.kind === 'temporal') {
    const agg = m.agg === 'min' ? 'min' : 'max';
    return one(sql`epoch_ms(${raw(agg)}(${x})::TIMESTAMP)::DOUBLE`, 'date', merged(agg, (c) => sql`epoch_ms(${raw(c.p)}::TIMESTAMP)::DOUBLE`));
  }
  switch (m.agg) {
    case 'sum': return one(sql`sum(${x})::DOUBLE`, money, merged('sum', (c) => sql`${raw(c.p)}::DOUBLE`));
    case 'avg': return one(sql`avg(${x})::DOUBLE`, money);
    case 'median': return one(sql`median(${x}::DOUBLE)::DOUBLE`, money);
    case 'min': return one(sql`min(${x})::DOUBLE`, money, merged('min', (c) => sql`${raw(c.p)}::DOUBLE`));
    case 'max': return one(sql`max(${x})::DOUBLE`, money, merged('max', (c) => sql`${raw(c.p)}::DOUBLE`));
    default: return one(sql`stddev_samp(${x})::DOUBLE`, money);
  }
}

/** A measure's heading, with its share mode: "Revenue (% of row)". */
export function measureTitle(m: Measure): string {
  const base = m.field ? `${AGG_LABEL[m.agg]} of ${m.field.slice(2)}` : AGG_LABEL[m.agg];
  return m.pct ? `${base} (% of ${m.pct === 'col' ? 'column' : m.pct === 'row' ? 'row' : 'total'})` : base;
}
