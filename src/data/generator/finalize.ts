// SQL that turns the numeric staging tables into the contract tables users_next, products_next, events_next:
// codes become text through list lookups built from the same code tables and seed-derived pools the generator used.
import { literal } from '../../sql/quote.ts';
import { eventsTableSql, GENERATED_EVENT_COLUMNS, storageOrderSql } from '../events-storage.ts';
import { EVENT_TYPES } from '../schema.ts';
import {
  BROWSERS, CAMPAIGNS, CATEGORIES, CHANNELS, DEVICES, EDUCATION, EMAIL_DOMAINS, GENDERS, MARITAL, OSES,
} from './codes.ts';
import { languages, vocabFor } from './vocab.ts';
import { T } from './session.ts';
import { buildCatalog } from './catalog.ts';
import type { GenParams } from './params.ts';

/** A SQL list literal; element i (0-based) is read back with `list[code + 1]`. */
function list(values: readonly (string | number)[]): string {
  return '[' + values.map((v) => literal(v)).join(', ') + ']';
}

/** Look up a 0-based code in a literal list (NULL for negative codes). */
function decode(values: readonly (string | number)[], expr: string): string {
  return `CASE WHEN ${expr} >= 0 THEN ${list(values)}[${expr} + 1] END`;
}

/** Loyalty tiers by lifetime spend in the period (dollars): a simple points-style program. */
const LOYALTY = `CASE WHEN spend.total >= 1000 THEN 'Platinum' WHEN spend.total >= 400 THEN 'Gold'
  WHEN spend.total >= 100 THEN 'Silver' ELSE 'Bronze' END`;

// Memory at 10M events (DuckDB-WASM caps its buffer pool at ~3.1 GiB): uncompressed, events_next alone is
// ~2.4 GB. Large shops therefore (1) compress the staging tables before the sort, (2) build events_next in
// event_id ranges with a CHECKPOINT after each, which compresses what is in (an in-memory table shrinks ~9x).
// An in-memory database skips CHECKPOINT after plain appends (its change counter ignores them), so PRAGMA
// force_checkpoint (instance-wide, idempotent) makes each one run. Same rows, order and types; measured in the
// page, the 10M build now fits in a 2.2 GB limit where it needed more than 3.0 GB. Small shops keep one statement.

/** Rows of events_next built per statement when a shop is large. */
const EVENTS_PER_CHUNK = 2_000_000;

/** Chunks from a deliberately rough event estimate (~16 per user per year): it only sets the chunk count. */
function chunkCount(params: GenParams): number {
  return Math.max(1, Math.ceil((params.users * 16 * (params.days / 365)) / EVENTS_PER_CHUNK));
}

/** Before anything else, for large shops: compress the staging tables. */
function stagingCheckpointSql(params: GenParams): string {
  return chunkCount(params) > 1 ? '\nPRAGMA force_checkpoint;\nCHECKPOINT;' : '';
}

/** events_next from stg_sorted: one statement, or ranges with a CHECKPOINT after each (see above). */
function eventsNextSql(params: GenParams, columns: string): string {
  const k = chunkCount(params);
  // Created with its columns first, so that user and session ids are stored as dictionaries (events-storage.ts).
  const create = `${eventsTableSql('events_next', GENERATED_EVENT_COLUMNS) ?? ''};\n`;
  // Stored by month, then user (storageOrderSql); each chunk is a range of event ids (time), sorted on its own.
  const order = `ORDER BY ${storageOrderSql('make_timestamp((e.ts_ms * 1000)::BIGINT)', 'e.user_idx', 'e.event_id')}`;
  if (k === 1) return `${create}INSERT INTO events_next\nSELECT\n${columns}\nFROM stg_sorted e\n${order};`;
  const parts: string[] = [];
  for (let i = 0; i < k; i++) {
    const lo = `e.event_id > ${i * EVENTS_PER_CHUNK}`;
    const where = i === k - 1 ? lo : `${lo} AND e.event_id <= ${(i + 1) * EVENTS_PER_CHUNK}`;
    const head = i === 0 ? `${create}INSERT INTO events_next` : 'INSERT INTO events_next';
    parts.push(`${head}\nSELECT\n${columns}\nFROM stg_sorted e WHERE ${where}\n${order};\nCHECKPOINT;`);
  }
  return parts.join('\n');
}

