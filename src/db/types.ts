// The Db interface every analysis, loader and test talks to; two backends implement it (browser worker, Node).
import type { Table } from 'apache-arrow';
import type { SqlValue } from '../sql/quote.ts';

/** A database handle: SQL in, Arrow tables out. Implementations own their engine; callers never see it. */
export interface Db {
  /** Run one statement and return its result; `params` bind to `?` placeholders in order. */
  query(sql: string, params?: readonly SqlValue[], opts?: QueryOptions): Promise<Table>;
  /** Run one or more statements for their effect (DDL, inserts). */
  exec(sql: string): Promise<void>;
  /** Create (or replace) `table` from an Arrow IPC stream, or append to it; the bytes may be transferred (emptied). */
  insertArrow(table: string, ipc: Uint8Array, opts?: InsertOptions): Promise<void>;
  /** Release the engine. */
  close(): Promise<void>;
}

/** Where a read runs (only the page's Db, which may have a threaded reader beside its main engine, tells them apart). */
export interface QueryOptions {
  /** 'main': on the main engine even when the reader's snapshot is current (Sql.engine, onMainEngine). */
  engine?: 'main';
}

/** The QueryOptions a statement asks for (undefined when it asks for nothing). */
export function queryOptions(q: { readonly engine?: 'main' }): QueryOptions | undefined {
  return q.engine ? { engine: q.engine } : undefined;
}

/** How `insertArrow` treats an existing table. */
export interface InsertOptions {
  /** Append to an existing table with the same columns instead of replacing it. */
  append?: boolean;
}

/** Which engine is behind a Db, for labels and the benchmark. */
export type DbKind = 'wasm' | 'native';

/** The message of the error a cancelled statement rejects with. */
export const CANCELLED = 'Cancelled by the user';
