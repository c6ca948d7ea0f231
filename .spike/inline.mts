import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from '../tests/fixtures/import/wasm-db.ts';
import { loadShop } from '../src/data/generator/index.ts';
import { BENCH_ANALYSES } from '../bench/analyses.ts';
import { decodeFields, fieldsSql } from '../src/analyses/fields.ts';
import { OVERVIEW_PANELS, DEFAULT_OVERVIEW } from '../src/analyses/overview/index.ts';
import { scriptSql } from '../src/sql/quote.ts';
const users = Number(process.argv[2] ?? 5000);
for (const [name, open] of [['native', openNodeDb], ['wasm', openWasmDb]] as const) {
  const db: any = await open();
  if (name === 'native') await db.exec('SET threads=1');
  await loadShop(db, { users, days: 365, seed: 42 });
  const fq = fieldsSql();
  const fields = decodeFields(await db.query(fq.text, fq.params));
  const med = async (fn: () => Promise<unknown>) => { const ts: number[] = []; for (let i = 0; i < 9; i++) { const t = performance.now(); await fn(); ts.push(performance.now() - t); } ts.sort((a, b) => a - b); return ts[4].toFixed(1); };
  const items: [string, any][] = BENCH_ANALYSES.map((a) => [a.name.slice(0, 18), a.build(fields)]);
  const s90 = { ...DEFAULT_OVERVIEW, from: '2025-10-03', to: '2025-12-31' };
  for (const [k, b] of Object.entries(OVERVIEW_PANELS)) { items.push([k + ' all', (b as any)(DEFAULT_OVERVIEW, { sessionMetrics: true, userMetrics: true })]); items.push([k + ' 90d', (b as any)(s90, { sessionMetrics: true })]); }
  for (const [label, q] of items) {
    if (!q.params.length) { console.log(name, label.padEnd(22), 'no params'); continue; }
    const a = await med(() => db.query(q.text, [...q.params]));
    const inl = scriptSql(q);
    const b = await med(() => db.query(inl));
    console.log(name, label.padEnd(22), 'bound', a, 'inlined', b, q.params.length);
  }
}
