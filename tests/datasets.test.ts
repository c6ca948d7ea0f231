// The datasets catalog: datasets live in their own schemas; failures and deletes never touch another dataset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openNodeDb } from '../src/db/node-db.ts';
import { toRows } from '../src/lib/rows.ts';
import { loadShop } from '../src/data/generator/index.ts';
import { createDataset, currentDatasetId, deleteDataset, ensureCatalog, listDatasets, renameDataset, useDataset } from '../src/data/datasets.ts';
import { installDataset } from '../src/data/dataset.ts';
import { ensureSessionMetrics, hasSessionPaths } from '../src/data/session-metrics.ts';

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

test('ids come from one place: above every catalog id and every ds_N schema, even an orphan one', async () => {
  const db = await openNodeDb();
  await ensureCatalog(db);
  const { nextDatasetId } = await import('../src/data/datasets.ts');
  assert.equal(await nextDatasetId(db), 1);
  await createDataset(db, { name: 'A', kind: 'demo', meta: null }, () => loadShop(db, small).then(() => undefined));
  assert.equal(await nextDatasetId(db), 2);
  await db.exec('CREATE SCHEMA ds_7'); // a crash left a half-built schema behind
  assert.equal(await nextDatasetId(db), 8);
  await db.exec('CREATE SCHEMA "ds_x"; CREATE SCHEMA dsa_99'); // not ids: ignored
  assert.equal(await nextDatasetId(db), 8);
  await db.close();
});

test('repairCatalog: half-built schemas dropped, rows without tables unlisted, scratch tables dropped, complete datasets untouched', async () => {
  const db = await openNodeDb();
  await ensureCatalog(db);
  const { repairCatalog } = await import('../src/data/datasets.ts');
  const a = await createDataset(db, { name: 'A', kind: 'demo', meta: null }, () => loadShop(db, small).then(() => undefined));
  const b = await createDataset(db, { name: 'B', kind: 'demo', meta: null }, () => loadShop(db, other).then(() => undefined));
  const print = async (schema: string) =>
    toRows(await db.query(`SELECT count(*)::DOUBLE AS n, sum(hash(event_id, user_id, ts, revenue))::VARCHAR AS h FROM ${schema}.events`))[0];
  const before = { a: await print(a.schema), b: await print(b.schema) };
  // What an interrupted build leaves: an unregistered schema, a row whose tables never arrived (pointed at as
  // current), and scratch tables inside a complete dataset.
  await db.exec("CREATE SCHEMA ds_3; CREATE TABLE ds_3.events_next AS SELECT 1 AS x");
  await db.exec("CREATE SCHEMA ds_4; INSERT INTO strata_meta.datasets VALUES (4, 'ds_4', 'Half import', 'import', NULL, now()::TIMESTAMP, 0, 0)");
  await db.exec("INSERT OR REPLACE INTO strata_meta.settings VALUES ('current', '4')");
  await db.exec(`CREATE TABLE ${a.schema}.users_next AS SELECT 1 AS x; CREATE TABLE ${a.schema}.stg_events AS SELECT 1 AS x;
    CREATE TABLE ${a.schema}.strata_import_ab_1_raw AS SELECT 1 AS x; CREATE TABLE ${a.schema}.my_notes AS SELECT 1 AS x`);
  const repair = await repairCatalog(db);
  assert.deepEqual(repair, { removedRows: ['Half import'], droppedSchemas: ['ds_3'], droppedTables: 3 });
  const schemas = toRows(await db.query("SELECT schema_name FROM duckdb_schemas() WHERE schema_name LIKE 'ds_%' ORDER BY 1")).map((r) => r.schema_name);
  assert.deepEqual(schemas, ['ds_1', 'ds_2']);
  assert.deepEqual((await listDatasets(db)).map((d) => d.name), ['B', 'A']);
  assert.equal(await currentDatasetId(db), null, 'the current setting pointed at the removed row');
  const left = toRows(await db.query(`SELECT table_name FROM duckdb_tables() WHERE schema_name = '${a.schema}' ORDER BY 1`)).map((r) => r.table_name);
  assert.deepEqual(left, ['events', 'my_notes', 'products', 'session_metrics', 'user_metrics', 'users'], 'only scratch names are dropped');
  assert.deepEqual({ a: await print(a.schema), b: await print(b.schema) }, before);
  // Nothing to do the second time.
  assert.deepEqual(await repairCatalog(db), { removedRows: [], droppedSchemas: [], droppedTables: 0 });
  await db.close();
});

