// Whitespace-separated text (fields split by runs of spaces or tabs, as CDNOW's sample or a statistics tool's
// export): recognised from the head, with or without a header line, read with every field in its column; files
// that are delimited, quoted or ragged are left to DuckDB's sniffer. Native DuckDB and DuckDB-WASM.
// Run: TZ=UTC node --import tsx --test tests/import-whitespace.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { whitespaceLayout } from '../src/data/import/whitespace.ts';
import { importFiles, rows, scratchDir, writeFixture } from './fixtures/import/support.ts';

test('the layout: numbered columns without a header, named with one; delimited or ragged text is not whitespace', () => {
  assert.deepEqual(whitespaceLayout(' 00004 0001 19970101  2   29.33\n 00021 0002 19970101  3   63.34\n 00050 0003 19970101  1    6.79\n 000'),
    { names: ['column0', 'column1', 'column2', 'column3', 'column4'], header: false });
  assert.deepEqual(whitespaceLayout('customer  day        total\nc1        2024-01-05  10.5\nc2        2024-01-06   3\nc3\t2024-01-07\t7\n'),
    { names: ['customer', 'day', 'total'], header: true });
  assert.equal(whitespaceLayout('a,b\n1,2\n3,4\n5,6\n'), null, 'commas: a CSV');
  assert.equal(whitespaceLayout('a b\n"x y" 2\n3 4\n5 6\n'), null, 'quotes: not plain whitespace');
  assert.equal(whitespaceLayout('one two three\n1 2\n3 4 5\n6 7 8\n'), null, 'ragged');
  assert.equal(whitespaceLayout('just one line of words\n'), null, 'too short');
  assert.equal(whitespaceLayout('single\n1\n2\n3\n'), null, 'one column');
});

function suite(name: string, open: () => Promise<Db>) {
  describe(`whitespace-separated import (${name})`, () => {
    test('a header file: columns named from it, each field in its column, the names mapped; called a transactions file', async () => {
      const tmp = scratchDir();
      const db = await open();
      try {
        const path = writeFixture(tmp.dir, 'orders.txt', [
          'customer_id   order_date     amount',
          '   c1         2024-01-05      10.50',
          '   c2         2024-01-06       3.00',
          '',
          '   c1         2024-02-01      20.00',
          '   c3         2024-02-03       0.00',
        ].join('\n') + '\n');
        const { probes, report, mappings } = await importFiles(db, [path], { edit: (m) => (m[0].role = 'transactions') });
        assert.deepEqual(mappings[0].columns.map((c) => c.target), ['user_id', 'ts', 'revenue']);
        assert.deepEqual(probes[0].read.columns, ['customer_id', 'order_date', 'amount']);
        assert.equal(probes[0].read.csv?.whitespace, true);
        assert.equal(report.files[0].role, 'transactions');
        assert.equal(report.files[0].rowsLoaded, 4);
        assert.deepEqual(await rows(db, `SELECT user_id, strftime(ts, '%Y-%m-%d') AS d, revenue, event_type FROM events ORDER BY ts`), [
          { user_id: 'c1', d: '2024-01-05', revenue: 10.5, event_type: 'purchase' },
          { user_id: 'c2', d: '2024-01-06', revenue: 3, event_type: 'purchase' },
          { user_id: 'c1', d: '2024-02-01', revenue: 20, event_type: 'purchase' },
          // A transaction worth 0 (no price column) is kept as an order worth 0.
          { user_id: 'c3', d: '2024-02-03', revenue: 0, event_type: 'purchase' },
        ]);
      } finally {
        await db.close();
        tmp.cleanup();
      }
    });
  });
}

suite('native DuckDB', () => openNodeDb());
suite('DuckDB-WASM', () => openWasmDb());
