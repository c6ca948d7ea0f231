// A user's timeline (src/analyses/timeline): their events in time order, the latest kept past the limit, on both
// engines; a hostile id stays a value.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { toRows } from '../src/lib/rows.ts';
import { decodeTimeline, timelineSql, timelineUserSql } from '../src/analyses/timeline/index.ts';

const EVIL = "u'); DROP TABLE events; --";

async function fixture(db: Db): Promise<void> {
  await db.exec(`CREATE TABLE events AS SELECT * FROM (VALUES
    ('u1', 's1', 'session_start', TIMESTAMP '2024-01-01 10:00', NULL, NULL, NULL::DOUBLE, NULL, 'google'),
    ('u1', 's1', 'purchase', TIMESTAMP '2024-01-01 10:05', 'p1', 'Books', 20.5, 'o1', 'google'),
    ('u1', 's1', 'product_view', TIMESTAMP '2024-01-01 10:02', 'p1', 'Books', NULL, NULL, 'google'),
    ('u2', 's2', 'session_start', TIMESTAMP '2024-01-02 09:00', NULL, NULL, NULL, NULL, NULL),
    ('${EVIL.replaceAll("'", "''")}', 's3', 'session_start', TIMESTAMP '2024-01-03 09:00', NULL, NULL, NULL, NULL, NULL),
    ('u1', 's4', 'session_start', TIMESTAMP '2024-02-01 08:00', NULL, NULL, NULL, NULL, 'email')
  ) t(user_id, session_id, event_type, ts, product_id, category, revenue, order_id, source);
  CREATE TABLE users AS SELECT * FROM (VALUES ('u1', 'France'), ('u2', 'Japan')) t(user_id, country);
  CREATE TABLE user_metrics AS SELECT * FROM (VALUES ('u1', 1, 20.5)) t(user_id, orders, revenue);`);
}

function suite(name: string, open: () => Promise<Db>) {
  describe(`user timeline (${name})`, () => {
    test('events oldest first with their fields; the total; the latest kept past the limit', async () => {
      const db = await open();
      try {
        await fixture(db);
        const q = timelineSql('u1');
        const t = decodeTimeline(await db.query(q.text, q.params));
        assert.equal(t.total, 4);
        assert.deepEqual(t.events.map((e) => [new Date(e.ts).toISOString().slice(0, 16), e.type, e.product, e.revenue, e.order, e.source]), [
          ['2024-01-01T10:00', 'session_start', null, null, null, 'google'],
          ['2024-01-01T10:02', 'product_view', 'p1', null, null, 'google'],
          ['2024-01-01T10:05', 'purchase', 'p1', 20.5, 'o1', 'google'],
          ['2024-02-01T08:00', 'session_start', null, null, null, 'email'],
        ]);
        const q2 = timelineSql('u1', 2);
        const last2 = decodeTimeline(await db.query(q2.text, q2.params));
        assert.equal(last2.total, 4);
        assert.deepEqual(last2.events.map((e) => e.type), ['purchase', 'session_start']);
        const evil = timelineSql(EVIL);
        assert.ok(!evil.text.includes('DROP'));
        assert.deepEqual(decodeTimeline(await db.query(evil.text, evil.params)).events.map((e) => e.type), ['session_start']);
        assert.deepEqual(decodeTimeline(await db.query(timelineSql('nobody').text, timelineSql('nobody').params)), { total: 0, events: [] });
        const u = timelineUserSql('u1');
        assert.deepEqual(toRows(await db.query(u.text, u.params)).map((r) => [r.user_id, r.country, Number(r.orders)]), [['u1', 'France', 1]]);
      } finally {
        await db.close();
      }
    });
  });
}

suite('native', () => openNodeDb());
suite('DuckDB-WASM', openWasmDb);
