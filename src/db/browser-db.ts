// The browser Db: Comlink over workers/db.worker.ts; decodes Arrow IPC late, on the main thread, when asked.
// It also watches the worker: a crashed engine, a worker that died or stopped answering, makes every pending and
// later call fail at once (never hang) and resolves `stopped`, so the app can restart the engine and say so.
import * as Comlink from 'comlink';
import { tableFromIPC, type Table } from 'apache-arrow';
import type { Db, InsertOptions } from './types.ts';
import type { SqlValue } from '../sql/quote.ts';
import type { DbWorkerApi } from './protocols.ts';
import type { EngineInfo, EngineOptions } from './wasm-engine.ts';
import { ENGINE_STOPPED, isEngineFatal } from './engine-faults.ts';
import { StrataError } from '../errors.ts';

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
}

/** How often the worker is asked whether it is alive, and how long an answer may take. */
const BEAT_MS = 1500;
const SILENT_MS = 5000;
const RECHECK_MS = 500;

/** Start the database worker and resolve once DuckDB-WASM is ready. */
export async function openBrowserDb(opts: EngineOptions): Promise<BrowserDb> {
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
    info = await guard(() => remote.init(opts));
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

  const bind = (conn?: number): Db => ({
    query: (sql: string, params: readonly SqlValue[] = []) => guard(async () => tableFromIPC(await remote.query(sql, [...params], conn))),
    exec: (sql: string) => guard(() => remote.exec(sql, conn)),
    insertArrow: (table: string, ipc: Uint8Array, o?: InsertOptions) =>
      guard(() => remote.insertArrow(table, Comlink.transfer(ipc, [ipc.buffer]), o, conn)),
    close: async () => {
      if (conn !== undefined && !dead) await guard(() => remote.disconnect(conn));
    },
  });
  const main = bind();
  return {
    ...main,
    kind: 'wasm',
    info,
    stopped,
    registerFile: (name: string, file: File) => guard(() => remote.registerFile(name, file)),
    dropFile: (name: string) => guard(() => remote.dropFile(name)),
    queryOne: (sql: string, params: readonly SqlValue[] = []) => guard(async () => tableFromIPC(await remote.queryOne(sql, [...params]))),
    async fork() {
      const conn = await guard(() => remote.connect());
      return { ...bind(conn), cancel: () => guard(() => remote.cancel(conn)) };
    },
    async close() {
      die('closed');
      remote[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}
