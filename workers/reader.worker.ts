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
  async init(threads: number) {
    const bundle = { wasm: coiWasm, pthreadWorker: coiPthread, threads: Math.max(1, Math.trunc(threads)) };
    return engine.init({ persist: false }, () => new Worker(coiWorker), bundle);
  },
  ping: () => engine.ping(),
  attach: (name: string, bytes: Uint8Array, catalog: string, schema: string, previous: string | null) =>
    attachSnapshot(snapshots, { name, bytes, catalog, schema, previous }),
  detach: (catalog: string, name: string) => detachSnapshot(snapshots, catalog, name),
  async query(sql: string, params?: SqlValue[]): Promise<Uint8Array> {
    // A result cut short by duckdb-wasm#2256 (see isWholeIpcFile) is refused: the page asks the main engine instead.
    const bytes = wholeResult(await engine.query(sql, params));
    return Comlink.transfer(bytes, [bytes.buffer]);
  },
};

Comlink.expose(api);
