// Saved insights (src/data/insights-store.ts) on both engines: saved by name into the dataset's schema, listed in
// dashboard order, replaced only when asked, reordered and deleted; a hostile name stays a value.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { deleteInsight, listInsights, orderInsights, saveInsight } from '../src/data/insights-store.ts';

const EVIL = "x'); DROP TABLE saved_insights; --";

function suite(name: string, open: () => Promise<Db>) {
  describe(`saved insights (${name})`, () => {
    test('save, list in order, refuse a taken name unless replacing, reorder, delete; per dataset schema', async () => {
      const db = await open();
      try {
        await db.exec('CREATE SCHEMA ds1; CREATE SCHEMA ds2; SET schema = ds1');
        const a = await saveInsight(db, { name: '  Weekly   retention ', screen: 'retention', query: 'r=%7B%22period%22%3A%22week%22%7D' });
        assert.equal(a.name, 'Weekly retention');
        await saveInsight(db, { name: EVIL, screen: 'pivot', query: 'p=1' });
        await saveInsight(db, { name: 'Checkout funnel', screen: 'funnels', query: 'f=2' });
        assert.deepEqual((await listInsights(db)).map((i) => [i.name, i.screen, i.position]), [['Weekly retention', 'retention', 0], [EVIL, 'pivot', 1], ['Checkout funnel', 'funnels', 2]]);
        await assert.rejects(saveInsight(db, { name: 'weekly RETENTION', screen: 'retention', query: 'x' }), /exists\. Replace it/);
        const replaced = await saveInsight(db, { name: 'Weekly retention', screen: 'retention', query: 'r=month', replace: true });
        assert.deepEqual([replaced.id, replaced.query, replaced.position], [a.id, 'r=month', 0]);
        await assert.rejects(saveInsight(db, { name: ' ', screen: 'pivot', query: '' }), /Give the insight a name/);
        await assert.rejects(saveInsight(db, { name: 'x'.repeat(81), screen: 'pivot', query: '' }), /at most 80/);
        await assert.rejects(saveInsight(db, { name: 'ok', screen: 'import', query: '' }), /cannot be saved/);
        const ids = (await listInsights(db)).map((i) => i.id);
        await orderInsights(db, [ids[2], ids[0]]);
        assert.deepEqual((await listInsights(db)).map((i) => i.name), ['Checkout funnel', 'Weekly retention', EVIL]);
        await deleteInsight(db, ids[1]);
        assert.deepEqual((await listInsights(db)).map((i) => i.name), ['Checkout funnel', 'Weekly retention']);
        // Another dataset has none of them.
        await db.exec('SET schema = ds2');
        assert.deepEqual(await listInsights(db), []);
      } finally {
        await db.close();
      }
    });
  });
}

suite('native', () => openNodeDb());
suite('DuckDB-WASM', openWasmDb);
