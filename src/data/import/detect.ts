// detect(): propose a file's role and where each column goes, from column names, synonyms and probed types.
// The proposal must be right for common exports with no edit; the UI shows it and lets the user change anything.
import { RESERVED_COLUMNS, sanitizeName, uniqueName } from './names.ts';
import { ownKey, putKey } from './keys.ts';
import {
  DEFAULT_EVENT_TYPES, ENTITY_PREFIXES, NUMERIC_TARGETS, ORDER_LEVEL_TOTALS, ROLE_SYNONYMS, ROLE_TARGETS, SYNONYMS, normalizeName,
} from './targets.ts';
import type { ColumnMapping, FileMapping, FileProbe, FileRole, ProbeColumn, Target } from './types.ts';
import { TARGETS } from './types.ts';

/**
 * Extra columns kept by default; later ones start as 'ignore' (the user can keep them). DuckDB spends memory per
 * column of every table it builds, so a 10,000-column export would otherwise need gigabytes in the browser.
 */
export const MAX_KEPT = 250;

/** Propose a mapping for a probed file (pure; never throws). Check it with mappingProblems before importing. */
export function detect(probe: FileProbe): FileMapping {
  const guess = headerless(probe.columns) ? guessFromValues(probe.columns) : null;
  const role = guess?.role ?? detectRole(probe.columns);
  const assigned = guess?.targets ?? assignTargets(probe.columns, role);
  if (!guess) preferFilledKeys(assigned, probe, role);
  if (!guess && (role === 'transactions' || role === 'events' || role === 'orders')) adjustLines(assigned, role, probe.columns);
  const taken = new Set<string>(RESERVED_COLUMNS);
  let extras = 0;
  const columns: ColumnMapping[] = probe.columns.map((c) => {
    const target = assigned.get(c.name);
    if (target) return { column: c.name, target };
    const as = uniqueName(sanitizeName(c.name), taken);
    extras += 1;
    return { column: c.name, target: extras <= MAX_KEPT ? 'keep' : 'ignore', as, kind: c.kind };
  });
  const eventCol = columns.find((m) => m.target === 'event_type')?.column;
  const eventTypes: Record<string, string> = {};
  for (const v of probe.columns.find((c) => c.name === eventCol)?.samples ?? []) {
    putKey(eventTypes, v, defaultEventType(v)); // event values are data: "__proto__" must stay a key
  }
  // GA4 and similar streams log page views and product views apart (page_view beside view_item): a page view is
  // then not a product view, and keeps a type of its own.
  const values = new Set(Object.keys(eventTypes));
  for (const r of eventCol !== undefined ? probe.preview : []) {
    const v = r[eventCol as string];
    if (v != null && v.trim() !== '') values.add(v);
  }
  const pageViews = [...values].filter((v) => normalizeName(v) === 'pageview');
  if (pageViews.length && [...values].some((v) => normalizeName(v) !== 'pageview' && defaultEventType(v) === 'product_view')) {
    for (const v of pageViews) putKey(eventTypes, v, 'page_view');
  }
  return { role, columns, eventTypes, dropDuplicates: role === 'events' };
}

/** True when the columns are the probe's generated names (column0, column1, …): the file has no header. */
export function headerless(columns: readonly ProbeColumn[]): boolean {
  return columns.length > 0 && columns.every((c, i) => c.name === `column${i}`);
}

const YMD = /^(19|20|21)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])$/;
const ISO_DATE = /^(19|20|21)[0-9]{2}-[01][0-9]-[0-3][0-9]([ T][0-9:.]+)?$/;
const INT = /^[0-9]+$/;
const DECIMAL = /^-?[0-9]*\.[0-9]+$/;

/**
 * A file without a header: its columns guessed from their values (CDNOW's "00004 0001 19970101 2 29.33" is
 * customer, –, date, quantity, amount). The time is the first column of dates (yyyymmdd or ISO), the user the first
 * column of whole numbers or ids before it, the amount a column of decimals, the quantity a later column of small
 * whole numbers. A guess needs a time and a user; the role is transactions when there is an amount or quantity.
 * The screen says the columns were guessed, so the user confirms them.
 */
function guessFromValues(columns: readonly ProbeColumn[]): { role: FileRole; targets: Map<string, Target> } | null {
  const all = (c: ProbeColumn, re: RegExp) => c.samples.length > 0 && c.samples.every((v) => re.test(v.trim()));
  const ts = columns.findIndex((c) => all(c, YMD) || all(c, ISO_DATE));
  if (ts < 0) return null;
  const user = columns.findIndex((c, i) => i < ts && c.samples.length > 0);
  if (user < 0) return null;
  const targets = new Map<string, Target>([[columns[ts].name, 'ts'], [columns[user].name, 'user_id']]);
  const after = columns.filter((_, i) => i > ts);
  const revenue = after.find((c) => all(c, DECIMAL));
  if (revenue) targets.set(revenue.name, 'revenue');
  const quantity = after.find((c) => c !== revenue && all(c, INT) && c.samples.every((v) => Number(v) < 1000));
  if (quantity) targets.set(quantity.name, 'quantity');
  return { role: revenue || quantity ? 'transactions' : 'events', targets };
}

