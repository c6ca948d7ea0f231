// statementKind: which statements the threaded reader may answer from its snapshot (src/db/statement-kind.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statementKind, transactionOpenAfter } from '../src/db/statement-kind.ts';

test('one SELECT-like statement is a read, whatever its case, comments and trailing semicolon', () => {
  for (const q of [
    'SELECT 1',
    '  select * from events',
    '-- a note\nSELECT 1;',
    '/* block */ WITH t AS (SELECT 1) SELECT * FROM t',
    'FROM events LIMIT 3',
    'VALUES (1), (2)',
    'DESCRIBE events',
    'SUMMARIZE events',
    'SHOW TABLES',
    'PIVOT events ON device USING count(*)',
    "SELECT 'INSERT INTO x; DROP TABLE y' AS s",
    'SELECT "delete", "update" FROM t',
    'SELECT 1; -- done',
  ]) assert.equal(statementKind(q), 'read', q);
});

test('anything that may change the database is a write', () => {
  for (const q of [
    'INSERT INTO t VALUES (1)',
    'CREATE TABLE t AS SELECT 1',
    'UPDATE t SET a = 1',
    'DELETE FROM t',
    'DROP TABLE t',
    "SET schema = 'ds_1'",
    'BEGIN TRANSACTION',
    'COMMIT',
    'PRAGMA force_checkpoint',
    "ATTACH 'x.db' AS x",
    "COPY t TO 'x.csv'",
    'WITH x AS (SELECT 1 AS a) INSERT INTO t SELECT * FROM x',
    'WITH x AS (SELECT 1 AS a) DELETE FROM t',
    'SELECT 1; INSERT INTO t VALUES (1)',
    'SELECT 1; SELECT 2',
    'EXPLAIN ANALYZE INSERT INTO t VALUES (1)',
    'SELECT $$x$$',
    '',
    '-- only a comment',
    'CHECKPOINT; SELECT 1',
  ]) assert.equal(statementKind(q), 'write', q);
});

test('CHECKPOINT alone changes no table: neutral (the snapshot stays current)', () => {
  assert.equal(statementKind('CHECKPOINT'), 'neutral');
  assert.equal(statementKind('  checkpoint ; '), 'neutral');
  assert.equal(statementKind('FORCE CHECKPOINT'), 'write');
});

test('quotes and comments hide words from the scan, and doubled quotes stay inside', () => {
  assert.equal(statementKind(`WITH x AS (SELECT 'it''s an INSERT' AS s) SELECT * FROM x`), 'read');
  assert.equal(statementKind(`WITH x AS (SELECT "a""INSERT" FROM t) SELECT * FROM x`), 'read');
  assert.equal(statementKind('WITH x AS (SELECT 1 /* INSERT */) SELECT * FROM x -- DELETE'), 'read');
  assert.equal(statementKind(`SELECT ';' AS s`), 'read');
  assert.equal(statementKind(`SELECT 1 /* unterminated`), 'read');
});

test('transactionOpenAfter follows BEGIN / COMMIT / ROLLBACK through scripts', () => {
  assert.equal(transactionOpenAfter('BEGIN TRANSACTION', false), true);
  assert.equal(transactionOpenAfter('INSERT INTO t VALUES (1)', true), true);
  assert.equal(transactionOpenAfter('COMMIT', true), false);
  assert.equal(transactionOpenAfter('ROLLBACK', true), false);
  assert.equal(transactionOpenAfter('BEGIN; INSERT INTO t VALUES (1); COMMIT;', false), false);
  assert.equal(transactionOpenAfter('START TRANSACTION; UPDATE t SET a = 1', false), true);
  assert.equal(transactionOpenAfter("SELECT 'COMMIT' AS s", true), true, 'a word inside a string is not a statement');
  assert.equal(transactionOpenAfter('SELECT 1 AS begin', false), false, 'only a statement that starts with it');
  assert.equal(transactionOpenAfter('-- note\nEND', true), false);
});
