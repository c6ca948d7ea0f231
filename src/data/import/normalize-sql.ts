// Per-file SQL from a staging table to typed data-model rows, each with the reason it is set aside (NULL = loaded).
// Order lines become purchase/refund events here; event-type values are mapped onto the standard vocabulary.
import { ident, literal } from '../../sql/quote.ts';
import { badNumberExpr, keptExpr, otherOrderExpr, targetExpr, type DateOrder, type StagedColumn } from './convert-sql.ts';
import { kindOf } from './kinds.ts';
import { ROLE_TARGETS, DEFAULT_EVENT_TYPES, DEFAULT_STATUSES, GUEST_IDS, ORDER_LEVEL_SHIPPING, normalizeName } from './targets.ts';
import type { FileMapping, SetAsideReason, StatusClass, Target } from './types.ts';

/** DuckDB type of every field (placeholders for unmapped fields use it, so files union cleanly). */
export const FIELD_TYPES: Readonly<Record<Target, string>> = {
  user_id: 'VARCHAR', ts: 'TIMESTAMP', event_type: 'VARCHAR', session_id: 'VARCHAR', order_id: 'VARCHAR',
  product_id: 'VARCHAR', product_name: 'VARCHAR', category: 'VARCHAR', brand: 'VARCHAR', price: 'DOUBLE',
  quantity: 'INTEGER', revenue: 'DOUBLE', country: 'VARCHAR', region: 'VARCHAR', city: 'VARCHAR', source: 'VARCHAR',
  medium: 'VARCHAR', campaign: 'VARCHAR', device: 'VARCHAR', signup_ts: 'TIMESTAMP', email: 'VARCHAR',
  name: 'VARCHAR', age: 'INTEGER', gender: 'VARCHAR', status: 'VARCHAR', person_id: 'VARCHAR', shipping: 'DOUBLE',
  payment_method: 'VARCHAR',
};

/** What normalizeSql needs to know about one staged file. */
export interface NormalizeInput {
  raw: string;
  out: string;
  fileIdx: number;
  columns: readonly StagedColumn[];
  mapping: FileMapping;
  /** Day/month order per text column holding times (default month-first). */
  dateOrders: ReadonlyMap<string, DateOrder>;
  /**
   * The plan has an orders file: order lines without a user or time column take them from it (relate-sql.ts), so
   * here those fields are NULL placeholders and the rows are not set aside for lacking them.
   */
  relational?: boolean;
}

/**
 * An order id in the UCI Online Retail cancellation form: C and digits only (C536379). The form alone proves nothing
 * (hex and UUID ids start with c and a digit about 4% of the time), so it counts only where the file confirms the
 * convention: at least CANCEL_CONFIRM of its C-form lines that carry an amount have a negative quantity (or a
 * negative total without a quantity column). Tested on hex ids and on Online Retail.
 */
const C_ORDER = `regexp_full_match(order_id, '[Cc][0-9]+')`;
export const CANCEL_CONFIRM = 0.9;

/**
 * Prefix of the scratch flag columns (e.g. "strata:bad:price"): the colon keeps them apart from every target and
 * kept column name (kept names are letters, digits and _), and the final SELECT names its columns, so they stay inside.
 */
const BAD = 'strata:bad:';
/** Flag column: the row's time reads as a date only with day and month swapped (see otherOrderExpr). */
const OTHER_ORDER = 'strata:ts_other_order';
/**
 * Scratch column: the time cell's text, carried one level up so the day/month check (OTHER_ORDER) runs only on the
 * rows whose time did not read: trying every format of the other order on every row made the UCI Online Retail
 * file's normalising statement (541,909 ISO times) take 32.5 s in DuckDB-WASM instead of 2.8 (native 5.4 vs 1.3).
 */
const TS_SRC = 'strata:ts_src';
/** Flag column: the row's time cell is empty (not unreadable): an order line may take its order's time. */
const TS_BLANK = 'strata:ts_blank';
/**
 * Order-level fields a store export writes on an order's first line only (Shopify's orders CSV: Email, Created at,
 * Financial Status, Billing …): an order line with them empty takes them from another line of the same order.
 */
const ORDER_LEVEL: readonly Target[] = ['user_id', 'ts', 'status', 'country', 'region', 'city', 'email'];

/** Fields the normalised events/transactions table always has, whatever the mapping (derived if unmapped). */
export const DERIVED_FIELDS: readonly Target[] = ['event_type', 'quantity', 'revenue', 'order_id'];

/**
 * CREATE TEMP TABLE `out` with src_row, file_idx, the mapped fields (events and transactions also always get
 * DERIVED_FIELDS), the kept columns and `reason`. Unmapped fields are not materialised: every column of a temp
 * table costs memory per thread, so the placeholders are added later, once, when files are combined.
 */
