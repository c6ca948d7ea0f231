// Fetches a grid's rows in pages: an LRU of loaded pages, at most `concurrency` fetches in flight, latest-wins.

/** Fetch timings, for the status line and the benchmark. */
export interface PageStats {
  fetches: number;
  lastMs: number | null;
  maxMs: number;
  totalMs: number;
}

/** Options for a PageCache. */
export interface PageCacheOptions {
  /** Pages kept in memory (least recently used dropped first). */
  maxPages?: number;
  /** Fetches in flight at once (the engine is single-threaded: 1-2 keeps the queue short). */
  concurrency?: number;
  /** Called when a page arrives or fails, so the view can redraw. */
  onchange?: () => void;
}

/**
 * Pages by number. `want(pages)` replaces the list of pages the viewport needs, so while a user scrolls fast
 * only the newest viewport is fetched: pages wanted earlier but scrolled past are never requested.
 */
export class PageCache<P> {
  private pages = new Map<number, P>();
  private failed = new Map<number, string>();
  private inflight = new Set<number>();
  private wanted: number[] = [];
  private disposed = false;
  private readonly maxPages: number;
  private readonly concurrency: number;
  /** Timings of completed fetches. */
  readonly stats: PageStats = { fetches: 0, lastMs: null, maxMs: 0, totalMs: 0 };

  constructor(
    private fetch: (page: number) => Promise<P>,
    private opts: PageCacheOptions = {},
  ) {
    this.maxPages = Math.max(1, opts.maxPages ?? 50);
    this.concurrency = Math.max(1, opts.concurrency ?? 2);
  }

  /** A loaded page (marks it recently used), or undefined while it loads. */
  get(page: number): P | undefined {
    const p = this.pages.get(page);
    if (p !== undefined) {
      this.pages.delete(page);
      this.pages.set(page, p);
    }
    return p;
  }

  /** The error a page failed with, if it did. */
  error(page: number): string | undefined {
    return this.failed.get(page);
  }

  /** Whether a page is being fetched. */
  loading(page: number): boolean {
    return this.inflight.has(page);
  }

  /** Replace the wanted pages (most important first) and start fetching what is missing. */
  want(pages: readonly number[]): void {
    this.wanted = pages.filter((p) => !this.pages.has(p) && !this.failed.has(p));
    this.pump();
  }

  /** Forget failures so the wanted pages are fetched again. */
  retry(): void {
    this.failed.clear();
  }

  /** Stop: results still in flight are dropped and nothing new is fetched. */
  dispose(): void {
    this.disposed = true;
    this.wanted = [];
    this.pages.clear();
  }

  private pump(): void {
    while (!this.disposed && this.inflight.size < this.concurrency) {
      const next = this.wanted.find((p) => !this.inflight.has(p) && !this.pages.has(p) && !this.failed.has(p));
      if (next === undefined) return;
      void this.load(next);
    }
  }

  private async load(page: number): Promise<void> {
    this.inflight.add(page);
    const t0 = performance.now();
    try {
      const p = await this.fetch(page);
      if (this.disposed) return;
      const ms = performance.now() - t0;
      Object.assign(this.stats, { fetches: this.stats.fetches + 1, lastMs: ms, maxMs: Math.max(this.stats.maxMs, ms), totalMs: this.stats.totalMs + ms });
      this.pages.set(page, p);
      while (this.pages.size > this.maxPages) this.pages.delete(this.pages.keys().next().value!);
    } catch (err) {
      if (this.disposed) return;
      this.failed.set(page, err instanceof Error ? err.message : String(err));
    } finally {
      this.inflight.delete(page);
    }
    this.wanted = this.wanted.filter((p) => p !== page);
    this.opts.onchange?.();
    this.pump();
  }
}
