// Reading the Pivot screen in e2e tests: the table as the DOM shows it, the spec the URL holds, and waiting for a
// finished pivot. Shared by pivot.spec.ts and pivot-interactions.spec.ts.
import type { Page } from '@playwright/test';
import { expect, expectRunReady } from './fixtures.ts';

/** A link to the Pivot screen holding `spec`. */
export const pivotUrl = (spec: unknown) => `./#/pivot?p=${encodeURIComponent(JSON.stringify(spec))}`;

/** The raw pivot JSON the page's URL holds, or null. */
export function urlSpecRaw(page: Page): unknown {
  const hash = new URL(page.url()).hash;
  const p = new URLSearchParams(hash.slice(hash.indexOf('?') + 1)).get('p');
  return p === null ? null : JSON.parse(p);
}

/** The pivot table as the DOM shows it: column group labels, measure titles and each row's values by data-col. */
export interface DomTable {
  groups: string[];
  measures: string[];
  rows: { row: string; depth: number; values: string[] }[];
}

/** Read the table from the DOM (values are the cells' data-value attributes). */
export async function readTable(page: Page): Promise<DomTable> {
  return page.getByTestId('pivot-table').evaluate((el) => {
    const text = (n: Element) => (n.textContent ?? '').replace(/[▲▼]/g, '').trim();
    const head = [...el.querySelectorAll('thead tr')];
    const groups = head.length > 1 ? [...head[0].querySelectorAll('th.group')].map(text) : [];
    const measures: string[] = [];
    for (const th of el.querySelectorAll<HTMLElement>('thead th.measure')) measures[Number(th.dataset.col)] = text(th);
    const rows = [...el.querySelectorAll<HTMLElement>('tbody tr')].map((tr) => {
      const values: string[] = [];
      for (const td of tr.querySelectorAll<HTMLElement>('td[data-col]')) values[Number(td.dataset.col)] = td.dataset.value ?? '';
      return { row: tr.dataset.row ?? '', depth: Number(tr.dataset.depth), values };
    });
    return { groups, measures, rows };
  });
}

/** Wait for a finished pivot, then for the table to satisfy `check` (retried while a newer run replaces it). */
export async function expectTable(page: Page, check: (t: DomTable) => void): Promise<DomTable> {
  await expectRunReady(page, 'pivot');
  let last: DomTable | null = null;
  await expect(async () => {
    await expect(page.getByTestId('pivot-status')).toHaveAttribute('data-status', 'ready', { timeout: 1000 });
    last = await readTable(page);
    check(last);
  }).toPass({ timeout: 30_000 });
  return last!;
}
