// Predictions stored as user fields: scores land on the right users (others NULL), NaN becomes NULL, the band
// follows the cut-offs and is re-cut without retraining, records say what they are, and scores for users that
// vanished are refused. Native DuckDB and DuckDB-WASM.
// Run: TZ=UTC node --import tsx --test tests/predictions-store.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { toRows } from '../src/lib/rows.ts';
import { PREDICTION_COLUMNS, writeChurnBand, writePredictions } from '../src/data/predictions-store.ts';
import { listSegmentations } from '../src/data/segments-store.ts';

function suite(name: string, open: () => Promise<Db>) {
  describe(`predictions store (${name})`, () => {
    test('scores, band, NULLs, records, a re-cut band and a refusal', async () => {
      const db = await open();
      try {
        await db.exec(`CREATE TABLE users (user_id VARCHAR); INSERT INTO users VALUES ('u1'), ('u2'), ('u3'), ('u4');
          CREATE TABLE events (user_id VARCHAR, ts TIMESTAMP); INSERT INTO events VALUES ('u1', TIMESTAMP '2024-01-01');`);
        const cols = await writePredictions(db, {
          users: ['u1', 'u2', 'u3'], churn: Float64Array.of(0.9, 0.45, 0.1), value: Float64Array.of(0, 12.5, NaN),
          clvUsers: ['u2', 'u4'], clv: Float64Array.of(100, 20), purchases: Float64Array.of(1.5, 0.2), alive: Float64Array.of(0.8, 0.3),
          band: { medium: 0.3, high: 0.6 }, horizonDays: 90, months: 12, definition: '{"model":"test"}',
        });
        assert.deepEqual(cols, ['predicted_churn', 'predicted_churn_band', 'predicted_value', 'predicted_clv', 'expected_purchases', 'p_alive']);
        const rows = toRows(await db.query(`SELECT user_id, ${Object.values(PREDICTION_COLUMNS).join(', ')} FROM user_segments ORDER BY user_id`));
        assert.deepEqual(rows, [
          { user_id: 'u1', predicted_churn: 0.9, predicted_churn_band: 'High', predicted_value: 0, predicted_clv: null, expected_purchases: null, p_alive: null },
          { user_id: 'u2', predicted_churn: 0.45, predicted_churn_band: 'Medium', predicted_value: 12.5, predicted_clv: 100, expected_purchases: 1.5, p_alive: 0.8 },
          { user_id: 'u3', predicted_churn: 0.1, predicted_churn_band: 'Low', predicted_value: null, predicted_clv: null, expected_purchases: null, p_alive: null },
          { user_id: 'u4', predicted_churn: null, predicted_churn_band: null, predicted_value: null, predicted_clv: 20, expected_purchases: 0.2, p_alive: 0.3 },
        ]);
        const recs = await listSegmentations(db);
        const band = recs.find((r) => r.column === 'predicted_churn_band')!;
        assert.deepEqual([band.kind, band.type, band.name, band.definition], ['model', 'label', 'Predicted churn risk', '{"model":"test"}']);
        assert.equal(recs.find((r) => r.column === 'predicted_value')!.name, 'Predicted revenue, next 90 days');
        await writeChurnBand(db, { medium: 0.05, high: 0.5 }, '{"model":"test"}');
        // Cut-offs 0.05 / 0.5: 0.9 High, 0.45 and 0.1 Medium; u4 has no probability.
        assert.deepEqual(toRows(await db.query('SELECT predicted_churn_band AS b FROM user_segments ORDER BY user_id')).map((r) => r.b), ['High', 'Medium', 'Medium', null]);
        await assert.rejects(writePredictions(db, {
          users: ['u1', 'gone'], churn: Float64Array.of(0.5, 0.5), value: null, clvUsers: [], clv: null, purchases: null, alive: null,
          band: { medium: 0.3, high: 0.6 }, horizonDays: 90, months: 12, definition: '{}',
        }), /1 of the scored users are gone/);
        assert.equal(toRows(await db.query(`SELECT count(*)::DOUBLE AS n FROM duckdb_tables() WHERE table_name LIKE 'strata_pred%'`))[0].n, 0);
      } finally {
        await db.close();
      }
    });
  });
}

suite('native DuckDB', () => openNodeDb());
suite('DuckDB-WASM', () => openWasmDb());
