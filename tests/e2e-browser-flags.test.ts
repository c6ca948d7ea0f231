// The e2e browsers' flags (e2e/browser.ts): Chromium keeps only the last --disable-features on its command line, so
// the suite's own must repeat every feature Playwright disables, or adding one would quietly turn Playwright's back on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LAUNCH_ARGS, PLAYWRIGHT_DISABLED_FEATURES } from '../e2e/browser.ts';

/** The feature names in the installed Playwright's `disabledFeatures = [ … ]` (its chromiumSwitches). */
function playwrightDisabledFeatures(): string[] {
  const root = dirname(createRequire(import.meta.url).resolve('playwright-core/package.json'));
  const files = ['lib/coreBundle.js', 'lib/server/chromium/chromiumSwitches.js'].map((f) => join(root, f)).filter((f) => existsSync(f));
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const at = text.indexOf('disabledFeatures = [');
    if (at < 0) continue;
    const open = text.indexOf('[', at);
    const list = text.slice(open, text.indexOf(']', open)).replace(/\/\/.*$/gm, '');
    return [...list.matchAll(/["']([A-Za-z0-9]+)["']/g)].map((m) => m[1]);
  }
  throw new Error(`No disabledFeatures list found in ${files.join(', ') || 'playwright-core'}: read Playwright's chromiumSwitches and update e2e/browser.ts`);
}

test("the e2e browsers' one --disable-features keeps every feature Playwright disables, and turns off the omnibox WebUI", () => {
  const theirs = playwrightDisabledFeatures();
  assert.ok(theirs.length >= 10, `Playwright's list read: ${theirs.join(', ')}`);
  assert.deepEqual(theirs.filter((f) => !PLAYWRIGHT_DISABLED_FEATURES.includes(f)), [], 'features Playwright disables that e2e/browser.ts would turn back on');
  const flags = LAUNCH_ARGS.filter((a) => a.startsWith('--disable-features='));
  assert.equal(flags.length, 1);
  const ours = flags[0].slice('--disable-features='.length).split(',');
  assert.deepEqual(theirs.filter((f) => !ours.includes(f)), []);
  assert.ok(ours.includes('WebUIOmniboxPopup') && ours.includes('WebUIOmniboxAimPopup'));
});
