// The reader: DuckDB-WASM's threaded ("coi") build over a read-only snapshot of the stored database file, for the
// analyses' SELECTs when the page is cross-origin isolated (src/db/reader.ts decides when it may answer).
// A thin Comlink shell over WasmEngine, like db.worker.ts; results leave as transferred Arrow IPC bytes.
import * as Comlink from 'comlink';
import coiWasm from '@duckdb/duckdb-wasm/dist/duckdb-coi.wasm?url';
import coiWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.worker.js?url';
import coiPthread from '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.pthread.worker.js?url';
import { tableFromIPC } from 'apache-arrow';
import { WasmEngine } from '../src/db/wasm-engine.ts';
import { wholeResult } from '../src/db/ipc-decode.ts';
import { attachSnapshot, detachSnapshot, type SnapshotEngine } from '../src/db/snapshot-attach.ts';
import type { SqlValue } from '../src/sql/quote.ts';
import type { ReaderWorkerApi } from '../src/db/protocols.ts';

const engine = new WasmEngine();
/** The thread count the engine started with (snapshots are attached on one thread, then this is set back). */
let threads = 1;

/**
 * The reader's memory limit: beyond what the 4 GB WASM heap can hold besides a snapshot's own bytes (registered
 * outside DuckDB's accounting), so DuckDB never evicts a block it read on one thread to read it again on several
 * (src/db/snapshot-attach.ts says why that is unsafe here); running out of memory fails the statement instead, and
 * the main engine answers it. The threaded build has no temporary directory, so nothing spills to a file either.
 */
const MEMORY_LIMIT = '4GB';

const snapshots: SnapshotEngine = {
  async register(name, bytes) {
    await engine.registerBuffer(name, bytes);
    return name;
  },
  drop: (name) => engine.dropFile(name),
  run: (sql) => engine.exec(sql),
  async rows(sql, params) {
    return tableFromIPC(await engine.query(sql, params)).toArray().map((r) => r.toJSON() as Record<string, unknown>);
  },
};

const api: ReaderWorkerApi = {
  async init(asked: number) {
    const bundle = { wasm: coiWasm, pthreadWorker: coiPthread, threads: Math.max(1, Math.trunc(asked)) };
    const info = await engine.init({ persist: false }, () => new Worker(coiWorker), bundle);
    await engine.exec(`SET memory_limit = '${MEMORY_LIMIT}'`);
    const t = tableFromIPC(await engine.query("SELECT current_setting('threads')::INTEGER AS t"));
    threads = Number(t.getChild('t')?.get(0) ?? bundle.threads);
    return info;
  },
  ping: () => engine.ping(),
  attach: (name: string, bytes: Uint8Array, catalog: string, schema: string, previous: string | null) =>
    attachSnapshot(snapshots, { name, bytes, catalog, schema, previous, threads }),
  detach: (catalog: string, name: string) => detachSnapshot(snapshots, catalog, name),
  async query(sql: string, params?: SqlValue[]): Promise<Uint8Array> {
    // A result cut short by duckdb-wasm#2256 (see isWholeIpcFile) is refused: the page asks the main engine instead.
    const bytes = wholeResult(await engine.query(sql, params));
    return Comlink.transfer(bytes, [bytes.buffer]);
  },
};

Comlink.expose(api);
