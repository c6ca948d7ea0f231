import { openNodeDb } from '../src/db/node-db.ts';
import { loadShop } from '../src/data/generator/index.ts';
import { OVERVIEW_PANELS, DEFAULT_OVERVIEW } from '../src/analyses/overview/index.ts';
const users = Number(process.argv[2] ?? 66000);
const db = await openNodeDb();
await db.exec('SET threads=1');
await loadShop(db, { users, days: 365, seed: 42 });
console.log((await db.query(`SELECT (SELECT count(*) FROM user_metrics) um, (SELECT count(*) FROM events) ev, (SELECT count(*) FROM users) u`)).toArray().map(r=>r.toJSON()));
const q = OVERVIEW_PANELS.kpis(DEFAULT_OVERVIEW);
const alt = `WITH per_user AS (SELECT last_seen AS last_ts, orders, first_purchase IS NOT NULL AS bought FROM user_metrics WHERE events > 0),
bounds AS (SELECT min(ts) AS range_start, max(ts) AS range_end FROM events),
people AS (
  SELECT count(*)::DOUBLE AS users,
    count(*) FILTER (WHERE last_ts > bounds.range_end - INTERVAL 30 DAY)::DOUBLE AS active_users,
    count(*) FILTER (WHERE bought)::DOUBLE AS buyers,
    count(*) FILTER (WHERE bought AND orders >= 2)::DOUBLE AS repeat_buyers
  FROM per_user CROSS JOIN bounds
),
totals AS (
  SELECT
    count(DISTINCT order_id) FILTER (WHERE event_type = 'purchase')::DOUBLE AS orders,
    coalesce(sum(revenue) FILTER (WHERE event_type = 'purchase'), 0)::DOUBLE AS revenue,
    coalesce(sum(revenue) FILTER (WHERE event_type = 'refund'), 0)::DOUBLE AS refunds
  FROM events WHERE event_type IN ('purchase', 'refund')
)
SELECT p.users, p.active_users, p.buyers, p.repeat_buyers, t.orders, t.revenue, t.refunds FROM totals t CROSS JOIN people p`;
const check = `SELECT (SELECT sum(events) FROM user_metrics) = (SELECT count(*) FROM events WHERE user_id IS NOT NULL) AS ok`;
const time = async (label: string, text: string, params: any[] = []) => {
  const ts: number[] = [];
  let out: any;
  for (let i = 0; i < 7; i++) { const t = performance.now(); out = await db.query(text, params); ts.push(performance.now() - t); }
  ts.sort((a, b) => a - b);
  console.log(label, ts[3].toFixed(1), JSON.stringify(out.toArray()[0].toJSON()).slice(0, 200));
};
for (let r = 0; r < 2; r++) {
  await time('kpis events', q.text, q.params as any[]);
  await time('kpis user_metrics', alt);
  await time('check', check);
}
await db.close();
