// Machine-learned segments on real data (issue 13, "Real data"): UCI Online Retail (../shared/data, see its README)
// imported as a user would (probe -> detect -> runImport, no manual mapping: tests/fixtures/import/support.ts, the
// path tests/rfm-real.test.ts uses), then log-RFM k-means with k = 4 exactly as the Clusters screen runs it:
// features [m.days_since_last_purchase, m.orders, m.revenue] read by src/ml/features.ts (checkFeatures,
// textStatsSql, featureMatrixSql, decodeFeatureMatrix), src/ml/pipeline.ts runClustering with
// { algorithm: 'kmeans', k: 4, seed, restarts: 4, preprocessing: { log1p: true, scaling: 'standard' } } for seeds
// 0..4, and the stability across seeds: pairwise adjusted Rand index, silhouette (exact: 4,338 buyers is under the
// 10,000-row sampling limit) and inertia per seed.
//
// Customers: the buyers (orders > 0), filtered after reading the matrix. The screen's matrix holds every user, and
// the 33 customers with refunds only have no days_since_last_purchase (NULL, which preprocessing would impute with
// the median): they are not RFM customers, so they are left out here. The last test runs the screen's matrix as is
// (every user) and reports what those 33 users change.
//
// "log-RFM" as the app does it: log1p applies to counts and money (orders, revenue: FeatureColumn.skewed), not to
// days since the last purchase, which is standard-scaled as it is (src/ml/features.ts SKEWED).
//
// Independent checks: R, F and M per customer from a plain TypeScript pass over the gunzipped CSV cleaned as the
// README says (tests/fixtures/online-retail.ts: drop no CustomerID, cancellations "C...", Quantity <= 0,
// UnitPrice <= 0; orders = distinct InvoiceNo; revenue = Σ Quantity × UnitPrice; recency in calendar days from the
// day of the last purchase to the day of the data's last event, i.e. the last line the import loads: a customer,
// a non-zero quantity and a positive price, so refunds count); preprocessing, inertia, silhouette and ARI each
// recomputed by a plain loop here.
//
// One engine (native DuckDB): the import alone is 8-17 s here and this is an ML test; the feature SQL on both engines is
// covered by tests/ml-features.test.ts.
// Run: TZ=UTC node --import tsx --test tests/ml-real-data.test.ts
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { firstRow, toRows } from '../src/lib/rows.ts';
import { decodeFields, fieldsSql } from '../src/analyses/fields.ts';
import { checkFeatures, decodeFeatureMatrix, decodeTextStats, featureMatrixSql, textStatsSql, type FeatureColumn } from '../src/ml/features.ts';
import { preprocess } from '../src/ml/preprocess.ts';
import { runClustering, type ClusterRun, type ClusterSpec } from '../src/ml/pipeline.ts';
import { adjustedRandIndex } from '../src/ml/metrics.ts';
import type { Matrix } from '../src/ml/matrix.ts';
import { importFiles } from './fixtures/import/support.ts';
import { parseCsv, RETAIL, requireRetail, retailPurchases } from './fixtures/online-retail.ts';

const FEATURES = ['m.days_since_last_purchase', 'm.orders', 'm.revenue'];
const SEEDS = [0, 1, 2, 3, 4];
const K = 4;
const spec = (seed: number): ClusterSpec => ({ algorithm: 'kmeans', k: K, seed, restarts: 4, preprocessing: { log1p: true, scaling: 'standard' } });

const DAY = 86_400_000;
const dayOf = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));

interface Ref { recency: number; orders: number; revenue: number }

/**
 * The gzipped CSV's header and records, 3× faster than tests/fixtures/csv.ts `records` (5 s here): a line with no
 * quote is its fields split on commas (RFC 4180); a line with quotes is joined with the next ones until its quotes
 * balance (a quoted field may hold a newline) and read by that file's `parseCsv`.
 */
