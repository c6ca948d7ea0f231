// The returning visit's cached Overview: what is kept, what identifies it, and what is refused.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { cacheMatches, clearDashboardCache, datasetStamp, demoStamp, overviewFigures, readDashboardCache, specKey, writeDashboardCache } from '../src/state/dashboard-cache.ts';
import { DEFAULT_OVERVIEW, type OverviewResults } from '../src/analyses/overview/index.ts';

/** A Map-backed localStorage with a size quota, like the browser's. */
class FakeStorage {
  items = new Map<string, string>();
  constructor(private quota = Infinity) {}
  getItem(k: string) { return this.items.get(k) ?? null; }
  setItem(k: string, v: string) {
    if (v.length > this.quota) throw new DOMException('full', 'QuotaExceededError');
    this.items.set(k, v);
  }
  removeItem(k: string) { this.items.delete(k); }
}
const g = globalThis as unknown as { localStorage?: FakeStorage };

const kpis = { users: 4497, activeUsers: 1429, buyers: 1162, repeatBuyers: 427, orders: 2487, revenue: 207526.51, refunds: 4514.15, aov: 83.44, purchaseConversion: 0.258, repeatPurchaseRate: 0.367 } as unknown as OverviewResults['kpis'];
const results: Partial<OverviewResults> = {
  kpis,
  churn: [{ band: 'low', customers: 10, revenue: 100 }] as unknown as OverviewResults['churn'],
  customers: { points: [{ userId: 'U1', spend: 1, orders: 1, daysSinceLastPurchase: 1, band: 'low' }], total: 1, sampled: false } as OverviewResults['customers'],
};
const rec = { id: 1, createdAt: 1796296443882, events: 78506, users: 5000 };

beforeEach(() => {
  g.localStorage = new FakeStorage();
});

test('round trip: every panel but the customers scatter, with its dataset, view and currency', () => {
  writeDashboardCache(datasetStamp(rec), specKey(DEFAULT_OVERVIEW), 'EUR', results);
  const c = readDashboardCache();
  assert.ok(c);
  assert.equal(c.dataset, '1:1796296443882:78506:5000');
  assert.equal(c.spec, specKey(DEFAULT_OVERVIEW));
  assert.equal(c.currency, 'EUR');
  assert.deepEqual(c.results.kpis, kpis);
  assert.deepEqual(c.results.churn, results.churn);
  assert.equal('customers' in c.results, false);
  clearDashboardCache();
  assert.equal(readDashboardCache(), null);
});

test('the stamp changes with the counts (a live append) and the key with every setting that changes an answer', () => {
  assert.notEqual(datasetStamp(rec), datasetStamp({ ...rec, events: rec.events + 1 }));
  assert.notEqual(datasetStamp(rec), datasetStamp({ ...rec, createdAt: rec.createdAt + 1 }));
  const base = specKey(DEFAULT_OVERVIEW);
  const variants = [
    { ...DEFAULT_OVERVIEW, from: '2025-01-01' },
    { ...DEFAULT_OVERVIEW, to: '2025-06-30' },
    { ...DEFAULT_OVERVIEW, grain: 'week' as const },
    { ...DEFAULT_OVERVIEW, geo: 'region' as const },
    { ...DEFAULT_OVERVIEW, churn: { medium: 60, high: 180 } },
    { ...DEFAULT_OVERVIEW, churn: { medium: 90, high: 200 } },
    { ...DEFAULT_OVERVIEW, segment: { column: 'rfm', value: 'Champions' } },
  ];
  const keys = variants.map((v) => specKey(v));
  assert.equal(new Set([base, ...keys]).size, variants.length + 1);
});

