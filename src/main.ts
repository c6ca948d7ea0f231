// Entry: mount the app, register the service worker (offline after the first visit), start the database.
import { mount } from 'svelte';
import { registerSW } from 'virtual:pwa-register';
import App from './App.svelte';
import { app } from './state/app.svelte.ts';
import './styles.css';

mount(App, { target: document.getElementById('app')! });
if ('serviceWorker' in navigator && import.meta.env.PROD) registerSW({ immediate: true });
void app.boot();

// A small, read-only handle for the end-to-end tests and the benchmark (no network, local data only).
(globalThis as unknown as { strata: unknown }).strata = app;
