// Where segmentations live: in the dataset's own schema, so they survive reloads, go with the dataset when it is
// deleted, and never leak between datasets. `user_segments` holds one row per user and one column per
// segmentation (a label, or a score); `segmentations` says what each column is. Every screen sees the columns as
// `s.<column>` fields (src/analyses/fields.ts, source 's'), so a segmentation is usable wherever user fields are.
import type { Db } from '../db/types.ts';
import { toRows } from '../lib/rows.ts';
import { ident, joinSql, raw, scriptSql, sql, type Sql } from '../sql/quote.ts';
import { StrataError } from '../errors.ts';

/** What a stored segmentation is. */
export interface SegmentationRecord {
  /** The column in user_segments (also the field id's tail: `s.<column>`). */
  column: string;
  /** The name the user sees. */
  name: string;
  /** 'builtin' (computed from a rule set), 'custom' (the segment builder), 'model' (clustering, predictions). */
  kind: 'builtin' | 'custom' | 'model';
  /** 'label' columns hold text; 'score' columns numbers. */
  type: 'label' | 'score';
  /** JSON: what produced it (rule options, a filter, a model run), so it can be recomputed. */
  definition: string | null;
  /** Epoch ms of the last computation. */
  updatedAt: number;
  /** The data it was computed from (dataFingerprintSql); differs from the dataset's now when the data changed. */
  dataVersion: string | null;
}

/**
 * One text that changes whenever the dataset's data does (an import into it, a live feed, a regenerate): event and
 * user counts and the last event time. A segmentation stores it; a different value now means "stale".
 */
export const DATA_FINGERPRINT_SQL = `SELECT ((SELECT count(*) FROM events) || ':' || coalesce((SELECT epoch_ms(max(ts)) FROM events)::VARCHAR, '') || ':' || (SELECT count(*) FROM users))::VARCHAR AS v`;

/** The number of users a data fingerprint records (its last part), or Infinity when it does not parse. */
export function fingerprintUsers(fingerprint: string): number {
  const n = Number(fingerprint.split(':').at(-1));
  return fingerprint.includes(':') && Number.isFinite(n) ? n : Infinity;
}

/** The current dataset's data fingerprint. */
export async function dataFingerprint(db: Db): Promise<string> {
  return String(toRows(await db.query(DATA_FINGERPRINT_SQL))[0].v);
}

/** Column names a segmentation may not take (the join key). */
const RESERVED = new Set(['user_id']);

/** A segmentation column name: lower snake case, 1–63 characters, not the join key. */
export function segmentColumn(name: string): string {
  const col = name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 63);
  if (!col || RESERVED.has(col)) throw new StrataError(`“${name}” cannot name a segmentation: use letters or digits.`);
  return /^[0-9]/.test(col) ? `s_${col}`.slice(0, 63) : col;
}

/** Create the two tables in the current schema if this dataset has none yet (one row per user). */
export async function ensureSegmentTables(db: Db): Promise<void> {
  await db.exec(ENSURE_TABLES_SQL);
}

const ENSURE_TABLES_SQL = `CREATE TABLE IF NOT EXISTS user_segments AS SELECT user_id FROM users;
CREATE TABLE IF NOT EXISTS segmentations (column_name VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, kind VARCHAR NOT NULL,
  type VARCHAR NOT NULL, definition VARCHAR, updated_at TIMESTAMP NOT NULL, data_version VARCHAR);
ALTER TABLE segmentations ADD COLUMN IF NOT EXISTS data_version VARCHAR`;

/**
 * Store a segmentation computed by `values`, a statement returning `user_id` and `value` (one row per user at most;
 * users it leaves out get NULL). Replaces an earlier one with the same column, in one transaction.
 */
