// The segment seam: a segmentation stored in the dataset's schema is an `s.<column>` field that Pivot, the users
// filter (Retention, Funnels, Journeys) and a funnel breakdown read like any user column; answers are checked
// against a plain TypeScript pass over the same users.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openNodeDb } from '../src/db/node-db.ts';
import type { Db } from '../src/db/types.ts';
import { toRows } from '../src/lib/rows.ts';
import { sql } from '../src/sql/quote.ts';
import { loadShop } from '../src/data/generator/index.ts';
import { decodeFields, fieldsSql, fieldsForGrain, fromSql, isFieldId, type Field } from '../src/analyses/fields.ts';
import { deleteSegmentation, listSegmentations, segmentColumn, writeSegmentation, writeSegmentations } from '../src/data/segments-store.ts';
import { runPivot, validatePivotSpec } from '../src/analyses/pivot/index.ts';
import { membersSql } from '../src/analyses/filter/members.ts';
import { validateFunnelSpec } from '../src/analyses/funnel/spec.ts';
import { funnelSql } from '../src/analyses/funnel/sql.ts';
import { decodeFunnel } from '../src/analyses/funnel/decode.ts';

const HOSTILE = `big"; DROP TABLE users; --`;

async function fieldsOf(db: Db): Promise<Field[]> {
  const q = fieldsSql();
  return decodeFields(await db.query(q.text, q.params));
}

