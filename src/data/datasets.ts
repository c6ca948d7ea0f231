// The datasets catalog: every dataset (demo shop or import) lives in its own schema, listed in strata_meta.
import type { Db } from '../db/types.ts';
import { toRows } from '../lib/rows.ts';
import { ident, literal, sql } from '../sql/quote.ts';
import { StrataError } from '../errors.ts';

/** One stored dataset as the datasets list shows it. */
export interface DatasetRecord {
  id: number;
  schema: string;
  name: string;
  kind: 'demo' | 'import';
  /** JSON: generator parameters (demo) or the import mapping (import). */
  meta: string | null;
  createdAt: number;
  events: number;
  users: number;
}

const CATALOG = `
CREATE SCHEMA IF NOT EXISTS strata_meta;
CREATE TABLE IF NOT EXISTS strata_meta.datasets (
  id INTEGER PRIMARY KEY, schema_name VARCHAR NOT NULL, name VARCHAR NOT NULL, kind VARCHAR NOT NULL,
  meta VARCHAR, created_at TIMESTAMP NOT NULL, events BIGINT, users BIGINT);
CREATE TABLE IF NOT EXISTS strata_meta.settings (key VARCHAR PRIMARY KEY, value VARCHAR);
`;

/** Create the catalog tables if this database has none yet. */
export async function ensureCatalog(db: Db): Promise<void> {
  await db.exec(CATALOG);
}

/** Every dataset, newest first. */
export async function listDatasets(db: Db): Promise<DatasetRecord[]> {
  const rows = toRows(
    await db.query(`SELECT id::INTEGER AS id, schema_name, name, kind, meta, epoch_ms(created_at)::DOUBLE AS created_at,
      events::DOUBLE AS events, users::DOUBLE AS users FROM strata_meta.datasets ORDER BY id DESC`),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    schema: String(r.schema_name),
    name: String(r.name),
    kind: r.kind === 'import' ? 'import' : 'demo',
    meta: r.meta === null ? null : String(r.meta),
    createdAt: Number(r.created_at),
    events: Number(r.events ?? 0),
    users: Number(r.users ?? 0),
  }));
}

/** The id of the dataset last in use, if it still exists. */
export async function currentDatasetId(db: Db): Promise<number | null> {
  const rows = toRows(
    await db.query(`SELECT d.id::INTEGER AS id FROM strata_meta.settings s JOIN strata_meta.datasets d ON d.id::VARCHAR = s.value WHERE s.key = 'current'`),
  );
  return rows.length ? Number(rows[0].id) : null;
}

/** Point unqualified table names at `rec`'s schema and remember it as current. */
export async function useDataset(db: Db, rec: DatasetRecord): Promise<void> {
  await db.exec(`SET schema = ${literal(rec.schema)}`);
  // Reopening the current dataset (every visit, every engine restart) writes nothing: no write a full storage could
  // refuse, and nothing that would make the reader's snapshot stale.
  if ((await currentDatasetId(db)) === rec.id) return;
  const q = sql`INSERT OR REPLACE INTO strata_meta.settings VALUES ('current', ${String(rec.id)})`;
  await db.query(q.text, q.params);
}

/** A user-facing name for a new dataset. */
export interface NewDataset {
  name: string;
  kind: DatasetRecord['kind'];
  meta: string | null;
}

/** How `createDataset` cleans up after a failure when the build ran on a connection of its own. */
export interface CreateOptions {
  /**
   * A connection that is not the build's, used to allocate the id and to remove a failed build: a cancelled
   * build connection refuses every later statement, so it cannot clean up after itself.
   */
  main?: Db;
  /** Called before cleaning up after a failure: close the build's connection (its open transaction rolls back). */
  release?: () => Promise<void>;
}

/**
 * The next dataset id: above every id in the catalog and every `ds_N` schema, even one a crash left behind.
 * The only place ids come from; callers hold the app's write lock, so no two builds ever get the same one.
 */
export async function nextDatasetId(db: Db): Promise<number> {
  const r = toRows(
    await db.query(`SELECT greatest(
      coalesce((SELECT max(id) FROM strata_meta.datasets), 0),
      coalesce((SELECT max(TRY_CAST(substr(schema_name, 4) AS INTEGER)) FROM duckdb_schemas()
        WHERE database_name = current_database() AND schema_name LIKE 'ds\\_%' ESCAPE '\\'), 0))::INTEGER + 1 AS id`),
  );
  return Number(r[0].id);
}

