// The playbook's figures per segment (src/analyses/predict/playbook.ts) against a plain loop over the same users,
// the risk–value matrix, and the rule table on hand-worked figures. Native DuckDB and DuckDB-WASM.
// Run: TZ=UTC node --import tsx --test tests/predict-playbook.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { decodePlaybook, decodeRiskValue, playbookSql, riskValueSql } from '../src/analyses/predict/playbook.ts';
import { recommend, type Figures } from '../src/analyses/predict/recommend.ts';
import { Prng } from '../src/ml/random.ts';

interface U { id: string; tier: string | null; orders: number; revenue: number; events: number; clv: number | null; churn: number | null; alive: number | null; purchases: number | null }

function fixture(): U[] {
  const rng = new Prng(4);
  const tiers = ['gold', 'silver', 'bronze', null];
  return Array.from({ length: 60 }, (_, i) => {
    const orders = i % 5 === 0 ? 0 : 1 + (i % 4);
    const scored = i % 7 !== 0;
    return {
      id: `u${String(i).padStart(2, '0')}`, tier: tiers[i % 4], orders, revenue: orders ? Math.round(orders * (10 + rng.next() * 90) * 100) / 100 : 0,
      events: 1 + (i % 9), clv: scored && orders ? Math.round(rng.next() * 500) : null, churn: scored ? Math.round(rng.next() * 100) / 100 : null,
      alive: scored && orders ? Math.round(rng.next() * 100) / 100 : null, purchases: scored && orders ? Math.round(rng.next() * 40) / 10 : null,
    };
  });
}

const q = (sorted: number[], p: number) => {
  // quantile_cont: linear interpolation between closest ranks.
  const h = (sorted.length - 1) * p, lo = Math.floor(h);
  return sorted.length ? sorted[lo] + (h - lo) * ((sorted[lo + 1] ?? sorted[lo]) - sorted[lo]) : null;
};
const spread = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  return { mean: v.length ? v.reduce((a, b) => a + b, 0) / v.length : null, p25: q(v, 0.25), p75: q(v, 0.75) };
};

/** The loop reference for one group of users. */
function expected(us: U[], all: U[], segment: string | null) {
  const aovs = all.filter((u) => u.orders > 0).map((u) => u.revenue / u.orders).sort((a, b) => a - b);
  const medAov = q(aovs, 0.5)!;
  const cust = us.filter((u) => u.orders > 0);
  const totalRevenue = all.reduce((s, u) => s + u.revenue, 0);
  return {
    segment, users: us.length, customers: cust.length, revenue: us.reduce((s, u) => s + u.revenue, 0),
    revenueShare: us.reduce((s, u) => s + u.revenue, 0) / totalRevenue, eventsPerUser: us.reduce((s, u) => s + u.events, 0) / us.length,
    aov: cust.length ? cust.reduce((s, u) => s + u.revenue / u.orders, 0) / cust.length : null,
    clv: spread(us.map((u) => u.clv)), churn: spread(us.map((u) => u.churn)), alive: spread(us.map((u) => u.alive)),
    revenueAtRisk: us.reduce((s, u) => s + (u.clv !== null && u.churn !== null ? u.clv * u.churn : 0), 0),
    upsell: cust.reduce((s, u) => s + (u.purchases !== null ? u.purchases * Math.max(0, medAov - u.revenue / u.orders) : 0), 0),
  };
}

