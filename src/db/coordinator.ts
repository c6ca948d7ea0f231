// Between views and the database: a result cache keyed by SQL + params, and latest-wins per view.
import type { Table } from 'apache-arrow';
import type { Db } from './types.ts';
import type { Sql } from '../sql/quote.ts';

/** Thrown to a caller whose request was overtaken by a newer one for the same view. */
export class Superseded extends Error {
  override readonly name = 'Superseded';
  constructor() {
    super('A newer request replaced this one');
  }
}

/** Runs queries for views; a dataset change calls `invalidate()` so no stale result is served. */
export class QueryCoordinator {
  private cache = new Map<string, Promise<Table>>();
  private latest = new Map<string, number>();
  private seq = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** Statements sent to the engine so far (cache misses): what a cache hit saved is visible to tests. */
  sent = 0;

  constructor(
    private db: Db,
    private maxEntries = 200,
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

  /** Drop the pending requests of every view whose name starts with `prefix` (the screen was left). */
  abandon(prefix: string): void {
    for (const view of this.latest.keys()) if (view.startsWith(prefix)) this.latest.set(view, ++this.seq);
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
    hit = this.queue.then(() => (wanted() ? this.db.query(q.text, q.params) : Promise.reject(new Superseded())));
    this.queue = hit.catch(() => undefined);
    hit.catch(() => this.cache.delete(key));
    this.cache.set(key, hit);
    if (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    return hit;
  }

  /** Forget the cached results whose SQL text passes `test` (e.g. every query reading user_segments). */
  invalidateWhere(test: (sqlText: string) => boolean): void {
    for (const key of [...this.cache.keys()]) if (test((JSON.parse(key) as [string])[0])) this.cache.delete(key);
  }

  /** Forget every cached result (the data changed). */
  invalidate(): void {
    this.cache.clear();
  }
}
