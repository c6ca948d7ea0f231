// The Dashboard's live tiles (src/views/dashboard/tiles.ts) on the hand-made shop of tests/fixtures/pivot-fixture.ts,
// on both engines: each saved view's headline and rows, worked out by hand from the fixture's tables (see its
// comment): 3 users with events (u01–u03), 6 purchase lines in 5 orders worth 150, u01 and u02 buy, u03 only carts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { PIVOT_FIXTURE_SQL } from './fixtures/pivot-fixture.ts';
import { decodeFields, fieldsSql } from '../src/analyses/fields.ts';
import { toRows } from '../src/lib/rows.ts';
import { tileSummary, type TileContext } from '../src/views/dashboard/tiles.ts';
import { funnelToParams } from '../src/views/funnels/url-spec.ts';
import { DEFAULT_FUNNEL } from '../src/analyses/funnel/index.ts';
import type { SegmentationRecord } from '../src/data/segments-store.ts';

const ENGAGEMENT: SegmentationRecord = { column: 'engagement_level', name: 'Engagement level', kind: 'builtin', type: 'label', definition: null, updatedAt: 0, dataVersion: null };
const query = (params: Record<string, string | null>) => new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== null)).toString();

function suite(name: string, open: () => Promise<Db>) {
  describe(`dashboard tiles (${name})`, () => {
    test('funnel, retention, journeys, pivot, overview and segments tiles over the hand-made shop', async () => {
      const db = await open();
      try {
        await db.exec(PIVOT_FIXTURE_SQL);
        // A segmentation: u01 and u02 bought, u03 browsed, nobody else is labelled.
        await db.exec(`CREATE TABLE user_segments AS SELECT user_id, CASE WHEN user_id IN ('u01', 'u02') THEN 'Buyers' WHEN user_id = 'u03' THEN 'Browsers' END AS engagement_level FROM users`);
        const fq = fieldsSql();
        const fields = decodeFields(await db.query(fq.text, fq.params));
        const eventTypes = toRows(await db.query('SELECT DISTINCT event_type AS t FROM events ORDER BY 1')).map((r) => String(r.t));
        const ctx: TileContext = { fields, eventTypes, segments: [ENGAGEMENT] };
        const run = (q: { text: string; params: readonly unknown[] }) => db.query(q.text, q.params as never);

        // Funnel view → cart → purchase, users within 14 days: u01, u02, u03 view; all three cart after viewing;
        // u01 (23:59:59 after the 23:30 cart) and u02 buy after their carts: 3, 3, 2 — 2 of 3 reach the end.
        const funnel = { ...DEFAULT_FUNNEL, steps: [{ eventType: 'product_view' }, { eventType: 'add_to_cart' }, { eventType: 'purchase' }] };
        const f = await tileSummary(run, { screen: 'funnels', query: query(funnelToParams(funnel)) }, ctx);
        assert.equal(f.headline, '66.7%');
        assert.deepEqual(f.rows.map((r) => r.value), ['3 · 100%', '3 · 100%', '2 · 66.7%']);
        assert.equal(f.rows.length, 3);
        assert.equal(f.note, null);

        // Retention, the default view (monthly cohorts by first purchase, returning with a purchase): Jan {u01}
        // buys again in Feb (month 1), not in Mar (month 2); Feb {u02} does not buy in Mar (month 1), and its
        // month 2 (April) has not ended by the data's last day (2024-04-02), so it is left out. Month 0: 2 of 2;
        // month 1: 1 of 2; month 2: 0 of 1; month 3 (April for Jan) is unfinished for everyone: no row.
        const r = await tileSummary(run, { screen: 'retention', query: '' }, ctx);
        assert.equal(r.headline, '50%');
        assert.match(r.caption, /average of 2 cohorts/);
        assert.deepEqual(r.rows, [{ label: 'Month 0', value: '100%' }, { label: 'Month 1', value: '50%' }, { label: 'Month 2', value: '0%' }]);

        // Journeys: no session_start in this data, so the default journeys end at a purchase. Sessions with a
        // purchase: s1, s4, s6 go view → cart → purchase (u01, u02), s2 goes view → purchase (repeats collapsed).
        const j = await tileSummary(run, { screen: 'journeys', query: '' }, ctx);
        assert.equal(j.headline, '2');
        assert.match(j.caption, /to purchase \(4 sessions\)/);
        assert.deepEqual(j.rows, [
          { label: 'product_view → add_to_cart → purchase', value: '2 users' },
          { label: 'product_view → purchase', value: '1 user' },
        ]);

        // Pivot, the default for this data (users by country, first measure = users): all 10 users; France u01,
        // u02, u10; Germany u03, u07; Côte d'Ivoire u04, u05; no country u06, u09; Japan u08.
        const p = await tileSummary(run, { screen: 'pivot', query: '' }, ctx);
        assert.equal(p.headline, '10');
        assert.match(p.caption, /^Users/);
        const byCountry = Object.fromEntries(p.rows.map((x) => [x.label, x.value]));
        assert.equal(p.rows.length, 5);
        assert.deepEqual({ France: byCountry.France, Germany: byCountry.Germany, "Côte d'Ivoire": byCountry["Côte d'Ivoire"], Japan: byCountry.Japan }, { France: '3', Germany: '2', "Côte d'Ivoire": '2', Japan: '1' });

        // Overview, whole range: 3 users with events, 5 orders, revenue 150 (refunds are not revenue), 2 of 3
        // users bought, AOV 150 / 5 = 30.
        const o = await tileSummary(run, { screen: 'overview', query: '' }, ctx);
        assert.equal(o.headline, '$150');
        assert.deepEqual(o.rows.map((x) => x.value), ['3', '5', '66.7%', '$30']);

        // Segments: the one segmentation, largest first: 7 unlabelled, Buyers 2, Browsers 1 of 10.
        const s = await tileSummary(run, { screen: 'segments', query: 's=engagement_level' }, ctx);
        assert.equal(s.headline, '10');
        assert.equal(s.caption, 'users in Engagement level');
        assert.deepEqual(s.rows, [{ label: '(none)', value: '7 · 70%' }, { label: 'Buyers', value: '2 · 20%' }, { label: 'Browsers', value: '1 · 10%' }]);
        // A view of a segmentation this dataset no longer has shows the default one; with none, says so.
        assert.equal((await tileSummary(run, { screen: 'segments', query: 's=gone' }, ctx)).caption, 'users in Engagement level');
        assert.match((await tileSummary(run, { screen: 'segments', query: '' }, { ...ctx, segments: [] })).caption, /no segmentation/);

        // A damaged saved link: the tile shows the screen's default view and says why.
        const bad = await tileSummary(run, { screen: 'pivot', query: 'p=%7Bnope' }, ctx);
        assert.equal(bad.headline, '10');
        assert.match(bad.note ?? '', /pivot was ignored/);
      } finally {
        await db.close();
      }
    });
  });
}

suite('native', () => openNodeDb());
suite('DuckDB-WASM', openWasmDb);
