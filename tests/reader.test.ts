// SnapshotReader (src/db/reader.ts): when it takes a snapshot, when its answers may be used, what it does when a
// write lands during a snapshot, on small data, and when its engine cannot start. Natively: the "main engine" is a
// DuckDB file, the reader's worker a Comlink endpoint over a MessageChannel whose engine attaches the file's bytes
// read-only, as the threaded build does in the page (e2e/threads.spec.ts runs the real thing in Chromium).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { tableToIPC } from 'apache-arrow';
import { openNodeDb, type NativeDb } from '../src/db/node-db.ts';
import { MAX_FAILED_TRIES, MAX_RESTARTS, mainEngineNote, readerSummary, readsFromReader, SnapshotReader, type ReaderHost, type ReaderStatus } from '../src/db/reader.ts';
import type { ReaderWorkerApi } from '../src/db/protocols.ts';
import type { EngineInfo } from '../src/db/wasm-engine.ts';
import { scriptSql, type SqlValue } from '../src/sql/quote.ts';
import { attachSnapshot, detachSnapshot, type SnapshotEngine } from '../src/db/snapshot-attach.ts';
import { INCOMPLETE_RESULT, wholeResult } from '../src/db/ipc-decode.ts';
import { statementKind } from '../src/db/statement-kind.ts';
import { queryOptions } from '../src/db/types.ts';
import { DEFAULT_OVERVIEW, mainEnginePanels, OVERVIEW_PANELS } from '../src/analyses/overview/index.ts';

/**
 * A reader worker over native DuckDB running the page's own attach steps (src/db/snapshot-attach.ts): registering
 * writes the bytes to a file, dropping deletes it. `failWarm` makes that many warm-ups fail after the ATTACH.
 */
function fakeWorker(dir: string, opts: { failInit?: boolean; failWarm?: number } = {}) {
  let db: NativeDb | null = null;
  // Answers to cut short, as duckdb-wasm#2256 does in the threaded build: the next ones come back empty / truncated.
  const cuts: ((b: Uint8Array) => Uint8Array)[] = [];
  const attached: string[] = [];
  const files = new Set<string>();
  let failWarm = opts.failWarm ?? 0;
  let engineThreads = 1;
  /** Every statement the attach steps ran, in order. */
  const statements: string[] = [];
  const engine: SnapshotEngine = {
    async register(name, bytes) {
      writeFileSync(join(dir, name), bytes);
      files.add(name);
      return join(dir, name);
    },
    async drop(name) {
      files.delete(name);
      rmSync(join(dir, name), { force: true });
    },
    run: (sql) => {
      statements.push(sql);
      return db!.exec(sql);
    },
    async rows(sql, params) {
      statements.push(sql);
      if (/duckdb_columns/.test(sql) && failWarm > 0) {
        failWarm--;
        throw new Error('warm-up failed (injected)');
      }
      return (await db!.query(sql, params)).toArray().map((r) => r.toJSON() as Record<string, unknown>);
    },
  };
  const api: ReaderWorkerApi = {
    async init(threads: number): Promise<EngineInfo> {
      if (opts.failInit) throw new Error('no threaded build here');
      db = await openNodeDb({ threads });
      engineThreads = threads;
      return { version: 'native', initMs: 0, persistent: false, persistError: null, opfs: false, readOnly: false };
    },
    ping: () => null,
    async attach(name, bytes, catalog, schema, previous) {
      const ms = await attachSnapshot(engine, { name, bytes, catalog, schema, previous, threads: engineThreads });
      attached.push(name);
      return ms;
    },
    detach: (catalog, name) => detachSnapshot(engine, catalog, name),
    async query(sql: string, params: SqlValue[] = []) {
      // As the page's reader worker answers: DuckDB-WASM's file format, refused when not whole.
      const bytes = tableToIPC(await db!.query(params.length ? scriptSql({ text: sql, params }) : sql), 'file');
      return wholeResult(cuts.shift()?.(bytes) ?? bytes);
    },
  };
  const channel = new MessageChannel();
  Comlink.expose(api, channel.port2 as unknown as Comlink.Endpoint);
  const worker = Object.assign(channel.port1, { terminate: () => channel.port1.close(), onerror: null }) as unknown as Worker;
  const threadsNow = async () => Number((await db!.query("SELECT current_setting('threads')::INTEGER AS t")).getChild('t')?.get(0));
  return { worker, attached, files, cuts, statements, threadsNow, failNext: (n: number) => (failWarm = n), close: () => db?.close() };
}

