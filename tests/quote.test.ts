// The quoting choke point: identifiers and literals survive quotes, semicolons and keywords as plain data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commentText, ident, literal, sql, raw } from '../src/sql/quote.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { toRows } from '../src/lib/rows.ts';

const NASTY = [`a"b`, `x'; DROP TABLE t; --`, 'select', 'order', 'Côte d\'Ivoire', '"', "''", 'a;b', 'tab\tnew\nline'];

test('ident doubles quotes and rejects empty or NUL names', () => {
  assert.equal(ident('user_id'), '"user_id"');
  assert.equal(ident('a"b'), '"a""b"');
  assert.throws(() => ident(''), /non-empty/);
  assert.throws(() => ident('a\0b'), /NUL/);
});

test('literal writes every value type and refuses what SQL cannot hold', () => {
  assert.equal(literal(null), 'NULL');
  assert.equal(literal(true), 'TRUE');
  assert.equal(literal(42), '42');
  assert.equal(literal(0.1), '0.1');
  assert.equal(literal("it's"), "'it''s'");
  assert.throws(() => literal(Number.NaN), /Cannot write/);
  assert.throws(() => literal(Infinity), /Cannot write/);
  assert.throws(() => literal('a\0'), /NUL/);
});

test('sql tag turns values into ? parameters and splices nested Sql in order', () => {
  const inner = sql`b = ${2}`;
  const q = sql`SELECT * FROM t WHERE a = ${'x'} AND ${inner} AND c = ${null}${raw(' LIMIT 1')}`;
  assert.equal(q.text, 'SELECT * FROM t WHERE a = ? AND b = ? AND c = ? LIMIT 1');
  assert.deepEqual(q.params, ['x', 2, null]);
});

test('hostile names and values round-trip through DuckDB unchanged', async () => {
  const db = await openNodeDb();
  try {
    for (const name of NASTY) {
      await db.exec(`CREATE OR REPLACE TABLE t (${ident(name)} VARCHAR)`);
      await db.exec(`INSERT INTO t VALUES (${literal(name)})`);
      const viaLiteral = toRows(await db.query(`SELECT ${ident(name)} AS v FROM t WHERE ${ident(name)} = ${literal(name)}`));
      assert.deepEqual(viaLiteral, [{ v: name }], `literal ${JSON.stringify(name)}`);
      const q = sql`SELECT ${raw(ident(name))} AS v FROM t WHERE ${raw(ident(name))} = ${name}`;
      assert.deepEqual(toRows(await db.query(q.text, q.params)), [{ v: name }], `param ${JSON.stringify(name)}`);
    }
    const tables = toRows(await db.query('SELECT count(*)::INTEGER AS n FROM duckdb_tables()'));
    assert.deepEqual(tables, [{ n: 1 }]);
  } finally {
    await db.close();
  }
});

test('a result column named __proto__ is a column in both engines and in toRows (keys are data)', async () => {
  const db = await openNodeDb();
  const t = await db.query(`SELECT 1 AS "__proto__", 'x' AS "constructor", 2 AS plain`);
  assert.deepEqual(t.schema.fields.map((f) => f.name), ['__proto__', 'constructor', 'plain']);
  const [row] = toRows(t);
  assert.deepEqual(Object.keys(row), ['__proto__', 'constructor', 'plain']);
  assert.equal(Object.getOwnPropertyDescriptor(row, '__proto__')?.value, 1);
  assert.equal(Object.getPrototypeOf(row), Object.prototype, 'the row keeps its prototype');
  assert.equal(row.constructor, 'x');
  await db.close();
});

test('Show SQL keeps a ? inside a quoted column name, a string or a comment, and the shown SQL runs to the same answer', async () => {
  const { inlineSql } = await import('../src/sql/quote.ts');
  const col = 'Why? "really"?';
  const q = sql`SELECT ${raw(ident(col))} AS a, regexp_replace(${'x.com/p?q'}, '(\\.com)?(/.*)?$', '') AS host, ${7} + 1 AS n -- what? no.
/* a ? in a comment */ FROM (SELECT ${"it's?"} AS ${raw(ident(col))}) t WHERE ${raw(ident(col))} <> ${'?'}`;
  const shown = inlineSql(q);
  assert.ok(shown.includes(ident(col)), 'the column name is written as it is');
  assert.ok(shown.includes("'(\\.com)?(/.*)?$'"), 'the regular expression is written as it is');
  assert.ok(shown.includes('-- what? no.') && shown.includes('/* a ? in a comment */'));
  assert.ok(shown.includes("'x.com/p?q'") && shown.includes('7 + 1') && shown.includes("<> '?'"));
  const db = await openNodeDb();
  try {
    assert.deepEqual(toRows(await db.query(shown)), toRows(await db.query(q.text, q.params)));
    assert.deepEqual(toRows(await db.query(shown)), [{ a: "it's?", host: 'x', n: 8 }]);
  } finally {
    await db.close();
  }
  assert.throws(() => inlineSql({ text: 'SELECT ?, ?', params: [1] }), /Placeholder count/);
  assert.throws(() => inlineSql({ text: 'SELECT ?', params: [1, 2] }), /Placeholder count/);
});

test('scriptSql writes values so a script means what the bound statement means: numbers as DOUBLE, text escaped', async () => {
  const { scriptSql } = await import('../src/sql/quote.ts');
  const hostile = "x'); DROP TABLE t; --?";
  const q = sql`SELECT ${7} / ${2} AS half, typeof(${3}) AS kind, ${hostile} AS s, ${null} IS NULL AS isnull, ${true} AS b, ${-0.5} * 2 AS neg`;
  const script = scriptSql(q);
  assert.ok(script.includes('CAST(7 AS DOUBLE)') && script.includes("'x''); DROP TABLE t; --?'"));
  const db = await openNodeDb();
  try {
    await db.exec('CREATE TABLE t AS SELECT 1 AS k');
    await db.exec(`CREATE TABLE out AS ${script}; SELECT 1`);
    const bound = toRows(await db.query(q.text, q.params));
    assert.deepEqual(toRows(await db.query('SELECT * FROM out')), bound);
    assert.deepEqual(bound, [{ half: 3.5, kind: 'DOUBLE', s: hostile, isnull: true, b: true, neg: -1 }]);
    assert.equal(toRows(await db.query('SELECT count(*)::INT AS n FROM t'))[0].n, 1, 'the hostile text stayed data');
  } finally {
    await db.close();
  }
});

test('commentText keeps data text inside one comment line', () => {
  assert.equal(commentText('a\nDROP TABLE events; --\r\nb\u2028c'), 'a DROP TABLE events; --  b c');
  assert.equal(commentText(`o'dd"; --`), `o'dd"; --`);
});
