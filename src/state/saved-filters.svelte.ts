// Named filters the user saved, kept in localStorage. Storage is not trusted: every entry is re-validated on
// read and a corrupt one is skipped, so a tampered key can never break the app.
import { validateFilter, type FilterGroup } from '../analyses/filter/spec.ts';
import { StrataError } from '../errors.ts';

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

/** The part of Storage this needs (localStorage in the app, a Map-backed stand-in in tests). */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

// localStorage, or null where it is missing or access throws (some privacy modes).
function browserStore(): KeyValueStore | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** Parse the stored list, keeping only well-formed entries (later duplicates of a name win). Never throws. */
export function readSaved(text: string | null): SavedFilter[] {
  if (!text) return [];
  let parsed: unknown;
  try {
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
      const filter = validateFilter(o.filter);
      const savedAt = typeof o.savedAt === 'number' && Number.isFinite(o.savedAt) ? o.savedAt : 0;
      byName.set(o.name, { name: o.name, filter, savedAt });
    } catch {
      // A corrupt entry is skipped; the others still load.
    }
  }
  return sorted([...byName.values()]);
}

function sorted(list: SavedFilter[]): SavedFilter[] {
  return list.sort((a, b) => a.name.localeCompare(b.name));
}

/** The saved filters, reactive, with save / remove / get. */
export class SavedFilters {
  /** Sorted by name; replaced (never mutated) on each change. */
  list = $state.raw<SavedFilter[]>([]);

  constructor(private readonly store: KeyValueStore | null = browserStore()) {
    this.reload();
    if (typeof window !== 'undefined') {
      // Another tab saved or deleted: follow it.
      window.addEventListener('storage', (e) => {
        if (e.key === SAVED_FILTERS_KEY) this.reload();
      });
    }
  }

  /** Re-read the list from storage. */
  reload(): void {
    let text: string | null = null;
    try {
      text = this.store?.getItem(SAVED_FILTERS_KEY) ?? null;
    } catch {
      text = null;
    }
    this.list = readSaved(text);
  }

  /** Save a filter under a name, replacing one of the same name. Throws a StrataError if it cannot be kept. */
  save(name: string, filter: FilterGroup): void {
    const n = name.trim();
    if (n === '') throw new StrataError('Give the filter a name to save it under.');
    if (n.length > MAX_NAME) throw new StrataError(`A filter name holds at most ${MAX_NAME} characters.`);
    const entry: SavedFilter = { name: n, filter: validateFilter(filter), savedAt: Date.now() };
    this.list = sorted([...this.list.filter((s) => s.name !== n), entry]);
    this.persist();
  }

  /** Delete the saved filter with this name (no-op if there is none). */
  remove(name: string): void {
    if (!this.list.some((s) => s.name === name)) return;
    this.list = this.list.filter((s) => s.name !== name);
    this.persist();
  }

  /** The saved filter with this name, if any. */
  get(name: string): SavedFilter | undefined {
    return this.list.find((s) => s.name === name);
  }

  private persist(): void {
    try {
      if (!this.store) throw new Error('localStorage is unavailable');
      this.store.setItem(SAVED_FILTERS_KEY, JSON.stringify(this.list));
    } catch (err) {
      throw new StrataError(
        'Kept for this session only: the browser refused to store saved filters (storage full or disabled).',
        String(err),
        { cause: err },
      );
    }
  }
}

/** The app's one list of saved filters. */
export const savedFilters = new SavedFilters();
