// The probabilistic CLV on real data through the app: ../shared/data/CDNOW_sample.txt imported as a user would
// (the import recognises the whitespace-separated, headerless layout and guesses column0 as the user id, column2
// as the time, column3 as the quantity and column4 as the revenue, a transactions file, with no edit, and
// keeps repeated lines, which in CDNOW are separate CD orders), then the app's summary SQL at the 39-week cutoff
// (1997-09-30) must equal a plain loop over the file's lines, on native DuckDB and DuckDB-WASM, and the fits on it
// must reproduce the published estimates (Fader, Hardie & Lee 2005) within 1%.
// Run: TZ=UTC node --import tsx --test tests/predict-clv.test.ts
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { importFiles } from './fixtures/import/support.ts';
import { clvSummarySql, decodeClvSummary, LAST_PURCHASE_DAY_SQL } from '../src/analyses/predict/clv-sql.ts';
import { toRows } from '../src/lib/rows.ts';
import { fitBgNbd, fitGammaGamma } from '../src/ml/clv.ts';

const CDNOW = '../shared/data/CDNOW_sample.txt';

/** The loop reference: per customer, purchase days up to the cutoff (inclusive), in days. */
function reference(text: string, cutoff: number) {
  const by = new Map<string, Map<number, number>>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const day = Date.UTC(Number(f[2].slice(0, 4)), Number(f[2].slice(4, 6)) - 1, Number(f[2].slice(6, 8)));
    if (day > cutoff) continue;
    if (!by.has(f[0])) by.set(f[0], new Map());
    const days = by.get(f[0])!;
    days.set(day, (days.get(day) ?? 0) + Number(f[4]));
  }
  return new Map([...by].map(([id, days]) => {
    const ds = [...days.keys()].sort((a, b) => a - b);
    const x = ds.length - 1;
    return [id, { x, tx: (ds[x] - ds[0]) / 86_400_000, T: (cutoff - ds[0]) / 86_400_000, m: x > 0 ? ds.slice(1).reduce((s, d) => s + days.get(d)!, 0) / x : 0 }];
  }));
}

function suite(name: string, open: () => Promise<Db>) {
  describe(`CDNOW through the import and the CLV summary (${name})`, () => {
    let db: Db;
    before(async () => {
      if (!existsSync(CDNOW)) assert.fail(`Real-data test needs ${CDNOW}: put the shared data folder at ../shared/data next to the project.`);
      db = await open();
      // Zero edits: the headerless columns are guessed from their values.
      const { probes, report, mappings } = await importFiles(db, [CDNOW]);
      assert.deepEqual(probes[0].read.columns, ['column0', 'column1', 'column2', 'column3', 'column4']);
      assert.equal(mappings[0].role, 'transactions');
      assert.deepEqual(mappings[0].columns.map((c) => c.target), ['user_id', 'keep', 'ts', 'quantity', 'revenue']);
      assert.equal(mappings[0].dropDuplicates, false);
      // An independent pass over the file: 2,357 customers, 6,919 transactions, $ total.
      const text = readFileSync(CDNOW, 'utf8').split('\n').filter((l) => l.trim());
      const customers = new Set(text.map((l) => l.trim().split(/\s+/)[0]));
      const dollars = text.reduce((sum, l) => sum + Number(l.trim().split(/\s+/)[4]), 0);
      assert.deepEqual([text.length, customers.size], [6919, 2357]);
      assert.equal(report.totals.users, customers.size);
      assert.ok(Math.abs(report.totals.revenue - dollars) < 1e-6, `revenue ${report.totals.revenue} vs ${dollars}`);
      assert.match(probes[0].notes.join(' '), /separated by spaces/);
      assert.equal(report.files[0].rowsLoaded, 6919);
    });
    after(async () => db?.close());

    test('the 39-week summary equals the loop over the lines, and the fits reproduce the papers', async () => {
      const cutoff = Date.UTC(1997, 8, 30);
      const ref = reference(readFileSync(CDNOW, 'utf8'), cutoff);
      const q = clvSummarySql('1997-09-30');
      const s = decodeClvSummary(await db.query(q.text, q.params));
      assert.equal(s.userIds.length, 2357);
      assert.deepEqual(s.userIds, [...ref.keys()].sort());
      s.userIds.forEach((id, i) => {
        const r = ref.get(id)!;
        assert.deepEqual([s.x[i], s.tx[i], s.T[i]], [r.x, r.tx, r.T], id);
        assert.ok(Math.abs(s.m[i] - r.m) < 1e-9, `${id}: m ${s.m[i]} vs ${r.m}`);
      });
      // Days to weeks, as the papers count.
      const weeks = (a: Float64Array) => a.map((v) => v / 7);
      const bg = fitBgNbd({ x: s.x, tx: weeks(s.tx), T: weeks(s.T) });
      const within = (got: number, want: number, what: string) => assert.ok(Math.abs(got - want) <= 0.01 * want, `${what}: ${got} vs ${want}`);
      within(bg.params.r, 0.243, 'r');
      within(bg.params.alpha, 4.414, 'α');
      within(bg.params.a, 0.793, 'a');
      within(bg.params.b, 2.426, 'b');
      const gg = fitGammaGamma(s.x, s.m);
      within(gg.params.p, 6.25, 'p');
      within(gg.params.q, 3.74, 'q');
      within(gg.params.gamma, 15.44, 'γ');
      // In days the purchase rate's scale is 7 times the weeks' one; the other parameters do not change.
      const daily = fitBgNbd(s);
      within(daily.params.alpha, 7 * bg.params.alpha, 'α in days');
      within(daily.params.r, bg.params.r, 'r in days');
      assert.equal(String(toRows(await db.query(LAST_PURCHASE_DAY_SQL))[0].d), '1998-06-30');
    });
  });
}

suite('native DuckDB', () => openNodeDb());
suite('DuckDB-WASM', () => openWasmDb());
