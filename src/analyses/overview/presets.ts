// Date presets of the Overview, relative to the data's last day (a historic export is judged by its own calendar,
// not today's). Inclusive UTC dates 'YYYY-MM-DD'.
//   last-30 / last-90 / last-365: that many days ending on the last day
//   this-month: the 1st of the last day's month to the last day
//   last-month: the whole calendar month before it
//   ytd: 1 January of the last day's year to the last day
export type DatePreset = 'last-30' | 'last-90' | 'last-365' | 'this-month' | 'last-month' | 'ytd';

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The range a preset stands for, given the data's last event (epoch ms). */
export function presetRange(preset: DatePreset, lastMs: number): { from: string; to: string } {
  const d = new Date(lastMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const last = iso(lastMs);
  switch (preset) {
    case 'last-30': return { from: iso(lastMs - 29 * DAY_MS), to: last };
    case 'last-90': return { from: iso(lastMs - 89 * DAY_MS), to: last };
    case 'last-365': return { from: iso(lastMs - 364 * DAY_MS), to: last };
    case 'this-month': return { from: iso(Date.UTC(y, m, 1)), to: last };
    case 'last-month': return { from: iso(Date.UTC(y, m - 1, 1)), to: iso(Date.UTC(y, m, 0)) };
    case 'ytd': return { from: iso(Date.UTC(y, 0, 1)), to: last };
  }
}

/** The presets in the order the Overview shows them, with their labels. */
export const DATE_PRESETS: readonly { id: DatePreset; label: string }[] = [
  { id: 'last-30', label: 'Last 30 days' },
  { id: 'last-90', label: 'Last 90 days' },
  { id: 'last-365', label: 'Last 12 months' },
  { id: 'this-month', label: 'This month' },
  { id: 'last-month', label: 'Last month' },
  { id: 'ytd', label: 'Year to date' },
];