describe('segmentations as user fields', () => {
  let db: Db;
  /** user_id -> revenue from user_metrics, read once: the reference segments users from it in TypeScript. */
  let revenue: Map<string, number>;
  const label = (r: number) => (r >= 100 ? HOSTILE : 'small');

  before(async () => {
    db = await openNodeDb();
    await loadShop(db, { users: 400, days: 60, seed: 11 });
    revenue = new Map(toRows(await db.query('SELECT user_id::VARCHAR AS u, revenue::DOUBLE AS r FROM user_metrics')).map((r) => [String(r.u), Number(r.r)]));
    const values = sql`SELECT user_id, CASE WHEN revenue >= 100 THEN ${HOSTILE} ELSE 'small' END AS value FROM user_metrics`;
    await writeSegmentation(db, { column: 'Spend tier', name: 'Spend tier', kind: 'custom', type: 'label', definition: null }, values);
  });

  test('it is stored in the dataset schema, listed, and appears as s.<column> at the users grain only via per-user sources', async () => {
    const list = await listSegmentations(db);
    assert.deepEqual(list.map((s) => [s.column, s.name, s.kind, s.type]), [['spend_tier', 'Spend tier', 'custom', 'label']]);
    const fields = await fieldsOf(db);
    const s = fields.filter((f) => f.source === 's').map((f) => f.id);
    assert.deepEqual(s, ['s.spend_tier'], 'user_segments.user_id is not a field of its own');
    assert.equal(isFieldId('s.spend_tier'), true);
    assert.ok(fieldsForGrain(fields, 'users').some((f) => f.id === 's.spend_tier'));
    assert.equal(fromSql('events', ['s']).text, 'events e LEFT JOIN user_segments s ON s.user_id = e.user_id');
    assert.equal(segmentColumn('  9 Lives! '), 's_9_lives');
  });

  test('Pivot rows by the segment count users per label as the TypeScript pass does (users and events grain)', async () => {
    const fields = await fieldsOf(db);
    const want = new Map<string, number>();
    for (const r of revenue.values()) want.set(label(r), (want.get(label(r)) ?? 0) + 1);
    const spec = validatePivotSpec({ grain: 'users', rows: [{ field: 's.spend_tier' }], cols: [], measures: [{ agg: 'users' }] });
    const { result } = await runPivot((q) => db.query(q.text, q.params), spec, fields);
    const got = new Map(result.rowTree.children.map((n) => [String(n.keys[0]), result.value(n.keys, [], 0)]));
    assert.deepEqual(got, want);
    // Events grain: events per label equal each user's events summed by label in TypeScript.
    const ev = validatePivotSpec({ grain: 'events', rows: [{ field: 's.spend_tier' }], cols: [], measures: [{ agg: 'events' }] });
    const evRun = await runPivot((q) => db.query(q.text, q.params), ev, fields);
    const sums = new Map<string, number>();
    for (const r of toRows(await db.query('SELECT user_id::VARCHAR AS u FROM events'))) {
      const l = label(revenue.get(String(r.u)) ?? 0);
      sums.set(l, (sums.get(l) ?? 0) + 1);
    }
    const evGot = new Map(evRun.result.rowTree.children.map((n) => [String(n.keys[0]), evRun.result.value(n.keys, [], 0)]));
    assert.deepEqual(evGot, sums);
  });

  test('the users filter (every screen) and a funnel breakdown read the segment', async () => {
    const fields = await fieldsOf(db);
    const users = { op: 'and', items: [{ field: 's.spend_tier', op: '=', value: HOSTILE }] };
    const m = membersSql({ users } as never, fields, 'u2.user_id');
    assert.ok(!m.text.includes('DROP TABLE'), 'the label is a bound parameter');
    const picked = toRows(await db.query(`SELECT count(*)::DOUBLE AS n FROM users u2 WHERE ${m.text}`, m.params))[0].n;
    assert.equal(picked, [...revenue.values()].filter((r) => r >= 100).length);
    const spec = validateFunnelSpec({
      steps: [{ eventType: 'session_start' }, { eventType: 'purchase' }], countBy: 'users',
      breakdown: { kind: 'field', field: 's.spend_tier', top: 5 },
    });
    const q = funnelSql(spec, fields);
    const res = decodeFunnel(await db.query(q.text, q.params), spec);
    // Everyone with revenue >= 100 bought, so the hostile group converts fully; "small" users with revenue 0 cannot.
    const big = res.groups.find((g) => g.value === HOSTILE)!;
    assert.ok(big, 'a group per label');
    assert.equal(big.steps[1].count, big.steps[0].count);
    const total = res.groups.reduce((n, g) => n + g.steps[0].count, 0);
    assert.equal(total, res.total.steps[0].count, 'groups add up');
  });

  test('rewriting replaces the column; deleting removes it; a score column is numeric', async () => {
    await writeSegmentation(db, { column: 'spend_score', name: 'Spend score', kind: 'builtin', type: 'score', definition: '{}' },
      sql`SELECT user_id, revenue AS value FROM user_metrics`);
    const fields = await fieldsOf(db);
    assert.equal(fields.find((f) => f.id === 's.spend_score')?.kind, 'number');
    const sum = toRows(await db.query('SELECT sum(spend_score)::DOUBLE AS s FROM user_segments'))[0].s;
    assert.ok(Math.abs(Number(sum) - [...revenue.values()].reduce((a, b) => a + b, 0)) < 1e-6);
    await deleteSegmentation(db, 'spend_score');
    assert.deepEqual((await listSegmentations(db)).map((s) => s.column), ['spend_tier']);
    assert.equal((await fieldsOf(db)).some((f) => f.id === 's.spend_score'), false);
  });
});

