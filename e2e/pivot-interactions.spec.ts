// Pivot screen interactions beyond building a pivot: dragging a dimension between rows and columns (and the
// move / reorder buttons), switching the grain from events to users, row and column shares, collapsing a
// group, the heat-map chart and the heat-map shading of the table. Numbers are checked against independent
// Node loops over the same shop (pivot-reference.ts), never against the pivot's own code.
import type { Page } from '@playwright/test';
import { test, expect, waitForApp } from './fixtures.ts';
import { expectTable, pivotUrl, readTable, urlSpecRaw, type DomTable } from './pivot-page.ts';
import { userRows, type UserRow } from './pivot-reference.ts';
import { DEFAULT_PARAMS } from '../src/data/generator/params.ts';
import { validatePivotSpec } from '../src/analyses/pivot/index.ts';

// The tests here take turns in the worker's shared browser (fixtures.ts: one that changed the data ends it).
test.use({ shared: true });

/** The spec the page's URL holds (validated, so defaults are filled in like the app does). */
function urlSpec(page: Page): ReturnType<typeof validatePivotSpec> | null {
  const raw = urlSpecRaw(page);
  return raw === null ? null : validatePivotSpec(raw);
}

async function openPivot(page: Page, url: string) {
  await page.goto(url);
  await waitForApp(page);
  await expect(page.getByTestId('pivot')).toBeVisible();
}

/** Top N countries by users (ties by name, byte order), and each user's country bucket. */
function topCountries(users: UserRow[], n: number) {
  const per = new Map<string, number>();
  for (const u of users) if (u.country !== null) per.set(u.country, (per.get(u.country) ?? 0) + 1);
  const top = [...per.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, n)
    .map(([c]) => c);
  const bucket = (u: UserRow) => (u.country === null ? '(missing)' : top.includes(u.country) ? u.country : 'Other');
  return { top, bucket };
}

/** Users per (country bucket, gender), per country bucket (gender "Total") and per gender (country "total"). */
function countryByGender(users: UserRow[], n: number) {
  const { top, bucket } = topCountries(users, n);
  const counts = new Map<string, number>();
  const bump = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
  const genders = new Set<string>();
  for (const u of users) {
    const c = bucket(u);
    const g = u.gender ?? '(missing)';
    genders.add(g);
    for (const row of ['total', c]) for (const col of [g, 'Total']) bump(`${row}|${col}`);
  }
  const count = (row: string, col: string) => counts.get(`${row}|${col}`) ?? 0;
  // The table orders top-N groups by rank, then Other; values of a plain text dimension alphabetically.
  const rows = [...top, ...(count('Other', 'Total') ? ['Other'] : [])];
  return { top, rows, genders: [...genders].sort((a, b) => a.localeCompare(b)), count };
}

