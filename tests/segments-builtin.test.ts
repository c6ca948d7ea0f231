// The built-in rule segmentations (issue 12) on hand-made users whose every label is worked out by hand below,
// on native DuckDB and on DuckDB-WASM; plus the demo shop (one label per user from the documented lists).
// Run: TZ=UTC node --import tsx --test tests/segments-builtin.test.ts
//
// Each fixture lives in a schema of its own (the segmentations read the CURRENT schema's tables).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openNodeDb } from '../src/db/node-db.ts';
import type { Db } from '../src/db/types.ts';
import { toRows } from '../src/lib/rows.ts';
import { literal, type Sql } from '../src/sql/quote.ts';
import { USER_METRICS_SQL, userMetricsSql } from '../src/data/user-metrics.ts';
import { loadShop } from '../src/data/generator/index.ts';
import { US_STATES } from '../src/data/generator/geo.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import {
  BUILTIN_SEGMENTATIONS, STATE_REGIONS, builtinSegmentation, componentsSql, dataNeedsSql, decodeDataNeeds, type Columns,
} from '../src/analyses/segments/builtin/index.ts';

const HOSTILE = `x'); DROP TABLE users; --`;
const EVIL_STATE = `Texas'; DROP TABLE users; --`;
const EVIL_CITY = `O'Fallon"; DROP TABLE users; --`;
const EVIL_SOURCE = `facebook'; DROP TABLE users; --`;
const EVIL_MEDIUM = `x" OR 1=1; --`;

// ---------------------------------------------------------------------------------------------------------
// Schema lvl — engagement level on hand-made user_metrics (first match wins):
//   L01 orders 2                                   -> Repeat Purchaser (exactly 2)
//   L02 orders 1, 5 cart adds, 30 min              -> Single Purchaser (exactly 1; beats cart and minutes)
//   L03 orders 0, cart 1, 30 min, 3 sessions       -> Cart Abandoner (beats High Engagement and Frequent)
//   L04 1 session, 2 events, 10.0 min              -> High Engagement Viewer (exactly 10 minutes)
//   L05 1 session, 7 events, 9.99 min              -> Occasional Viewer (just under both)
//   L06 2 sessions, 16 events (8 per session)      -> High Engagement Viewer (exactly 8 per session)
//   L07 2 sessions, 15 events (7.5 per session)    -> Occasional Viewer
//   L08 3 sessions, 3 events, 0.5 min              -> Frequent Viewer (exactly 3 sessions)
//   L09 no user_metrics row                        -> Occasional Viewer
//   L10 0 sessions, 9 events, minutes NULL         -> Occasional Viewer (no session: per-session rule n/a)
// Schema lvl_ev — user_metrics derived from events: A's session runs 10:00:00-10:10:00 (10 min) -> High
// Engagement Viewer; B's 10:00:00-10:09:59 (9.98 min, 2 events) -> Occasional Viewer.
// ---------------------------------------------------------------------------------------------------------
const LVL = `
CREATE TABLE users(user_id VARCHAR);
INSERT INTO users VALUES ('L01'),('L02'),('L03'),('L04'),('L05'),('L06'),('L07'),('L08'),('L09'),('L10');
CREATE TABLE events(user_id VARCHAR, ts TIMESTAMP, source VARCHAR, medium VARCHAR);
CREATE TABLE user_metrics(user_id VARCHAR, orders BIGINT, cart_adds BIGINT, sessions BIGINT, events BIGINT,
  avg_session_minutes DOUBLE, revenue DOUBLE, days_since_last_purchase INTEGER);
INSERT INTO user_metrics VALUES
 ('L01', 2, 0, 1, 5, 1, 50, 3), ('L02', 1, 5, 1, 5, 30, 20, 3), ('L03', 0, 1, 3, 5, 30, 0, NULL),
 ('L04', 0, 0, 1, 2, 10.0, 0, NULL), ('L05', 0, 0, 1, 7, 9.99, 0, NULL), ('L06', 0, 0, 2, 16, 1, 0, NULL),
 ('L07', 0, 0, 2, 15, 1, 0, NULL), ('L08', 0, 0, 3, 3, 0.5, 0, NULL), ('L10', 0, 0, 0, 9, NULL, 0, NULL);`;

const LVL_EV = `
CREATE TABLE users(user_id VARCHAR);
INSERT INTO users VALUES ('A'), ('B');
CREATE TABLE events(event_id INTEGER, user_id VARCHAR, session_id VARCHAR, event_type VARCHAR, ts TIMESTAMP,
  order_id VARCHAR, revenue DOUBLE, source VARCHAR, medium VARCHAR);
INSERT INTO events VALUES
 (1, 'A', 'a1', 'session_start', '2025-01-01 10:00:00', NULL, NULL, 'google', 'organic'),
 (2, 'A', 'a1', 'product_view', '2025-01-01 10:10:00', NULL, NULL, 'google', 'organic'),
 (3, 'B', 'b1', 'session_start', '2025-01-01 10:00:00', NULL, NULL, 'google', 'organic'),
 (4, 'B', 'b1', 'product_view', '2025-01-01 10:09:59', NULL, NULL, 'google', 'organic');
${USER_METRICS_SQL};`;

