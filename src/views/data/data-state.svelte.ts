// The Data screen's state: the dataset's tables, one table's columns with batch statistics, one column's profile.
import type { Table } from 'apache-arrow';
import {
  listTablesSql, decodeTableList, rowCountsSql, decodeTables, columnsSql, decodeColumns, columnStatsSql,
  decodeColumnStats, statsOptions, profileColumn, keepUnchanged, type TableInfo, type ColumnInfo, type ColumnStats, type ColumnProfile,
} from '../../analyses/profile/index.ts';
import { Superseded, type QueryCoordinator } from '../../db/coordinator.ts';
import type { Sql } from '../../sql/quote.ts';
import type { Db } from '../../db/types.ts';
import { messageOf } from '../../errors.ts';

/** Loading state of one part of the screen. */
export type Status = 'idle' | 'loading' | 'ready' | 'error';

/** Columns per statistics query: many for small tables, one at a time from ~5M rows (each then takes ~0.3 s). */
export function batchSize(rows: number): number {
  return Math.max(1, Math.min(40, Math.floor(5_000_000 / Math.max(1, rows))));
}

/** Everything the Data screen shows; each load supersedes the previous one of its kind (latest-wins). */
export class DataScreen {
  tables = $state.raw<TableInfo[] | null>(null);
  tablesStatus = $state<Status>('idle');
  tablesError = $state<string | null>(null);
  /** The table whose columns are loaded. */
  table = $state.raw<TableInfo | null>(null);
  columns = $state.raw<ColumnInfo[] | null>(null);
  columnsError = $state<string | null>(null);
  /** Batch statistics by column name, filled in as batches return. */
  stats = $state<Record<string, ColumnStats>>({});
  statsError = $state<string | null>(null);
  profile = $state.raw<ColumnProfile | null>(null);
  profileStatus = $state<Status>('idle');
  profileError = $state<string | null>(null);
  profileMs = $state<number | null>(null);
  private listTicket = 0;
  private tableTicket = 0;
  private columnTicket = 0;
  private detail: Promise<unknown> = Promise.resolve();

  /**
   * List the dataset's tables with exact row counts. Metadata goes to the database directly, not through the
   * coordinator's queue: it is cheap, and must not wait behind another screen's heavy queries still queued there.
   * With `changed` (a refresh of the same dataset), a table outside it whose shape is unchanged keeps its entry, so
   * its columns, profile and scrolled grid stay as they are (segments landing in the background must not reset the
   * events grid the user is reading); tables in `changed` get fresh entries and are read again.
   */
  async loadTables(db: Db, changed?: ReadonlySet<string>): Promise<void> {
    const ticket = ++this.listTicket;
    this.tablesStatus = 'loading';
    const run = (q: Sql) => db.query(q.text, q.params);
    try {
      const list = decodeTableList(await run(listTablesSql()));
      const q = rowCountsSql(list);
      let tables = q ? decodeTables(await run(q)) : [];
      if (ticket !== this.listTicket) return;
      if (changed && this.tables) tables = keepUnchanged(this.tables, tables, changed);
      this.tables = tables;
      this.tablesError = null;
      this.tablesStatus = 'ready';
    } catch (err) {
      if (ticket !== this.listTicket) return;
      this.tablesError = messageOf(err);
      this.tablesStatus = 'error';
    }
  }

  /** Load `t`'s columns, then their statistics batch by batch (a column's profile may cut in between batches). */
  async openTable(co: QueryCoordinator, db: Db, t: TableInfo): Promise<void> {
    const ticket = ++this.tableTicket;
    this.table = t;
    this.columns = null;
    this.columnsError = this.statsError = null;
    this.stats = {};
    const live = () => ticket === this.tableTicket;
    try {
      const q = columnsSql(t.name);
      const cols = decodeColumns(await db.query(q.text, q.params));
      if (!live()) return;
      this.columns = cols;
      const opts = statsOptions(t.rows, false);
      const size = batchSize(t.rows);
      for (let i = 0; i < cols.length && live(); i += size) {
        await this.detail; // the selected column's profile goes first
        if (!live()) return;
        const batch = cols.slice(i, i + size);
        const stats = decodeColumnStats(await co.cached(columnStatsSql(t.name, batch, opts)), batch, opts);
        if (!live()) return;
        for (const s of stats) this.stats[s.name] = s;
      }
    } catch (err) {
      if (!live()) return;
      if (this.columns) this.statsError = messageOf(err);
      else this.columnsError = messageOf(err);
    }
  }

  /** Profile one column; a newer request stops this one between its queries. */
  async openColumn(co: QueryCoordinator, t: TableInfo, col: ColumnInfo): Promise<void> {
    const ticket = ++this.columnTicket;
    this.profileStatus = 'loading';
    const t0 = performance.now();
    const run = (q: Sql): Promise<Table> => {
      if (ticket !== this.columnTicket) return Promise.reject(new Superseded());
      return co.cached(q);
    };
    const work = profileColumn(run, t.name, col, t.rows);
    this.detail = work.catch(() => undefined);
    try {
      const p = await work;
      if (ticket !== this.columnTicket) return;
      this.profile = p;
      this.profileError = null;
      this.profileStatus = 'ready';
      this.profileMs = performance.now() - t0;
    } catch (err) {
      if (err instanceof Superseded || ticket !== this.columnTicket) return;
      this.profileError = messageOf(err);
      this.profileStatus = 'error';
    }
  }

  /** Forget everything (the dataset changed). */
  reset(): void {
    this.listTicket++;
    this.tableTicket++;
    this.columnTicket++;
    this.tables = this.table = this.columns = this.profile = null;
    this.stats = {};
    this.tablesStatus = this.profileStatus = 'idle';
  }
}
