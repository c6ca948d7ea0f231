// The malformed-input corpus (issue 11, parts 5-7): each file in tests/fixtures/malformed/ (the large ones written
// by scripts/make-malformed.mjs) gets a correct import, checked figure by figure, or a StrataError whose words say
// what is wrong and what to do; and the dataset imported before is intact afterwards (row counts and checksums of
// every table, no scratch tables or macros left). Files go the browser's way: JSON through the app's converter into
// a table, everything else read by DuckDB. Refused imports run in the live schema (the worst case), accepted ones
// in a fresh schema, as a new dataset does in the app. Runs on native DuckDB and on DuckDB-WASM (the browser's engine).
// Run: TZ=UTC node --import tsx --test tests/import-malformed.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, copyFileSync, openAsBlob, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as parquetWasm from 'parquet-wasm';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { firstRow } from '../src/lib/rows.ts';
import { ident, literal } from '../src/sql/quote.ts';
import { StrataError } from '../src/errors.ts';
import { DEFAULT_OVERVIEW, decodeKpis, kpisSql } from '../src/analyses/overview/index.ts';
import { detect, planFor, probe, runImport } from '../src/data/import/index.ts';
import type { FileMapping, FileProbe, ImportReport, ImportSource } from '../src/data/import/index.ts';
import { sniffHead } from '../src/data/import/sniff-head.ts';
import { importError } from '../src/data/import/import-error.ts';
import { convertFile, tableSink, type ParquetWasm } from '../src/data/import/convert/index.ts';
import { makeMalformed } from '../scripts/make-malformed.mjs';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { rows, scratchDir, writeFixture } from './fixtures/import/support.ts';
import { RETAIL, requireRetail } from './fixtures/online-retail.ts';

const DIR = fileURLToPath(new URL('./fixtures/malformed/', import.meta.url));
const UPLOADS = 'strata_uploads';
const pw = async () => parquetWasm as unknown as ParquetWasm;

