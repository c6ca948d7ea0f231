// Between views and the database: a result cache keyed by SQL + params, and latest-wins per view.
import type { Table } from 'apache-arrow';
import { queryOptions, type Db } from './types.ts';
import type { Sql } from '../sql/quote.ts';

/** Thrown to a caller whose request was overtaken by a newer one for the same view. */
export class Superseded extends Error {
  override readonly name = 'Superseded';
  constructor() {
    super('A newer request replaced this one');
  }
}

/**
 * How an analysis reaches the engine: `run` a statement; or `derive` a value from a statement's rows (the one-pass
 * funnel), cached under `key` — only the value is kept, not the rows, which can be millions. A key starting with
 * `rows:` or `cols:` marks a value as big (BIG_VALUES): the page keeps only the newest one or two of such values.
 */
export interface Io {
  run(q: Sql): Promise<Table>;
  derive<T>(key: string, q: Sql, f: (rows: Table) => Promise<T>): Promise<T>;
  /** Whether a value derived under `key` (from any statement) is kept, or on its way; absent where nothing is kept. */
  has?(key: string): boolean;
  /** A value computed by `f` without a statement (from kept values), cached under `key` like derived ones. */
  memo?<T>(key: string, f: () => Promise<T>): Promise<T>;
  /**
   * Whether the data is settled enough to load big values for later (the funnels' kept columns): false while live
   * mode appends, since every tick drops them again. Absent: settled.
   */
  settled?(): boolean;
}

/** An Io over a plain statement runner (Node, tests): nothing cached. */
export function toIo(x: Io | ((q: Sql) => Promise<Table>)): Io {
  if (typeof x !== 'function') return x;
  return { run: x, derive: async (_key, q, f) => f(await x(q)) };
}

/**
 * Derived values big enough to bound by kind (their key's prefix), the newest `keep` of each: the journeys' sessions
 * (`rows:`), and the funnels' kept columns (`cols:`, one per unit kind: users and sessions).
 */
const BIG_VALUES = [
  { prefix: 'rows:', keep: 1 },
  { prefix: 'cols:', keep: 2 },
] as const;

/** Runs queries for views; a dataset change calls `invalidate()` so no stale result is served. */
export class QueryCoordinator {
  private cache = new Map<string, Promise<Table>>();
  /** Values derived from a statement's rows, by key (see Io). */
  private values = new Map<string, Promise<unknown>>();
  private latest = new Map<string, number>();
  private seq = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** Statements sent to the engine so far (cache misses): what a cache hit saved is visible to tests. */
  sent = 0;

  constructor(
    private db: Db,
    private maxEntries = 200,
    /** Whether the data is settled (Io.settled): the app says no while live mode appends. */
    readonly settled: () => boolean = () => true,
  ) {}

  /** Run `q` for `view`; rejects with Superseded if the view asked again before this one finished. */
  async run(view: string, q: Sql): Promise<Table> {
    const ticket = ++this.seq;
    this.latest.set(view, ticket);
    const wanted = () => this.latest.get(view) === ticket;
    for (;;) {
      try {
        const result = await this.cached(q, wanted);
        if (!wanted()) throw new Superseded();
        return result;
      } catch (err) {
        // A cache hit may be an earlier request for the same SQL that was skipped because *its* caller stopped
        // wanting it; its entry is gone by now, so ask again rather than report our own request superseded.
        if (err instanceof Superseded && wanted()) continue;
        throw err;
      }
    }
  }

  /** `run` for a derived value (see Io): latest-wins for `view`, the value cached under `key`. */
  async derive<T>(view: string, key: string, q: Sql, f: (rows: Table) => Promise<T>): Promise<T> {
    const ticket = ++this.seq;
    this.latest.set(view, ticket);
    const wanted = () => this.latest.get(view) === ticket;
    for (;;) {
      try {
        const result = await this.cachedDerive(key, q, f, wanted);
        if (!wanted()) throw new Superseded();
        return result;
      } catch (err) {
        if (err instanceof Superseded && wanted()) continue; // as in run()
        throw err;
      }
    }
  }