// ---------------------------------------------------------------------------------------------------------
// Schema score — engagement score and customer segments. 21 users, so the 95th percentile (quantile_cont,
// position 0.95 × 20 = 19) is exactly the second-largest value: T1 and T2 sit at every cap and nobody exceeds it.
// Caps: orders 4, minutes 20, events 40, sessions 10. Points per unit: order 40/4 = 10, minute 25/20 = 1.25,
// event 20/40 = 0.5, session 15/10 = 1.5. Score = their sum, rounded to 2 decimals.
//   user  orders revenue  min  ev  ses   score                          segment (first match)        band
//   T1    4      1000     20   40  10    40+25+20+15 = 100             High-Value                   Very High
//   T2    4      1000     20   40  10    100                           High-Value                   Very High
//   HV    2      500      0    0   0     20                            High-Value (500 and 2 exactly) Very Low
//   HVN   2      499.99   20   40  10    20+25+20+15 = 80              Loyal (revenue just short)   Very High (80)
//   S70   1      600      20   40  10    10+25+20+15 = 70              Loyal (score exactly 70)     High
//   S695  1      0        20   39  10    10+25+19.5+15 = 69.5          Regular (not Loyal, not New) High
//   HP60  0      0        20   40  10    25+20+15 = 60                 High-Potential (exactly 60)  High (60)
//   S595  0      0        20   39  10    25+19.5+15 = 59.5             Regular                      Medium
//   AR30  1      0        16   0   0     10+20 = 30                    At-Risk (exactly 30)         Low
//   S305  1      0        16   1   0     10+20+0.5 = 30.5              New                          Low
//   N50   1      0        20   30  0     10+25+15 = 50                 New (exactly 50)             Medium
//   S505  1      0        20   31  0     10+25+15.5 = 50.5             Regular                      Medium
//   C40   0      0        20   30  0     25+15 = 40                    Casual Browser (exactly 40)  Medium (40)
//   S405  0      0        20   31  0     25+15.5 = 40.5                Regular                      Medium
//   AR2   2      100      8    0   0     20+10 = 30                    At-Risk (2 orders)           Low
//   NONE  (no user_metrics row)          0                             Casual Browser               Very Low
//   Z1-Z5 0      0        0    0   0     0                             Casual Browser               Very Low
// ---------------------------------------------------------------------------------------------------------
type ScoreRow = [id: string, orders: number, revenue: number, minutes: number, events: number, sessions: number];
const SCORE_ROWS: ScoreRow[] = [
  ['T1', 4, 1000, 20, 40, 10], ['T2', 4, 1000, 20, 40, 10], ['HV', 2, 500, 0, 0, 0], ['HVN', 2, 499.99, 20, 40, 10],
  ['S70', 1, 600, 20, 40, 10], ['S695', 1, 0, 20, 39, 10], ['HP60', 0, 0, 20, 40, 10], ['S595', 0, 0, 20, 39, 10],
  ['AR30', 1, 0, 16, 0, 0], ['S305', 1, 0, 16, 1, 0], ['N50', 1, 0, 20, 30, 0], ['S505', 1, 0, 20, 31, 0],
  ['C40', 0, 0, 20, 30, 0], ['S405', 0, 0, 20, 31, 0], ['AR2', 2, 100, 8, 0, 0],
  ['Z1', 0, 0, 0, 0, 0], ['Z2', 0, 0, 0, 0, 0], ['Z3', 0, 0, 0, 0, 0], ['Z4', 0, 0, 0, 0, 0], ['Z5', 0, 0, 0, 0, 0],
];
const SCORE = `
CREATE TABLE users(user_id VARCHAR);
INSERT INTO users VALUES ${[...SCORE_ROWS.map((r) => r[0]), 'NONE'].map((u) => `('${u}')`).join(', ')};
CREATE TABLE events(user_id VARCHAR, ts TIMESTAMP, source VARCHAR, medium VARCHAR);
CREATE TABLE user_metrics(user_id VARCHAR, orders BIGINT, revenue DOUBLE, avg_session_minutes DOUBLE, events BIGINT,
  sessions BIGINT, cart_adds BIGINT, days_since_last_purchase INTEGER);
INSERT INTO user_metrics VALUES ${SCORE_ROWS.map((r) => `('${r[0]}', ${r.slice(1).join(', ')}, 0, NULL)`).join(', ')};`;

// Schema cap0 — 21 users, only X01 has orders (3) and events (10); nobody has sessions or minutes. The 95th
// percentile of orders and events is 0, so the maximum is the cap: X01 = 40 + 20 = 60; the others 0.
const CAP0 = `
CREATE TABLE users AS SELECT printf('X%02d', i) AS user_id FROM range(1, 22) t(i);
CREATE TABLE events(user_id VARCHAR, ts TIMESTAMP, source VARCHAR, medium VARCHAR);
CREATE TABLE user_metrics AS SELECT user_id, CASE WHEN user_id = 'X01' THEN 3 ELSE 0 END::BIGINT AS orders,
  CASE WHEN user_id = 'X01' THEN 10 ELSE 0 END::BIGINT AS events, 0::BIGINT AS sessions,
  NULL::DOUBLE AS avg_session_minutes FROM users;`;

