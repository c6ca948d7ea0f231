// Cohort retention settings: who starts a cohort (and when), what counts as coming back, the period and the
// retention mode. Serialisable (UI state, URL, test fixture) and validated on the way in.
import { StrataError } from '../../errors.ts';
import { has, int, obj, oneOf, only } from '../validate.ts';
import { isFieldId } from '../fields.ts';
import { validateFilter, type FilterGroup } from '../filter/spec.ts';
import { LinkBudget } from '../limits.ts';

/** The period of cohorts and of return columns. */
export type CohortPeriod = 'day' | 'week' | 'month';

/** An event a cohort starts with or a return is: any event, a purchase, or one event type with property filters. */
export interface EventMatch {
  kind: 'any' | 'purchase' | 'event';
  /** For kind "event": the event_type value. */
  eventType?: string;
  /** Conditions on the event (event fields only), e.g. category = Electronics. */
  filter?: FilterGroup;
}

/** How users enter cohorts. */
export type CohortStart =
  | { by: 'event'; event: EventMatch }
  | { by: 'signup' }
  | { by: 'property'; field: string };

/** Everything a retention table depends on. */
export interface CohortSpec {
  start: CohortStart;
  returns: EventMatch;
  period: CohortPeriod;
  /** "on": came back in period N; "on_or_after": came back in period N or any later one. */
  mode: 'on' | 'on_or_after';
  /** First-time: a user is in one cohort (their first start). Recurring: in a cohort for every period they started. */
  recurring: boolean;
  /** Columns shown: periods 0..periods. */
  periods: number;
  /** Which users count at all (user fields only). */
  users: FilterGroup;
}

export const COHORT_PERIODS: readonly CohortPeriod[] = ['day', 'week', 'month'];

/** Monthly cohorts by first purchase, returning with a purchase, over 12 months. */
export const DEFAULT_COHORT: CohortSpec = {
  start: { by: 'event', event: { kind: 'purchase' } },
  returns: { kind: 'purchase' },
  period: 'month',
  mode: 'on',
  recurring: false,
  periods: 12,
  users: { op: 'and', items: [] },
};

const KEYS = ['start', 'returns', 'period', 'mode', 'recurring', 'periods', 'users'];
export const MAX_PERIODS = 120;

/**
 * Check an untrusted value and return a fresh CohortSpec; missing keys take defaults, anything odd throws. Its
 * filters share `budget` (a retention view passes the one its comparison filter also uses).
 */
export function validateCohortSpec(x: unknown, budget: LinkBudget = new LinkBudget()): CohortSpec {
  const o = obj(x, 'The retention settings');
  only(o, KEYS, 'retention setting');
  const d = structuredClone(DEFAULT_COHORT);
  const start = has(o, 'start') ? startOf(o.start, budget) : d.start;
  const returns = has(o, 'returns') ? eventMatch(o.returns, 'return event', budget) : d.returns;
  const period = has(o, 'period') ? oneOf(o.period, COHORT_PERIODS, 'period') : d.period;
  const mode = has(o, 'mode') ? oneOf(o.mode, ['on', 'on_or_after'] as const, 'retention mode') : d.mode;
  if (has(o, 'recurring') && typeof o.recurring !== 'boolean') throw new StrataError('"recurring" must be true or false.');
  const recurring = has(o, 'recurring') ? (o.recurring as boolean) : d.recurring;
  const periods = has(o, 'periods') ? int(o.periods, 1, MAX_PERIODS, 'number of periods') : d.periods;
  const users = has(o, 'users') ? validateFilter(o.users, budget) : d.users;
  if (recurring && start.by !== 'event') throw new StrataError('Recurring cohorts need a start event (a sign-up or a property happens once).');
  return { start, returns, period, mode, recurring, periods, users };
}

function startOf(x: unknown, budget: LinkBudget): CohortStart {
  const o = obj(x, 'The cohort start');
  const by = oneOf(o.by, ['event', 'signup', 'property'] as const, 'cohort start ("by")');
  if (by === 'signup') {
    only(o, ['by'], 'cohort start setting');
    return { by };
  }
  if (by === 'property') {
    only(o, ['by', 'field'], 'cohort start setting');
    if (!isFieldId(o.field) || o.field.startsWith('e.')) throw new StrataError('A cohort by property needs a user date field such as "u.signup_ts".');
    return { by, field: o.field };
  }
  only(o, ['by', 'event'], 'cohort start setting');
  return { by, event: eventMatch(o.event, 'start event', budget) };
}

function eventMatch(x: unknown, what: string, budget: LinkBudget): EventMatch {
  const o = obj(x, `The ${what}`);
  only(o, ['kind', 'eventType', 'filter'], `${what} setting`);
  const kind = oneOf(o.kind, ['any', 'purchase', 'event'] as const, what);
  const out: EventMatch = { kind };
  if (kind === 'event') {
    if (typeof o.eventType !== 'string' || o.eventType === '') throw new StrataError(`The ${what} needs an event type.`);
    out.eventType = o.eventType;
  } else if (has(o, 'eventType')) {
    throw new StrataError(`The ${what} "${kind}" takes no event type.`);
  }
  if (has(o, 'filter')) out.filter = validateFilter(o.filter, budget);
  return out;
}
