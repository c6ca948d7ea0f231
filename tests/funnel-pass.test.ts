// The one-pass sequential funnel (src/analyses/funnel/pass.ts) against the ASOF-join statement (funnelCoreSql's
// `best`), unit by unit, on random shops made to be hard: few event types, many events at the same instant, steps
// that share an event type, exclusions, a held product, a breakdown by device, users and sessions, windows of a few
// minutes. Both engines select the rows; the pass must give every unit the same depth, entry, step times, user and
// breakdown value as the statement. Plus hand-worked cases of its own (ties, the window edge, exclusions).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openNodeDb } from '../src/db/node-db.ts';
import type { Db } from '../src/db/types.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { rng } from './fixtures/random.ts';
import { shop, TYPES, type Ev } from './fixtures/funnel-shop.ts';
import { literal, scriptSql } from '../src/sql/quote.ts';
import { decodeFields, fieldsSql, type Field } from '../src/analyses/fields.ts';
import {
  computeFunnel, decodeFunnel, decodeFunnelRows, funnelCoreSql, funnelEventsSql, funnelKeysSql, funnelRowsByPass, funnelSql, validateFunnelSpec, type FunnelSpec,
} from '../src/analyses/funnel/index.ts';
import { BufferPool, noPause, Scratch } from '../src/analyses/pass-kit.ts';
import { windowMinutes } from '../src/analyses/funnel/spec.ts';
import type { Table } from 'apache-arrow';
import { passRows, passSpec, slicedPass } from '../src/analyses/funnel/pass-rows.ts';
import { sequentialPass } from '../src/analyses/funnel/pass.ts';

/** One unit's best attempt, as funnelCoreSql's `best` has it (times in epoch µs; ts past the depth are null). */
interface BestRow {
  /** The unit's key: its id (text keys) or its hash's top 52 bits. */
  u: string | number;
  depth: number;
  entry: number;
  g: string | null;
  ts: (number | null)[];
}

/** The pass over funnelEventsSql's rows, read back as `best` rows: each unit's best attempt. */
async function sequentialBest(table: Table, spec: FunnelSpec, windowUs: number | null, mem?: Scratch): Promise<BestRow[]> {
  const rows = await passRows(table, spec, noPause, mem);
  const n = spec.steps.length;
  const res = await slicedPass(passSpec(spec, windowUs), rows, noPause, undefined, mem);
  const hu = table.getChild('hu')!;
  const g = table.getChild('g');
  const out: BestRow[] = [];
  for (let k = 0; k < res.depth.length; k++) {
    const d = res.depth[k];
    if (d === 0) continue;
    const a = res.anchor[k];
    const ts: (number | null)[] = [];
    for (let s = 0; s < n; s++) {
      const r = res.stepRow[k * n + s];
      ts.push(r < 0 ? null : rows.t[r]);
    }
    const src = rows.source[a];
    out.push({ u: hu.get(src) as string | number, depth: d, entry: rows.t[a], g: (g?.get(src) as string | null) ?? null, ts });
  }
  return out;
}

/** Random sequential specs over the same types. */
function randomSpec(seed: number): FunnelSpec {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const n = 2 + Math.floor(r() * 3);
  const steps = Array.from({ length: n }, () => ({ eventType: pick(TYPES.slice(0, 3)) }));
  const x: Record<string, unknown> = {
    steps,
    order: 'sequential',
    window: pick([null, { value: 5, unit: 'minute' }, { value: 15, unit: 'minute' }, { value: 1, unit: 'hour' }]),
    countBy: pick(['users', 'sessions']),
  };
  if (r() < 0.4) x.exclusions = [{ eventType: 'search', from: 1, to: 1 + 1 + Math.floor(r() * (n - 1)) }];
  if (r() < 0.35) x.hold = 'e.product_id';
  if (r() < 0.35) x.breakdown = { kind: 'field', field: 'e.device', top: 5 };
  return validateFunnelSpec(x);
}