// ---------------------------------------------------------------------------------------------------------
// Schema people — demographics and geography. Incomes: 10 known (10k ... 100k, distinct); P11 NULL, P12 NaN,
// P13-P18 NULL. n = 10; below = incomes strictly lower:
//   P10 100k below 9 = 90 %  -> High Income (the 90th percentile, inclusive)
//   P09  90k below 8 = 80 %  -> Above Average (inclusive)
//   P08-P06 80k/70k/60k below 7/6/5 = 70/60/50 % -> Average (50 % inclusive)
//   P05-P01 50k ... 10k below 4 ... 0 -> Low Income;  P11-P18 -> Unknown
//
//   user age    age group  gender (raw)    gender      state (raw)    country (raw)     region     city (raw)      city
//   P01  17     Under 18   'Male'          Male        'New York'     'United States'   Northeast  'New York'      New York
//   P02  18     18–24      ' male '        Male        'ohio'         'usa'             Midwest    ' new  york'    New York
//   P03  24.9   18–24      'M'             Male        'TX'           'U.S.'            South      'NEW YORK'      New York
//   P04  25     25–34      'FEMALE'        Female      ' California ' ' united states ' West       'Chicago'       Chicago
//   P05  34     25–34      'f'             Female      'D.C.'         'US'              South      'chicago'       Chicago
//   P06  35     35–44      'woman'         Female      'Georgia'      'Georgia'         Other      'Tbilisi'       Tbilisi
//   P07  64     55–64      NULL            Unknown     'Ontario'      'Canada'          Other      'Toronto'       Toronto
//   P08  65     65+        ''              Unknown     NULL           'United States'   Unknown    NULL            Unknown
//   P09  120    65+        'unknown'       Unknown     'Puerto Rico'  'USA'             Unknown    '  '            Unknown
//   P10  121    Unknown    'non-binary'    non-binary  'Texas'        NULL              South      'Austin'        Austin
//   P11  NULL   Unknown    '  Non-Binary ' Non-Binary  EVIL_STATE     'US'              Unknown    EVIL_CITY       EVIL_CITY
//   P12  -1     Unknown    HOSTILE         HOSTILE     'wa'           'U.S.A.'          West       'Seattle'       Seattle
//   P13  '44'*  35–44      'F'             Female      'Bavaria'      'germany'         Other      'Munich'        Munich
//   P14  45     45–54      'M'             Male        'Bavaria'      'Germany'         Other      'Munich'        Munich
//   P15  54     45–54      'M'             Male        'Bavaria'      'GERMANY'         Other      'munich'        Munich
//   P16  55     55–64      'M'             Male        'Bavaria'      'Germany'         Other      'Munich'        Munich
//   P17  NULL   Unknown    'M'             Male        'Paris'        'france'          Other      'Paris'         Paris
//   P18  NULL   Unknown    'M'             Male        'Paris'        'FRANCE'          Other      'Paris'         Paris
// (* age is a DOUBLE column here; P13's 44 written as 44.0.) Countries: 'United States' for P01-P05, P08, P09, P11,
// P12 (aliases and case); P10 Unknown; Germany (2 of 4 spellings); 'france' vs 'FRANCE' tie, neither mixed case,
// so the code-point-first 'FRANCE' wins.
// ---------------------------------------------------------------------------------------------------------
type Person = [id: string, age: number | null, gender: string | null, income: number | null | 'NaN', state: string | null,
  country: string | null, city: string | null];
const PEOPLE: Person[] = [
  ['P01', 17, 'Male', 10000, 'New York', 'United States', 'New York'],
  ['P02', 18, ' male ', 20000, 'ohio', 'usa', ' new  york'],
  ['P03', 24.9, 'M', 30000, 'TX', 'U.S.', 'NEW YORK'],
  ['P04', 25, 'FEMALE', 40000, ' California ', ' united states ', 'Chicago'],
  ['P05', 34, 'f', 50000, 'D.C.', 'US', 'chicago'],
  ['P06', 35, 'woman', 60000, 'Georgia', 'Georgia', 'Tbilisi'],
  ['P07', 64, null, 70000, 'Ontario', 'Canada', 'Toronto'],
  ['P08', 65, '', 80000, null, 'United States', null],
  ['P09', 120, 'unknown', 90000, 'Puerto Rico', 'USA', '  '],
  ['P10', 121, 'non-binary', 100000, 'Texas', null, 'Austin'],
  ['P11', null, '  Non-Binary ', null, EVIL_STATE, 'US', EVIL_CITY],
  ['P12', -1, HOSTILE, 'NaN', 'wa', 'U.S.A.', 'Seattle'],
  ['P13', 44, 'F', null, 'Bavaria', 'germany', 'Munich'],
  ['P14', 45, 'M', null, 'Bavaria', 'Germany', 'Munich'],
  ['P15', 54, 'M', null, 'Bavaria', 'GERMANY', 'munich'],
  ['P16', 55, 'M', null, 'Bavaria', 'Germany', 'Munich'],
  ['P17', null, 'M', null, 'Paris', 'france', 'Paris'],
  ['P18', null, 'M', null, 'Paris', 'FRANCE', 'Paris'],
];
const PEOPLE_SQL = `
CREATE TABLE users(user_id VARCHAR, age DOUBLE, gender VARCHAR, income DOUBLE, state VARCHAR, country VARCHAR, city VARCHAR);
INSERT INTO users VALUES ${PEOPLE.map((p) => `(${p.map((v) => (v === 'NaN' ? "'NaN'::DOUBLE" : literal(v))).join(', ')})`).join(',\n ')};
CREATE TABLE events(user_id VARCHAR, ts TIMESTAMP, source VARCHAR, medium VARCHAR);
CREATE TABLE user_metrics(user_id VARCHAR);`;

