// Small pieces the one-pass analyses share: working memory kept between runs (BufferPool, Scratch), dense ids for hash-bit keys (HashBits, against a Map), grouping found side by side (groupRuns, against groupItems), the slices the passes' loops run in (inSlices, inGroupSlices), the validity of a column's rows read from its bitmaps (validArray,
// against Vector.isValid), and the funnel's median of gaps by selection (against sorting, as DuckDB's
// quantile_cont(0.5) is defined: the middle value or halfway between the two middle ones).
// Run: TZ=UTC node --import tsx --test tests/pass-kit.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Float64, Table, vectorFromArray } from 'apache-arrow';
import { BufferPool, FRESH, groupItems, groupRuns, HashBits, inGroupSlices, inSlices, noPause, Scratch, validArray } from '../src/analyses/pass-kit.ts';
import { median } from '../src/analyses/funnel/pass-stats.ts';
import { rng } from './fixtures/random.ts';

describe('validArray', () => {
  test('equals Vector.isValid row by row: one chunk, several chunks, sliced chunks, no NULL at all', async () => {
    const r = rng(5);
    const values = (n: number, nulls: number) => Array.from({ length: n }, () => (r() < nulls ? null : r()));
    const chunk = (n: number, nulls: number) => new Table({ x: vectorFromArray(values(n, nulls), new Float64()) });
    const tables = [
      chunk(37, 0.3),
      chunk(20, 0),
      chunk(1, 1),
      // Several record batches, one of them without a NULL.
      chunk(13, 0.5).concat(chunk(8, 0), chunk(29, 0.2)),
      // Slices start mid-byte in their validity bitmaps.
      chunk(64, 0.4).slice(3, 50),
      chunk(64, 0.4).slice(9).concat(chunk(30, 0.5).slice(5, 27)),
    ];
    let nulls = 0;
    for (const [i, t] of tables.entries()) {
      const col = t.getChild('x')!;
      const got = await validArray(t, 'x', noPause);
      assert.equal(got.length, t.numRows, `table ${i}`);
      for (let j = 0; j < t.numRows; j++) {
        assert.equal(got[j], col.isValid(j) ? 1 : 0, `table ${i}, row ${j}`);
        nulls += got[j] ? 0 : 1;
      }
    }
    assert.ok(nulls > 40, `${nulls} NULLs seen`);
  });
});

describe('median by selection', () => {
  /** The definition: sort, then the middle value or halfway between the two middle ones. */
  function byDefinition(xs: number[]): number {
    const a = [...xs].sort((x, y) => x - y);
    const h = (a.length - 1) / 2;
    return a[Math.floor(h)] + (a[Math.ceil(h)] - a[Math.floor(h)]) * (h - Math.floor(h));
  }

  test('hand-worked: odd, even, one value, all equal', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([7]), 7);
    assert.equal(median([2, 2, 2, 2]), 2);
    assert.equal(median([10, 0]), 5);
  });

  test('equals the definition on random arrays with many repeats, sorted and reversed inputs', () => {
    const r = rng(11);
    for (let k = 0; k < 400; k++) {
      const n = 1 + Math.floor(r() * 60);
      const spread = [2, 10, 1000][k % 3];
      const xs = Array.from({ length: n }, () => Math.floor(r() * spread) * 1000);
      if (k % 7 === 0) xs.sort((a, b) => a - b);
      if (k % 11 === 0) xs.sort((a, b) => b - a);
      assert.equal(median(xs), byDefinition(xs), JSON.stringify(xs));
    }
  });
});