export function normalizeSql(n: NormalizeInput): string {
  const { mapping } = n;
  const byName = new Map(n.columns.map((c) => [c.name, c]));
  const mapped = new Set<Target>();
  const select: string[] = ['rowid AS src_row'];
  const kept: string[] = [];
  const badNumbers: string[] = [];
  let otherOrder: string | null = null; // the day/month check on TS_SRC (text times only)
  for (const m of mapping.columns) {
    const col = byName.get(m.column);
    if (!col || m.target === 'ignore') continue;
    const order = n.dateOrders.get(m.column) ?? 'mdy';
    if (m.target === 'keep') {
      const as = ident(m.as ?? m.column);
      select.push(`${keptExpr(m.kind ?? kindOf(col.type), col, order)} AS ${as}`);
      kept.push(as);
    } else {
      select.push(`${targetExpr(m.target, col, order)} AS ${ident(m.target)}`);
      mapped.add(m.target);
      if (m.target === 'ts') {
        otherOrder = otherOrderExpr(col, order, ident(TS_SRC));
        select.push(otherOrder ? `${ident(col.name)} AS ${ident(TS_SRC)}` : `FALSE AS ${ident(OTHER_ORDER)}`);
        select.push(`nullif(trim(CAST(${ident(col.name)} AS VARCHAR)), '') IS NULL AS ${ident(TS_BLANK)}`);
      }
      if (m.target === 'price' || m.target === 'revenue' || m.target === 'quantity' || m.target === 'shipping') {
        select.push(`${badNumberExpr(m.target === 'shipping' ? 'price' : m.target, col)} AS ${ident(BAD + m.target)}`);
        badNumbers.push(ident(BAD + m.target));
      }
    }
  }
  const alias = rowAlias(n.columns);
  if (mapping.dropDuplicates) select.push(`row_number() OVER (PARTITION BY ${ident(alias)} ORDER BY rowid) AS dup_n`);
  const c0 = `SELECT ${select.join(',\n  ')}\nFROM ${ident(n.raw)} AS ${ident(alias)}`;
  // The check only where the time did not read (OTHER_ORDER is only ever read with ts IS NULL).
  const c = otherOrder
    ? `SELECT * EXCLUDE (${ident(TS_SRC)}), CASE WHEN ts IS NULL THEN ${otherOrder} ELSE FALSE END AS ${ident(OTHER_ORDER)}\nFROM (${c0})`
    : c0;
  const has = (t: Target) => mapped.has(t);
  const keptList = kept.length ? ', ' + kept.join(', ') : '';
  const fillDown = mapping.role === 'transactions' && has('order_id') ? ORDER_LEVEL.filter(has) : [];
  const fill = fillDown.map((t) => {
    const f = ident(t);
    const when = t === 'ts' ? `${f} IS NULL AND ${ident(TS_BLANK)}` : `${f} IS NULL`;
    const other = t === 'ts' ? `min(${f}) OVER (PARTITION BY order_id)` : `max(${f}) OVER (PARTITION BY order_id)`;
    return `CASE WHEN ${when} AND order_id IS NOT NULL THEN ${other} ELSE ${f} END AS ${f}`;
  });
  const filled = fill.length ? `SELECT * REPLACE (${fill.join(', ')}) FROM (${c})` : c;
  // Later layers see the order-level fields filled in: a guest checkout (customer id 0 or none, WooCommerce,
  // BigCommerce, Stripe) is the person its email names; GA4's ga_session_id is unique per user only, so the
  // session is the user's.
  const layers: string[] = [];
  if (mapping.role !== 'users' && has('user_id') && has('email')) {
    layers.push(`CASE WHEN user_id IS NULL OR user_id IN (${GUEST_IDS.map(literal).join(', ')}) THEN email ELSE user_id END AS user_id`);
  }
  const sessionCol = mapping.columns.find((m) => m.target === 'session_id')?.column;
  if (has('session_id') && has('user_id') && sessionCol && normalizeName(sessionCol) === 'gasessionid') {
    layers.push(`user_id || ':' || session_id AS session_id`);
  }
  const body = layers.length ? `SELECT * REPLACE (${layers.join(', ')}) FROM (${filled})` : filled;
  const head = `CREATE TEMP TABLE ${ident(n.out)} AS\nWITH c AS (\n${body}\n)`;
  const dup = mapping.dropDuplicates ? `WHEN dup_n > 1 THEN 'duplicate'` : '';
  const badNumber = badNumbers.length ? `WHEN ${badNumbers.join(' OR ')} THEN 'bad_number'` : '';
  if (mapping.role === 'orders' || mapping.role === 'payments') {
    const fields = ROLE_TARGETS[mapping.role].filter(has).map((t) => ident(t)).join(', ');
    if (mapping.role === 'payments') {
      return `${head}
SELECT src_row, ${n.fileIdx} AS file_idx, ${fields}${keptList},
  CASE WHEN order_id IS NULL THEN 'no_order_id' ${dup} ${badNumber} WHEN revenue IS NULL THEN 'no_amount' END AS reason
FROM c`;
    }
    const status = has('status') ? `${statusClassSql(mapping.statuses ?? {})}` : `'purchase'`;
    return `${head}
SELECT src_row, ${n.fileIdx} AS file_idx, ${fields}, (${status})::VARCHAR AS status_class${keptList},
  CASE WHEN order_id IS NULL THEN 'no_order_id'
    WHEN ts IS NULL AND ${ident(OTHER_ORDER)} THEN 'date_order' WHEN ts IS NULL THEN 'bad_timestamp'
    WHEN user_id IS NULL THEN 'no_user' ${dup} ${badNumber}
    WHEN row_number() OVER (PARTITION BY order_id ORDER BY src_row) > 1 THEN 'duplicate_order' END AS reason
FROM c`;
  }
  if (mapping.role === 'users' || mapping.role === 'products') {
    const key = mapping.role === 'users' ? 'user_id' : 'product_id';
    const missing: SetAsideReason = mapping.role === 'users' ? 'no_user' : 'no_product';
    const twice: SetAsideReason = mapping.role === 'users' ? 'duplicate_user' : 'duplicate_product';
    const fields = ROLE_TARGETS[mapping.role].filter(has).map((t) => ident(t)).join(', ');
    return `${head}
SELECT src_row, ${n.fileIdx} AS file_idx, ${fields}${keptList},
  CASE WHEN ${key} IS NULL THEN '${missing}' ${dup} ${badNumber}
    WHEN row_number() OVER (PARTITION BY ${key} ORDER BY src_row) > 1 THEN '${twice}' END AS reason
FROM c`;
  }
  const tx = mapping.role === 'transactions';
  // Which rule made a line a refund (refund_rule, counted in the report): a negative quantity (or total), else the
  // Online Retail C-order form where the file confirms it.
  const negative = has('quantity') ? 'quantity < 0' : has('revenue') ? 'revenue < 0' : '';
  const status = tx && has('status') ? statusClassSql(mapping.statuses ?? {}) : null;
  const rules = [
    status ? `WHEN (${status}) = 'refund' THEN 'status'` : '',
    negative ? `WHEN coalesce(${negative}, FALSE) THEN '${has('quantity') ? 'negative_quantity' : 'negative_total'}'` : '',
    has('order_id') && negative
      // One uncorrelated sub-query over the file (a window with FILTER measured quadratic in DuckDB 1.4).
      ? `WHEN coalesce(${C_ORDER}, FALSE) AND (SELECT count(*) FILTER (WHERE ${C_ORDER} AND ${negative})
          >= ${CANCEL_CONFIRM} * count(*) FILTER (WHERE ${C_ORDER} AND (${negative}) IS NOT NULL) FROM c) THEN 'c_order'`
      : '',
  ].filter(Boolean);
  const rule = rules.length ? `CASE ${rules.join(' ')} END` : 'NULL::VARCHAR';
  const d = tx
    ? `SELECT *, CASE WHEN r IS NULL THEN 'purchase' ELSE 'refund' END AS event_type, r AS refund_rule FROM (SELECT *, ${rule} AS r FROM c)`
    : has('event_type')
      ? `SELECT * REPLACE (coalesce(${eventTypeSql(mapping.eventTypes)}, 'event') AS event_type) FROM c`
      : `SELECT *, 'event' AS event_type FROM c`;
  const units = has('quantity') ? 'abs(coalesce(quantity, 1))' : '1';
  const amount = has('revenue') ? 'abs(revenue)' : has('price') ? `${units} * price` : 'NULL::DOUBLE';
  const quantity = tx
    ? has('quantity') ? 'abs(quantity)' : '1'
    : has('quantity') ? `CASE WHEN event_type = 'refund' THEN abs(quantity) ELSE quantity END`
      : `CASE WHEN event_type IN ('add_to_cart', 'purchase', 'refund') THEN 1 END`;
  const orderId = has('order_id') ? 'order_id' : tx ? `user_id || ' ' || strftime(ts, '%Y-%m-%d %H:%M:%S')` : 'NULL::VARCHAR';
  const money = tx ? 'TRUE' : `event_type IN ('purchase', 'refund')`;
  // Relational order lines without their own user or time: placeholders, filled (and checked) from the orders file.
  const fromOrders = tx && n.relational ? (['user_id', 'ts'] as const).filter((t) => !has(t)) : [];
  const reasons = [
    has('ts') ? `WHEN ts IS NULL AND ${ident(OTHER_ORDER)} THEN 'date_order'` : '',
    fromOrders.includes('ts') ? '' : `WHEN ts IS NULL THEN 'bad_timestamp'`,
    fromOrders.includes('user_id') ? '' : `WHEN user_id IS NULL THEN 'no_user'`,
    dup,
    badNumber,
    tx && has('quantity') ? `WHEN quantity = 0 THEN 'zero_quantity'` : '',
    status && !n.relational ? `WHEN (${status}) = 'not_sale' THEN 'not_a_sale'` : '',
    tx ? noAmount(has) : '',
    // Order lines with a price of 0 or less are set aside (adjustments, samples: the Online Retail convention). A
    // transaction with a total of 0 and no price column is kept as a purchase worth 0: a free or fully discounted
    // order is still an order (CDNOW's $0 purchases count as transactions in the published BG/NBD fits).
    has('price') ? `WHEN ${money} AND price <= 0 THEN 'non_positive_price'` : '',
  ].filter(Boolean);
  // An order-level shipping column (ORDER_LEVEL_SHIPPING) counts once per order: on the order's first line.
  const shippingCol = mapping.columns.find((m) => m.target === 'shipping')?.column;
  const orderShipping = tx && has('shipping') && has('order_id') && shippingCol !== undefined && ORDER_LEVEL_SHIPPING.includes(normalizeName(shippingCol));
  const rest = [
    ...ROLE_TARGETS.events.filter((t) => has(t) && !DERIVED_FIELDS.includes(t)).map((t) => ident(t)),
    ...fromOrders.map((t) => `NULL::${FIELD_TYPES[t]} AS ${t}`),
    ...(['shipping', 'status'] as const).filter((t) => tx && has(t)).map((t) =>
      t === 'shipping' && orderShipping
        ? `CASE WHEN order_id IS NULL OR row_number() OVER (PARTITION BY order_id ORDER BY src_row) = 1 THEN shipping END AS shipping`
        : ident(t)),
  ];
  return `${head}, d AS (
  ${d}
)
SELECT src_row, ${n.fileIdx} AS file_idx, ${rest.join(', ')}, event_type,
  (${quantity})::INTEGER AS quantity,
  (CASE WHEN ${money} THEN ${amount} END)::DOUBLE AS revenue,
  ${orderId} AS order_id${tx ? ', refund_rule' : ''}${keptList},
  CASE ${reasons.join(' ')} END AS reason
FROM d`;
}

