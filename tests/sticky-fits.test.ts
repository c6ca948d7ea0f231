// The settings panels' rule (src/components/sticky-fits.ts): sticky only when the whole panel fits below the header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitsWindow, STICKY_TOP } from '../src/components/sticky-fits.ts';

test('a settings panel sticks only when it fits the window whole below the header', () => {
  assert.equal(STICKY_TOP, 70);
  assert.equal(fitsWindow(820, 900), true); // 900 - 70 - 10 = 820: exactly fits
  assert.equal(fitsWindow(821, 900), false);
  assert.equal(fitsWindow(1400, 900), false); // a long funnel with a filter: scrolls with the page
  assert.equal(fitsWindow(0, 900), true);
});
