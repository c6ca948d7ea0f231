// The handle the end-to-end tests and the benchmark read the page through. Production builds get a small,
// read-only object (state to wait on, and single-statement queries that cannot change anything); the whole app
// object, with its write methods, is exposed in development builds only.
import type { Table } from 'apache-arrow';
import type { AppState, Timings } from './app.svelte.ts';
import type { SqlValue } from '../sql/quote.ts';
import { StrataError } from '../errors.ts';
import type { ReaderStatus } from '../db/reader.ts';

/** What production builds expose as `globalThis.strata`. */
export interface StrataProbe {
  readonly phase: AppState['phase'];
  readonly error: string | null;
  readonly notice: string | null;
  readonly writing: string | null;
  readonly restarting: boolean;
  readonly storage: AppState['storage'];
  /** The current dataset's segmentations are listed (computed, or found up to date). */
  readonly segmentsReady: boolean;
  /** Why the segmentations could not be computed, or null. */
  readonly segmentError: string | null;
  /** The segmentation being computed and how far along the run is (copy), or null. */
  readonly segmentProgress: { label: string; fraction: number } | null;
  readonly timings: Readonly<Timings>;
  /** Stored datasets (copies): id, schema, name, events, users. */
  readonly datasets: { id: number; schema: string; name: string; events: number; users: number }[];
  readonly dataset: { id: number; schema: string; name: string } | null;
  /** The Import screen's files: name, status and error (copies). */
  readonly importFiles: { name: string; status: string; error: string | null }[];
  /** The analysis screens' warm start (views/prefetch.ts): the dataset version it ran for and whether it is over. */
  readonly prefetch: { version: number; status: 'running' | 'done' } | null;
  /** The dataset version the screens query (bumped by every change of the data). */
  readonly version: number;
  /** Statements the query coordinator has sent to the engine (its cache misses). */
  readonly queriesSent: number;
  /** The threaded reader (src/db/reader.ts) and whether its snapshot is current, or null when the page runs without it. */
  readonly reader: (ReaderStatus & { current: boolean }) | null;
  /** Run one read-only statement (a SELECT or WITH query): refused if the text holds anything else. */
  query(sql: string, params?: readonly SqlValue[]): Promise<Table>;
  /** The same on the threaded reader's snapshot alone (fails unless it is current): the cross-engine tests. */
  readerQuery(sql: string, params?: readonly SqlValue[]): Promise<Table>;
}

/** The read-only probe over `app`. */
export function createProbe(app: AppState): StrataProbe {
  return Object.freeze({
    get phase() { return app.phase; },
    get error() { return app.error; },
    get notice() { return app.notice; },
    get writing() { return app.writing; },
    get restarting() { return app.restarting; },
    get storage() { return app.storage; },
    get segmentsReady() { return app.segmentsReady; },
    get segmentError() { return app.segmentError; },
    get segmentProgress() { return app.segmentProgress ? { ...app.segmentProgress } : null; },
    get timings() { return { ...app.timings }; },
    get datasets() { return app.datasets.map((d) => ({ id: d.id, schema: d.schema, name: d.name, events: d.events, users: d.users })); },
    get dataset() { return app.dataset ? { id: app.dataset.id, schema: app.dataset.schema, name: app.dataset.name } : null; },
    get prefetch() { return app.prefetch ? { ...app.prefetch } : null; },
    get version() { return app.version; },
    get reader() {
      const r = app.db?.reader();
      return r ? { ...r, current: app.db!.readerCurrent() } : null;
    },
    get queriesSent() { return app.coordinator?.sent ?? 0; },
    get importFiles() { return app.importer.files.map((f) => ({ name: f.source.displayName, status: f.status, error: f.error })); },
    async query(sql: string, params: readonly SqlValue[] = []): Promise<Table> {
      const db = app.db;
      if (!db) throw new StrataError('The database is not ready.');
      // A sub-query in FROM can only be a query, and a prepared statement is exactly one statement: together
      // they refuse DDL, DML, PRAGMA, SET, ATTACH and COPY, and anything smuggled after a semicolon.
      return db.queryOne(`SELECT * FROM (${sql}\n) AS strata_probe`, params);
    },
    async readerQuery(sql: string, params: readonly SqlValue[] = []): Promise<Table> {
      const db = app.db;
      if (!db) throw new StrataError('The database is not ready.');
      // The same wrapping as `query`; the reader's copy is attached read-only besides.
      return db.readerQuery(`SELECT * FROM (${sql}\n) AS strata_probe`, params);
    },
  });
}
