// Computing the built-in segmentations into the segment seam: on the demo shop every one is stored with one
// label per user, equal to its module's own output; on a dataset without the needed columns each unavailable one
// is reported with its reason and nothing is stored for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openNodeDb } from '../src/db/node-db.ts';
import type { Db } from '../src/db/types.ts';
import { toRows } from '../src/lib/rows.ts';
import { loadShop } from '../src/data/generator/index.ts';
import { builtinAvailability, builtinsContext, builtinsToCompute, computeBuiltinSegmentations, datasetColumns, INLINE_BODIES_MAX_USERS, storedOptions } from '../src/data/segments-compute.ts';
import { dataFingerprint, fingerprintUsers, listSegmentations } from '../src/data/segments-store.ts';
import { BUILTIN_SEGMENTATIONS, builtinSegmentation } from '../src/analyses/segments/builtin/index.ts';
import { rfmSql } from '../src/analyses/rfm/index.ts';
import { decodeFields, fieldsSql } from '../src/analyses/fields.ts';

test('on the demo shop every built-in segmentation and RFM is stored, equal to its module, one value per user', async () => {
  const db = await openNodeDb();
  await loadShop(db, { users: 500, days: 90, seed: 21 });
  const outcome = await computeBuiltinSegmentations(db);
  assert.deepEqual(outcome.filter((o) => o.unavailable).map((o) => o.id), [], 'the demo shop has every column');
  const stored = await listSegmentations(db);
  const columns = await datasetColumns(db);
  assert.equal(Number(toRows(await db.query('SELECT count(*)::DOUBLE AS n FROM user_segments'))[0].n), 500);
  for (const seg of BUILTIN_SEGMENTATIONS) {
    const q = seg.sql(undefined, columns);
    const direct = toRows(await db.query(`SELECT user_id::VARCHAR AS u, label FROM (${q.text}) ORDER BY 1`, q.params));
    const col = seg.id.replace(/-/g, '_');
    const kept = toRows(await db.query(`SELECT user_id::VARCHAR AS u, "${col}" AS label FROM user_segments ORDER BY 1`));
    assert.deepEqual(kept, direct, seg.id);
    assert.ok(stored.some((s) => s.column === col && s.kind === 'builtin'), `${seg.id} is listed`);
  }
  // The traffic source stored from user_metrics' first touch equals the one picked from every event.
  assert.ok(columns.user_metrics.includes('first_source') && columns.user_metrics.includes('first_medium'), 'the demo shop stores the first touch');
  const fromEvents = builtinSegmentation('traffic-source')!.sql(undefined, { ...columns, user_metrics: columns.user_metrics.filter((c) => !c.startsWith('first_')) });
  assert.match(fromEvents.text, /FROM events/);
  const viaEvents = toRows(await db.query(`SELECT user_id::VARCHAR AS u, label FROM (${fromEvents.text}) ORDER BY 1`, fromEvents.params));
  assert.deepEqual(toRows(await db.query('SELECT user_id::VARCHAR AS u, traffic_source AS label FROM user_segments ORDER BY 1')), viaEvents);
  assert.ok(new Set(viaEvents.map((r) => r.label)).size >= 5, 'several traffic categories');
  // The other way of writing them (bodies into temporary tables, as datasets over INLINE_BODIES_MAX_USERS users
  // are): the same table, value for value.
  const all = async () => JSON.stringify(toRows(await db.query('SELECT * FROM user_segments ORDER BY user_id')));
  const inline = await all();
  await computeBuiltinSegmentations(db, {}, undefined, undefined, { inlineBodies: false });
  assert.equal(await all(), inline, 'temporary tables and inline bodies store the same segments');
  assert.ok(fingerprintUsers(await dataFingerprint(db)) === 500 && 500 <= INLINE_BODIES_MAX_USERS, 'this shop is written inline by default');
  const r = rfmSql();
  const rfm = toRows(await db.query(`SELECT user_id::VARCHAR AS u, label, cell FROM (${r.text}) ORDER BY 1`, r.params));
  const keptRfm = toRows(await db.query('SELECT user_id::VARCHAR AS u, rfm AS label, rfm_cell AS cell FROM user_segments ORDER BY 1'));
  assert.deepEqual(keptRfm, rfm);
  const fields = decodeFields(await db.query(fieldsSql().text, fieldsSql().params)).filter((f) => f.source === 's');
  assert.ok(fields.some((f) => f.id === 's.engagement_score_value' && f.kind === 'number'), 'the score is a numeric user field');
  assert.ok(fields.some((f) => f.id === 's.rfm'));
  await db.close();
});

