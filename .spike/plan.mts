import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from '../tests/fixtures/import/wasm-db.ts';
import { loadShop } from '../src/data/generator/index.ts';
import { BENCH_ANALYSES } from '../bench/analyses.ts';
import { decodeFields, fieldsSql } from '../src/analyses/fields.ts';
import { OVERVIEW_PANELS, DEFAULT_OVERVIEW } from '../src/analyses/overview/index.ts';
const users = Number(process.argv[2] ?? 5000);
for (const [name, open] of [['native', openNodeDb], ['wasm', openWasmDb]] as const) {
  const db: any = await open();
  if (name === 'native') await db.exec('SET threads=1');
  await loadShop(db, { users, days: 365, seed: 42 });
  const fq = fieldsSql();
  const fields = decodeFields(await db.query(fq.text, fq.params));
  const med = async (fn: () => Promise<unknown>) => { const ts: number[] = []; for (let i = 0; i < 7; i++) { const t = performance.now(); await fn(); ts.push(performance.now() - t); } ts.sort((a, b) => a - b); return ts[3].toFixed(1); };
  const items = BENCH_ANALYSES.slice(0, 3).map((a) => [a.name.slice(0, 14), a.build(fields)] as const);
  items.push(['kpis 90d', OVERVIEW_PANELS.kpis({ ...DEFAULT_OVERVIEW, from: '2025-10-03', to: '2025-12-31' })]);
  items.push(['churn', OVERVIEW_PANELS.churn(DEFAULT_OVERVIEW)]);
  for (const [label, q] of items) {
    const run = await med(() => db.query(q.text, [...q.params]));
    const explain = await med(() => db.query('EXPLAIN ' + q.text, [...q.params]));
    console.log(name, label, 'run', run, 'explain', explain);
  }
  console.log(name, 'SELECT 1', await med(() => db.query('SELECT 1')));
}
