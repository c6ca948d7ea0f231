// The browser's converter for Parquet, JSON arrays and NDJSON (src/data/import/convert), run in Node: keys are the
// union over all records in first-seen order, every value text, chunks append with new columns, bad input is named.
// Run: TZ=UTC node --import tsx --test tests/import-convert.test.ts
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openAsBlob } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as parquetWasm from 'parquet-wasm';
import { tableFromIPC } from 'apache-arrow';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { literal } from '../src/sql/quote.ts';
import { convertFile, tableSink, type ConvertChunk, type ConvertOptions, type ParquetWasm } from '../src/data/import/convert/index.ts';
import { expectStrataError, rows, scratchDir, writeFixture } from './fixtures/import/support.ts';

const tmp = scratchDir();
after(() => tmp.cleanup());
const pw = async () => parquetWasm as unknown as ParquetWasm;

/** Convert a fixture, keeping every chunk (decoded) and the progress reports. */
async function convert(name: string, content: string | Uint8Array, opts: Partial<ConvertOptions> = {}) {
  const path = writeFixture(tmp.dir, name, content);
  const chunks: ConvertChunk[] = [];
  const progress: number[] = [];
  const format = opts.format ?? (name.endsWith('.json') ? 'json' : 'ndjson');
  const result = await convertFile(await openAsBlob(path), { format, gzip: false, who: name, ...opts },
    { chunk: async (c) => void chunks.push(c), progress: (done, total) => progress.push(done / total) }, pw);
  return { result, chunks, progress, tables: chunks.map((c) => tableFromIPC(c.ipc)) };
}

const MIXED = [
  { a: 1, b: 'x' },
  { a: 2.5, c: true },
  {},
  { b: { n: [1, 2] }, d: null, a: 'Café 😀' },
  { e: 'late' },
].map((r) => JSON.stringify(r)).join('\r\n') + '\n\n';