test('a dataset without sessions, demographics or traffic columns: each unavailable segmentation says why, nothing meaningless is stored', async () => {
  const db = await openNodeDb();
  await loadShop(db, { users: 200, days: 30, seed: 5 });
  // An import-like dataset: no demographic or traffic columns, and the traffic columns present but empty.
  await db.exec(`ALTER TABLE users DROP COLUMN age; ALTER TABLE users DROP COLUMN gender;
    UPDATE events SET source = NULL, medium = NULL`);
  // The app reads the context once for its listing and its computation: the same outcomes, two statements fewer.
  let statements = 0;
  const counted: Db = { ...db, query: (t, p) => (statements++, db.query(t, p)), exec: (t) => (statements++, db.exec(t)) } as Db;
  await computeBuiltinSegmentations(db); // the segment tables exist from here on
  const fresh = await computeBuiltinSegmentations(counted);
  const alone = statements;
  const context = await builtinsContext(db);
  assert.deepEqual(await builtinAvailability(db, context), await builtinAvailability(db));
  statements = 0;
  const outcome = await computeBuiltinSegmentations(counted, {}, undefined, undefined, { context });
  assert.deepEqual(outcome, fresh);
  assert.equal(statements, alone - 2, 'the schema and the data checks are not read again');
  const why = Object.fromEntries(outcome.map((o) => [o.id, o.unavailable]));
  assert.match(why['age-group'] ?? '', /no users\.age column/);
  assert.match(why.gender ?? '', /no users\.gender column/);
  assert.match(why['traffic-source'] ?? '', /events\.source.*no values/);
  assert.equal(why['engagement-level'], null);
  assert.equal(why.rfm, null);
  const stored = (await listSegmentations(db)).map((s) => s.column);
  assert.ok(!stored.includes('age_group') && !stored.includes('gender') && !stored.includes('traffic_source'));
  assert.ok(stored.includes('engagement_level'));
  await db.close();
});

test('a threshold change recomputes only its segmentation; a data change makes every stored one stale', async () => {
  const db = await openNodeDb();
  await loadShop(db, { users: 300, days: 60, seed: 8 });
  await computeBuiltinSegmentations(db);
  const before = await listSegmentations(db);
  const fp = await dataFingerprint(db);
  const available = await builtinAvailability(db);
  assert.deepEqual(builtinsToCompute(available, before, fp), [], 'nothing to do right after computing');
  await new Promise((r) => setTimeout(r, 5)); // updated_at has millisecond resolution
  const only = await computeBuiltinSegmentations(db, { 'churn-risk': { medium: 10, high: 20 } }, ['churn-risk']);
  assert.deepEqual(only.map((o) => o.id), ['churn-risk']);
  const after = await listSegmentations(db);
  for (const r of after) {
    const old = before.find((b) => b.column === r.column)!;
    if (r.column === 'churn_risk') assert.ok(r.updatedAt > old.updatedAt, 'churn risk recomputed');
    else assert.equal(r.updatedAt, old.updatedAt, `${r.column} untouched`);
  }
  assert.deepEqual(storedOptions(after)['churn-risk'], { medium: 10, high: 20 }, 'the new bands are stored with it');
  // By hand: with bands 10 / 20, a buyer whose last purchase is 15 days back is Medium.
  const medium = toRows(await db.query(`SELECT count(*)::DOUBLE AS n FROM user_metrics m JOIN user_segments s USING (user_id)
    WHERE m.days_since_last_purchase BETWEEN 11 AND 20 AND s.churn_risk <> 'Medium'`));
  assert.equal(Number(medium[0].n), 0);
  await db.exec(`INSERT INTO events SELECT * FROM events LIMIT 1`);
  const fp2 = await dataFingerprint(db);
  assert.notEqual(fp2, fp);
  assert.deepEqual(builtinsToCompute(available, after, fp2), available.filter((o) => !o.unavailable).map((o) => o.id), 'all stale after the data changed');
  await db.close();
});