function retailRecords(path: string): { header: string[]; data: string[][] } {
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  const out: string[][] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (!line.includes('"')) {
      out.push(line.split(','));
      continue;
    }
    while ((line.match(/"/g)!.length & 1) === 1 && i + 1 < lines.length) line += '\n' + lines[++i];
    out.push(parseCsv(line)[0]);
  }
  const [header, ...data] = out;
  return { header, data };
}

/** Plain log1p (counts, money) and population-sd standard scaling, column by column. */
function refPreprocess(x: Matrix, log: readonly boolean[]): Matrix {
  const { rows: n, cols: d } = x;
  const out = new Float64Array(n * d);
  for (let j = 0; j < d; j++) {
    const v = Array.from({ length: n }, (_, i) => (log[j] ? Math.log1p(x.data[i * d + j]) : x.data[i * d + j]));
    const mean = v.reduce((s, a) => s + a, 0) / n;
    const sd = Math.sqrt(v.reduce((s, a) => s + (a - mean) ** 2, 0) / n);
    for (let i = 0; i < n; i++) out[i * d + j] = (v[i] - mean) / sd;
  }
  return { data: out, rows: n, cols: d };
}

/** Σ ‖x_i − mean of its cluster‖² (k-means' objective at the final assignment). */
function refInertia(x: Matrix, labels: Int32Array, k: number): number {
  const d = x.cols;
  const sum = new Float64Array(k * d);
  const cnt = new Float64Array(k);
  for (let i = 0; i < x.rows; i++) {
    cnt[labels[i]]++;
    for (let j = 0; j < d; j++) sum[labels[i] * d + j] += x.data[i * d + j];
  }
  let total = 0;
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < d; j++) total += (x.data[i * d + j] - sum[labels[i] * d + j] / cnt[labels[i]]) ** 2;
  return total;
}

/** The silhouette by its definition: every pair of rows, every row's a and b (O(n²), no sampling). */
function refSilhouette(x: Matrix, labels: Int32Array, k: number): number {
  const { rows: n, cols: d } = x;
  const size = new Float64Array(k);
  for (const l of labels) size[l]++;
  let total = 0;
  const toCluster = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    toCluster.fill(0);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let t = 0; t < d; t++) s += (x.data[i * d + t] - x.data[j * d + t]) ** 2;
      toCluster[labels[j]] += Math.sqrt(s);
    }
    const own = labels[i];
    if (size[own] <= 1) continue;
    const a = toCluster[own] / (size[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && size[c] > 0) b = Math.min(b, toCluster[c] / size[c]);
    total += (b - a) / Math.max(a, b);
  }
  return total / n;
}

/** Hubert–Arabie adjusted Rand index from the contingency table (the textbook form, not sklearn's pair form). */
function refAri(a: Int32Array, b: Int32Array): number {
  const c2 = (m: number) => (m * (m - 1)) / 2;
  const table = new Map<string, number>();
  const ra = new Map<number, number>();
  const rb = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    table.set(`${a[i]},${b[i]}`, (table.get(`${a[i]},${b[i]}`) ?? 0) + 1);
    ra.set(a[i], (ra.get(a[i]) ?? 0) + 1);
    rb.set(b[i], (rb.get(b[i]) ?? 0) + 1);
  }
  let index = 0;
  for (const v of table.values()) index += c2(v);
  let sa = 0;
  for (const v of ra.values()) sa += c2(v);
  let sb = 0;
  for (const v of rb.values()) sb += c2(v);
  const expected = (sa * sb) / c2(a.length);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