test('drag a dimension from rows to columns, move it back with the button, reorder rows with up/down', async ({ page }) => {
  const users = await userRows(DEFAULT_PARAMS);
  const ref = countryByGender(users, 5);
  expect(ref.genders.length, 'the shop has several genders').toBeGreaterThan(1);
  const country = { field: 'u.country', bucket: { kind: 'top', n: 5 } };
  const gender = { field: 'u.gender', bucket: { kind: 'none' } };
  await openPivot(page, pivotUrl({ rows: [country, gender], measures: [{ agg: 'users' }] }));
  await expectTable(page, (t) => {
    expect(t.groups).toEqual([]);
    expect(t.rows[1].row).toBe(ref.top[0]);
    expect(t.rows[2].row).toBe(`${ref.top[0]} / ${ref.genders[0]}`);
  });

  // Drag gender (by its grip, not its bucket select) onto the empty Columns section.
  const rows = page.getByTestId('dims-rows');
  const cols = page.getByTestId('dims-cols');
  await expect(rows.getByTestId('dim')).toHaveCount(2);
  await expect(cols.getByTestId('dim')).toHaveCount(0);
  await rows.getByTestId('dim').nth(1).locator('.grip').dragTo(cols.getByRole('heading', { name: 'Columns' }));
  await expect(cols.getByTestId('dim')).toHaveCount(1);
  await expect(rows.getByTestId('dim')).toHaveCount(1);
  await expect(cols.getByRole('button', { name: 'Remove u.gender' })).toBeVisible();
  await expect.poll(() => urlSpec(page)).toEqual(validatePivotSpec({ rows: [country], cols: [gender], measures: [{ agg: 'users' }] }));

  // The table: gender values as column headers, every cell equal to Node's count.
  await expectTable(page, (t) => {
    expect(t.groups, 'gender values as column groups').toEqual([...ref.genders, 'Total']);
    expect(t.measures).toEqual(t.groups.map(() => 'Users'));
    expect(t.rows.map((r) => r.row)).toEqual(['total', ...ref.rows]);
    for (const r of t.rows) {
      t.groups.forEach((g, gi) => expect(Number(r.values[gi]), `${r.row} × ${g}`).toBe(ref.count(r.row, g)));
    }
  });
  // Two cells spelled out, so a failure reads plainly.
  const us = page.locator(`tr[data-row="${ref.top[0]}"]`);
  await expect(us.locator('td[data-col="0"]')).toHaveAttribute('data-value', String(ref.count(ref.top[0], ref.genders[0])));
  await expect(page.locator('tr[data-row="total"] td[data-col="1"]')).toHaveAttribute('data-value', String(ref.count('total', ref.genders[1])));

  // The ⇄ button moves it back to the end of the rows.
  await cols.getByRole('button', { name: 'Move u.gender to rows' }).click();
  await expect(cols.getByTestId('dim')).toHaveCount(0);
  await expect(rows.getByTestId('dim')).toHaveCount(2);
  await expect.poll(() => urlSpec(page)).toEqual(validatePivotSpec({ rows: [country, gender], cols: [], measures: [{ agg: 'users' }] }));
  await expectTable(page, (t) => {
    expect(t.groups).toEqual([]);
    expect(t.rows[1].row).toBe(ref.top[0]);
  });

  // Reorder: country down makes gender the outer level, country second.
  await expect(rows.getByRole('button', { name: 'Move u.country up' })).toBeDisabled();
  await expect(rows.getByRole('button', { name: 'Move u.gender down' })).toBeDisabled();
  await rows.getByRole('button', { name: 'Move u.country down' }).click();
  await expect.poll(() => urlSpec(page)?.rows).toEqual([gender, country]);
  const swapped = await expectTable(page, (t) => {
    expect(t.rows[1].row, 'first data row: the first gender').toBe(ref.genders[0]);
    expect(t.rows[1].depth).toBe(1);
    expect(t.rows[2].row).toBe(`${ref.genders[0]} / ${ref.top[0]}`);
  });
  expect(Number(swapped.rows[1].values[0])).toBe(ref.count('total', ref.genders[0]));
  expect(Number(swapped.rows[2].values[0])).toBe(ref.count(ref.top[0], ref.genders[0]));
  await expect(rows.getByTestId('dim').first().locator('b')).toHaveText('Gender');

  // And up again restores country first.
  await rows.getByRole('button', { name: 'Move u.country up' }).click();
  await expect.poll(() => urlSpec(page)?.rows).toEqual([country, gender]);
  await expectTable(page, (t) => expect(t.rows[1].row).toBe(ref.top[0]));
});