/**
 * Build a dataset in a fresh schema with `build` (which runs with that schema current) and register it.
 * The registration (catalog row + "current" setting) is one transaction, the point of no return; any failure
 * before it, a cancel included, drops the schema on a clean connection, so nothing is left behind.
 */
export async function createDataset(db: Db, info: NewDataset, build: () => Promise<void>, opts: CreateOptions = {}): Promise<DatasetRecord> {
  const main = opts.main ?? db;
  const previous = String(toRows(await main.query('SELECT current_schema() AS s'))[0].s);
  const id = await nextDatasetId(main);
  const schema = `ds_${id}`;
  await main.exec(`CREATE SCHEMA ${ident(schema)}`);
  let committed = false;
  try {
    await db.exec(`SET schema = ${literal(schema)}`);
    await build();
    const counts = toRows(await db.query(`SELECT (SELECT count(*) FROM ${ident(schema)}.events)::DOUBLE AS e, (SELECT count(*) FROM ${ident(schema)}.users)::DOUBLE AS u`))[0];
    await db.exec('BEGIN TRANSACTION');
    try {
      const q = sql`INSERT INTO strata_meta.datasets VALUES (${id}, ${schema}, ${info.name}, ${info.kind}, ${info.meta}, now()::TIMESTAMP, ${Number(counts.e)}, ${Number(counts.u)})`;
      await db.query(q.text, q.params);
      const cur = sql`INSERT OR REPLACE INTO strata_meta.settings VALUES ('current', ${String(id)})`;
      await db.query(cur.text, cur.params);
      await db.exec('COMMIT');
      committed = true;
    } finally {
      if (!committed) await db.exec('ROLLBACK').catch(() => undefined);
    }
  } catch (err) {
    await opts.release?.().catch(() => undefined);
    await discardBuild(main, id, schema);
    await main.exec(`SET schema = ${literal(previous)}`).catch(() => undefined);
    throw err;
  }
  const rec = (await listDatasets(main)).find((d) => d.id === id);
  if (!rec) throw new StrataError('The new dataset was saved but could not be read back. Reload the page to see it.');
  await opts.release?.();
  await useDataset(main, rec);
  await checkpoint(main);
  return rec;
}