/** The main engine: a DuckDB file, with writes counted as the browser Db counts them (start and end). */
async function mainEngine(dir: string) {
  const path = join(dir, 'strata.db');
  const db = await openNodeDb({ path, threads: 1 });
  let writes = 0;
  const state = { idle: true, checkpoints: 0 };
  const host: ReaderHost = {
    writes: () => writes,
    idle: () => state.idle,
    query: (sql) => db.query(sql),
    exec: (sql) => {
      if (/CHECKPOINT/.test(sql)) state.checkpoints++;
      return db.exec(sql);
    },
  };
  const write = async (sql: string) => {
    writes++;
    try {
      await db.exec(sql);
    } finally {
      writes++;
    }
  };
  return { db, host, path, write, state, bump: () => (writes += 2) };
}

async function setup(minEvents: number, opts: { failInit?: boolean; failWarm?: number; duringRead?: () => void } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'strata-reader-'));
  const main = await mainEngine(dir);
  await main.write('CREATE SCHEMA ds_1; SET schema = \'ds_1\'; CREATE TABLE events AS SELECT range AS id FROM range(1000); CREATE TABLE users AS SELECT 7 AS n');
  // The first worker is `fake`; a restart after a failure starts another (`fakes`).
  const fake = fakeWorker(dir, opts);
  const fakes = [fake];
  let started = 0;
  let reads = 0;
  const reader = new SnapshotReader(main.host, {
    threads: 2,
    minEvents,
    quietMs: 5,
    readFile: async () => {
      reads++;
      const bytes = new Uint8Array(readFileSync(main.path));
      opts.duringRead?.();
      return bytes;
    },
    startWorker: () => {
      if (started++ > 0) fakes.push(fakeWorker(dir, opts));
      return fakes.at(-1)!.worker;
    },
    restartMs: 10,
  });
  const done = async () => {
    reader.close();
    for (const f of fakes) await f.close();
    await main.db.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { main, reader, fake, fakes, reads: () => reads, done };
}

/** Wait (up to 2 s) for a retry the reader scheduled by itself (quietMs 5) to make its snapshot current. */
const untilCurrent = async (t: Awaited<ReturnType<typeof setup>>) => {
  for (let i = 0; i < 100 && !t.reader.current(t.main.host.writes()); i++) await new Promise((r) => setTimeout(r, 20));
};

const users = async (t: Awaited<ReturnType<typeof setup>>) => {
  const a = await t.reader.answer('SELECT n FROM users', [], t.main.host.writes());
  return a && a !== 'write' ? Number(a.get(0)?.toJSON().n) : a;
};

test('a snapshot answers only while no write has been sent since; the next one holds the write', async () => {
  const t = await setup(0);
  try {
    assert.equal(t.reader.current(t.main.host.writes()), false);
    assert.equal(await users(t), null, 'no snapshot yet: the caller runs it on the main engine');
    await t.reader.refresh();
    assert.equal(t.reader.info.state, 'ready', JSON.stringify(t.reader.info));
    assert.equal(t.reader.info.threads, 2);
    assert.equal(t.reader.current(t.main.host.writes()), true);
    assert.equal(await users(t), 7);
    await t.main.write('UPDATE users SET n = 8');
    assert.equal(t.reader.current(t.main.host.writes()), false);
    assert.equal(await users(t), null, 'stale: refused, never the old 7');
    await t.reader.refresh();
    assert.equal(await users(t), 8);
    assert.equal(t.reader.info.snapshots, 2);
    assert.deepEqual(t.fake.attached, ['strata-snapshot-1.db', 'strata-snapshot-2.db']);
  } finally {
    await t.done();
  }
});

