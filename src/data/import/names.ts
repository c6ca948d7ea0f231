// Names the import invents: temporary table names (unqualified, unique per run) and sanitised kept-column names.

let counter = 0;
const run = Math.floor(Math.random() * 36 ** 4).toString(36);

/** A fresh unqualified table name for import scratch work; never collides with dataset tables. */
export function tempName(stem: string): string {
  counter += 1;
  return `strata_import_${run}_${counter}_${stem}`;
}

/** Column names the data model owns (events, users, products): kept columns may not take them. */
export const RESERVED_COLUMNS: readonly string[] = [
  'event_id', 'user_id', 'session_id', 'event_type', 'ts', 'product_id', 'category', 'price', 'quantity', 'revenue',
  'order_id', 'source', 'medium', 'campaign', 'device', 'product_name', 'brand', 'country', 'region', 'city',
  'signup_ts', 'email', 'name', 'age', 'gender',
];

/** A kept column's output name: lower snake case, letters/digits/underscore, not starting with a digit, <= 63. */
export function sanitizeName(raw: string): string {
  let s = raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!s) s = 'column';
  if (/^[0-9]/.test(s)) s = 'c_' + s;
  return s.slice(0, 63);
}

/** Make `name` unique against `taken` (which it then joins) by adding _2, _3, ... */
export function uniqueName(name: string, taken: Set<string>): string {
  let out = name;
  for (let i = 2; taken.has(out); i++) out = `${name.slice(0, 59)}_${i}`;
  taken.add(out);
  return out;
}
