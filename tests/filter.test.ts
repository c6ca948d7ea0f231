// Filters (nested AND / OR conditions -> a WHERE predicate with bound values) on a hand-made fixture in native
// DuckDB. Every expected list of ids below is worked out by hand from the tables in this comment, never by the
// code under test. Run: TZ=UTC node --import tsx --test tests/filter.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import { toRows } from '../src/lib/rows.ts';
import { StrataError } from '../src/errors.ts';
import { ident, raw, sql } from '../src/sql/quote.ts';
import { decodeFields, fieldsSql, fromSql, type Field, type FieldSource } from '../src/analyses/fields.ts';
import {
  EMPTY_FILTER,
  checkFilter,
  describeFilter,
  filterFields,
  filterSql,
  isEmptyFilter,
  validateFilter,
  type CondOp,
  type CondValue,
  type FilterCond,
  type FilterGroup,
  type FilterNode,
} from '../src/analyses/filter/index.ts';

// ---------------------------------------------------------------------------------------------------------
// The fixture. EVIL is a users column literally named  a"b; DROP TABLE users; --  and "select" is a keyword.
//
// users (10 rows)
// id   signup_ts            age   country        income   vip    nickname  EVIL                      select
// u01  2024-01-31 23:59:59  25    France         1000.5   true   Alice     O'Brien                   1
// u02  2024-02-01 00:00:00  30    Côte d'Ivoire  2500     false  ALICIA    ";                        2
// u03  2024-02-15 12:00:00  NULL  Germany        NULL     NULL   bob       --                        3
// u04  2024-02-29 23:59:59  18    NULL           0        true   Malice    ) OR (1=1                 NULL
// u05  2024-03-01 00:00:00  40    France         -10.25   false  NULL      NULL                      5
// u06  NULL                 25    Japan          2500     true   Bobby     plain                     1
// u07  2024-03-24 12:00:00  60    Côte d'Ivoire  999.99   NULL   aLiNa     '; DROP TABLE users; --   7
// u08  2024-03-24 12:00:01  24    Germany        1000000  false  Carol     o'brien                   8
// u09  2024-03-31 12:00:00  26    NULL           NULL     true   carl      plain                     9
// u10  2024-01-01 00:00:00  33    Japan          1000.5   false  Ali_Baba  "; DROP TABLE users; --   10
//
// user_metrics (9 rows: u09 has none, so every m.* is NULL for u09)
// id   revenue  orders  first_order (DATE)
// u01  35       2       2024-01-05
// u02  20       1       2024-02-01
// u03  100      3       2024-02-29
// u04  0        0       NULL
// u05  29.99    1       2024-03-01
// u06  NULL     0       2024-03-25
// u07  30       1       2024-03-24
// u08  250      5       2023-12-31
// u10  10       NULL    2024-03-31
//
// events (10 rows). max(ts) = 2024-03-31 12:00:00 (e03), so "last 7 days" is ts > 2024-03-24 12:00:00 and
// "last 30 days" is ts > 2024-03-01 12:00:00 (March 31 - 30 days = March 1).
// id   user  session  type      ts                   category  revenue
// e01  u01   s1       purchase  2024-03-01 00:00:00  Books     20
// e02  u01   s1       view      2024-03-30 23:59:59  Toys      NULL
// e03  u02   s2       purchase  2024-03-31 12:00:00  Books     15
// e04  u04   s3       purchase  2024-02-10 10:00:00  Books     5
// e05  u05   s4       view      2024-03-24 12:00:00  Books     NULL   (exactly max - 7 days)
// e06  u07   s5       purchase  2024-03-24 12:00:01  Garden    30
// e07  NULL  s6       view      2024-03-31 00:00:00  Books     NULL   (anonymous: every u.* / m.* is NULL)
// e08  u08   s7       purchase  2024-01-15 09:00:00  books     250    (lower-case category)
// e09  u99   s8       view      2024-03-02 08:00:00  Books     NULL   (no users row: every u.* / m.* is NULL)
// e10  u06   s9       purchase  2024-03-15 18:30:00  Toys      40
// ---------------------------------------------------------------------------------------------------------
const EVIL = 'a"b; DROP TABLE users; --';
const EVIL_ID = `u.${EVIL}`;
const ALL_USERS = ['u01', 'u02', 'u03', 'u04', 'u05', 'u06', 'u07', 'u08', 'u09', 'u10'];

