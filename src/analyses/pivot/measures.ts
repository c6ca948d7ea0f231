// Measures as SQL aggregates. Built-in measures mean the same thing at both grains (users: from user_metrics;
// events: counted from the events themselves), so a pivot reads alike whichever grain it uses.
import { StrataError } from '../../errors.ts';
import { sql, type Sql } from '../../sql/quote.ts';
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
  return { expr: b.expr, sources: grain === 'users' ? ['u', 'm'] : ['e'], kind: b.kind, label: AGG_LABEL[m.agg] };
}

type Builtin = 'users' | 'events' | 'sessions' | 'orders' | 'revenue' | 'aov' | 'conversion';
type Def = { expr: Sql; kind: ValueKind };

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
  users: { expr: sql`count(DISTINCT e.user_id)::DOUBLE`, kind: 'count' },
  events: { expr: sql`count(*)::DOUBLE`, kind: 'count' },
  sessions: { expr: sql`count(DISTINCT e.session_id)::DOUBLE`, kind: 'count' },
  orders: { expr: sql`count(DISTINCT e.order_id) FILTER (WHERE e.event_type = 'purchase')::DOUBLE`, kind: 'count' },
  revenue: { expr: sql`coalesce(sum(e.revenue) FILTER (WHERE e.event_type = 'purchase'), 0)::DOUBLE`, kind: 'money' },
  aov: {
    expr: sql`(sum(e.revenue) FILTER (WHERE e.event_type = 'purchase') / nullif(count(DISTINCT e.order_id) FILTER (WHERE e.event_type = 'purchase'), 0))::DOUBLE`,
    kind: 'money',
  },
  conversion: {
    expr: sql`(count(DISTINCT e.user_id) FILTER (WHERE e.event_type = 'purchase') / nullif(count(DISTINCT e.user_id), 0))::DOUBLE`,
    kind: 'ratio',
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
  const one = (expr: Sql, kind: ValueKind): CompiledMeasure => ({ expr, sources: [f.source], kind, label });
  if (m.agg === 'count_distinct') return one(sql`count(DISTINCT ${x})::DOUBLE`, 'count');
  if (f.kind === 'temporal') return one(m.agg === 'min' ? sql`epoch_ms(min(${x})::TIMESTAMP)::DOUBLE` : sql`epoch_ms(max(${x})::TIMESTAMP)::DOUBLE`, 'date');
  switch (m.agg) {
    case 'sum': return one(sql`sum(${x})::DOUBLE`, money);
    case 'avg': return one(sql`avg(${x})::DOUBLE`, money);
    case 'median': return one(sql`median(${x}::DOUBLE)::DOUBLE`, money);
    case 'min': return one(sql`min(${x})::DOUBLE`, money);
    case 'max': return one(sql`max(${x})::DOUBLE`, money);
    default: return one(sql`stddev_samp(${x})::DOUBLE`, money);
  }
}

/** A measure's heading, with its share mode: "Revenue (% of row)". */
export function measureTitle(m: Measure): string {
  const base = m.field ? `${AGG_LABEL[m.agg]} of ${m.field.slice(2)}` : AGG_LABEL[m.agg];
  return m.pct ? `${base} (% of ${m.pct === 'col' ? 'column' : m.pct === 'row' ? 'row' : 'total'})` : base;
}
