// Events-grain pivots without GROUPING SETS (pivotRollupSql: per-(group, user) partials regrouped set by set)
// against the GROUPING SETS query (pivotSetsSql) on random shops made to be hard: NULL users, categories, devices,
// times and prices, events of one user in many cells, a join to the users table, filters that keep nothing, 1-3
// row and 0-2 column dimensions. Every row (keys, grouping bits, measures) must be the same. Prices and revenues
// are multiples of 1/4, so every sum is exact whatever the order; a second check uses cents, where only the last
// binary digits of a sum may differ. Both engines.
// Run: TZ=UTC node --import tsx --test tests/pivot-rollup.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openNodeDb } from '../src/db/node-db.ts';
import type { Db } from '../src/db/types.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { rng } from './fixtures/random.ts';
import { literal, type Sql } from '../src/sql/quote.ts';
import { toRows } from '../src/lib/rows.ts';
import { decodeFields, fieldsSql, type Field } from '../src/analyses/fields.ts';
import { runPivot, validatePivotSpec, type PivotSpec } from '../src/analyses/pivot/index.ts';
import { pivotRollupSql, pivotSetsSql, pivotSql, planPivot } from '../src/analyses/pivot/sql.ts';
import { decodeBucketStats, type BucketStats } from '../src/analyses/pivot/buckets.ts';

const TYPES = ['session_start', 'product_view', 'add_to_cart', 'purchase'];
const CATEGORIES = ['Books', 'Toys', `O'Garden"; --`, null];
const DEVICES = ['mobile', 'desktop', null];

/** Random events of `users` users (with NULL users, categories, devices, times, prices), prices in `unit`s. */
function shop(seed: number, users: number, unit: number): string {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const rows: string[] = [];
  let id = 0;
  for (let u = 0; u < users; u++) {
    const n = 1 + Math.floor(r() * 14);
    for (let e = 0; e < n; e++) {
      const type = pick(TYPES);
      const price = r() < 0.1 ? null : Math.round(r() * 4000) * unit;
      const day = Math.floor(r() * 120);
      const ts = r() < 0.05 ? null : `TIMESTAMP '2025-01-01' + INTERVAL ${day} DAY + INTERVAL ${Math.floor(r() * 1440)} MINUTE`;
      const user = r() < 0.04 ? null : `u${u}`;
      const revenue = type === 'purchase' || type === 'add_to_cart' ? price : null;
      rows.push(`(${++id}, ${literal(user)}, ${literal(type)}, ${ts ?? 'NULL'}, ${literal(pick(CATEGORIES))}, ${literal(pick(DEVICES))}, ${literal(price)}, ${literal(revenue)})`);
    }
  }
  return `CREATE OR REPLACE TABLE events(event_id BIGINT, user_id VARCHAR, event_type VARCHAR, ts TIMESTAMP, category VARCHAR, device VARCHAR, price DOUBLE, revenue DOUBLE);
INSERT INTO events VALUES ${rows.join(', ')};
CREATE OR REPLACE TABLE users AS SELECT user_id, CASE WHEN hash(user_id) % 3 = 0 THEN NULL WHEN hash(user_id) % 3 = 1 THEN 'DE' ELSE 'FR' END AS country
  FROM (SELECT DISTINCT user_id FROM events WHERE user_id IS NOT NULL);`;
}

const DIMS = [
  { field: 'e.category', bucket: { kind: 'none' } },
  { field: 'e.device', bucket: { kind: 'none' } },
  { field: 'e.event_type', bucket: { kind: 'none' } },
  { field: 'e.ts', bucket: { kind: 'date', unit: 'month' } },
  { field: 'e.ts', bucket: { kind: 'date', unit: 'dow' } },
  { field: 'e.price', bucket: { kind: 'width', bins: 4 } },
  { field: 'e.category', bucket: { kind: 'top', n: 2 } },
  { field: 'u.country', bucket: { kind: 'none' } },
] as const;

/** Measures with a rollup; `users` or `conversion` first so that most specs count users. */
const MEASURES = [
  { agg: 'users' }, { agg: 'conversion' }, { agg: 'events' }, { agg: 'revenue' },
  { agg: 'sum', field: 'e.price' }, { agg: 'min', field: 'e.price' }, { agg: 'max', field: 'e.price' },
  { agg: 'min', field: 'e.ts' }, { agg: 'max', field: 'e.ts' },
] as const;

const FILTERS = [
  { op: 'and', items: [] },
  { op: 'and', items: [{ field: 'e.event_type', op: 'in', value: ['product_view', 'purchase'] }] },
  { op: 'and', items: [{ field: 'u.country', op: '=', value: 'DE' }] },
  { op: 'and', items: [{ field: 'e.price', op: '>', value: 1e9 }] }, // keeps nothing
] as const;

