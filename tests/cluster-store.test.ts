// A clustering run stored as a segmentation: labels with their user ids land on the right users with their names,
// noise (-1) is "Noise", names stay data, users left out get no label, and vanished users are refused. Native DuckDB and DuckDB-WASM.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { toRows } from '../src/lib/rows.ts';
import { writeClusterSegmentation } from '../src/data/cluster-store.ts';
import { listSegmentations } from '../src/data/segments-store.ts';

const EVIL = `'); DROP TABLE users; --`;

function suite(name: string, open: () => Promise<Db>) {
  describe(`cluster segmentation (${name})`, () => {
    test('labels by user_id order, names and noise', async () => {
      const db = await open();
      // Inserted out of order: the matrix is read ORDER BY user_id, so labels follow u1, u2, u3, u4.
      await db.exec(`CREATE TABLE users (user_id VARCHAR); INSERT INTO users VALUES ('u3'), ('u1'), ('u4'), ('u2');
        CREATE TABLE events (ts TIMESTAMP);`);
      await writeClusterSegmentation(db, { column: 'kmeans', name: 'K-means (4 features)', definition: '{"algorithm":"kmeans"}' },
        ['u1', 'u2', 'u3', 'u4'], Int32Array.from([1, 0, -1, 1]), ['Engaged high spenders', EVIL]);
      const rows = toRows(await db.query('SELECT user_id, kmeans FROM user_segments ORDER BY user_id'));
      assert.deepEqual(rows, [
        { user_id: 'u1', kmeans: EVIL },
        { user_id: 'u2', kmeans: 'Engaged high spenders' },
        { user_id: 'u3', kmeans: 'Noise' },
        { user_id: 'u4', kmeans: EVIL },
      ]);
      const rec = (await listSegmentations(db)).find((r) => r.column === 'kmeans')!;
      assert.deepEqual([rec.kind, rec.name, rec.definition], ['model', 'K-means (4 features)', '{"algorithm":"kmeans"}']);
      assert.equal(toRows(await db.query(`SELECT count(*)::DOUBLE AS n FROM duckdb_tables() WHERE table_name = 'strata_cluster_labels'`))[0].n, 0);
      await assert.rejects(writeClusterSegmentation(db, { column: 'kmeans', name: 'x', definition: '{}' }, ['u1', 'gone'], Int32Array.from([0, 0]), ['a']), /data changed while clustering \(1 of the clustered users are gone\)/);
      await assert.rejects(writeClusterSegmentation(db, { column: 'kmeans', name: 'x', definition: '{}' }, ['u1', 'u2', 'u3', 'u4'], Int32Array.from([0, 0, 0, 2]), ['a']), /Label 2 has no name/);
      // A run over some users (a users filter): the others get no label; re-running replaces the column.
      await writeClusterSegmentation(db, { column: 'kmeans', name: 'K-means (buyers)', definition: '{}' }, ['u2', 'u4'], Int32Array.from([0, 1]), ['A', 'B']);
      assert.deepEqual(toRows(await db.query('SELECT user_id, kmeans FROM user_segments ORDER BY user_id')), [
        { user_id: 'u1', kmeans: null }, { user_id: 'u2', kmeans: 'A' }, { user_id: 'u3', kmeans: null }, { user_id: 'u4', kmeans: 'B' },
      ]);
      await db.close();
    });
  });
}

suite('native DuckDB', () => openNodeDb());
suite('DuckDB-WASM', () => openWasmDb());
