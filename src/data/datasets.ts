// The datasets catalog: every dataset (demo shop or import) lives in its own schema, listed in strata_meta.
import type { Db } from '../db/types.ts';
import { toRows } from '../db/rows.ts';
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
  const q = sql`INSERT OR REPLACE INTO strata_meta.settings VALUES ('current', ${String(rec.id)})`;
  await db.query(q.text, q.params);
}

/** A user-facing name for a new dataset. */
export interface NewDataset {
  name: string;
  kind: DatasetRecord['kind'];
  meta: string | null;
}

/**
 * Build a dataset in a fresh schema with `build` (which runs with that schema current) and register it.
 * On any failure the schema is dropped and the previous schema is current again: nothing is lost.
 */
export async function createDataset(db: Db, info: NewDataset, build: () => Promise<void>): Promise<DatasetRecord> {
  const previous = toRows(await db.query('SELECT current_schema() AS s'))[0].s as string;
  const id = Number(toRows(await db.query('SELECT coalesce(max(id), 0)::INTEGER + 1 AS id FROM strata_meta.datasets'))[0].id);
  const schema = `ds_${id}`;
  await db.exec(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE; CREATE SCHEMA ${ident(schema)}; SET schema = ${literal(schema)}`);
  try {
    await build();
    const counts = toRows(await db.query(`SELECT (SELECT count(*) FROM ${ident(schema)}.events)::DOUBLE AS e, (SELECT count(*) FROM ${ident(schema)}.users)::DOUBLE AS u`))[0];
    const q = sql`INSERT INTO strata_meta.datasets VALUES (${id}, ${schema}, ${info.name}, ${info.kind}, ${info.meta}, now()::TIMESTAMP, ${Number(counts.e)}, ${Number(counts.u)})`;
    await db.query(q.text, q.params);
    const rec = (await listDatasets(db)).find((d) => d.id === id)!;
    await useDataset(db, rec);
    await checkpoint(db);
    return rec;
  } catch (err) {
    await db.exec(`SET schema = ${literal(previous)}; DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`).catch(() => undefined);
    throw err;
  }
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

/** Delete a dataset and its tables; the caller switches to another one first if it was current. */
export async function deleteDataset(db: Db, rec: DatasetRecord): Promise<void> {
  await db.exec(`DROP SCHEMA IF EXISTS ${ident(rec.schema)} CASCADE`);
  const q = sql`DELETE FROM strata_meta.datasets WHERE id = ${rec.id}`;
  await db.query(q.text, q.params);
  await checkpoint(db);
}

/** Flush to storage so a reload or a browser restart finds the data (no-op for in-memory databases). */
export async function checkpoint(db: Db): Promise<void> {
  await db.exec('CHECKPOINT');
}

