// Comparing two segmentations: the contingency table counted in SQL and the adjusted Rand index from it, on a
// fixture worked out by hand; the ARI against a plain pair-counting reference. Both engines.
// Run: TZ=UTC node --import tsx --test tests/segments-compare.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { compareSql, decodeComparison, NONE_LABEL } from '../src/analyses/segments/compare.ts';
import { adjustedRandFromCounts } from '../src/ml/metrics.ts';

/** ARI by its definition over every unordered pair of rows (Hubert & Arabie): the independent reference. */
function ariByPairs(a: string[], b: string[]): number {
  let both = 0;
  let onlyA = 0;
  let onlyB = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const sa = a[i] === a[j];
      const sb = b[i] === b[j];
      n++;
      if (sa && sb) both++;
      else if (sa) onlyA++;
      else if (sb) onlyB++;
    }
  }
  const pa = both + onlyA;
  const pb = both + onlyB;
  const expected = (pa * pb) / n;
  const max = (pa + pb) / 2;
  return (both - expected) / (max - expected);
}

// Users a..g. Column "run 1" (a hostile-looking name) labels a, b, c as A and d, e as B; f has a row with no
// label; g has no row at all. Column two: a, b = X; c, d = Y; e, f, g... e = Y, f = X, g (no row) = (none).
const HOSTILE = 'run 1"; DROP TABLE users; --';
async function load(db: Db): Promise<void> {
  await db.exec(`CREATE TABLE users (user_id VARCHAR);
INSERT INTO users VALUES ('a'), ('b'), ('c'), ('d'), ('e'), ('f'), ('g');
CREATE TABLE user_segments (user_id VARCHAR, "${HOSTILE.replace(/"/g, '""')}" VARCHAR, two VARCHAR);
INSERT INTO user_segments VALUES ('a', 'A', 'X'), ('b', 'A', 'X'), ('c', 'A', 'Y'), ('d', 'B', 'Y'), ('e', 'B', 'Y'), ('f', NULL, 'X');`);
}

function suite(name: string, open: () => Promise<Db>) {
  describe(`segment comparison (${name})`, () => {
    let db: Db;
    before(async () => {
      db = await open();
      await load(db);
    });
    after(async () => db?.close());

    test('the contingency table by hand, ordered by users; the ARI equals the pair-counting reference', async () => {
      const q = compareSql(HOSTILE, 'two');
      const c = decodeComparison(await db.query(q.text, q.params));
      // Rows: A (3 users), (none) (2: f, g), B (2) -> ties by label: "(none)" < "B".
      assert.deepEqual(c.rowLabels, ['A', NONE_LABEL, 'B']);
      // Columns: X (3: a, b, f), Y (3: c, d, e), (none) (1: g) -> X, Y by label.
      assert.deepEqual(c.colLabels, ['X', 'Y', NONE_LABEL]);
      assert.deepEqual(c.counts, [
        [2, 1, 0], // A: a, b in X; c in Y
        [1, 0, 1], // (none): f in X; g in (none)
        [0, 2, 0], // B: d, e in Y
      ]);
      assert.equal(c.users, 7);
      const a = ['A', 'A', 'A', 'B', 'B', NONE_LABEL, NONE_LABEL];
      const b = ['X', 'X', 'Y', 'Y', 'Y', 'X', NONE_LABEL];
      assert.ok(Math.abs(c.ari - ariByPairs(a, b)) < 1e-12, `${c.ari} vs ${ariByPairs(a, b)}`);
      // A segmentation against itself: 1.
      const s = compareSql('two', 'two');
      assert.equal(decodeComparison(await db.query(s.text, s.params)).ari, 1);
    });
  });
}

suite('native DuckDB', () => openNodeDb());
suite('DuckDB-WASM', () => openWasmDb());

test('adjustedRandFromCounts: label permutations score 1; a split of one cluster scores below 1', () => {
  assert.equal(adjustedRandFromCounts({ data: Float64Array.from([0, 3, 4, 0]), rows: 2, cols: 2 }), 1);
  const a = ['p', 'p', 'p', 'p', 'q', 'q'];
  const b = ['u', 'u', 'v', 'v', 'w', 'w'];
  const got = adjustedRandFromCounts({ data: Float64Array.from([2, 2, 0, 0, 0, 2]), rows: 2, cols: 3 });
  assert.ok(Math.abs(got - ariByPairs(a, b)) < 1e-12);
  assert.ok(got < 1 && got > 0);
});