/** Raw engine or platform words a user cannot act on: none may reach a message. */
const RAW = /(?<!\.)\.\.(?!\.)|RangeError|TypeError|is not a function|Maximum call stack|unreachable|CSV Error on Line|Invalid Input Error|Conversion Error|Parser Error|undefined|\[object/;

interface Imported {
  report: ImportReport;
  probes: FileProbe[];
  mappings: FileMapping[];
  /** The schema the dataset was installed in. */
  schema: string;
}

function suite(backend: string, open: () => Promise<Db>, native: boolean): void {
  describe(`malformed input: a correct import or a clear message, the previous dataset intact (${backend})`, () => {
    let db: Db;
    let gen = '';
    let expected = '';
    let schemas = 0;
    let uploads = 0;
    const tmp = scratchDir();
    const corpus = (name: string) => join(DIR, name);
    const big = (name: string) => join(gen, name);

    /** An ImportSource as the browser builds one for a dropped File: name, size, the first 64 KiB, the whole blob. */
    async function sourceOf(path: string): Promise<ImportSource> {
      const size = statSync(path).size;
      const head = new Uint8Array(Math.min(size, 64 * 1024));
      const fd = openSync(path, 'r');
      try {
        readSync(fd, head, 0, head.length, 0);
      } finally {
        closeSync(fd);
      }
      return { name: path, displayName: basename(path), size, head, blob: await openAsBlob(path) };
    }

    /** JSON (and Parquet on DuckDB-WASM) go through the app's converter into a table of an attached database. */
    async function convertIfNeeded(source: ImportSource): Promise<ImportSource> {
      const facts = await sniffHead(source);
      if (facts.format === 'csv' || (facts.format === 'parquet' && native)) return source;
      const name = `upload_${++uploads}`;
      await db.exec(`ATTACH IF NOT EXISTS ':memory:' AS ${ident(UPLOADS)}; USE ${ident(UPLOADS)}`);
      try {
        const opts = { format: facts.format, gzip: facts.compression === 'gzip', who: source.displayName };
        await convertFile(source.blob!, opts, tableSink(db, name), pw);
      } catch (err) {
        throw importError(err, source.displayName); // as convertInWorker does
      } finally {
        await db.exec(`USE memory; SET schema = 'main'`);
      }
      return { ...source, table: { schema: UPLOADS, name } };
    }

    /** Probe, detect (then `edit`), import: in a fresh schema when `aside`, else in the live one. */
    async function importCase(
      paths: string[], opts: { aside?: boolean; edit?: (m: FileMapping[]) => void } = {},
    ): Promise<Imported> {
      const sources: ImportSource[] = [];
      for (const p of paths) sources.push(await convertIfNeeded(await sourceOf(p)));
      const schema = opts.aside ? `aside_${++schemas}` : 'main';
      if (opts.aside) await db.exec(`CREATE SCHEMA ${ident(schema)}; SET schema = ${literal(schema)}`);
      try {
        const probes: FileProbe[] = [];
        for (const s of sources) probes.push(await probe(db, s));
        const mappings = probes.map(detect);
        opts.edit?.(mappings);
        const report = await runImport(db, planFor(probes, mappings), sources);
        return { report, probes, mappings, schema };
      } finally {
        await db.exec(`SET schema = 'main'`);
      }
    }

    /** Expect a StrataError matching every pattern, in plain words; returns its message. */
    async function refused(fn: () => Promise<unknown>, ...patterns: RegExp[]): Promise<string> {
      let caught: unknown = null;
      try {
        await fn();
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof StrataError, `expected a StrataError, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
      for (const p of patterns) assert.match(caught.message, p);
      assert.doesNotMatch(caught.message, RAW, `raw words in: ${caught.message}`);
      return caught.message;
    }

    /** Row counts and checksums of every table of the live dataset. */
    async function snapshot(): Promise<string> {
      const parts: string[] = [];
      for (const t of ['events', 'users', 'products', 'user_metrics']) {
        const r = firstRow(await db.query(`SELECT count(*)::DOUBLE AS n, coalesce(sum(hash(t))::VARCHAR, '0') AS h FROM main.${t} t`));
        parts.push(`${t}: ${r.n} rows, checksum ${r.h}`);
      }
      return parts.join('; ');
    }

    /** The good dataset is exactly as imported, and no import left scratch tables, *_next tables or macros behind. */
    async function assertIntact(): Promise<void> {
      assert.equal(await snapshot(), expected, 'the dataset imported before changed');
      const left = await rows(db, `SELECT table_name FROM duckdb_tables()
        WHERE table_name LIKE 'strata_import%' OR table_name LIKE '%\\_next' ESCAPE '\\'`);
      assert.deepEqual(left, [], 'scratch or *_next tables were left behind');
      const macros = await rows(db, `SELECT function_name FROM duckdb_functions() WHERE function_name LIKE 'strata_imp_%'`);
      assert.deepEqual(macros, [], 'import macros were left behind');
      for (let i = 1; i <= uploads; i++) await db.exec(`DROP TABLE IF EXISTS ${ident(UPLOADS)}.upload_${i}`);
    }

    /** Events of an accepted import, in id order, with times as text. */
    const eventsOf = (schema: string, cols = 'user_id, event_type') =>
      rows(db, `SELECT ${cols}, strftime(ts, '%Y-%m-%d %H:%M') AS ts FROM ${ident(schema)}.events ORDER BY event_id`);

    before(async () => {
      gen = await makeMalformed();
      db = await open();
      const { report } = await importCase([corpus('good.csv')]);
      // The good dataset: 6 events of 3 users; purchases o1 (10) and o2 (12.5).
      const t = report.totals;
      assert.deepEqual([t.events, t.users, t.orders, t.revenue, t.buyers], [6, 3, 2, 22.5, 2]);
      expected = await snapshot();
      assert.match(expected, /^events: 6 rows/);
    });
    after(async () => {
      await db.close();
      tmp.cleanup();
    });

    test('an empty file, a header only, binary junk: refused in words', async () => {
      await refused(() => importCase([corpus('empty.csv')]), /empty\.csv is empty \(0 bytes\)/, /drop the file again/);
      await refused(() => importCase([corpus('header-only.csv')]), /header-only\.csv has column names \(user_id, ts, event\) but no data rows/);
      await refused(() => importCase([corpus('binary.csv')]), /binary\.csv is not a text file \(it contains binary data\)/, /export the data as CSV/);
      await assertIntact();
    });

    test('a truncated .csv.gz is refused, not half-imported', async () => {
      // DuckDB alone reads the 1,500-odd rows before the cut and reports one line "missing columns".
      await refused(() => importCase([corpus('truncated.csv.gz')]), /truncated\.csv\.gz is cut short/, /part of the export is missing/, /Nothing was imported/);
      await assertIntact();
    });

    test('dates: day-first proven by 13/2/2025 reads every date day-first, and the report says why', async () => {
      const { report, schema } = await importCase([corpus('dates-day-first.csv')], { aside: true });
      assert.equal(report.files[0].rowsLoaded, 4);
      assert.deepEqual((await eventsOf(schema, 'user_id')).map((r) => [r.user_id, r.ts]), [
        ['u1', '2025-02-01 00:00'], ['u2', '2025-02-13 00:00'], ['u3', '2025-04-03 10:30'], ['u4', '2025-05-05 00:00'],
      ]);
      assert.ok(report.notes.includes('dates-day-first.csv, column "date": dates read day first (31/12/2025), the only order ' +
        'that reads all of them (13/2/2025 can only be day-first, so 1/2/2025 is 2025-02-01).'), report.notes.join('\n'));
      await assertIntact();
    });

    test('dates: ambiguous throughout (1/2/2025, 3/4/2025, 12/11/2025): the user is asked, then the choice is used', async () => {
      await refused(
        () => importCase([corpus('dates-ambiguous.csv')]),
        /dates-ambiguous\.csv: the dates in column "date" read both ways round: 1\/2\/2025 is 2025-02-01 day-first or 2025-01-02 month-first/,
        /Choose the day\/month order of "date" in the mapping/, /current data is unchanged/,
      );
      await assertIntact();
      const setOrder = (order: 'dmy' | 'mdy') => (m: FileMapping[]) => {
        m[0].columns = m[0].columns.map((c) => (c.column === 'date' ? { ...c, dateOrder: order } : c));
      };
      const dmy = await importCase([corpus('dates-ambiguous.csv')], { aside: true, edit: setOrder('dmy') });
      assert.deepEqual((await eventsOf(dmy.schema)).map((r) => r.ts), ['2025-02-01 00:00', '2025-04-03 10:30', '2025-11-12 00:00']);
      assert.ok(dmy.report.notes.includes('dates-ambiguous.csv, column "date": dates read day first (31/12/2025), as chosen in the mapping.'));
      const mdy = await importCase([corpus('dates-ambiguous.csv')], { aside: true, edit: setOrder('mdy') });
      assert.deepEqual((await eventsOf(mdy.schema)).map((r) => r.ts), ['2025-01-02 00:00', '2025-03-04 10:30', '2025-12-11 00:00']);
      await assertIntact();
    });

    test('dates: some only day-first, some only month-first: asked; after the choice the others are set aside by name', async () => {
      await refused(
        () => importCase([corpus('dates-both-ways.csv')]),
        /column "date" mixes day-first dates \(2, such as 13\/2\/2025\) and month-first dates \(1, such as 2\/14\/2025\)/,
        /Choose the day\/month order of "date" in the mapping/,
      );
      await assertIntact();
      const { report, schema } = await importCase([corpus('dates-both-ways.csv')], {
        aside: true,
        edit: (m) => (m[0].columns = m[0].columns.map((c) => (c.column === 'date' ? { ...c, dateOrder: 'dmy' } : c))),
      });
      const f = report.files[0];
      assert.deepEqual([f.rowsRead, f.rowsLoaded, f.rowsSetAside], [4, 3, 1]);
      assert.deepEqual(f.setAside.map((g) => [g.reason, g.count, g.samples[0].text]), [['date_order', 1, 'u2,2/14/2025,view']]);
      assert.match(f.setAside[0].message, /day and month the other way round/);
      // 1/2/2025 is 1 February: never read the other way to rescue a row.
      assert.deepEqual((await eventsOf(schema, 'user_id')).map((r) => [r.user_id, r.ts]), [
        ['u3', '2025-02-01 00:00'], ['u1', '2025-02-13 00:00'], ['u4', '2025-03-14 00:00'],
      ]);
      assert.ok(report.notes.some((n) => n.includes('as chosen in the mapping; 1 dates that only read the other way round were set aside')));
      await assertIntact();
    });

    test('the same file twice (or a copy under another name) is refused: it would double the revenue', async () => {
      await refused(() => importCase([corpus('orders.csv'), corpus('orders.csv')]), /orders\.csv was added twice/, /count every row twice/, /Remove one of them/);
      const copy = join(tmp.dir, 'orders-copy.csv');
      copyFileSync(corpus('orders.csv'), copy);
      await refused(() => importCase([corpus('orders.csv'), copy]), /orders-copy\.csv is the same file as orders\.csv \(same size and content\)/);
      await assertIntact();
      // Alone, it imports: 3 orders, 21 + 4 + 10.5 = 35.5.
      const { report } = await importCase([corpus('orders.csv')], { aside: true });
      assert.deepEqual([report.totals.orders, report.totals.revenue], [3, 35.5]);
      await assertIntact();
    });

    test('prices of 1e308, Infinity, -Infinity, 1e309 and a quantity of 1e12 are set aside by name; revenue and AOV stay finite', async () => {
      const { report, schema } = await importCase([corpus('prices-not-finite.csv')], { aside: true });
      const f = report.files[0];
      assert.equal(f.role, 'transactions');
      // Loaded: o1 (2 x 10.50 = 21) and o5 (3 x 4 = 12). "NaN" is how pandas writes an empty cell: no amount.
      assert.deepEqual([f.rowsRead, f.rowsLoaded, f.rowsSetAside], [8, 2, 6]);
      assert.deepEqual(f.setAside.map((g) => [g.reason, g.count]), [['bad_number', 5], ['no_amount', 1]]);
      assert.deepEqual(f.setAside[0].samples.map((s) => s.text.split(',')[0]), ['o2', 'o3', 'o4', 'o6', 'o8']);
      assert.match(f.setAside[0].message, /not a finite number or is too large to be real/);
      assert.deepEqual([report.totals.revenue, report.totals.orders], [33, 2]);
      assert.ok(report.notes.some((n) => /^5 rows with a price, quantity or revenue that is not a real amount/.test(n)));
      await db.exec(`SET schema = ${literal(schema)}`);
      try {
        const k = kpisSql(DEFAULT_OVERVIEW);
        const kpis = decodeKpis(await db.query(k.text, k.params));
        assert.deepEqual([kpis.revenue, kpis.orders, kpis.aov], [33, 2, 16.5]);
      } finally {
        await db.exec(`SET schema = 'main'`);
      }
      await assertIntact();
    });

    test('a CSV column named __proto__ (and one named constructor, and such event values) imports as data', async () => {
      const { report, probes, schema } = await importCase([corpus('proto-column.csv')], { aside: true });
      assert.equal(Object.getOwnPropertyDescriptor(probes[0].preview[0], '__proto__')?.value, 'a');
      assert.deepEqual(probes[0].columns.find((c) => c.name === '__proto__')?.samples, ['a', 'b', 'c']);
      assert.equal(report.files[0].rowsLoaded, 3);
      assert.deepEqual(await rows(db, `SELECT user_id, event_type, proto, "constructor" FROM ${ident(schema)}.events ORDER BY event_id`), [
        { user_id: 'u1', event_type: 'product_view', proto: 'a', constructor: 1 },
        { user_id: 'u2', event_type: 'constructor', proto: 'b', constructor: 2 },
        { user_id: 'u3', event_type: '__proto__', proto: 'c', constructor: 3 },
      ]);
      assert.deepEqual(Object.entries(report.totals.eventsByType), [['__proto__', 1], ['constructor', 1], ['product_view', 1]]);
      await assertIntact();
    });

    for (const name of ['proto-keys.ndjson', 'proto-keys.json']) {
      test(`JSON keys named __proto__ and constructor are columns, not prototypes (${name})`, async () => {
        const { report, schema } = await importCase([corpus(name)], { aside: true });
        assert.equal(report.files[0].rowsLoaded, 2);
        assert.deepEqual(await rows(db, `SELECT user_id, event_type, proto, "constructor", revenue FROM ${ident(schema)}.events ORDER BY event_id`), [
          { user_id: 'u1', event_type: 'product_view', proto: '{"polluted":true}', constructor: 'x', revenue: null },
          { user_id: 'u2', event_type: 'purchase', proto: 'plain', constructor: null, revenue: 5 },
        ]);
        assert.equal((({}) as Record<string, unknown>).polluted, undefined, 'Object.prototype was polluted');
        await assertIntact();
      });
    }

    test('deeply nested JSON (5,000 levels) is refused with the line, not "Maximum call stack size exceeded"', async () => {
      await refused(() => importCase([corpus('deep.ndjson')]), /deep\.ndjson, line 2, nests objects or arrays more than 100 levels deep/, /Flatten the data/);
      await refused(() => importCase([corpus('deep.json')]), /deep\.json nests objects or arrays more than 100 levels deep/);
      await assertIntact();
    });

    test('a JSON object spread over lines, or a scalar, is refused in words, not read as CSV', async () => {
      await refused(
        () => importCase([corpus('object.json')]),
        /object\.json is not one JSON record per line: its first line \(\{\) is not a complete JSON object/,
        /\{"data": \[\.\.\.\]\}\), save that list on its own/,
      );
      await refused(() => importCase([corpus('scalar.json')]), /scalar\.json holds a single JSON value \(42\), not records/);
      await assertIntact();
      // NDJSON records in a .txt file are read as NDJSON (a CSV header never starts with {").
      const { report, probes } = await importCase([corpus('records.txt')], { aside: true });
      assert.equal(probes[0].read.format, 'ndjson');
      assert.equal(report.files[0].rowsLoaded, 2);
      await assertIntact();
    });

    test('a 5 MB field on line 12 imports whole; a 10 MB line is named (near the start) or set aside by line (later)', async () => {
      const ok = await importCase([big('bigfield.csv')], { aside: true });
      assert.equal(ok.report.files[0].rowsLoaded, 12);
      assert.deepEqual(await rows(db, `SELECT user_id, length(note)::DOUBLE AS n FROM ${ident(ok.schema)}.events WHERE length(note) > 100`), [
        { user_id: 'u11', n: 5_000_000 },
      ]);
      await refused(
        () => importCase([big('hugefield-start.csv')]),
        /Line 12 of hugefield-start\.csv is 10 MB long \(it begins "u11,2025-01-01 10:00:00,view,x+…"\), longer than the 8\.4 MB Strata reads in one line/,
        /Shorten or remove that field/,
      );
      await assertIntact();
      const late = await importCase([big('hugefield-late.csv')], { aside: true });
      const f = late.report.files[0];
      assert.deepEqual([f.rowsRead, f.rowsLoaded, f.rowsSetAside], [25_000, 24_999, 1]);
      assert.deepEqual(f.setAside.map((g) => [g.reason, g.count, g.samples[0].line]), [['line_too_long', 1, 24_001]]);
      assert.match(f.setAside[0].message, /longer than about 8 MB/);
      await assertIntact();
    });

    test('lines ending in a mix of CRLF and LF are read, from the first line, from 100 KB on, or from row 40,001 on', async () => {
      const early = await importCase([corpus('mixed-eol.csv')], { aside: true });
      assert.ok(early.probes[0].notes.includes('Line ends: a mix of Windows (CRLF) and Unix (LF) line ends; both are read.'));
      assert.deepEqual((await eventsOf(early.schema)).map((r) => [r.user_id, r.event_type, r.ts]), [
        ['u1', 'product_view', '2025-01-01 10:00'], ['u2', 'product_view', '2025-01-01 11:00'],
        ['u3', 'product_view', '2025-01-01 12:00'], ['u4', 'product_view', '2025-01-01 13:00'],
      ]);
      const late = await importCase([big('mixed-eol-late.csv')], { aside: true });
      assert.deepEqual([late.report.files[0].rowsLoaded, late.report.files[0].rowsSetAside], [4000, 0]);
      // The last column of a CRLF line must not keep the CR.
      assert.deepEqual(await rows(db, `SELECT count(*)::DOUBLE AS n FROM ${ident(late.schema)}.events WHERE note LIKE '%\r%' OR note NOT LIKE 'n%'`), [{ n: 0 }]);
      const later = await importCase([big('mixed-eol-after-sample.csv')], { aside: true });
      assert.deepEqual([later.report.files[0].rowsLoaded, later.report.files[0].rowsSetAside], [60_000, 0]);
      assert.ok(later.report.notes.includes('mixed-eol-after-sample.csv: its line ends change part-way through (Windows CRLF and Unix LF); both were read.'));
      assert.deepEqual(await rows(db, `SELECT count(*)::DOUBLE AS n FROM ${ident(later.schema)}.events WHERE note LIKE '%\r%' OR note NOT LIKE 'n%'`), [{ n: 0 }]);
      await assertIntact();
    });

    if (native) {
      test('the Online Retail head written M/D/YYYY H:MM, as UCI ships it, reads month-first with the same figures as ISO', async () => {
        requireRetail();
        // The first 60,000 lines (1 Dec 2010 to 17 Jan 2011): 12/13/2010 and later can only be month-first.
        const head = gunzipSync(readFileSync(RETAIL)).toString('utf8').split('\n').slice(0, 60_001).join('\n') + '\n';
        const us = head.replace(/,(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):00,/g, (_, y, m, d, h, min) => `,${+m}/${+d}/${y} ${+h}:${min},`);
        assert.match(us, /,12\/13\/2010 9:\d\d,/);
        const iso = await importCase([writeFixture(tmp.dir, 'retail-iso.csv', head)], { aside: true });
        const mdy = await importCase([writeFixture(tmp.dir, 'retail-us.csv', us)], { aside: true });
        assert.deepEqual(mdy.report.totals, iso.report.totals);
        assert.deepEqual(mdy.report.dateRange, iso.report.dateRange);
        const reasons = (r: ImportReport) => r.files[0].setAside.map((g) => [g.reason, g.count, g.samples.map((x) => x.row)]);
        assert.deepEqual(reasons(mdy.report), reasons(iso.report));
        assert.ok(mdy.report.notes.some((n) => /^retail-us\.csv, column "InvoiceDate": dates read month first \(12\/31\/2025\), the only order that reads all of them \(12\/13\/2010 \d+:\d\d can only be month-first, so 12\/1\/2010 8:26 is 2010-12-01\)\.$/.test(n)), mdy.report.notes.join('\n'));
        await assertIntact();
      });

      // DuckDB-WASM reads Parquet through parquet-wasm, which traps on the damaged file: that path runs in Chromium
      // (e2e/import-malformed.spec.ts), where the conversion worker is watched and terminated.
      test('a damaged or cut Parquet file is refused in words', async () => {
        await refused(() => importCase([big('corrupted.parquet')]), /corrupted\.parquet is a damaged Parquet file/, /Export it again/);
        await refused(() => importCase([big('cut.parquet')]), /cut\.parquet is not a valid Parquet file \(it may be truncated\)/);
        await assertIntact();
      });
    }
  });
}

suite('native', openNodeDb, true);
suite('wasm', openWasmDb, false);