// Schema ties — incomes 10k ... 80k and two at 100k (n = 10): both 100k have 8 strictly below (80 %) -> Above
// Average, nobody is High Income; 80k has 7 below -> Average.
const TIES = `
CREATE TABLE users(user_id VARCHAR, income DOUBLE);
INSERT INTO users VALUES ('I1', 10000), ('I2', 20000), ('I3', 30000), ('I4', 40000), ('I5', 50000), ('I6', 60000),
  ('I7', 70000), ('I8', 80000), ('I9', 100000), ('I10', 100000);`;

// Schema imp — an import's users: no state column, the state in "region" (and one region already a census region).
//   M1 region 'Oregon', country 'United States' -> West;  M2 'Midwest', NULL -> Midwest;  M3 'Quebec', 'Canada' -> Other
const IMP = `
CREATE TABLE users(user_id VARCHAR, signup_ts TIMESTAMP, country VARCHAR, region VARCHAR);
INSERT INTO users VALUES ('M1', NULL, 'United States', 'Oregon'), ('M2', NULL, NULL, 'Midwest'), ('M3', NULL, 'Canada', 'Quebec');`;

// ---------------------------------------------------------------------------------------------------------
// Schema traffic — first touch = earliest event with a non-blank source or medium (ties: source, then medium).
//   T01 facebook/social 09:00, then google/cpc 10:00           -> Social Media (first touch only)
//   T02 'FaceBook' / 'Paid_Social'                             -> Paid (mixed case; Paid before Social Media)
//   T03 'GOOGLE' / 'Organic'                                   -> Organic Search
//   T04 'Google' / 'CPC'                                       -> Paid
//   T05 '(direct)' / '(none)'                                  -> Direct
//   T06 NULL / ' None '                                        -> Direct (medium none)
//   T07 'Newsletter' / 'EMAIL'                                 -> Email
//   T08 'partner_sites' / 'Referral'                           -> Referral
//   T09 'https://l.Instagram.com/some/path' / NULL             -> Social Media (scheme, l. and .com/path stripped)
//   T10 'foo' / 'bar'                                          -> Other
//   T11 only events with NULL / blank source and medium        -> Unknown
//   T12 no events                                              -> Unknown
//   T13 EVIL_SOURCE / EVIL_MEDIUM                              -> Other (hostile text stays data)
//   T14 '  ' / NULL at 09:00 (skipped), then 'bing' / NULL      -> Organic Search
//   T15 'tiktok'/'social' and 'direct'/'none' at the same time -> Direct ('direct' sorts first)
//   T16 'YouTube' / 'Video'                                    -> Social Media
//   T17 'Facebook.com' / 'referral'                            -> Social Media (before Referral)
// ---------------------------------------------------------------------------------------------------------
type Touch = [user: string, ts: string, source: string | null, medium: string | null];
const TOUCHES: Touch[] = [
  ['T01', '09:00', 'facebook', 'social'], ['T01', '10:00', 'google', 'cpc'], ['T02', '09:00', 'FaceBook', 'Paid_Social'],
  ['T03', '09:00', 'GOOGLE', 'Organic'], ['T04', '09:00', 'Google', 'CPC'], ['T05', '09:00', '(direct)', '(none)'],
  ['T06', '09:00', null, ' None '], ['T07', '09:00', 'Newsletter', 'EMAIL'], ['T08', '09:00', 'partner_sites', 'Referral'],
  ['T09', '09:00', 'https://l.Instagram.com/some/path', null], ['T10', '09:00', 'foo', 'bar'],
  ['T11', '09:00', null, null], ['T11', '10:00', ' ', ''], ['T13', '09:00', EVIL_SOURCE, EVIL_MEDIUM],
  ['T14', '09:00', '  ', null], ['T14', '10:00', 'bing', null],
  ['T15', '09:00', 'tiktok', 'social'], ['T15', '09:00', 'direct', 'none'],
  ['T16', '09:00', 'YouTube', 'Video'], ['T17', '09:00', 'Facebook.com', 'referral'],
];
const TRAFFIC = `
CREATE TABLE users AS SELECT printf('T%02d', i) AS user_id FROM range(1, 18) t(i);
CREATE TABLE events(user_id VARCHAR, ts TIMESTAMP, source VARCHAR, medium VARCHAR);
INSERT INTO events VALUES ${TOUCHES.map(([u, t, s, m]) => `(${literal(u)}, '2025-03-01 ${t}:00', ${literal(s)}, ${literal(m)})`).join(', ')};
CREATE TABLE user_metrics(user_id VARCHAR);`;

// Schema traffic_m — the same touches, with user_metrics built as a dataset's is (userMetricsSql with the first
// touch stored): the segmentation then reads first_source / first_medium per user instead of the events; same labels.
const TRAFFIC_M = `
CREATE TABLE users AS SELECT printf('T%02d', i) AS user_id FROM range(1, 18) t(i);
CREATE TABLE events AS SELECT row_number() OVER () AS event_id, user_id, ts, source, medium, 's-' || user_id AS session_id,
  'page_view' AS event_type, NULL::VARCHAR AS order_id, NULL::DOUBLE AS revenue FROM traffic.events;
${userMetricsSql('user_metrics', true)};`;