test('switching an events-grain pivot to users drops the event fields with a note and keeps the user condition', async ({ page }) => {
  const users = await userRows(DEFAULT_PARAMS);
  const minAge = 40;
  const expected = users.filter((u) => u.age !== null && u.age >= minAge).length;
  expect(expected).toBeGreaterThan(0);
  expect(expected).toBeLessThan(users.length);
  const ageCond = { field: 'u.age', op: '>=', value: minAge };
  const spec = {
    grain: 'events',
    rows: [{ field: 'e.category', bucket: { kind: 'none' } }],
    measures: [{ agg: 'sum', field: 'e.revenue' }, { agg: 'users' }],
    filter: { op: 'and', items: [{ field: 'e.event_type', op: '=', value: 'purchase' }, ageCond] },
    chartMeasure: 1,
  };
  await openPivot(page, pivotUrl(spec));
  const grain = page.getByRole('radiogroup', { name: 'Grain' });
  await expect(grain.getByRole('radio', { name: 'Events' })).toBeChecked();
  const before = await expectTable(page, (t) => {
    expect(t.measures).toEqual(['Sum of revenue', 'Users']);
    expect(t.rows.length, 'a row per category plus the total').toBeGreaterThan(2);
  });
  const purchasers = Number(before.rows[0].values[1]);
  expect(purchasers, 'older purchasers are a subset of older users').toBeGreaterThan(0);
  expect(purchasers).toBeLessThan(expected);
  await expect(page.getByTestId('filter-builder').getByTestId('filter-cond')).toHaveCount(2);

  await grain.locator('label', { hasText: 'Users' }).click();
  await expect(grain.getByRole('radio', { name: 'Users' })).toBeChecked();
  await expect(page.getByRole('status').filter({ hasText: 'Removed for the users grain' })).toHaveText(
    'Removed for the users grain (event columns): category, sum of revenue, event conditions in the filter.',
  );

  // The URL: users grain, no event field anywhere, the age condition kept, the charted measure (users) kept.
  await expect.poll(() => urlSpec(page)?.grain).toBe('users');
  const after = urlSpec(page)!;
  expect(JSON.stringify(after)).not.toContain('"e.');
  expect(after).toEqual(
    validatePivotSpec({ grain: 'users', rows: [], cols: [], measures: [{ agg: 'users' }], filter: { op: 'and', items: [ageCond] }, chartMeasure: 0 }),
  );
  const conds = page.getByTestId('filter-builder').getByTestId('filter-cond');
  await expect(conds).toHaveCount(1);
  await expect(conds.getByTestId('filter-field')).toHaveValue('u.age');
  await expect(conds.getByTestId('filter-value')).toHaveValue(String(minAge));
  await expect(page.getByTestId('dims-rows').getByTestId('dim')).toHaveCount(0);

  // The table: only the total row, its users = Node's count of users aged minAge or more.
  await expectTable(page, (t) => {
    expect(t.measures).toEqual(['Users']);
    expect(t.rows.map((r) => r.row)).toEqual(['total']);
    expect(Number(t.rows[0].values[0])).toBe(expected);
  });
  await expect(page.getByTestId('pivot-error')).toHaveCount(0);
});

test('shares: % of row sums to 1 across the gender columns, % of column sums to 1 down the rows', async ({ page }) => {
  const users = await userRows(DEFAULT_PARAMS);
  const ref = countryByGender(users, 3);
  const cols = [...ref.genders, 'Total'];
  const totalCol = cols.length - 1;
  const spec = {
    rows: [{ field: 'u.country', bucket: { kind: 'top', n: 3 } }],
    cols: [{ field: 'u.gender', bucket: { kind: 'none' } }],
    measures: [{ agg: 'users', pct: 'row' }],
  };
  await openPivot(page, pivotUrl(spec));

  const byRow = await expectTable(page, (t) => {
    expect(t.groups).toEqual(cols);
    expect(t.measures[0]).toBe('Users (% of row)');
    expect(t.rows.map((r) => r.row)).toEqual(['total', ...ref.rows]);
    for (const r of t.rows) {
      ref.genders.forEach((g, gi) => expect(Number(r.values[gi]), `${r.row} × ${g}`).toBeCloseTo(ref.count(r.row, g) / ref.count(r.row, 'Total'), 12));
    }
  });
  expect(ref.rows).toContain('Other');
  for (const r of byRow.rows) {
    const sum = r.values.slice(0, totalCol).reduce((s, v) => s + Number(v), 0);
    expect(Math.abs(sum - 1), `${r.row}: shares across genders sum to 1 (got ${sum})`).toBeLessThan(1e-9);
    expect(Number(r.values[totalCol]), `${r.row}: Total column`).toBe(1);
  }
  // Shown as a percentage.
  await expect(page.locator('tr[data-row="total"] td[data-col="' + totalCol + '"]')).toHaveText(/^100(\.0+)?\s?%$/);

  await page.getByTestId('measure-pct').selectOption('col');
  await expect.poll(() => urlSpec(page)?.measures).toEqual([{ agg: 'users', pct: 'col' }]);
  const byCol = await expectTable(page, (t) => {
    expect(t.measures[0]).toBe('Users (% of column)');
    for (const r of t.rows) {
      cols.forEach((g, gi) => expect(Number(r.values[gi]), `${r.row} × ${g}`).toBeCloseTo(ref.count(r.row, g) / ref.count('total', g), 12));
    }
  });
  const leaves = byCol.rows.filter((r) => r.row !== 'total');
  expect(leaves.map((r) => r.row)).toEqual(ref.rows);
  cols.forEach((g, gi) => {
    const sum = leaves.reduce((s, r) => s + Number(r.values[gi] || 0), 0);
    expect(Math.abs(sum - 1), `${g}: shares down the rows (top 3 + Other) sum to 1 (got ${sum})`).toBeLessThan(1e-9);
    expect(Number(byCol.rows[0].values[gi]), `total row × ${g}`).toBe(1);
  });
});