/**
 * The users table's columns from \`u\` (a stg_users row with fn and ln, its first and last name) LEFT JOINed to
 * \`spend\` (user_idx, total): the shop's build and the live feed's new sign-ups share it.
 */
export function usersSelectSql(params: GenParams): string {
  const v = vocabFor(params.seed);
  const pl = v.places;
  const sources = CHANNELS.map((c) => c.source);
  const mediums = CHANNELS.map((c) => c.medium);
  const email = `regexp_replace(CASE u.email_style WHEN 0 THEN lower(fn) || '.' || lower(ln)
      WHEN 1 THEN lower(fn) || lower(ln) WHEN 2 THEN lower(left(fn, 1)) || lower(ln) ELSE lower(fn) || '_' || lower(ln) END,
      '[^a-z._]', '', 'g') || (u.user_idx + 1)::VARCHAR || '@' || ${decode(EMAIL_DOMAINS, 'u.email_domain')}`;
  const phone = `CASE WHEN ${decode(pl.callingCode, 'u.place')} = 1
      THEN printf('+1 (%03d) %03d-%04d', u.phone_area, u.phone_local // 10000, u.phone_local % 10000)
      ELSE printf('+%d %d %07d', ${decode(pl.callingCode, 'u.place')}, u.phone_area, u.phone_local) END`;
  return `SELECT
  printf('U%06d', u.user_idx + 1) AS user_id,
  fn || ' ' || ln AS name,
  fn AS first_name,
  ln AS last_name,
  ${email} AS email,
  ${phone} AS phone,
  make_timestamp((u.signup_ms * 1000)::BIGINT) AS signup_ts,
  u.age::INTEGER AS age,
  ${decode(GENDERS, 'u.gender')} AS gender,
  ${decode(pl.city, 'u.place')} AS city,
  ${decode(pl.state, 'u.place')} AS state,
  ${decode(pl.country, 'u.place')} AS country,
  ${decode(pl.region, 'u.place')} AS region,
  ${decode(pl.tz, 'u.place')} AS timezone,
  ${decode(languages(v), 'u.lang')} AS language,
  u.income::DOUBLE AS income,
  ${decode(EDUCATION, 'u.education')} AS education,
  ${decode(MARITAL, 'u.marital')} AS marital_status,
  u.household::INTEGER AS household_size,
  ${decode(v.jobs, 'u.job')} AS job_title,
  ${decode(DEVICES, 'u.device')} AS device,
  ${decode(OSES, 'u.os')} AS os,
  ${decode(BROWSERS, 'u.browser')} AS browser,
  ${decode(sources, 'u.channel')} AS acquisition_source,
  ${decode(mediums, 'u.channel')} AS acquisition_medium,
  ${decode(CAMPAIGNS, 'u.campaign')} AS acquisition_campaign,
  ${LOYALTY} AS loyalty_tier,
  ${decode(CATEGORIES, 'u.pref_cat')} AS preferred_category,
  u.newsletter = 1 AS newsletter_opt_in,
  u.consent = 1 AS marketing_consent,
  u.sms = 1 AS sms_opt_in
FROM u LEFT JOIN spend USING (user_idx)`;
}

/** The first and last name lists of the shop's vocabulary, as SQL lists (element i+1 is code i). */
export function nameListsSql(seed: number): { first: string; last: string } {
  const v = vocabFor(seed);
  return { first: list(v.first), last: list(v.last) };
}

/**
 * The events table's columns from a numeric event row `e` (event_id, user_idx, sn, type, ts_ms, product_idx,
 * quantity, order_idx, onum, channel, campaign, device): the shop's build and the live feed's appends share it.
 */