// Schema churn — days since last purchase: K1 0, K2 90, K3 91, K4 180, K5 181, K6 NULL, K7 no user_metrics row.
//   defaults (90/180): Low, Low, Medium, Medium, High, No Purchase, No Purchase
//   { medium: 30, high: 90 }: Low, Medium, High, High, High, No Purchase, No Purchase
const CHURN = `
CREATE TABLE users AS SELECT 'K' || i AS user_id FROM range(1, 8) t(i);
CREATE TABLE events(user_id VARCHAR, ts TIMESTAMP);
CREATE TABLE user_metrics(user_id VARCHAR, days_since_last_purchase INTEGER);
INSERT INTO user_metrics VALUES ('K1', 0), ('K2', 90), ('K3', 91), ('K4', 180), ('K5', 181), ('K6', NULL);`;

// Schema empty — an import whose files had no source, medium, country or region: the columns exist, all NULL
// (build-sql.ts's placeholders); age is present but blank. Columns exist, so `needs` passes; the data check does not.
const EMPTY = `
CREATE TABLE users(user_id VARCHAR, signup_ts TIMESTAMP, country VARCHAR, region VARCHAR, age VARCHAR);
INSERT INTO users VALUES ('E1', NULL, NULL, NULL, ' '), ('E2', NULL, NULL, NULL, NULL);
CREATE TABLE events(user_id VARCHAR, ts TIMESTAMP, source VARCHAR, medium VARCHAR);
INSERT INTO events VALUES ('E1', '2025-01-01', NULL, NULL), ('E2', '2025-01-01', NULL, '');
CREATE TABLE user_metrics(user_id VARCHAR, days_since_last_purchase INTEGER);
INSERT INTO user_metrics VALUES ('E1', 4), ('E2', NULL);`;

const SCHEMAS: Record<string, string> = {
  empty: EMPTY, lvl: LVL, lvl_ev: LVL_EV, score: SCORE, cap0: CAP0, people: PEOPLE_SQL, ties: TIES, imp: IMP, traffic: TRAFFIC, traffic_m: TRAFFIC_M, churn: CHURN,
};

/** The column names of the current schema's three tables. */
async function columnsOf(db: Db): Promise<Columns> {
  const rows = toRows<{ t: string; c: string }>(await db.query(
    `SELECT table_name AS t, column_name AS c FROM information_schema.columns
     WHERE table_schema = current_schema() ORDER BY ordinal_position`,
  ));
  const of = (t: string) => rows.filter((r) => r.t === t).map((r) => r.c);
  return { events: of('events'), users: of('users'), user_metrics: of('user_metrics') };
}

