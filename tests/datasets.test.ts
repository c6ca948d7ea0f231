// The datasets catalog: datasets live in their own schemas; failures and deletes never touch another dataset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openNodeDb } from '../src/db/node-db.ts';
import { toRows } from '../src/db/rows.ts';
import { loadShop } from '../src/data/generator/index.ts';
import { createDataset, currentDatasetId, deleteDataset, ensureCatalog, listDatasets, renameDataset, useDataset } from '../src/data/datasets.ts';

const small = { users: 60, days: 20, seed: 3 };
const other = { users: 90, days: 30, seed: 4 };

async function count(db: Awaited<ReturnType<typeof openNodeDb>>, table: string) {
  return Number(toRows(await db.query(`SELECT count(*)::DOUBLE AS n FROM ${table}`))[0].n);
}

test('two datasets side by side; switching changes what unqualified names read', async () => {
  const db = await openNodeDb();
  await ensureCatalog(db);
  const a = await createDataset(db, { name: 'A', kind: 'demo', meta: JSON.stringify(small) }, () => loadShop(db, small).then(() => undefined));
  const aEvents = await count(db, 'events');
  const b = await createDataset(db, { name: "B'; DROP TABLE x; --", kind: 'demo', meta: null }, () => loadShop(db, other).then(() => undefined));
  const bEvents = await count(db, 'events');
  assert.notEqual(aEvents, bEvents);
  assert.equal(a.events, aEvents);
  assert.equal(b.events, bEvents);
  assert.equal(await currentDatasetId(db), b.id);
  assert.deepEqual((await listDatasets(db)).map((d) => d.name), ["B'; DROP TABLE x; --", 'A']);
  await useDataset(db, a);
  assert.equal(await count(db, 'events'), aEvents);
  assert.equal(await count(db, 'user_metrics'), small.users);
  assert.equal(await currentDatasetId(db), a.id);
  await renameDataset(db, a.id, '  Renamed  ');
  assert.equal((await listDatasets(db)).find((d) => d.id === a.id)?.name, 'Renamed');
  await assert.rejects(renameDataset(db, a.id, '   '), /needs a name/);
  await deleteDataset(db, b);
  assert.equal(await count(db, 'events'), aEvents, 'deleting B leaves A intact');
  assert.deepEqual((await listDatasets(db)).map((d) => d.id), [a.id]);
  await db.close();
});

test('a failed build drops its schema and leaves the current dataset as it was', async () => {
  const db = await openNodeDb();
  await ensureCatalog(db);
  await createDataset(db, { name: 'A', kind: 'demo', meta: null }, () => loadShop(db, small).then(() => undefined));
  const before = await count(db, 'events');
  await assert.rejects(
    createDataset(db, { name: 'broken', kind: 'import', meta: null }, async () => {
      await db.exec('CREATE TABLE events_next AS SELECT 1 AS x');
      throw new Error('parse failure');
    }),
    /parse failure/,
  );
  assert.equal(await count(db, 'events'), before);
  const schemas = toRows(await db.query("SELECT schema_name FROM duckdb_schemas() WHERE schema_name LIKE 'ds_%' ORDER BY 1"));
  assert.deepEqual(schemas.map((s) => s.schema_name), ['ds_1']);
  assert.equal((await listDatasets(db)).length, 1);
  await db.close();
});
