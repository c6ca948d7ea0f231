// The route lives in the URL hash (#/screen?key=value) so every view is a shareable, reloadable link.

/** The screens Strata has. */
export const SCREENS = [
  { id: 'overview', label: 'Overview' },
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
  }

  private read() {
    const r = parse(location.hash);
    this.screen = r.screen;
    this.params = r.params;
  }

  /** Go to another screen (a new history entry). */
  go(screen: ScreenId) {
    location.hash = `#/${screen}`;
  }

  /** Replace the current screen's parameters (no new history entry for every keystroke). */
  setParams(params: Record<string, string | null>) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== null && v !== '') p.set(k, v);
    const q = p.toString();
    history.replaceState(null, '', `#/${this.screen}${q ? '?' + q : ''}`);
    this.params = p;
  }
}
