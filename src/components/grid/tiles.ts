// The grid's data in tiles of 200 rows x 40 columns: a wide table never fetches (or decodes) its unseen columns.
import type { Table, Vector } from 'apache-arrow';
import { PageCache, type PageStats } from './page-cache.ts';
import { pagesFor } from './geometry.ts';
import { formatterFor, type CellFormatter } from './cells.ts';

/** Rows per tile. */
export const TILE_ROWS = 200;
/** Columns per tile. */
export const TILE_COLS = 40;

/** Fetch rows [offset, offset + limit) of the named columns, in a stable row order. */
export type FetchRows = (offset: number, limit: number, columns: string[]) => Promise<Table>;

interface Tile {
  cols: (Vector | null)[];
  fmt: CellFormatter[];
  n: number;
}

/** Tiles keyed by (row page, column block), cached and fetched latest-wins through a PageCache. */
export class TileCache {
  private readonly cache: PageCache<Tile>;
  private readonly blocks: number;

  constructor(
    private readonly columns: readonly string[],
    fetch: FetchRows,
    onchange: () => void,
  ) {
    this.blocks = Math.max(1, Math.ceil(columns.length / TILE_COLS));
    this.cache = new PageCache<Tile>(
      async (key) => {
        const names = this.columns.slice((key % this.blocks) * TILE_COLS, (key % this.blocks + 1) * TILE_COLS);
        const t = await fetch(Math.floor(key / this.blocks) * TILE_ROWS, TILE_ROWS, names);
        const fields = t.schema.fields;
        return { cols: fields.map((_, i) => t.getChildAt(i)), fmt: fields.map((f) => formatterFor(f.type)), n: t.numRows };
      },
      { maxPages: 80, onchange },
    );
  }

  private key(row: number, col: number): number {
    return Math.floor(row / TILE_ROWS) * this.blocks + Math.floor(col / TILE_COLS);
  }

  /** Ask for the tiles under rows [r0, r1) x columns [c0, c1), middle rows first, plus one page ahead and behind. */
  want(r0: number, r1: number, c0: number, c1: number, rows: number): void {
    if (r1 <= r0 || c1 <= c0) return this.cache.want([]);
    const last = Math.ceil(rows / TILE_ROWS) - 1;
    const pages = pagesFor(r0, r1, TILE_ROWS);
    const ahead = [Math.floor(r1 / TILE_ROWS) + 1, Math.floor(r0 / TILE_ROWS) - 1].filter((p) => p >= 0 && p <= last);
    const b0 = Math.floor(c0 / TILE_COLS);
    const b1 = Math.floor((c1 - 1) / TILE_COLS);
    const keys: number[] = [];
    for (const p of [...pages, ...ahead]) for (let b = b0; b <= b1; b++) keys.push(p * this.blocks + b);
    this.cache.want(keys);
  }

  /** A cell's text: null for SQL NULL, undefined while its tile loads. */
  cell(row: number, col: number): string | null | undefined {
    const tile = this.cache.get(this.key(row, col));
    const r = row % TILE_ROWS;
    if (!tile || r >= tile.n) return undefined;
    const k = col % TILE_COLS;
    return tile.fmt[k]?.(tile.cols[k]?.get(r)) ?? null;
  }

  /** The error of the tile under a cell, if its fetch failed. */
  error(row: number, col: number): string | undefined {
    return this.cache.error(this.key(row, col));
  }

  /** Fetch timings. */
  get stats(): PageStats {
    return { ...this.cache.stats };
  }

  /** Fetch failed tiles again when next wanted. */
  retry(): void {
    this.cache.retry();
  }

  /** Stop fetching; late results are dropped. */
  dispose(): void {
    this.cache.dispose();
  }
}
