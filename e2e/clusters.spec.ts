// The Clusters screen on the demo shop:
// 1. k-means through the UI (default features, seed set by hand) assigns every user exactly as a Node run with the
//    same seed (e2e/clusters-reference.ts); saved, the clusters are a Pivot dimension and a Funnels breakdown equal
//    to Node's counts over those users; a second run (another seed) is compared with the first (contingency table
//    and adjusted Rand index equal Node's); everything survives a reload.
// 2. Cancel ends a k scan at once and nothing changes; a run afterwards works; the k-distance plot suggests an eps
//    that DBSCAN then uses; a users filter (buyers) labels exactly Node's buyers; bad settings get clear messages.
import type { Page } from '@playwright/test';
import { test, expect, waitForApp } from './fixtures.ts';
import { violations } from './axe.ts';
import { DEFAULT_PARAMS } from '../src/data/generator/params.ts';
import { DEFAULT_FEATURES } from '../src/ml/features.ts';
import { DEFAULT_FUNNEL } from '../src/analyses/funnel/index.ts';
import { adjustedRandIndex } from '../src/ml/metrics.ts';
import { centroidDefinition, nearestCentre, readCentroidModel } from '../src/ml/centroid-model.ts';
import type { ClusterSpec } from '../src/ml/pipeline.ts';
import { nodeClusters, type NodeClusters } from './clusters-reference.ts';
import { funnel, shopRows, stepsOf, DAY_MS, HOUR_MS } from './funnel-reference.ts';
import { expectTable, pivotUrl } from './pivot-page.ts';
import { probeRows } from './fault-kit.ts';
import { ordersByUser, shopData } from './segments-reference.ts';
import { shot } from './shots.ts';

// The tests here take turns in the worker's shared browser (fixtures.ts: one that changed the data ends it).
test.use({ shared: true });

const clustersUrl = (view: unknown) => `./#/clusters?c=${encodeURIComponent(JSON.stringify(view))}`;
/** The spec the screen runs for k-means with its defaults and this seed. */
const kmeansSpec = (seed: number): ClusterSpec => ({ algorithm: 'kmeans', k: 4, seed, restarts: 4, preprocessing: { log1p: true, scaling: 'standard' } });

async function runOnScreen(page: Page, seed: number): Promise<void> {
  await page.getByTestId('cluster-seed').fill(String(seed));
  await page.getByTestId('cluster-seed').press('Tab');
  await expect(page).toHaveURL(new RegExp(`seed%22%3A${seed}`));
  await page.getByTestId('cluster-run').click();
  await expect(page.getByTestId('cluster-result')).toBeVisible({ timeout: 90_000 });
}

/** The stored label of every user, in user_id order. */
async function storedLabels(page: Page, column: string): Promise<Map<string, string>> {
  const rows = await probeRows(page, `SELECT user_id, "${column}" AS v FROM user_segments`);
  return new Map(rows.map((r) => [String(r.user_id), String(r.v)]));
}

/** Node's label name of every user. */
function nodeLabels(n: NodeClusters): Map<string, string> {
  return new Map(n.userIds.map((u, i) => [u, n.run.names[n.run.labels[i]]]));
}

