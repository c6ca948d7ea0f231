// The route lives in the URL hash (#/screen?key=value) so every view is a shareable, reloadable link.

/** The screens Strata has. */
export const SCREENS = [
  { id: 'overview', label: 'Overview' },
  { id: 'dashboard', label: 'Dashboard' },
  { id: 'pivot', label: 'Pivot' },
  { id: 'retention', label: 'Retention' },
  { id: 'funnels', label: 'Funnels' },
  { id: 'journeys', label: 'Journeys' },
  { id: 'segments', label: 'Segments' },
  { id: 'clusters', label: 'Clusters' },
  { id: 'predict', label: 'Predictions' },
  { id: 'import', label: 'Import' },
  { id: 'datasets', label: 'Datasets' },
  { id: 'data', label: 'Data' },
] as const;

/** Settings changes closer together than this are one history entry (one Back undoes them together). */
export const UNDO_MERGE_MS = 1000;

/** A screen's id. */
export type ScreenId = (typeof SCREENS)[number]['id'];

function parse(hash: string): { screen: ScreenId; params: URLSearchParams } {
  const body = hash.replace(/^#\/?/, '');
  const [path, query = ''] = body.split('?', 2);
  const screen = (SCREENS.find((s) => s.id === path)?.id ?? 'overview') as ScreenId;
  return { screen, params: new URLSearchParams(query) };
}

/** Reactive view of location.hash. */
export class Route {
  screen = $state<ScreenId>('overview');
  params = $state(new URLSearchParams());

  constructor() {
    this.read();
    addEventListener('hashchange', () => this.read());
    // Back / Forward between two settings of one screen (entries made by setParams) change only the state.
    addEventListener('popstate', () => this.read());
  }

  /** When setParams last made a history entry (epoch ms). */
  private lastEntry = 0

  private read() {
    const r = parse(location.hash);
    this.screen = r.screen;
    this.params = r.params;
  }

  /** Go to another screen (a new history entry). */
  go(screen: ScreenId) {
    location.hash = `#/${screen}`;
  }

  /**
   * Set the current screen's parameters. A change is a history entry of its own, so the browser's Back undoes it
   * (and Forward redoes it); changes within UNDO_MERGE_MS of the last entry (typing, a burst of clicks) join that
   * entry instead of making one per keystroke. Unchanged parameters make no entry.
   */
  setParams(params: Record<string, string | null>, now = Date.now()) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== null && v !== '') p.set(k, v);
    const q = p.toString();
    const url = `#/${this.screen}${q ? '?' + q : ''}`;
    if (url !== location.hash) {
      if (now - this.lastEntry < UNDO_MERGE_MS) history.replaceState(null, '', url);
      else history.pushState(null, '', url);
      this.lastEntry = now;
    }
    this.params = p;
  }
}
