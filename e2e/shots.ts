// Screenshots for a person to look at (layouts, charts, panels): they assert nothing. On a developer's machine they
// are taken; in CI (CI=true), where nobody looks at them, they are skipped (a full-page one costs a second or more
// of a 2-core machine's CPU); E2E_SHOTS=1 takes them there too.
import type { Locator, Page } from '@playwright/test';

/** Whether this run takes the screenshots. */
export const TAKE_SHOTS = !process.env.CI || process.env.E2E_SHOTS === '1';

/** A screenshot of a page (`fullPage`: all of it, not just the window) or of one element, when this run takes them. */
export async function shot(target: Page | Locator, path: string, fullPage = false): Promise<void> {
  if (!TAKE_SHOTS) return;
  if (fullPage) await (target as Page).screenshot({ path, fullPage: true });
  else await target.screenshot({ path });
}