function segSuite(open: () => Promise<Db>) {
  let db: Db;
  before(async () => {
    db = await open();
    for (const [name, ddl] of Object.entries(SCHEMAS)) {
      await db.exec(`CREATE SCHEMA ${name}; SET schema = '${name}';`);
      await db.exec(ddl);
    }
    await db.exec(`SET schema = 'main'`);
  });
  after(() => db.close());

  /** Run a segmentation in `schema`: { user_id: label } (and scores when asked). */
  async function run(schema: string, id: string, opts?: unknown): Promise<Record<string, string>> {
    const rows = await rowsOf(schema, id, opts);
    return Object.fromEntries(rows.map((r) => [r.user_id, r.label]));
  }
  async function rowsOf(schema: string, id: string, opts?: unknown) {
    await db.exec(`SET schema = '${schema}'`);
    const seg = builtinSegmentation(id);
    assert.ok(seg, id);
    const q: Sql = seg.sql(opts, await columnsOf(db));
    const rows = toRows<{ user_id: string; label: string; score?: number }>(await db.query(q.text, q.params));
    assert.equal(new Set(rows.map((r) => r.user_id)).size, rows.length, `${id}: one row per user`);
    return rows;
  }

  test('a needed column that exists but holds no values is reported, not labelled', async () => {
    const check = async (schema: string, id: string) => {
      await db.exec(`SET schema = '${schema}'`);
      const cols = await columnsOf(db);
      const seg = builtinSegmentation(id)!;
      assert.equal(seg.needs(cols), null, id);
      const q = dataNeedsSql(seg, cols)!;
      return decodeDataNeeds(seg, cols, await db.query(q.text, q.params));
    };
    assert.equal(await check('empty', 'traffic-source'), 'Unavailable: events.source and events.medium have no values in this dataset.');
    assert.equal(await check('empty', 'census-region'), 'Unavailable: users.region has no values in this dataset.');
    assert.equal(await check('empty', 'country'), 'Unavailable: users.country has no values in this dataset.');
    assert.equal(await check('empty', 'age-group'), 'Unavailable: users.age has no values in this dataset.');
    assert.equal(await check('empty', 'churn-risk'), null);
    for (const id of ['traffic-source']) assert.equal(await check('traffic', id), null);
    for (const id of ['census-region', 'country', 'city', 'age-group', 'gender', 'income-bracket']) {
      assert.equal(await check('people', id), null, id);
    }
    assert.equal(await check('score', 'customer-segment'), null);
    assert.equal(dataNeedsSql(builtinSegmentation('city')!, await columnsOf(db).then((c) => ({ ...c, users: ['user_id'] }))), null);
    // Every built-in checked in one statement: each gets the answer its own statement gives.
    for (const schema of ['empty', 'people']) {
      await db.exec(`SET schema = '${schema}'`);
      const cols = await columnsOf(db);
      const all = dataNeedsSql(BUILTIN_SEGMENTATIONS, cols)!;
      const answer = await db.query(all.text, all.params);
      let checked = 0;
      for (const seg of BUILTIN_SEGMENTATIONS) {
        if (seg.needs(cols)) continue;
        checked++;
        assert.equal(decodeDataNeeds(seg, cols, answer), await check(schema, seg.id), `${schema}: ${seg.id}`);
      }
      assert.ok(checked >= 4, `${schema}: ${checked} checked`);
    }
  });

  test('engagement level: every rule at its boundary, first match wins', async () => {
    assert.deepEqual(await run('lvl', 'engagement-level'), {
      L01: 'Repeat Purchaser', L02: 'Single Purchaser', L03: 'Cart Abandoner', L04: 'High Engagement Viewer',
      L05: 'Occasional Viewer', L06: 'High Engagement Viewer', L07: 'Occasional Viewer', L08: 'Frequent Viewer',
      L09: 'Occasional Viewer', L10: 'Occasional Viewer',
    });
  });

  test('engagement level: a 10-minute session derived from events is "10 minutes"', async () => {
    assert.deepEqual(await run('lvl_ev', 'engagement-level'), { A: 'High Engagement Viewer', B: 'Occasional Viewer' });
  });

  test('engagement score: hand-worked points and bands', async () => {
    const rows = await rowsOf('score', 'engagement-score');
    const got = Object.fromEntries(rows.map((r) => [r.user_id, [r.score, r.label]]));
    assert.deepEqual(got, {
      T1: [100, 'Very High'], T2: [100, 'Very High'], HV: [20, 'Low'], HVN: [80, 'Very High'], S70: [70, 'High'],
      S695: [69.5, 'High'], HP60: [60, 'High'], S595: [59.5, 'Medium'], AR30: [30, 'Low'], S305: [30.5, 'Low'],
      N50: [50, 'Medium'], S505: [50.5, 'Medium'], C40: [40, 'Medium'], S405: [40.5, 'Medium'], AR2: [30, 'Low'],
      Z1: [0, 'Very Low'], Z2: [0, 'Very Low'], Z3: [0, 'Very Low'], Z4: [0, 'Very Low'], Z5: [0, 'Very Low'],
      NONE: [0, 'Very Low'],
    });
    // The components beside the score: S695 = 10 + 25 + 19.5 + 15.
    await db.exec(`SET schema = 'score'`);
    const q = componentsSql();
    const c = toRows(await db.query(`SELECT * FROM (${q.text}) WHERE user_id = 'S695'`, q.params))[0];
    assert.deepEqual([c.orders_pts, c.duration_pts, c.events_pts, c.frequency_pts, c.score], [10, 25, 19.5, 15, 69.5]);
  });

  test('engagement score: a 95th percentile of 0 falls back to the maximum; a component nobody has is 0', async () => {
    const rows = await rowsOf('cap0', 'engagement-score');
    assert.equal(rows.length, 21);
    for (const r of rows) assert.equal(r.score, r.user_id === 'X01' ? 60 : 0, r.user_id);
  });

  test('customer segments: defaults at every boundary', async () => {
    assert.deepEqual(await run('score', 'customer-segment'), {
      T1: 'High-Value', T2: 'High-Value', HV: 'High-Value', HVN: 'Loyal', S70: 'Loyal', S695: 'Regular',
      HP60: 'High-Potential', S595: 'Regular', AR30: 'At-Risk', S305: 'New', N50: 'New', S505: 'Regular',
      C40: 'Casual Browser', S405: 'Regular', AR2: 'At-Risk', NONE: 'Casual Browser',
      Z1: 'Casual Browser', Z2: 'Casual Browser', Z3: 'Casual Browser', Z4: 'Casual Browser', Z5: 'Casual Browser',
    });
  });

  test('customer segments: edited thresholds', async () => {
    // Revenue 1000 for High-Value: HV (500) no longer qualifies: score 20, 2 orders -> At-Risk (≤ 30).
    // loyalScore 69.5: S695 becomes Loyal. casualScore 0: C40 and S405 become Regular, zeros stay Casual.
    const got = await run('score', 'customer-segment', { highValueRevenue: 1000, loyalScore: 69.5, casualScore: 0 });
    assert.deepEqual([got.HV, got.S695, got.C40, got.S405, got.Z1, got.T1], ['At-Risk', 'Loyal', 'Regular', 'Regular', 'Casual Browser', 'High-Value']);
  });

  test('age groups, gender and income brackets', async () => {
    const age = await run('people', 'age-group');
    assert.deepEqual(PEOPLE.map((p) => age[p[0]]), [
      'Under 18', '18–24', '18–24', '25–34', '25–34', '35–44', '55–64', '65+', '65+', 'Unknown', 'Unknown', 'Unknown',
      '35–44', '45–54', '45–54', '55–64', 'Unknown', 'Unknown',
    ]);
    const gender = await run('people', 'gender');
    assert.deepEqual(PEOPLE.map((p) => gender[p[0]]), [
      'Male', 'Male', 'Male', 'Female', 'Female', 'Female', 'Unknown', 'Unknown', 'Unknown', 'non-binary', 'Non-Binary',
      HOSTILE, 'Female', 'Male', 'Male', 'Male', 'Male', 'Male',
    ]);
    const income = await run('people', 'income-bracket');
    assert.deepEqual(PEOPLE.map((p) => income[p[0]]), [
      'Low Income', 'Low Income', 'Low Income', 'Low Income', 'Low Income', 'Average', 'Average', 'Average',
      'Above Average', 'High Income', 'Unknown', 'Unknown', 'Unknown', 'Unknown', 'Unknown', 'Unknown', 'Unknown', 'Unknown',
    ]);
    const ties = await run('ties', 'income-bracket');
    assert.deepEqual([ties.I10, ties.I9, ties.I8, ties.I6, ties.I5], ['Above Average', 'Above Average', 'Average', 'Average', 'Low Income']);
  });

  test('census regions, countries and cities (hostile values stay data)', async () => {
    const region = await run('people', 'census-region');
    assert.deepEqual(PEOPLE.map((p) => region[p[0]]), [
      'Northeast', 'Midwest', 'South', 'West', 'South', 'Other', 'Other', 'Unknown', 'Unknown', 'South', 'Unknown', 'West',
      'Other', 'Other', 'Other', 'Other', 'Other', 'Other',
    ]);
    const country = await run('people', 'country');
    const US = 'United States';
    assert.deepEqual(PEOPLE.map((p) => country[p[0]]), [
      US, US, US, US, US, 'Georgia', 'Canada', US, US, 'Unknown', US, US, 'Germany', 'Germany', 'Germany', 'Germany', 'FRANCE', 'FRANCE',
    ]);
    const city = await run('people', 'city');
    assert.deepEqual(PEOPLE.map((p) => city[p[0]]), [
      'New York', 'New York', 'New York', 'Chicago', 'Chicago', 'Tbilisi', 'Toronto', 'Unknown', 'Unknown', 'Austin', EVIL_CITY,
      'Seattle', 'Munich', 'Munich', 'Munich', 'Munich', 'Paris', 'Paris',
    ]);
    assert.deepEqual(await run('imp', 'census-region'), { M1: 'West', M2: 'Midwest', M3: 'Other' });
    await db.exec(`SET schema = 'people'`);
    const n = toRows(await db.query('SELECT count(*)::DOUBLE AS n FROM users'))[0].n;
    assert.equal(n, PEOPLE.length, 'users survived the hostile values');
  });

  test('traffic source: first touch, case-insensitive lists, rule order, hostile text', async () => {
    const expected = {
      T01: 'Social Media', T02: 'Paid', T03: 'Organic Search', T04: 'Paid', T05: 'Direct', T06: 'Direct', T07: 'Email',
      T08: 'Referral', T09: 'Social Media', T10: 'Other', T11: 'Unknown', T12: 'Unknown', T13: 'Other',
      T14: 'Organic Search', T15: 'Direct', T16: 'Social Media', T17: 'Social Media',
    };
    assert.deepEqual(await run('traffic', 'traffic-source'), expected, 'picked from the events');
    // From user_metrics' stored first touch: the statement reads no events, and gives the same labels.
    await db.exec(`SET schema = 'traffic_m'`);
    const q = builtinSegmentation('traffic-source')!.sql(undefined, await columnsOf(db));
    assert.doesNotMatch(q.text, /FROM events/);
    assert.deepEqual(await run('traffic_m', 'traffic-source'), expected, 'read from user_metrics');
    const stored = toRows<{ user_id: string; s: string | null; m: string | null }>(await db.query(
      "SELECT user_id, first_source AS s, first_medium AS m FROM user_metrics WHERE user_id IN ('T01', 'T06', 'T11', 'T14', 'T15') ORDER BY 1"));
    assert.deepEqual(stored.map((r) => [r.user_id, r.s, r.m]), [
      ['T01', 'facebook', 'social'], ['T06', null, ' None '], ['T11', null, null], ['T14', 'bing', null], ['T15', 'direct', 'none'],
    ], 'the raw first touch: earliest non-blank, ties by source');
  });

  test('churn risk: the Overview bands, inclusive upper bounds, edited bands', async () => {
    const ids = ['K1', 'K2', 'K3', 'K4', 'K5', 'K6', 'K7'];
    const d = await run('churn', 'churn-risk');
    assert.deepEqual(ids.map((k) => d[k]), ['Low', 'Low', 'Medium', 'Medium', 'High', 'No Purchase', 'No Purchase']);
    const e = await run('churn', 'churn-risk', { medium: 30, high: 90 });
    assert.deepEqual(ids.map((k) => e[k]), ['Low', 'Medium', 'High', 'High', 'High', 'No Purchase', 'No Purchase']);
  });
}