test('collapsing a group hides its children and keeps its subtotal; expanding brings them back', async ({ page }) => {
  const users = await userRows(DEFAULT_PARAMS);
  const ref = countryByGender(users, 3);
  const spec = {
    rows: [{ field: 'u.country', bucket: { kind: 'top', n: 3 } }, { field: 'u.gender', bucket: { kind: 'none' } }],
    measures: [{ agg: 'users' }],
  };
  const first = ref.top[0];
  const childrenOf = (t: DomTable, c: string) => t.rows.filter((r) => r.row.startsWith(`${c} / `));
  await openPivot(page, pivotUrl(spec));
  const full = await expectTable(page, (t) => {
    expect(t.rows[1].row).toBe(first);
    expect(childrenOf(t, first).map((r) => r.row)).toEqual(ref.genders.filter((g) => ref.count(first, g)).map((g) => `${first} / ${g}`));
    for (const r of childrenOf(t, first)) expect(Number(r.values[0]), r.row).toBe(ref.count(first, r.row.slice(first.length + 3)));
  });
  expect(childrenOf(full, first).length).toBeGreaterThan(1);

  const collapse = page.getByRole('button', { name: `Collapse ${first}`, exact: true });
  await expect(collapse).toHaveAttribute('aria-expanded', 'true');
  await collapse.click();
  const expand = page.getByRole('button', { name: `Expand ${first}`, exact: true });
  await expect(expand).toHaveAttribute('aria-expanded', 'false');
  const folded = await readTable(page);
  expect(childrenOf(folded, first), 'children of the collapsed group').toEqual([]);
  const sub = folded.rows.find((r) => r.row === first);
  expect(sub, 'the subtotal row stays').toBeDefined();
  expect(Number(sub!.values[0])).toBe(ref.count(first, 'Total'));
  // Only that group folded: the others and the grand total are untouched.
  expect(folded.rows).toEqual(full.rows.filter((r) => !r.row.startsWith(`${first} / `)));
  expect(childrenOf(folded, ref.top[1]).length).toBeGreaterThan(0);
  expect(Number(folded.rows[0].values[0])).toBe(users.length);
  await expect(page.locator(`tr[data-row^="${first} / "]`)).toHaveCount(0);

  await expand.click();
  await expect(page.getByRole('button', { name: `Collapse ${first}`, exact: true })).toHaveAttribute('aria-expanded', 'true');
  expect(await readTable(page)).toEqual(full);
});

/** How many pixels of a canvas are not fully transparent (runs in the page). */
function paintedPixels(c: HTMLCanvasElement): number {
  const ctx = c.getContext('2d');
  if (!ctx || c.width === 0 || c.height === 0) return 0;
  const data = ctx.getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
  return n;
}

