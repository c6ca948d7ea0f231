// Bad input (issue section 5): each gets a clear StrataError or a correct import with set-aside rows, and the
// dataset installed before is intact afterwards, with no scratch tables left. Failing imports run in the live
// schema itself (the worst case); successful ones run in a fresh schema, as the app does, then the old one is checked.
// Run: TZ=UTC node --import tsx --test tests/import-bad.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { literal } from '../src/sql/quote.ts';
import { probe } from '../src/data/import/index.ts';
import {
  assertTinyIntact, expectStrataError, importFiles, installTiny, rows, scratchDir, sourceOf, writeFixture,
} from './fixtures/import/support.ts';

/** The same cases on any engine (DuckDB-WASM is single-threaded and refuses SET threads, so only native sets it). */
function suite(backend: string, open: () => Promise<Db>, native: boolean): void {
  describe(`import: bad input leaves the previous dataset intact (${backend})`, () => {
    let db: Db;
    const tmp = scratchDir();
    const file = (name: string, content: string | Uint8Array) => writeFixture(tmp.dir, name, content);
    /** Import into a fresh schema (like a new dataset in the app), then switch back to the live one. */
    let schemas = 0;
    const importAside = async (paths: string[], gap?: number) => {
      const schema = `other_${++schemas}`;
      await db.exec(`CREATE SCHEMA ${schema}; SET schema = ${literal(schema)}`);
      try {
        return await importFiles(db, paths, { gap });
      } finally {
        await db.exec(`SET schema = 'main'`);
      }
    };

    before(async () => {
      db = await open();
      await installTiny(db);
      await assertTinyIntact(db);
    });
    after(async () => {
      await db.close();
      tmp.cleanup();
    });

    test('an empty file', async () => {
      await expectStrataError(() => importFiles(db, [file('empty.csv', '')]), /empty\.csv is empty \(0 bytes\)/);
      await expectStrataError(() => importFiles(db, [file('blank.csv', '\n\n  \n')]), /only blank space/);
      await assertTinyIntact(db);
    });

    test('a header with no rows', async () => {
      await expectStrataError(
        () => importFiles(db, [file('header.csv', 'user_id,event_time,event_type\n')]),
        /header\.csv has column names \(user_id, event_time, event_type\) but no data rows/,
      );
      await assertTinyIntact(db);
    });

    test('a binary file renamed .csv (random bytes, and a zip/xlsx)', async () => {
      const bytes = new Uint8Array(4096).map((_, i) => (i * 7919) % 256);
      await expectStrataError(() => importFiles(db, [file('photo.csv', bytes)]), /photo\.csv is not a text file/, /export the data as CSV/);
      const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0, 1, 2, 3, 4]);
      await expectStrataError(() => importFiles(db, [file('book.csv', zip)]), /zip archive or an Excel/);
      await assertTinyIntact(db);
    });

    const ACCENTED = 'customer_id,order_date,action,customer_name,city\n' +
      'c1,2024-02-01 10:00:00,view,José Müller,Zürich\nc2,2024-02-01 11:00:00,purchase,Ångström Æsir,São Paulo\n';

    test('Latin-1 text: accented names survive', async () => {
      const latin1 = Uint8Array.from(Buffer.from(ACCENTED, 'latin1'));
      assert.ok(latin1.includes(0xe9), 'the fixture really is Latin-1 (é = 0xE9)');
      const { report, probes } = await importAside([file('latin1.csv', latin1)]);
      assert.equal(probes[0].read.encoding, 'latin-1');
      assert.equal(report.files[0].rowsLoaded, 2);
      assert.deepEqual(await rows(db, 'SELECT user_id, name FROM other_1.users ORDER BY user_id'), [
        { user_id: 'c1', name: 'José Müller' }, { user_id: 'c2', name: 'Ångström Æsir' },
      ]);
      assert.deepEqual(await rows(db, 'SELECT city FROM other_1.events ORDER BY event_id'), [{ city: 'Zürich' }, { city: 'São Paulo' }]);
      await assertTinyIntact(db);
    });

    test('UTF-16 (little-endian, with BOM) text: accented names survive; big-endian gets a clear message', async () => {
      const le = Uint8Array.from([0xff, 0xfe, ...Buffer.from(ACCENTED, 'utf16le')]);
      const { report, probes } = await importAside([file('utf16.csv', le)]);
      assert.equal(probes[0].read.encoding, 'utf-16');
      assert.equal(report.files[0].rowsLoaded, 2);
      assert.deepEqual(await rows(db, 'SELECT name FROM other_2.users ORDER BY user_id'), [{ name: 'José Müller' }, { name: 'Ångström Æsir' }]);
      const be = Buffer.from(ACCENTED, 'utf16le');
      be.swap16();
      await expectStrataError(() => importFiles(db, [file('utf16be.csv', Uint8Array.from([0xfe, 0xff, ...be]))]), /UTF-16 big-endian/);
      await assertTinyIntact(db);
    });

    test('ragged rows are set aside with their line, the rest loads', async () => {
      const text = 'user_id,ts,event\nu1,2024-01-01 10:00:00,view\nu2,2024-01-01 10:05:00\n' +
        'u3,2024-01-01 10:10:00,view,extra\nu4,2024-01-01 10:15:00,view\n';
      const { report } = await importAside([file('ragged.csv', text)]);
      const f = report.files[0];
      assert.deepEqual([f.rowsRead, f.rowsLoaded, f.rowsSetAside], [4, 2, 2]);
      assert.deepEqual(f.setAside.map((g) => [g.reason, g.count, g.samples[0].line, g.samples[0].text]), [
        ['missing_columns', 1, 3, 'u2,2024-01-01 10:05:00'],
        ['too_many_columns', 1, 4, 'u3,2024-01-01 10:10:00,view,extra'],
      ]);
      assert.deepEqual(await rows(db, 'SELECT user_id FROM other_3.events ORDER BY event_id'), [{ user_id: 'u1' }, { user_id: 'u4' }]);
      await assertTinyIntact(db);
    });

    test('a quote left open: the lines it swallows are set aside as one; a file open from line 2 is refused', async () => {
      const text = 'user_id,ts,event,note\nu1,2024-01-01 10:00:00,view,"fine, quoted"\n' +
        'u2,2024-01-01 10:05:00,view,"never closed\nu3,2024-01-01 10:10:00,view,plain\n' +
        'u4,2024-01-01 10:15:00,view,"also, fine"\nu5,2024-01-01 10:20:00,view,last\n';
      const { report } = await importAside([file('openquote.csv', text)]);
      const f = report.files[0];
      // The quote opened on line 3 runs to the next quote (line 5): lines 3-5 are one broken record.
      assert.equal(f.rowsLoaded, 2);
      assert.deepEqual(f.setAside.map((g) => [g.reason, g.count, g.samples[0].line]), [['unterminated_quote', 1, 3]]);
      assert.match(f.setAside[0].samples[0].text, /never closed\nu3,/);
      assert.deepEqual(await rows(db, 'SELECT user_id, note FROM other_4.events ORDER BY event_id'), [
        { user_id: 'u1', note: 'fine, quoted' }, { user_id: 'u5', note: 'last' },
      ]);
      await expectStrataError(
        () => importFiles(db, [file('allopen.csv', 'user_id,ts,event\nu1,"2024-01-01 10:00:00,view\nu2,2024-01-01 11:00:00,view\n')]),
        /No row of allopen\.csv could be read: a quote \(".*never closed/,
      );
      await assertTinyIntact(db);
    });

    test('10,000 columns import (the first 250 extras kept, the rest ignored but listed)', async () => {
      const n = 10_000;
      const header = ['user_id', 'event_time', 'event_type', ...Array.from({ length: n - 3 }, (_, i) => `m${i + 3}`)];
      const line = (u: string, t: string) => [u, t, 'view', ...Array.from({ length: n - 3 }, (_, i) => String(i + 3))].join(',');
      const text = [header.join(','), line('u1', '2024-01-01 10:00:00'), line('u2', '2024-01-01 10:01:00')].join('\n') + '\n';
      const { report, probes } = await importAside([file('wide.csv', text)]);
      assert.equal(probes[0].columns.length, n);
      assert.ok(probes[0].notes.some((x) => /10,000 columns/.test(x)));
      const f = report.files[0];
      assert.equal(f.rowsLoaded, 2);
      assert.equal(f.columns.length, n);
      assert.equal(f.columns.filter((c) => c.target === 'keep').length, 250);
      assert.deepEqual(f.columns[n - 1], { column: `m${n - 1}`, target: 'ignore', as: null, type: 'VARCHAR', nullPercent: 0 });
      assert.deepEqual(await rows(db, 'SELECT user_id, m3, m252 FROM other_5.events ORDER BY event_id'), [
        { user_id: 'u1', m3: 3, m252: 252 }, { user_id: 'u2', m3: 3, m252: 252 },
      ]);
      await assertTinyIntact(db);
    });

    test('column names with quotes, semicolons and SQL keywords', async () => {
      const text = '"user""id",Timestamp,"event;type",select,"""; DROP TABLE events; --",group,"a""b"\n' +
        `u1,2024-01-01 10:00:00,view,1,"'; DROP TABLE users; --",x,"say ""hi"""\n` +
        'u2,2024-01-01 10:05:00,purchase,2,ok,y,plain\n';
      const { report, mappings } = await importAside([file('evil.csv', text)]);
      assert.deepEqual(mappings[0].columns.map((c) => [c.column, c.target === 'keep' ? c.as : c.target]), [
        ['user"id', 'user_id'], ['Timestamp', 'ts'], ['event;type', 'event_type'], ['select', 'select'],
        ['"; DROP TABLE events; --', 'drop_table_events'], ['group', 'group'], ['a"b', 'a_b'],
      ]);
      assert.equal(report.files[0].rowsLoaded, 2);
      assert.deepEqual(await rows(db, `SELECT user_id, event_type, "select", drop_table_events, "group", a_b FROM other_6.events ORDER BY event_id`), [
        { user_id: 'u1', event_type: 'product_view', select: 1, drop_table_events: "'; DROP TABLE users; --", group: 'x', a_b: 'say "hi"' },
        { user_id: 'u2', event_type: 'purchase', select: 2, drop_table_events: 'ok', group: 'y', a_b: 'plain' },
      ]);
      await assertTinyIntact(db);
    });

    test('no usable user or time column: the message names both and the names expected', async () => {
      const msg = await expectStrataError(
        () => importFiles(db, [file('sizes.csv', 'colour,size,weight\nred,M,3\nblue,L,4\n')]),
        /sizes\.csv has no usable user id and time column/, /customer_id/, /InvoiceDate/,
      );
      assert.doesNotMatch(msg, /DuckDB|Error:/);
      // A time column that never parses is as good as none: every row is set aside, and the import is refused.
      await expectStrataError(
        () => importFiles(db, [file('notime.csv', 'user_id,timestamp,event\nu1,soon,view\nu2,later,view\n')]),
        /None of the 2 rows of notime\.csv could be loaded/, /time is missing or is not a date/,
      );
      await assertTinyIntact(db);
    });

    test('several date formats in one column load, unreadable ones are set aside', async () => {
      const text = 'user_id,date,event\nu1,2024-03-05 14:30,view\nu1,13/03/2024 09:00,view\nu1,"Mar 14, 2024",view\nu1,someday,view\n';
      const { report } = await importAside([file('dates.csv', text)]);
      assert.equal(report.files[0].rowsLoaded, 3);
      assert.deepEqual(report.files[0].setAside.map((g) => [g.reason, g.count]), [['bad_timestamp', 1]]);
      await assertTinyIntact(db);
    });

    test('a file too large for the memory at hand: a clear message, nothing lost', async () => {
      // One thread, as in the browser, and a limit a small import fits in (checked first) but 200k rows do not.
      const lines = ['user_id,ts,event,note'];
      for (let i = 0; i < 200_000; i++) {
        lines.push(`u${i % 5000},${new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString()},view,${(i * 2654435761).toString(36)}`);
      }
      const big = file('big.csv', lines.join('\n') + '\n');
      const small = file('small.csv', 'user_id,ts,event\nu1,2024-01-01 10:00:00,view\n');
      const bigProbe = await probe(db, sourceOf(big));
      assert.equal(bigProbe.columns.length, 4);
      await db.exec(`${native ? 'SET threads = 1; ' : ''}SET memory_limit = '50MB'`);
      try {
        assert.equal((await importAside([small])).report.files[0].rowsLoaded, 1);
        await expectStrataError(
          () => importFiles(db, [big]),
          /big\.csv needs more memory than is available/, /current data is unchanged/, /smaller files|Parquet/,
        );
        await assertTinyIntact(db);
      } finally {
        await db.exec(`RESET memory_limit${native ? '; RESET threads' : ''}`);
      }
      await assertTinyIntact(db);
    });
  });
}

suite('native', openNodeDb, true);
suite('wasm', openWasmDb, false);