/** Remove every trace of a build that did not finish: its schema, and a catalog row if one got in. */
async function discardBuild(db: Db, id: number, schema: string): Promise<void> {
  await db.exec('ROLLBACK').catch(() => undefined); // a failed statement on a shared connection aborts its transaction
  const q = sql`DELETE FROM strata_meta.datasets WHERE id = ${id}`;
  await db.query(q.text, q.params).catch(() => undefined);
  const c = sql`DELETE FROM strata_meta.settings WHERE key = 'current' AND value = ${String(id)}`;
  await db.query(c.text, c.params).catch(() => undefined);
  await db.exec(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`).catch(() => undefined);
}

/** What `repairCatalog` found and fixed, for the notice the app shows. */
export interface Repair {
  /** Catalog rows whose tables were gone (a build interrupted before it could be removed): names, now unlisted. */
  removedRows: string[];
  /** Schemas of builds that never registered (an interrupted import or generation): dropped. */
  droppedSchemas: string[];
  /** Scratch tables a build left inside a dataset's schema: dropped. */
  droppedTables: number;
}

/**
 * Make the catalog and the schemas agree after a crash, a killed tab or a reload mid-import: unregistered ds_N
 * schemas are half-built datasets (dropped), catalog rows without their tables are unusable (unlisted and named
 * in the notice), and a "current" setting pointing nowhere is cleared. Complete datasets are never touched.
 * `checkpoint: false` leaves the repair in the write-ahead log (a few hundred bytes) instead of checkpointing it,
 * which needs new blocks: the restart after a full storage must not need space (the next change checkpoints it).
 */
export async function repairCatalog(db: Db, opts: { checkpoint?: boolean } = {}): Promise<Repair> {
  const rows = toRows(
    await db.query(`SELECT d.id::INTEGER AS id, d.name, d.schema_name,
      (SELECT count(*) FROM duckdb_tables() t WHERE t.database_name = current_database() AND t.schema_name = d.schema_name
        AND t.table_name IN ('events', 'users', 'products', 'user_metrics'))::INTEGER AS n
      FROM strata_meta.datasets d ORDER BY d.id`),
  );
  const removedRows: string[] = [];
  for (const r of rows) {
    if (Number(r.n) === 4) continue;
    removedRows.push(String(r.name));
    const q = sql`DELETE FROM strata_meta.datasets WHERE id = ${Number(r.id)}`;
    await db.query(q.text, q.params);
    await db.exec(`DROP SCHEMA IF EXISTS ${ident(String(r.schema_name))} CASCADE`);
  }
  const orphans = toRows(
    await db.query(`SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database()
      AND schema_name LIKE 'ds\\_%' ESCAPE '\\' AND schema_name NOT IN (SELECT schema_name FROM strata_meta.datasets) ORDER BY 1`),
  ).map((r) => String(r.schema_name));
  for (const s of orphans) await db.exec(`DROP SCHEMA IF EXISTS ${ident(s)} CASCADE`);
  const scratch = toRows(
    await db.query(`SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database()
      AND schema_name IN (SELECT schema_name FROM strata_meta.datasets)
      AND table_name NOT IN ('events', 'users', 'products', 'user_metrics')
      AND (table_name LIKE '%\\_next' ESCAPE '\\' OR table_name LIKE 'stg\\_%' ESCAPE '\\' OR table_name LIKE 'strata\\_import\\_%' ESCAPE '\\')`),
  );
  for (const t of scratch) await db.exec(`DROP TABLE IF EXISTS ${ident(String(t.schema_name))}.${ident(String(t.table_name))}`);
  await db.exec(`DELETE FROM strata_meta.settings WHERE key = 'current' AND value NOT IN (SELECT id::VARCHAR FROM strata_meta.datasets)`);
  const repair = { removedRows, droppedSchemas: orphans, droppedTables: scratch.length };
  if ((removedRows.length || orphans.length || scratch.length) && opts.checkpoint !== false) await checkpoint(db);
  return repair;
}

/** Rename a dataset (the name is data: bound, never spliced). */
export async function renameDataset(db: Db, id: number, name: string): Promise<void> {
  const clean = name.trim();
  if (!clean) throw new StrataError('A dataset needs a name.');
  if (clean.length > 120) throw new StrataError('Dataset names are limited to 120 characters.');
  const q = sql`UPDATE strata_meta.datasets SET name = ${clean} WHERE id = ${id}`;
  await db.query(q.text, q.params);
  await checkpoint(db);
}

const currencyKey = (id: number) => `currency:${id}`;

/** The currency a dataset's money is in (ISO 4217), or null when none was set (the screens show US dollars). */
export async function readCurrency(db: Db, id: number): Promise<string | null> {
  const q = sql`SELECT value FROM strata_meta.settings WHERE key = ${currencyKey(id)}`;
  const r = toRows(await db.query(q.text, q.params))[0];
  return r && typeof r.value === 'string' ? r.value : null;
}

/** Set a dataset's currency (an ISO 4217 code, checked by the caller). */
export async function writeCurrency(db: Db, id: number, code: string): Promise<void> {
  const q = sql`INSERT OR REPLACE INTO strata_meta.settings VALUES (${currencyKey(id)}, ${code})`;
  await db.query(q.text, q.params);
}

/** Delete a dataset and its tables; the caller switches to another one first if it was current. */
export async function deleteDataset(db: Db, rec: DatasetRecord): Promise<void> {
  // One transaction: the catalog never lists a dataset whose tables are gone, nor keeps tables it no longer lists.
  await db.exec('BEGIN TRANSACTION');
  try {
    await db.exec(`DROP SCHEMA IF EXISTS ${ident(rec.schema)} CASCADE`);
    const q = sql`DELETE FROM strata_meta.datasets WHERE id = ${rec.id}`;
    await db.query(q.text, q.params);
    const c = sql`DELETE FROM strata_meta.settings WHERE key = ${currencyKey(rec.id)}`;
    await db.query(c.text, c.params);
    await db.exec('COMMIT');
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw err;
  }
  await checkpoint(db);
}

/** Flush to storage so a reload or a browser restart finds the data (no-op for in-memory databases). */
export async function checkpoint(db: Db): Promise<void> {
  await db.exec('CHECKPOINT');
}


/** Recount a dataset's events and users into the catalog (after rows were appended, e.g. by live mode). */
export async function updateDatasetCounts(db: Db, id: number): Promise<void> {
  await db.exec(`UPDATE strata_meta.datasets SET events = (SELECT count(*) FROM events), users = (SELECT count(*) FROM users)
WHERE id = ${Math.trunc(id)}`);
}
