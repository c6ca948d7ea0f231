// The browser Db: Comlink over workers/db.worker.ts; decodes Arrow IPC late, on the main thread, when asked.
// It also watches the worker: a crashed engine, a worker that died or stopped answering, makes every pending and
// later call fail at once (never hang) and resolves `stopped`, so the app can restart the engine and say so.
import * as Comlink from 'comlink';
import type { Table } from 'apache-arrow';
import { decodeIpc } from './ipc-decode.ts';
import type { Db, InsertOptions, QueryOptions } from './types.ts';
import type { SqlValue } from '../sql/quote.ts';
import type { DbWorkerApi } from './protocols.ts';
import type { EngineInfo, EngineOptions } from './wasm-engine.ts';
import { ENGINE_STOPPED, isEngineFatal } from './engine-faults.ts';
import { StrataError } from '../errors.ts';
import { statementKind, transactionOpenAfter } from './statement-kind.ts';
import { canUseReader, readerMode, readsFromReader, readStoredFile, SnapshotReader, type NoReader, type ReaderStatus } from './reader.ts';

/** A Db on its own connection whose running statement can be cancelled (imports, long builds). */
export interface CancellableDb extends Db {
  cancel(): Promise<void>;
}

/** A browser Db plus the engine facts it reported at start and the file and connection helpers. */
export interface BrowserDb extends Db {
  readonly kind: 'wasm';
  readonly info: EngineInfo;
  registerFile(name: string, file: File): Promise<void>;
  dropFile(name: string): Promise<void>;
  /** A second connection; its statements run step-wise so `cancel()` can stop them. */
  fork(): Promise<CancellableDb>;
  /** Run exactly one statement (refused if the text holds several): for the read-only test handle. */
  queryOne(sql: string, params?: readonly SqlValue[]): Promise<Table>;
  /** Resolves with the reason once the engine is dead (trap, worker gone or silent); never rejects. */
  readonly stopped: Promise<string>;
  /** The threaded reader's state, or null when this page runs without it (not cross-origin isolated, in memory). */
  reader(): ReaderStatus | null;
  /** Why this page runs without the reader (null when it has one). */
  noReader: NoReader | null;
  /** Writes sent so far on any connection (each counts when it starts and when it ends). */
  writes(): number;
  /** True when the reader's snapshot holds everything written so far (its answers are the main engine's). */
  readerCurrent(): boolean;
  /** One read-only statement on the reader's snapshot alone; fails unless it is current (the tests' cross-check). */
  readerQuery(sql: string, params?: readonly SqlValue[]): Promise<Table>;
}

/** How an engine is opened: EngineOptions plus whether to start the threaded reader beside it. */
export interface BrowserDbOptions extends EngineOptions {
  /** Start the threaded reader when the page allows it (default: when cross-origin isolated, persistent, writable). */
  reader?: boolean;
}

/** Writes are quiet for this long before the reader takes a new snapshot. */
const SNAPSHOT_QUIET_MS = 1200;

/** How often the worker is asked whether it is alive, and how long an answer may take. */
const BEAT_MS = 1500;
const SILENT_MS = 5000;
const RECHECK_MS = 500;