const FIXTURE_SQL = `
CREATE TABLE users (
  user_id VARCHAR, signup_ts TIMESTAMP, age INTEGER, country VARCHAR, income DOUBLE, vip BOOLEAN,
  nickname VARCHAR, "a""b; DROP TABLE users; --" VARCHAR, "select" INTEGER);
INSERT INTO users VALUES
  ('u01', '2024-01-31 23:59:59', 25,   'France',         1000.5,  true,  'Alice',    'O''Brien',                 1),
  ('u02', '2024-02-01 00:00:00', 30,   'Côte d''Ivoire', 2500,    false, 'ALICIA',   '";',                       2),
  ('u03', '2024-02-15 12:00:00', NULL, 'Germany',        NULL,    NULL,  'bob',      '--',                       3),
  ('u04', '2024-02-29 23:59:59', 18,   NULL,             0,       true,  'Malice',   ') OR (1=1',                NULL),
  ('u05', '2024-03-01 00:00:00', 40,   'France',         -10.25,  false, NULL,       NULL,                       5),
  ('u06', NULL,                  25,   'Japan',          2500,    true,  'Bobby',    'plain',                    1),
  ('u07', '2024-03-24 12:00:00', 60,   'Côte d''Ivoire', 999.99,  NULL,  'aLiNa',    '''; DROP TABLE users; --', 7),
  ('u08', '2024-03-24 12:00:01', 24,   'Germany',        1000000, false, 'Carol',    'o''brien',                 8),
  ('u09', '2024-03-31 12:00:00', 26,   NULL,             NULL,    true,  'carl',     'plain',                    9),
  ('u10', '2024-01-01 00:00:00', 33,   'Japan',          1000.5,  false, 'Ali_Baba', '"; DROP TABLE users; --',  10);
CREATE TABLE user_metrics (user_id VARCHAR, revenue DOUBLE, orders BIGINT, first_order DATE);
INSERT INTO user_metrics VALUES
  ('u01', 35, 2, '2024-01-05'), ('u02', 20, 1, '2024-02-01'), ('u03', 100, 3, '2024-02-29'),
  ('u04', 0, 0, NULL), ('u05', 29.99, 1, '2024-03-01'), ('u06', NULL, 0, '2024-03-25'),
  ('u07', 30, 1, '2024-03-24'), ('u08', 250, 5, '2023-12-31'), ('u10', 10, NULL, '2024-03-31');
CREATE TABLE events (
  event_id VARCHAR, user_id VARCHAR, session_id VARCHAR, event_type VARCHAR, ts TIMESTAMP, category VARCHAR,
  revenue DOUBLE);
INSERT INTO events VALUES
  ('e01', 'u01', 's1', 'purchase', '2024-03-01 00:00:00', 'Books',  20),
  ('e02', 'u01', 's1', 'view',     '2024-03-30 23:59:59', 'Toys',   NULL),
  ('e03', 'u02', 's2', 'purchase', '2024-03-31 12:00:00', 'Books',  15),
  ('e04', 'u04', 's3', 'purchase', '2024-02-10 10:00:00', 'Books',  5),
  ('e05', 'u05', 's4', 'view',     '2024-03-24 12:00:00', 'Books',  NULL),
  ('e06', 'u07', 's5', 'purchase', '2024-03-24 12:00:01', 'Garden', 30),
  ('e07', NULL,  's6', 'view',     '2024-03-31 00:00:00', 'Books',  NULL),
  ('e08', 'u08', 's7', 'purchase', '2024-01-15 09:00:00', 'books',  250),
  ('e09', 'u99', 's8', 'view',     '2024-03-02 08:00:00', 'Books',  NULL),
  ('e10', 'u06', 's9', 'purchase', '2024-03-15 18:30:00', 'Toys',   40);
`;

// Small builders so each case reads like the filter it is.
const and = (...items: FilterNode[]): FilterGroup => ({ op: 'and', items });
const or = (...items: FilterNode[]): FilterGroup => ({ op: 'or', items });
const c = (field: string, op: CondOp, value?: CondValue | CondValue[]): FilterCond =>
  value === undefined ? { field, op } : { field, op, value };

