// Named filters the user saved, kept in localStorage, reactive. Reading and checking the stored text is in
// saved-filters-codec.ts (the same limits as a link); this file adds the store, save / remove and other tabs.
import type { FilterGroup } from '../analyses/filter/spec.ts';
import { StrataError } from '../errors.ts';
import { MAX_NAME, SAVED_FILTERS_KEY, checkedFilter, readSaved, sorted, type SavedFilter } from './saved-filters-codec.ts';

export { MAX_NAME, SAVED_FILTERS_KEY, readSaved, type SavedFilter } from './saved-filters-codec.ts';

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
    const entry: SavedFilter = { name: n, filter: checkedFilter(filter), savedAt: Date.now() };
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