describe('native DuckDB', () => segSuite(() => openNodeDb({ threads: 1 })));
describe('DuckDB-WASM', () => segSuite(openWasmDb));

describe('needs: a dataset without the columns says what is missing', () => {
  // An import with no session, age, gender, income, state, city or source columns (what build-sql.ts can yield
  // at its thinnest: users keep country and region), and user_metrics without two columns.
  const thin: Columns = {
    events: ['event_id', 'user_id', 'session_id', 'event_type', 'ts'],
    users: ['user_id', 'signup_ts', 'country'],
    user_metrics: ['user_id', 'orders', 'events', 'avg_session_minutes', 'days_since_last_purchase'],
  };
  const need = (id: string, c: Columns = thin) => builtinSegmentation(id)?.needs(c);
  test('each missing column is named', () => {
    const tail = 'which this segmentation needs.';
    assert.equal(need('age-group'), `Unavailable: this dataset has no users.age column, ${tail}`);
    assert.equal(need('gender'), `Unavailable: this dataset has no users.gender column, ${tail}`);
    assert.equal(need('income-bracket'), `Unavailable: this dataset has no users.income column, ${tail}`);
    assert.equal(need('city'), `Unavailable: this dataset has no users.city column, ${tail}`);
    assert.equal(need('country'), null);
    assert.equal(need('census-region'), `Unavailable: this dataset has no users.state or users.region column, ${tail}`);
    assert.equal(need('census-region', { ...thin, users: [...thin.users, 'region'] }), null);
    assert.equal(need('traffic-source'), `Unavailable: this dataset has no events.source and events.medium columns, ${tail}`);
    assert.equal(
      need('engagement-level'),
      `Unavailable: this dataset has no user_metrics.cart_adds and user_metrics.sessions columns, ${tail}`,
    );
    assert.equal(need('engagement-score'), `Unavailable: this dataset has no user_metrics.sessions column, ${tail}`);
    assert.equal(
      need('customer-segment'),
      `Unavailable: this dataset has no user_metrics.revenue and user_metrics.sessions columns, ${tail}`,
    );
    assert.equal(need('churn-risk'), null);
  });

  test('options: defaults, unknown keys and bad values are refused', () => {
    const cs = builtinSegmentation('customer-segment')!;
    assert.deepEqual(cs.validate(undefined), cs.defaults);
    assert.deepEqual(cs.validate({ loyalScore: 75 }), { ...cs.defaults, loyalScore: 75 });
    assert.throws(() => cs.validate({ loyal: 75 }), /Unknown customer segment option "loyal"/);
    assert.throws(() => cs.validate({ loyalScore: 101 }), /Loyal score threshold \("loyalScore"\) must be a number from 0 to 100; got 101/);
    assert.throws(() => cs.validate({ highValueOrders: 1.5 }), /whole number/);
    assert.throws(() => cs.validate({ highValueRevenue: '500' }), /must be a number/);
    assert.throws(() => cs.validate([]), /must be an object/);
    const churn = builtinSegmentation('churn-risk')!;
    assert.deepEqual(churn.validate(undefined), { medium: 90, high: 180 });
    assert.throws(() => churn.validate({ low: 1 }), /Unknown churn threshold "low"/);
    assert.throws(() => churn.validate({ medium: 200 }), /must be less than the "high" threshold/);
    assert.throws(() => churn.validate(null), /must be an object/);
    for (const s of BUILTIN_SEGMENTATIONS.filter((x) => !Object.keys(x.defaults).length)) {
      assert.deepEqual(s.validate({}), {}, s.id);
      assert.throws(() => s.validate({ x: 1 }), /Unknown/, s.id);
      assert.throws(() => s.sql({ x: 1 }), /Unknown/, s.id);
    }
  });

  test('ids are unique kebab-case; the state map agrees with the generator', () => {
    const ids = BUILTIN_SEGMENTATIONS.map((s) => s.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const i of ids) assert.match(i, /^[a-z]+(-[a-z]+)*$/);
    assert.equal(Object.keys(STATE_REGIONS).length, 51);
    for (const [state, region] of US_STATES) assert.equal(STATE_REGIONS[state]?.[1], region, state);
  });
});