describe('convert JSON to text chunks', () => {
  test('NDJSON: keys are the union in first-seen order, values text, nested values JSON text; new keys arrive with later chunks', async () => {
    const { result, chunks, tables, progress } = await convert('mixed.ndjson', MIXED, { chunkRows: 2 });
    assert.deepEqual(result, { rows: 5, columns: ['a', 'b', 'c', 'd', 'e'] });
    assert.deepEqual(chunks.map((c) => [c.rows, c.added]), [[2, ['a', 'b', 'c']], [2, ['d']], [1, ['e']]]);
    assert.deepEqual(tables.map((t) => t.schema.fields.map((f) => `${f.name}:${f.type}`)), [
      ['a:Utf8', 'b:Utf8', 'c:Utf8'], ['a:Utf8', 'b:Utf8', 'c:Utf8', 'd:Utf8'], ['a:Utf8', 'b:Utf8', 'c:Utf8', 'd:Utf8', 'e:Utf8'],
    ]);
    const all = tables.flatMap((t) => t.toArray().map((r) => ({ ...r.toJSON() })));
    assert.deepEqual(all.map((r) => [r.a, r.b, r.c]), [['1', 'x', null], ['2.5', null, 'true'], [null, null, null], ['Café 😀', '{"n":[1,2]}', null], [null, null, null]]);
    assert.equal(all[4].e, 'late');
    assert.equal(progress.at(-1), 1);
  });

  for (const [backend, open] of [['native', openNodeDb], ['wasm', openWasmDb]] as const) {
    test(`the chunks load into one table of an attached database: later keys become new columns (${backend})`, async () => {
      const db = await open();
      try {
        const { chunks } = await convert(`mixed-${backend}.ndjson`, MIXED, { chunkRows: 2 });
        await db.exec(`ATTACH ':memory:' AS uploads; USE uploads`); // as the browser's conversion connection does
        const sink = tableSink(db, 'upload');
        for (const c of chunks) await sink.chunk(c);
        assert.equal(sink.rows(), 5);
        await db.exec('USE memory');
        assert.deepEqual(await rows(db, 'SELECT a, b, d, e FROM uploads.upload'), [
          { a: '1', b: 'x', d: null, e: null }, { a: '2.5', b: null, d: null, e: null }, { a: null, b: null, d: null, e: null },
          { a: 'Café 😀', b: '{"n":[1,2]}', d: null, e: null }, { a: null, b: null, d: null, e: 'late' },
        ]);
      } finally {
        await db.close();
      }
    });
  }

  test('a JSON array and a gzipped NDJSON give the same text', async () => {
    const records = MIXED.split('\r\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
    const arr = await convert('mixed.json', JSON.stringify(records, null, 2));
    const gz = await convert('mixed.ndjson.gz', gzipSync(Buffer.from(MIXED)), { gzip: true, format: 'ndjson' });
    const text = (t: typeof arr) => JSON.stringify(t.tables.flatMap((x) => x.toArray().map((r) => r.toJSON())));
    assert.equal(text(arr), text(gz));
    assert.deepEqual(arr.result.columns, ['a', 'b', 'c', 'd', 'e']);
  });

  test('empty keys get a name; non-ASCII and lone surrogates survive the UTF-8 encoding', async () => {
    const { tables } = await convert('odd.ndjson', '{"": "blank", "k": "\\ud800 lone", "unnamed": "taken", "ü": "Ünïcödé ✓"}\n');
    assert.deepEqual(tables[0].schema.fields.map((f) => f.name), ['unnamed', 'k', 'unnamed_2', 'ü']);
    assert.deepEqual(tables[0].get(0)?.toJSON(), { unnamed: 'blank', k: '\ufffd lone', unnamed_2: 'taken', ü: 'Ünïcödé ✓' });
  });

  test('bad JSON is named with its line or item; no records is a clear error', async () => {
    await expectStrataError(() => convert('bad.ndjson', '{"a":1}\n{"a":\n'), /bad\.ndjson, line 2, is not valid JSON/, /one JSON object/);
    await expectStrataError(() => convert('list.ndjson', '{"a":1}\n[1,2]\n'), /line 2, is not a JSON object/);
    await expectStrataError(() => convert('items.json', '[{"a":1}, 7]'), /items\.json, item 2, is not a JSON object/);
    await expectStrataError(() => convert('cut.json', '[{"a":1}, {"a"'), /cut\.json is not valid JSON/, /one array of objects/);
    await expectStrataError(() => convert('none.json', '[]'), /none\.json holds no records/);
    await expectStrataError(() => convert('blank.ndjson', '\n\n'), /holds no records/);
  });
});

describe('convert Parquet to Arrow chunks (parquet-wasm)', () => {
  test('the file keeps its types; chunks of at most the requested size; progress reaches the whole file', async () => {
    const path = `${tmp.dir}/typed.parquet`;
    const db = await openNodeDb();
    await db.exec(`COPY (SELECT 'u' || (i % 7) AS user_id, TIMESTAMP '2024-01-01' + to_seconds(i) AS ts, i::INTEGER AS n,
      i / 4 AS x, i % 2 = 0 AS even FROM range(2500) t(i)) TO ${literal(path)} (FORMAT parquet, ROW_GROUP_SIZE 1000)`);
    await db.close();
    const chunks: ConvertChunk[] = [];
    let last = 0;
    const blob = await openAsBlob(path);
    const r = await convertFile(blob, { format: 'parquet', gzip: false, who: 'typed.parquet', chunkRows: 1000 },
      { chunk: async (c) => void chunks.push(c), progress: (d, t) => (last = d / t) }, pw);
    assert.equal(r.rows, 2500);
    // Batches never span row groups (DuckDB wrote 2048 + 452 rows here), and none exceeds the chunk size.
    assert.ok(chunks.length >= 3 && chunks.every((c) => c.rows <= 1000), String(chunks.map((c) => c.rows)));
    assert.equal(chunks.reduce((n, c) => n + c.rows, 0), 2500);
    const t = tableFromIPC(chunks[0].ipc);
    assert.deepEqual(t.schema.fields.map((f) => `${f.name}:${f.type}`),
      ['user_id:Utf8', 'ts:Timestamp<MICROSECOND>', 'n:Int32', 'x:Float64', 'even:Bool']);
    assert.equal(last, 1);
  });

  test('a damaged Parquet file is a clear error', async () => {
    const bytes = new Uint8Array([0x50, 0x41, 0x52, 0x31, 1, 2, 3, 4, 5, 6, 0x50, 0x41, 0x52, 0x31]);
    await expectStrataError(() => convert('cut.parquet', bytes, { format: 'parquet' }), /cut\.parquet could not be read as Parquet/);
  });
});
