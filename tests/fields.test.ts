// The field catalog and value suggestions: ids by source letter, and most-frequent values through the quoting function.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openNodeDb } from '../src/db/node-db.ts';
import { toRows } from '../src/lib/rows.ts';
import { columnTitle, decodeFields, fieldById, fieldsForGrain, fieldsSql, fieldTitle, fieldValuesSql } from '../src/analyses/fields.ts';

test('fields: every column of events, users, user_metrics as e./u./m.; suggestions by frequency, hostile names quoted', async () => {
  const db = await openNodeDb({ threads: 1 });
  await db.exec(`CREATE TABLE events(user_id VARCHAR, device VARCHAR);
    CREATE TABLE users(user_id VARCHAR, device VARCHAR, "a""b; DROP TABLE users; --" VARCHAR);
    CREATE TABLE user_metrics(user_id VARCHAR, orders BIGINT);
    INSERT INTO users VALUES ('u1', 'mobile', 'x'), ('u2', 'desktop', 'O''Brien'), ('u3', 'mobile', 'O''Brien'), ('u4', NULL, NULL);`);
  const q = fieldsSql();
  const fields = decodeFields(await db.query(q.text, q.params));
  // user_metrics.user_id repeats users.user_id and is left out; events.device and users.device stay apart
  assert.deepEqual(fields.map((f) => f.id), ['e.user_id', 'e.device', 'u.user_id', 'u.device', 'u.a"b; DROP TABLE users; --', 'm.orders']);
  assert.deepEqual(fieldsForGrain(fields, 'users').map((f) => f.id), ['u.user_id', 'u.device', 'u.a"b; DROP TABLE users; --', 'm.orders']);
  assert.equal(fieldById(fields, 'm.orders').kind, 'integer');
  assert.throws(() => fieldById(fields, 'e.device', 'users'), /event column/);
  const values = async (id: string) => {
    const s = fieldValuesSql(fieldById(fields, id));
    return toRows(await db.query(s.text, s.params)).map((r) => r.v);
  };
  // mobile twice, desktop once; NULL left out
  assert.deepEqual(await values('u.device'), ['mobile', 'desktop']);
  // O'Brien twice, then x; the hostile column name is quoted, and users still exists afterwards
  assert.deepEqual(await values('u.a"b; DROP TABLE users; --'), ["O'Brien", 'x']);
  assert.equal(toRows(await db.query('SELECT count(*)::DOUBLE AS n FROM users'))[0].n, 4);
  await db.close();
});

test('friendlier titles beside raw column names: words split, acronyms in capitals, the raw name kept when it differs', () => {
  assert.equal(columnTitle('acquisition_source'), 'Acquisition source');
  assert.equal(columnTitle('user_id'), 'User ID');
  assert.equal(columnTitle('InvoiceNo'), 'Invoice no');
  assert.equal(columnTitle('CustomerID'), 'Customer ID');
  assert.equal(columnTitle('utm-medium'), 'UTM medium');
  assert.equal(columnTitle('AOVValue'), 'AOV value');
  assert.equal(columnTitle('country'), 'Country');
  assert.equal(columnTitle('___'), '___');
  assert.equal(fieldTitle({ column: 'x"; DROP TABLE users; --' }), 'X"; drop table users; (x"; DROP TABLE users; --)');
  assert.equal(fieldTitle({ column: 'country' }), 'Country');
  assert.equal(fieldTitle({ column: 'first_touch_source' }), 'First touch source (first_touch_source)');
  assert.equal(fieldTitle({ column: 'StockCode' }), 'Stock code (StockCode)');
});