test('heat-map chart of a chosen measure, and the table shading toggles with "Heat map shading"', async ({ page }) => {
  const users = await userRows(DEFAULT_PARAMS);
  const { top, bucket } = topCountries(users, 5);
  const per = new Map<string, { users: number; revenue: number }>();
  for (const u of users) {
    const c = per.get(bucket(u)) ?? { users: 0, revenue: 0 };
    c.users += 1;
    c.revenue += u.revenue ?? 0;
    per.set(bucket(u), c);
  }
  const leafRows = [...top, 'Other'];
  expect([...per.keys()].sort()).toEqual([...leafRows].sort());
  const spec = { rows: [{ field: 'u.country', bucket: { kind: 'top', n: 5 } }], measures: [{ agg: 'users' }, { agg: 'revenue' }] };
  await openPivot(page, pivotUrl(spec));
  await expectTable(page, (t) => {
    expect(t.rows.map((r) => r.row)).toEqual(['total', ...leafRows]);
    for (const r of t.rows.slice(1)) expect(Number(r.values[0]), r.row).toBe(per.get(r.row)!.users);
  });

  // The chart: bar by default, then heat map of Revenue.
  const chart = page.getByRole('img', { name: 'Pivot chart' });
  await expect(chart).toHaveCount(1);
  await expect(chart).toHaveCSS('height', '320px');
  const kinds = page.getByRole('radiogroup', { name: 'Chart' });
  await expect(kinds.getByRole('radio', { name: 'Bar' })).toBeChecked();
  await kinds.locator('label', { hasText: 'Heat map' }).click();
  await expect(kinds.getByRole('radio', { name: 'Heat map' })).toBeChecked();
  await page.getByTestId('chart-measure').selectOption({ label: 'Revenue' });
  await expect.poll(() => urlSpec(page)).toEqual(validatePivotSpec({ ...spec, chart: 'heatmap', chartMeasure: 1 }));
  await expect(page.getByTestId('chart-measure')).toHaveValue('1');
  // ECharts draws on one or more canvases (the heat map adds layers); the first is the visible plot.
  await expect(chart.locator('canvas').first()).toBeVisible();
  expect(await chart.locator('canvas').first().evaluate(paintedPixels), 'the heat map painted something').toBeGreaterThan(0);
  // A heat map is sized by its categories: 120px + 22px per leaf row.
  await expect(chart).toHaveCSS('height', `${120 + leafRows.length * 22}px`);
  await expect(page.getByTestId('pivot-status')).toHaveAttribute('data-status', 'ready');

  /** Each leaf cell's shading alpha (null = no inline background), by row and column. */
  const shading = () =>
    page.getByTestId('pivot-table').evaluate((el) =>
      [...el.querySelectorAll<HTMLElement>('tbody tr')].map((tr) => ({
        row: tr.dataset.row ?? '',
        alphas: [...tr.querySelectorAll<HTMLElement>('td[data-col]')].map((td) => {
          const bg = td.style.background || td.style.backgroundColor;
          if (!bg) return null;
          const m = /rgba\(14, 116, 144, ([\d.]+)\)/.exec(bg);
          return m ? Number(m[1]) : -1;
        }),
      })),
    );
  // Expected shading from Node: 0.1 + 0.6 × the value's position between the leaf minimum and maximum (a deep cyan whose strongest shade keeps 4.5:1 text contrast).
  const alpha = (m: 'users' | 'revenue', v: number) => {
    const vs = leafRows.map((c) => per.get(c)![m]);
    const lo = Math.min(...vs);
    const hi = Math.max(...vs);
    return 0.1 + (0.6 * (v - lo)) / (hi - lo);
  };
  const checkOn = async () => {
    const s = await shading();
    expect(s[0].row).toBe('total');
    expect(s[0].alphas, 'the total row is never shaded').toEqual([null, null]);
    for (const r of s.slice(1)) {
      const v = per.get(r.row)!;
      // The page rounds alpha to 3 decimals and Chromium stores it in 1/255 steps: allow 0.003.
      expect(Math.abs(r.alphas[0]! - alpha('users', v.users)), `${r.row} users shading ${r.alphas[0]}`).toBeLessThan(0.003);
      expect(Math.abs(r.alphas[1]! - alpha('revenue', v.revenue)), `${r.row} revenue shading ${r.alphas[1]}`).toBeLessThan(0.003);
    }
  };
  await checkOn();
  const shaded = page.getByTestId('pivot-table').locator('td[style*="background"]');
  await expect(shaded).toHaveCount(leafRows.length * 2);

  const toggle = page.getByLabel('Heat map shading');
  await expect(toggle).toBeChecked();
  await toggle.uncheck();
  await expect(shaded).toHaveCount(0);
  expect((await shading()).every((r) => r.alphas.every((a) => a === null))).toBe(true);
  await toggle.check();
  await expect(shaded).toHaveCount(leafRows.length * 2);
  await checkOn();
  // The chart is still the heat map after the table toggles.
  await expect(chart.locator('canvas').first()).toBeVisible();
  await expect(chart).toHaveCSS('height', `${120 + leafRows.length * 22}px`);
});