function approx(a: unknown, b: unknown, path = ''): void {
  if (typeof b === 'number') {
    assert.ok(typeof a === 'number' && Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(b)), `${path}: ${a} vs ${b}`);
  } else if (b && typeof b === 'object') {
    for (const k of Object.keys(b)) approx((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
  } else assert.equal(a, b, path);
}

function suite(name: string, open: () => Promise<Db>) {
  describe(`playbook figures (${name})`, () => {
    test('every segment and the total equal the loop; the risk–value quadrants too', async () => {
      const db = await open();
      try {
        const us = fixture();
        const v = (x: number | null) => (x === null ? 'NULL' : String(x));
        const s = (x: string | null) => (x === null ? 'NULL' : `'${x}'`);
        await db.exec(`CREATE TABLE users (user_id VARCHAR); CREATE TABLE user_metrics (user_id VARCHAR, orders BIGINT, revenue DOUBLE, events BIGINT, aov DOUBLE);
          CREATE TABLE user_segments (user_id VARCHAR, tier VARCHAR, predicted_clv DOUBLE, predicted_churn DOUBLE, p_alive DOUBLE, expected_purchases DOUBLE);
          INSERT INTO users VALUES ${us.map((u) => `('${u.id}')`).join(', ')};
          INSERT INTO user_metrics VALUES ${us.map((u) => `('${u.id}', ${u.orders}, ${u.revenue}, ${u.events}, ${u.orders ? u.revenue / u.orders : 'NULL'})`).join(', ')};
          INSERT INTO user_segments VALUES ${us.map((u) => `('${u.id}', ${s(u.tier)}, ${v(u.clv)}, ${v(u.churn)}, ${v(u.alive)}, ${v(u.purchases)})`).join(', ')};`);
        const pq = playbookSql('tier');
        const got = decodePlaybook(await db.query(pq.text, pq.params));
        approx(got.total, expected(us, us, null), 'total');
        assert.deepEqual(got.segments.map((x) => x.segment), ['(none)', 'bronze', 'gold', 'silver']);
        for (const g of got.segments) approx(g, expected(us.filter((u) => (u.tier ?? '(none)') === g.segment), us, g.segment), g.segment!);
        const rv = decodeRiskValue(await db.query(riskValueSql(0.5).text, riskValueSql(0.5).params));
        const both = us.filter((u) => u.churn !== null && u.clv !== null);
        const med = q(both.map((u) => u.clv!).sort((a, b) => a - b), 0.5)!;
        for (const quad of rv) {
          const inQ = both.filter((u) => (u.churn! >= 0.5) === quad.highRisk && (u.clv! >= med) === quad.highValue);
          approx(quad, { highRisk: quad.highRisk, highValue: quad.highValue, users: inQ.length, revenue: inQ.reduce((a, u) => a + u.revenue, 0), clv: inQ.reduce((a, u) => a + u.clv!, 0) });
        }
        assert.equal(rv.reduce((a, x) => a + x.users, 0), both.length);
      } finally {
        await db.close();
      }
    });
  });
}

suite('native DuckDB', () => openNodeDb());
suite('DuckDB-WASM', () => openWasmDb());

test('the rule table: each rule fires on its figures (and says them), RFM names add their action', () => {
  const all: Figures = { segment: null, clv: { mean: 200, p25: 0, p75: 0 }, churn: { mean: 0.4, p25: 0, p75: 0 }, alive: { mean: 0.7, p25: 0, p75: 0 }, eventsPerUser: 20 };
  const seg = (clv: number, churn: number, alive: number, events: number, segment = 'x'): Figures => ({ segment, clv: { mean: clv, p25: 0, p75: 0 }, churn: { mean: churn, p25: 0, p75: 0 }, alive: { mean: alive, p25: 0, p75: 0 }, eventsPerUser: events });
  assert.deepEqual(recommend(seg(400, 0.62, 0.5, 20), all).map((r) => r.id), ['priority-retention', 'vip', 'win-back']);
  assert.equal(recommend(seg(400, 0.62, 0.5, 20), all)[2].figures, 'churn risk 62% ≥ 50%');
  assert.deepEqual(recommend(seg(80, 0.2, 0.9, 5), all).map((r) => r.id), ['onboarding', 'upsell', 'potential']);
  // Alive by BG/NBD (one-time buyers: P(alive) = 1) but likely to churn: not "potential".
  assert.deepEqual(recommend(seg(80, 0.9, 1, 20), all).map((r) => r.id), ['win-back', 'upsell']);
  assert.deepEqual(recommend(seg(200, 0.4, 0.7, 20), all).map((r) => r.id), []);
  const champions = recommend(seg(300, 0.1, 0.95, 30, 'Champions'), all);
  assert.deepEqual(champions.map((r) => r.id), ['vip', 'rfm']);
  assert.match(champions[1].action, /Reward them/);
  assert.deepEqual(recommend({ ...seg(0, 0, 0, 20), clv: { mean: null, p25: null, p75: null }, churn: { mean: null, p25: null, p75: null }, alive: { mean: null, p25: null, p75: null } }, all), []);
});