export function eventColumnsSql(params: GenParams): string {
  const v = vocabFor(params.seed);
  const sources = CHANNELS.map((c) => c.source);
  const mediums = CHANNELS.map((c) => c.medium);
  const catalog = buildCatalog(params.seed, v);
  const prices = Array.from(catalog.price);
  const catNames = Array.from(catalog.category, (c) => CATEGORIES[c]);
  return `  e.event_id::BIGINT AS event_id,
  printf('U%06d', e.user_idx + 1) AS user_id,
  printf('S%07d', e.sn) AS session_id,
  ${decode(EVENT_TYPES, 'e.type')} AS event_type,
  make_timestamp((e.ts_ms * 1000)::BIGINT) AS ts,
  CASE WHEN e.product_idx >= 0 THEN printf('P%04d', e.product_idx + 1) END AS product_id,
  ${decode(catNames, 'e.product_idx')} AS category,
  CASE WHEN e.product_idx >= 0 THEN (${list(prices)}::DOUBLE[])[e.product_idx + 1] END AS price,
  CASE WHEN e.quantity > 0 THEN e.quantity END::INTEGER AS quantity,
  CASE WHEN e.type IN (${T.purchase}, ${T.refund}) THEN round((${list(prices)}::DOUBLE[])[e.product_idx + 1] * e.quantity, 2) END::DOUBLE AS revenue,
  CASE WHEN e.order_idx >= 0 THEN printf('O%07d', e.onum) END AS order_id,
  ${decode(sources, 'e.channel')} AS source,
  ${decode(mediums, 'e.channel')} AS medium,
  ${decode(CAMPAIGNS, 'e.campaign')} AS campaign,
  ${decode(DEVICES, 'e.device')} AS device`;
}

/** Statements (separated by ;) that build users_next, products_next and events_next from stg_* and drop stg_*. */
export function finalizeShopSql(params: GenParams): string {
  const v = vocabFor(params.seed);
  const eventColumns = eventColumnsSql(params);
  // stg_sorted: one sort. row_number() OVER () numbers the sorted rows as they stream (the earlier
  // OVER (ORDER BY ...) plus ORDER BY event_id sorted everything twice); same event_id for every row.
  return `${stagingCheckpointSql(params)}
CREATE OR REPLACE TABLE products_next AS
SELECT printf('P%04d', product_idx + 1) AS product_id, name, category, subcategory, brand,
  price::DOUBLE AS price, rating::DOUBLE AS rating, review_count::INTEGER AS review_count
FROM stg_products ORDER BY product_idx;

CREATE OR REPLACE ${chunkCount(params) > 1 ? 'TABLE' : 'TEMP TABLE'} stg_sorted AS
WITH sess AS (
  SELECT session_idx, row_number() OVER (ORDER BY min(ts_ms), min(user_idx), session_idx) AS sn
  FROM stg_events GROUP BY session_idx
), ord AS (
  SELECT order_idx, row_number() OVER (ORDER BY min(ts_ms), order_idx) AS onum
  FROM stg_events WHERE type = ${T.purchase} GROUP BY order_idx
)
SELECT row_number() OVER () AS event_id, * FROM (
  SELECT e.*, sess.sn, ord.onum
  FROM stg_events e JOIN sess USING (session_idx) LEFT JOIN ord USING (order_idx)
  ORDER BY e.ts_ms, e.user_idx, e.seq
);

DROP TABLE stg_events;
${chunkCount(params) > 1 ? 'CHECKPOINT;\n' : ''}
CREATE OR REPLACE TABLE users_next AS
WITH spend AS (
  SELECT e.user_idx, sum(p.price * e.quantity) AS total
  FROM stg_sorted e JOIN stg_products p USING (product_idx)
  WHERE e.type = ${T.purchase} GROUP BY e.user_idx
), u AS (
  SELECT s.*, ${list(v.first)}[s.first + 1] AS fn, ${list(v.last)}[s.last + 1] AS ln FROM stg_users s
)
${usersSelectSql(params)}
ORDER BY u.user_idx;

${eventsNextSql(params, eventColumns)}

DROP TABLE stg_sorted;
DROP TABLE stg_users;
DROP TABLE stg_products;
`;
}