describe('groupRuns', () => {
  test('equals groupItems on random groupings; finds them without sorting exactly when each group lies side by side', async () => {
    const r = rng(7);
    let kept = 0;
    for (let trial = 0; trial < 300; trial++) {
      const groups = 1 + Math.floor(r() * 12);
      // Runs of each group in order of first appearance (side by side), then sometimes one item moved elsewhere.
      const group: number[] = [];
      for (let g = 0; g < groups; g++) for (let k = 1 + Math.floor(r() * 4); k > 0; k--) group.push(g);
      if (trial % 2 === 1 && group.length > 2) {
        const [x] = group.splice(Math.floor(r() * group.length), 1);
        group.splice(Math.floor(r() * (group.length + 1)), 0, x);
      }
      // Dense ids in order of first appearance, as the passes give them.
      const ids = new Map<number, number>();
      const dense = Int32Array.from(group, (g) => (ids.has(g) ? ids.get(g)! : (ids.set(g, ids.size), ids.size - 1)));
      let sideBySide = true;
      for (let i = 1; i < dense.length; i++) if (dense[i] !== dense[i - 1] && dense[i] !== dense[i - 1] + 1) sideBySide = false;
      const got = await groupRuns(dense, ids.size, noPause);
      const want = await groupItems(dense, ids.size, noPause);
      assert.deepEqual([got.start, got.order], [want.start, want.order], `trial ${trial}: ${group}`);
      assert.equal(got.kept, sideBySide, `trial ${trial}: ${group}`);
      if (got.kept) kept++;
    }
    assert.ok(kept > 100 && kept < 300, `${kept} side by side`);
  });
});

describe('HashBits', () => {
  test('dense ids in order of first appearance, as a Map gives them: repeats next to each other and apart, growth, find', () => {
    const r = rng(3);
    for (const expected of [0, 10, 5000]) {
      const ids = new HashBits(expected);
      const ref = new Map<number, number>();
      const seen: number[] = [];
      let last = 0;
      for (let i = 0; i < 20_000; i++) {
        // Keys as the passes see them: whole numbers below 2^52; a third repeat the previous key, some come back later.
        const x = r();
        const key = x < 0.33 ? last : x < 0.5 && seen.length ? seen[Math.floor(r() * seen.length)] : Math.floor(r() * 2 ** 52);
        last = key;
        if (!ref.has(key)) {
          ref.set(key, ref.size);
          seen.push(key);
        }
        assert.equal(ids.id(key), ref.get(key), `key ${key}`);
      }
      assert.equal(ids.size, ref.size);
      for (const [key, id] of ref) assert.equal(ids.find(key), id);
      assert.equal(ids.find(2 ** 52 + 1), -1);
    }
  });

  test('the edge keys 0 and 2^52 - 1, and keys whose low 32 bits collide, across growth', () => {
    // Slots hold key + 1 (0 marks an empty slot): key 0 must be a key like any other.
    const ids = new HashBits(0);
    const keys = [0, 2 ** 52 - 1, 1, 2 ** 32, 2 * 2 ** 32, 3 * 2 ** 32 + 1, ...Array.from({ length: 600 }, (_, i) => i * 2 ** 32)];
    const ref = new Map<number, number>();
    for (const k of keys) {
      if (!ref.has(k)) ref.set(k, ref.size);
      assert.equal(ids.id(k), ref.get(k), `key ${k}`);
    }
    for (const [k, id] of ref) assert.equal(ids.find(k), id, `find ${k}`);
    assert.equal(ids.find(5), -1);
  });
});

