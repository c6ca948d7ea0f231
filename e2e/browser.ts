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

/** Flags for headless Chromium on this kind of machine (no sandbox as root, no background network). */
export const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