/** The standard event type for a source value (view -> product_view, ...), or the value itself (a custom type). */
export function defaultEventType(value: string): string {
  return ownKey(DEFAULT_EVENT_TYPES, normalizeName(value)) ?? value.trim(); // "constructor" is a custom type, not a function
}

/**
 * Where a column's name sits in `names`: its index for a whole match, else 1000 + the index of the name with an
 * entity prefix taken off ("customer_state" -> "state"), else -1. Whole matches always rank first.
 */
function nameRank(column: string, names: readonly string[]): number {
  const n = normalizeName(column);
  const whole = names.indexOf(n);
  if (whole === 0) return 0;
  let best = -1;
  for (const p of ENTITY_PREFIXES) {
    if (!n.startsWith(p) || n.length === p.length) continue;
    const i = names.indexOf(n.slice(p.length));
    if (i >= 0 && (best < 0 || i < best)) best = i;
  }
  // A field's own name behind an entity word ("item_product_id") says more than a looser whole synonym beside it
  // (WooCommerce's "item_id" is the order line's id, not the product's).
  if (best === 0) return 0.5;
  if (whole >= 0) return whole;
  return best < 0 ? -1 : 1000 + best;
}

/** Which fields a column's name strongly suggests (role-independent), for role detection. */
function strongTargets(col: ProbeColumn): Set<Target> {
  const out = new Set<Target>();
  for (const t of TARGETS) if (nameRank(col.name, SYNONYMS[t].strong) >= 0 && typeFits(t, col)) out.add(t);
  // A column matching one field whole is that field only ("order_item_id" is not an item id once it matches nothing
  // whole, but "customer_unique_id" is a person id, not a user id).
  const whole = [...out].filter((t) => nameRank(col.name, SYNONYMS[t].strong) < 1000);
  return whole.length ? new Set(whole) : out;
}

/** Role from strong evidence: an event-type column, order ids, a user id with a time, user or product attributes. */
export function detectRole(columns: readonly ProbeColumn[]): FileRole {
  const has = new Set<Target>();
  let signupish = false;
  for (const c of columns) {
    for (const t of strongTargets(c)) has.add(t);
    const n = normalizeName(c.name);
    if (SYNONYMS.signup_ts.strong.includes(n) || (SYNONYMS.signup_ts.weak ?? []).includes(n)) signupish = true;
  }
  const userAttrs = ['email', 'name', 'age', 'gender'].some((t) => has.has(t as Target)) || has.has('signup_ts');
  const lineish = ['product_id', 'price', 'quantity'].some((t) => has.has(t as Target));
  if (has.has('event_type')) return 'events';
  // Relational exports: payments (an order id and a payment method, no customer), orders (an order id and a
  // status, or a customer and time without any amount, and no product or price: one row per order).
  if (has.has('order_id') && has.has('payment_method') && !has.has('user_id') && !lineish) return 'payments';
  if (has.has('order_id') && !lineish && (has.has('status') || (has.has('user_id') && !has.has('revenue')))) return 'orders';
  if (has.has('order_id') && (has.has('ts') || has.has('quantity') || has.has('price'))) return 'transactions';
  if (has.has('user_id') && (has.has('ts') || (signupish && !userAttrs))) return 'events';
  // An order grid without an order id named as such (Magento's "ID", "Purchase Date", "Status", "Customer Email").
  const ownId = columns.some((c) => normalizeName(c.name) === 'id');
  if (ownId && !lineish && has.has('ts') && has.has('status') && (has.has('email') || has.has('revenue'))) return 'orders';
  // Store order exports without an order id column named as such (Shopify's "Name"): lines with a price and a
  // quantity, bought by an email or a customer.
  if (has.has('quantity') && has.has('price') && (has.has('email') || has.has('user_id'))) return 'transactions';
  if (has.has('user_id')) return 'users';
  // A time column without a user is an events file missing its user column: say so, rather than call it a catalog.
  const productish = ['product_id', 'product_name', 'category', 'brand', 'price'].some((t) => has.has(t as Target));
  if (productish && !has.has('ts')) return 'products';
  return 'events';
}