test('writing several segmentations at once: one rebuild keeps every other column, replaces its own, keeps column order', async () => {
  const db = await openNodeDb();
  await db.exec(`CREATE TABLE users AS SELECT 'u' || i AS user_id FROM range(4) t(i);
    CREATE TABLE events (ts TIMESTAMP); CREATE TABLE user_metrics AS SELECT user_id FROM users;`);
  const rec = (column: string, type: 'label' | 'score' = 'label') => ({ column, name: column, kind: 'builtin' as const, type, definition: null });
  await writeSegmentation(db, { ...rec('mine'), kind: 'custom' }, sql`SELECT user_id, 'in' AS value FROM users WHERE user_id IN ('u1', 'u2')`);
  await writeSegmentation(db, rec('tier'), sql`SELECT user_id, 'old' AS value FROM users`);
  await writeSegmentations(db, [
    { body: sql`SELECT user_id, 'new ' || user_id AS label, length(user_id) * 1.5 AS score FROM users`, columns: [{ from: 'label', rec: rec('tier') }, { from: 'score', rec: rec('tier_value', 'score') }] },
    { body: sql`SELECT user_id, ${HOSTILE} AS label FROM users WHERE user_id = 'u3'`, columns: [{ from: 'label', rec: rec('odd') }] },
  ], 'v1');
  const rows = toRows(await db.query('SELECT * FROM user_segments ORDER BY user_id'));
  assert.deepEqual(rows, [
    { user_id: 'u0', mine: null, tier: 'new u0', tier_value: 3, odd: null },
    { user_id: 'u1', mine: 'in', tier: 'new u1', tier_value: 3, odd: null },
    { user_id: 'u2', mine: 'in', tier: 'new u2', tier_value: 3, odd: null },
    { user_id: 'u3', mine: null, tier: 'new u3', tier_value: 3, odd: HOSTILE },
  ]);
  const listed = await listSegmentations(db);
  assert.deepEqual(listed.map((r) => [r.column, r.type, r.dataVersion]).sort(), [['mine', 'label', listed.find((r) => r.column === 'mine')!.dataVersion], ['odd', 'label', 'v1'], ['tier', 'label', 'v1'], ['tier_value', 'score', 'v1']]);
  assert.equal(toRows(await db.query(`SELECT count(*)::DOUBLE AS n FROM duckdb_tables() WHERE table_name = 'user_segments_next'`))[0].n, 0, 'no scratch table left');
  await db.close();
});

test('a row rule is evaluated in the rebuild (users and user_metrics); a failing body rolls everything back and leaves nothing behind', async () => {
  const db = await openNodeDb();
  await db.exec(`CREATE TABLE users AS SELECT 'u' || i AS user_id, i AS age FROM range(3) t(i);
    CREATE TABLE events (ts TIMESTAMP); CREATE TABLE user_metrics AS SELECT user_id, age * 10 AS orders FROM users WHERE user_id <> 'u0';`);
  const rec = (column: string) => ({ column, name: column, kind: 'builtin' as const, type: 'label' as const, definition: null });
  await writeSegmentations(db, [
    { body: sql`unused`, row: { label: sql`u.user_id || ${"'?"}` , metrics: false }, columns: [{ from: 'label', rec: rec('a') }] },
    { body: sql`unused`, row: { label: sql`coalesce(m.orders::VARCHAR, ${'none'})`, metrics: true }, columns: [{ from: 'label', rec: rec('b') }] },
    { body: sql`SELECT user_id, 'c' || age AS label FROM users`, columns: [{ from: 'label', rec: rec('c') }] },
  ], 'v1');
  const before = toRows(await db.query('SELECT * FROM user_segments ORDER BY user_id'));
  assert.deepEqual(before, [
    { user_id: 'u0', a: "u0'?", b: 'none', c: 'c0' },
    { user_id: 'u1', a: "u1'?", b: '10', c: 'c1' },
    { user_id: 'u2', a: "u2'?", b: '20', c: 'c2' },
  ]);
  await assert.rejects(writeSegmentations(db, [
    { body: sql`SELECT user_id, 'fine' AS label FROM users`, columns: [{ from: 'label', rec: rec('a') }] },
    { body: sql`SELECT user_id, CASE WHEN age = 2 THEN error('boom') ELSE 'x' END AS label FROM users`, columns: [{ from: 'label', rec: rec('d') }] },
  ], 'v2'), /boom/);
  assert.deepEqual(toRows(await db.query('SELECT * FROM user_segments ORDER BY user_id')), before, 'the stored table is as it was');
  assert.deepEqual((await listSegmentations(db)).map((r) => [r.column, r.dataVersion]).sort(), [['a', 'v1'], ['b', 'v1'], ['c', 'v1']]);
  assert.equal(toRows(await db.query(`SELECT count(*)::DOUBLE AS n FROM duckdb_tables() WHERE table_name LIKE 'user_segments_next' OR table_name LIKE 'strata_seg_%'`))[0].n, 0, 'no scratch table left');
  await db.exec('BEGIN TRANSACTION; COMMIT'); // no transaction left open
  await db.close();
});