function passSuite(getDb: () => Promise<Db>) {
  let db: Db;
  let fields: Field[];

  async function load(evs: Ev[]) {
    const rows = evs.map(([u, s, type, min, product, device], i) =>
      `(${[i + 1, u, s, type, `2025-03-03 ${String(Math.floor(min / 60) + 8).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}:00`, product, device].map((v) => literal(v)).join(', ')})`,
    );
    await db.exec(`CREATE OR REPLACE TABLE events(event_id BIGINT, user_id VARCHAR, session_id VARCHAR, event_type VARCHAR, ts TIMESTAMP,
  product_id VARCHAR, device VARCHAR);
${rows.length ? `INSERT INTO events VALUES ${rows.join(', ')};` : ''}
CREATE OR REPLACE TABLE users AS SELECT DISTINCT user_id FROM events;`);
  }

  before(async () => {
    db = await getDb();
    await load(shop(1, 3));
    const q = fieldsSql();
    fields = decodeFields(await db.query(q.text, q.params));
  });
  after(async () => {
    await db.close();
  });

  /** funnelCoreSql's best rows, by unit. */
  async function statement(spec: FunnelSpec): Promise<Map<string, BestRow>> {
    const q = funnelCoreSql(spec, fields, { kind: 'text' });
    const stamps = spec.steps.map((_, i) => `epoch_us(ts[${i + 1}])::DOUBLE AS t${i + 1}`).join(', ');
    const t = await db.query(scriptSql(sqlWith(q, `SELECT u, uid, depth, epoch_us(entry)::DOUBLE AS entry, g, ${stamps} FROM best`)));
    const out = new Map<string, BestRow>();
    for (const row of t.toArray()) {
      const o = row.toJSON() as Record<string, unknown>;
      const ts = spec.steps.map((_, i) => (o[`t${i + 1}`] === null ? null : Number(o[`t${i + 1}`])));
      out.set(String(o.u), { u: String(o.u), depth: Number(o.depth), entry: Number(o.entry), g: o.g as string | null, ts });
    }
    return out;
  }

  /** The pass's best rows by unit id (text keys), or in a canonical order without ids (hash keys). */
  async function pass(spec: FunnelSpec, keys: 'hash' | 'text' = 'text'): Promise<Map<string, BestRow>> {
    const q = funnelEventsSql(spec, fields, { kind: keys });
    const W = windowMinutes(spec.window);
    const rows = await sequentialBest(await db.query(scriptSql(q)), spec, W === null ? null : W * 60e6);
    return new Map(rows.map((r) => [String(r.u), r]));
  }
  /** Best rows without their unit keys, in one order (to compare hashed-key runs with the statement). */
  const canonical = (m: Map<string, BestRow>) => [...m.values()].map((r) => JSON.stringify({ ...r, u: null })).sort();

  test('hand-worked: ties at one instant, the window edge, an exclusion between two steps', async () => {
    // u0: view 08:00, view 08:00 (same instant), cart 08:05, purchase 08:10 → depth 3 with a 10-minute window
    //     (08:10 is exactly 10 minutes after 08:00: within), entry 08:00.
    // u1: view 08:00, search 08:02, cart 08:03, purchase 08:20 → window 10 min: depth 2 (purchase too late);
    //     with "search" excluded between steps 1 and 2: depth 1.
    // u2: cart 08:00, view 08:01 → depth 1 (no cart after the view).
    await load([
      ['u0', 's0', 'product_view', 0, null, null], ['u0', 's0', 'product_view', 0, null, null], ['u0', 's0', 'add_to_cart', 5, null, null],
      ['u0', 's0', 'purchase', 10, null, null],
      ['u1', 's1', 'product_view', 0, null, null], ['u1', 's1', 'search', 2, null, null], ['u1', 's1', 'add_to_cart', 3, null, null],
      ['u1', 's1', 'purchase', 20, null, null],
      ['u2', 's2', 'add_to_cart', 0, null, null], ['u2', 's2', 'product_view', 1, null, null],
    ]);
    const steps = [{ eventType: 'product_view' }, { eventType: 'add_to_cart' }, { eventType: 'purchase' }];
    const w = validateFunnelSpec({ steps, order: 'sequential', window: { value: 10, unit: 'minute' } });
    const got = await pass(w);
    const at = (min: number) => Date.UTC(2025, 2, 3, 8, min) * 1000;
    assert.deepEqual([...got.keys()].sort(), ['u0', 'u1', 'u2']);
    assert.deepEqual(got.get('u0'), { u: 'u0', depth: 3, entry: at(0), g: null, ts: [at(0), at(5), at(10)] });
    assert.deepEqual(got.get('u1'), { u: 'u1', depth: 2, entry: at(0), g: null, ts: [at(0), at(3), null] });
    assert.deepEqual(got.get('u2'), { u: 'u2', depth: 1, entry: at(1), g: null, ts: [at(1), null, null] });
    const x = validateFunnelSpec({ steps, order: 'sequential', window: { value: 10, unit: 'minute' }, exclusions: [{ eventType: 'search', from: 1, to: 2 }] });
    assert.equal((await pass(x)).get('u1')!.depth, 1);
    assert.equal((await pass(x)).get('u0')!.depth, 3);
  });

  test('the key check: ids with NULLs among them still key by hash bits (hash(NULL) is not an id)', async () => {
    // Products are NULL on about a third of the events, sessions never: both checks hold, so the screens key
    // units and held values by hash bits (before the NULLs were left out, hash(NULL) counted as one more key).
    await load(shop(7, 12));
    const spec = validateFunnelSpec({ steps: [{ eventType: 'product_view' }, { eventType: 'add_to_cart' }], order: 'sequential', countBy: 'sessions', hold: 'e.product_id' });
    const ok = async (s: FunnelSpec) => (await db.query(scriptSql(funnelKeysSql(s, fields)))).getChild('ok')!.get(0);
    assert.equal(await ok(spec), true);
    assert.equal(await ok(validateFunnelSpec({ steps: spec.steps, order: 'sequential' })), true);
    const shown = await computeFunnel((q) => db.query(scriptSql(q)), spec, fields);
    assert.equal(shown.onePass, true);
    assert.match(shown.sql.text, /\(hu >> 12\)::DOUBLE AS hu/);
    assert.match(shown.sql.text, /\(hh >> 12\)::DOUBLE AS hh/);
  });

  test('random shops and specs: every unit equals the ASOF-join statement', async () => {
    // One pool for every shop and spec below, pooling even the smallest array (see the end of the loop).
    const dirty = new BufferPool(2 ** 30, 60_000, 1);
    let compared = 0;
    let unmoved = 0;
    for (let i = 0; i < 40; i++) {
      // Stored shuffled; or each user's sessions side by side, their events shuffled; or by user, session and time
      // (as events are stored: the pass then finds units grouped, and often in order already).
      const evs = shop(100 + i, 6 + (i % 5));
      const key = (e: Ev) => `${e[0]}|${e[1]}`;
      if (i % 3 === 1) evs.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      if (i % 3 === 2) evs.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a[3] - b[3]));
      await load(evs);
      for (let j = 0; j < 6; j++) {
        const spec = randomSpec(1000 * i + j);
        const want = await statement(spec);
        const got = await pass(spec, 'text');
        assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `units, shop ${i} spec ${j}`);
        for (const [u, w] of want) {
          assert.deepEqual(got.get(u), w, `unit ${u}, shop ${i}, spec ${JSON.stringify(spec)}`);
          compared++;
        }
        // In slices of a few rows, pausing between them (as the page runs it), the very same result.
        const rowsTable = await db.query(scriptSql(funnelEventsSql(spec, fields, { kind: 'text' })));
        const rowsIn = await passRows(rowsTable, spec);
        if (rowsIn.t.buffer === (rowsTable.getChild('t')!.data[0].values as Float64Array).buffer) unmoved++;
        const W = windowMinutes(spec.window);
        const ps = passSpec(spec, W === null ? null : W * 60e6);
        let pauses = 0;
        const sliced = await slicedPass(ps, rowsIn, async () => void pauses++, 5);
        assert.deepEqual(sliced, sequentialPass(ps, rowsIn), 'sliced = whole');
        assert.ok(pauses > 0 || rowsIn.t.length <= 5, 'it paused');
        // Keyed by hash bits (the default), the same best attempts.
        assert.deepEqual(canonical(await pass(spec, 'hash')), canonical(want), `hash keys, shop ${i} spec ${j}`);
        // Every working array from memory that earlier shops and specs wrote into: each unit's best attempt still
        // equals the statement's, and the funnel's figures equal funnelSql's (nothing a run leaves behind reaches the
        // next one's answer).
        const mem = new Scratch(dirty);
        const reused = await sequentialBest(rowsTable, spec, W === null ? null : W * 60e6, mem);
        mem.done();
        assert.deepEqual(new Map(reused.map((r) => [String(r.u), r])), want, `reused memory, shop ${i} spec ${j}`);
        const figures = decodeFunnel(await db.query(scriptSql(funnelSql(spec, fields, { kind: 'text' }))), spec);
        assert.deepEqual(decodeFunnelRows(await funnelRowsByPass(rowsTable, spec, noPause, dirty), spec), figures, `figures on reused memory, shop ${i} spec ${j}`);
        assert.ok(dirty.bytes > 0, 'the pool kept what the run handed back');
      }
    }
    assert.ok(compared > 500, `compared ${compared} units`);
    assert.ok(unmoved >= 10, `the rows were used where they came ${unmoved} times`);
  });
}

/** `WITH <ctes> <select>`. */
function sqlWith(ctes: ReturnType<typeof funnelCoreSql>, select: string) {
  return { text: `WITH ${ctes.text}\n${select}`, params: ctes.params };
}

describe('native DuckDB', () => passSuite(() => openNodeDb({ threads: 1 })));
describe('DuckDB-WASM', () => passSuite(openWasmDb));
