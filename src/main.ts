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
    pathTypes,
    pathsRows: (rows: Table, types: PathTypes, spec: PathsSpec) => pathsByPass(rows, types, spec, TOP_PATHS, yieldToPage),
  };
}
