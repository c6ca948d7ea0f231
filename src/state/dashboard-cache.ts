// The last Overview drawn, kept in localStorage so a returning visit shows its figures while DuckDB starts and the
// stored dataset opens (seconds on a slow machine). Used only when the dataset that opens is the same one with the
// same counts; replaced panel by panel as the real queries answer. The customers scatter (thousands of points) is
// not kept: it shows as loading until its query answers.
import type { DatasetRecord } from '../data/datasets.ts';
import type { Db } from '../db/types.ts';
import { OVERVIEW_DECODERS, OVERVIEW_PANELS, type OverviewPanel, type OverviewResults, type OverviewSpec } from '../analyses/overview/index.ts';

const KEY = 'strata:last-overview';
/** Above this many characters the figures are not kept (localStorage is small and shared). */
const MAX_CHARS = 200_000;

/** The cached panels (every panel but the customers scatter). */
export type CachedPanels = Partial<Omit<OverviewResults, 'customers'>>;

export interface DashboardCache {
  /** `datasetStamp` of the dataset the figures belong to. */
  dataset: string;
  /** `specKey` of the view they answer. */
  spec: string;
  results: CachedPanels;
  /** The currency the money figures are in (ISO 4217). */
  currency: string;
  /** When they were computed (ms since epoch). */
  savedAt: number;
  /**
   * The build's preview of the default demo shop (a first visit): `dataset` is then `demoStamp(…)`, and the figures
   * belong to any demo shop generated with those parameters that has those counts (the generator is seeded).
   */
  preview?: true;
}

/** What identifies a dataset's contents: id, creation time and its counts (an append or a rebuild changes them). */
export function datasetStamp(d: Pick<DatasetRecord, 'id' | 'createdAt' | 'events' | 'users'>): string {
  return `${d.id}:${d.createdAt}:${d.events}:${d.users}`;
}

/** The stamp of a demo shop by what makes it: generator parameters (the dataset's `meta`) and its counts. */
export function demoStamp(params: string, events: number, users: number): string {
  return `demo:${params}:${events}:${users}`;
}

/**
 * Whether cached figures are `rec`'s: the same dataset (id, creation time, counts), or, for the build's preview, a
 * demo shop generated with the same parameters and the same counts.
 */
export function cacheMatches(c: Pick<DashboardCache, 'dataset' | 'preview'>, rec: Pick<DatasetRecord, 'id' | 'createdAt' | 'events' | 'users' | 'kind' | 'meta'>): boolean {
  if (c.dataset === datasetStamp(rec)) return true;
  return c.preview === true && rec.kind === 'demo' && rec.meta !== null && c.dataset === demoStamp(rec.meta, rec.events, rec.users);
}

/**
 * Every cached panel's figures for `spec`, computed on `db` with the Overview's own statements and decoders (the
 * build computes the demo shop's preview this way, in Node).
 */
export async function overviewFigures(db: Db, spec: OverviewSpec): Promise<CachedPanels> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(OVERVIEW_PANELS) as OverviewPanel[]) {
    if (k === 'customers') continue;
    const q = OVERVIEW_PANELS[k](spec);
    out[k] = OVERVIEW_DECODERS[k](await db.query(q.text, q.params), spec);
  }
  // Through JSON, as the browser's cache holds them.
  return JSON.parse(JSON.stringify(out)) as CachedPanels;
}

/** A spec's identity (every field that changes an answer). */
export function specKey(s: OverviewSpec): string {
  return JSON.stringify([s.from, s.to, s.grain, s.geo, s.churn.medium, s.churn.high, s.segment?.column ?? null, s.segment?.value ?? null]);
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage disabled for this site
  }
}

/** The cached Overview, or null (none, unreadable or malformed). */
export function readDashboardCache(): DashboardCache | null {
  try {
    const text = storage()?.getItem(KEY);
    if (!text) return null;
    const c = JSON.parse(text) as DashboardCache;
    if (typeof c?.dataset !== 'string' || typeof c.spec !== 'string' || typeof c.currency !== 'string' || typeof c.results !== 'object' || !c.results) return null;
    if (typeof c.results.kpis !== 'object' || c.results.kpis === null) return null;
    return c;
  } catch {
    return null;
  }
}

/** Keep `results` as the last Overview of `dataset` for `spec`; never throws (a full storage just keeps nothing). */
export function writeDashboardCache(dataset: string, spec: string, currency: string, results: Partial<OverviewResults>): void {
  const { customers: _, ...panels } = results;
  if (!panels.kpis) return;
  const s = storage();
  if (!s) return;
  try {
    const text = JSON.stringify({ dataset, spec, currency, results: panels, savedAt: Date.now() } satisfies DashboardCache);
    if (text.length > MAX_CHARS) s.removeItem(KEY);
    else s.setItem(KEY, text);
  } catch {
    // Quota exceeded or storage disabled: the next visit simply waits for the queries.
  }
}

/** Forget the cached Overview (its dataset was deleted, or the stored data was reset). */
export function clearDashboardCache(): void {
  try {
    storage()?.removeItem(KEY);
  } catch {
    // nothing to do
  }
}
