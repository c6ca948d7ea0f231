// Validators for mappings and plans coming back from the UI, storage or a URL: unknown keys and bad values throw.
import { StrataError } from '../../errors.ts';
import { VALUE_KINDS } from './kinds.ts';
import { putKey } from './keys.ts';
import { TARGETS } from './types.ts';
import type {
  ColumnMapping, ColumnTarget, CsvDialect, FileMapping, FileRole, ImportPlan, PlannedFile, ReadOptions, StatusClass, ValueKind,
} from './types.ts';

/** Default minutes of inactivity that end a derived session. */
export const DEFAULT_SESSION_GAP = 30;

const ROLES: readonly FileRole[] = ['events', 'transactions', 'users', 'products', 'orders', 'payments'];
const STATUS_CLASSES: readonly StatusClass[] = ['purchase', 'refund', 'not_sale'];
const COLUMN_TARGETS: readonly ColumnTarget[] = [...TARGETS, 'keep', 'ignore'];
const MAX_GAP = 7 * 24 * 60;

/** Check an untrusted FileMapping and return a fresh copy. */
export function validateFileMapping(x: unknown, where = 'mapping'): FileMapping {
  const o = object(x, where, ['role', 'columns', 'eventTypes', 'dropDuplicates', 'statuses']);
  const role = oneOf(o.role, ROLES, `${where}.role`);
  const columns = array(o.columns, `${where}.columns`).map((c, i) => columnMapping(c, `${where}.columns[${i}]`));
  const types = object(o.eventTypes ?? {}, `${where}.eventTypes`, null);
  const eventTypes: Record<string, string> = {};
  for (const [k, v] of Object.entries(types)) {
    const to = text(v, `${where}.eventTypes[${JSON.stringify(k)}]`).trim();
    if (!to || to.length > 64) throw bad(`${where}.eventTypes[${JSON.stringify(k)}]`, 'an event type of 1-64 characters');
    putKey(eventTypes, k, to); // an event value "__proto__" is a key like any other
  }
  const dropDuplicates = o.dropDuplicates === undefined ? role === 'events' : bool(o.dropDuplicates, `${where}.dropDuplicates`);
  if (o.statuses === undefined) return { role, columns, eventTypes, dropDuplicates };
  const statuses: Record<string, StatusClass> = {};
  for (const [k, v] of Object.entries(object(o.statuses, `${where}.statuses`, null))) {
    putKey(statuses, k, oneOf(v, STATUS_CLASSES, `${where}.statuses[${JSON.stringify(k)}]`)); // status values are data
  }
  return { role, columns, eventTypes, dropDuplicates, statuses };
}

function columnMapping(x: unknown, where: string): ColumnMapping {
  const o = object(x, where, ['column', 'target', 'as', 'kind', 'dateOrder']);
  const out: ColumnMapping = { column: name(o.column, `${where}.column`), target: oneOf(o.target, COLUMN_TARGETS, `${where}.target`) };
  if (o.as !== undefined) {
    const as = name(o.as, `${where}.as`);
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(as)) throw bad(`${where}.as`, 'lower-case letters, digits and _ (max 63)');
    out.as = as;
  }
  if (o.kind !== undefined) out.kind = oneOf(o.kind, VALUE_KINDS, `${where}.kind`) as ValueKind;
  if (o.dateOrder !== undefined) out.dateOrder = oneOf(o.dateOrder, ['dmy', 'mdy'] as const, `${where}.dateOrder`);
  return out;
}

