// The Data screen's grid helpers: page cache (LRU, latest-wins), scroll geometry, and cell text.
// Run: TZ=UTC node --import tsx --test tests/profile-grid.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PageCache } from '../src/components/grid/page-cache.ts';
import { TileCache, TILE_ROWS } from '../src/components/grid/tiles.ts';
import { tableFromArrays } from 'apache-arrow';
import { bodyHeight, columnOffsets, columnWindow, keyOffset, maxOffset, pagesFor, rowWindow, scrollRatio } from '../src/components/grid/geometry.ts';
import { formatterFor, guessWidth, isoTimestamp, MAX_CELL_CHARS } from '../src/components/grid/cells.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { keepUnchanged } from '../src/analyses/profile/tables.ts';

/** A fetch whose calls are recorded and resolved by hand. */
function manualFetch() {
  const calls: number[] = [];
  const pending = new Map<number, (v: string) => void>();
  const fetch = (p: number) => {
    calls.push(p);
    return new Promise<string>((resolve) => pending.set(p, resolve));
  };
  const settle = async (p: number) => {
    pending.get(p)!(`page ${p}`);
    pending.delete(p);
    await new Promise((r) => setTimeout(r, 0));
  };
  return { calls, fetch, settle };
}

describe('PageCache', () => {
  test('latest-wins: pages scrolled past before their turn are never fetched', async () => {
    const f = manualFetch();
    const cache = new PageCache(f.fetch, { concurrency: 1 });
    cache.want([0]);
    cache.want([5]); // the user scrolled on while page 0 loads
    cache.want([9, 10]);
    assert.deepEqual(f.calls, [0]); // one in flight; 5 was replaced before it started
    await f.settle(0);
    assert.deepEqual(f.calls, [0, 9]);
    await f.settle(9);
    assert.deepEqual(f.calls, [0, 9, 10]);
    await f.settle(10);
    assert.equal(cache.get(0), 'page 0'); // a finished page is kept even if no longer wanted
    assert.equal(cache.get(5), undefined);
    assert.equal(cache.stats.fetches, 3);
  });

  test('LRU: the least recently read page is dropped first; cached pages are not fetched again', async () => {
    const f = manualFetch();
    const cache = new PageCache(f.fetch, { maxPages: 2, concurrency: 3 });
    cache.want([1, 2]);
    await f.settle(1);
    await f.settle(2);
    cache.get(1); // 1 is now more recent than 2
    cache.want([3]);
    await f.settle(3);
    assert.deepEqual([cache.get(1), cache.get(2), cache.get(3)], ['page 1', undefined, 'page 3']);
    cache.want([1, 3]);
    assert.deepEqual(f.calls, [1, 2, 3]);
  });

  test('a failure is kept (no retry storm) until retry(); dispose drops late results', async () => {
    let fail = true;
    const cache = new PageCache(async (p: number) => {
      if (fail) throw new Error('boom');
      return p;
    });
    cache.want([4]);
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(cache.error(4), 'boom');
    fail = false;
    cache.want([4]);
    assert.equal(cache.loading(4), false);
    cache.retry();
    cache.want([4]);
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(cache.get(4), 4);
    const f = manualFetch();
    const c2 = new PageCache(f.fetch);
    c2.want([0]);
    c2.dispose();
    await f.settle(0);
    assert.equal(c2.get(0), undefined);
  });
});

describe('TileCache', () => {
  test('a wide table fetches only the column blocks on screen, and cells come from the right tile', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `c${i}`); // blocks: c0-c39, c40-c79, c80-c99
    const calls: [number, number, string, string][] = [];
    const tiles = new TileCache(names, async (offset, limit, cols) => {
      calls.push([offset, limit, cols[0], cols[cols.length - 1]]);
      const data: Record<string, Float64Array> = {};
      for (const c of cols) data[c] = Float64Array.from({ length: 3 }, (_, r) => offset + r + Number(c.slice(1)) / 1000);
      return tableFromArrays(data);
    }, () => undefined);
    tiles.want(0, 30, 45, 60, 1000); // rows 0-29 (page 0; page 1 prefetched), columns 45-59 (block 1 only)
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0));
    assert.deepEqual(calls, [[0, TILE_ROWS, 'c40', 'c79'], [TILE_ROWS, TILE_ROWS, 'c40', 'c79']]);
    assert.equal(tiles.cell(2, 50), '2.05');
    assert.equal(tiles.cell(2, 10), undefined); // block 0 was never fetched
    assert.equal(tiles.cell(5, 50), undefined); // the tile holds 3 rows only
  });
});

