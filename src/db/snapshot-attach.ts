// How the reader's engine takes on a snapshot (workers/reader.worker.ts in the page; tests/reader.test.ts natively):
// the file's bytes registered, whatever catalog of that name is there detached, the new one attached read-only with
// the dataset's schema current, then every column read once. If any step fails, the half-attached snapshot is
// detached and its bytes dropped, so the next try starts clean (CI once saw every retry refused with "database with
// name … already exists": a try that failed after its ATTACH had left the catalog behind).
//
// The attach and that first read run on ONE thread. DuckDB-WASM's threaded build reads a registered file through one
// shared position per file handle (WebFileSystem::Read sets the handle's position, then copies from it, unlocked),
// while DuckDB reads its database file's blocks from several threads at once: two concurrent reads can swap blocks.
// Each block carries its own checksum, so a swapped block passes it and is decoded as something else — reproduced
// here (a 4M-row file attached from a buffer, a fingerprint of every column at 2 threads: 1 try in 80 failed with
// "Corrupt database file: decoded FSST string …"; one 10M bench run answered J1 with 50 paths instead of 8). Read on
// one thread, every block enters the buffer pool intact; the analyses then find them there and read nothing from the
// file (the reader's memory limit lies beyond what the WASM heap can hold besides the file's own bytes, so no block
// is evicted and read again, and the engine has no temporary directory to spill to — see workers/reader.worker.ts).
import { ident, literal } from '../sql/quote.ts';

/** What attaching needs from an engine. */
export interface SnapshotEngine {
  /** Make `bytes` readable under `name`; resolves with the path ATTACH names. */
  register(name: string, bytes: Uint8Array): Promise<string>;
  /** Forget a registered file (its memory freed). */
  drop(name: string): Promise<void>;
  /** Run a statement on the connection the reader answers on. */
  run(sql: string): Promise<void>;
  /** A statement's rows as plain objects. */
  rows(sql: string, params: (string | number)[]): Promise<Record<string, unknown>[]>;
}

export interface SnapshotRequest {
  name: string;
  bytes: Uint8Array;
  catalog: string;
  schema: string;
  /** The snapshot this one replaces (its bytes are dropped once it is detached). */
  previous: string | null;
  /** The engine's thread count, set back once the snapshot is attached and read (it is read on one thread). */
  threads: number;
}

/** One thread while the file is read (see above), the engine's own count after. */
export const threadsSql = (n: number) => `SET threads = ${Math.max(1, Math.trunc(n))}`;

const detachSql = (catalog: string) => ['USE memory', `DETACH DATABASE IF EXISTS ${ident(catalog)}`];

/** Attach a snapshot and warm it; resolves with the warming's milliseconds. */
export async function attachSnapshot(engine: SnapshotEngine, req: SnapshotRequest): Promise<number> {
  const path = await engine.register(req.name, req.bytes);
  try {
    await engine.run(threadsSql(1));
    for (const sql of detachSql(req.catalog)) await engine.run(sql);
    if (req.previous && req.previous !== req.name) await engine.drop(req.previous).catch(() => undefined);
    await engine.run(`ATTACH ${literal(path)} AS ${ident(req.catalog)} (READ_ONLY)`);
    await engine.run(`USE ${ident(req.catalog)}.${ident(req.schema)}`);
    const ms = await warm(engine, req.catalog, req.schema);
    await engine.run(threadsSql(req.threads));
    return ms;
  } catch (err) {
    for (const sql of detachSql(req.catalog)) await engine.run(sql).catch(() => undefined);
    await engine.drop(req.name).catch(() => undefined);
    await engine.run(threadsSql(req.threads)).catch(() => undefined);
    throw err;
  }
}

/** Detach a snapshot and drop its bytes (the dataset became too small to gain from threads: its memory back). */
export async function detachSnapshot(engine: SnapshotEngine, catalog: string, name: string): Promise<void> {
  for (const sql of detachSql(catalog)) await engine.run(sql);
  await engine.drop(name);
}

/**
 * Read every column of the schema's tables once, so the first statements do not pay for bringing the file's blocks
 * into DuckDB's buffer pool (measured at 10M events: KPIs' first run 761 → 336 ms, warm 260). Base tables only: a
 * view is read through its tables.
 */
async function warm(engine: SnapshotEngine, catalog: string, schema: string): Promise<number> {
  const t0 = performance.now();
  const rows = await engine.rows(
    `SELECT c.table_name AS t, c.column_name AS c FROM duckdb_columns() c
     JOIN duckdb_tables() t USING (database_name, schema_name, table_name)
     WHERE c.database_name = ? AND c.schema_name = ? ORDER BY c.table_name, c.column_index`,
    [catalog, schema],
  );
  const tables = new Map<string, string[]>();
  for (const r of rows) {
    const cols = tables.get(String(r.t)) ?? [];
    cols.push(String(r.c));
    tables.set(String(r.t), cols);
  }
  for (const [table, cols] of tables) {
    await engine.run(`SELECT ${cols.map((c) => `bit_xor(hash(${ident(c)}))`).join(', ')} FROM ${ident(table)}`);
  }
  return performance.now() - t0;
}