describe('log-RFM k-means (k = 4) on real data: UCI Online Retail, stable across seeds', () => {
  let db: Db;
  let columns: FeatureColumn[];
  let userIds: string[];
  let raw: Matrix;
  let allUsers: number;
  let loadedCustomers: number;
  let all: Matrix & { userIds: string[] };
  let buyer: boolean[];
  let buyerRows: number[];
  let ref: Map<string, Ref>;
  let lastEvent: string;
  let runs: ClusterRun[];
  let x: Matrix;
  const t0 = performance.now();
  const ms: Record<string, number> = {};

  before(async () => {
    requireRetail();
    db = await openNodeDb();
    const { mappings } = await importFiles(db, [RETAIL]);
    assert.equal(mappings[0].role, 'transactions');
    ms.import = performance.now() - t0;

    // The Clusters screen's read (clusters-state.svelte.ts loadMatrix), then the buyers only.
    const f = fieldsSql();
    const fields = decodeFields(await db.query(f.text, f.params));
    const feats = checkFeatures(FEATURES, fields);
    const ts = textStatsSql(feats);
    const stats = decodeTextStats(ts ? toRows(await db.query(ts.text, ts.params)) : [], feats);
    const m = featureMatrixSql(feats, stats);
    columns = m.columns;
    const read = decodeFeatureMatrix(await db.query(m.sql.text, m.sql.params), columns);
    allUsers = read.userIds.length;
    const d = columns.length;
    const ORDERS = columns.findIndex((c) => c.name === 'orders');
    all = { data: read.data, rows: allUsers, cols: d, userIds: read.userIds };
    buyer = Array.from({ length: allUsers }, (_, i) => read.data[i * d + ORDERS] > 0);
    const keep: number[] = [];
    for (let i = 0; i < allUsers; i++) if (buyer[i]) keep.push(i);
    buyerRows = keep;
    userIds = keep.map((i) => read.userIds[i]);
    const data = new Float64Array(keep.length * d);
    keep.forEach((i, r) => data.set(read.data.subarray(i * d, i * d + d), r * d));
    raw = { data, rows: keep.length, cols: d };

    // The reference: the CSV without the app.
    const t1 = performance.now();
    const { header, data: lines } = retailRecords(RETAIL);
    assert.deepEqual(header, ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country']);
    assert.equal(lines.length, 541_909);
    // The lines the import loads as events (purchases and refunds): the data's last event and the users.
    lastEvent = '';
    const customers = new Set<string>();
    for (const [, , , qty, date, price, customer] of lines) {
      if (!customer || Number(qty) === 0 || !(Number(price) > 0)) continue;
      customers.add(String(Math.trunc(Number(customer))));
      if (date > lastEvent) lastEvent = date;
    }
    loadedCustomers = customers.size;
    const purchases = retailPurchases(lines);
    assert.equal(purchases.length, 397_884);
    const per = new Map<string, { invoices: Set<string>; milli: number; last: string }>();
    for (const l of purchases) {
      const p = per.get(l.customer) ?? { invoices: new Set<string>(), milli: 0, last: '' };
      p.invoices.add(l.invoice);
      p.milli += l.milli;
      if (l.date > p.last) p.last = l.date;
      per.set(l.customer, p);
    }
    ref = new Map([...per].map(([c, p]) => [c, { recency: (dayOf(lastEvent) - dayOf(p.last)) / DAY, orders: p.invoices.size, revenue: p.milli / 1000 }]));
    ms.reference = performance.now() - t1;

    const t2 = performance.now();
    runs = SEEDS.map((seed) => runClustering(raw, columns, spec(seed)));
    ms.clustering = performance.now() - t2;
    x = preprocess(raw, columns, spec(0).preprocessing).x;
  });
  after(async () => db?.close());

  test("the feature matrix is every buyer's recency, orders and revenue from the CSV", async () => {
    assert.deepEqual(columns.map((c) => [c.name, c.encoding, c.skewed]), [
      ['days_since_last_purchase', 'value', false], ['orders', 'value', true], ['revenue', 'value', true],
    ], 'log1p on orders and revenue only (the app\'s rule for counts and money)');
    assert.equal(lastEvent, '2011-12-09 12:50:00');
    assert.equal(firstRow(await db.query(`SELECT strftime(max(ts), '%Y-%m-%d %H:%M:%S') AS t FROM events`)).t, lastEvent);
    assert.equal(ref.size, 4338);
    assert.equal(raw.rows, ref.size, 'buyers in the matrix');
    assert.deepEqual([...userIds].sort(), [...ref.keys()].sort(), 'the same customers');
    const d = raw.cols;
    for (let i = 0; i < raw.rows; i++) {
      const e = ref.get(userIds[i])!;
      const [recency, orders, revenue] = raw.data.subarray(i * d, i * d + d);
      assert.equal(recency, e.recency, `${userIds[i]}: days since last purchase`);
      assert.equal(orders, e.orders, `${userIds[i]}: orders`);
      assert.ok(Math.abs(revenue - e.revenue) <= 1e-6 * Math.abs(e.revenue), `${userIds[i]}: revenue ${revenue} vs ${e.revenue}`);
    }
    // The users left out are the customers with refunds only: no purchase, so no recency (NULL -> NaN) and 0 orders.
    assert.equal(allUsers, loadedCustomers);
    assert.equal(allUsers - raw.rows, 33);
    const recencyCol = columns.findIndex((c) => c.name === 'days_since_last_purchase');
    for (let i = 0; i < allUsers; i++) {
      if (buyer[i]) continue;
      assert.ok(Number.isNaN(all.data[i * d + recencyCol]), `${all.userIds[i]}: a user with no order has no recency`);
    }
  });

  test('preprocessing is log1p on orders and revenue, then standard scaling (a plain loop agrees)', () => {
    const want = refPreprocess(raw, columns.map((c) => c.skewed));
    assert.equal(x.rows, raw.rows);
    assert.equal(x.cols, 3);
    for (let i = 0; i < want.data.length; i++) assert.ok(Math.abs(x.data[i] - want.data[i]) < 1e-9, `value ${i}: ${x.data[i]} vs ${want.data[i]}`);
    assert.deepEqual(runs[0].preprocessing.dropped, []);
    assert.deepEqual(runs[0].preprocessing.transforms.map((t) => [t.name, t.log1p, t.missing]), [
      ['days_since_last_purchase', false, 0], ['orders', true, 0], ['revenue', true, 0],
    ]);
  });

  test('k = 4 over seeds 0..4: four non-empty clusters, stable assignments (ARI), silhouette and inertia checked by plain loops', () => {
    const n = raw.rows;
    const inertias = runs.map((r) => r.quality.inertia!);
    const sils = runs.map((r) => r.quality.silhouette);
    const best = Math.min(...inertias);
    for (const r of runs) {
      const seed = r.spec.seed;
      assert.equal(r.k, K);
      assert.equal(r.labels.length, n);
      assert.equal(r.noise, 0);
      assert.equal(r.sizes.length, K);
      assert.ok(r.sizes.every((s) => s > 0), `seed ${seed}: a cluster is empty (${r.sizes})`);
      assert.equal(r.sizes.reduce((a, b) => a + b, 0), n);
      // k-means reports the inertia to its final centres (sklearn's convention); the means of the final clusters
      // can only be as good or better, and at convergence (tol 1e-4) they are the same to ~1e-5.
      const toMeans = refInertia(x, r.labels, K);
      const inertia = r.quality.inertia!;
      assert.ok(toMeans <= inertia * (1 + 1e-12) && inertia - toMeans <= 1e-4 * inertia, `seed ${seed}: inertia ${inertia} vs ${toMeans} to the cluster means`);
      // Every seed's best restart reaches the same objective to 1e-4 (measured: within 2e-5 of the best seed).
      assert.ok(inertia - best <= 1e-4 * best, `seed ${seed}: inertia ${inertia}, best seed ${best}`);
      // Exact silhouette: 4,338 rows is under the 10,000-row sampling limit.
      assert.equal(r.quality.silhouetteSample, n);
      // Measured 0.3795 to 0.3805: moderate structure (RFM data is a continuum, not blobs), above 0.35 for every seed.
      assert.ok(sils[SEEDS.indexOf(seed)] > 0.35, `seed ${seed}: silhouette ${r.quality.silhouette}`);
    }
    // The silhouette by its definition (O(n²), no sampling) on the two distinct partitions among the seeds.
    const tRef = performance.now();
    const refSils = [0, 1].map((s) => refSilhouette(x, runs[s].labels, K));
    ms.refSilhouette = performance.now() - tRef;
    refSils.forEach((v, s) => assert.ok(Math.abs(v - sils[s]) < 1e-9, `seed ${s}: silhouette ${sils[s]} vs plain loop ${v}`));

    const aris: { pair: string; ari: number }[] = [];
    for (let a = 0; a < runs.length; a++) {
      for (let b = a + 1; b < runs.length; b++) {
        const ari = adjustedRandIndex(runs[a].labels, runs[b].labels);
        assert.ok(Math.abs(ari - refAri(runs[a].labels, runs[b].labels)) < 1e-9, `ARI ${a}-${b}`);
        aris.push({ pair: `${SEEDS[a]}-${SEEDS[b]}`, ari });
      }
    }
    const meanAri = aris.reduce((s, p) => s + p.ari, 0) / aris.length;
    const minAri = Math.min(...aris.map((p) => p.ari));
    const f4 = (v: number) => v.toFixed(4);
    console.log(`ml-real-data: customers ${n} (of ${allUsers} users); ARI min ${f4(minAri)} mean ${f4(meanAri)} [${aris.map((p) => `${p.pair}:${f4(p.ari)}`).join(' ')}]; ` +
      `silhouette ${sils.map(f4).join(' ')} (plain loop seeds 0,1: ${refSils.map(f4).join(' ')}); inertia ${inertias.map((v) => v.toFixed(3)).join(' ')}`);
    for (const r of runs) {
      const order = r.sizes.map((_, c) => c).sort((p, q) => r.sizes[q] - r.sizes[p]);
      console.log(`ml-real-data: seed ${r.spec.seed}: ${order.map((c) => `${r.names[c]} ${r.sizes[c]} (z R/F/M ${Array.from(r.zscores.data.subarray(c * 3, c * 3 + 3), (z) => z.toFixed(3)).join('/')})`).join('; ')}`);
    }
    // Measured: ARI min 0.98 (seed 0 against the others: its best restart is a neighbouring optimum 0.002 % higher in
    // inertia that moves ~1 % of customers on a border), 1.0 between seeds 1, 3 and 4. Different partitions of
    // such data score far lower (two unrelated 4-way splits ~0), so 0.95 min / 0.97 mean flags real instability.
    assert.ok(minAri >= 0.95, `min pairwise ARI ${minAri}`);
    assert.ok(meanAri >= 0.97, `mean pairwise ARI ${meanAri}`);
    // The two well-separated clusters carry the same name for every seed; the two in the middle sit at the naming
    // threshold (|z| 0.5) or at a tie between orders and revenue, so their names vary (logged above).
    for (const name of ['Lapsed low spenders', 'High-value repeat buyers']) {
      for (const r of runs) assert.ok(r.names.includes(name), `seed ${r.spec.seed}: no "${name}" among ${r.names.join(', ')}`);
    }
    console.log(`ml-real-data: ms ${Object.entries(ms).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')}, total ${Math.round(performance.now() - t0)}`);
  });

  test("as the screen reads it (every user; the refund-only users' missing recency imputed): stable, but other borders", () => {
    // The screen's matrix is every user. The 33 users with refunds only have 0 orders and 0 revenue (log1p: z about
    // -1.9 and -4.8, far below every buyer) and the buyers' median recency (50 days) imputed. They change the
    // scaling and pull a centre: the clustering is as stable across seeds, but the border between the two middle
    // clusters of buyers moves (measured ARI on the buyers against the buyers-only run of the same seed: 0.74 to
    // 0.78): stable for the optimiser, not robust to this small change of population. Pinned so a change shows.
    const allRuns = SEEDS.map((seed) => runClustering(all, columns, spec(seed)));
    const nonBuyers = Array.from({ length: allUsers }, (_, i) => i).filter((i) => !buyer[i]);
    const aris: number[] = [];
    for (let a = 0; a < allRuns.length; a++) for (let b = a + 1; b < allRuns.length; b++) aris.push(adjustedRandIndex(allRuns[a].labels, allRuns[b].labels));
    const vsBuyers = allRuns.map((r, s) => adjustedRandIndex(Int32Array.from(buyerRows, (i) => r.labels[i]), runs[s].labels));
    const f4 = (v: number) => v.toFixed(4);
    console.log(`ml-real-data: all ${allUsers} users: ARI between seeds min ${f4(Math.min(...aris))}; silhouette ${allRuns.map((r) => f4(r.quality.silhouette)).join(' ')}; ` +
      `seed 0 sizes/names ${allRuns[0].sizes.map((n, c) => `${allRuns[0].names[c]} ${n}`).join(', ')}; ARI on the buyers vs buyers only, per seed ${vsBuyers.map(f4).join(' ')}`);
    for (const r of allRuns) {
      assert.equal(r.preprocessing.transforms[0].missing, nonBuyers.length, 'recency imputed for the users with no purchase');
      assert.ok(r.sizes.length === K && r.sizes.every((n) => n > 0));
      assert.equal(new Set(nonBuyers.map((i) => r.labels[i])).size, 1, 'the refund-only users fall in one cluster');
      assert.deepEqual([...r.names].sort(), ['High-value repeat buyers', 'Lapsed one-time buyers', 'One-time low spenders', 'Typical users']);
    }
    assert.ok(Math.min(...aris) >= 0.95, `min ARI between seeds ${Math.min(...aris)}`);
    for (const v of vsBuyers) assert.ok(v >= 0.7 && v < 0.9, `ARI on the buyers vs the buyers-only run: ${v} (measured 0.74 to 0.78)`);
  });
});