test('repairCatalog without a checkpoint keeps its repair in the write-ahead log only, and it holds after a reopen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-repair-'));
  const path = join(dir, 'strata.db');
  const wal = () => (existsSync(path + '.wal') ? statSync(path + '.wal').size : 0);
  try {
    const { repairCatalog, checkpoint } = await import('../src/data/datasets.ts');
    let db = await openNodeDb({ path });
    await ensureCatalog(db);
    await createDataset(db, { name: 'A', kind: 'demo', meta: null }, () => loadShop(db, small).then(() => undefined));
    await db.exec('CREATE SCHEMA ds_5; CREATE TABLE ds_5.events_next AS SELECT range AS x FROM range(100000)');
    await checkpoint(db);
    assert.equal(wal(), 0, 'checkpointed: nothing in the log');
    assert.deepEqual(await repairCatalog(db, { checkpoint: false }), { removedRows: [], droppedSchemas: ['ds_5'], droppedTables: 0 });
    assert.ok(wal() > 0, 'the drop is in the log, not checkpointed');
    await db.close();
    db = await openNodeDb({ path });
    const schemas = toRows(await db.query("SELECT schema_name FROM duckdb_schemas() WHERE schema_name LIKE 'ds_%' ORDER BY 1"));
    assert.deepEqual(schemas.map((r) => r.schema_name), ['ds_1'], 'the drop survived the reopen');
    // The default checkpoints: the log is empty after a repair that changed something.
    await db.exec('CREATE SCHEMA ds_6');
    assert.deepEqual((await repairCatalog(db)).droppedSchemas, ['ds_6']);
    assert.equal(wal(), 0);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reopening the current dataset writes nothing; switching to another one writes the setting', async () => {
  const db = await openNodeDb();
  await ensureCatalog(db);
  const a = await createDataset(db, { name: 'A', kind: 'demo', meta: null }, () => loadShop(db, small).then(() => undefined));
  const b = await createDataset(db, { name: 'B', kind: 'demo', meta: null }, () => loadShop(db, other).then(() => undefined));
  const seen: string[] = [];
  const spy = new Proxy(db, {
    get(target, key) {
      if (key === 'query') return (sql: string, params?: never[]) => (seen.push(sql), target.query(sql, params));
      if (key === 'exec') return (sql: string) => (seen.push(sql), target.exec(sql));
      return Reflect.get(target, key);
    },
  });
  const writes = () => seen.filter((s) => /\b(INSERT|UPDATE|DELETE|CREATE|DROP)\b/i.test(s));
  await useDataset(spy, b);
  assert.deepEqual(writes(), [], 'B is current already');
  assert.equal(await count(db, 'events'), b.events);
  await useDataset(spy, a);
  assert.equal(writes().length, 1);
  assert.equal(await currentDatasetId(db), a.id);
  assert.equal(await count(db, 'events'), a.events);
  await db.close();
});

