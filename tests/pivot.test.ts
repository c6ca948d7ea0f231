// The pivot explorer (spec -> buckets -> GROUPING SETS query -> cell store -> layout / CSV) on the hand-made
// fixture in tests/fixtures/pivot-fixture.ts (its tables are written out in that file's header). Every expected
// number below is worked out by hand in a comment next to it, never computed by the code under test.
// Run: TZ=UTC node --import tsx --test tests/pivot.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { toRows } from '../src/lib/rows.ts';
import { StrataError } from '../src/errors.ts';
import { ident } from '../src/sql/quote.ts';
import type { Field } from '../src/analyses/fields.ts';
import type { CondOp, CondValue, FilterCond, FilterGroup, FilterNode } from '../src/analyses/filter/index.ts';
import {
  LOG_NONPOSITIVE,
  aggsForKind,
  bucketsFor,
  csvField,
  defaultBucket,
  headerRows,
  heatExtents,
  layoutCols,
  layoutRows,
  leafRows,
  pathKey,
  pivotCsv,
  planPivot,
  runPivot,
  validatePivotSpec,
  withGrain,
  type Key,
  type PivotResult,
  type PivotRun,
  type PivotSpec,
} from '../src/analyses/pivot/index.ts';
import { EVIL, EVIL_ID, openPivotFixture } from './fixtures/pivot-fixture.ts';

const and = (...items: FilterNode[]): FilterGroup => ({ op: 'and', items });
const or = (...items: FilterNode[]): FilterGroup => ({ op: 'or', items });
const c = (field: string, op: CondOp, value?: CondValue | CondValue[]): FilterCond =>
  value === undefined ? { field, op } : { field, op, value };

/** A validated spec: users grain, no dimensions and the users measure unless `x` says otherwise. */
const spec = (x: Record<string, unknown>): PivotSpec =>
  validatePivotSpec({ grain: 'users', rows: [], cols: [], measures: [{ agg: 'users' }], ...x });

/** Midnight UTC of a day, in epoch ms (the key of date buckets day..year). */
const utc = (y: number, m: number, d: number, h = 0, min = 0, s = 0) => Date.UTC(y, m - 1, d, h, min, s);

/** Assert `fn` throws a StrataError whose message matches every pattern. */
function rejects(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StrataError, `expected a StrataError, got ${String(e)}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

/** Assert two numbers agree to 1e-9 (relative), for aggregates computed in floating point. */
function near(actual: number | null | undefined, want: number, what = ''): void {
  assert.equal(typeof actual, 'number', `${what}: expected a number, got ${String(actual)}`);
  assert.ok(Math.abs((actual as number) - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${what}: ${actual} != ${want}`);
}

/** [key, label, value] of every first-level row, in the model's natural order. */
function level1(res: PivotResult, m = 0, ck: Key[] = []): [Key, string, number | null | undefined][] {
  return res.rowTree.children.map((n) => [n.keys[0], n.labels[0], res.value(n.keys, ck, m)]);
}

/** Labels of the laid-out rows, "Total" and paths joined by " / ". */
const rowLabels = (rows: { isTotal: boolean; path: string[] }[]) => rows.map((r) => (r.isTotal ? 'Total' : r.path.join(' / ')));