  /** `cached` for a derived value: the statement waits its turn in the queue; the rows are dropped once derived. */
  cachedDerive<T>(key: string, q: Sql, f: (rows: Table) => Promise<T>, wanted: () => boolean = () => true): Promise<T> {
    const k = JSON.stringify([key, q.text, q.params]);
    let hit = this.values.get(k) as Promise<T> | undefined;
    if (hit) {
      this.values.delete(k);
      this.values.set(k, hit);
      return hit;
    }
    this.sent++;
    const rows = this.queue.then(() => (wanted() ? this.db.query(q.text, q.params, queryOptions(q)) : Promise.reject(new Superseded())));
    this.queue = rows.catch(() => undefined);
    hit = rows.then(f);
    hit.catch(() => this.values.delete(k));
    // A value built from a whole dataset's rows can be tens of megabytes: only the newest few of a kind are kept.
    const kind = BIG_VALUES.find((b) => key.startsWith(b.prefix));
    if (kind) {
      const same = [...this.values.keys()].filter((old) => (JSON.parse(old) as [string])[0].startsWith(kind.prefix));
      for (const old of same.slice(0, Math.max(0, same.length - kind.keep + 1))) this.values.delete(old);
    }
    this.values.set(k, hit);
    if (this.values.size > this.maxEntries) this.values.delete(this.values.keys().next().value!);
    return hit;
  }

  /** An Io for `view` (latest-wins), or without latest-wins and skipped once `wanted` turns false (background work). */
  io(view: string | null, wanted: () => boolean = () => true): Io {
    const has = (key: string) => [...this.values.keys()].some((k) => (JSON.parse(k) as [string])[0] === key);
    const memo = <T>(key: string, f: () => Promise<T>) => this.memo(key, f);
    const settled = () => this.settled();
    return view === null
      ? { run: (q) => this.cached(q, wanted), derive: (key, q, f) => this.cachedDerive(key, q, f, wanted), has, memo, settled }
      : { run: (q) => this.run(view, q), derive: (key, q, f) => this.derive(view, key, q, f), has, memo, settled };
  }

  /** A value computed without a statement, cached under `key` with the derived ones (dropped with them). */
  memo<T>(key: string, f: () => Promise<T>): Promise<T> {
    const k = JSON.stringify([key, '', []]);
    let hit = this.values.get(k) as Promise<T> | undefined;
    if (hit) {
      this.values.delete(k);
      this.values.set(k, hit);
      return hit;
    }
    hit = f();
    hit.catch(() => this.values.delete(k));
    this.values.set(k, hit);
    if (this.values.size > this.maxEntries) this.values.delete(this.values.keys().next().value!);
    return hit;
  }

  /** Drop the pending requests of every view whose name starts with `prefix` (the screen was left). */
  abandon(prefix: string): void {
    for (const view of this.latest.keys()) if (view.startsWith(prefix)) this.latest.set(view, ++this.seq);
  }

  /**
   * A yes / no check (a one-row statement whose `column` is true or 1), through the cache: asked once per dataset
   * version. A check that fails to run answers no, so the caller keeps its general statement.
   */
  async flag(q: Sql, column: string): Promise<boolean> {
    try {
      const table = await this.cached(q);
      const v = table.numRows ? table.getChild(column)?.get(0) : null;
      return v === true || Number(v) === 1;
    } catch {
      return false;
    }
  }

  /**
   * Run `q` through the cache without latest-wins (for several panels of one view). A queued query whose
   * `wanted()` turns false before its turn is skipped, so a screen left behind does not hold up the next one.
   */
  cached(q: Sql, wanted: () => boolean = () => true): Promise<Table> {
    const key = JSON.stringify([q.text, q.params]);
    let hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    // One query at a time: the engine is single-threaded, and ordering keeps latest-wins meaningful.
    this.sent++;
    hit = this.queue.then(() => (wanted() ? this.db.query(q.text, q.params, queryOptions(q)) : Promise.reject(new Superseded())));
    this.queue = hit.catch(() => undefined);
    hit.catch(() => this.cache.delete(key));
    this.cache.set(key, hit);
    if (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    return hit;
  }

  /** Forget the cached results whose SQL text passes `test` (e.g. every query reading user_segments). */
  invalidateWhere(test: (sqlText: string) => boolean): void {
    for (const key of [...this.cache.keys()]) if (test((JSON.parse(key) as [string])[0])) this.cache.delete(key);
    for (const key of [...this.values.keys()]) if (test((JSON.parse(key) as [string, string])[1])) this.values.delete(key);
  }

  /** Forget every cached result (the data changed). */
  invalidate(): void {
    this.cache.clear();
    this.values.clear();
  }
}
