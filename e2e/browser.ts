// Find a Chromium to drive: CHROMIUM_PATH, then Debian's /usr/bin/chromium, then Playwright's own download.
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

/** The Chromium executable, or a clear error saying how to get one. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  try {
    candidates.push(chromium.executablePath());
  } catch {
    // Playwright has no browser of its own here; the candidates above may still do.
  }
  const found = candidates.find((p): p is string => !!p && existsSync(p));
  if (!found) {
    throw new Error(
      'No Chromium found for the end-to-end tests. Install one (Debian/Ubuntu: `apt-get install -y chromium`), ' +
        'or set CHROMIUM_PATH to a Chromium/Chrome executable.',
    );
  }
  return found;
}

/**
 * The features Playwright (1.65.1, pinned in package.json) disables in its own `--disable-features` (its
 * chromiumSwitches). Chromium keeps only the last `--disable-features` on a command line, so the one below repeats
 * them; `tests/e2e-browser-flags.test.ts` checks the installed Playwright's list is still among them.
 */
export const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync', 'DestroyProfileOnBrowserClose', 'HttpsUpgrades', 'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay', 'MediaRouter', 'PaintHolding', 'ThirdPartyStoragePartitioning', 'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin', 'OptimizationHints', 'NetworkTimeServiceQuerying', 'AimEnabled', 'PreconnectToSearch',
  'msForceBrowserSignIn', 'msEdgeUpdateLaunchServicesPreferredVersion',
];

/**
 * Headless Chromium (150) builds the address bar's suggestion popups as WebUI pages in a renderer of their own at
 * every start (chrome://omnibox-popup.top-chrome/), which no test or page ever shows: measured on a 2-core machine,
 * ~1.2–1.5 s of CPU per browser start and visit (a test's Chromium CPU ~11.6 → ~8.5 s with it off).
 */
const OMNIBOX_WEBUI = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'];

/** Flags for headless Chromium on this kind of machine (no sandbox as root, no background network). */
export const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...OMNIBOX_WEBUI].join(',')}`,
];

/**
 * V8's baseline wasm compiler only: what the e2e tests' browsers run with unless a test turns it off (`liftoff` in
 * fixtures.ts). Measured on a 2-core machine, a returning visit's page load (the stored demo shop's Overview, what
 * most tests start with) cost ~12.8 s of Chromium CPU, ~2.5 s of it optimising DuckDB-WASM's hot functions again on
 * background threads (the compiled module the browser caches holds only part of that); with Liftoff only ~8.5 s,
 * and the Overview answered in 5.4 s instead of 7.6. Heavy work (generating a shop, big imports) runs slower
 * unoptimised, so the tests doing it keep the default. Answers do not depend on the tier; the benchmark never uses it.
 */
export const LIFTOFF_ONLY = '--js-flags=--liftoff-only';
