// Relational shop exports (issue 15): an Olist-shaped export of five files imports with zero edits; lines take
// their order's customer and time, persons replace per-order customer keys, statuses decide sale / refund / not a
// sale, and the report names the joins, both revenue totals and every problem. Expected figures are worked out by
// hand in tests/fixtures/relational/olist.ts.
// Run: TZ=UTC node --import tsx --test tests/import-relational.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { importFiles, rows, scratchDir, writeFixture } from './fixtures/import/support.ts';
import { OLIST } from './fixtures/relational/olist.ts';
import { DEFAULT_OVERVIEW, decodeKpis, kpisSql } from '../src/analyses/overview/index.ts';

function suite(backend: string, open: () => Promise<Db>): void {
  describe(`relational import (${backend})`, () => {
    test('Olist-shaped export: zero edits, persons, statuses, lines vs payments', async () => {
      const tmp = scratchDir();
      const db = await open();
      try {
        const paths = Object.entries(OLIST).map(([n, t]) => writeFixture(tmp.dir, n, t));
        const { report, mappings } = await importFiles(db, paths);
        assert.deepEqual(mappings.map((m) => m.role), ['users', 'orders', 'transactions', 'payments', 'products']);
        const target = (i: number, col: string) => mappings[i].columns.find((c) => c.column === col)?.target;
        assert.deepEqual(
          [target(0, 'customer_id'), target(0, 'customer_unique_id'), target(0, 'customer_city'), target(0, 'customer_state')],
          ['user_id', 'person_id', 'city', 'region'],
        );
        assert.deepEqual([target(1, 'order_status'), target(1, 'order_purchase_timestamp'), target(1, 'customer_id')], ['status', 'ts', 'user_id']);
        assert.deepEqual([target(2, 'order_id'), target(2, 'product_id'), target(2, 'price'), target(2, 'freight_value'), target(2, 'order_item_id')], ['order_id', 'product_id', 'price', 'shipping', 'keep']);
        assert.deepEqual([target(3, 'payment_type'), target(3, 'payment_value')], ['payment_method', 'revenue']);
        assert.equal(target(4, 'product_category_name'), 'category');

        const t = report.totals;
        assert.deepEqual([t.events, t.users, t.buyers, t.orders, t.revenue, t.refunds], [7, 3, 3, 4, 420, 20]);
        assert.deepEqual(t.eventsByType, { purchase: 6, refund: 1 });
        assert.deepEqual(report.persons, { keys: 5, persons: 3 });
        const k = decodeKpis(await db.query(kpisSql(DEFAULT_OVERVIEW).text, kpisSql(DEFAULT_OVERVIEW).params));
        assert.deepEqual([k.users, k.buyers, k.orders, k.revenue, k.refunds], [3, 3, 4, 420, 20]);
        // Repeat persons: P1 bought twice (o1 with key c1, o2 with key c2).
        assert.deepEqual(await rows(db, `SELECT user_id, orders, revenue, refunds FROM user_metrics ORDER BY user_id`), [
          { user_id: 'P1', orders: 2, revenue: 120, refunds: 0 },
          { user_id: 'P2', orders: 1, revenue: 100, refunds: 20 },
          { user_id: 'P3', orders: 1, revenue: 200, refunds: 0 },
        ]);
        assert.deepEqual(await rows(db, `SELECT strftime(ts, '%Y-%m') AS m, count(DISTINCT order_id)::INTEGER AS n FROM events WHERE event_type = 'purchase' GROUP BY 1 ORDER BY 1`),
          [{ m: '2018-01', n: 2 }, { m: '2018-02', n: 1 }, { m: '2018-03', n: 1 }]);
        assert.deepEqual(await rows(db, `SELECT u.region, sum(e.revenue) AS r FROM events e JOIN users u USING (user_id) WHERE e.event_type = 'purchase' GROUP BY 1 ORDER BY 1`),
          [{ region: 'MG', r: 200 }, { region: 'RJ', r: 100 }, { region: 'SP', r: 120 }]);
        assert.deepEqual(await rows(db, `SELECT category, sum(revenue) AS r FROM events WHERE event_type = 'purchase' GROUP BY 1 ORDER BY r DESC`),
          [{ category: 'moveis', r: 300 }, { category: 'beleza_saude', r: 100 }, { category: 'informatica', r: 20 }]);
        // The person's city is the first customers row's (c1 → sao paulo for P1; c3's repeat row is set aside).
        assert.deepEqual(await rows(db, `SELECT user_id, city, region FROM users ORDER BY user_id`), [
          { user_id: 'P1', city: 'sao paulo', region: 'SP' }, { user_id: 'P2', city: 'rio de janeiro', region: 'RJ' }, { user_id: 'P3', city: 'belo horizonte', region: 'MG' },
        ]);
        // Order time comes from the orders file; shipping is its own column.
        assert.deepEqual(await rows(db, `SELECT order_id, strftime(ts, '%Y-%m-%d %H:%M') AS ts, shipping FROM events WHERE order_id = 'o1' ORDER BY product_id`),
          [{ order_id: 'o1', ts: '2018-01-05 10:00', shipping: 10 }, { order_id: 'o1', ts: '2018-01-05 10:00', shipping: 5 }]);

        // The report: each file's problems with counts, the joins, both totals, the statuses.
        const aside = (i: number) => Object.fromEntries(report.files[i].setAside.map((g) => [g.reason, g.count]));
        assert.deepEqual(aside(0), { duplicate_user: 1 });
        assert.deepEqual(aside(1), { duplicate_order: 1 });
        assert.deepEqual(aside(2), { not_a_sale: 1, no_order: 1 });
        assert.match(report.files[2].setAside.find((g) => g.reason === 'no_order')!.samples[0].text, /^o9,1,pA/);
        assert.deepEqual(aside(3), {});
        assert.deepEqual(report.files[2].refunds!.map((r) => [r.rule, r.count]), [['status', 1]]);
        const rel = report.relational!;
        assert.deepEqual(rel.joins.map((j) => [j.key, j.rows, j.matched]), [['order_id', 9, 8], ['order_id', 9, 8], ['user_id', 7, 7]]);
        assert.deepEqual([rel.revenueFrom, rel.linesRevenue, rel.paymentsTotal, rel.ordersTotal, rel.shipping, rel.ordersWithoutLines], ['lines', 420, 512, null, 62, 1]);
        assert.deepEqual(rel.statuses.map((s) => [s.status, s.meaning, s.orders]), [['delivered', 'purchase', 4], ['canceled', 'not_sale', 1], ['refunded', 'refund', 1], ['shipped', 'purchase', 1]]);
      } finally {
        await db.close();
        tmp.cleanup();
      }
    });

    test('orders and payments without lines: one purchase per order, revenue from payments; an edited status', async () => {
      const tmp = scratchDir();
      const db = await open();
      try {
        const files = { orders: OLIST['olist_orders_dataset.csv'], payments: OLIST['olist_order_payments_dataset.csv'], customers: OLIST['olist_customers_dataset.csv'] };
        const paths = Object.entries(files).map(([n, t]) => writeFixture(tmp.dir, `${n}.csv`, t));
        // The user says "shipped" is not a sale yet.
        const { report } = await importFiles(db, paths, { edit: (m) => { m[0].statuses = { shipped: 'not_sale' }; } });
        // Sold: o1 85, o2 58, o5 200 + 24, o7 30 = 397; o3 (shipped) and o4 (canceled) are not sales; o6 a refund of 24.
        const t = report.totals;
        assert.deepEqual([t.orders, t.revenue, t.refunds, t.buyers], [4, 397, 24, 2]);
        assert.equal(report.relational!.revenueFrom, 'payments');
        assert.deepEqual(Object.fromEntries(report.files[0].setAside.map((g) => [g.reason, g.count])), { not_a_sale: 2, duplicate_order: 1 });
        assert.deepEqual(await rows(db, `SELECT user_id, orders FROM user_metrics WHERE orders > 0 ORDER BY user_id`), [{ user_id: 'P1', orders: 2 }, { user_id: 'P3', orders: 2 }]);
      } finally {
        await db.close();
        tmp.cleanup();
      }
    });

    test('bad input: payments without orders, and lines without orders or a user, are clear messages', async () => {
      const tmp = scratchDir();
      const db = await open();
      try {
        const pay = writeFixture(tmp.dir, 'payments.csv', OLIST['olist_order_payments_dataset.csv']);
        const items = writeFixture(tmp.dir, 'items.csv', OLIST['olist_order_items_dataset.csv']);
        await assert.rejects(importFiles(db, [items, pay]), /payments file needs the orders file/);
        await assert.rejects(importFiles(db, [items]), /no usable user id and time column/);
        // A join key with no overlap: no line finds its order, and the message says so.
        const orders = writeFixture(tmp.dir, 'orders.csv', OLIST['olist_orders_dataset.csv'].replaceAll(/^o(\d)/gm, 'x$1'));
        await assert.rejects(importFiles(db, [orders, items]), /None of the 9 rows of items\.csv could be loaded\. The most common reason: its order id is not in the orders file/);
      } finally {
        await db.close();
        tmp.cleanup();
      }
    });
  });
}

