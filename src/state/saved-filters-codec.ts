// Saved filters as stored text, pure (no runes) so Node tests can read hostile storage through it. Storage is not
// trusted: every entry is re-validated on read (the same limits as a link, src/analyses/limits.ts) and a corrupt or
// oversized one is skipped, so a tampered key can never break the app, and a saved filter applied to a view still
// makes a link that opens.
import { validateFilter, type FilterGroup } from '../analyses/filter/spec.ts';
import { checkJsonNesting, checkJsonText } from '../analyses/limits.ts';

/** One saved filter. */
export interface SavedFilter {
  name: string;
  filter: FilterGroup;
  /** Epoch milliseconds of the last save. */
  savedAt: number;
}

/** The localStorage key holding the JSON list. */
export const SAVED_FILTERS_KEY = 'strata.savedFilters';

/** Longest name a saved filter may have. */
export const MAX_NAME = 80;

/** Parse the stored list, keeping only well-formed entries (later duplicates of a name win). Never throws. */
export function readSaved(text: string | null): SavedFilter[] {
  if (!text) return [];
  let parsed: unknown;
  try {
    // Any length (storage quota bounds it), but never nested deeper than a link may be.
    checkJsonNesting(text);
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const byName = new Map<string, SavedFilter>();
  for (const e of parsed) {
    if (e === null || typeof e !== 'object') continue;
    const o = e as Record<string, unknown>;
    if (typeof o.name !== 'string' || o.name.trim() === '' || o.name.length > MAX_NAME) continue;
    try {
      const filter = checkedFilter(o.filter);
      const savedAt = typeof o.savedAt === 'number' && Number.isFinite(o.savedAt) ? o.savedAt : 0;
      byName.set(o.name, { name: o.name, filter, savedAt });
    } catch {
      // A corrupt entry is skipped; the others still load.
    }
  }
  return sorted([...byName.values()]);
}

/** A valid filter within one link's limits, its JSON text included (what may be saved); throws a StrataError. */
export function checkedFilter(x: unknown): FilterGroup {
  const filter = validateFilter(x);
  checkJsonText(JSON.stringify(filter));
  return filter;
}

/** The list sorted by name (in place), as the menu shows it. */
export function sorted(list: SavedFilter[]): SavedFilter[] {
  return list.sort((a, b) => a.name.localeCompare(b.name));
}
