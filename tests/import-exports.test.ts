// Store-platform exports import with zero edits and the right figures (issue 15): fixtures written from each
// platform's documented export columns, answers worked out by hand in each fixture's header.
// Run: TZ=UTC node --import tsx --test tests/import-exports.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { importFiles, rows, scratchDir, writeFixture } from './fixtures/import/support.ts';
import { detectCurrency } from '../src/data/import/currency.ts';
import { SHOPIFY_ORDERS } from './fixtures/exports/shopify.ts';
import { WOOCOMMERCE_ORDERS } from './fixtures/exports/woocommerce.ts';
import { BIGCOMMERCE_ORDERS } from './fixtures/exports/bigcommerce.ts';
import { MAGENTO_ORDERS } from './fixtures/exports/magento.ts';
import { STRIPE_PAYMENTS } from './fixtures/exports/stripe.ts';
import { GA4_EVENTS } from './fixtures/exports/ga4.ts';

/** The figures each fixture's header works out by hand, read back from the imported tables. */
async function figures(db: Db) {
  const [t] = await rows(db, `SELECT
    count(DISTINCT order_id) FILTER (WHERE event_type = 'purchase')::INTEGER AS orders,
    round(coalesce(sum(revenue) FILTER (WHERE event_type = 'purchase'), 0), 2)::DOUBLE AS revenue,
    round(coalesce(sum(revenue) FILTER (WHERE event_type = 'refund'), 0), 2)::DOUBLE AS refunds,
    (SELECT count(*) FROM users)::INTEGER AS users,
    count(DISTINCT user_id) FILTER (WHERE event_type = 'purchase')::INTEGER AS buyers,
    (SELECT count(*) FROM (SELECT user_id FROM events WHERE event_type = 'purchase' GROUP BY user_id
      HAVING count(DISTINCT order_id) > 1))::INTEGER AS repeat_buyers
  FROM events`);
  const months = await rows(db, `SELECT strftime(ts, '%Y-%m') AS month, count(DISTINCT order_id)::INTEGER AS orders
    FROM events WHERE event_type = 'purchase' GROUP BY 1 ORDER BY 1`);
  const countries = await rows(db, `SELECT u.country, round(sum(e.revenue), 2)::DOUBLE AS revenue
    FROM events e JOIN users u USING (user_id) WHERE e.event_type = 'purchase' AND u.country IS NOT NULL
    GROUP BY 1 ORDER BY 2 DESC, 1`);
  return {
    ...t,
    months: Object.fromEntries(months.map((r) => [r.month, r.orders])),
    countries: Object.fromEntries(countries.map((r) => [r.country, r.revenue])),
  };
}