suite('native DuckDB', () => openNodeDb());
suite('DuckDB-WASM', () => openWasmDb());

for (const [backend, open] of [['native DuckDB', openNodeDb], ['DuckDB-WASM', openWasmDb]] as const) {
  test(`the joins proposed before importing, each checked on a sample of keys (${backend})`, async () => {
    const { proposedJoins, joinOverlap } = await import('../src/data/import/joins.ts');
    const { detect, probe } = await import('../src/data/import/index.ts');
    const { sourceOf } = await import('./fixtures/import/support.ts');
    const tmp = scratchDir();
    const db = await open();
    try {
      const files: { name: string; mapping: ReturnType<typeof detect>; probe: Awaited<ReturnType<typeof probe>> }[] = [];
      for (const [n, t] of Object.entries(OLIST)) {
        const p = await probe(db, sourceOf(writeFixture(tmp.dir, n, t)));
        files.push({ name: n, mapping: detect(p), probe: p });
      }
      const joins = proposedJoins(files);
      assert.deepEqual(joins.map((j) => `${j.from}.${j.fromColumn} → ${j.to}.${j.toColumn}`), [
        'olist_order_items_dataset.csv.order_id → olist_orders_dataset.csv.order_id',
        'olist_order_payments_dataset.csv.order_id → olist_orders_dataset.csv.order_id',
        'olist_orders_dataset.csv.customer_id → olist_customers_dataset.csv.customer_id',
        'olist_order_items_dataset.csv.product_id → olist_products_dataset.csv.product_id',
      ]);
      const file = (name: string) => {
        const f = files.find((x) => x.name === name)!;
        return { source: f.probe.source.name, read: f.probe.read };
      };
      const overlaps = [];
      for (const j of joins) overlaps.push(await joinOverlap(db, file(j.from), j.fromColumn, file(j.to), j.toColumn));
      // By hand: lines name o1–o6 and o9 (o9 is not an order); payments o1–o8 (o8 is not); orders c1–c5 (all
      // customers); lines pA pB pC (all products).
      assert.deepEqual(overlaps, [{ sampled: 7, found: 6 }, { sampled: 8, found: 7 }, { sampled: 5, found: 5 }, { sampled: 3, found: 3 }]);
      // A wrong key column shows at once: categories are not order ids.
      assert.deepEqual(await joinOverlap(db, file('olist_products_dataset.csv'), 'product_category_name', file('olist_orders_dataset.csv'), 'order_id'),
        { sampled: 3, found: 0 });
    } finally {
      await db.close();
      tmp.cleanup();
    }
  });
}
