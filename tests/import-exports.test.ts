// Store-platform exports import with zero edits and the right figures (issue 15): fixtures written from each
// platform's documented export columns, answers worked out by hand in each fixture's header.
// Run: TZ=UTC node --import tsx --test tests/import-exports.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { importFiles, rows, scratchDir, writeFixture } from './fixtures/import/support.ts';
import { SHOPIFY_ORDERS } from './fixtures/exports/shopify.ts';

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
  });
}

suite('native DuckDB', () => openNodeDb());
suite('DuckDB-WASM', () => openWasmDb());