describe('the demo shop: one label per user from the documented lists', () => {
  let db: Db;
  before(async () => {
    db = await openNodeDb({ threads: 1 });
    await loadShop(db, { users: 1000, days: 365, seed: 7 });
  });
  after(() => db.close());

  test('every segmentation is available and labels every user once', async () => {
    const cols = await columnsOf(db);
    const users = Number(toRows(await db.query('SELECT count(*)::DOUBLE AS n FROM users'))[0].n);
    for (const s of BUILTIN_SEGMENTATIONS) {
      assert.equal(s.needs(cols), null, s.id);
      const d = dataNeedsSql(s, cols)!;
      assert.equal(decodeDataNeeds(s, cols, await db.query(d.text, d.params)), null, s.id);
      const q = s.sql(undefined, cols);
      const rows = toRows<{ user_id: string; label: string | null; score?: number }>(await db.query(q.text, q.params));
      assert.equal(rows.length, users, `${s.id}: rows`);
      assert.equal(new Set(rows.map((r) => r.user_id)).size, users, `${s.id}: distinct users`);
      const seen = new Set<string>();
      for (const r of rows) {
        assert.equal(typeof r.label, 'string', `${s.id}: label of ${r.user_id}`);
        if (!s.openLabels) assert.ok(s.labels.includes(r.label as string), `${s.id}: ${r.label}`);
        if (s.scored) assert.ok(typeof r.score === 'number' && r.score >= 0 && r.score <= 100, `${s.id}: score ${r.score}`);
        seen.add(r.label as string);
      }
      assert.deepEqual(Object.keys(rows[0]), s.scored ? ['user_id', 'label', 'score'] : ['user_id', 'label'], s.id);
      assert.ok(seen.size >= 2, `${s.id}: more than one label (${[...seen].join(', ')})`);
    }
  });
});