function randomSpec(seed: number): PivotSpec {
  const r = rng(seed);
  const dims = [...DIMS].sort(() => r() - 0.5);
  const nRows = 1 + Math.floor(r() * 3);
  const nCols = Math.floor(r() * 3);
  // Two dimensions may not be the same field with the same bucket; DIMS has none such.
  const pickMeasures = [MEASURES[Math.floor(r() * 2)], ...MEASURES.slice(2).filter(() => r() < 0.3)];
  return validatePivotSpec({
    grain: 'events',
    rows: dims.slice(0, nRows),
    cols: dims.slice(nRows, nRows + nCols),
    measures: pickMeasures.slice(0, 5),
    filter: FILTERS[Math.floor(r() * FILTERS.length)],
  });
}

type Row = Record<string, unknown>;
const keyOf = (r: Row, n: number) => JSON.stringify([...Array.from({ length: n }, (_, i) => r[`d${i}`]), r.g]);

function rollupSuite(getDb: () => Promise<Db>) {
  let db: Db;
  let fields: Field[];
  const run = (q: Sql) => db.query(q.text, q.params);

  before(async () => {
    db = await getDb();
  });
  after(async () => {
    await db.close();
  });

  async function load(sqlText: string) {
    await db.exec(sqlText);
    const q = fieldsSql();
    fields = decodeFields(await db.query(q.text, q.params));
  }

  /** Both statements' rows for `spec`, keyed by dimension keys and grouping bits. */
  async function both(spec: PivotSpec) {
    const plan = planPivot(spec, fields);
    const dims = [...spec.rows, ...spec.cols];
    const stats: (BucketStats | null)[] = [];
    for (let i = 0; i < dims.length; i++) stats.push(plan.stats[i] ? decodeBucketStats(dims[i], await run(plan.stats[i]!)) : null);
    const q = pivotSql(spec, fields, plan, stats);
    const sets = pivotSetsSql(spec, q.dims, q.measures, plan.scope);
    const n = dims.length;
    const rows = async (s: Sql) => new Map(toRows(await run(s)).map((r) => [keyOf(r, n), r] as const));
    return { q, rolled: await rows(q.sql), sets: await rows(sets), n };
  }

  test('random shops and specs: the rollup gives every row the GROUPING SETS query gives', async () => {
    let specs = 0;
    let cells = 0;
    let users = 0;
    for (let seed = 1; seed <= 12; seed++) {
      await load(shop(seed, 5 + seed * 3, 0.25));
      for (let k = 0; k < 6; k++) {
        const spec = randomSpec(seed * 100 + k);
        const label = `seed ${seed}, spec ${JSON.stringify(spec)}`;
        const { q, rolled, sets } = await both(spec);
        assert.ok(!q.sql.text.includes('GROUPING SETS'), `${label}: the rollup runs`);
        assert.deepEqual(rolled, sets, label);
        specs++;
        cells += sets.size;
        for (const r of sets.values()) if (spec.measures[0].agg === 'users') users += Number(r.m0);
      }
    }
    // Not trivial: many cells, many users counted.
    assert.equal(specs, 72);
    assert.ok(cells > 2000, `${cells} cells`);
    assert.ok(users > 2000, `${users} users counted`);
  });

  test('prices in cents: the same rows, sums equal to the last binary digits (1e-12 relative)', async () => {
    await load(shop(99, 60, 0.01));
    for (let k = 0; k < 8; k++) {
      const spec = randomSpec(9900 + k);
      const { rolled, sets, n } = await both(spec);
      assert.deepEqual([...rolled.keys()].sort(), [...sets.keys()].sort());
      for (const [key, want] of sets) {
        const got = rolled.get(key)!;
        spec.measures.forEach((m, i) => {
          const a = got[`m${i}`] as number | null;
          const b = want[`m${i}`] as number | null;
          if (a === null || b === null) assert.equal(a, b, `${key} m${i}`);
          else if (m.agg === 'revenue' || m.agg === 'sum') assert.ok(Math.abs(a - b) <= 1e-12 * Math.abs(b), `${key} ${m.agg}: ${a} vs ${b}`);
          else assert.equal(a, b, `${key} ${m.agg}`);
        });
        for (let i = 0; i < n; i++) assert.equal(got[`d${i}`], want[`d${i}`]);
      }
    }
  });

  test('a hand-worked shop: users, conversion and revenue by category and device, every subtotal', async () => {
    // u1: Books/mobile view + purchase 10; Toys/mobile view.  u2: Books/desktop view, Books/mobile purchase 5.
    // u3: Toys/desktop view.  A user-less Books/mobile purchase 7.
    await load(`CREATE OR REPLACE TABLE events(event_id BIGINT, user_id VARCHAR, event_type VARCHAR, ts TIMESTAMP, category VARCHAR, device VARCHAR, price DOUBLE, revenue DOUBLE);
INSERT INTO events VALUES
  (1, 'u1', 'product_view', '2025-01-01', 'Books', 'mobile', 10, NULL), (2, 'u1', 'purchase', '2025-01-01', 'Books', 'mobile', 10, 10),
  (3, 'u1', 'product_view', '2025-01-02', 'Toys', 'mobile', 4, NULL), (4, 'u2', 'product_view', '2025-01-02', 'Books', 'desktop', 5, NULL),
  (5, 'u2', 'purchase', '2025-01-03', 'Books', 'mobile', 5, 5), (6, 'u3', 'product_view', '2025-01-03', 'Toys', 'desktop', 4, NULL),
  (7, NULL, 'purchase', '2025-01-04', 'Books', 'mobile', 7, 7);
CREATE OR REPLACE TABLE users AS SELECT * FROM (VALUES ('u1', 'DE'), ('u2', 'FR'), ('u3', 'DE')) t(user_id, country);`);
    const spec = validatePivotSpec({
      grain: 'events',
      rows: [{ field: 'e.category', bucket: { kind: 'none' } }],
      cols: [{ field: 'e.device', bucket: { kind: 'none' } }],
      measures: [{ agg: 'users' }, { agg: 'conversion' }, { agg: 'revenue' }, { agg: 'events' }],
      filter: { op: 'and', items: [] },
    });
    const { result, sql } = await runPivot(run, spec, fields);
    assert.ok(!sql.text.includes('GROUPING SETS'));
    const cell = (row: string[], col: string[]) => [0, 1, 2, 3].map((m) => result.raw(row, col, m));
    // Books/mobile: u1 (bought), u2 (bought) -> 2 users, conversion 1, revenue 10 + 5 + 7 = 22, 4 events.
    assert.deepEqual(cell(['Books'], ['mobile']), [2, 1, 22, 4]);
    // Books/desktop: u2 viewed only.
    assert.deepEqual(cell(['Books'], ['desktop']), [1, 0, 0, 1]);
    // Books, any device: u1, u2 both bought; 5 events.
    assert.deepEqual(cell(['Books'], []), [2, 1, 22, 5]);
    // Toys: u1 mobile, u3 desktop, nobody bought.
    assert.deepEqual(cell(['Toys'], []), [2, 0, 0, 2]);
    // mobile, any category: u1, u2 (both bought); desktop: u2, u3, neither bought there.
    assert.deepEqual(cell([], ['mobile']), [2, 1, 22, 5]);
    assert.deepEqual(cell([], ['desktop']), [2, 0, 0, 2]);
    // Everything: u1, u2, u3; two bought; 7 events.
    assert.deepEqual(cell([], []), [3, 2 / 3, 22, 7]);
    // Nothing kept: the grand total still reads 0 users, 0 events, no conversion.
    const none = await runPivot(run, { ...spec, filter: { op: 'and', items: [{ field: 'e.price', op: '>', value: 100 }] } }, fields);
    assert.deepEqual([0, 1, 2, 3].map((m) => none.result.raw([], [], m)), [0, null, 0, 0]);
  });

  test('measures without a rollup, and the users grain, keep the GROUPING SETS query', async () => {
    await load(shop(7, 20, 0.25));
    const base = { grain: 'events', rows: [{ field: 'e.category', bucket: { kind: 'none' } }], cols: [], filter: { op: 'and', items: [] } } as const;
    for (const m of [{ agg: 'sessions' }, { agg: 'orders' }, { agg: 'aov' }, { agg: 'median', field: 'e.price' }, { agg: 'avg', field: 'e.price' }, { agg: 'count_distinct', field: 'e.device' }] as const) {
      const spec = validatePivotSpec({ ...base, measures: [{ agg: 'users' }, m] });
      const plan = planPivot(spec, fields);
      const q = pivotSql(spec, fields, plan, plan.stats.map(() => null));
      assert.ok(q.sql.text.includes('GROUPING SETS'), m.agg);
      assert.equal(pivotRollupSql(spec, q.dims, q.measures, plan.scope), null, m.agg);
    }
    const users = validatePivotSpec({ grain: 'users', rows: [{ field: 'u.country', bucket: { kind: 'none' } }], cols: [], measures: [{ agg: 'users' }], filter: { op: 'and', items: [] } });
    const plan = planPivot(users, fields);
    assert.ok(pivotSql(users, fields, plan, []).sql.text.includes('GROUPING SETS'));
    // No dimension: one aggregate, no sets to roll up.
    const flat = validatePivotSpec({ ...base, rows: [], measures: [{ agg: 'users' }] });
    const p2 = planPivot(flat, fields);
    const q2 = pivotSql(flat, fields, p2, []);
    assert.equal(pivotRollupSql(flat, q2.dims, q2.measures, p2.scope), null);
  });
}

describe('pivot rollup (native DuckDB)', () => rollupSuite(() => openNodeDb()));
describe('pivot rollup (DuckDB-WASM)', () => rollupSuite(() => openWasmDb()));