describe('pivot on a hand-made fixture (native DuckDB)', () => {
  let db: Db;
  let fields: Field[];
  const run = (x: Record<string, unknown>): Promise<PivotRun> => runPivot((q) => db.query(q.text, q.params), spec(x), fields);

  before(async () => {
    ({ db, fields } = await openPivotFixture());
  });
  after(async () => db.close());

  test('the users of a cell (save as segment): exactly the users the cell counts, (missing) and subtotals included', async () => {
    const r = await run({ rows: [{ field: 'u.age', bucket: { kind: 'edges', edges: [18, 25, 35] } }] });
    const ids = async (rk: Key[], ck: Key[] = []) => {
      const q = r.cellUsers!(rk, ck);
      return (await db.query(q.text, q.params)).toArray().map((x) => String(x.user_id)).sort();
    };
    // Ages: u01 18, u02 24, u03 25, u04 25, u05 34, u06 NULL, u07 35, u08 40, u09 47, u10 57.
    assert.deepEqual(await ids([1]), ['u01', 'u02']);
    assert.deepEqual(await ids([2]), ['u03', 'u04', 'u05']);
    assert.deepEqual(await ids([null]), ['u06']);
    assert.equal((await ids([])).length, 10, 'the total row holds everyone');
    // A filtered pivot with columns: the filter applies, and a (row, column) cell intersects both keys.
    const f = await run({
      rows: [{ field: 'u.age', bucket: { kind: 'edges', edges: [30] } }],
      cols: [{ field: 'u.age', bucket: { kind: 'edges', edges: [40] } }],
      filter: { op: 'and', items: [{ field: 'u.age', op: '>=', value: 25 }] },
    });
    const cell = f.cellUsers!([1], [0]);
    // age >= 25, >= 30 and < 40: 34, 35.
    assert.deepEqual((await db.query(cell.text, cell.params)).toArray().map((x) => String(x.user_id)).sort(), ['u05', 'u07']);
    assert.equal(f.result.raw([1], [0], 0), 2, 'the cell counts the same two');
    const ev = await runPivot((q) => db.query(q.text, q.params), spec({ grain: 'events', measures: [{ agg: 'events' }], rows: [{ field: 'e.event_type', bucket: { kind: 'none' } }] }), fields);
    assert.equal(ev.cellUsers, null, 'events-grain cells are events, not users');
  });

  // -------------------------------------------------------------------------------------------------------
  describe('buckets', () => {
    // Ages: u01 18, u02 24, u03 25, u04 25, u05 34, u06 NULL, u07 35, u08 40, u09 47, u10 57.
    test('custom edges [18, 25, 35]: 24 in 18–24, exactly 25 in 25–34, 35 in 35+, NULL is (missing)', async () => {
      const { result } = await run({ rows: [{ field: 'u.age', bucket: { kind: 'edges', edges: [18, 25, 35] } }] });
      // key 0 (< 18) is empty; key 1 [18, 25): 18, 24; key 2 [25, 35): 25, 25, 34; key 3 [35, ∞): 35, 40, 47, 57
      assert.deepEqual(level1(result), [
        [1, '18–24', 2],
        [2, '25–34', 3],
        [3, '35+', 4],
        [null, '(missing)', 1],
      ]);
      assert.equal(result.raw([0], [], 0), undefined);
      assert.equal(result.value([], [], 0), 10);
    });

    test('custom edges are sorted and deduplicated; a bucket below the first edge reads "< edge"', async () => {
      assert.deepEqual(validatePivotSpec({ rows: [{ field: 'u.age', bucket: { kind: 'edges', edges: [35, 18, 25, 25] } }] }).rows[0].bucket,
        { kind: 'edges', edges: [18, 25, 35] });
      const { result } = await run({ rows: [{ field: 'u.age', bucket: { kind: 'edges', edges: [30, 20] } }] });
      // < 20: 18 (u01); [20, 30): 24, 25, 25; 30+: 34, 35, 40, 47, 57; NULL u06
      assert.deepEqual(level1(result), [[0, '< 20', 1], [1, '20–29', 3], [2, '30+', 5], [null, '(missing)', 1]]);
    });

    test('custom edges on a DOUBLE column read as ranges, with fractional edges', async () => {
      // income: u01 1000, u02 50, u03 2500, u04 0, u05 -20, u06 10, u07 5, u08 100, u09 NULL, u10 999.5
      const { result } = await run({ rows: [{ field: 'u.income', bucket: { kind: 'edges', edges: [0, 100.5] } }] });
      // < 0: -20; [0, 100.5): 0, 5, 10, 50, 100; ≥ 100.5: 999.5, 1000, 2500; NULL u09
      assert.deepEqual(level1(result), [[0, '< 0', 1], [1, '0 – 100.5', 5], [2, '≥ 100.5', 3], [null, '(missing)', 1]]);
    });

    test('equal width on integer ages: whole-number widths', async () => {
      const { result, statsSql } = await run({ rows: [{ field: 'u.age', bucket: { kind: 'width', bins: 4 } }] });
      // min 18, max 57: width = ceil((57 - 18 + 1) / 4) = 10 -> 18–27, 28–37, 38–47, 48–57 (57 in the last)
      // 18–27: 18, 24, 25, 25; 28–37: 34, 35; 38–47: 40, 47; 48–57: 57; NULL u06
      assert.deepEqual(level1(result), [[0, '18–27', 4], [1, '28–37', 2], [2, '38–47', 2], [3, '48–57', 1], [null, '(missing)', 1]]);
      assert.equal(statsSql.length, 1);
      // bins 3: width ceil(40 / 3) = 14 -> 18–31 (18 24 25 25), 32–45 (34 35 40), 46–57 (47 57; the last bucket's
      // label stops at the maximum, 57, not at 46 + 14 - 1 = 59)
      const three = await run({ rows: [{ field: 'u.age', bucket: { kind: 'width', bins: 3 } }] });
      assert.deepEqual(level1(three.result), [[0, '18–31', 4], [1, '32–45', 3], [2, '46–57', 2], [null, '(missing)', 1]]);
    });

    test('equal width on integers with more bins than values: width 1, one label per value', async () => {
      const { result } = await run({ rows: [{ field: 'u.age', bucket: { kind: 'width', bins: 100 } }] });
      // ceil(40 / 100) = 0 -> width 1; key = age - 18
      assert.deepEqual(level1(result), [
        [0, '18', 1], [6, '24', 1], [7, '25', 2], [16, '34', 1], [17, '35', 1], [22, '40', 1], [29, '47', 1], [39, '57', 1], [null, '(missing)', 1],
      ]);
    });

    test('equal width on a DOUBLE: N equal parts, the maximum lands in the last bin', async () => {
      const { result } = await run({ rows: [{ field: 'u.income', bucket: { kind: 'width', bins: 4 } }] });
      // min -20, max 2500: width 2520 / 4 = 630; edges -20, 610, 1240, 1870, 2500
      // [-20, 610): -20, 0, 5, 10, 50, 100; [610, 1240): 999.5, 1000; [1240, 1870): nobody; [1870, 2500]: 2500
      assert.deepEqual(level1(result), [[0, '-20 – 610', 6], [1, '610 – 1,240', 2], [3, '1,870 – 2,500', 1], [null, '(missing)', 1]]);
    });

    test('quantiles on integer ages: edges from quantile_cont, rounded up', async () => {
      // 9 ages sorted: 18 24 25 25 34 35 40 47 57 (positions 0..8).
      // bins 3: q 1/3 at position 2.67 -> between 25 and 25 = 25; q 2/3 at 5.33 -> 35 + 0.33 * 5 = 36.67 -> ceil 37
      const three = await run({ rows: [{ field: 'u.age', bucket: { kind: 'quantile', bins: 3 } }] });
      // < 25: 18, 24 (labelled from the minimum); [25, 37): 25, 25, 34, 35; ≥ 37: 40, 47, 57 (up to the maximum)
      assert.deepEqual(level1(three.result), [[0, '18–24', 2], [1, '25–36', 4], [2, '37–57', 3], [null, '(missing)', 1]]);
      // bins 4: positions 2, 4, 6 -> 25, 34, 40
      const four = await run({ rows: [{ field: 'u.age', bucket: { kind: 'quantile', bins: 4 } }] });
      assert.deepEqual(level1(four.result), [[0, '18–24', 2], [1, '25–33', 2], [2, '34–39', 2], [3, '40–57', 3], [null, '(missing)', 1]]);
      // the stats query asks for the fractions as bound parameters
      assert.deepEqual(four.statsSql[0].params.slice(0, 3), [0.25, 0.5, 0.75]);
    });

    test('quantiles: duplicate edges merge and edges at the minimum drop', async () => {
      // m.orders: u01 2, u02 3, the other 8 users 0. Sorted: 0 0 0 0 0 0 0 0 2 3. bins 10: q 0.1..0.9 at positions
      // 0.9 .. 8.1; every position below 7 reads 0; 7.2 -> 0 + 0.2 * 2 = 0.4 -> ceil 1; 8.1 -> 2 + 0.1 * 1 = 2.1 -> 3.
      // Edges 0 (x7), 1, 3 -> merged [0, 1, 3] -> 0 is the minimum, dropped -> [1, 3].
      const { result } = await run({ rows: [{ field: 'm.orders', bucket: { kind: 'quantile', bins: 10 } }] });
      // < 1: the eight 0s ("0"); [1, 3): u01's 2 ("1–2"); ≥ 3: u02's 3, the maximum ("3")
      assert.deepEqual(level1(result), [[0, '0', 8], [1, '1–2', 1], [2, '3', 1]]);
    });

    test('quantiles on a DOUBLE keep fractional edges', async () => {
      // 9 incomes sorted: -20 0 5 10 50 100 999.5 1000 2500; bins 2: the median at position 4 = 50
      const { result } = await run({ rows: [{ field: 'u.income', bucket: { kind: 'quantile', bins: 2 } }] });
      // < 50: -20, 0, 5, 10; ≥ 50: 50, 100, 999.5, 1000, 2500; NULL u09
      assert.deepEqual(level1(result), [[0, '-20 – 50', 4], [1, '50 – 2,500', 5], [null, '(missing)', 1]]);
    });

    test('log scale: ≤ 0, 1–10, 10–100, ... with the powers of ten in the upper bucket', async () => {
      const { result } = await run({ rows: [{ field: 'u.income', bucket: { kind: 'log' } }] });
      // ≤ 0: 0 (u04), -20 (u05); [1, 10): 5; [10, 100): 10, 50; [100, 1000): 100, 999.5; [1000, 10000): 1000, 2500;
      // NULL: u09. The ≤ 0 key must stay apart from the NULL key (it was -Infinity, which JSON key paths turned
      // into null: the two rows merged into one "≤ 0" row holding the missing row's count).
      assert.deepEqual(level1(result), [
        [LOG_NONPOSITIVE, '≤ 0', 2],
        [0, '1 – 10', 1],
        [1, '10 – 100', 2],
        [2, '100 – 1,000', 2],
        [3, '1,000 – 10,000', 2],
        [null, '(missing)', 1],
      ]);
      assert.equal(result.value([], [], 0), 10);
      assert.notEqual(pathKey([LOG_NONPOSITIVE]), pathKey([null]));
    });

    describe('date units on users.signup_ts', () => {
      // u01 01-15 10:00 Mon, u02 01-31 23:59:59 Wed, u03 02-01 00:00 Thu, u04 02-29 12:00 Thu, u05 03-31 23:59:59 Sun,
      // u06 04-01 00:00 Mon, u07 06-30 08:00 Sun, u08 12-31 23:59:59 Tue, u09 2025-01-01 00:00 Wed, u10 NULL.
      // u10's NULL must key as null (day..year used to get a NaN key from DuckDB and crash the labeller).
      const cases: [string, [Key, string, number][]][] = [
        // 00: u03 u06 u09; 08: u07; 10: u01; 12: u04; 23: u02 u05 u08
        ['hour', [[0, '00:00', 3], [8, '08:00', 1], [10, '10:00', 1], [12, '12:00', 1], [23, '23:00', 3], [null, '(missing)', 1]]],
        // ISO: Mon 1 (u01 u06), Tue 2 (u08), Wed 3 (u02 u09), Thu 4 (u03 u04), Sun 7 (u05 u07)
        ['dow', [[1, 'Mon', 2], [2, 'Tue', 1], [3, 'Wed', 2], [4, 'Thu', 2], [7, 'Sun', 2], [null, '(missing)', 1]]],
        ['day', [
          [utc(2024, 1, 15), '2024-01-15', 1], [utc(2024, 1, 31), '2024-01-31', 1], [utc(2024, 2, 1), '2024-02-01', 1],
          [utc(2024, 2, 29), '2024-02-29', 1], [utc(2024, 3, 31), '2024-03-31', 1], [utc(2024, 4, 1), '2024-04-01', 1],
          [utc(2024, 6, 30), '2024-06-30', 1], [utc(2024, 12, 31), '2024-12-31', 1], [utc(2025, 1, 1), '2025-01-01', 1],
          [null, '(missing)', 1],
        ]],
        // weeks start on Monday: Wed 01-31 and Thu 02-01 share w/c 01-29; Tue 2024-12-31 and Wed 2025-01-01 share
        // w/c 2024-12-30
        ['week', [
          [utc(2024, 1, 15), 'w/c 2024-01-15', 1], [utc(2024, 1, 29), 'w/c 2024-01-29', 2], [utc(2024, 2, 26), 'w/c 2024-02-26', 1],
          [utc(2024, 3, 25), 'w/c 2024-03-25', 1], [utc(2024, 4, 1), 'w/c 2024-04-01', 1], [utc(2024, 6, 24), 'w/c 2024-06-24', 1],
          [utc(2024, 12, 30), 'w/c 2024-12-30', 2], [null, '(missing)', 1],
        ]],
        // 01-31 23:59:59 stays in January, 03-31 23:59:59 in March, 12-31 23:59:59 in December
        ['month', [
          [utc(2024, 1, 1), '2024-01', 2], [utc(2024, 2, 1), '2024-02', 2], [utc(2024, 3, 1), '2024-03', 1],
          [utc(2024, 4, 1), '2024-04', 1], [utc(2024, 6, 1), '2024-06', 1], [utc(2024, 12, 1), '2024-12', 1],
          [utc(2025, 1, 1), '2025-01', 1], [null, '(missing)', 1],
        ]],
        // Q1: u01..u05 (u05 at 03-31 23:59:59); Q2: u06 (04-01 00:00), u07; Q4: u08; 2025 Q1: u09
        ['quarter', [
          [utc(2024, 1, 1), '2024 Q1', 5], [utc(2024, 4, 1), '2024 Q2', 2], [utc(2024, 10, 1), '2024 Q4', 1],
          [utc(2025, 1, 1), '2025 Q1', 1], [null, '(missing)', 1],
        ]],
        ['year', [[utc(2024, 1, 1), '2024', 8], [utc(2025, 1, 1), '2025', 1], [null, '(missing)', 1]]],
      ];
      for (const [unit, want] of cases) {
        test(unit, async () => {
          const { result } = await run({ rows: [{ field: 'u.signup_ts', bucket: { kind: 'date', unit } }] });
          assert.deepEqual(level1(result), want);
        });
      }

      test('no bucket on a timestamp: epoch ms keys, second-precision labels', async () => {
        const { result } = await run({ rows: [{ field: 'u.signup_ts', bucket: { kind: 'none' } }] });
        const jan31 = result.rowTree.children[1];
        assert.deepEqual([jan31.keys, jan31.labels], [[utc(2024, 1, 31, 23, 59, 59)], ['2024-01-31 23:59:59']]);
        assert.equal(result.rowTree.children.length, 10);
      });
    });

    test('date units on events.ts: the 23:59:59 purchase on January 31 stays in January', async () => {
      const { result } = await run({ grain: 'events', measures: [{ agg: 'events' }], rows: [{ field: 'e.ts', bucket: { kind: 'date', unit: 'month' } }] });
      // Jan: e01-e03 (e03 at 01-31 23:59:59); Feb: e04-e11; Mar: e12 (03-31 23:59:59), e18-e23; Apr: e13-e17, e24, e25
      assert.deepEqual(level1(result), [
        [utc(2024, 1, 1), '2024-01', 3], [utc(2024, 2, 1), '2024-02', 8], [utc(2024, 3, 1), '2024-03', 7], [utc(2024, 4, 1), '2024-04', 7],
      ]);
      const dow = await run({ grain: 'events', measures: [{ agg: 'events' }], rows: [{ field: 'e.ts', bucket: { kind: 'date', unit: 'dow' } }] });
      // Mon: 03-04 (3) + 04-01 (4); Tue: 03-05 (3) + 04-02 (3); Wed: 01-31 (3); Thu: 02-01 (3) + 02-15 (3);
      // Sat: 02-10 (2); Sun: 03-31 (1)
      assert.deepEqual(level1(dow.result), [[1, 'Mon', 7], [2, 'Tue', 6], [3, 'Wed', 3], [4, 'Thu', 6], [6, 'Sat', 2], [7, 'Sun', 1]]);
    });

    test('top N + Other: ties broken by value, missing apart', async () => {
      // France 3 (u01 u02 u10), Côte d'Ivoire 2 (u04 u05), Germany 2 (u03 u07), Japan 1 (u08), NULL 2 (u06 u09).
      // Top 2: France, then the 2-2 tie goes to "Côte d'Ivoire" < "Germany"; Other = Germany 2 + Japan 1.
      const { result, statsSql } = await run({ rows: [{ field: 'u.country', bucket: { kind: 'top', n: 2 } }] });
      assert.deepEqual(level1(result), [[0, 'France', 3], [1, "Côte d'Ivoire", 2], [2, 'Other', 3], [null, '(missing)', 2]]);
      assert.deepEqual(statsSql.map((q) => q.params), [[2]]);
    });

    test('top N larger than the number of values: no Other', async () => {
      const { result } = await run({ rows: [{ field: 'u.country', bucket: { kind: 'top', n: 10 } }] });
      assert.deepEqual(level1(result), [[0, 'France', 3], [1, "Côte d'Ivoire", 2], [2, 'Germany', 2], [3, 'Japan', 1], [null, '(missing)', 2]]);
    });

    test('top 1 at the events grain', async () => {
      // categories: Books 9, Toys 8, Garden 6, NULL 2 (e08, e22); Other = 8 + 6
      const { result } = await run({ grain: 'events', measures: [{ agg: 'events' }], rows: [{ field: 'e.category', bucket: { kind: 'top', n: 1 } }] });
      assert.deepEqual(level1(result), [[0, 'Books', 9], [1, 'Other', 14], [null, '(missing)', 2]]);
    });

    test('top N ranks by the sorted measure, else the first measure, not by row count', async () => {
      // Purchase revenue per category: Books e03 20 + e06 5 + e16 10 = 35, Toys e05 15 + e11 40 = 55, Garden e15 60;
      // events: Books 9, Toys 8, Garden 6. By events the top 1 is Books; by revenue it is Garden.
      const rows = [{ field: 'e.category', bucket: { kind: 'top', n: 1 } }];
      const byEvents = await run({ grain: 'events', measures: [{ agg: 'events' }, { agg: 'revenue' }], rows });
      assert.deepEqual(level1(byEvents.result).map((r) => r[1]), ['Books', 'Other', '(missing)']);
      // Sorted by revenue (measure 1): Garden is kept, Books and Toys fall into Other (revenue 35 + 55 = 90).
      const sorted = await run({ grain: 'events', measures: [{ agg: 'events' }, { agg: 'revenue' }], rows, sort: { measure: 1, col: [], dir: 'desc' } });
      const got = Object.fromEntries(level1(sorted.result, 1).map((r) => [r[1], r[2]]));
      assert.deepEqual(got, { Garden: 60, Other: 90, '(missing)': 0 });
      // Revenue first, no sort: the first measure ranks.
      const first = await run({ grain: 'events', measures: [{ agg: 'revenue' }, { agg: 'events' }], rows });
      assert.deepEqual(level1(first.result).map((r) => r[1]).sort(), ['(missing)', 'Garden', 'Other']);
    });

    test('custom groups with an Other; an empty group matches nothing', async () => {
      const { result } = await run({
        rows: [{ field: 'u.country', bucket: { kind: 'groups', groups: [{ name: 'Nowhere', values: [] }, { name: 'Europe', values: ['France', 'Germany'] }] } }],
      });
      // Europe: France 3 + Germany 2; Other: Côte d'Ivoire 2 + Japan 1; missing u06 u09
      assert.deepEqual(level1(result), [[1, 'Europe', 5], [2, 'Other', 3], [null, '(missing)', 2]]);
    });

    test('no bucket on text: raw values in alphabetical order, missing last', async () => {
      const { result } = await run({ rows: [{ field: 'u.country', bucket: { kind: 'none' } }] });
      assert.deepEqual(level1(result), [["Côte d'Ivoire", "Côte d'Ivoire", 2], ['France', 'France', 3], ['Germany', 'Germany', 2], ['Japan', 'Japan', 1], [null, '(missing)', 2]]);
    });

    test('which buckets and aggregations each field kind offers', () => {
      assert.deepEqual(bucketsFor('integer'), ['width', 'none', 'quantile', 'edges', 'log']);
      assert.deepEqual(bucketsFor('temporal'), ['date', 'none']);
      assert.deepEqual(bucketsFor('text'), ['top', 'none', 'groups']);
      assert.deepEqual(bucketsFor('boolean'), ['none']);
      assert.deepEqual(defaultBucket('number'), { kind: 'width', bins: 10 });
      assert.deepEqual(defaultBucket('temporal'), { kind: 'date', unit: 'month' });
      assert.deepEqual(defaultBucket('text'), { kind: 'top', n: 10 });
      assert.deepEqual(aggsForKind('temporal'), ['min', 'max', 'count_distinct']);
      assert.deepEqual(aggsForKind('text'), ['count_distinct']);
    });
  });

  // -------------------------------------------------------------------------------------------------------
  describe('measures', () => {
    const BUILTINS = ['users', 'events', 'sessions', 'orders', 'revenue', 'aov', 'conversion'].map((agg) => ({ agg }));

    test('built-in measures at the users grain (from user_metrics)', async () => {
      const { result } = await run({ measures: BUILTINS });
      // users: 10 rows. events 8 + 9 + 8 = 25; sessions 3 + 4 + 3 = 10; orders 2 + 3 = 5; revenue 40 + 110 = 150;
      // AOV 150 / 5 = 30; conversion: 2 of 10 users have orders > 0
      assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((m) => result.value([], [], m)), [10, 25, 10, 5, 150, 30, 0.2]);
      assert.deepEqual(result.measures.map((m) => [m.title, m.kind]), [
        ['Users', 'count'], ['Events', 'count'], ['Sessions', 'count'], ['Orders', 'count'], ['Revenue', 'money'], ['AOV', 'money'], ['Conversion', 'ratio'],
      ]);
    });

    test('built-in measures at the events grain (counted from the events)', async () => {
      const { result } = await run({ grain: 'events', measures: BUILTINS });
      // users: u01 u02 u03; 25 events; sessions s1..s10; orders o1..o5 (o2 has two purchase rows, e05 + e06);
      // revenue: purchases 20 + 15 + 5 + 40 + 60 + 10 = 150 (refund e07 15 and cart values 20 40 60 12 30 not
      // counted); AOV 150 / 5 = 30; conversion: u01 and u02 bought, of 3 users
      const v = [0, 1, 2, 3, 4, 5, 6].map((m) => result.value([], [], m));
      assert.deepEqual(v.slice(0, 6), [3, 25, 10, 5, 150, 30]);
      near(v[6], 2 / 3, 'conversion');
    });

    test('built-ins per country at both grains; AOV without orders is empty', async () => {
      const rows = [{ field: 'u.country', bucket: { kind: 'none' } }];
      const users = (await run({ rows, measures: BUILTINS })).result;
      // France = u01 u02 u10: 3 users, events 8 + 9 + 0, sessions 3 + 4, orders 2 + 3, revenue 40 + 110, AOV 30,
      // conversion 2 / 3. Germany = u03 u07: 2 users, events 8, sessions 3, no orders, revenue 0, AOV none, 0.
      const fr = [0, 1, 2, 3, 4, 5, 6].map((m) => users.value(['France'], [], m));
      assert.deepEqual(fr.slice(0, 6), [3, 17, 7, 5, 150, 30]);
      near(fr[6], 2 / 3, 'France conversion');
      assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((m) => users.value(['Germany'], [], m)), [2, 8, 3, 0, 0, null, 0]);
      // Japan (u08) has a metrics row of zeros
      assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((m) => users.value(['Japan'], [], m)), [1, 0, 0, 0, 0, null, 0]);

      const events = (await run({ grain: 'events', rows, measures: BUILTINS })).result;
      // France: events of u01 and u02: 2 users, 17 events, 7 sessions, 5 orders, 150, 30, both bought (1).
      // Germany: u03's 8 events in 3 sessions, no purchase.
      assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((m) => events.value(['France'], [], m)), [2, 17, 7, 5, 150, 30, 1]);
      assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((m) => events.value(['Germany'], [], m)), [1, 8, 3, 0, 0, null, 0]);
      // countries without events do not appear at the events grain
      assert.deepEqual(events.rowTree.children.map((n) => n.keys[0]), ['France', 'Germany']);
    });

    test('statistics of a numeric field at the users grain', async () => {
      const { result } = await run({
        measures: [
          { agg: 'count_distinct', field: 'u.country' }, { agg: 'sum', field: 'u.income' }, { agg: 'avg', field: 'u.income' },
          { agg: 'median', field: 'u.income' }, { agg: 'min', field: 'u.income' }, { agg: 'max', field: 'u.income' },
          { agg: 'sum', field: 'm.revenue' }, { agg: 'median', field: 'm.revenue' },
        ],
      });
      // countries: France, Germany, Côte d'Ivoire, Japan (NULL not counted) = 4.
      // incomes (9, u09 NULL): -20 0 5 10 50 100 999.5 1000 2500; sum 4644.5; avg 4644.5 / 9; median the 5th = 50
      // m.revenue: 40, 110 and eight 0s: sum 150, median 0
      const v = [0, 1, 2, 3, 4, 5, 6, 7].map((m) => result.value([], [], m));
      assert.deepEqual([v[0], v[1], v[3], v[4], v[5], v[6], v[7]], [4, 4644.5, 50, -20, 2500, 150, 0]);
      near(v[2], 4644.5 / 9, 'avg income');
      assert.deepEqual(result.measures.map((m) => [m.title, m.kind]), [
        ['Distinct of country', 'count'], ['Sum of income', 'money'], ['Average of income', 'money'], ['Median of income', 'money'],
        ['Min of income', 'money'], ['Max of income', 'money'], ['Sum of revenue', 'money'], ['Median of revenue', 'money'],
      ]);
    });

    test('min / max of a timestamp are epoch ms', async () => {
      const users = (await run({ measures: [{ agg: 'min', field: 'u.signup_ts' }, { agg: 'max', field: 'u.signup_ts' }] })).result;
      // earliest signup u01 2024-01-15 10:00; latest u09 2025-01-01 00:00 (u10's NULL ignored)
      assert.deepEqual([users.value([], [], 0), users.value([], [], 1)], [utc(2024, 1, 15, 10), utc(2025, 1, 1)]);
      assert.deepEqual(users.measures.map((m) => m.kind), ['date', 'date']);
      const events = (await run({ grain: 'events', measures: [{ agg: 'min', field: 'e.ts' }, { agg: 'max', field: 'e.ts' }] })).result;
      // first event e01 2024-01-31 23:00; last e17 2024-04-02 18:00
      assert.deepEqual([events.value([], [], 0), events.value([], [], 1)], [utc(2024, 1, 31, 23), utc(2024, 4, 2, 18)]);
    });

    test('statistics of a numeric field at the events grain', async () => {
      const { result } = await run({
        grain: 'events',
        measures: [
          { agg: 'sum', field: 'e.revenue' }, { agg: 'avg', field: 'e.revenue' }, { agg: 'median', field: 'e.revenue' },
          { agg: 'min', field: 'e.revenue' }, { agg: 'max', field: 'e.revenue' }, { agg: 'count_distinct', field: 'e.category' },
        ],
      });
      // every non-NULL e.revenue, whatever the event type (12 values):
      // 20 20 15 5 15 40 40 60 60 10 12 30 -> sum 327, avg 27.25; sorted 5 10 12 15 15 20 | 20 30 40 40 60 60 ->
      // median (20 + 20) / 2 = 20; min 5, max 60. Categories Books, Toys, Garden = 3.
      assert.deepEqual([0, 1, 2, 3, 4, 5].map((m) => result.value([], [], m)), [327, 27.25, 20, 5, 60, 3]);
    });

    test('sample standard deviation per bucket', async () => {
      const users = (await run({ rows: [{ field: 'u.age', bucket: { kind: 'edges', edges: [18, 25, 35] } }], measures: [{ agg: 'stddev', field: 'u.age' }] })).result;
      // 18–24: 18, 24 -> mean 21, squares 9 + 9 = 18, / (2 - 1) -> sqrt(18)
      // 25–34: 25, 25, 34 -> mean 28, squares 9 + 9 + 36 = 54, / 2 -> sqrt(27)
      // 35+: 35, 40, 47, 57 -> mean 44.75, squares 95.0625 + 22.5625 + 5.0625 + 150.0625 = 272.75, / 3
      near(users.value([1], [], 0), Math.sqrt(18), '18–24');
      near(users.value([2], [], 0), Math.sqrt(27), '25–34');
      near(users.value([3], [], 0), Math.sqrt(272.75 / 3), '35+');
      // the missing-age bucket has no ages at all
      assert.equal(users.value([null], [], 0), null);
      const events = (await run({ grain: 'events', rows: [{ field: 'e.category', bucket: { kind: 'none' } }], measures: [{ agg: 'stddev', field: 'e.revenue' }] })).result;
      // Garden: 60, 60, 30 -> mean 50, squares 100 + 100 + 400 = 600, / 2 = 300
      near(events.value(['Garden'], [], 0), Math.sqrt(300), 'Garden');
    });

    test('the default pivot runs: users, orders, revenue, AOV by top 10 countries', async () => {
      const { result } = await runPivot((q) => db.query(q.text, q.params), validatePivotSpec({}), fields);
      // France: 3 users, 5 orders, 150, AOV 30; keys are top-N indexes (France first with 3 users)
      assert.deepEqual([0, 1, 2, 3].map((m) => result.value([0], [], m)), [3, 5, 150, 30]);
      assert.equal(result.rowTree.children[0].labels[0], 'France');
    });
  });

  // -------------------------------------------------------------------------------------------------------
  describe('subtotals, totals and shares', () => {
    // Events by country (via users) x category, and device, with their users and non-NULL revenue:
    // France (u01 u02)
    //   Books   e01 u01 mobile -, e02 u01 mobile 20, e03 u01 mobile 20, e06 u01 desktop 5, e16 u02 mobile 10, e17 u02 desktop -
    //   Toys    e04 u01 desktop -, e05 u01 desktop 15, e07 u01 desktop 15, e09 u02 mobile -, e10 u02 mobile 40, e11 u02 mobile 40
    //   Garden  e12..e15 u02 mobile: -, -, 60, 60
    //   NULL    e08 u01 desktop -
    // Germany (u03)
    //   Books   e18 e19 e20 desktop: -, -, 12;  Garden e21 tablet -, e23 tablet 30;  NULL e22 tablet -;  Toys e24 e25 tablet -
    const rows = [{ field: 'u.country', bucket: { kind: 'none' } }, { field: 'e.category', bucket: { kind: 'none' } }];
    const cols = [{ field: 'e.device', bucket: { kind: 'none' } }];

    test('distinct users are exact at every level, never summed', async () => {
      const { result: r } = await run({ grain: 'events', rows, cols, measures: [{ agg: 'users' }] });
      // leaves: France/Books {u01 u02}, France/Toys {u01 u02}, France/Garden {u02}, France/NULL {u01}
      assert.deepEqual([['Books'], ['Toys'], ['Garden'], [null]].map((k) => r.value(['France', ...k], [], 0)), [2, 2, 1, 1]);
      // ... which add up to 6, but France has 2 users; Germany 1; the grand total 3 (u01 is in 3 categories)
      assert.equal(r.value(['France'], [], 0), 2);
      assert.equal(r.value(['Germany'], [], 0), 1);
      assert.equal(r.value([], [], 0), 3);
      // by device: France/Books mobile {u01 u02}, desktop {u01 (e06) u02 (e17)}; France/Toys desktop {u01}, mobile {u02}
      assert.deepEqual([r.value(['France', 'Books'], ['mobile'], 0), r.value(['France', 'Books'], ['desktop'], 0)], [2, 2]);
      assert.deepEqual([r.value(['France', 'Toys'], ['desktop'], 0), r.value(['France', 'Toys'], ['mobile'], 0)], [1, 1]);
      // subtotal row x device: France mobile {u01 u02}, desktop {u01 u02}, tablet nobody (no such cell)
      assert.deepEqual(['mobile', 'desktop', 'tablet'].map((d) => r.value(['France'], [d], 0)), [2, 2, undefined]);
      // total row x device: mobile {u01 u02}, desktop {u01 u02 u03}, tablet {u03}
      assert.deepEqual(['mobile', 'desktop', 'tablet'].map((d) => r.value([], [d], 0)), [2, 3, 1]);
      assert.equal(r.value(['France', 'Garden'], ['desktop'], 0), undefined);
    });

    test('medians are exact at every level', async () => {
      const { result: r } = await run({ grain: 'events', rows, cols, measures: [{ agg: 'median', field: 'e.revenue' }] });
      // France/Books: 20 20 5 10 -> 5 10 | 20 20 -> 15; mobile 20 20 10 -> 20; desktop 5
      assert.deepEqual([r.value(['France', 'Books'], [], 0), r.value(['France', 'Books'], ['mobile'], 0), r.value(['France', 'Books'], ['desktop'], 0)], [15, 20, 5]);
      // France/Toys: 15 15 40 40 -> 27.5; France/Garden: 60 60 -> 60; France/NULL: no revenue at all -> null
      assert.deepEqual([r.value(['France', 'Toys'], [], 0), r.value(['France', 'Garden'], [], 0), r.value(['France', null], [], 0)], [27.5, 60, null]);
      // France: 5 10 15 15 20 | 20 40 40 60 60 -> 20 (the median of the category medians would be 27.5)
      assert.equal(r.value(['France'], [], 0), 20);
      // France mobile: 10 20 20 40 40 60 60 -> 40; France desktop: 5 15 15 -> 15
      assert.deepEqual([r.value(['France'], ['mobile'], 0), r.value(['France'], ['desktop'], 0)], [40, 15]);
      // Germany: 12, 30 -> 21; Germany/Toys has no revenue -> null
      assert.deepEqual([r.value(['Germany'], [], 0), r.value(['Germany', 'Toys'], [], 0)], [21, null]);
      // grand total, all 12 values: 5 10 12 15 15 20 | 20 30 40 40 60 60 -> 20
      assert.equal(r.value([], [], 0), 20);
      // by device: mobile = France mobile -> 40; desktop 5 15 15 12 -> 5 12 | 15 15 -> 13.5; tablet 30
      assert.deepEqual(['mobile', 'desktop', 'tablet'].map((d) => r.value([], [d], 0)), [40, 13.5, 30]);
    });

    test('% of row, % of column and % of total', async () => {
      const ev = { agg: 'events' };
      const { result: r } = await run({
        grain: 'events',
        rows: [{ field: 'e.category', bucket: { kind: 'none' } }],
        cols,
        measures: [ev, { ...ev, pct: 'row' }, { ...ev, pct: 'col' }, { ...ev, pct: 'total' }],
      });
      // events:   mobile desktop tablet | total
      // Books       4      5       -    |   9      (mobile e01 e02 e03 e16; desktop e06 e17 e18 e19 e20)
      // Garden      4      -       2    |   6
      // Toys        3      3       2    |   8
      // NULL        -      1       1    |   2
      // total      11      9       5    |  25
      assert.equal(r.value(['Books'], ['mobile'], 0), 4);
      near(r.value(['Books'], ['mobile'], 1), 4 / 9, 'row share');
      near(r.value(['Books'], ['mobile'], 2), 4 / 11, 'column share');
      near(r.value(['Books'], ['mobile'], 3), 4 / 25, 'total share');
      // raw ignores the share
      assert.equal(r.raw(['Books'], ['mobile'], 1), 4);
      // the row total is 100% of its row; the total row holds the device shares
      assert.equal(r.value(['Books'], [], 1), 1);
      near(r.value([], ['mobile'], 1), 11 / 25, 'total row, row share');
      // the Total column as a share of the column (= the grand total)
      near(r.value(['Books'], [], 2), 9 / 25, 'Total column, column share');
      assert.equal(r.value([], ['tablet'], 2), 1);
      near(r.value(['Toys'], ['tablet'], 2), 2 / 5, 'Toys tablet');
      near(r.value([null], ['tablet'], 3), 1 / 25, 'NULL tablet');
      assert.equal(r.value([], [], 3), 1);
      // an empty cell stays empty whatever the share
      assert.equal(r.value(['Garden'], ['desktop'], 1), undefined);
      assert.deepEqual(r.measures.map((m) => [m.title, m.kind, m.pct]), [
        ['Events', 'count', undefined], ['Events (% of row)', 'ratio', 'row'], ['Events (% of column)', 'ratio', 'col'], ['Events (% of total)', 'ratio', 'total'],
      ]);
    });

    test('a share of zero is empty, a zero share of something is 0', async () => {
      const { result: r } = await run({ rows: [{ field: 'u.country', bucket: { kind: 'none' } }], measures: [{ agg: 'revenue', pct: 'total' }, { agg: 'revenue', pct: 'row' }] });
      // users-grain revenue: France 40 + 110 + 0 = 150 of 150; Germany 0 of 150; Germany's own row total is 0
      assert.deepEqual([r.value(['France'], [], 0), r.value(['Germany'], [], 0), r.value(['France'], [], 1), r.value(['Germany'], [], 1)], [1, 0, 1, null]);
    });
  });

  // -------------------------------------------------------------------------------------------------------
  describe('filters', () => {
    test('a compound filter; top N and equal width are computed after it', async () => {
      // country = Germany: u03 (25), u07 (35); age < 25 AND income > 60: u01 (18, 1000) but not u02 (24, 50).
      // Kept: u01 France, u03 Germany, u07 Germany.
      const filter = or(c('u.country', '=', 'Germany'), and(c('u.age', '<', 25), c('u.income', '>', 60)));
      const dims = { rows: [{ field: 'u.country', bucket: { kind: 'top', n: 1 } }], cols: [{ field: 'u.age', bucket: { kind: 'width', bins: 2 } }] };
      const { result: r, statsSql } = await run({ ...dims, filter });
      // top 1 after the filter: Germany (2) beats France (1); ages 18..35: width ceil(18 / 2) = 9 -> 18–26, 27–35
      assert.deepEqual(level1(r), [[0, 'Germany', 2], [1, 'Other', 1]]);
      assert.deepEqual(r.colTree.children.map((n) => [n.keys[0], n.labels[0]]), [[0, '18–26'], [1, '27–35']]);
      // Germany: u03 25 -> 18–26, u07 35 -> 27–35; Other: u01 18 -> 18–26
      assert.deepEqual([r.value([0], [0], 0), r.value([0], [1], 0), r.value([1], [0], 0), r.value([1], [1], 0), r.value([], [], 0)], [1, 1, 1, undefined, 3]);
      // both stats queries carry the filter's values
      for (const q of statsSql) assert.ok(q.params.includes('Germany') && q.params.includes(60), JSON.stringify(q.params));

      // Unfiltered, the same dimensions read differently: France leads, ages 18..57 split 18–37 / 38–57
      const { result: all } = await run(dims);
      assert.deepEqual(level1(all), [[0, 'France', 3], [1, 'Other', 5], [null, '(missing)', 2]]);
      // 18–37: 18 24 25 25 34 35; 38–57: 40 47 57; NULL u06
      assert.deepEqual(all.colTree.children.map((n) => [n.labels[0], all.value([], n.keys, 0)]), [['18–37', 6], ['38–57', 3], ['(missing)', 1]]);
    });

    test('a compound filter at the events grain', async () => {
      // purchase or refund: e03 e05 e06 e07 e11 e15 e16; tablet AND Garden: e21 e23. 9 events.
      const filter = or(c('e.event_type', 'in', ['purchase', 'refund']), and(c('e.device', '=', 'tablet'), c('e.category', '=', 'Garden')));
      const { result: r } = await run({
        grain: 'events', filter, rows: [{ field: 'e.event_type', bucket: { kind: 'none' } }],
        measures: [{ agg: 'events' }, { agg: 'users' }, { agg: 'sessions' }, { agg: 'orders' }, { agg: 'revenue' }],
      });
      // 9 events by u01 u02 u03 in s1 s2 s3 s4 s6 s9; orders o1..o5; revenue 150 (the refund is not deducted)
      assert.deepEqual([0, 1, 2, 3, 4].map((m) => r.value([], [], m)), [9, 3, 6, 5, 150]);
      // add_to_cart e23, product_view e21, purchase 6 rows, refund e07 (no order, no revenue)
      assert.deepEqual(level1(r), [['add_to_cart', 'add_to_cart', 1], ['product_view', 'product_view', 1], ['purchase', 'purchase', 6], ['refund', 'refund', 1]]);
      assert.deepEqual([3, 4].map((m) => r.value(['refund'], [], m)), [0, 0]);
      assert.deepEqual([3, 4].map((m) => r.value(['purchase'], [], m)), [5, 150]);
    });

    test('a filter that matches nothing: just a Total row with zeros and empties', async () => {
      const nothing = and(c('u.country', '=', 'Atlantis'));
      const { result: r } = await run({
        filter: nothing,
        rows: [{ field: 'u.country', bucket: { kind: 'top', n: 5 } }],
        cols: [{ field: 'u.age', bucket: { kind: 'width', bins: 3 } }],
        measures: [{ agg: 'users' }, { agg: 'revenue' }, { agg: 'aov' }, { agg: 'conversion' }, { agg: 'median', field: 'u.income' }],
      });
      assert.deepEqual([r.rowTree.children, r.colTree.children], [[], []]);
      // count(*) of nothing is 0, the coalesced revenue 0; AOV, conversion and the median have nothing to divide
      assert.deepEqual([0, 1, 2, 3, 4].map((m) => r.value([], [], m)), [0, 0, null, null, null]);
      const rows = layoutRows(r, null);
      const { cols } = layoutCols(r);
      assert.deepEqual(rowLabels(rows), ['Total']);
      assert.equal(cols.length, 5);
      assert.equal(pivotCsv(r, rows, cols, ['country']),
        'country,Total / Users,Total / Revenue,Total / AOV,Total / Conversion,Total / Median of income\r\nTotal,0,0,,,\r\n');

      const ev = (await run({ grain: 'events', filter: and(c('e.category', '=', 'Nope')), rows: [{ field: 'e.category', bucket: { kind: 'top', n: 3 } }], measures: [{ agg: 'events' }, { agg: 'users' }] })).result;
      assert.deepEqual([ev.rowTree.children, ev.value([], [], 0), ev.value([], [], 1)], [[], 0, 0]);
    });
  });

  // -------------------------------------------------------------------------------------------------------
  describe('layout', () => {
    // Events by country x category (Total column), with the mobile / desktop cells used below:
    //   France 17 (mobile 11, desktop 6):   Books 6 (mobile 4, desktop 2), Toys 6 (mobile 3, desktop 3),
    //                                        Garden 4 (mobile 4), NULL 1 (desktop 1)
    //   Germany 8 (desktop 3, tablet 5):     Books 3 (desktop 3), Garden 2 (tablet 2), Toys 2 (tablet 2), NULL 1 (tablet 1)
    // Users on desktop: France {u01 u02}: Books {u01 e06, u02 e17} 2, Toys {u01} 1, NULL {u01} 1, Garden none.
    const layoutSpec = {
      grain: 'events',
      rows: [{ field: 'u.country', bucket: { kind: 'none' } }, { field: 'e.category', bucket: { kind: 'none' } }],
      cols: [{ field: 'e.device', bucket: { kind: 'none' } }],
      measures: [{ agg: 'events' }, { agg: 'users' }],
    };
    let res: PivotResult;
    before(async () => {
      res = (await run(layoutSpec)).result;
    });

    test('natural row order: the total, each group then its children, missing last', () => {
      const rows = layoutRows(res, null);
      assert.deepEqual(rowLabels(rows), [
        'Total', 'France', 'France / Books', 'France / Garden', 'France / Toys', 'France / (missing)',
        'Germany', 'Germany / Books', 'Germany / Garden', 'Germany / Toys', 'Germany / (missing)',
      ]);
      assert.deepEqual(rows.slice(0, 3).map((r) => [r.keys, r.label, r.depth, r.isTotal, r.isLeaf, r.hasChildren]), [
        [[], 'Total', 0, true, false, true],
        [['France'], 'France', 1, false, false, true],
        [['France', 'Books'], 'Books', 2, false, true, false],
      ]);
      assert.deepEqual(rows[5].keys, ['France', null]);
    });

    test('sort by the Total column, descending and ascending, within groups', () => {
      // desc: France 17 before Germany 8; France: Books 6 = Toys 6 (tie -> key order), Garden 4, NULL 1;
      // Germany: Books 3, Garden 2 = Toys 2, NULL 1
      assert.deepEqual(rowLabels(layoutRows(res, { measure: 0, col: [], dir: 'desc' })), [
        'Total', 'France', 'France / Books', 'France / Toys', 'France / Garden', 'France / (missing)',
        'Germany', 'Germany / Books', 'Germany / Garden', 'Germany / Toys', 'Germany / (missing)',
      ]);
      assert.deepEqual(rowLabels(layoutRows(res, { measure: 0, col: [], dir: 'asc' })), [
        'Total', 'Germany', 'Germany / (missing)', 'Germany / Garden', 'Germany / Toys', 'Germany / Books',
        'France', 'France / (missing)', 'France / Garden', 'France / Books', 'France / Toys',
      ]);
    });

    test('sort by a value column: empty cells last whichever the direction', () => {
      // mobile: France 11, Germany none; France: Books 4 = Garden 4, Toys 3, NULL none; Germany's children all empty
      assert.deepEqual(rowLabels(layoutRows(res, { measure: 0, col: ['mobile'], dir: 'desc' })), [
        'Total', 'France', 'France / Books', 'France / Garden', 'France / Toys', 'France / (missing)',
        'Germany', 'Germany / Books', 'Germany / Garden', 'Germany / Toys', 'Germany / (missing)',
      ]);
      assert.deepEqual(rowLabels(layoutRows(res, { measure: 0, col: ['mobile'], dir: 'asc' })), [
        'Total', 'France', 'France / Toys', 'France / Books', 'France / Garden', 'France / (missing)',
        'Germany', 'Germany / Books', 'Germany / Garden', 'Germany / Toys', 'Germany / (missing)',
      ]);
      // users on desktop, desc: France 2 > Germany 1; Books 2, Toys 1 = NULL 1 (key order puts NULL last), Garden empty
      assert.deepEqual(rowLabels(layoutRows(res, { measure: 1, col: ['desktop'], dir: 'desc' })).slice(0, 6), [
        'Total', 'France', 'France / Books', 'France / Toys', 'France / (missing)', 'France / Garden',
      ]);
    });

    test('collapse hides a group\'s children; leafRows ignores collapse', () => {
      const rows = layoutRows(res, null, new Set([pathKey(['France'])]));
      assert.deepEqual(rowLabels(rows), ['Total', 'France', 'Germany', 'Germany / Books', 'Germany / Garden', 'Germany / Toys', 'Germany / (missing)']);
      assert.equal(rows[1].hasChildren, true);
      assert.deepEqual(rowLabels(layoutRows(res, null, new Set([pathKey([])]))), ['Total']);
      // leaves sorted like the table (events desc): France's 4 then Germany's 4
      assert.deepEqual(rowLabels(leafRows(res, { measure: 0, col: [], dir: 'desc' })), [
        'France / Books', 'France / Toys', 'France / Garden', 'France / (missing)',
        'Germany / Books', 'Germany / Garden', 'Germany / Toys', 'Germany / (missing)',
      ]);
    });

    test('value columns: leaves then the total, each times the measures', () => {
      const { cols, truncated } = layoutCols(res);
      assert.equal(truncated, false);
      assert.deepEqual(cols.map((c) => [c.keys, c.measure, c.isLeaf, c.isTotal]), [
        [['desktop'], 0, true, false], [['desktop'], 1, true, false],
        [['mobile'], 0, true, false], [['mobile'], 1, true, false],
        [['tablet'], 0, true, false], [['tablet'], 1, true, false],
        [[], 0, false, true], [[], 1, false, true],
      ]);
    });

    test('heat extents cover leaf rows and leaf columns only', () => {
      const rows = layoutRows(res, null);
      const { cols } = layoutCols(res);
      // leaf event cells: France Books 4 / 2, Toys 3 / 3, Garden 4, NULL 1; Germany Books 3, Garden 2, Toys 2, NULL 1
      // -> 1..4 (France mobile 11 and the totals are not leaves). Users per leaf cell: 1 or 2.
      assert.deepEqual(heatExtents(res, rows, cols), [{ min: 1, max: 4 }, { min: 1, max: 2 }]);
      // with France collapsed only Germany's leaves are on screen: events 1..3, users 1..1
      const shown = layoutRows(res, null, new Set([pathKey(['France'])]));
      assert.deepEqual(heatExtents(res, shown, cols), [{ min: 1, max: 3 }, { min: 1, max: 1 }]);
    });

    describe('two column dimensions: subtotal columns and spanning headers', () => {
      // country x device, events and users (events grain, no row dimension):
      // France: desktop 6 events (e04-e08, e17) by u01 u02; mobile 11 by u01 u02; France 17 by 2
      // Germany: desktop 3 (e18-e20) by u03; tablet 5 (e21-e25) by u03; Germany 8 by 1.   Total 25 by 3.
      let r: PivotResult;
      before(async () => {
        r = (await run({ grain: 'events', cols: [{ field: 'u.country', bucket: { kind: 'none' } }, { field: 'e.device', bucket: { kind: 'none' } }], measures: [{ agg: 'events' }, { agg: 'users' }] })).result;
      });

      test('columns: each group\'s leaves then its subtotal, the grand total last', () => {
        const { cols } = layoutCols(r);
        const m0 = cols.filter((c) => c.measure === 0);
        assert.deepEqual(m0.map((c) => [c.keys, c.isLeaf, c.isTotal]), [
          [['France', 'desktop'], true, false], [['France', 'mobile'], true, false], [['France'], false, true],
          [['Germany', 'desktop'], true, false], [['Germany', 'tablet'], true, false], [['Germany'], false, true],
          [[], false, true],
        ]);
        assert.deepEqual(m0.map((c) => r.value([], c.keys, 0)), [6, 11, 17, 3, 5, 8, 25]);
        assert.deepEqual(cols.filter((c) => c.measure === 1).map((c) => r.value([], c.keys, 1)), [2, 2, 2, 1, 1, 1, 3]);
        const rows = layoutRows(r, null);
        assert.deepEqual(rows.map((x) => [x.label, x.isLeaf]), [['Total', true]]);
        // leaf columns only: events 6, 11, 3, 5; users 2, 2, 1, 1
        assert.deepEqual(heatExtents(r, rows, cols), [{ min: 3, max: 11 }, { min: 1, max: 2 }]);
      });

      test('header rows span their measures and subtotal columns', () => {
        const { cols } = layoutCols(r);
        const h = headerRows(r, cols);
        assert.equal(h.length, 3);
        // level 0: France over desktop, mobile and its subtotal (3 columns x 2 measures), Germany likewise, Total 2
        assert.deepEqual(h[0], [{ label: 'France', span: 6 }, { label: 'Germany', span: 6 }, { label: 'Total', span: 2 }]);
        // level 1: the devices, "Total" over each subtotal, nothing under the grand total
        assert.deepEqual(h[1], [
          { label: 'desktop', span: 2 }, { label: 'mobile', span: 2 }, { label: 'Total', span: 2 },
          { label: 'desktop', span: 2 }, { label: 'tablet', span: 2 }, { label: 'Total', span: 2 }, { label: '', span: 2 },
        ]);
        assert.deepEqual(h[2].map((x) => x.label), Array.from({ length: 7 }, () => ['Events', 'Users']).flat());
        assert.ok(h[2].every((x) => x.span === 1));
      });

      test('CSV headers name the column path, subtotals included', () => {
        const { cols } = layoutCols(r);
        const csv = pivotCsv(r, layoutRows(r, null), cols.filter((c) => c.measure === 0), []);
        assert.equal(csv,
          'France / desktop / Events,France / mobile / Events,France / Total / Events,' +
          'Germany / desktop / Events,Germany / tablet / Events,Germany / Total / Events,Total / Events\r\n' +
          '6,11,17,3,5,8,25\r\n');
      });
    });

    test('CSV: exact text, quoting, and a formula-looking label prefixed with \'', async () => {
      // group in [1, 2, 3, 7]: u01 (O'Brien, income 1000), u06 (NULL, 10), u02 (a;b, 50), u03 (=1+1, 2500),
      // u07 ("x, y", 5). Total: 5 users, income 1000 + 10 + 50 + 2500 + 5 = 3565.
      const { result: r } = await run({
        filter: and(c('u.group', 'in', [1, 2, 3, 7])),
        rows: [{ field: EVIL_ID, bucket: { kind: 'none' } }],
        measures: [{ agg: 'users' }, { agg: 'sum', field: 'u.income' }],
      });
      const rows = layoutRows(r, null);
      const { cols } = layoutCols(r);
      // row order: "=1+1", "a;b", "O'Brien", "x, y" (text order), missing last
      assert.equal(pivotCsv(r, rows, cols, [EVIL]), [
        '"x""; DROP TABLE users; --",Users,Sum of income',
        'Total,5,3565',
        "'=1+1,1,2500",
        'a;b,1,50',
        "O'Brien,1,1000",
        '"x, y",1,5',
        '(missing),1,10',
        '',
      ].join('\r\n'));
    });

    test('CSV: shares as fractions, empty cells empty, subtotal rows labelled Total', async () => {
      const { result: r } = await run({
        grain: 'events',
        rows: [{ field: 'u.country', bucket: { kind: 'none' } }],
        cols: [{ field: 'e.device', bucket: { kind: 'none' } }],
        measures: [{ agg: 'events', pct: 'row' }],
      });
      // events: France desktop 6, mobile 11 (of 17); Germany desktop 3, tablet 5 (of 8); total 9, 11, 5 of 25
      const { cols } = layoutCols(r);
      const t = (d: string) => `${d} / Events (% of row)`;
      assert.equal(pivotCsv(r, layoutRows(r, null), cols, ['country']), [
        ['country', t('desktop'), t('mobile'), t('tablet'), t('Total')].join(','),
        `Total,0.36,0.44,0.2,1`,
        `France,${6 / 17},${11 / 17},,1`,
        'Germany,0.375,,0.625,1',
        '',
      ].join('\r\n'));

      // two row dimensions: a group row reads "<group>,Total"
      const two = (await run(layoutSpec)).result;
      const lines = pivotCsv(two, layoutRows(two, null), layoutCols(two).cols.filter((x) => x.isTotal), ['country', 'category']).split('\r\n');
      // Total 25 events by 3 users; France 17 by 2; France/Books 6 by 2 (u01 u02)
      assert.deepEqual(lines.slice(0, 4), ['country,category,Total / Events,Total / Users', 'Total,,25,3', 'France,Total,17,2', 'France,Books,6,2']);
    });

    test('csvField', () => {
      assert.equal(csvField('=SUM(A1)'), "'=SUM(A1)");
      assert.equal(csvField('+1'), "'+1");
      assert.equal(csvField('-1'), "'-1");
      assert.equal(csvField('@x'), "'@x");
      assert.equal(csvField('=a,b'), `"'=a,b"`);
      assert.equal(csvField('say "hi"'), '"say ""hi"""');
      assert.equal(csvField('a\nb'), '"a\nb"');
      assert.equal(csvField('plain'), 'plain');
      assert.equal(csvField(-1), '-1');
      assert.equal(csvField(0.25), '0.25');
      assert.equal(csvField(Number.NaN), '');
      assert.equal(csvField(null), '');
      assert.equal(csvField(undefined), '');
    });
  });

  // -------------------------------------------------------------------------------------------------------
  describe('validation', () => {
    const dim = (bucket: unknown) => ({ rows: [{ field: 'u.age', bucket }] });

    test('validatePivotSpec: defaults and fresh copies', () => {
      const s = validatePivotSpec({});
      assert.deepEqual(s, {
        grain: 'users', rows: [{ field: 'u.country', bucket: { kind: 'top', n: 10 } }], cols: [],
        measures: [{ agg: 'users' }, { agg: 'orders' }, { agg: 'revenue' }, { agg: 'aov' }],
        filter: { op: 'and', items: [] }, sort: null, chart: 'bar', chartMeasure: 0,
      });
      s.rows[0].field = 'u.age';
      assert.equal(validatePivotSpec({}).rows[0].field, 'u.country');
      // a bucket defaults to none
      assert.deepEqual(validatePivotSpec({ rows: [{ field: 'u.country' }] }).rows, [{ field: 'u.country', bucket: { kind: 'none' } }]);
    });

    test('validatePivotSpec rejects unknown keys', () => {
      rejects(() => validatePivotSpec({ grain: 'users', limit: 5 }), /Unknown pivot setting "limit"/);
      rejects(() => validatePivotSpec({ rows: [{ field: 'u.age', sql: '1' }] }), /Unknown row dimension setting "sql"/);
      rejects(() => validatePivotSpec(dim({ kind: 'width', bins: 5, edges: [1] })), /Unknown bucket setting "edges"/);
      rejects(() => validatePivotSpec({ measures: [{ agg: 'users', as: 'x' }] }), /Unknown measure setting "as"/);
      rejects(() => validatePivotSpec({ sort: { measure: 0, col: [], dir: 'asc', by: 1 } }), /Unknown sort setting "by"/);
      rejects(() => validatePivotSpec({ rows: [{ field: 'u.country', bucket: { kind: 'groups', groups: [{ name: 'A', values: [], x: 1 }] } }] }), /Unknown custom group setting "x"/);
      rejects(() => validatePivotSpec(JSON.parse('{"__proto__": {"x": 1}}')), /Unknown pivot setting "__proto__"/);
      for (const x of [null, [], 'pivot', 3]) rejects(() => validatePivotSpec(x), /must be an object/);
    });

    test('validatePivotSpec rejects bad buckets', () => {
      for (const bins of [1, 101, 2.5, '5', undefined]) {
        rejects(() => validatePivotSpec(dim({ kind: 'width', bins })), /number of bins must be a whole number from 2 to 100/);
        rejects(() => validatePivotSpec(dim({ kind: 'quantile', bins })), /number of bins/);
      }
      assert.doesNotThrow(() => validatePivotSpec(dim({ kind: 'width', bins: 2 })));
      assert.doesNotThrow(() => validatePivotSpec(dim({ kind: 'quantile', bins: 100 })));
      for (const edges of [[], undefined, [1, Number.NaN], [1, Infinity], ['18'], Array.from({ length: 51 }, (_, i) => i)]) {
        rejects(() => validatePivotSpec(dim({ kind: 'edges', edges })), /Custom bucket edges must be a list of 1 to 50 numbers/);
      }
      for (const n of [0, 101, 1.5]) rejects(() => validatePivotSpec(dim({ kind: 'top', n })), /top N must be a whole number from 1 to 100/);
      rejects(() => validatePivotSpec(dim({ kind: 'date', unit: 'minute' })), /date unit must be one of hour, dow, day, week, month, quarter, year/);
      rejects(() => validatePivotSpec(dim({ kind: 'spline' })), /bucket kind must be one of/);
      rejects(() => validatePivotSpec(dim('width')), /A bucket must be an object/);
      const groups = (g: unknown) => dim({ kind: 'groups', groups: g });
      rejects(() => validatePivotSpec(groups([{ name: 'A', values: ['x', 'y'] }, { name: 'B', values: ['y'] }])), /The value "y" is in two custom groups/);
      rejects(() => validatePivotSpec(groups([])), /Custom groups must be a list of 1 to 50 groups/);
      rejects(() => validatePivotSpec(groups([{ name: ' ', values: [] }])), /needs a name/);
      rejects(() => validatePivotSpec(groups([{ name: 'A', values: [1] }])), /needs a list of text values/);
    });

    test('validatePivotSpec rejects bad dimensions, measures, sort and chart', () => {
      rejects(() => validatePivotSpec({ rows: [{ field: 'age' }] }), /A row dimension needs a field such as "u.country"/);
      rejects(() => validatePivotSpec({ cols: {} }), /The column dimensions must be a list/);
      rejects(() => validatePivotSpec({ rows: Array(5).fill({ field: 'u.age' }) }), /at most 4 row dimensions/);
      rejects(() => validatePivotSpec({ cols: Array(4).fill({ field: 'u.age' }) }), /at most 3 column dimensions/);
      rejects(() => validatePivotSpec({ grain: 'sessions' }), /grain must be one of users, events/);
      rejects(() => validatePivotSpec({ measures: [] }), /1 to 8 measures/);
      rejects(() => validatePivotSpec({ measures: Array(9).fill({ agg: 'users' }) }), /1 to 8 measures/);
      rejects(() => validatePivotSpec({ measures: [{ agg: 'sum' }] }), /The measure "sum" needs a field such as "m.revenue"/);
      rejects(() => validatePivotSpec({ measures: [{ agg: 'median', field: 'revenue' }] }), /"median" needs a field/);
      rejects(() => validatePivotSpec({ measures: [{ agg: 'users', field: 'u.age' }] }), /The measure "users" takes no field/);
      rejects(() => validatePivotSpec({ measures: [{ agg: 'mode', field: 'u.age' }] }), /measure must be one of/);
      rejects(() => validatePivotSpec({ measures: [{ agg: 'users', pct: 'grand' }] }), /share \("pct"\) must be one of row, col, total/);
      // sort: measure index within the measures, one key per column dimension (or none), asc / desc
      const s = (sort: unknown) => ({ cols: [{ field: 'u.country' }], measures: [{ agg: 'users' }, { agg: 'revenue' }], sort });
      assert.deepEqual(validatePivotSpec(s({ measure: 1, col: ['France'], dir: 'desc' })).sort, { measure: 1, col: ['France'], dir: 'desc' });
      assert.deepEqual(validatePivotSpec(s({ measure: 0, col: [], dir: 'asc' })).sort, { measure: 0, col: [], dir: 'asc' });
      assert.equal(validatePivotSpec(s(null)).sort, null);
      rejects(() => validatePivotSpec(s({ measure: 2, col: [], dir: 'asc' })), /sort measure must be a whole number from 0 to 1/);
      rejects(() => validatePivotSpec(s({ measure: 0, col: ['France', 'mobile'], dir: 'asc' })), /one key per column dimension/);
      rejects(() => validatePivotSpec(s({ measure: 0, col: [{}], dir: 'asc' })), /one key per column dimension/);
      rejects(() => validatePivotSpec(s({ measure: 0, col: [], dir: 'up' })), /sort direction must be one of asc, desc/);
      rejects(() => validatePivotSpec(s('revenue')), /The sort must be an object/);
      rejects(() => validatePivotSpec({ chart: 'pie' }), /chart must be one of bar, stacked, line, heatmap/);
      // the charted measure is an index into the measures
      assert.equal(validatePivotSpec({ measures: [{ agg: 'users' }, { agg: 'revenue' }], chartMeasure: 1 }).chartMeasure, 1);
      rejects(() => validatePivotSpec({ measures: [{ agg: 'users' }, { agg: 'revenue' }], chartMeasure: 2 }), /charted measure must be a whole number from 0 to 1/);
      rejects(() => validatePivotSpec({ filter: { op: 'xor', items: [] } }), /"and" or "or"/);
    });

    test('planPivot rejects what does not fit the dataset', () => {
      const plan = (x: Record<string, unknown>) => planPivot(spec(x), fields);
      rejects(() => plan({ rows: [{ field: 'e.category' }] }), /"category \(event\)" is an event column; switch the grain to events/);
      rejects(() => plan({ measures: [{ agg: 'sum', field: 'e.revenue' }] }), /"revenue \(event\)" is an event column/);
      rejects(() => plan({ filter: and(c('e.device', '=', 'mobile')) }), /"device \(event\)" is an event column/);
      rejects(() => plan({ rows: [{ field: 'u.country', bucket: { kind: 'width', bins: 5 } }] }), /country \(user\) is a text column; it cannot be bucketed by "width"/);
      rejects(() => plan({ rows: [{ field: 'u.age', bucket: { kind: 'date', unit: 'month' } }] }), /age \(user\) is an integer column; it cannot be bucketed by "date"/);
      rejects(() => plan({ cols: [{ field: 'u.signup_ts', bucket: { kind: 'log' } }] }), /signup_ts \(user\) is a temporal column/);
      rejects(() => plan({ rows: [{ field: 'u.income', bucket: { kind: 'top', n: 3 } }] }), /income \(user\) is a number column/);
      rejects(() => plan({ measures: [{ agg: 'sum', field: 'u.country' }] }), /"Sum" does not apply to country \(user\), a text column/);
      rejects(() => plan({ measures: [{ agg: 'avg', field: 'u.signup_ts' }] }), /"Average" does not apply to signup_ts \(user\)/);
      rejects(() => plan({ rows: [{ field: 'u.nope' }] }), /This dataset has no column "nope \(user\)"/);
      rejects(() => plan({ rows: [{ field: 'u.age' }], cols: [{ field: 'u.age' }] }), /age is used twice with the same bucket/);
      // the same field with two different buckets is fine
      assert.doesNotThrow(() => plan({ rows: [{ field: 'u.age', bucket: { kind: 'log' } }], cols: [{ field: 'u.age', bucket: { kind: 'width', bins: 3 } }] }));
      // event fields are fine at the events grain; the plan asks for stats only for data-dependent buckets
      const p = planPivot(spec({ grain: 'events', rows: [{ field: 'e.category', bucket: { kind: 'top', n: 3 } }, { field: 'e.ts', bucket: { kind: 'date', unit: 'day' } }] }), fields);
      assert.deepEqual(p.stats.map((q) => q !== null), [true, false]);
    });

    test('withGrain drops event fields when switching to users', () => {
      const s = spec({
        grain: 'events',
        rows: [{ field: 'e.category' }, { field: 'u.country' }],
        cols: [{ field: 'e.device' }],
        measures: [{ agg: 'users' }, { agg: 'sum', field: 'e.revenue' }, { agg: 'count_distinct', field: 'u.country' }],
        filter: and(c('e.event_type', '=', 'purchase'), or(c('u.age', '>', 20), c('e.device', '=', 'mobile'))),
        sort: { measure: 1, col: [], dir: 'desc' },
        chartMeasure: 2,
      });
      const { spec: out, dropped } = withGrain(s, 'users');
      assert.deepEqual(out, {
        grain: 'users',
        rows: [{ field: 'u.country', bucket: { kind: 'none' } }],
        cols: [],
        measures: [{ agg: 'users' }, { agg: 'count_distinct', field: 'u.country' }],
        filter: and(or(c('u.age', '>', 20))),
        sort: null,
        chart: 'bar',
        // the charted measure (distinct countries, index 2) is kept and moves to index 1
        chartMeasure: 1,
      });
      assert.deepEqual(dropped, ['category', 'device', 'sum of revenue', 'event conditions in the filter']);
      // the result plans at the users grain
      assert.doesNotThrow(() => planPivot(out, fields));
      // dropping every measure leaves Users
      const only = withGrain(spec({ grain: 'events', measures: [{ agg: 'median', field: 'e.revenue' }] }), 'users');
      assert.deepEqual([only.spec.measures, only.dropped], [[{ agg: 'users' }], ['median of revenue']]);
      // a charted measure that is dropped falls back to the first
      const charted = withGrain(spec({ grain: 'events', measures: [{ agg: 'users' }, { agg: 'sum', field: 'e.revenue' }], chartMeasure: 1 }), 'users');
      assert.equal(charted.spec.chartMeasure, 0);
      // to the events grain nothing is lost; the sort resets
      const up = withGrain(spec({ rows: [{ field: 'u.country' }], sort: { measure: 0, col: [], dir: 'asc' } }), 'events');
      assert.deepEqual([up.spec.grain, up.spec.rows, up.spec.sort, up.dropped], ['events', [{ field: 'u.country', bucket: { kind: 'none' } }], null, []]);
      // same grain: unchanged
      assert.equal(withGrain(s, 'events').spec, s);
    });
  });

  // -------------------------------------------------------------------------------------------------------
  describe('hostile identifiers and values', () => {
    // EVIL: u01 O'Brien, u02 a;b, u03 =1+1, u04 O'Brien, u05 "; DROP TABLE users; --, u06 NULL, u07 x, y,
    //       u08 a;b, u09 plain, u10 plain.   group: u01 1, u02 2, u03 3, u04 NULL, u05 5, u06 1, u07 7, u08 8, u09 9, u10 10
    const HOSTILE = ["O'Brien", 'a;b', '"; DROP TABLE users; --', "') OR ('1'='1"];
    /** The SQL text with the two hostile column names taken out (the quoted EVIL name itself holds "; DROP ...). */
    const scrub = (text: string) => text.replaceAll(`u.${ident(EVIL)}`, 'u.<evil>');

    test('a column named x"; DROP TABLE users; -- as row dimension, filter and measure field', async () => {
      // EVIL in [O'Brien, a;b, "; DROP...]: u01 u04 u05 u02 u08; OR group >= 9: u09 u10. 7 users.
      const run1 = await run({
        filter: or(c(EVIL_ID, 'in', HOSTILE.slice(0, 3)), c('u.group', '>=', 9)),
        rows: [{ field: EVIL_ID, bucket: { kind: 'none' } }],
        measures: [{ agg: 'users' }, { agg: 'count_distinct', field: 'u.group' }, { agg: 'sum', field: 'u.group' }, { agg: 'count_distinct', field: EVIL_ID }],
      });
      const r = run1.result;
      // "; DROP: u05 (group 5); a;b: u02 u08 (2, 8); O'Brien: u01 u04 (1, NULL); plain: u09 u10 (9, 10)
      assert.deepEqual(r.rowTree.children.map((n) => [n.keys[0], [0, 1, 2, 3].map((m) => r.value(n.keys, [], m))]), [
        ['"; DROP TABLE users; --', [1, 1, 5, 1]],
        ['a;b', [2, 2, 10, 1]],
        ["O'Brien", [2, 1, 1, 1]],
        ['plain', [2, 2, 19, 1]],
      ]);
      // total: 7 users; groups {5, 2, 8, 1, 9, 10} = 6 distinct, sum 35; 4 distinct EVIL values
      assert.deepEqual([0, 1, 2, 3].map((m) => r.value([], [], m)), [7, 6, 35, 4]);
      assert.deepEqual(r.measures.map((m) => m.title), ['Users', 'Distinct of group', 'Sum of group', `Distinct of ${EVIL}`]);
      // identifiers quoted, values bound
      assert.ok(run1.sql.text.includes(`u.${ident(EVIL)}`));
      assert.ok(run1.sql.text.includes('u."group"'));
      for (const v of HOSTILE.slice(0, 3)) {
        assert.ok(!scrub(run1.sql.text).includes(v), `${v} in the SQL text`);
        assert.ok(run1.sql.params.includes(v), `${v} not bound`);
      }
    });

    test('custom groups with quotes and semicolons on the hostile column', async () => {
      const groups = [{ name: 'Quotes \' "', values: [HOSTILE[0], HOSTILE[2]] }, { name: 'Semis;', values: [HOSTILE[1], HOSTILE[3]] }];
      const { result: r, sql } = await run({ rows: [{ field: EVIL_ID, bucket: { kind: 'groups', groups } }] });
      // Quotes: u01 u04 (O'Brien), u05; Semis: u02 u08 (a;b); Other: u03 (=1+1), u07 (x, y), u09 u10 (plain); NULL u06
      assert.deepEqual(level1(r), [[0, 'Quotes \' "', 3], [1, 'Semis;', 2], [2, 'Other', 4], [null, '(missing)', 1]]);
      for (const v of HOSTILE) {
        assert.ok(!scrub(sql.text).includes(v), `${v} in the SQL text`);
        assert.ok(sql.params.includes(v), `${v} not bound`);
      }
      // group names are labels only, never SQL
      assert.ok(!sql.text.includes('Quotes') && !sql.params.includes('Semis;'));
    });

    test('a column named group as row dimension, filter and measure field', async () => {
      // group != 1 keeps NULL: u02 2, u03 3, u04 NULL, u05 5, u07 7, u08 8, u09 9, u10 10
      const { result: r, sql } = await run({
        filter: and(c('u.group', '!=', 1)),
        rows: [{ field: 'u.group', bucket: { kind: 'none' } }],
        measures: [{ agg: 'users' }, { agg: 'median', field: 'u.group' }],
      });
      assert.deepEqual(level1(r), [[2, '2', 1], [3, '3', 1], [5, '5', 1], [7, '7', 1], [8, '8', 1], [9, '9', 1], [10, '10', 1], [null, '(missing)', 1]]);
      // 8 users; median of 2 3 5 7 8 9 10 = 7
      assert.deepEqual([r.value([], [], 0), r.value([], [], 1)], [8, 7]);
      assert.ok(sql.text.includes('u."group"'));
      // edges on "group": < 5: 2, 3; 5+: 5 7 8 9 10
      const e = (await run({ rows: [{ field: 'u.group', bucket: { kind: 'edges', edges: [5] } }], filter: and(c('u.group', '!=', 1)) })).result;
      assert.deepEqual(level1(e), [[0, '< 5', 2], [1, '5+', 5], [null, '(missing)', 1]]);
    });

    test('a filter value that would match everything if spliced matches nothing', async () => {
      const { result: r, sql } = await run({ filter: and(c(EVIL_ID, '=', HOSTILE[3])), rows: [{ field: 'u.country', bucket: { kind: 'top', n: 3 } }] });
      assert.deepEqual([r.value([], [], 0), r.rowTree.children], [0, []]);
      assert.ok(!sql.text.includes(HOSTILE[3]));
    });

    test('the tables are all still there', async () => {
      const rows = toRows(await db.query(
        `SELECT (SELECT count(*) FROM users) AS u, (SELECT count(*) FROM user_metrics) AS m, (SELECT count(*) FROM events) AS e,
          (SELECT count(*) FROM duckdb_columns() WHERE table_name = 'users' AND column_name = ?) AS evil`, [EVIL]));
      assert.deepEqual(rows, [{ u: 10, m: 10, e: 25, evil: 1 }]);
    });
  });
});
