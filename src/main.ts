// Entry: mount the app, register the service worker (offline after the first visit), start the database.
import { mount } from 'svelte';
import { registerSW } from 'virtual:pwa-register';
import App from './App.svelte';
import { app } from './state/app.svelte.ts';
import { createProbe } from './state/probe.ts';
import { setFormatLocale } from './lib/format.ts';
import { passInPage, yieldToPage } from './views/pass-page.ts';
import type { Table } from 'apache-arrow';
import { pathsByPass, pathTypes, TOP_PATHS, type PathTypes, type PathsSpec } from './analyses/paths/index.ts';
import { decodeTypes, funnelColumnsSql, funnelRowsFromColumns, funnelTypesSql, keepColumns, keptColumns, type FunnelSpec } from './analyses/funnel/index.ts';
import './styles.css';

// Numbers and dates in the user's language (money stays in the dataset's currency).
setFormatLocale(navigator.language);
mount(App, { target: document.getElementById('app')! });
if ('serviceWorker' in navigator && import.meta.env.PROD) registerSW({ immediate: true });
void app.boot();

// The end-to-end tests and the benchmark read the page through a small read-only handle; only development builds
// expose the app object itself (it can change and delete data).
// The benchmark builds with VITE_STRATA_DEBUG=1 (into dist-bench/) to drive the app the same way.
const debug = import.meta.env.DEV || import.meta.env.VITE_STRATA_DEBUG === '1';
(globalThis as unknown as { strata: unknown }).strata = debug ? app : createProbe(app);
// The benchmark times the Funnels and Journeys screens' one passes with the screens' own runners.
if (debug) {
  (globalThis as unknown as { strataBench: unknown }).strataBench = {
    funnelRows: passInPage,
    // A funnel of plain steps as the screen computes it: the columns kept by the coordinator (loaded on first use,
    // once per dataset version), then the pass; and loading those columns afresh (the statement's rows and types).
    funnelKept: async (spec: FunnelSpec) => {
      if (!app.coordinator) throw new Error('no database');
      const cols = await keptColumns(app.coordinator.io(null), spec.countBy, yieldToPage);
      if (!cols) throw new Error('the columns cannot be kept for this dataset');
      return funnelRowsFromColumns(cols, spec, yieldToPage);
    },
    keepColumns: async (countBy: FunnelSpec['countBy']) => {
      const types = decodeTypes(await app.db!.query(funnelTypesSql().text, []));
      const q = funnelColumnsSql(countBy, types);
      const cols = await keepColumns(await app.db!.query(q.text, [...q.params]), types, yieldToPage);
      return cols && { units: cols.unitStart.length - 1, rows: cols.t.length, sql: q.text };
    },
    pathTypes,
    pathsRows: (rows: Table, types: PathTypes, spec: PathsSpec) => pathsByPass(rows, types, spec, TOP_PATHS, yieldToPage),
  };
}