test('k-means in the UI equals Node with the same seed; saved, it is a Pivot dimension and a Funnels breakdown; two runs compared; a reload keeps it', async ({ page }) => {
  test.setTimeout(300_000);
  const [a, b] = await Promise.all([nodeClusters(DEFAULT_PARAMS, DEFAULT_FEATURES, kmeansSpec(7)), nodeClusters(DEFAULT_PARAMS, DEFAULT_FEATURES, kmeansSpec(8))]);
  expect(a.run.k).toBe(4);
  expect(Math.min(...a.run.sizes), 'no cluster is empty').toBeGreaterThan(0);

  await page.goto('./#/clusters');
  await waitForApp(page);
  await expect(page.getByTestId('matrix-preview')).toContainText(`${DEFAULT_PARAMS.users.toLocaleString('en-US')} users × ${DEFAULT_FEATURES.length} columns`, { timeout: 60_000 });
  await runOnScreen(page, 7);
  // A run's result passes axe-core (issue 18).
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0, { timeout: 30_000 });
  expect(await violations(page, 'clusters (result)')).toEqual([]);
  await expect(page.getByTestId('cluster-result')).toHaveAttribute('data-k', '4');
  for (let i = 0; i < 4; i++) await expect(page.getByTestId(`cluster-name-${i}`)).toHaveValue(a.run.names[i]);
  await expect(page.getByTestId('distributions').locator('canvas').first()).toBeVisible();
  await shot(page, '/tmp/strata-clusters.png', true);

  await page.getByTestId('cluster-save-name').fill('Seed seven');
  await page.getByTestId('cluster-save').click();
  await expect(page.getByTestId('cluster-saved')).toContainText('s.cluster_seed_seven', { timeout: 30_000 });
  const mine = await storedLabels(page, 'cluster_seed_seven');
  expect(mine.size).toBe(DEFAULT_PARAMS.users);
  const want = nodeLabels(a);
  let differ = 0;
  for (const [u, l] of want) if (mine.get(u) !== l) differ++;
  expect(differ, 'users whose browser cluster differs from Node').toBe(0);

  // Pivot: users per cluster at the users grain equal Node's sizes.
  await page.goto(pivotUrl({ grain: 'users', rows: [{ field: 's.cluster_seed_seven', bucket: { kind: 'none' } }], cols: [], measures: [{ agg: 'users' }] }));
  await expectTable(page, (t) => {
    for (let c = 0; c < 4; c++) {
      const row = t.rows.find((r) => r.row === a.run.names[c]);
      expect(row, `a pivot row for ${a.run.names[c]}`).toBeTruthy();
      expect(Number(row!.values[0])).toBe(a.run.sizes[c]);
    }
  });

  // Funnels: the default funnel broken down by cluster; each group equals Node's funnel over its users.
  const ref = funnel(await shopRows(DEFAULT_PARAMS), {
    steps: DEFAULT_FUNNEL.steps.map((s) => s.eventType), order: DEFAULT_FUNNEL.order,
    windowMs: DEFAULT_FUNNEL.window ? DEFAULT_FUNNEL.window.value * { minute: 60_000, hour: HOUR_MS, day: DAY_MS }[DEFAULT_FUNNEL.window.unit] : null,
    countBy: DEFAULT_FUNNEL.countBy,
  });
  await page.goto(`./#/funnels?f=${encodeURIComponent(JSON.stringify({ breakdown: { kind: 'field', field: 's.cluster_seed_seven', top: 5 } }))}`);
  await expect(async () => {
    for (let c = 0; c < 4; c++) {
      const expected = stepsOf(ref.units.filter((u) => want.get(u.user) === a.run.names[c]), DEFAULT_FUNNEL.steps.length).map((s) => s.count);
      const cells = await page.getByTestId('funnel-breakdown').locator(`tr[data-group="${a.run.names[c]}"] td.num[data-value]`)
        .evaluateAll((tds) => tds.map((td) => Number((td as HTMLElement).dataset.value)));
      expect(cells.slice(0, expected.length), a.run.names[c]).toEqual(expected);
    }
  }).toPass({ timeout: 60_000 });

  // A second run with another seed, saved, compared with the first: the table and the ARI are Node's.
  await page.goto('./#/clusters');
  await waitForApp(page);
  await runOnScreen(page, 8);
  await page.getByTestId('cluster-save-name').fill('Seed eight');
  await page.getByTestId('cluster-save').click();
  await expect(page.getByTestId('cluster-saved')).toContainText('s.cluster_seed_eight', { timeout: 30_000 });
  await page.getByTestId('compare-a').selectOption('cluster_seed_seven');
  await page.getByTestId('compare-b').selectOption('cluster_seed_eight');
  await page.getByTestId('compare-run').click();
  const ari = adjustedRandIndex(a.run.labels, b.run.labels);
  await expect(page.getByTestId('compare-ari')).toBeVisible({ timeout: 30_000 });
  expect(Number(await page.getByTestId('compare-ari').getAttribute('data-value'))).toBeCloseTo(ari, 12);
  const wantB = nodeLabels(b);
  for (let c = 0; c < 4; c++) {
    for (let d = 0; d < 4; d++) {
      let n = 0;
      for (const [u, l] of want) if (l === a.run.names[c] && wantB.get(u) === b.run.names[d]) n++;
      const cell = page.getByTestId('contingency').locator(`tr[data-row="${a.run.names[c]}"] td[data-col="${b.run.names[d]}"]`);
      if (n) await expect(cell).toHaveText(n.toLocaleString('en-US'));
      else await expect(cell).toHaveText(/^0$|^$/);
    }
  }

  // A reload keeps both runs: listed with their sizes, and still a field.
  await page.reload();
  await waitForApp(page);
  const saved = page.getByTestId('saved-clusterings');
  await expect(saved.locator('tr[data-column="cluster_seed_seven"]')).toBeVisible({ timeout: 60_000 });
  await expect(saved.locator('tr[data-column="cluster_seed_seven"] [data-testid="saved-sizes"]')).toHaveText(a.run.names.map((n, i) => `${n}: ${a.run.sizes[i].toLocaleString('en-US')}`).join(' · '));
  await expect(saved.locator('tr[data-column="cluster_seed_eight"]')).toBeVisible();
  expect(await storedLabels(page, 'cluster_seed_seven')).toEqual(mine);

  // Predictions' "one customer": a typed customer's learned segment is the nearest saved centre. In Node, every
  // user's own values land in their own k-means cluster; in the page, three customers' values (one per cluster)
  // read through the screen land where Node says.
  const model = readCentroidModel(JSON.stringify({ algorithm: 'kmeans', fieldIds: DEFAULT_FEATURES, names: a.run.names, ...centroidDefinition(a.run.preprocessing.transforms, a.run.centres) }))!;
  const d = a.columns.length;
  const nodeNearest = a.userIds.map((_, i) => nearestCentre(model, Object.fromEntries(a.columns.map((c, j) => [c.name, a.raw[i * d + j]]))).name);
  expect(nodeNearest.filter((n, i) => n !== a.run.names[a.run.labels[i]]).length, 'users whose nearest centre is not their cluster').toBe(0);
  for (let c = 0; c < 3; c++) {
    const i = a.run.labels.indexOf(c);
    const who = a.userIds[i];
    await page.goto(`./#/predict?p=${encodeURIComponent(JSON.stringify({ user: who }))}`);
    await waitForApp(page);
    await expect(page.getByTestId('customer-segments')).toBeVisible({ timeout: 30_000 });
    // Same screen, another user: the "What if" section stays as it was (open after the first customer).
    if ((await page.getByTestId('whatif').getAttribute('open')) === null) await page.getByTestId('whatif').locator('summary').click();
    await page.getByTestId('nearest-model').selectOption('cluster_seed_seven');
    await page.getByTestId('nearest-fill').click();
    await expect(page.getByTestId('nearest-result')).toContainText(`Nearest centre: ${nodeNearest[i]} (stored label of ${who}: ${a.run.names[c]})`, { timeout: 30_000 });
  }
  await shot(page.getByTestId('nearest'), 'test-results/nearest-segment.png');
});