describe('grid geometry', () => {
  test('rows on screen with overscan, and pages visible-middle first', () => {
    // 28 px rows, 420 px viewport at offset 280: rows 10..24 visible (15), overscan 8 -> [2, 33).
    assert.deepEqual(rowWindow(280, 420, 28, 1000), { start: 2, end: 33 });
    assert.deepEqual(rowWindow(0, 420, 28, 5), { start: 0, end: 5 });
    assert.deepEqual(rowWindow(0, 420, 28, 0), { start: 0, end: 0 });
    assert.deepEqual(pagesFor(150, 450, 100), [3, 4, 2, 1]); // rows 150..449 -> pages 1..4; middle row 300 -> page 3
    assert.deepEqual(pagesFor(0, 10, 200), [0]);
  });

  test('tall tables scroll a capped body: the bottom of the scroll reaches the last row exactly', () => {
    const rows = 10_000_000;
    const rh = 28;
    const view = 428;
    const body = bodyHeight(rows, rh);
    assert.equal(body, 15_000_000);
    const ratio = scrollRatio(rows, rh, view);
    assert.equal((body - view) * ratio, maxOffset(rows, rh, view));
    const w = rowWindow(maxOffset(rows, rh, view), view, rh, rows, 0);
    assert.equal(w.end, rows);
    assert.equal(scrollRatio(1000, rh, view), 1); // short tables are not scaled
  });

  test('keys: arrows move one row, pages one screen less a row, Home/End to the ends', () => {
    const at = (key: string, vy: number) => keyOffset(key, vy, 280, 28, 100);
    assert.equal(at('ArrowDown', 0), 28);
    assert.equal(at('ArrowDown', 30), 56); // snaps to the next row boundary
    assert.equal(at('ArrowUp', 0), 0);
    assert.equal(at('PageDown', 0), 252); // 10 rows on screen -> 9 rows
    assert.equal(at('End', 0), 100 * 28 - 280);
    assert.equal(at('PageDown', 2500), 2520); // clamped to the end
    assert.equal(at('Home', 999), 0);
    assert.equal(at('a', 0), null);
  });

  test('columns: only those intersecting the viewport (plus overscan) among hundreds', () => {
    const offsets = columnOffsets(Array(500).fill(100));
    assert.equal(offsets[500], 50_000);
    assert.deepEqual(columnWindow(offsets, 0, 350, 0), { start: 0, end: 4 }); // 0-99 .. 300-399
    assert.deepEqual(columnWindow(offsets, 10_050, 200, 2), { start: 98, end: 105 }); // 100..102 visible
    assert.deepEqual(columnWindow(offsets, 49_990, 500, 1), { start: 498, end: 500 });
    assert.deepEqual(columnWindow([0], 0, 100), { start: 0, end: 0 });
  });
});

describe('grid cells', () => {
  test('text by Arrow type: timestamps in UTC, numbers without binary noise, NULL, long text clipped', async () => {
    const db = await openNodeDb();
    try {
      const t = await db.query(`SELECT TIMESTAMP '2025-12-31 23:59:59.5' AS ts, TIMESTAMP '2024-01-01' AS midnight,
        0.1::DOUBLE + 0.2::DOUBLE AS noisy, 42::INTEGER AS n, NULL::VARCHAR AS nothing, repeat('x', 600) AS long, true AS b`);
      const text = t.schema.fields.map((f, i) => formatterFor(f.type)(t.getChildAt(i)?.get(0)));
      assert.deepEqual(text.slice(0, 5), ['2025-12-31 23:59:59.500', '2024-01-01 00:00:00', '0.3', '42', null]);
      assert.equal(text[5]!.length, MAX_CELL_CHARS + 1);
      assert.equal(text[6], 'true');
    } finally {
      await db.close();
    }
    assert.equal(isoTimestamp(Date.UTC(1999, 0, 2, 3, 4, 5)), '1999-01-02 03:04:05');
    assert.equal(guessWidth('ts', 'TIMESTAMP'), 200); // room for milliseconds
    assert.equal(guessWidth('a_really_long_column_name_for_testing_widths', 'INTEGER'), 320); // 45 chars: capped
  });
});

describe('keepUnchanged (the Data screen refreshed after segments were written)', () => {
  test('an unchanged table keeps its entry; a changed, reshaped, new or listed one gets the fresh entry', () => {
    const ev = { name: 'events', rows: 10, columns: 5, rowidEnd: 10 };
    const us = { name: 'users', rows: 3, columns: 4, rowidEnd: 3 };
    const seg = { name: 'user_segments', rows: 3, columns: 2, rowidEnd: 3 };
    const next = [{ ...ev }, { ...us, rows: 4, rowidEnd: 4 }, { ...seg }, { name: 'segmentations', rows: 1, columns: 8, rowidEnd: 1 }];
    const out = keepUnchanged([ev, us, seg], next, new Set(['user_segments', 'segmentations']));
    assert.equal(out[0], ev); // same object: the grid on it is not reset
    assert.equal(out[1], next[1]); // rows changed
    assert.equal(out[2], next[2]); // listed as changed, same shape
    assert.equal(out[3], next[3]); // new
    assert.deepEqual(out.map((t) => t.name), ['events', 'users', 'user_segments', 'segmentations']);
  });
});