test('an answer cut short (duckdb-wasm#2256: empty, or truncated) is declined, never used; the next one answers', async () => {
  const t = await setup(0);
  try {
    await t.reader.refresh();
    assert.equal(await users(t), 7);
    // Empty: decoded, it would be a table with no columns and no rows (what the funnel once received).
    t.fake.cuts.push(() => new Uint8Array(0), (b) => b.subarray(0, b.length - 7), (b) => b.subarray(1));
    for (let i = 0; i < 3; i++) assert.equal(await users(t), null, `cut ${i}: the caller runs it on the main engine`);
    assert.equal(t.reader.info.declined, 3);
    assert.equal(t.reader.info.answered, 1);
    assert.ok(t.reader.info.errors.some((e) => e.includes(INCOMPLETE_RESULT) && e.includes('(0 bytes')), JSON.stringify(t.reader.info.errors));
    assert.equal(t.reader.info.state, 'ready', 'a declined answer does not stop the reader');
    assert.equal(await users(t), 7);
    assert.equal(t.reader.info.answered, 2);
  } finally {
    await t.done();
  }
});

test('the reader-only query (the tests\' cross-check) asks again when an answer is cut short, up to 3 times', async () => {
  const t = await setup(0);
  try {
    await t.reader.refresh();
    const w = t.main.host.writes();
    const n = async () => Number((await t.reader.only('SELECT n FROM users', [], w)).getChild('n')?.get(0));
    t.fake.cuts.push(() => new Uint8Array(0), (b) => b.subarray(1));
    assert.equal(await n(), 7, 'two cut answers, then the whole one');
    t.fake.cuts.push(() => new Uint8Array(0), () => new Uint8Array(0), () => new Uint8Array(0));
    await assert.rejects(n(), new RegExp(INCOMPLETE_RESULT), 'three cut answers: it fails, it does not loop');
    assert.equal(await n(), 7);
  } finally {
    await t.done();
  }
});

test('a write during the read of the file discards that snapshot; a later try succeeds', async () => {
  let bumpOnce = true;
  let bump = () => undefined as unknown;
  const t = await setup(0, {
    duringRead: () => {
      if (bumpOnce) bump();
      bumpOnce = false;
    },
  });
  bump = t.main.bump;
  try {
    await t.reader.refresh();
    assert.notEqual(t.reader.info.state, 'ready', 'the snapshot read while a write happened is not used');
    assert.equal(t.reader.current(t.main.host.writes()), false);
    // The retry was scheduled by itself (quietMs 5): wait for it.
    await untilCurrent(t);
    assert.equal(t.reader.current(t.main.host.writes()), true);
    assert.equal(t.reads(), 2);
    assert.equal(await users(t), 7);
  } finally {
    await t.done();
  }
});

test('below minEvents it stands by without starting its engine; above, it snapshots', async () => {
  const t = await setup(1001);
  try {
    await t.reader.refresh();
    assert.equal(t.reader.info.state, 'standby');
    assert.equal(t.reads(), 0);
    assert.equal(t.reader.info.generation, t.main.host.writes());
    assert.equal(await users(t), null);
    await t.main.write('INSERT INTO events SELECT 5000');
    await t.reader.refresh();
    assert.equal(t.reader.info.state, 'ready');
    assert.equal(await users(t), 7);
    assert.equal(t.fake.files.size, 1);
    // Another, smaller dataset becomes current: standing by again, and the snapshot's memory is freed.
    await t.main.write("CREATE SCHEMA ds_2; SET schema = 'ds_2'; CREATE TABLE events AS SELECT range AS id FROM range(10); CREATE TABLE users AS SELECT 3 AS n");
    await t.reader.refresh();
    assert.equal(t.reader.info.state, 'standby');
    assert.equal(t.fake.files.size, 0);
    assert.equal(await users(t), null);
  } finally {
    await t.done();
  }
});