test('a build that fails after a statement error on the shared connection leaves no catalog row, schema or open transaction', async () => {
  const db = await openNodeDb();
  await ensureCatalog(db);
  await createDataset(db, { name: 'A', kind: 'demo', meta: null }, () => loadShop(db, small).then(() => undefined));
  await assert.rejects(
    createDataset(db, { name: 'broken', kind: 'import', meta: null }, async () => {
      await db.exec('BEGIN TRANSACTION; CREATE TABLE events_next AS SELECT 1 AS x');
      await db.exec('SELECT * FROM no_such_table'); // aborts the open transaction
    }),
    /no_such_table/,
  );
  await db.exec('CHECKPOINT'); // fails with "other write transactions active" if one were left open
  assert.deepEqual((await listDatasets(db)).map((d) => d.name), ['A']);
  assert.equal(toRows(await db.query("SELECT count(*)::INTEGER AS n FROM duckdb_schemas() WHERE schema_name = 'ds_2'"))[0].n, 0);
  assert.equal(await count(db, 'events') > 0, true, 'the previous dataset is current again');
  await db.close();
});

test('session_metrics is installed for sessions of several events, not for one-event sessions (the traffic panel then reads the events)', async () => {
  const db = await openNodeDb();
  try {
    const tables = async () => toRows(await db.query(`SELECT table_name AS t FROM duckdb_tables() WHERE schema_name = current_schema() ORDER BY 1`)).map((r) => String(r.t));
    // Six events: in three sessions of two (built), then in six sessions of one (not built, and the old table dropped).
    const install = async (session: string) => {
      await db.exec(`CREATE OR REPLACE TABLE users_next AS SELECT 'u' || i AS user_id FROM range(3) t(i);
CREATE OR REPLACE TABLE products_next AS SELECT 'p1' AS product_id;
CREATE OR REPLACE TABLE events_next AS SELECT i::BIGINT AS event_id, 'u' || (i % 3) AS user_id, ${session} AS session_id, 'product_view' AS event_type,
  TIMESTAMP '2024-01-01 10:00:00' + to_minutes(i) AS ts, NULL::VARCHAR AS order_id, NULL::DOUBLE AS revenue, 'google' AS source, 'cpc' AS medium
FROM range(6) t(i);`);
      await installDataset(db);
    };
    await install(`'s' || (i % 3)`);
    assert.ok((await tables()).includes('session_metrics'));
    assert.equal(toRows(await db.query('SELECT count(*)::INTEGER AS n FROM session_metrics'))[0].n, 3);
    await install(`'s' || i`);
    assert.deepEqual(await tables(), ['events', 'products', 'user_metrics', 'users']);
  } finally {
    await db.close();
  }
});

test('ensureSessionMetrics builds the table for a dataset stored without it, once, under its own schema', async () => {
  const db = await openNodeDb();
  try {
    await ensureCatalog(db);
    const a = await createDataset(db, { name: 'A', kind: 'demo', meta: null }, () => loadShop(db, { users: 200, days: 60, seed: 5 }).then(() => undefined));
    const b = await createDataset(db, { name: 'B', kind: 'demo', meta: null }, () => loadShop(db, { users: 100, days: 30, seed: 6 }).then(() => undefined));
    const rows = async (schema: string) => toRows(await db.query(`SELECT * FROM ${schema}.session_metrics ORDER BY session_id`));
    const want = await rows(a.schema);
    assert.ok(want.length > 100);
    await db.exec(`DROP TABLE ${a.schema}.session_metrics`);
    await useDataset(db, a);
    const bBefore = await rows(b.schema);
    assert.equal(await ensureSessionMetrics(db, a.schema), true);
    assert.deepEqual(await rows(a.schema), want, 'the same rows as at install');
    assert.deepEqual(await rows(b.schema), bBefore, 'the other dataset is untouched');
    assert.equal(await ensureSessionMetrics(db, a.schema), false, 'nothing to do the second time');
    // Stored before the table had each session's path (the journeys read the events then): built again, with it.
    await db.exec(`ALTER TABLE ${a.schema}.session_metrics DROP COLUMN path`);
    assert.equal(await hasSessionPaths(db), false);
    assert.equal(await ensureSessionMetrics(db, a.schema), true);
    assert.equal(await hasSessionPaths(db), true);
    assert.deepEqual(await rows(a.schema), want, 'the same rows, paths included, as at install');
    assert.equal(await ensureSessionMetrics(db, a.schema), false);
  } finally {
    await db.close();
  }
});