test('Cancel ends a k scan at once and changes nothing; DBSCAN takes eps from the k-distance plot; buyers only; bad settings get clear messages', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('./#/clusters');
  await waitForApp(page);
  await expect(page.getByTestId('matrix-preview')).toBeVisible({ timeout: 60_000 });
  const before = await probeRows(page, 'SELECT count(*)::INTEGER AS n FROM segmentations');

  await page.getByTestId('cluster-scan').click();
  const cancel = page.getByRole('button', { name: 'Cancel' });
  await expect(cancel).toBeVisible();
  await cancel.click();
  // (How fast is the benchmark's business; no wall-clock limit here.)
  await expect(page.getByTestId('cluster-error')).toHaveText('Cancelled — nothing was changed.');
  await expect(cancel).toHaveCount(0);
  await expect(page.getByTestId('scan-why')).toHaveCount(0);
  expect(await probeRows(page, 'SELECT count(*)::INTEGER AS n FROM segmentations')).toEqual(before);

  // DBSCAN: without eps a message; the k-distance plot suggests one; the run uses it.
  await page.goto(clustersUrl({ algorithm: 'dbscan', minPts: 10 }));
  await page.getByTestId('cluster-run').click();
  await expect(page.getByTestId('cluster-error')).toContainText('DBSCAN needs a neighbourhood radius (eps) above 0', { timeout: 30_000 });
  await page.getByTestId('cluster-kdist').click();
  await expect(page.getByTestId('use-eps')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('use-eps').click();
  await expect(page).toHaveURL(/eps%22%3A\d/);
  await page.getByTestId('cluster-run').click();
  await expect(page.getByTestId('cluster-result')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('cluster-result')).toContainText('DBSCAN');

  // Customers only (a users filter): Node's buyers are clustered, everyone else gets no cluster.
  const buyers = [...ordersByUser(await shopData(DEFAULT_PARAMS))].filter(([, n]) => n >= 1).map(([u]) => u).sort();
  await page.goto(clustersUrl({ users: { op: 'and', items: [{ field: 'm.orders', op: '>=', value: 1 }] } }));
  await expect(page.getByTestId('matrix-preview')).toContainText(`${buyers.length.toLocaleString('en-US')} users ×`, { timeout: 60_000 });
  await page.getByTestId('cluster-run').click();
  await expect(page.getByTestId('cluster-result')).toContainText('K-means', { timeout: 90_000 });
  await page.getByTestId('cluster-save-name').fill('Buyers');
  await page.getByTestId('cluster-save').click();
  await expect(page.getByTestId('cluster-saved')).toContainText('s.cluster_buyers', { timeout: 30_000 });
  const labelled = await probeRows(page, 'SELECT user_id FROM user_segments WHERE cluster_buyers IS NOT NULL ORDER BY user_id');
  expect(labelled.map((r) => String(r.user_id))).toEqual(buyers);

  // No features, and a bad link: messages, and the screen keeps working.
  await page.goto(clustersUrl({ features: [] }));
  await expect(page.getByRole('alert').filter({ hasText: 'Pick at least one feature.' })).toBeVisible({ timeout: 30_000 });
  await page.goto(clustersUrl({ k: 500 }));
  await expect(page.getByRole('alert').filter({ hasText: 'The number of clusters (k) must be a whole number from 1 to 50.' })).toBeVisible();
  await page.goto(clustersUrl({ features: ['m.nope'] }));
  await expect(page.getByRole('alert').filter({ hasText: /nope/ })).toBeVisible({ timeout: 30_000 });
});