/** Start the database worker and resolve once DuckDB-WASM is ready. */
export async function openBrowserDb(opts: BrowserDbOptions): Promise<BrowserDb> {
  const worker = new Worker(new URL('../../workers/db.worker.ts', import.meta.url), { type: 'module', name: 'db' });
  const remote = Comlink.wrap<DbWorkerApi>(worker);
  let dead: string | null = null;
  let announce: (reason: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (announce = resolve));
  let rejectDead: (err: Error) => void = () => undefined;
  const deadCall = new Promise<never>((_, reject) => (rejectDead = reject));
  deadCall.catch(() => undefined);
  let beat: ReturnType<typeof setInterval> | undefined;
  const die = (reason: string) => {
    if (dead) return;
    dead = reason;
    clearInterval(beat);
    reader?.close();
    rejectDead(new StrataError(`${ENGINE_STOPPED} (${reason}).`));
    announce(reason);
  };
  /** Every call: fails at once on a dead engine, fails when the engine dies meanwhile, notices traps. */
  const guard = async <T>(call: () => Promise<T>): Promise<T> => {
    if (dead) throw new StrataError(`${ENGINE_STOPPED} (${dead}).`);
    try {
      return await Promise.race([call(), deadCall]);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (isEngineFatal(msg)) die(msg);
      throw err;
    }
  };
  worker.addEventListener('error', (e) => die(e.message || 'the database worker failed'));
  worker.addEventListener('messageerror', () => die('the database worker sent a message that could not be read'));

  let info: EngineInfo;
  try {
    info = await guard(() => remote.init({ persist: opts.persist, readOnly: opts.readOnly, strict: opts.strict }));
  } catch (err) {
    die('it could not start');
    remote[Comlink.releaseProxy]();
    worker.terminate();
    throw err;
  }
  let pinging = false;
  beat = setInterval(() => {
    if (pinging || dead) return;
    pinging = true;
    // When the timer fires, the answer may be waiting behind it: a main thread that was itself busy for seconds
    // (a long render, a slow machine) runs its overdue timer and the queued reply in either order. So the engine is
    // declared silent only if the reply is still missing after one more short wait.
    let recheck: ReturnType<typeof setTimeout> | undefined;
    const silent = setTimeout(() => {
      recheck = setTimeout(() => die('the database worker stopped answering'), RECHECK_MS);
    }, SILENT_MS);
    remote
      .ping()
      .then((broken) => broken && die(broken))
      .catch((err: unknown) => die(err instanceof Error ? err.message : String(err)))
      .finally(() => {
        clearTimeout(silent);
        clearTimeout(recheck);
        pinging = false;
      });
  }, BEAT_MS);

  // Every write counts twice, when sent and when done, so a snapshot taken while one runs is never current.
  let writes = 0;
  let reader: SnapshotReader | null = null;
  // What may hold DuckDB's checkpoint lock: calls in flight on other connections (step-wise jobs), writes in flight
  // on the main one, explicit transactions left open. The reader's CHECKPOINT waits for that lock, and in this
  // single-threaded engine a wait is a deadlock (measured: the 10M shop's segment job and the snapshot, both stuck).
  let busy = 0;
  const openTx = new Set<number>();
  const MAIN = -1;
  const tracked = async <T>(conn: number | undefined, sql: string | null, isWrite: boolean, call: () => Promise<T>): Promise<T> => {
    const counts = conn !== undefined || isWrite;
    if (counts) busy++;
    if (isWrite) writes++;
    try {
      return await call();
    } finally {
      if (sql !== null) {
        const key = conn ?? MAIN;
        if (transactionOpenAfter(sql, openTx.has(key))) openTx.add(key);
        else openTx.delete(key);
      }
      if (counts) busy--;
      if (isWrite) {
        writes++;
        reader?.schedule();
      }
    }
  };
  const bind = (conn?: number): Db => ({
    async query(sql: string, params: readonly SqlValue[] = [], opts?: QueryOptions) {
      const kind = statementKind(sql);
      const onMain = () => guard(async () => decodeIpc(await remote.query(sql, [...params], conn)));
      if (kind === 'write') return tracked(conn, sql, true, onMain);
      // A read on the main connection: from the reader's snapshot when it holds exactly what the file holds now,
      // unless the statement asks for the main engine (Sql.engine: measured slower on the reader's threads).
      if (readsFromReader(kind, conn, opts) && reader?.current(writes)) {
        const answer = await reader.answer(sql, params, writes);
        if (answer === 'write') return tracked(conn, sql, true, onMain);
        if (answer) return answer;
      }
      return tracked(conn, null, false, onMain);
    },
    exec: (sql: string) => tracked(conn, sql, statementKind(sql) === 'write', () => guard(() => remote.exec(sql, conn))),
    insertArrow: (table: string, ipc: Uint8Array, o?: InsertOptions) =>
      tracked(conn, null, true, () => guard(() => remote.insertArrow(table, Comlink.transfer(ipc, [ipc.buffer]), o, conn))),
    close: async () => {
      if (conn !== undefined && !dead) await tracked(conn, null, false, () => guard(() => remote.disconnect(conn)));
      if (conn !== undefined) openTx.delete(conn); // closing rolls back what the job left open
    },
  });
  const main = bind();
  const mode = readerMode();
  if ((opts.reader ?? mode.on) && info.persistent && !info.readOnly && canUseReader()) {
    reader = new SnapshotReader(
      { writes: () => writes, idle: () => busy === 0 && openTx.size === 0, query: (sql) => main.query(sql), exec: (sql) => main.exec(sql) },
      {
        threads: Math.max(1, Math.min(8, navigator.hardwareConcurrency || 2)),
        minEvents: mode.minEvents,
        quietMs: SNAPSHOT_QUIET_MS,
        readFile: () => readStoredFile(),
        startWorker: () => new Worker(new URL('../../workers/reader.worker.ts', import.meta.url), { type: 'module', name: 'reader' }),
      },
    );
    reader.schedule();
  }
  const noReader: NoReader | null = reader
    ? null
    : !canUseReader()
      ? 'not-isolated'
      : !(opts.reader ?? mode.on)
        ? 'off'
        : info.persistent && info.readOnly
          ? 'read-only'
          : 'not-stored';
  return {
    ...main,
    kind: 'wasm',
    info,
    stopped,
    registerFile: (name: string, file: File) => guard(() => remote.registerFile(name, file)),
    dropFile: (name: string) => guard(() => remote.dropFile(name)),
    queryOne: (sql: string, params: readonly SqlValue[] = []) => guard(async () => decodeIpc(await remote.queryOne(sql, [...params]))),
    async fork() {
      const conn = await guard(() => remote.connect());
      return { ...bind(conn), cancel: () => guard(() => remote.cancel(conn)) };
    },
    reader: () => reader?.info ?? null,
    noReader,
    writes: () => writes,
    readerCurrent: () => !!reader?.current(writes),
    readerQuery: async (sql: string, params: readonly SqlValue[] = []) => {
      if (statementKind(sql) !== 'read') throw new StrataError('Only one read-only statement can run on the reader.');
      if (!reader) throw new StrataError('This page runs without the threaded reader.');
      return guard(() => reader!.only(sql, params, writes));
    },
    async close() {
      reader?.close();
      die('closed');
      remote[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}
