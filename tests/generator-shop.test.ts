// Checks on a loaded default shop (5,000 users, 365 days): the table contract, integrity, and the behaviour it was
// designed to show. Only defines shopSuite(getDb) (run by generator.test.ts), so a browser runner can reuse it.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { firstRow, toRows, type Row } from '../src/lib/rows.ts';
import { STORAGE_ORDER_SQL } from './fixtures/storage-order.ts';

const END = `TIMESTAMP '2025-12-31 23:59:59'`;

/** All checks on a database that already holds the default shop; `getEvents` is what loadShop reported. */
export function shopSuite(getDb: () => Db, getEvents: () => number): void {
  const one = async (sql: string): Promise<Row> => firstRow(await getDb().query(sql));
  const num = async (sql: string): Promise<number> => Number(Object.values(await one(sql))[0]);
  const zero = async (label: string, sql: string): Promise<void> => assert.equal(await num(sql), 0, label);

  describe('contract', () => {
    test('has at least 50,000 events, as many as generateShop reported', async () => {
      const n = await num(`SELECT count(*) FROM events`);
      assert.equal(n, getEvents());
      assert.ok(n >= 50_000, `only ${n} events`);
    });
    test('columns have the agreed types (plain TIMESTAMP, DOUBLE money, BIGINT event_id)', async () => {
      const rows = toRows(await getDb().query(
        `SELECT table_name || '.' || column_name AS c, data_type AS t FROM information_schema.columns
         WHERE table_name IN ('events', 'users', 'products')`,
      ));
      const type = new Map(rows.map((r) => [r.c, r.t]));
      const want: Record<string, string> = {
        'events.event_id': 'BIGINT', 'events.ts': 'TIMESTAMP', 'events.price': 'DOUBLE', 'events.quantity': 'INTEGER',
        'events.revenue': 'DOUBLE', 'events.order_id': 'VARCHAR', 'users.signup_ts': 'TIMESTAMP', 'users.age': 'INTEGER',
        'users.income': 'DOUBLE', 'users.newsletter_opt_in': 'BOOLEAN', 'products.price': 'DOUBLE',
      };
      for (const [c, t] of Object.entries(want)) assert.equal(type.get(c), t, c);
      assert.ok(rows.filter((r) => String(r.c).startsWith('users.')).length >= 25, 'users has fewer than 25 columns');
    });
    test('ids are formatted and unique; event_id is 1..N in time order', async () => {
      await zero('bad user ids', `SELECT count(*) FROM users WHERE NOT regexp_full_match(user_id, 'U\\d{6,}')`);
      await zero('duplicate emails', `SELECT count(*) - count(DISTINCT email) FROM users`);
      await zero('bad product ids', `SELECT count(*) FROM products WHERE NOT regexp_full_match(product_id, 'P\\d{4}')`);
      const e = await one(`SELECT count(*)::BIGINT n, count(DISTINCT event_id)::BIGINT d, min(event_id)::BIGINT lo, max(event_id)::BIGINT hi FROM events`);
      assert.deepEqual([e.d, e.lo, e.hi], [e.n, 1, e.n]);
      await zero('event_id not in ts order', `SELECT count(*) FROM (SELECT ts < lag(ts) OVER (ORDER BY event_id) AS back FROM events) WHERE back`);
    });
    test('events are stored by month, then user, then time (each user\'s month side by side)', async () => {
      const r = await one(STORAGE_ORDER_SQL);
      assert.deepEqual([r.back, r.split], [0, 0]);
      // And that is not time order: the check can tell them apart.
      await zero('stored in time order', `SELECT CASE WHEN count(*) FILTER (WHERE ts < lag) > 0 THEN 0 ELSE 1 END FROM (SELECT ts, lag(ts) OVER (ORDER BY rowid) AS lag FROM events)`);
    });
    test('events lie inside the year ending 2025-12-31 23:59:59', async () => {
      await zero('events outside the period', `SELECT count(*) FROM events WHERE ts < TIMESTAMP '2025-01-01' OR ts > ${END}`);
    });
    test('users: ages 18-75, known genders, mostly US with census regions', async () => {
      await zero('bad ages', `SELECT count(*) FROM users WHERE age NOT BETWEEN 18 AND 75`);
      await zero('bad genders', `SELECT count(*) FROM users WHERE gender NOT IN ('female', 'male', 'non-binary', 'unknown')`);
      const us = await num(`SELECT avg((country = 'United States')::INT) FROM users`);
      assert.ok(us > 0.6 && us < 0.8, `US share ${us}`);
      await zero('US users outside census regions', `SELECT count(*) FROM users WHERE country = 'United States' AND region NOT IN ('Northeast', 'Midwest', 'South', 'West')`);
      await zero('foreign users in US regions', `SELECT count(*) FROM users WHERE country <> 'United States' AND region IN ('Northeast', 'Midwest', 'South', 'West')`);
      assert.ok((await num(`SELECT count(DISTINCT country) FROM users`)) >= 6);
    });
    test('products: about 200, $10-$500, at least 8 categories', async () => {
      const p = await one(`SELECT count(*)::BIGINT n, min(price) lo, max(price) hi, count(DISTINCT category)::BIGINT c FROM products`);
      assert.ok(Number(p.n) >= 150 && Number(p.n) <= 250, `products: ${p.n}`);
      assert.ok(Number(p.lo) >= 10 && Number(p.hi) <= 500, `price range ${p.lo}-${p.hi}`);
      assert.ok(Number(p.c) >= 8);
    });
  });

  describe('integrity', () => {
    test('every event points at a real user and product, with the product category and price', async () => {
      await zero('orphan users', `SELECT count(*) FROM events e ANTI JOIN users u USING (user_id)`);
      await zero('orphan products', `SELECT count(*) FROM events e ANTI JOIN products p USING (product_id) WHERE e.product_id IS NOT NULL`);
      await zero('wrong category/price', `SELECT count(*) FROM events e JOIN products p USING (product_id) WHERE e.category <> p.category OR e.price <> p.price`);
      await zero('product events without product', `SELECT count(*) FROM events WHERE event_type IN ('product_view', 'add_to_cart', 'purchase', 'refund') AND product_id IS NULL`);
    });
    test('purchases carry price, quantity, order_id and revenue = price * quantity', async () => {
      await zero('incomplete purchases', `SELECT count(*) FROM events WHERE event_type = 'purchase' AND (price IS NULL OR quantity IS NULL OR quantity < 1 OR order_id IS NULL OR abs(revenue - price * quantity) > 0.005)`);
      await zero('revenue on other events', `SELECT count(*) FROM events WHERE event_type NOT IN ('purchase', 'refund') AND (revenue IS NOT NULL OR order_id IS NOT NULL)`);
      await zero('refunds not matching a purchase line of the same user', `SELECT count(*) FROM events r WHERE event_type = 'refund' AND (revenue <= 0 OR NOT EXISTS (SELECT 1 FROM events p WHERE p.event_type = 'purchase' AND p.order_id = r.order_id AND p.user_id = r.user_id AND p.product_id = r.product_id AND p.quantity = r.quantity AND p.ts < r.ts))`);
      assert.ok((await num(`SELECT count(*) FROM (SELECT order_id FROM events WHERE event_type = 'purchase' GROUP BY 1 HAVING count(*) > 1)`)) > 100, 'no multi-line orders');
    });
    test('sessions: one user, start first, end last, strictly increasing times', async () => {
      await zero('malformed sessions', `
        WITH s AS (
          SELECT session_id, count(DISTINCT user_id) users, count(*) n, count(DISTINCT ts) times,
            count(*) FILTER (WHERE event_type = 'session_start') starts, count(*) FILTER (WHERE event_type = 'session_end') ends,
            min(ts) lo, max(ts) hi, arg_min(event_type, event_id) first_type, arg_max(event_type, event_id) last_type,
            min(ts) FILTER (WHERE event_type = 'session_start') start_ts, max(ts) FILTER (WHERE event_type = 'session_end') end_ts
          FROM events GROUP BY 1)
        SELECT count(*) FROM s WHERE users <> 1 OR times <> n OR starts <> 1 OR ends <> 1 OR first_type <> 'session_start'
          OR last_type <> 'session_end' OR start_ts <> lo OR end_ts <> hi`);
    });
    test("a user's sessions never overlap, and the first comes no earlier than sign-up", async () => {
      await zero('overlapping sessions', `
        WITH s AS (SELECT user_id, session_id, min(ts) lo, max(ts) hi FROM events GROUP BY ALL)
        SELECT count(*) FROM (SELECT lo <= lag(hi) OVER (PARTITION BY user_id ORDER BY lo) AS overlap FROM s) WHERE overlap`);
      await zero('activity before sign-up', `SELECT count(*) FROM user_metrics m JOIN users u USING (user_id) WHERE m.first_seen < u.signup_ts`);
    });
  });

  describe('behaviour', () => {
    const conv = (by: string): Promise<Row[]> => getDb().query(`
      SELECT ${by} AS k, (count(DISTINCT session_id) FILTER (WHERE event_type = 'purchase') / count(DISTINCT session_id))::DOUBLE AS c
      FROM events GROUP BY 1 ORDER BY c DESC`).then((t) => toRows(t));
    test('email converts best and social worst; desktop > tablet > mobile', async () => {
      const media = (await conv('medium')).map((r) => r.k);
      assert.equal(media[0], 'email', `medium order ${media}`);
      assert.deepEqual(new Set(media.slice(-2)), new Set(['social', 'paid_social']), `medium order ${media}`);
      const sources = (await conv('source')).map((r) => r.k);
      assert.equal(sources.at(-1), 'tiktok', `source order ${sources}`);
      assert.deepEqual((await conv('device')).map((r) => r.k), ['desktop', 'tablet', 'mobile']);
    });
    test('one-time buyers, repeat buyers and cart abandoners all exist in numbers', async () => {
      const m = await one(`SELECT count(*) FILTER (WHERE orders = 1)::BIGINT once, count(*) FILTER (WHERE orders >= 2)::BIGINT repeat,
        count(*) FILTER (WHERE cart_adds > 0 AND orders = 0)::BIGINT abandoners FROM user_metrics`);
      for (const k of ['once', 'repeat', 'abandoners']) assert.ok(Number(m[k]) >= 200, `${k}: ${m[k]}`);
    });
    test('refunds hit 1-5% of orders', async () => {
      const r = await num(`SELECT count(DISTINCT order_id) FILTER (WHERE event_type = 'refund') / count(DISTINCT order_id) FROM events`);
      assert.ok(r >= 0.01 && r <= 0.05, `refund rate ${r}`);
    });
    test('holiday months out-earn the average month, beyond what growth alone explains', async () => {
      const r = await one(`WITH m AS (SELECT month(ts) mo, sum(revenue) FILTER (WHERE event_type = 'purchase') rev FROM events GROUP BY 1)
        SELECT avg(rev) FILTER (WHERE mo IN (11, 12)) / avg(rev) AS ratio FROM m`);
      assert.ok(Number(r.ratio) > 1.5, `Nov-Dec / average month = ${r.ratio}`);
      // Against the two months just before, so the growing user base barely counts: the peak itself must show.
      const daily = await one(`SELECT
          sum(revenue) FILTER (WHERE ts >= TIMESTAMP '2025-11-15' AND ts < TIMESTAMP '2025-12-22') / 37 AS peak,
          sum(revenue) FILTER (WHERE ts >= TIMESTAMP '2025-09-15' AND ts < TIMESTAMP '2025-11-15') / 61 AS before
        FROM events WHERE event_type = 'purchase'`);
      assert.ok(Number(daily.peak) > 1.6 * Number(daily.before), `daily revenue peak ${daily.peak} vs before ${daily.before}`);
    });
    test('weekend days are busier than midweek days', async () => {
      const w = await one(`WITH d AS (SELECT ts::DATE AS d_day, count(*) n FROM events WHERE event_type = 'session_start' GROUP BY 1)
        SELECT avg(n) FILTER (WHERE dayofweek(d_day) IN (0, 6)) / avg(n) FILTER (WHERE dayofweek(d_day) IN (2, 3, 4)) AS ratio FROM d`);
      assert.ok(Number(w.ratio) > 1.15, `weekend/midweek = ${w.ratio}`);
    });
    test('higher-income users buy pricier items', async () => {
      const t = toRows(await getDb().query(`WITH t AS (SELECT user_id, ntile(3) OVER (ORDER BY income, user_id) k FROM users)
        SELECT k, avg(price) p FROM events JOIN t USING (user_id) WHERE event_type = 'purchase' GROUP BY 1 ORDER BY 1`));
      assert.ok(Number(t[2].p) > 1.5 * Number(t[0].p), `top tercile ${t[2].p} vs bottom ${t[0].p}`);
    });
    test('sign-ups grow: the later half of the year has more than the first', async () => {
      const g = await one(`SELECT count(*) FILTER (WHERE signup_ts >= TIMESTAMP '2025-07-02') / count(*) FILTER (WHERE signup_ts < TIMESTAMP '2025-07-02') AS ratio FROM users WHERE signup_ts >= TIMESTAMP '2025-01-01'`);
      assert.ok(Number(g.ratio) > 1.4, `later/first half sign-ups = ${g.ratio}`);
      assert.ok((await num(`SELECT count(*) FROM users WHERE signup_ts < TIMESTAMP '2025-01-01'`)) > 0, 'no pre-period users');
    });
    test('the top 1% of users by events hold a disproportionate share', async () => {
      const share = await num(`WITH r AS (SELECT events, ntile(100) OVER (ORDER BY events DESC, user_id) pct FROM user_metrics)
        SELECT sum(events) FILTER (WHERE pct = 1) / sum(events) FROM r`);
      assert.ok(share > 0.08, `top 1% share ${share}`);
    });
    test('many users churn: last seen over 90 days before the end', async () => {
      const c = await num(`SELECT avg((last_seen < ${END} - INTERVAL 90 DAY)::INT) FROM user_metrics WHERE events > 0`);
      assert.ok(c > 0.2 && c < 0.8, `churned share ${c}`);
    });
  });
}

