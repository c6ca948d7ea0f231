// Funnels from kept columns (src/analyses/funnel/columns.ts): every event's unit, time and type loaded once, and
// each funnel of plain event-type steps computed from them without a statement. On random shops made to be hard
// (many events at one instant, users with several sessions, rows out of time order, events without a user, a
// session, a time or a type), every figure equals funnelSql's — the ASOF-join statement, an independent computation —
// for users and sessions, windows and exclusions, in slices and on reused memory; on both engines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tableFromArrays, type Table } from 'apache-arrow';
import { openNodeDb } from '../src/db/node-db.ts';
import type { Db } from '../src/db/types.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { rng, shuffle } from './fixtures/random.ts';
import { shop, TYPES, type Ev } from './fixtures/funnel-shop.ts';
import { literal, scriptSql, type Sql } from '../src/sql/quote.ts';
import { decodeFields, fieldsSql, type Field } from '../src/analyses/fields.ts';
import {
  columnsSupport, computeFunnel, decodeFunnel, decodeTypes, keptColumns, decodeFunnelRows, funnelColumnsSql, funnelRowsFromColumns, funnelSql, funnelTypesSql, keepColumns,
  validateFunnelSpec, type FunnelColumns, type FunnelSpec,
} from '../src/analyses/funnel/index.ts';
import { BufferPool, noPause } from '../src/analyses/pass-kit.ts';
import { QueryCoordinator, toIo } from '../src/db/coordinator.ts';

/** Random sequential specs of plain steps (distinct types, one possibly absent from the data), users or sessions. */
function plainSpec(seed: number): FunnelSpec {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const n = 2 + Math.floor(r() * 3);
  const pool = shuffle([...TYPES, 'checkout'], r);
  const steps = pool.slice(0, n).map((eventType) => ({ eventType }));
  const x: Record<string, unknown> = {
    steps,
    order: 'sequential',
    window: pick([null, { value: 5, unit: 'minute' }, { value: 15, unit: 'minute' }, { value: 1, unit: 'hour' }]),
    countBy: pick(['users', 'sessions']),
    trend: pick(['day', 'week', 'month']),
  };
  // An exclusion: a type that is no step, or one that is (then its events are both).
  if (r() < 0.5) x.exclusions = [{ eventType: pick([pool[n] ?? 'search', pool[0]]), from: 1, to: 2 + Math.floor(r() * (n - 1)) }];
  return validateFunnelSpec(x);
}