/**
 * Store exports: a file of lines or orders with no user id but an email uses the email as the user (Shopify's
 * orders CSV, Magento's order grid); order-level totals are not a line's revenue (ORDER_LEVEL_TOTALS): beside a
 * price and a quantity they are dropped, beside a line total ("item_total", "Lineitem total") that one is taken.
 */
function adjustLines(assigned: Map<string, Target>, role: FileRole, columns: readonly ProbeColumn[]): void {
  const colOf = (t: Target) => [...assigned].find(([, v]) => v === t)?.[0];
  const email = colOf('email');
  if (!colOf('user_id') && email) assigned.set(email, 'user_id');
  const revenue = colOf('revenue');
  if (role !== 'transactions' || !revenue || !ORDER_LEVEL_TOTALS.includes(normalizeName(revenue))) return;
  if (colOf('price') && colOf('quantity')) {
    assigned.delete(revenue);
    return;
  }
  let line: { col: ProbeColumn; rank: number } | null = null;
  for (const col of columns) {
    if (assigned.has(col.name) || !typeFits('revenue', col)) continue;
    const n = normalizeName(col.name);
    const prefix = ['lineitem', 'item'].find((p) => n.startsWith(p) && n.length > p.length);
    const rank = prefix ? SYNONYMS.revenue.strong.indexOf(n.slice(prefix.length)) : -1;
    if (rank >= 0 && (!line || rank < line.rank)) line = { col, rank };
  }
  if (line) {
    assigned.delete(revenue);
    assigned.set(line.col.name, 'revenue');
  }
}

/**
 * Key columns mostly empty in the preview lose to a filled one that also names the field: Stripe's "Invoice ID"
 * (set on invoice payments only) is not the order id when the file has its own "id"; GA4's user_id (set only
 * for signed-in visits) is not the user when user_pseudo_id is there.
 */
function preferFilledKeys(assigned: Map<string, Target>, probe: FileProbe, role: FileRole): void {
  const rows = probe.preview.length;
  if (rows === 0) return;
  const filled = (name: string) => probe.preview.filter((r) => r[name] != null && String(r[name]).trim() !== '').length / rows;
  for (const target of ['user_id', 'order_id'] as const) {
    const current = [...assigned].find(([, v]) => v === target)?.[0];
    if (!current || filled(current) >= 0.5) continue;
    let best: { col: ProbeColumn; rank: number } | null = null;
    for (const col of probe.columns) {
      if (assigned.has(col.name) || !typeFits(target, col) || filled(col.name) < 0.9) continue;
      for (const tier of [0, 1, 2]) {
        const r = nameRank(col.name, namesFor(target, role, tier));
        if (r < 0) continue;
        const rank = tier * 10000 + r;
        if (!best || rank < best.rank) best = { col, rank };
        break;
      }
    }
    if (best) {
      assigned.delete(current);
      assigned.set(best.col.name, target);
    }
  }
}

/** Greedy: each field takes its best-ranked free column (strong synonyms, then role synonyms, then weak ones). */
function assignTargets(columns: readonly ProbeColumn[], role: FileRole): Map<string, Target> {
  const out = new Map<string, Target>();
  const used = new Set<Target>();
  for (const tier of [0, 1, 2]) {
    for (const target of ROLE_TARGETS[role]) {
      if (used.has(target)) continue;
      const names = namesFor(target, role, tier);
      let best: { col: ProbeColumn; rank: number } | null = null;
      for (const col of columns) {
        if (out.has(col.name) || !typeFits(target, col)) continue;
        const rank = nameRank(col.name, names);
        if (rank >= 0 && (!best || rank < best.rank)) best = { col, rank };
      }
      if (best) {
        out.set(best.col.name, target);
        used.add(target);
      }
    }
  }
  return out;
}

function namesFor(target: Target, role: FileRole, tier: number): readonly string[] {
  if (tier === 0) return SYNONYMS[target].strong;
  if (tier === 1) return ROLE_SYNONYMS[role]?.[target] ?? [];
  return SYNONYMS[target].weak ?? [];
}

/** Numbers must look like numbers; a time cannot be a boolean. Ids and text take anything. */
function typeFits(target: Target, col: ProbeColumn): boolean {
  if (NUMERIC_TARGETS.has(target)) {
    if (col.kind === 'integer' || col.kind === 'number') return true;
    return col.kind === 'text' && col.samples.length > 0 && col.samples.every((s) => NUMBER_RE.test(s.trim()));
  }
  if (target === 'ts' || target === 'signup_ts') return col.kind !== 'boolean';
  return true;
}

const NUMBER_RE = /^[-+]?((R|A|C|HK|NZ)?\$|[€£¥₹₩₽₺])?\s*[0-9][0-9.,' ]*$/;
