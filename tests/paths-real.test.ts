// Journeys on real data: the REES46 head (../shared/data) imported as a user would (probe -> detect -> runImport,
// no manual mapping), then top paths and the Sankey checked against an independent TypeScript pass over the CSV
// rows (tests/fixtures/paths-reference.ts): exact duplicate rows set aside as the importer does, sessions from
// user_session, events ordered by time and then file order (the events table keeps file order within a
// session's equal timestamps, and rowid follows the table). The data's one tie inside a session (a view and a
// cart of the same second) changes no path, so the tie-break itself is tested on the hand-made shop instead.
// Run: TZ=UTC node --import tsx --test tests/paths-real.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { decodeFields, fieldsSql, type Field } from '../src/analyses/fields.ts';
import {
  computePaths, decodePathsSankey, decodePathsTop, pathsByPass, pathsEventsSql, pathsKeysSql, pathsSankeySql, pathsTopSql, pathTypes, validatePathsSpec,
} from '../src/analyses/paths/index.ts';
import { importFiles } from './fixtures/import/support.ts';
import { records } from './fixtures/csv.ts';
import { refSankey, refTopPaths, type PathEvent, type RefPathsSpec } from './fixtures/paths-reference.ts';

const REES = fileURLToPath(new URL('../../shared/data/rees46_2019_oct_head.csv.gz', import.meta.url));
const VOCAB: Record<string, string> = { view: 'product_view', cart: 'add_to_cart', purchase: 'purchase' };

/** The CSV's events in file order, exact duplicate rows dropped (the importer sets them aside). */
function csvEvents(): PathEvent[] {
  const { header, data } = records(REES);
  assert.deepEqual(header, ['event_time', 'event_type', 'product_id', 'category_id', 'category_code', 'brand', 'price', 'user_id', 'user_session']);
  const seen = new Set<string>();
  const out: PathEvent[] = [];
  for (const r of data) {
    const key = r.join('\u0001');
    if (seen.has(key)) continue;
    seen.add(key);
    assert.ok(VOCAB[r[1]], `unexpected event type ${r[1]}`);
    out.push({ user: r[7], session: r[8], type: VOCAB[r[1]], ms: Date.parse(r[0].replace(' UTC', 'Z').replace(' ', 'T')) });
  }
  return out;
}

describe('journeys on real data: REES46 events', () => {
  let db: Db;
  let fields: Field[];
  let events: PathEvent[];
  before(async () => {
    if (!existsSync(REES)) assert.fail(`Real-data test needs ${REES} (the shared data folder next to the project; see its README).`);
    db = await openNodeDb();
    await importFiles(db, [REES]);
    const q = fieldsSql();
    fields = decodeFields(await db.query(q.text, q.params));
    events = csvEvents();
  });
  after(async () => db?.close());

  async function check(spec: RefPathsSpec, minRows: number) {
    const s = validatePathsSpec({ ...spec, users: { op: 'and', items: [] } });
    const want = refTopPaths(events, spec);
    assert.ok(want.rows.length >= minRows, `the reference has ${want.rows.length} paths`);
    const ref = refSankey(events, spec);
    const t = pathsTopSql(s, fields);
    const k = pathsSankeySql(s, fields);
    const statements = { top: decodePathsTop(await db.query(t.text, t.params)), sankey: decodePathsSankey(await db.query(k.text, k.params)) };
    // What the screens run: the one pass over the selected rows.
    const shown = await computePaths((q) => db.query(q.text, q.params), s, fields);
    assert.equal(shown.onePass, true);
    // The import stored each session's path with the dataset: the pass read those, one row per session.
    assert.match(shown.sql[0].text, /FROM session_metrics m/);
    // And the pass over the events themselves (a dataset stored before session paths existed) gives the same.
    const types = pathTypes(await db.query(pathsKeysSql().text));
    assert.ok(types?.stored);
    const q = pathsEventsSql(s, fields);
    const fromEvents = (await pathsByPass(await db.query(q.text, q.params), { ...types, stored: false }, s))!;
    for (const [how, { top: got, sankey }] of [['statements', statements], ['one pass', shown], ['one pass over the events', fromEvents]] as const) {
      assert.deepEqual([got.totalUsers, got.totalSessions, got.totalPaths], [want.totalUsers, want.totalSessions, want.totalPaths], how);
      assert.deepEqual(got.rows.map((r) => [r.steps, r.users, r.sessions]), want.rows.map((r) => [r.steps, r.users, r.sessions]), how);
      got.rows.forEach((r, i) => assert.ok(Math.abs(r.share - want.rows[i].share) < 1e-12, `${how}: share of path ${i}`));
      const name = new Map(sankey.nodes.map((n) => [n.id, `${n.step}|${n.type ?? '(other)'}`]));
      assert.deepEqual(new Map(sankey.nodes.map((n) => [name.get(n.id)!, n.users])), ref.nodes, how);
      assert.deepEqual(new Map(sankey.links.map((l) => [`${name.get(l.source)} -> ${name.get(l.target)}`, l.users])), ref.links, how);
    }
  }

  test('starting at product_view, 3 steps, repeats collapsed: top 50 paths and the Sankey equal a plain pass', async () => {
    await check({ anchor: 'start', eventType: 'product_view', steps: 3, collapse: true, nodesPerStep: 8 }, 3);
  });

  test('ending at purchase, 4 steps, repeats kept, 2 types per step: the same', async () => {
    await check({ anchor: 'end', eventType: 'purchase', steps: 4, collapse: false, nodesPerStep: 2 }, 10);
  });
});