/** Assert `fn` throws a StrataError whose message matches every pattern. */
function rejects(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StrataError, `expected a StrataError, got ${String(e)}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

type Case = [title: string, filter: FilterGroup, want: string[]];

// ---------------------------------------------------------------------------------------------------------
// Users grain: SELECT u.user_id FROM users u LEFT JOIN user_metrics m ... WHERE <filter>.
// ---------------------------------------------------------------------------------------------------------
const USER_CASES: Case[] = [
  // ---- integer u.age: u01 25, u02 30, u03 NULL, u04 18, u05 40, u06 25, u07 60, u08 24, u09 26, u10 33
  // the two 25s
  ['age = 25', and(c('u.age', '=', 25)), ['u01', 'u06']],
  // everyone but the two 25s, and the NULL age (u03) is kept
  ['age != 25 keeps NULL', and(c('u.age', '!=', 25)), ['u02', 'u03', 'u04', 'u05', 'u07', 'u08', 'u09', 'u10']],
  // 18 (u04), 24 (u08); 25 itself is not < 25
  ['age < 25', and(c('u.age', '<', 25)), ['u04', 'u08']],
  // 18, 24 and both 25s
  ['age <= 25', and(c('u.age', '<=', 25)), ['u01', 'u04', 'u06', 'u08']],
  // 30, 40, 60, 26, 33; not the 25s, not NULL
  ['age > 25', and(c('u.age', '>', 25)), ['u02', 'u05', 'u07', 'u09', 'u10']],
  // the 25s plus the > 25 list
  ['age >= 25', and(c('u.age', '>=', 25)), ['u01', 'u02', 'u05', 'u06', 'u07', 'u09', 'u10']],
  // 25, 30, 25, 26, 33 (both ends included); not 24 (u08) nor 40 (u05)
  ['age between 25 and 33 (inclusive)', and(c('u.age', 'between', [25, 33])), ['u01', 'u02', 'u06', 'u09', 'u10']],
  // a fractional bound on an integer column is not truncated: 18 and 24 are < 24.5, 25 is not
  ['age < 24.5', and(c('u.age', '<', 24.5)), ['u04', 'u08']],
  // 18 (u04), 60 (u07); nobody is 99
  ['age in [18, 60, 99]', and(c('u.age', 'in', [18, 60, 99])), ['u04', 'u07']],
  // not 25 (u01, u06) nor 30 (u02); NULL u03 kept
  ['age not_in [25, 30] keeps NULL', and(c('u.age', 'not_in', [25, 30])), ['u03', 'u04', 'u05', 'u07', 'u08', 'u09', 'u10']],
  ['age is_null', and(c('u.age', 'is_null')), ['u03']],
  ['age not_null', and(c('u.age', 'not_null')), ALL_USERS.filter((u) => u !== 'u03')],

  // ---- double u.income: u01 1000.5, u02 2500, u03 NULL, u04 0, u05 -10.25, u06 2500, u07 999.99, u08 1e6,
  //      u09 NULL, u10 1000.5
  ['income = 1000.5', and(c('u.income', '=', 1000.5)), ['u01', 'u10']],
  // not 2500 (u02, u06); NULLs u03, u09 kept
  ['income != 2500 keeps NULL', and(c('u.income', '!=', 2500)), ['u01', 'u03', 'u04', 'u05', 'u07', 'u08', 'u09', 'u10']],
  ['income < 0', and(c('u.income', '<', 0)), ['u05']],
  // 1000.5 (u01, u10), 0 (u04, lower end), 999.99 (u07)
  ['income between 0 and 1000.5', and(c('u.income', 'between', [0, 1000.5])), ['u01', 'u04', 'u07', 'u10']],
  ['income >= 1000000', and(c('u.income', '>=', 1000000)), ['u08']],

  // ---- m.revenue (user_metrics; u09 has no row): u01 35, u02 20, u03 100, u04 0, u05 29.99, u06 NULL, u07 30,
  //      u08 250, u09 -, u10 10
  ['m.revenue = 30', and(c('m.revenue', '=', 30)), ['u07']],
  // all but u07; u06 (NULL) and u09 (no row) kept
  ['m.revenue != 30 keeps NULL and missing rows', and(c('m.revenue', '!=', 30)), ALL_USERS.filter((u) => u !== 'u07')],
  // 20, 0, 29.99, 10
  ['m.revenue < 30', and(c('m.revenue', '<', 30)), ['u02', 'u04', 'u05', 'u10']],
  ['m.revenue <= 30', and(c('m.revenue', '<=', 30)), ['u02', 'u04', 'u05', 'u07', 'u10']],
  // 35, 100, 250
  ['m.revenue > 30', and(c('m.revenue', '>', 30)), ['u01', 'u03', 'u08']],
  ['m.revenue >= 30', and(c('m.revenue', '>=', 30)), ['u01', 'u03', 'u07', 'u08']],
  // 35 (upper end), 20 (lower end), 29.99, 30
  ['m.revenue between 20 and 35', and(c('m.revenue', 'between', [20, 35])), ['u01', 'u02', 'u05', 'u07']],

  // ---- bigint m.orders: u01 2, u02 1, u03 3, u04 0, u05 1, u06 0, u07 1, u08 5, u09 -, u10 NULL
  ['m.orders in [0, 1]', and(c('m.orders', 'in', [0, 1])), ['u02', 'u04', 'u05', 'u06', 'u07']],
  // 2, 3, 5 and the two NULLs (u09 no row, u10 NULL)
  ['m.orders not_in [0, 1] keeps NULL', and(c('m.orders', 'not_in', [0, 1])), ['u01', 'u03', 'u08', 'u09', 'u10']],
  ['m.orders is_null (NULL and no row)', and(c('m.orders', 'is_null')), ['u09', 'u10']],

  // ---- timestamp u.signup_ts (whole UTC days)
  // before 2024-02-01 = < 02-01 00:00: u01 (01-31 23:59:59), u10 (01-01); u02 at 02-01 00:00:00 is not before
  ['signup before 2024-02-01', and(c('u.signup_ts', 'before', '2024-02-01')), ['u01', 'u10']],
  // before 2024-01-01: u10 at exactly 2024-01-01 00:00:00 is on that day, not before it
  ['signup before 2024-01-01 excludes 00:00:00 of that day', and(c('u.signup_ts', 'before', '2024-01-01')), []],
  // after 2024-02-29 = >= 03-01 00:00: u05 (03-01 00:00), u07, u08, u09; u04 (02-29 23:59:59) is on the day itself
  ['signup after 2024-02-29', and(c('u.signup_ts', 'after', '2024-02-29')), ['u05', 'u07', 'u08', 'u09']],
  // 02-01 00:00 .. 02-29 23:59:59 inclusive: u02 (02-01 00:00:00), u03, u04 (02-29 23:59:59);
  // not u01 (01-31 23:59:59) nor u05 (03-01 00:00:00)
  ['signup between 2024-02-01 and 2024-02-29 (whole days)', and(c('u.signup_ts', 'between', ['2024-02-01', '2024-02-29'])), ['u02', 'u03', 'u04']],
  // a one-day range: both 03-24 signups (12:00:00 and 12:00:01)
  ['signup between 2024-03-24 and 2024-03-24', and(c('u.signup_ts', 'between', ['2024-03-24', '2024-03-24'])), ['u07', 'u08']],
  // > 2024-03-24 12:00:00: u08 (12:00:01), u09 (03-31 12:00); u07 at exactly max - 7 days is out
  ['signup in the last 7 days (from the last event)', and(c('u.signup_ts', 'last_days', 7)), ['u08', 'u09']],
  // > 2024-03-01 12:00:00: u07, u08, u09; u05 (03-01 00:00) is out
  ['signup in the last 30 days', and(c('u.signup_ts', 'last_days', 30)), ['u07', 'u08', 'u09']],
  ['signup is_null', and(c('u.signup_ts', 'is_null')), ['u06']],

  // ---- DATE m.first_order: u01 01-05, u02 02-01, u03 02-29, u04 NULL, u05 03-01, u06 03-25, u07 03-24,
  //      u08 2023-12-31, u09 -, u10 03-31
  ['first_order (DATE) before 2024-01-05', and(c('m.first_order', 'before', '2024-01-05')), ['u08']],
  ['first_order (DATE) after 2024-03-24', and(c('m.first_order', 'after', '2024-03-24')), ['u06', 'u10']],
  ['first_order (DATE) between 2024-02-01 and 2024-02-29', and(c('m.first_order', 'between', ['2024-02-01', '2024-02-29'])), ['u02', 'u03']],
  // > 2024-03-24 12:00: 03-25 (u06) and 03-31 (u10) at 00:00; 03-24 00:00 (u07) is out
  ['first_order (DATE) in the last 7 days', and(c('m.first_order', 'last_days', 7)), ['u06', 'u10']],

  // ---- text u.country: France u01 u05, Côte d'Ivoire u02 u07, Germany u03 u08, Japan u06 u10, NULL u04 u09
  ['country = Côte d\'Ivoire', and(c('u.country', '=', "Côte d'Ivoire")), ['u02', 'u07']],
  // "is" is exact: nobody is "france"
  ['country = france (case-sensitive)', and(c('u.country', '=', 'france')), []],
  // all but the two Frances; NULL u04, u09 kept
  ['country != France keeps NULL', and(c('u.country', '!=', 'France')), ['u02', 'u03', 'u04', 'u06', 'u07', 'u08', 'u09', 'u10']],
  ['country in [Japan, Côte d\'Ivoire]', and(c('u.country', 'in', ['Japan', "Côte d'Ivoire"])), ['u02', 'u06', 'u07', 'u10']],
  // Côte d'Ivoire, Japan and the NULLs
  ['country not_in [France, Germany] keeps NULL', and(c('u.country', 'not_in', ['France', 'Germany'])), ['u02', 'u04', 'u06', 'u07', 'u09', 'u10']],
  ['country is_null', and(c('u.country', 'is_null')), ['u04', 'u09']],
  // contains ignores case, apostrophe and all
  ['country contains D\'IVOIRE', and(c('u.country', 'contains', "D'IVOIRE")), ['u02', 'u07']],

  // ---- text u.nickname: Alice, ALICIA, bob, Malice, NULL, Bobby, aLiNa, Carol, carl, Ali_Baba
  // "ali" anywhere, any case: Alice, ALICIA, Malice, aLiNa, Ali_Baba
  ['nickname contains ALI', and(c('u.nickname', 'contains', 'ALI')), ['u01', 'u02', 'u04', 'u07', 'u10']],
  // ... at the start only: Malice (u04) drops out
  ['nickname starts_with aLI', and(c('u.nickname', 'starts_with', 'aLI')), ['u01', 'u02', 'u07', 'u10']],
  ['nickname starts_with CAR', and(c('u.nickname', 'starts_with', 'CAR')), ['u08', 'u09']],
  // "_" and "%" are plain characters, not LIKE wildcards: only Ali_Baba holds "_", nobody holds "%"
  ['nickname contains _ (not a wildcard)', and(c('u.nickname', 'contains', '_')), ['u10']],
  ['nickname contains % (not a wildcard)', and(c('u.nickname', 'contains', '%')), []],

  // ---- boolean u.vip: true u01 u04 u06 u09, false u02 u05 u08 u10, NULL u03 u07
  ['vip = true', and(c('u.vip', '=', true)), ['u01', 'u04', 'u06', 'u09']],
  ['vip = false', and(c('u.vip', '=', false)), ['u02', 'u05', 'u08', 'u10']],
  // false and NULL
  ['vip != true keeps NULL', and(c('u.vip', '!=', true)), ['u02', 'u03', 'u05', 'u07', 'u08', 'u10']],
  ['vip is_null', and(c('u.vip', 'is_null')), ['u03', 'u07']],

  // ---- groups
  // age > 25: u02 u05 u07 u09 u10. France: u01 u05; m.revenue < 30: u02 u04 u05 u10; OR: u01 u02 u04 u05 u10.
  // AND: u02 u05 u10. (Without the parentheses, "A AND B OR C" would wrongly add u04.)
  ['age > 25 AND (country = France OR m.revenue < 30)',
    and(c('u.age', '>', 25), or(c('u.country', '=', 'France'), c('m.revenue', '<', 30))), ['u02', 'u05', 'u10']],
  // age < 25 AND vip: u04 (u08 is not vip). Côte d'Ivoire AND m.revenue >= 30: u07 (u02 has 20). OR: u04 u07.
  ['(age < 25 AND vip) OR (Côte d\'Ivoire AND m.revenue >= 30)',
    or(and(c('u.age', '<', 25), c('u.vip', '=', true)), and(c('u.country', '=', "Côte d'Ivoire"), c('m.revenue', '>=', 30))),
    ['u04', 'u07']],
  // age 25..30: u01 u02 u06 u09; Japan: u06 u10; OR: u01 u02 u06 u09 u10; income present drops u09 -> u01 u02 u06 u10
  ['three levels: ((age >= 25 AND age <= 30) OR Japan) AND income present',
    and(or(and(c('u.age', '>=', 25), c('u.age', '<=', 30)), c('u.country', 'in', ['Japan'])), c('u.income', 'not_null')),
    ['u01', 'u02', 'u06', 'u10']],
  ['empty group matches everyone', and(), ALL_USERS],
  ['empty OR group matches everyone', or(), ALL_USERS],
  // the empty nested group is TRUE, so only age = 25 counts
  ['age = 25 AND (empty group)', and(c('u.age', '=', 25), or()), ['u01', 'u06']],
  // TRUE OR anything
  ['age = 25 OR (empty group)', or(c('u.age', '=', 25), and()), ALL_USERS],
  ['groups of empty groups', and(or(), and(or())), ALL_USERS],

  // ---- hostile identifiers and values. EVIL: O'Brien, ";, --, ) OR (1=1, NULL, plain, '; DROP TABLE users; --,
  //      o'brien, plain, "; DROP TABLE users; --
  ['EVIL = O\'Brien', and(c(EVIL_ID, '=', "O'Brien")), ['u01']],
  ['EVIL = ) OR (1=1', and(c(EVIL_ID, '=', ') OR (1=1')), ['u04']],
  // values holding an apostrophe: O'Brien, '; DROP..., o'brien
  ['EVIL contains \'', and(c(EVIL_ID, 'contains', "'")), ['u01', 'u07', 'u08']],
  ['EVIL contains O\'BRIEN (case-insensitive)', and(c(EVIL_ID, 'contains', "O'BRIEN")), ['u01', 'u08']],
  // "; (u02) and "; DROP ... (u10)
  ['EVIL contains ";', and(c(EVIL_ID, 'contains', '";')), ['u02', 'u10']],
  // only u03 starts with --; u07 and u10 merely contain it
  ['EVIL starts_with --', and(c(EVIL_ID, 'starts_with', '--')), ['u03']],
  ['EVIL contains --', and(c(EVIL_ID, 'contains', '--')), ['u03', 'u07', 'u10']],
  ['EVIL in [O\'Brien, ) OR (1=1, --]', and(c(EVIL_ID, 'in', ["O'Brien", ') OR (1=1', '--'])), ['u01', 'u03', 'u04']],
  // all but the two "plain"s; NULL u05 kept
  ['EVIL != plain keeps NULL', and(c(EVIL_ID, '!=', 'plain')), ['u01', 'u02', 'u03', 'u04', 'u05', 'u07', 'u08', 'u10']],
  // all but u07 and u10; NULL u05 kept
  ['EVIL not_in the two DROP TABLE values', and(c(EVIL_ID, 'not_in', ["'; DROP TABLE users; --", '"; DROP TABLE users; --'])),
    ['u01', 'u02', 'u03', 'u04', 'u05', 'u06', 'u08', 'u09']],
  ['EVIL is_null', and(c(EVIL_ID, 'is_null')), ['u05']],
  // "select": u01 1, u02 2, u03 3, u04 NULL, u05 5, u06 1, u07 7, u08 8, u09 9, u10 10
  ['"select" >= 8', and(c('u.select', '>=', 8)), ['u08', 'u09', 'u10']],
  ['"select" in [1, 7]', and(c('u.select', 'in', [1, 7])), ['u01', 'u06', 'u07']],
  ['"select" not_in [1, 7] keeps NULL', and(c('u.select', 'not_in', [1, 7])), ['u02', 'u03', 'u04', 'u05', 'u08', 'u09', 'u10']],
  // spliced into the text, these would match everybody; bound, they match nobody
  ['country = ) OR (1=1 matches nobody', and(c('u.country', '=', ') OR (1=1')), []],
  ['nickname contains \') OR (\'1\'=\'1 matches nobody', and(c('u.nickname', 'contains', "') OR ('1'='1")), []],
];

// ---------------------------------------------------------------------------------------------------------
// Events grain: SELECT e.event_id FROM events e LEFT JOIN users u ... LEFT JOIN user_metrics m ... WHERE <filter>.
// ---------------------------------------------------------------------------------------------------------
const EVENT_CASES: Case[] = [
  // Books (exact case): e01 u01 25, e03 u02 30, e04 u04 18, e05 u05 40, e07 anonymous NULL, e09 u99 NULL.
  // age >= 25: e01 e03 e05. e08 is "books" (lower case) and so not "= Books".
  ['category = Books AND u.age >= 25', and(c('e.category', '=', 'Books'), c('u.age', '>=', 25)), ['e01', 'e03', 'e05']],
  // contains "book": e01 e03 e04 e05 e07 e08 e09; country != France drops e01 (u01) and e05 (u05) and keeps the
  // NULL countries of e04 (u04), e07 (anonymous), e09 (no users row)
  ['category contains BOOK AND u.country != France',
    and(c('e.category', 'contains', 'BOOK'), c('u.country', '!=', 'France')), ['e03', 'e04', 'e07', 'e08', 'e09']],
  // > 2024-03-24 12:00:00: e02 (03-30 23:59:59), e03 (max), e06 (12:00:01), e07 (03-31 00:00); e05 exactly on it
  ['e.ts in the last 7 days', and(c('e.ts', 'last_days', 7)), ['e02', 'e03', 'e06', 'e07']],
  // 03-24 00:00 .. 03-30 23:59:59: e02, e05, e06; e07 (03-31 00:00) is out
  ['e.ts between 2024-03-24 and 2024-03-30', and(c('e.ts', 'between', ['2024-03-24', '2024-03-30'])), ['e02', 'e05', 'e06']],
  // < 03-01 00:00: e04 (02-10), e08 (01-15); e01 at 03-01 00:00:00 is out
  ['e.ts before 2024-03-01', and(c('e.ts', 'before', '2024-03-01')), ['e04', 'e08']],
  // >= 03-31 00:00: e03, e07; e02 (03-30 23:59:59) is out
  ['e.ts after 2024-03-30', and(c('e.ts', 'after', '2024-03-30')), ['e03', 'e07']],
  // e.revenue > 20: e06 (u07), e08 (u08), e10 (u06); m.revenue > 30: u07 has 30 (no), u08 250 (yes), u06 NULL (no)
  ['e.revenue > 20 AND m.revenue > 30 (same column name, two tables)',
    and(c('e.revenue', '>', 20), c('m.revenue', '>', 30)), ['e08']],
  // views: e02 e05 e07 e09; vip users' events: u01 (e01 e02), u04 (e04), u06 (e10)
  ['event_type = view OR u.vip = true', or(c('e.event_type', '=', 'view'), c('u.vip', '=', true)),
    ['e01', 'e02', 'e04', 'e05', 'e07', 'e09', 'e10']],
  // no users row or anonymous -> u.user_id NULL: e07 and e09
  ['u.user_id is_null (no matching user)', and(c('u.user_id', 'is_null')), ['e07', 'e09']],
];

describe('filters on a hand-made fixture (native DuckDB)', () => {
  let db: Db;
  let fields: Field[];

  before(async () => {
    db = await openNodeDb();
    await db.exec(FIXTURE_SQL);
    const q = fieldsSql();
    fields = decodeFields(await db.query(q.text, q.params));
  });
  after(async () => db.close());

  async function ids(grain: 'users' | 'events', g: FilterGroup, sources: FieldSource[]): Promise<string[]> {
    const where = filterSql(g, fields, grain);
    const id = grain === 'users' ? 'u.user_id' : 'e.event_id';
    const q = sql`SELECT ${raw(id)} AS id FROM ${fromSql(grain, sources)} WHERE ${where} ORDER BY 1`;
    return toRows(await db.query(q.text, q.params)).map((r) => String(r.id));
  }

  test('fields: every column of the three tables, user_metrics.user_id dropped', () => {
    const byId = new Map(fields.map((f) => [f.id, f.kind]));
    assert.equal(byId.get('u.age'), 'integer');
    assert.equal(byId.get('u.income'), 'number');
    assert.equal(byId.get('u.vip'), 'boolean');
    assert.equal(byId.get('u.signup_ts'), 'temporal');
    assert.equal(byId.get('m.first_order'), 'temporal');
    assert.equal(byId.get(EVIL_ID), 'text');
    assert.equal(byId.get('u.select'), 'integer');
    assert.equal(byId.get('e.revenue'), 'number');
    assert.equal(byId.get('m.revenue'), 'number');
    assert.equal(byId.has('m.user_id'), false);
    assert.equal(fields.length, 7 + 9 + 3);
  });

  describe('users grain', () => {
    for (const [title, filter, want] of USER_CASES) {
      test(title, async () => assert.deepEqual(await ids('users', filter, ['u', 'm']), want));
    }
  });

  describe('events grain', () => {
    for (const [title, filter, want] of EVENT_CASES) {
      test(title, async () => assert.deepEqual(await ids('events', filter, ['e', 'u', 'm']), want));
    }
  });

  // Regression: @duckdb/node-api bound a whole JS number as a 32-bit INTEGER, so 3000000000 wrapped to
  // -1294967296 and "income > 3e9" kept everyone with an income. node-db now binds numbers as DOUBLE (as
  // DuckDB-WASM does). The highest income is 1e6 (u08), so the right answer is nobody.
  test('a whole-number bound beyond int32: income > 3000000000', async () => {
    assert.deepEqual(await ids('users', and(c('u.income', '>', 3000000000)), ['u']), []);
  });

  test('an empty filter is TRUE with no parameters', () => {
    assert.deepEqual(filterSql(EMPTY_FILTER, fields, 'users'), { text: 'TRUE', params: [] });
    assert.deepEqual(filterSql(and(or(), and()), fields, 'events'), { text: '(TRUE AND TRUE)', params: [] });
  });

  test('parameters follow the conditions in order', () => {
    const w = filterSql(and(c('u.age', '>', 25), or(c('u.country', '=', 'France'), c('m.revenue', '<', 30))), fields, 'users');
    assert.deepEqual(w.params, [25, 'France', 30]);
    assert.equal((w.text.match(/\?/g) ?? []).length, 3);
  });

  test('hostile identifiers are quoted and hostile values never reach the SQL text', () => {
    const q = filterSql(and(c(EVIL_ID, '=', "O'Brien")), fields, 'users');
    assert.deepEqual(q, { text: '((u."a""b; DROP TABLE users; --" = ?))', params: ["O'Brien"] });
    assert.deepEqual(filterSql(and(c('u.select', '>=', 8)), fields, 'users'), { text: '((u."select" >= ?))', params: [8] });
    const values = ["O'Brien", '";', '--', ') OR (1=1', "'; DROP TABLE users; --", '"; DROP TABLE users; --', "') OR ('1'='1"];
    for (const v of values) {
      for (const f of [EVIL_ID, 'u.country', 'u.nickname']) {
        for (const g of [and(c(f, '=', v)), and(c(f, 'contains', v)), and(c(f, 'starts_with', v)), and(c(f, 'not_in', ['x', v]))]) {
          const w = filterSql(g, fields, 'users');
          // The quoted EVIL name itself holds "--"; take it out before looking for the value.
          const text = w.text.replaceAll(`u.${ident(EVIL)}`, 'u.<evil>');
          assert.ok(!text.includes(v), `value ${JSON.stringify(v)} appears in ${JSON.stringify(w.text)}`);
          assert.ok(w.params.includes(v), `value ${JSON.stringify(v)} is not a parameter`);
        }
      }
    }
  });

  test('the tables are all still there after the hostile filters', async () => {
    const rows = toRows(await db.query(
      `SELECT (SELECT count(*) FROM users) AS u, (SELECT count(*) FROM user_metrics) AS m, (SELECT count(*) FROM events) AS e,
        (SELECT count(*) FROM duckdb_columns() WHERE table_name = 'users' AND column_name = ?) AS evil`, [EVIL]));
    assert.deepEqual(rows, [{ u: 10, m: 9, e: 10, evil: 1 }]);
  });

  describe('checkFilter / filterSql reject what does not fit the dataset', () => {
    test('an operator that does not suit the kind', () => {
      rejects(() => filterSql(and(c('u.age', 'contains', '2')), fields, 'users'), /age \(user\)/, /"contains" does not apply/);
      // income is a DOUBLE: "is one of" is only offered for integers and text
      rejects(() => filterSql(and(c('u.income', 'in', [1])), fields, 'users'), /income \(user\)/, /"is one of"/);
      rejects(() => filterSql(and(c('u.signup_ts', '<', '2024-01-01')), fields, 'users'), /signup_ts \(user\)/);
      rejects(() => filterSql(and(c('u.vip', 'in', [true])), fields, 'users'), /vip \(user\)/);
      rejects(() => filterSql(and(c('u.country', 'last_days', 3)), fields, 'users'), /country \(user\)/);
      rejects(() => filterSql(and(c('u.age', 'before', '2024-01-01')), fields, 'users'), /age \(user\)/);
    });

    test('a value of the wrong type or count', () => {
      const bad: [FilterCond, RegExp][] = [
        [c('u.age', '=', '25'), /needs a number/],
        [c('u.age', '=', [25]), /needs a number/],
        [c('u.age', '=', true), /needs a number/],
        [c('u.age', '>'), /needs a number/],
        [c('u.age', 'between', [25]), /two values/],
        [c('u.age', 'between', [25, 30, 35]), /two values/],
        [c('u.age', 'between', [25, '30']), /two values/],
        [c('u.age', 'between', 25), /two values/],
        [c('u.age', 'in', []), /at least one value/],
        [c('u.age', 'in', 25), /at least one value/],
        [c('u.age', 'not_in', [1, 'x']), /at least one value, each a number/],
        [c('u.age', 'is_null', 1), /needs no value/],
        [c('u.country', '=', 3), /a text value/],
        [c('u.country', 'contains', ''), /some text/],
        [c('u.country', 'starts_with', 1), /some text/],
        [c('u.vip', '=', 'true'), /true or false/],
        [c('u.signup_ts', 'before', '2024-1-5'), /YYYY-MM-DD/],
        [c('u.signup_ts', 'after', '2024-13-01'), /YYYY-MM-DD/],
        [c('u.signup_ts', 'after', '2024-01-01T00:00'), /YYYY-MM-DD/],
        [c('u.signup_ts', 'between', ['2024-01-01']), /two values, each a date/],
        [c('u.signup_ts', 'last_days', 0), /whole number of days/],
        [c('u.signup_ts', 'last_days', 1.5), /whole number of days/],
        [c('u.signup_ts', 'last_days', 36501), /whole number of days/],
        [c('u.signup_ts', 'last_days', '7'), /whole number of days/],
      ];
      for (const [cond, msg] of bad) {
        const label = cond.field.slice(2);
        rejects(() => filterSql(and(c('u.age', '>', 1), or(cond)), fields, 'users'), new RegExp(`${label} \\(user\\)`), msg);
      }
      // the edges that are allowed
      assert.doesNotThrow(() => checkFilter(and(c('u.signup_ts', 'last_days', 36500)), fields, 'users'));
      assert.doesNotThrow(() => checkFilter(and(c('u.signup_ts', 'before', '2024-02-29')), fields, 'users'));
    });

    test('a day that does not exist in its month is a StrataError, not a DuckDB conversion error', async () => {
      // 2024-02-30 and 2023-02-29 match YYYY-MM-DD but are no dates; DuckDB's ::DATE refuses them.
      for (const d of ['2024-02-30', '2023-02-29', '2024-04-31']) {
        rejects(() => filterSql(and(c('u.signup_ts', 'before', d)), fields, 'users'), /signup_ts \(user\)/, /YYYY-MM-DD/);
      }
    });

    test('unknown field ids and an event field at the users grain', () => {
      rejects(() => filterSql(and(c('u.nope', '=', 1)), fields, 'users'), /no column "nope \(user\)"/);
      rejects(() => filterSql(and(c('m.user_id', 'is_null')), fields, 'users'), /no column "user_id \(user metric\)"/);
      rejects(() => filterSql(and(c('u.age', '>', 1), or(c('e.category', '=', 'Books'))), fields, 'users'),
        /"category \(event\)" is an event column/, /grain to events/);
      // the same field is fine at the events grain
      assert.doesNotThrow(() => filterSql(and(c('e.category', '=', 'Books')), fields, 'events'));
    });
  });
});

describe('validateFilter checks the shape of untrusted input', () => {
  const cond = { field: 'u.age', op: '>', value: 25 };

  test('accepts a good filter and returns a copy; a bare condition becomes a group', () => {
    const input = { op: 'or', items: [cond, { op: 'and', items: [] }, { field: 'u.vip', op: 'is_null' }] };
    const out = validateFilter(input);
    assert.deepEqual(out, input);
    assert.notEqual(out.items[0], input.items[0]);
    assert.deepEqual(validateFilter(cond), { op: 'and', items: [cond] });
  });

  test('rejects unknown keys', () => {
    rejects(() => validateFilter({ op: 'and', items: [], limit: 3 }), /Unknown filter group setting "limit"/);
    rejects(() => validateFilter({ op: 'and', items: [{ ...cond, sql: '1=1' }] }), /Unknown filter condition setting "sql"/);
    rejects(() => validateFilter(JSON.parse('{"op":"and","items":[],"__proto__":{"x":1}}')), /setting "__proto__"/);
  });

  test('rejects bad operators, group joins, fields and shapes', () => {
    rejects(() => validateFilter({ op: 'and', items: [{ ...cond, op: 'like' }] }), /Unknown filter operator "like"/);
    rejects(() => validateFilter({ op: 'and', items: [{ ...cond, op: 3 }] }), /Unknown filter operator 3/);
    rejects(() => validateFilter({ op: 'xor', items: [] }), /"and" or "or"/);
    rejects(() => validateFilter({ op: 'and', items: {} }), /list of conditions/);
    rejects(() => validateFilter({ op: 'and', items: [{ ...cond, field: 'age' }] }), /needs a field/);
    rejects(() => validateFilter({ op: 'and', items: [{ ...cond, field: 'x.age' }] }), /needs a field/);
    for (const x of [null, [], 'u.age > 25', 3]) rejects(() => validateFilter(x), /must be an object/);
    rejects(() => validateFilter({ op: 'and', items: [null] }), /must be an object/);
  });

  test('rejects non-finite numbers and values that are not scalars', () => {
    for (const v of [Number.NaN, Infinity, -Infinity, [1, Infinity], null, { a: 1 }, [[1]], [null]]) {
      rejects(() => validateFilter({ op: 'and', items: [{ ...cond, value: v }] }), /must be a number, text or true\/false/);
    }
  });

  test('nesting: 6 groups deep is fine, 7 is not', () => {
    const nest = (levels: number): unknown => {
      let g: unknown = { op: 'and', items: [cond] };
      for (let i = 1; i < levels; i++) g = { op: 'and', items: [g] };
      return g;
    };
    assert.doesNotThrow(() => validateFilter(nest(6)));
    rejects(() => validateFilter(nest(7)), /at most 6 groups deep/);
  });

  test('sizes: 100 conditions in all and 1,000 list values, no more (every limit: tests/link-limits.test.ts)', () => {
    assert.doesNotThrow(() => validateFilter({ op: 'and', items: Array(100).fill(cond) }));
    rejects(() => validateFilter({ op: 'and', items: Array(101).fill(cond) }), /at most 100 conditions in all/);
    const list = (n: number) => ({ op: 'and', items: [{ field: 'u.age', op: 'in', value: Array.from({ length: n }, (_, i) => i) }] });
    assert.doesNotThrow(() => validateFilter(list(1000)));
    rejects(() => validateFilter(list(1001)), /at most 1,000 values/);
  });
});

describe('describeFilter, filterFields, isEmptyFilter', () => {
  test('plain sentences with nested groups in parentheses', () => {
    assert.equal(describeFilter(EMPTY_FILTER), 'everything');
    assert.equal(describeFilter(and(or(), and())), 'everything');
    assert.equal(
      describeFilter(and(c('u.age', '>', 25), or(c('u.country', '=', "Côte d'Ivoire"), c('m.revenue', '<', 30)))),
      'age > 25 AND (country is "Côte d\'Ivoire" OR revenue < 30)',
    );
    assert.equal(
      describeFilter(or(
        c('u.signup_ts', 'between', ['2024-02-01', '2024-02-29']),
        c('u.age', 'in', [18, 60]),
        c('u.vip', 'is_null'),
        c('e.ts', 'last_days', 7),
        c('u.nickname', 'starts_with', 'Al'),
        c('u.income', '>=', 1000.5),
      )),
      'signup_ts between "2024-02-01" and "2024-02-29" OR age is one of [18, 60] OR vip is missing OR ts in the last 7 days' +
        ' OR nickname starts with "Al" OR income ≥ 1000.5',
    );
    // an empty group disappears and a group of one needs no parentheses
    assert.equal(describeFilter(and(or(), or(c('u.country', 'not_in', ['France'])), c('u.vip', '!=', true))),
      'country is none of ["France"] AND vip is not true');
  });

  test('filterFields lists every field read, isEmptyFilter sees through empty groups', () => {
    assert.deepEqual(filterFields(and(c('u.age', '>', 1), or(c('m.revenue', '<', 2), and(c('e.ts', 'is_null'))))), ['u.age', 'm.revenue', 'e.ts']);
    assert.equal(isEmptyFilter(EMPTY_FILTER), true);
    assert.equal(isEmptyFilter(and(or(), and(or()))), true);
    assert.equal(isEmptyFilter(and(or(), c('u.vip', 'is_null'))), false);
  });
});