function noAmount(has: (t: Target) => boolean): string {
  const parts: string[] = [];
  if (has('quantity')) parts.push('quantity IS NULL');
  if (has('revenue')) parts.push('revenue IS NULL');
  else if (has('price')) parts.push('price IS NULL');
  return parts.length ? `WHEN ${parts.join(' OR ')} THEN 'no_amount'` : '';
}

/**
 * An order status's meaning: the user's choice for the trimmed value, else DEFAULT_STATUSES by normalised value
 * (Canceled, CANCELLED and wc-cancelled alike), else a purchase; a missing status is a purchase.
 */
export function statusClassSql(explicit: Readonly<Record<string, StatusClass>>): string {
  const norm = `regexp_replace(lower(status), '[^a-z0-9]', '', 'g')`;
  const defaults = Object.entries(DEFAULT_STATUSES).map(([k, v]) => `WHEN ${literal(k)} THEN ${literal(v)}`).join(' ');
  const fallback = `coalesce(CASE ${norm} ${defaults} END, 'purchase')`;
  const entries = Object.entries(explicit).filter(([k]) => k.trim() !== '');
  if (!entries.length) return fallback;
  return `CASE trim(status) ${entries.map(([k, v]) => `WHEN ${literal(k.trim())} THEN ${literal(v)}`).join(' ')} ELSE ${fallback} END`;
}

/** Map the trimmed source value: the user's explicit choices first, then the default vocabulary, else unchanged. */
function eventTypeSql(explicit: Readonly<Record<string, string>>): string {
  const norm = `regexp_replace(lower(event_type), '[^a-z0-9]', '', 'g')`;
  const defaults = Object.entries(DEFAULT_EVENT_TYPES)
    .map(([k, v]) => `WHEN ${literal(k)} THEN ${literal(v)}`)
    .join(' ');
  const fallback = `coalesce(CASE ${norm} ${defaults} END, event_type)`;
  const entries = Object.entries(explicit).filter(([k]) => k.trim() !== '');
  if (!entries.length) return fallback;
  const mine = entries.map(([k, v]) => `WHEN ${literal(k.trim())} THEN ${literal(v)}`).join(' ');
  return `CASE event_type ${mine} ELSE ${fallback} END`;
}

/** A table alias no column is named, so PARTITION BY alias means "the whole row" (exact-duplicate test). */
function rowAlias(columns: readonly StagedColumn[]): string {
  const names = new Set(columns.map((c) => c.name));
  let alias = 'strata_row';
  while (names.has(alias)) alias += '_';
  return alias;
}