function columnsSuite(getDb: () => Promise<Db>) {
  let db: Db;
  let fields: Field[];
  const q = (s: Sql) => db.query(scriptSql(s));

  /** `evs` as the events table, plus rows without a user, a session, a time or a type (none may take part). */
  async function load(evs: Ev[], extra = true) {
    const at = (min: number) => `2025-03-03 ${String(Math.floor(min / 60) + 8).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}:00`;
    const rows = evs.map(([u, s, type, min, product, device], i) => [i + 1, u, s, type, at(min), product, device]);
    if (extra) {
      const n = rows.length;
      rows.push([n + 1, null, 'lost', 'product_view', at(3), null, null], [n + 2, 'u0', null, 'product_view', at(4), null, null]);
      rows.push([n + 3, 'u0', 'u0-s0', 'add_to_cart', null, null, null], [n + 4, 'u1', 'u1-s0', null, at(5), null, null]);
    }
    const values = rows.map((r) => `(${r.map((v) => literal(v)).join(', ')})`);
    await db.exec(`CREATE OR REPLACE TABLE events(event_id BIGINT, user_id VARCHAR, session_id VARCHAR, event_type VARCHAR, ts TIMESTAMP,
  product_id VARCHAR, device VARCHAR);
${values.length ? `INSERT INTO events VALUES ${values.join(', ')};` : ''}
CREATE OR REPLACE TABLE users AS SELECT DISTINCT user_id FROM events WHERE user_id IS NOT NULL;`);
  }

  async function kept(countBy: FunnelSpec['countBy']): Promise<FunnelColumns> {
    const types = decodeTypes(await q(funnelTypesSql()));
    const cols = await keepColumns(await q(funnelColumnsSql(countBy, types)), types);
    assert.ok(cols, 'the columns are kept');
    return cols;
  }

  /** funnelSql's figures (the statement, keyed by the unit ids). */
  const statement = async (spec: FunnelSpec) => decodeFunnel(await q(funnelSql(spec, fields, { kind: 'text' })), spec);

  before(async () => {
    db = await getDb();
    await load(shop(1, 3));
    fields = decodeFields(await q(fieldsSql()));
  });
  after(async () => {
    await db.close();
  });

  test('hand-worked: a cart and a view at one instant count in step order; a time-less event never takes part', async () => {
    // u0: cart 08:00 and view 08:00 stored in that order, purchase 08:01 → view, cart, purchase: depth 3 (at one
    // instant steps count in the funnel's order). u1: view 08:00, cart with no time → depth 1. u2: a purchase only.
    await load([
      ['u0', 's0', 'add_to_cart', 0, null, null], ['u0', 's0', 'product_view', 0, null, null], ['u0', 's0', 'purchase', 1, null, null],
      ['u1', 's1', 'product_view', 0, null, null], ['u2', 's2', 'purchase', 0, null, null],
    ], false);
    await db.exec(`INSERT INTO events VALUES (9, 'u1', 's1', 'add_to_cart', NULL, NULL, NULL)`);
    const spec = validateFunnelSpec({ steps: [{ eventType: 'product_view' }, { eventType: 'add_to_cart' }, { eventType: 'purchase' }], order: 'sequential' });
    const cols = await kept('users');
    assert.deepEqual(cols.types.slice().sort(), ['add_to_cart', 'product_view', 'purchase']);
    assert.equal(cols.unitStart.length - 1, 3, 'three users');
    assert.equal(cols.t.length, 5, 'five events with a user, a time and a type');
    const got = decodeFunnelRows(await funnelRowsFromColumns(cols, spec), spec);
    assert.deepEqual(got.total.steps.map((s) => s.count), [2, 1, 1]);
    assert.deepEqual(got, await statement(spec));
  });

  test('random shops and plain specs: every figure equals the statement, in slices and on reused memory', async () => {
    const dirty = new BufferPool(2 ** 30, 60_000, 1);
    let specs = 0;
    for (let i = 0; i < 24; i++) {
      // Stored shuffled, or by user, session and time (as events are stored).
      const evs = shop(300 + i, 5 + (i % 6));
      const key = (e: Ev) => `${e[0]}|${e[1]}`;
      if (i % 2 === 1) evs.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a[3] - b[3]));
      await load(evs);
      const cols = { users: await kept('users'), sessions: await kept('sessions') };
      for (let j = 0; j < 6; j++) {
        const spec = plainSpec(5000 * i + j);
        assert.ok(columnsSupport(spec), JSON.stringify(spec));
        const want = await statement(spec);
        const label = `shop ${i}, spec ${JSON.stringify(spec)}`;
        assert.deepEqual(decodeFunnelRows(await funnelRowsFromColumns(cols[spec.countBy], spec), spec), want, label);
        let pauses = 0;
        const sliced = await funnelRowsFromColumns(cols[spec.countBy], spec, async () => void pauses++, dirty);
        assert.deepEqual(decodeFunnelRows(sliced, spec), want, `sliced, reused memory: ${label}`);
        assert.ok(pauses > 0, 'it paused');
        specs++;
      }
    }
    assert.equal(specs, 144);
  });

  test('computeFunnel takes the kept columns for plain steps only, with the same figures as the statement', async () => {
    await load(shop(77, 12));
    const steps = [{ eventType: 'product_view' }, { eventType: 'add_to_cart' }, { eventType: 'purchase' }];
    const run = (s: Sql) => q(s);
    const plain = validateFunnelSpec({ steps, order: 'sequential', window: { value: 15, unit: 'minute' } });
    const shown = await computeFunnel(run, plain, fields);
    assert.ok(shown.onePass);
    assert.match(shown.sql.text, /kept in this page and loaded once per dataset version by:\n--   SELECT \(hash\(e\.user_id\) >> 12\)::DOUBLE AS hu/);
    assert.match(shown.sql.text, /\n-- which hold the same rows as this statement selects:\nSELECT \(hu >> 12\)::DOUBLE AS hu, epoch_us\(ts\)::DOUBLE AS t, steps FROM/);
    assert.deepEqual(shown.sql.params.slice(0, 3), ['product_view', 'add_to_cart', 'purchase'], 'its bound values: the steps');
    assert.deepEqual(shown.result, await statement(plain));
    const sessions = validateFunnelSpec({ steps, order: 'sequential', countBy: 'sessions' });
    assert.match((await computeFunnel(run, sessions, fields)).sql.text, /hash\(e\.session_id\) >> 12/);
    // Not plain: a step's condition, two steps of one type, a held product, a breakdown, a users filter, strict.
    const others: Record<string, unknown>[] = [
      { steps: [{ eventType: 'product_view', filter: { op: 'and', items: [{ field: 'e.device', op: '=', value: 'mobile' }] } }, steps[1]] },
      { steps: [steps[0], steps[0]] },
      { steps, hold: 'e.product_id' },
      { steps, breakdown: { kind: 'field', field: 'e.device', top: 5 } },
      { steps, users: { op: 'and', items: [{ field: 'u.user_id', op: '=', value: 'u1' }] } },
      { steps, order: 'strict' },
    ];
    for (const o of others) {
      const spec = validateFunnelSpec({ order: 'sequential', ...o });
      assert.equal(columnsSupport(spec), false, JSON.stringify(o));
      const r = await computeFunnel(run, spec, fields);
      assert.doesNotMatch(r.sql.text, /kept in this page/, JSON.stringify(o));
      assert.deepEqual(r.result, decodeFunnel(await q(funnelSql(spec, fields)), spec), JSON.stringify(o));
    }
  });

  test('through the page\'s coordinator: the first funnel selects its rows and the columns load behind it; the next ones use them', async () => {
    await load(shop(91, 15));
    const c = new QueryCoordinator(db);
    const io = c.io('funnels:main');
    const steps = [{ eventType: 'product_view' }, { eventType: 'add_to_cart' }, { eventType: 'purchase' }];
    const a = validateFunnelSpec({ steps, order: 'sequential' });
    const b = validateFunnelSpec({ steps: steps.slice(0, 2), order: 'sequential', window: { value: 5, unit: 'minute' } });
    const first = await computeFunnel(io, a, fields);
    assert.doesNotMatch(first.sql.text, /kept in this page/, 'the first one selects its own rows');
    // The columns' load starts behind it (after the types statement): kept, or on their way, soon after.
    const started = async () => {
      for (let i = 0; i < 200 && !io.has!('cols:funnel:users'); i++) await new Promise((r) => setTimeout(r, 5));
      return io.has!('cols:funnel:users');
    };
    assert.equal(await started(), true, 'the columns are loaded behind the first funnel');
    const next = await computeFunnel(io, b, fields);
    assert.match(next.sql.text, /kept in this page/);
    assert.deepEqual(next.result, await statement(b));
    assert.deepEqual((await computeFunnel(io, a, fields)).result, first.result, 'the first one again, from the columns: the same figures');
    // Sessions are kept apart; the data changing drops both.
    const s = validateFunnelSpec({ steps, order: 'sequential', countBy: 'sessions' });
    assert.doesNotMatch((await computeFunnel(io, s, fields)).sql.text, /kept in this page/);
    for (let i = 0; i < 200 && !io.has!('cols:funnel:sessions'); i++) await new Promise((r) => setTimeout(r, 5));
    assert.match((await computeFunnel(io, s, fields)).sql.text, /kept in this page/);
    c.invalidate();
    assert.doesNotMatch((await computeFunnel(io, a, fields)).sql.text, /kept in this page/);
    // While live mode appends (the data not settled), nothing is loaded behind: every tick would drop it.
    let live = true;
    const liveC = new QueryCoordinator(db, undefined, () => !live);
    const liveIo = liveC.io('funnels:main');
    const during = await computeFunnel(liveIo, a, fields);
    assert.equal(during.behind, undefined);
    assert.deepEqual(during.result, first.result);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(liveIo.has!('cols:funnel:users'), false);
    assert.doesNotMatch((await computeFunnel(liveIo, b, fields)).sql.text, /kept in this page/);
    live = false;
    await (await computeFunnel(liveIo, a, fields)).behind;
    assert.match((await computeFunnel(liveIo, b, fields)).sql.text, /kept in this page/, 'paused: kept again');
  });

  test('columns that cannot be kept (more than 255 types, an event of a type not listed): the statement answers', async () => {
    // 256 types: the columns are not kept (no statement for them is even built), and computeFunnel selects the rows
    // by statement with the same figures.
    const evs: Ev[] = [];
    for (let k = 0; k < 256; k++) evs.push([`u${k % 7}`, `s${k % 7}`, `t${k}`, k % 50, null, null]);
    for (let k = 0; k < 14; k++) evs.push([`u${k % 7}`, `s${k % 7}`, k % 2 ? 'add_to_cart' : 'product_view', 60 + k, null, null]);
    await load(evs);
    const types = decodeTypes(await q(funnelTypesSql()));
    assert.equal(types.length, 258);
    assert.throws(() => funnelColumnsSql('users', types), /at most 255 event types, not 258/);
    assert.equal(await keptColumns(toIo((s) => q(s)), 'users'), null);
    const spec = validateFunnelSpec({ steps: [{ eventType: 'product_view' }, { eventType: 'add_to_cart' }], order: 'sequential' });
    const r = await computeFunnel((s) => q(s), spec, fields);
    assert.doesNotMatch(r.sql.text, /kept in this page/);
    assert.deepEqual(r.result, await statement(spec));
    assert.equal(r.result.total.steps[0].count, 7);
    // An event whose type the list missed (a type added between the two statements): its index is NULL.
    await load(shop(5, 4));
    const some = decodeTypes(await q(funnelTypesSql())).filter((t) => t !== 'search');
    assert.equal(await keepColumns(await q(funnelColumnsSql('users', some)), some), null);
    // Rows made by hand: two units, their rows out of time order, kept in time order.
    const rows: Table = tableFromArrays({ hu: Float64Array.from([7, 3, 7, 3]), t: Float64Array.from([30, 20, 10, 40]), c: Uint8Array.from([1, 0, 0, 1]) });
    const ok = await keepColumns(rows, ['a', 'b'], noPause);
    assert.deepEqual(ok && { start: [...ok.unitStart], t: [...ok.t], type: [...ok.type], types: ok.types }, { start: [0, 2, 4], t: [10, 30, 20, 40], type: [0, 1, 0, 1], types: ['a', 'b'] });
  });
}

describe('native DuckDB', () => columnsSuite(() => openNodeDb({ threads: 1 })));
describe('DuckDB-WASM', () => columnsSuite(openWasmDb));
