// The browser's route for Parquet, JSON and NDJSON, proven in Node: convert the file with the same converter, load
// the chunks into a table of an attached in-memory database (as the browser does), probe and import that table with
// zero manual mapping, and get the same mapping, report figures and events as native DuckDB's read_parquet/read_json.
// Run: TZ=UTC node --import tsx --test tests/import-convert-run.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openAsBlob } from 'node:fs';
import * as parquetWasm from 'parquet-wasm';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { firstRow } from '../src/lib/rows.ts';
import { ident, literal } from '../src/sql/quote.ts';
import { DEFAULT_OVERVIEW, decodeKpis, kpisSql } from '../src/analyses/overview/index.ts';
import { detect, planFor, probe, runImport, type FileProbe, type ImportReport, type TableRef } from '../src/data/import/index.ts';
import { convertFile, tableSink, type ConvertFormat, type ParquetWasm } from '../src/data/import/convert/index.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { importFiles, rows, scratchDir, sourceOf } from './fixtures/import/support.ts';

// 5,000 events of 300 users with purchases (orders), prices, a nested field and non-ASCII names.
const EVENTS = `SELECT 'u' || (i % 300) AS user_id, TIMESTAMP '2024-03-01' + to_seconds(i * 97) AS event_time,
  CASE WHEN i % 7 = 0 THEN 'purchase' WHEN i % 3 = 0 THEN 'cart' ELSE 'view' END AS event_type,
  'p' || (i % 41) AS product_id, round(5 + (i % 400) / 4.0, 2) AS price, (1 + i % 3)::INTEGER AS quantity,
  CASE WHEN i % 7 = 0 THEN 'o' || (i // 2) END AS order_id, CASE WHEN i % 2 = 0 THEN 'Café' ELSE 'Bücher ✓' END AS category,
  {'os': CASE WHEN i % 2 = 0 THEN 'ios' ELSE 'android' END, 'build': i % 5} AS device_info
FROM range(5000) t(i)`;
const UPLOADS = 'strata_uploads';
const pw = async () => parquetWasm as unknown as ParquetWasm;

interface Outcome {
  probe: FileProbe;
  report: ImportReport;
  events: Record<string, unknown>[];
  kpis: unknown;
}

async function outcome(db: Db, probe: FileProbe, report: ImportReport): Promise<Outcome> {
  const events = await rows(db, `SELECT event_id, user_id, session_id, event_type, strftime(ts, '%Y-%m-%d %H:%M:%S') AS ts,
    product_id, price, quantity, revenue, order_id, category FROM events ORDER BY event_id`);
  const k = kpisSql(DEFAULT_OVERVIEW);
  return { probe, report, events, kpis: decodeKpis(await db.query(k.text, k.params)) };
}

/** Convert `path` into UPLOADS.upload_1 as the browser does (a connection that USEs the scratch database). */
async function convertIntoTable(db: Db, path: string, format: ConvertFormat): Promise<TableRef> {
  const home = String(firstRow(await db.query('SELECT current_database() AS d')).d);
  await db.exec(`ATTACH ':memory:' AS ${ident(UPLOADS)}; USE ${ident(UPLOADS)}`);
  try {
    const blob = await openAsBlob(path);
    await convertFile(blob, { format, gzip: false, who: path, chunkRows: 1500 }, tableSink(db, 'upload_1'), pw);
  } finally {
    await db.exec(`USE ${ident(home)}`);
  }
  return { schema: UPLOADS, name: 'upload_1' };
}

function suite(backend: string, open: () => Promise<Db>): void {
  describe(`converted Parquet/JSON/NDJSON import like the native readers (${backend})`, () => {
    const tmp = scratchDir();
    const paths: Record<ConvertFormat, string> = { parquet: `${tmp.dir}/events.parquet`, json: `${tmp.dir}/events.json`, ndjson: `${tmp.dir}/events.ndjson` };
    before(async () => {
      const db = await openNodeDb();
      await db.exec(`COPY (${EVENTS}) TO ${literal(paths.parquet)} (FORMAT parquet);
        COPY (${EVENTS}) TO ${literal(paths.json)} (FORMAT json, ARRAY true);
        COPY (${EVENTS}) TO ${literal(paths.ndjson)} (FORMAT json);`);
      await db.close();
    });
    after(() => tmp.cleanup());

    for (const format of ['parquet', 'json', 'ndjson'] as const) {
      test(`${format}: same mapping, report and events as read_${format === 'parquet' ? 'parquet' : 'json'}`, async () => {
        const native = await openNodeDb();
        let expected: Outcome;
        try {
          const r = await importFiles(native, [paths[format]]);
          expected = await outcome(native, r.probes[0], r.report);
        } finally {
          await native.close();
        }
        const db = await open();
        try {
          const table = await convertIntoTable(db, paths[format], format);
          const source = { ...sourceOf(paths[format]), table };
          const p = await probe(db, source);
          assert.deepEqual(p.read.table, table);
          assert.equal(p.read.format, format);
          assert.deepEqual(p.columns.map((c) => [c.name, c.kind]), expected.probe.columns.map((c) => [c.name, c.kind]));
          assert.deepEqual(p.preview.slice(0, 3).map((r) => r.user_id), expected.probe.preview.slice(0, 3).map((r) => r.user_id));
          assert.deepEqual(detect(p), detect(expected.probe));
          const report = await runImport(db, planFor([p]), [source]);
          const got = await outcome(db, p, report);
          assert.deepEqual(got.report.totals, expected.report.totals);
          assert.deepEqual(got.report.dateRange, expected.report.dateRange);
          assert.deepEqual(got.kpis, expected.kpis);
          assert.deepEqual(got.events, expected.events);
          // The import read the table and left it alone; the session drops it when the file goes.
          assert.equal(Number(firstRow(await db.query(`SELECT count(*)::DOUBLE AS n FROM ${ident(UPLOADS)}.upload_1`)).n), 5000);
        } finally {
          await db.close();
        }
      });
    }
  });
}

suite('native', openNodeDb);
suite('wasm', openWasmDb);
