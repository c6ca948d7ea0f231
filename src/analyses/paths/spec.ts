// Journeys (paths within sessions): where sessions go from an event, or how they get to it. Serialisable (UI
// state, URL, test fixture) and validated on the way in.
import { StrataError } from '../../errors.ts';
import { has, int, obj, oneOf, only } from '../validate.ts';
import { filterFields, validateFilter, type FilterGroup } from '../filter/spec.ts';
import { LinkBudget } from '../limits.ts';

/** Paths that start at the chosen event (it is step 1) or end at it (it is the last step). */
export type PathAnchor = 'start' | 'end';

/** Everything a journeys view depends on. */
export interface PathsSpec {
  anchor: PathAnchor;
  /** The event_type value paths start or end at (its first occurrence in each session). */
  eventType: string;
  /** K: the most steps in a path, the chosen event included. */
  steps: number;
  /** Drop an event whose type equals the one just before it in the session (view, view, cart -> view, cart). */
  collapse: boolean;
  /** Per step of the Sankey, the event types kept by distinct users; the rest are drawn as one "Other" node. */
  nodesPerStep: number;
  /** Which users count at all (user fields only). */
  users: FilterGroup;
}

export const PATH_ANCHORS: readonly PathAnchor[] = ['start', 'end'];
/** Bounds of K and of the nodes per step (inclusive). */
export const STEPS_RANGE = [2, 10] as const;
export const NODES_RANGE = [2, 20] as const;

/** Paths from the start of sessions: session_start and the 4 events after it, repeats collapsed, 8 types a step. */
export const DEFAULT_PATHS: PathsSpec = {
  anchor: 'start',
  eventType: 'session_start',
  steps: 5,
  collapse: true,
  nodesPerStep: 8,
  users: { op: 'and', items: [] },
};

/**
 * The default journeys for a dataset's event types: from session_start when it has one; otherwise the paths leading
 * to a purchase, or from its first event type (an import without session events still gets a useful first view).
 */
export function defaultPathsFor(eventTypes: readonly string[]): PathsSpec {
  const d = structuredClone(DEFAULT_PATHS);
  if (!eventTypes.length || eventTypes.includes(d.eventType)) return d;
  if (eventTypes.includes('purchase')) return { ...d, anchor: 'end', eventType: 'purchase' };
  return { ...d, eventType: eventTypes[0] };
}

const KEYS = ['anchor', 'eventType', 'steps', 'collapse', 'nodesPerStep', 'users'];

/** Check an untrusted value and return a fresh PathsSpec; missing keys take defaults, anything odd throws. */
export function validatePathsSpec(x: unknown, budget: LinkBudget = new LinkBudget()): PathsSpec {
  const o = obj(x, 'The journeys settings');
  only(o, KEYS, 'journeys setting');
  const d = structuredClone(DEFAULT_PATHS);
  const anchor = has(o, 'anchor') ? oneOf(o.anchor, PATH_ANCHORS, 'path anchor') : d.anchor;
  if (has(o, 'eventType') && (typeof o.eventType !== 'string' || o.eventType === '')) {
    throw new StrataError('Journeys need an event type to start or end at.');
  }
  const eventType = has(o, 'eventType') ? (o.eventType as string) : d.eventType;
  const steps = has(o, 'steps') ? int(o.steps, STEPS_RANGE[0], STEPS_RANGE[1], 'number of steps') : d.steps;
  if (has(o, 'collapse') && typeof o.collapse !== 'boolean') throw new StrataError('"collapse" must be true or false.');
  const collapse = has(o, 'collapse') ? (o.collapse as boolean) : d.collapse;
  const nodesPerStep = has(o, 'nodesPerStep') ? int(o.nodesPerStep, NODES_RANGE[0], NODES_RANGE[1], 'number of event types per step') : d.nodesPerStep;
  const users = has(o, 'users') ? validateFilter(o.users, budget) : d.users;
  for (const id of filterFields(users)) {
    if (id.startsWith('e.')) throw new StrataError('The users filter takes user columns (such as "u.country"), not event columns.');
  }
  return { anchor, eventType, steps, collapse, nodesPerStep, users };
}
