// How the events table is stored: its user and session ids always as dictionaries.
//
// DuckDB picks each column segment's compression when it checkpoints a database file; for id columns such as
// user_id and session_id (many distinct short strings) it picks FSST for most segments, which every scan decodes row
// by row, where a dictionary segment is handed on as it is. Measured in the page on the same 10M-event shop stored both
// ways (twice each, `.spike/fsstpage.mts`): the KPI row for 90 days 616-646 -> 490-513 ms, the lifecycle 576-681 ->
// 383-398, a funnel's rows 1,238-1,299 -> 1,098-1,107, journeys' rows 1,145-1,205 -> 791-823, the journeys key check
// 1,396-1,428 -> 1,102-1,184; every other Overview panel, the pivots and the cohorts unchanged; the file 505 MiB
// either way. Turning FSST off for every text column instead (the setting `disabled_compression_methods`) made the
// all-time Overview panels that read order_id of the purchases 8-15% slower, so only these two columns are pinned.
// Lossless either way: the rows are the same.
import { ident } from '../sql/quote.ts';

/** The events columns stored as dictionaries whatever DuckDB would pick. */
export const DICTIONARY_COLUMNS: readonly string[] = ['user_id', 'session_id'];

/** A column of a table to be created: its name and DuckDB's name for its type. */
export interface ColumnType {
  name: string;
  type: string;
}

// A type written as DuckDB names it and safe to write back into a statement: a plain name, possibly with a width and
// scale and list brackets (VARCHAR, DECIMAL(18,3), TIMESTAMP WITH TIME ZONE, BIGINT[]). Nested types, which would
// carry field names from the data, are not written back: the caller then keeps CREATE TABLE AS.
const PLAIN_TYPE = /^[A-Z][A-Z0-9_ ]*(\(\d+(, ?\d+)?\))?(\[\d*\])*$/;

/**
 * `CREATE OR REPLACE TABLE target (...)` with `columns` in order, DICTIONARY_COLUMNS of type VARCHAR stored as
 * dictionaries (`USING COMPRESSION dictionary`); null when some type is not a plain one (see PLAIN_TYPE). `target`
 * is trusted SQL text; every column name goes through the one quoting function.
 */
export function eventsTableSql(target: string, columns: readonly ColumnType[]): string | null {
  if (!columns.length || !columns.every((c) => PLAIN_TYPE.test(c.type))) return null;
  const defs = columns.map((c) => `${ident(c.name)} ${c.type}${c.type === 'VARCHAR' && DICTIONARY_COLUMNS.includes(c.name) ? ' USING COMPRESSION dictionary' : ''}`);
  return `CREATE OR REPLACE TABLE ${target} (${defs.join(', ')})`;
}

/** The generated shop's events columns (eventColumnsSql's, in its order; tests/storage-compression.test.ts checks them). */
export const GENERATED_EVENT_COLUMNS: readonly ColumnType[] = [
  ['event_id', 'BIGINT'], ['user_id', 'VARCHAR'], ['session_id', 'VARCHAR'], ['event_type', 'VARCHAR'], ['ts', 'TIMESTAMP'],
  ['product_id', 'VARCHAR'], ['category', 'VARCHAR'], ['price', 'DOUBLE'], ['quantity', 'INTEGER'], ['revenue', 'DOUBLE'],
  ['order_id', 'VARCHAR'], ['source', 'VARCHAR'], ['medium', 'VARCHAR'], ['campaign', 'VARCHAR'], ['device', 'VARCHAR'],
].map(([name, type]) => ({ name, type }));

/**
 * The order generated and imported events are stored in (the live feed appends at the end): by calendar month,
 * then by user, then by time (`ts` and `user` are SQL expressions for the event's time as a
 * TIMESTAMP and its user; `tail` breaks ties as the builder numbers events). Within a month each user's events lie
 * together, so the funnel and journeys passes find a unit's rows side by side (no scattered gathers: README, "Session
 * 21: generated shops' events stored by month, then user"), while each row group still spans a few weeks, so a
 * time filter (the Overview's 90 days) skips the row groups outside it as with plain time order. event_id still
 * numbers events in time order.
 */
export function storageOrderSql(ts: string, user: string, ...tail: string[]): string {
  return [`date_trunc('month', ${ts})`, user, ts, ...tail].join(', ');
}