export async function writeSegmentation(
  db: Db, rec: Omit<SegmentationRecord, 'updatedAt' | 'dataVersion'> & { dataVersion?: string | null }, values: Sql,
): Promise<void> {
  const col = ident(segmentColumn(rec.column));
  const type = rec.type === 'score' ? 'DOUBLE' : 'VARCHAR';
  const upd = sql`UPDATE user_segments SET ${raw(col)} = v.value::${raw(type)} FROM (${values}) v WHERE v.user_id = user_segments.user_id`;
  const version = rec.dataVersion === undefined ? raw(`(${DATA_FINGERPRINT_SQL})`) : sql`${rec.dataVersion}`;
  const meta = sql`INSERT OR REPLACE INTO segmentations (column_name, name, kind, type, definition, updated_at, data_version)
VALUES (${segmentColumn(rec.column)}, ${rec.name}, ${rec.kind}, ${rec.type}, ${rec.definition}, now()::TIMESTAMP, ${version})`;
  // One script, one call (a call in the page costs milliseconds however small its statement): the tables made if
  // this dataset has none yet, then in one transaction users that arrived since the table was made (a later import
  // step, a live feed) get their row, the column is replaced and recorded.
  try {
    await db.exec([ENSURE_TABLES_SQL, 'BEGIN TRANSACTION',
      'INSERT INTO user_segments (user_id) SELECT user_id FROM users EXCEPT SELECT user_id FROM user_segments',
      `ALTER TABLE user_segments DROP COLUMN IF EXISTS ${col}`, `ALTER TABLE user_segments ADD COLUMN ${col} ${type}`,
      scriptSql(upd), scriptSql(meta), 'COMMIT'].join(';\n'));
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Several segmentation columns computed by one statement: `body` returns user_id and the named output columns. */
export interface SegmentBatch {
  body: Sql;
  /**
   * The same one label per user as an expression over that user's row, `u` (users) and, when `metrics`, `m`
   * (user_metrics), when the rules need nothing else: the rebuild then evaluates it in place of `body` (no
   * temporary table, no join). Its one column reads from `label`.
   */
  row?: { label: Sql; metrics: boolean };
  columns: { from: string; rec: Omit<SegmentationRecord, 'updatedAt' | 'dataVersion'> }[];
}

/**
 * Store many segmentations at once: user_segments is rebuilt in one statement (each batch's body joined once, so a
 * label and its score are computed together; every other stored column carried over as it is) and swapped in with
 * the records in one transaction. Much cheaper than a column-by-column write: one table write, one commit.
 */
export async function writeSegmentations(
  db: Db, batches: readonly SegmentBatch[], dataVersion: string, stored?: readonly string[], { inlineBodies = false } = {},
): Promise<void> {
  if (!batches.length) return;
  // `stored`: the caller has just read user_segments' columns (besides user_id), so both tables exist as they should.
  let existing = stored;
  if (!existing) {
    await ensureSegmentTables(db);
    existing = toRows(await db.query(`SELECT column_name AS c FROM duckdb_columns() WHERE database_name = current_database()
    AND schema_name = current_schema() AND table_name = 'user_segments' AND column_name <> 'user_id' ORDER BY column_index`)).map((r) => String(r.c));
  }
  const fresh = new Map<string, Sql>();
  batches.forEach((b, i) => {
    for (const c of b.columns) {
      const type = raw(c.rec.type === 'score' ? 'DOUBLE' : 'VARCHAR');
      fresh.set(segmentColumn(c.rec.column), b.row ? sql`CAST((${b.row.label}) AS ${type})` : sql`CAST(${raw(`b${i}.${ident(c.from)}`)} AS ${type})`);
    }
  });
  const order = [...existing, ...[...fresh.keys()].filter((c) => !existing.includes(c))];
  const select = order.map((c) => sql`${fresh.get(c) ?? raw(`o.${ident(c)}`)} AS ${raw(ident(c))}`);
  // Each body first into a temporary table (in memory, never written to the stored file): joining the bodies
  // themselves in one statement made DuckDB plan one huge query, measured 3× slower than the bodies one by one
  // (and, as CTEs of one statement, 1.1–1.4× slower at 50K). Everything — bodies, rebuild, swap and records — is
  // one script: one call (each call in the page costs milliseconds, however small its statement). The rebuild, swap
  // and records are one transaction; the bodies run before it (inside it, DuckDB-WASM took 1.4× as long at 1M).
  // `inlineBodies` (small datasets): the bodies are subqueries of the rebuild itself, no temporary tables — at 5,000
  // users measured 87–93 ms against 98–101 ms for the whole script in the page (each statement there has a fixed
  // cost); at larger sizes the temporary tables win, as above.
  const bodies = inlineBodies ? [] : batches.flatMap((b, i) => (b.row ? [] : [{ i, body: b.body, temp: `strata_seg_b${i}` }]));
  const joins = inlineBodies
    ? batches.flatMap((b, i) => (b.row ? [] : [sql`LEFT JOIN (${b.body}) b${raw(String(i))} ON b${raw(String(i))}.user_id = u.user_id`]))
    : bodies.map(({ i, temp }) => raw(`LEFT JOIN temp.${temp} b${i} ON b${i}.user_id = u.user_id`));
  // Row rules over user_metrics read it through one join for them all.
  if (batches.some((b) => b.row?.metrics)) joins.unshift(raw('LEFT JOIN user_metrics m ON m.user_id = u.user_id'));
  // The stored table is joined only when some of its columns are kept (not when every one is recomputed).
  const keep = existing.some((c) => !fresh.has(c)) ? raw('LEFT JOIN user_segments o ON o.user_id = u.user_id ') : raw('');
  const build = sql`CREATE TABLE user_segments_next AS SELECT u.user_id${raw(select.length ? ', ' : '')}${joinSql(select, ', ')}
FROM users u ${keep}${joinSql(joins, ' ')}`;
  // Every record in one statement.
  const values = batches.flatMap((b) => b.columns.map(({ rec: r }) =>
    sql`(${segmentColumn(r.column)}, ${r.name}, ${r.kind}, ${r.type}, ${r.definition}, now()::TIMESTAMP, ${dataVersion})`));
  const meta = sql`INSERT OR REPLACE INTO segmentations (column_name, name, kind, type, definition, updated_at, data_version)
VALUES ${joinSql(values, ', ')}`;
  try {
    await db.exec([
      // (A table left by a run that stopped half-way, e.g. the page closed mid-script, goes first.)
      'DROP TABLE IF EXISTS user_segments_next',
      ...bodies.map((b) => scriptSql(sql`CREATE OR REPLACE TEMP TABLE ${raw(b.temp)} AS ${b.body}`)),
      'BEGIN TRANSACTION',
      scriptSql(build),
      ...bodies.map((b) => `DROP TABLE temp.${b.temp}`),
      'DROP TABLE user_segments',
      'ALTER TABLE user_segments_next RENAME TO user_segments',
      scriptSql(meta),
      'COMMIT',
    ].join(';\n'));
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => undefined);
    await db.exec(bodies.map((b) => `DROP TABLE IF EXISTS temp.${b.temp}`).join('; ')).catch(() => undefined);
    throw err;
  }
}

/** Remove a segmentation (its column and its record). */
export async function deleteSegmentation(db: Db, column: string): Promise<void> {
  await ensureSegmentTables(db);
  await db.exec('BEGIN TRANSACTION');
  try {
    await db.exec(`ALTER TABLE user_segments DROP COLUMN IF EXISTS ${ident(segmentColumn(column))}`);
    const q = sql`DELETE FROM segmentations WHERE column_name = ${segmentColumn(column)}`;
    await db.query(q.text, q.params);
    await db.exec('COMMIT');
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** The stored segmentations of the current dataset, by name. */
export async function listSegmentations(db: Db): Promise<SegmentationRecord[]> {
  // Read-only (recovery) databases cannot create the tables: a dataset without them has no segmentations yet.
  const exists = toRows(await db.query(`SELECT count(*)::DOUBLE AS n FROM duckdb_tables() WHERE database_name = current_database()
    AND schema_name = current_schema() AND table_name IN ('segmentations', 'user_segments')`));
  if (Number(exists[0].n) < 2) return [];
  if (!toRows(await db.query(`SELECT 1 FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = current_schema()
    AND table_name = 'segmentations' AND column_name = 'data_version'`)).length) await ensureSegmentTables(db);
  return toRows(await db.query(`SELECT column_name, name, kind, type, definition, epoch_ms(updated_at)::DOUBLE AS t, data_version FROM segmentations ORDER BY name, column_name`)).map((r) => ({
    column: String(r.column_name),
    name: String(r.name),
    kind: r.kind === 'custom' || r.kind === 'model' ? r.kind : 'builtin',
    type: r.type === 'score' ? 'score' : 'label',
    definition: r.definition === null ? null : String(r.definition),
    updatedAt: Number(r.t),
    dataVersion: r.data_version === null || r.data_version === undefined ? null : String(r.data_version),
  }));
}