/** Check untrusted ReadOptions (the dialect reaches SQL as literals, but must still be sane). */
export function validateReadOptions(x: unknown, where = 'read'): ReadOptions {
  const o = object(x, where, ['format', 'compression', 'encoding', 'csv', 'columns', 'table']);
  const format = oneOf(o.format, ['csv', 'parquet', 'json', 'ndjson'] as const, `${where}.format`);
  const compression = oneOf(o.compression, ['none', 'gzip'] as const, `${where}.compression`);
  const encoding = oneOf(o.encoding, ['utf-8', 'utf-16', 'latin-1'] as const, `${where}.encoding`);
  const columns = array(o.columns, `${where}.columns`).map((c, i) => name(c, `${where}.columns[${i}]`));
  let csv: CsvDialect | null = null;
  if (format === 'csv') {
    const d = object(o.csv, `${where}.csv`, ['delimiter', 'quote', 'escape', 'header', 'skip', 'comment', 'strict', 'whitespace']);
    const chars = (v: unknown, w: string, min: number, max: number) => {
      const s = text(v, w);
      if ([...s].length < min || [...s].length > max || s.includes('\0')) throw bad(w, `${min}-${max} characters`);
      return s;
    };
    const skip = d.skip;
    if (typeof skip !== 'number' || !Number.isInteger(skip) || skip < 0 || skip > 1e6) throw bad(`${where}.csv.skip`, 'a whole number >= 0');
    csv = {
      delimiter: chars(d.delimiter, `${where}.csv.delimiter`, 1, 4),
      quote: chars(d.quote, `${where}.csv.quote`, 0, 1),
      escape: chars(d.escape, `${where}.csv.escape`, 0, 1),
      header: bool(d.header, `${where}.csv.header`),
      skip,
      comment: chars(d.comment, `${where}.csv.comment`, 0, 1),
    };
    if (d.strict !== undefined) csv.strict = bool(d.strict, `${where}.csv.strict`);
    if (d.whitespace !== undefined) csv.whitespace = bool(d.whitespace, `${where}.csv.whitespace`);
    if (columns.length === 0) throw bad(`${where}.columns`, 'at least one column name');
  }
  const out: ReadOptions = { format, compression, encoding, csv, columns };
  if (o.table !== undefined) {
    const t = object(o.table, `${where}.table`, ['schema', 'name']);
    out.table = { schema: name(t.schema, `${where}.table.schema`), name: name(t.name, `${where}.table.name`) };
  }
  return out;
}

/** Check an untrusted ImportPlan and return a fresh copy; sessionGapMinutes defaults to 30. */
export function validateImportPlan(x: unknown): ImportPlan {
  const o = object(x, 'plan', ['files', 'sessionGapMinutes', 'joinUsersOn']);
  const files = array(o.files, 'plan.files').map((f, i): PlannedFile => {
    const w = `plan.files[${i}]`;
    const p = object(f, w, ['source', 'read', 'mapping']);
    return { source: name(p.source, `${w}.source`), read: validateReadOptions(p.read, `${w}.read`), mapping: validateFileMapping(p.mapping, `${w}.mapping`) };
  });
  if (files.length === 0) throw new StrataError('The import plan lists no files. Drop at least one file.');
  const gap = o.sessionGapMinutes ?? DEFAULT_SESSION_GAP;
  if (typeof gap !== 'number' || !Number.isFinite(gap) || gap <= 0 || gap > MAX_GAP) {
    throw bad('plan.sessionGapMinutes', `a number of minutes above 0 and at most ${MAX_GAP}`);
  }
  if ((o.joinUsersOn ?? 'user_id') !== 'user_id') throw bad('plan.joinUsersOn', '"user_id"');
  return { files, sessionGapMinutes: gap, joinUsersOn: 'user_id' };
}

function object(x: unknown, where: string, keys: readonly string[] | null): Record<string, unknown> {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) throw bad(where, 'an object');
  const o = x as Record<string, unknown>;
  if (keys) {
    for (const k of Object.keys(o)) {
      if (!keys.includes(k)) throw new StrataError(`Unknown key ${JSON.stringify(k)} in ${where}. Allowed: ${keys.join(', ')}.`);
    }
  }
  return o;
}

function array(x: unknown, where: string): unknown[] {
  if (!Array.isArray(x)) throw bad(where, 'a list');
  return x;
}

function text(x: unknown, where: string): string {
  if (typeof x !== 'string') throw bad(where, 'text');
  return x;
}

function name(x: unknown, where: string): string {
  const s = text(x, where);
  if (!s || s.includes('\0')) throw bad(where, 'a non-empty name without NUL characters');
  return s;
}

function bool(x: unknown, where: string): boolean {
  if (typeof x !== 'boolean') throw bad(where, 'true or false');
  return x;
}

function oneOf<T extends string>(x: unknown, allowed: readonly T[], where: string): T {
  if (typeof x === 'string' && (allowed as readonly string[]).includes(x)) return x as T;
  throw bad(where, `one of ${allowed.join(', ')}`);
}

function bad(where: string, expected: string): StrataError {
  return new StrataError(`Invalid import setting ${where}: expected ${expected}.`);
}