function suite(backend: string, open: () => Promise<Db>): void {
  describe(`store exports (${backend})`, () => {
    test('Shopify orders_export.csv: lines fill order-level fields from their order; statuses; the email is the user', async () => {
      const tmp = scratchDir();
      const db = await open();
      try {
        const { report, mappings } = await importFiles(db, [writeFixture(tmp.dir, 'orders_export.csv', SHOPIFY_ORDERS)]);
        const m = mappings[0];
        const target = (col: string) => m.columns.find((c) => c.column === col)?.target;
        assert.equal(m.role, 'transactions');
        assert.deepEqual(
          ['Name', 'Email', 'Financial Status', 'Created at', 'Lineitem quantity', 'Lineitem name', 'Lineitem price', 'Lineitem sku', 'Billing City', 'Billing Country', 'Shipping', 'Total'].map(target),
          ['order_id', 'user_id', 'status', 'ts', 'quantity', 'product_name', 'price', 'product_id', 'city', 'country', 'shipping', 'keep'],
        );
        const t = report.totals;
        assert.deepEqual([t.orders, t.revenue, t.refunds, t.users, t.buyers], [2, 45, 10, 2, 2]);
        assert.deepEqual(t.eventsByType, { purchase: 3, refund: 1 });
        assert.deepEqual(Object.fromEntries(report.files[0].setAside.map((g) => [g.reason, g.count])), { not_a_sale: 1 });
        assert.deepEqual(report.files[0].refunds!.map((r) => [r.rule, r.count]), [['status', 1]]);
        assert.deepEqual(await rows(db, `SELECT order_id, user_id, strftime(ts, '%Y-%m-%d %H:%M') AS ts, product_id, revenue, shipping FROM events WHERE order_id = '#1001' ORDER BY product_id`), [
          { order_id: '#1001', user_id: 'ann@example.com', ts: '2024-03-01 10:00', product_id: 'MUG-1', revenue: 20, shipping: 5 },
          { order_id: '#1001', user_id: 'ann@example.com', ts: '2024-03-01 10:00', product_id: 'POS-1', revenue: 10, shipping: null },
        ]);
        assert.deepEqual(await rows(db, `SELECT user_id, country, city FROM users ORDER BY user_id`), [
          { user_id: 'ann@example.com', country: 'GB', city: 'London' }, { user_id: 'bob@example.com', country: 'GB', city: 'Leeds' },
        ]);
      } finally {
        await db.close();
        tmp.cleanup();
      }
    });

    test('WooCommerce orders (one row per item): line totals, not the order total; a guest is known by email; shipping once per order', async () => {
      const tmp = scratchDir();
      const db = await open();
      try {
        const { report, mappings, probes } = await importFiles(db, [writeFixture(tmp.dir, 'orders-export.csv', WOOCOMMERCE_ORDERS)]);
        const m = mappings[0];
        const target = (col: string) => m.columns.find((c) => c.column === col)?.target;
        assert.equal(m.role, 'transactions');
        assert.deepEqual(
          ['order_id', 'order_date', 'status', 'customer_id', 'billing_email', 'item_product_id', 'item_id', 'item_name', 'item_quantity', 'item_total', 'order_total', 'shipping_total', 'billing_country', 'payment_method'].map(target),
          ['order_id', 'ts', 'status', 'user_id', 'email', 'product_id', 'keep', 'product_name', 'quantity', 'revenue', 'keep', 'shipping', 'country', 'keep'],
        );
        assert.deepEqual(await figures(db), {
          orders: 3, revenue: 54, refunds: 4, users: 2, buyers: 2, repeat_buyers: 1,
          months: { '2024-04': 2, '2024-05': 1 }, countries: { DE: 32, AT: 22 },
        });
        assert.deepEqual(Object.fromEntries(report.files[0].setAside.map((g) => [g.reason, g.count])), { not_a_sale: 1 });
        assert.deepEqual(report.files[0].refunds!.map((r) => [r.rule, r.count]), [['status', 1]]);
        assert.deepEqual(await rows(db, `SELECT user_id FROM users ORDER BY 1`), [{ user_id: '7' }, { user_id: 'lena@example.at' }]);
        const [ship] = await rows(db, `SELECT round(sum(shipping), 2)::DOUBLE AS s FROM events WHERE event_type = 'purchase'`);
        assert.equal(ship.s, 14.7);
        assert.equal(detectCurrency(probes, mappings)?.code, 'EUR');
      } finally {
        await db.close();
        tmp.cleanup();
      }
    });

    test('BigCommerce orders (one row per order, day-first dates): subtotal ex tax; guests by email; statuses', async () => {
      const tmp = scratchDir();
      const db = await open();
      try {
        const { report, mappings, probes } = await importFiles(db, [writeFixture(tmp.dir, 'orders-2024-04-30.csv', BIGCOMMERCE_ORDERS)]);
        const m = mappings[0];
        const target = (col: string) => m.columns.find((c) => c.column === col)?.target;
        assert.equal(m.role, 'orders');
        assert.deepEqual(
          ['Order ID', 'Customer ID', 'Customer Email', 'Order Date', 'Order Status', 'Subtotal (ex tax)', 'Order Total (inc tax)', 'Shipping Cost (ex tax)', 'Billing State', 'Billing Country', 'Billing Suburb', 'Payment Method'].map(target),
          ['order_id', 'user_id', 'email', 'ts', 'status', 'revenue', 'keep', 'shipping', 'region', 'country', 'city', 'keep'],
        );
        assert.deepEqual(await figures(db), {
          orders: 4, revenue: 135, refunds: 30, users: 2, buyers: 2, repeat_buyers: 2,
          months: { '2024-03': 2, '2024-04': 2 }, countries: { 'United States': 75, Canada: 60 },
        });
        assert.deepEqual(await rows(db, `SELECT order_id, strftime(ts, '%Y-%m-%d') AS day FROM events WHERE order_id IN ('100', '104') ORDER BY 1`),
          [{ order_id: '100', day: '2024-03-15' }, { order_id: '104', day: '2024-04-18' }]);
        assert.deepEqual(report.relational!.statuses.map((s) => [s.status, s.meaning, s.orders]).sort(), [
          ['Awaiting Fulfillment', 'purchase', 1], ['Awaiting Payment', 'not_sale', 1], ['Cancelled', 'not_sale', 1],
          ['Completed', 'purchase', 1], ['Partially Refunded', 'purchase', 1], ['Refunded', 'refund', 1], ['Shipped', 'purchase', 1],
        ]);
        assert.equal(report.relational!.revenueFrom, 'orders');
        assert.equal(detectCurrency(probes, mappings)?.code, 'USD');
      } finally {
        await db.close();
        tmp.cleanup();
      }
    });

    test('Magento order grid: "ID" is the order, the email the customer, $1,250.00 and "Mar 1, 2024 9:05:12 AM" read; Closed = refunded', async () => {
      const tmp = scratchDir();
      const db = await open();
      try {
        const { mappings, probes } = await importFiles(db, [writeFixture(tmp.dir, 'export.csv', MAGENTO_ORDERS)]);
        const m = mappings[0];
        const target = (col: string) => m.columns.find((c) => c.column === col)?.target;
        assert.equal(m.role, 'orders');
        assert.deepEqual(
          ['ID', 'Purchase Date', 'Status', 'Customer Email', 'Subtotal', 'Shipping and Handling', 'Grand Total (Base)'].map(target),
          ['order_id', 'ts', 'status', 'user_id', 'revenue', 'shipping', 'keep'],
        );
        assert.deepEqual(await figures(db), {
          orders: 3, revenue: 1310, refunds: 15, users: 2, buyers: 2, repeat_buyers: 1,
          months: { '2024-03': 2, '2024-04': 1 }, countries: {},
        });
        assert.deepEqual(await rows(db, `SELECT order_id, strftime(ts, '%Y-%m-%d %H:%M:%S') AS ts FROM events WHERE order_id IN ('000000001', '000000002') ORDER BY 1`),
          [{ order_id: '000000001', ts: '2024-03-01 09:05:12' }, { order_id: '000000002', ts: '2024-03-08 14:30:00' }]);
        assert.equal(detectCurrency(probes, mappings)?.code, 'USD');
      } finally {
        await db.close();
        tmp.cleanup();
      }
    });

    test('Stripe payments: each charge an order (its own id, not the sparse Invoice ID); Failed set aside; Refunded a refund', async () => {
      const tmp = scratchDir();
      const db = await open();
      try {
        const { report, mappings, probes } = await importFiles(db, [writeFixture(tmp.dir, 'unified_payments.csv', STRIPE_PAYMENTS)]);
        const m = mappings[0];
        const target = (col: string) => m.columns.find((c) => c.column === col)?.target;
        assert.equal(m.role, 'orders');
        assert.deepEqual(
          ['id', 'Invoice ID', 'Created (UTC)', 'Amount', 'Status', 'Customer ID', 'Customer Email', 'Card Address Country', 'Amount Refunded'].map(target),
          ['order_id', 'keep', 'ts', 'revenue', 'status', 'user_id', 'email', 'country', 'keep'],
        );
        assert.deepEqual(await figures(db), {
          orders: 4, revenue: 125, refunds: 30, users: 3, buyers: 3, repeat_buyers: 1,
          months: { '2024-03': 2, '2024-04': 2 }, countries: { US: 75, GB: 40 },
        });
        assert.deepEqual(Object.fromEntries(report.files[0].setAside.map((g) => [g.reason, g.count])), { not_a_sale: 1 });
        assert.deepEqual(await rows(db, `SELECT user_id FROM events WHERE order_id = 'ch_5'`), [{ user_id: 'guest@example.com' }]);
        assert.equal(detectCurrency(probes, mappings)?.code, 'USD');
      } finally {
        await db.close();
        tmp.cleanup();
      }
    });

    test('GA4 BigQuery export flattened: microsecond times, the pseudo id is the visitor, sessions per visitor, items as lines', async () => {
      const tmp = scratchDir();
      const db = await open();
      try {
        const { mappings } = await importFiles(db, [writeFixture(tmp.dir, 'events_flat.csv', GA4_EVENTS)]);
        const m = mappings[0];
        const target = (col: string) => m.columns.find((c) => c.column === col)?.target;
        assert.equal(m.role, 'events');
        assert.deepEqual(
          ['event_timestamp', 'event_name', 'user_pseudo_id', 'user_id', 'ga_session_id', 'device_category', 'geo_country', 'geo_city', 'traffic_source_source', 'traffic_source_medium', 'traffic_source_name', 'ecommerce_transaction_id', 'item_id', 'item_name', 'item_brand', 'item_category', 'price', 'quantity', 'ecommerce_purchase_revenue'].map(target),
          ['ts', 'event_type', 'user_id', 'keep', 'session_id', 'device', 'country', 'city', 'source', 'medium', 'campaign', 'order_id', 'product_id', 'product_name', 'brand', 'category', 'price', 'quantity', 'keep'],
        );
        assert.equal(m.eventTypes.page_view, 'page_view');
        assert.equal(m.eventTypes.view_item, 'product_view');
        assert.deepEqual(await figures(db), {
          orders: 3, revenue: 77, refunds: 15, users: 3, buyers: 2, repeat_buyers: 1,
          months: { '2024-03': 2, '2024-04': 1 }, countries: { 'United Kingdom': 62, 'United States': 15 },
        });
        const [s] = await rows(db, `SELECT count(DISTINCT session_id)::INTEGER AS sessions,
          count(*) FILTER (WHERE event_type = 'purchase')::INTEGER AS purchase_rows,
          count(*) FILTER (WHERE event_type = 'page_view')::INTEGER AS page_views,
          strftime(min(ts), '%Y-%m-%d %H:%M:%S') AS first FROM events`);
        assert.deepEqual(s, { sessions: 4, purchase_rows: 4, page_views: 1, first: '2024-03-01 09:00:00' });
      } finally {
        await db.close();
        tmp.cleanup();
      }
    });
  });
}

suite('native DuckDB', () => openNodeDb());
suite('DuckDB-WASM', () => openWasmDb());
