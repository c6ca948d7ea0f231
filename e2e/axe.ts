// axe-core for the e2e tests (issue 18: 0 violations everywhere): the violations found on the page now, one
// readable line each, so a failing test names the rule, the element and why.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

export async function violations(page: Page, where: string, include?: string): Promise<string[]> {
  let b = new AxeBuilder({ page });
  if (include) b = b.include(include);
  const r = await b.analyze();
  return r.violations.map((v) => `${where}: ${v.id} (${v.impact}) ×${v.nodes.length}: ${v.help} — ` +
    v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} :: ${(n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 160)}`).join(' | '));
}