test('a statement the reader refuses as a write comes back as one; an engine that cannot start fails for good', async () => {
  const t = await setup(0);
  try {
    await t.reader.refresh();
    assert.equal(await t.reader.answer('INSERT INTO users VALUES (1)', [], t.main.host.writes()), 'write');
    assert.equal(await t.reader.answer('SELECT * FROM no_such_table', [], t.main.host.writes()), null);
  } finally {
    await t.done();
  }
  const f = await setup(0, { failInit: true });
  try {
    await f.reader.refresh();
    assert.equal(f.reader.info.state, 'starting', 'a first failure: a new engine is tried');
    assert.equal(f.reader.info.restarts, 1);
    const state = () => f.reader.info.state as string; // changes under the test's feet (the restarts)
    for (let i = 0; i < 100 && state() !== 'failed'; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(f.reader.info.state, 'failed', `after ${MAX_RESTARTS} restarts: for good`);
    assert.equal(f.reader.info.restarts, MAX_RESTARTS);
    assert.equal(f.fakes.length, MAX_RESTARTS + 1);
    assert.match(f.reader.info.error ?? '', /no threaded build/);
    assert.equal(await users(f), null);
  } finally {
    await f.done();
  }
});

test('a threaded engine that fails while it answers (its worker threw) is replaced: the next one snapshots and answers', async () => {
  const t = await setup(0);
  try {
    await t.reader.refresh();
    assert.equal(await users(t), 7);
    (t.fake.worker as unknown as EventTarget).dispatchEvent(new Event('error'));
    assert.equal(t.reader.info.state, 'starting');
    assert.equal(t.reader.info.restarts, 1);
    assert.equal(t.reader.current(t.main.host.writes()), false);
    assert.equal(await users(t), null, 'no engine: the main engine answers');
    await untilCurrent(t);
    assert.equal(t.fakes.length, 2, 'a new worker');
    assert.deepEqual(t.fakes[1].attached, ['strata-snapshot-2.db']);
    await t.main.write('UPDATE users SET n = 9');
    await t.reader.refresh();
    assert.equal(await users(t), 9);
    // An error from the worker it replaced changes nothing now.
    (t.fake.worker as unknown as EventTarget).dispatchEvent(new Event('error'));
    assert.equal(t.reader.info.state, 'ready');
    assert.equal(t.reader.info.restarts, 1);
  } finally {
    await t.done();
  }
});

test('while another connection is busy or a transaction is open, no CHECKPOINT is sent; once idle, it snapshots', async () => {
  const t = await setup(0);
  try {
    t.main.state.idle = false;
    await t.reader.refresh();
    assert.equal(t.main.state.checkpoints, 0, 'a CHECKPOINT now would wait for the checkpoint lock: a deadlock here');
    assert.equal(t.reader.current(t.main.host.writes()), false);
    assert.equal(await users(t), null);
    t.main.state.idle = true;
    await untilCurrent(t);
    assert.equal(t.main.state.checkpoints, 1);
    assert.equal(await users(t), 7);
  } finally {
    await t.done();
  }
});

test('a snapshot that fails after its ATTACH leaves nothing behind: no answers from it, and the retry attaches', async () => {
  // CI once saw every retry refused with "database with name strata already exists" after such a failure.
  const t = await setup(0, { failWarm: 1 });
  try {
    await t.reader.refresh();
    assert.equal(t.reader.info.state, 'starting', 'no snapshot is claimed');
    assert.equal(t.reader.current(t.main.host.writes()), false);
    assert.deepEqual(t.reader.info.errors, ['warm-up failed (injected)']);
    assert.equal(t.fake.files.size, 0, "the failed snapshot's bytes are dropped");
    assert.equal(await users(t), null);
    await untilCurrent(t);
    assert.equal(t.reader.info.state, 'ready', JSON.stringify(t.reader.info));
    assert.equal(await users(t), 7);
    assert.deepEqual([...t.fake.files], ['strata-snapshot-1.db']);
    // A failure while a snapshot answers: the failed try detached the old one first, so none is claimed and both
    // files are gone; the retry attaches the new data.
    t.fake.failNext(1);
    await t.main.write('UPDATE users SET n = 9');
    await t.reader.refresh();
    assert.equal(t.reader.info.state, 'starting');
    assert.equal(t.fake.files.size, 0);
    await untilCurrent(t);
    assert.equal(await users(t), 9);
    assert.deepEqual([...t.fake.files], ['strata-snapshot-2.db']);
  } finally {
    await t.done();
  }
});

test('a snapshot is attached and read on one thread, then the engine gets its threads back (also after a failure)', async () => {
  // DuckDB-WASM's threaded build can swap blocks read at once from a registered file (src/db/snapshot-attach.ts): every
  // read of the file happens on one thread, while the snapshot is attached and warmed, and none after.
  const t = await setup(0, { failWarm: 1 });
  try {
    await t.reader.refresh(); // fails after its ATTACH (injected)
    assert.equal(await t.fake.threadsNow(), 2, 'a failed try sets the threads back too');
    await untilCurrent(t);
    assert.equal(await users(t), 7);
    assert.equal(await t.fake.threadsNow(), 2, 'the snapshot answers with the threads the engine started with');
    const log = t.fake.statements;
    const last = log.lastIndexOf('SET threads = 1');
    const attach = log.findIndex((q, i) => i > last && q.startsWith('ATTACH '));
    const warms = log.map((q, i) => (/bit_xor\(hash/.test(q) ? i : -1)).filter((i) => i > last);
    const back = log.indexOf('SET threads = 2', last);
    assert.ok(last >= 0 && attach > last, `one thread before the ATTACH: ${JSON.stringify(log)}`);
    assert.deepEqual(warms.length, 2, 'both tables read once (events, users)');
    assert.ok(warms.every((i) => i > attach && i < back), `every column read before the threads come back: ${JSON.stringify(log)}`);
    assert.equal(back, log.length - 1, 'setting the threads back is the last step');
    // The failed try: one thread, then its cleanup, then the threads back.
    const first = log.indexOf('SET threads = 1');
    assert.ok(first < last && log.indexOf('SET threads = 2') > first && log.indexOf('SET threads = 2') < last);
  } finally {
    await t.done();
  }
});

test('a snapshot that fails every time is not tried forever: after MAX_FAILED_TRIES the engine is replaced, then given up', async () => {
  // Every warm-up fails, in every worker: each engine gets MAX_FAILED_TRIES tries, then a new one, up to MAX_RESTARTS.
  const t = await setup(0, { failWarm: 1000 });
  try {
    await t.reader.refresh();
    for (let i = 0; i < 200 && t.reader.info.state !== 'failed'; i++) await new Promise((r) => setTimeout(r, 20));
    const info = t.reader.info;
    assert.equal(info.state, 'failed', JSON.stringify(info));
    assert.equal(info.restarts, MAX_RESTARTS);
    assert.equal(t.fakes.length, MAX_RESTARTS + 1);
    assert.match(info.error ?? '', new RegExp(`no snapshot after ${MAX_FAILED_TRIES} tries \\(warm-up failed \\(injected\\)\\)`));
    assert.equal(info.snapshots, 0);
    assert.equal(await users(t), null, 'the main engine answers');
    // Each engine was tried exactly MAX_FAILED_TRIES times (one checkpoint and one file read per try).
    assert.equal(t.reads(), (MAX_RESTARTS + 1) * MAX_FAILED_TRIES);
  } finally {
    await t.done();
  }
});

test('failed tries are counted per write count: a write in between starts the count again', async () => {
  // MAX_FAILED_TRIES - 1 failures, then a write lands while the next try reads the file (that try is discarded, no
  // failure), then MAX_FAILED_TRIES - 1 failures for the new write count: never MAX_FAILED_TRIES in a row for one.
  let reads = 0;
  let bump = () => undefined as unknown;
  const t = await setup(0, {
    failWarm: 2 * (MAX_FAILED_TRIES - 1),
    duringRead: () => {
      if (++reads === MAX_FAILED_TRIES) bump();
    },
  });
  bump = t.main.bump;
  try {
    await t.reader.refresh();
    await untilCurrent(t);
    assert.equal(t.reader.info.restarts, 0, JSON.stringify(t.reader.info));
    assert.equal(t.reader.info.state, 'ready');
    assert.equal(reads, 2 * MAX_FAILED_TRIES, 'the failed tries, the discarded one, and the one that worked');
    assert.equal(await users(t), 7);
  } finally {
    await t.done();
  }
});

test('on standby, a failed first snapshot of a big dataset is not taken for one', async () => {
  const t = await setup(1001, { failWarm: 1 });
  try {
    await t.reader.refresh();
    assert.equal(t.reader.info.state, 'standby');
    await t.main.write('INSERT INTO events SELECT 5000');
    await t.reader.refresh();
    assert.equal(t.reader.info.state, 'starting');
    assert.equal(t.reader.info.generation, -1);
    await untilCurrent(t);
    assert.equal(await users(t), 7);
    assert.equal(t.reader.info.snapshots, 1);
  } finally {
    await t.done();
  }
});

test("the Datasets screen's sentence names the engine that answers, and why", () => {
  const base: ReaderStatus = { state: 'ready', threads: 2, generation: 4, snapshots: 1, answered: 0, declined: 0, restarts: 0, step: null, lastSnapshotMs: 581, warmMs: 90, startMs: 1200, error: null, errors: [] };
  assert.equal(readerSummary(base, true, 'not-stored'), 'Analyses run on 2 threads, from a read-only snapshot of the stored data (taken in 0.6 s).');
  assert.match(readerSummary(base, false, 'not-stored'), /changed since the 2-thread engine's snapshot: one thread answers/);
  assert.match(readerSummary({ ...base, state: 'standby' }, false, 'not-stored'), /one thread: a 2-thread engine takes over from 500,000 events/);
  assert.match(readerSummary({ ...base, state: 'loading' }, false, 'not-stored'), /Taking a snapshot for the 2-thread engine/);
  assert.equal(readerSummary({ ...base, state: 'failed', error: 'boom' }, false, 'not-stored'), 'The threaded engine stopped (boom); one thread answers everything.');
  assert.match(readerSummary(null, false, 'not-isolated'), /not cross-origin isolated/);
  assert.match(readerSummary(null, false, 'not-stored'), /reads datasets stored in this browser only/);
  assert.match(readerSummary(null, false, 'off'), /turned off \(reader=off/);
  assert.match(readerSummary(null, false, 'read-only'), /open read-only for recovery/);
});

test("while the reader answers, the Datasets screen names the Overview's panels that still run on the main engine", () => {
  const base: ReaderStatus = { state: 'ready', threads: 2, generation: 4, snapshots: 1, answered: 0, declined: 0, restarts: 0, step: null, lastSnapshotMs: 581, warmMs: 90, startMs: 1200, error: null, errors: [] };
  // The names come from the panels' own statements: exactly those asking for the main engine.
  assert.deepEqual(mainEnginePanels(), ['KPI row', 'geography panel']);
  assert.equal(mainEngineNote(base, true, mainEnginePanels()), "The Overview's KPI row and geography panel run on one thread: measured faster there.");
  assert.equal(mainEngineNote(base, true, ['KPI row']), "The Overview's KPI row runs on one thread: measured faster there.");
  assert.equal(mainEngineNote(base, true, ['a', 'b', 'c']), "The Overview's a, b and c run on one thread: measured faster there.");
  // Not while one thread answers everything anyway.
  assert.equal(mainEngineNote(base, false, mainEnginePanels()), null, 'snapshot not current');
  assert.equal(mainEngineNote({ ...base, state: 'standby' }, true, mainEnginePanels()), null);
  assert.equal(mainEngineNote(null, false, mainEnginePanels()), null);
  assert.equal(mainEngineNote(base, true, []), null);
});

test('a read on the main connection may come from the snapshot; a write, a job\'s own connection or a statement asking for the main engine never does', () => {
  assert.equal(readsFromReader('read', undefined), true);
  assert.equal(readsFromReader('read', undefined, {}), true);
  assert.equal(readsFromReader('read', undefined, { engine: 'main' }), false);
  assert.equal(readsFromReader('write', undefined), false);
  assert.equal(readsFromReader('neutral', undefined), false);
  assert.equal(readsFromReader('read', 3), false);
  // What the Overview sends: the KPI row and the geography panel ask for the main engine, the other panels do not.
  for (const [panel, build] of Object.entries(OVERVIEW_PANELS)) {
    const q = build(DEFAULT_OVERVIEW, { sessionMetrics: true, userMetrics: true });
    assert.equal(readsFromReader(statementKind(q.text), undefined, queryOptions(q)), !['kpis', 'geography'].includes(panel), panel);
  }
});