test('nothing without KPIs, nothing malformed, nothing over the size cap, and a full storage is not an error', () => {
  writeDashboardCache('1:2:3:4', 'k', 'USD', { churn: results.churn });
  assert.equal(readDashboardCache(), null);
  g.localStorage!.setItem('strata:last-overview', '{"dataset":1}');
  assert.equal(readDashboardCache(), null);
  g.localStorage!.setItem('strata:last-overview', 'not json');
  assert.equal(readDashboardCache(), null);
  // Over 200,000 characters: the old entry is removed rather than kept stale.
  writeDashboardCache('1:2:3:4', 'k', 'USD', results);
  assert.ok(readDashboardCache());
  const huge = { ...results, categories: Array.from({ length: 5000 }, (_, i) => ({ category: `c${i}`.padEnd(40, 'x'), transactions: i, revenue: i, aov: i, customers: i })) } as unknown as Partial<OverviewResults>;
  writeDashboardCache('1:2:3:4', 'k', 'USD', huge);
  assert.equal(readDashboardCache(), null);
  g.localStorage = new FakeStorage(10);
  assert.doesNotThrow(() => writeDashboardCache('1:2:3:4', 'k', 'USD', results));
  assert.equal(readDashboardCache(), null);
  delete g.localStorage;
  assert.doesNotThrow(() => writeDashboardCache('1:2:3:4', 'k', 'USD', results));
  assert.equal(readDashboardCache(), null);
});

test("the build's demo preview belongs to any demo shop of the same parameters and counts, and to nothing else", () => {
  const params = JSON.stringify({ users: 5000, days: 365, seed: 42 });
  const preview = { dataset: demoStamp(params, 78506, 5000), preview: true as const };
  const demo = { ...rec, kind: 'demo' as const, meta: params };
  assert.equal(cacheMatches(preview, demo), true);
  assert.equal(cacheMatches(preview, { ...demo, id: 7, createdAt: 1 }), true, 'whenever and under whatever id it was generated');
  assert.equal(cacheMatches(preview, { ...demo, events: 78507 }), false, 'a live append changes the counts');
  assert.equal(cacheMatches(preview, { ...demo, users: 4999 }), false);
  assert.equal(cacheMatches(preview, { ...demo, meta: JSON.stringify({ users: 5000, days: 365, seed: 43 }) }), false, 'another seed');
  assert.equal(cacheMatches(preview, { ...demo, kind: 'import' }), false, 'an import is never a demo shop');
  assert.equal(cacheMatches(preview, { ...demo, meta: null }), false);
  // Without the preview mark the same text is not accepted for a demo shop (only the exact dataset stamp is).
  assert.equal(cacheMatches({ dataset: preview.dataset }, demo), false);
  assert.equal(cacheMatches({ dataset: datasetStamp(demo) }, demo), true, 'a last visit: the same dataset');
  assert.equal(cacheMatches({ dataset: datasetStamp(demo), preview: true }, { ...demo, id: 2 }), false);
});

test('overviewFigures: the cached panels of a shop, through JSON, without the scatter', async () => {
  const { openNodeDb } = await import('../src/db/node-db.ts');
  const { loadShop } = await import('../src/data/generator/index.ts');
  const db = await openNodeDb({ threads: 1 });
  try {
    await loadShop(db, { users: 300, days: 60, seed: 3 });
    const figures = await overviewFigures(db, DEFAULT_OVERVIEW);
    assert.deepEqual(Object.keys(figures).sort(), ['categories', 'churn', 'geography', 'kpis', 'revenueOverTime', 'trafficSources']);
    // Checked against the events themselves, not the panels' SQL: buyers, orders and revenue of purchases.
    const ev = (await db.query("SELECT user_id, order_id, revenue FROM events WHERE event_type = 'purchase'")).toArray().map((r) => r.toJSON());
    const orders = new Set(ev.map((r) => r.order_id)).size;
    assert.ok(orders > 0);
    assert.equal(figures.kpis!.orders, orders);
    assert.equal(figures.kpis!.buyers, new Set(ev.map((r) => r.user_id)).size);
    const churned = figures.churn!.reduce((t, b) => t + b.customers, 0);
    assert.equal(churned, figures.kpis!.buyers, 'every buyer is in one churn band');
  } finally {
    await db.close();
  }
});