describe('BufferPool and Scratch', () => {
  test('a run hands its buffers back; the next run gets the same memory, zeroed unless it asked otherwise', () => {
    const pool = new BufferPool(1 << 20, 60_000, 1024);
    const a = new Scratch(pool);
    const x = a.take(Float64Array, 300); // 2,400 bytes: a 4,096-byte buffer
    const small = a.take(Uint8Array, 100); // under minBytes: a plain array, never pooled
    assert.equal(x.length, 300);
    assert.equal(x.buffer.byteLength, 4096);
    assert.equal(small.buffer.byteLength, 100);
    x.fill(7);
    assert.equal(pool.bytes, 0, 'nothing is kept while in use');
    a.done();
    assert.equal(pool.bytes, 4096);
    const b = new Scratch(pool);
    const y = b.take(Int32Array, 1000); // 4,000 bytes: the same size class
    assert.equal(y.buffer, x.buffer, 'the same buffer again');
    assert.deepEqual([...new Set(y)], [0], 'zeroed');
    y.fill(9);
    b.done();
    const c = new Scratch(pool);
    const z = c.take(Int32Array, 1000, false);
    assert.equal(z.buffer, x.buffer);
    assert.equal(z[999], 9, 'not zeroed when asked not to be (the caller writes it whole)');
    c.done();
  });

  test('give hands one back early; keep lets one go for good; what is kept stays under maxBytes', () => {
    const pool = new BufferPool(8192, 60_000, 1024);
    const s = new Scratch(pool);
    const a = s.take(Uint8Array, 4096);
    const b = s.take(Uint8Array, 4096);
    const c = s.take(Uint8Array, 4096);
    assert.notEqual(a.buffer, b.buffer);
    s.give(a);
    assert.equal(pool.bytes, 4096);
    assert.equal(s.take(Uint8Array, 3000).buffer, a.buffer, 'given back, taken again in the same run');
    s.keep(b);
    s.done(); // a's and c's buffers go back; b's does not
    assert.equal(pool.bytes, 8192);
    const t = new Scratch(pool);
    const got = [t.take(Uint8Array, 4096).buffer, t.take(Uint8Array, 4096).buffer, t.take(Uint8Array, 4096).buffer];
    assert.ok(!got.includes(b.buffer), 'a kept array is never handed out again');
    assert.ok(got.includes(a.buffer) && got.includes(c.buffer));
    t.done();
    assert.equal(pool.bytes, 8192, 'the third buffer is over maxBytes: let go');
  });

  test('everything is let go idleMs after the last run; FRESH and a Scratch without a pool never pool', async () => {
    const pool = new BufferPool(1 << 20, 20, 1);
    const s = new Scratch(pool);
    s.take(Float64Array, 10);
    s.done();
    assert.ok(pool.bytes > 0);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(pool.bytes, 0);
    const plain = new Scratch(null);
    const x = plain.take(Float64Array, 100_000);
    assert.equal(x.buffer.byteLength, 800_000);
    plain.done();
    assert.equal(FRESH.take(Int32Array, 5).length, 5);
  });
});

describe('inSlices and inGroupSlices', () => {
  test('every item once, in order, in slices of at most `step`, a pause after each', async () => {
    for (const [n, step] of [[0, 4], [1, 4], [4, 4], [10, 4], [9, 1]] as const) {
      const seen: number[] = [];
      const slices: [number, number][] = [];
      let pauses = 0;
      await inSlices(n, async () => void pauses++, (lo, hi) => {
        slices.push([lo, hi]);
        for (let i = lo; i < hi; i++) seen.push(i);
      }, step);
      assert.deepEqual(seen, Array.from({ length: n }, (_, i) => i), `n ${n}, step ${step}`);
      assert.ok(slices.every(([lo, hi]) => hi > lo && hi - lo <= step));
      assert.equal(pauses, slices.length);
      assert.equal(slices.length, Math.ceil(n / step));
    }
  });

  test('whole groups, in order, each slice closed once it holds about `rows` items (a group larger than that alone)', async () => {
    // Groups of 3, 0, 1, 7, 2, 2 and 1 items.
    const start = Int32Array.from([0, 3, 3, 4, 11, 13, 15, 16]);
    const groups = start.length - 1;
    for (const rows of [1, 4, 5, 100]) {
      const slices: [number, number][] = [];
      let pauses = 0;
      await inGroupSlices(start, groups, async () => void pauses++, (g0, g1) => void slices.push([g0, g1]), rows);
      assert.deepEqual(slices.flatMap(([g0, g1]) => Array.from({ length: g1 - g0 }, (_, i) => g0 + i)), Array.from({ length: groups }, (_, g) => g), `rows ${rows}`);
      assert.equal(pauses, slices.length);
      // A slice starts a new group only while its items so far are under `rows`.
      for (const [g0, g1] of slices) for (let g = g0 + 1; g < g1; g++) assert.ok(start[g] - start[g0] < rows, `rows ${rows}: slice ${g0}..${g1}`);
      if (rows === 100) assert.deepEqual(slices, [[0, groups]]);
    }
  });
});
