// Every accepted format imports to the same events: CSV, semicolon CSV with decimal commas, TSV, .csv.gz, NDJSON,
// a JSON array and Parquet. DuckDB-WASM (the browser build) lacks the JSON and Parquet extensions offline, so read
// directly those formats must fail with a clear message; the browser converts them first instead (proven in
// tests/import-convert-run.test.ts). Run: TZ=UTC node --import tsx --test tests/import-formats.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { literal } from '../src/sql/quote.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { expectStrataError, importFiles, rows, scratchDir, writeFixture } from './fixtures/import/support.ts';

// Two users, three events; u2 pays 1234.5 (written 1.234,50 in the semicolon file).
const CSV = 'user_id,event_time,event_type,price\nu1,2024-05-01 09:00:00,view,\nu1,2024-05-01 09:05:00,cart,\nu2,2024-05-02 18:30:00,purchase,1234.5\n';
const SEMI = 'user_id;event_time;event_type;price\nu1;2024-05-01 09:00:00;view;\nu1;2024-05-01 09:05:00;cart;\nu2;2024-05-02 18:30:00;purchase;"1.234,50"\n';
const TSV = CSV.replaceAll(',', '\t');
const RECORDS = [
  { user_id: 'u1', event_time: '2024-05-01 09:00:00', event_type: 'view', price: null },
  { user_id: 'u1', event_time: '2024-05-01 09:05:00', event_type: 'cart', price: null },
  { user_id: 'u2', event_time: '2024-05-02 18:30:00', event_type: 'purchase', price: 1234.5 },
];
const EXPECTED = [
  { user_id: 'u1', ts: '2024-05-01 09:00', event_type: 'product_view', revenue: null },
  { user_id: 'u1', ts: '2024-05-01 09:05', event_type: 'add_to_cart', revenue: null },
  { user_id: 'u2', ts: '2024-05-02 18:30', event_type: 'purchase', revenue: 1234.5 },
];

function suite(backend: string, open: () => Promise<Db>, extensions: boolean): void {
  describe(`import formats (${backend})`, () => {
    const tmp = scratchDir();
    const paths: Record<string, string> = {};
    before(async () => {
      paths.csv = writeFixture(tmp.dir, 'events.csv', CSV);
      paths.semi = writeFixture(tmp.dir, 'events-semicolon.csv', SEMI);
      paths.tsv = writeFixture(tmp.dir, 'events.tsv', TSV);
      paths.gz = writeFixture(tmp.dir, 'events.csv.gz', gzipSync(Buffer.from(CSV)));
      paths.ndjson = writeFixture(tmp.dir, 'events.ndjson', RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n');
      paths.json = writeFixture(tmp.dir, 'events.json', JSON.stringify(RECORDS, null, 2));
      paths.parquet = tmp.dir + '/events.parquet';
      const native = await openNodeDb(); // DuckDB-WASM in Node cannot write to disk: the native engine writes it
      await native.exec(`COPY (SELECT * FROM read_csv(${literal(paths.csv)})) TO ${literal(paths.parquet)} (FORMAT parquet)`);
      await native.close();
    });
    after(() => tmp.cleanup());

    const importOne = async (path: string) => {
      const db = await open();
      try {
        const { probes, report } = await importFiles(db, [path]);
        const events = await rows(db, `SELECT user_id, strftime(ts, '%Y-%m-%d %H:%M') AS ts, event_type, revenue FROM events ORDER BY event_id`);
        return { probe: probes[0], report, events };
      } finally {
        await db.close();
      }
    };

    for (const kind of ['csv', 'semi', 'tsv', 'gz'] as const) {
      test(`${kind}: same events`, async () => {
        const { probe, events } = await importOne(paths[kind]);
        assert.equal(probe.read.format, 'csv');
        assert.equal(probe.read.csv?.delimiter, kind === 'semi' ? ';' : kind === 'tsv' ? '\t' : ',');
        assert.equal(probe.read.compression, kind === 'gz' ? 'gzip' : 'none');
        assert.deepEqual(events, EXPECTED);
      });
    }

    for (const kind of ['ndjson', 'json', 'parquet'] as const) {
      test(`${kind}: ${extensions ? 'same events' : 'a clear message (extension not bundled)'}`, async () => {
        if (!extensions) {
          const db = await open();
          try {
            await expectStrataError(() => importFiles(db, [paths[kind]]), /cannot read (JSON|Parquet) files/, /Save the data as CSV/);
          } finally {
            await db.close();
          }
          return;
        }
        const { probe, events } = await importOne(paths[kind]);
        assert.equal(probe.read.format, kind);
        assert.deepEqual(events, EXPECTED);
      });
    }
  });
}

suite('native', openNodeDb, true);
suite('wasm', openWasmDb, false);
