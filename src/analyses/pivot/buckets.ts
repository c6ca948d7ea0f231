// Bucketing: each dimension becomes one SQL key expression (a bucket index, a truncated date or the raw value)
// plus a labeller that turns keys back into text. Data-dependent buckets (equal width, quantiles, top N) read
// their edges or values first with a small stats query, so the main query carries them as bound parameters.
import type { Table } from 'apache-arrow';
import { toRows } from '../../lib/rows.ts';
import { StrataError } from '../../errors.ts';
import { joinSql, raw, sql, type Sql } from '../../sql/quote.ts';
import { fieldLabel, fieldSql, kindPhrase, type Field } from '../fields.ts';
import type { Bucket, DateUnit, Dim } from './spec.ts';

/** What the stats query found for a data-dependent bucket. */
export type BucketStats =
  | { kind: 'range'; min: number | null; max: number | null }
  | { kind: 'quantiles'; min: number | null; max: number | null; edges: number[] }
  | { kind: 'values'; values: string[] };

/** The FROM and WHERE every query of one pivot shares. */
export interface Scope {
  from: Sql;
  where: Sql;
}

/** A dimension compiled: its key expression and how keys read. */
export interface CompiledDim {
  expr: Sql;
  /** Display text for a key; null keys are "(missing)". */
  label: (key: string | number | boolean | null) => string;
}

export const MISSING = '(missing)';
/**
 * The log bucket key of values ≤ 0: finite (key paths are JSON, where -Infinity would turn into null and merge
 * with the "(missing)" row) and below floor(log10(x)) of any positive double (≥ -324), so it sorts first.
 */
export const LOG_NONPOSITIVE = -1000;
export const OTHER = 'Other';

const NUMERIC = new Set(['integer', 'number']);

/** Which buckets suit a field kind, in the order a picker offers them (first = default). */
export function bucketsFor(kind: Field['kind']): Bucket['kind'][] {
  if (NUMERIC.has(kind)) return ['width', 'none', 'quantile', 'edges', 'log'];
  if (kind === 'temporal') return ['date', 'none'];
  if (kind === 'text') return ['top', 'none', 'groups'];
  return ['none'];
}

/** A sensible first bucket for a field just added as a dimension. */
export function defaultBucket(kind: Field['kind']): Bucket {
  if (NUMERIC.has(kind)) return { kind: 'width', bins: 10 };
  if (kind === 'temporal') return { kind: 'date', unit: 'month' };
  if (kind === 'text') return { kind: 'top', n: 10 };
  return { kind: 'none' };
}

/** Throw a clear message when a bucket does not suit its field. */
export function checkBucket(dim: Dim, f: Field): void {
  if (!bucketsFor(f.kind).includes(dim.bucket.kind)) {
    throw new StrataError(`${fieldLabel(f.id)} is ${kindPhrase(f.kind)}; it cannot be bucketed by "${dim.bucket.kind}".`);
  }
}

/**
 * The stats query a dimension needs before its key can be written, or null when it needs none. Top N keeps the N
 * values highest by `rank` (the pivot's ranking measure: the one the table is sorted by, else the first; row count
 * when none is given), ties and NULL measures after, by value.
 */
export function bucketStatsSql(dim: Dim, f: Field, scope: Scope, rank: Sql = raw('count(*)')): Sql | null {
  const x = fieldSql(f);
  const b = dim.bucket;
  if (b.kind === 'width') {
    return sql`SELECT min(${x})::DOUBLE AS lo, max(${x})::DOUBLE AS hi FROM ${scope.from} WHERE ${scope.where}`;
  }
  if (b.kind === 'quantile') {
    const qs = Array.from({ length: b.bins - 1 }, (_, i) => (i + 1) / b.bins);
    const list = joinSql(qs.map((q) => sql`${q}`), ', ');
    const cols = raw(qs.map((_, i) => `q[${i + 1}]::DOUBLE AS q${i}`).join(', '));
    return sql`SELECT lo, hi, ${cols} FROM (SELECT min(${x})::DOUBLE AS lo, max(${x})::DOUBLE AS hi,
  quantile_cont(${x}::DOUBLE, [${list}]::DOUBLE[]) AS q FROM ${scope.from} WHERE ${scope.where})`;
  }
  if (b.kind === 'top') {
    return sql`SELECT ${x} AS v FROM ${scope.from} WHERE ${scope.where} AND ${x} IS NOT NULL
GROUP BY ${x} ORDER BY ${rank} DESC NULLS LAST, ${x} LIMIT ${b.n}`;
  }
  return null;
}

/** Decode a stats query for `dim`. */
export function decodeBucketStats(dim: Dim, table: Table): BucketStats {
  const rows = toRows(table);
  if (dim.bucket.kind === 'top') return { kind: 'values', values: rows.map((r) => String(r.v)) };
  const r = rows[0] ?? { lo: null, hi: null };
  const min = typeof r.lo === 'number' ? r.lo : null;
  const max = typeof r.hi === 'number' ? r.hi : null;
  if (dim.bucket.kind === 'quantile') {
    const edges = Object.keys(r).filter((k) => /^q\d+$/.test(k)).map((k) => r[k]).filter((v): v is number => typeof v === 'number');
    return { kind: 'quantiles', min, max, edges };
  }
  return { kind: 'range', min, max };
}

/** Compile a dimension into its key expression and labeller; `stats` must come from bucketStatsSql when it asked. */
export function compileDim(dim: Dim, f: Field, stats: BucketStats | null): CompiledDim {
  checkBucket(dim, f);
  const x = fieldSql(f);
  const b = dim.bucket;
  const int = f.kind === 'integer';
  switch (b.kind) {
    case 'none':
      return noneDim(x, f);
    case 'date':
      return dateDim(x, b.unit);
    case 'log':
      return {
        expr: sql`CASE WHEN ${x} IS NULL THEN NULL WHEN ${x} <= 0 THEN ${raw(String(LOG_NONPOSITIVE))} ELSE floor(log10(${x}::DOUBLE)) END`,
        label: (k) => (k === null ? MISSING : k === LOG_NONPOSITIVE ? '≤ 0' : `${num(10 ** Number(k))} – ${num(10 ** (Number(k) + 1))}`),
      };
    case 'edges':
      return edgesDim(x, b.edges, int, null, null);
    case 'width':
      return widthDim(x, b.bins, int, need(stats, 'range', dim));
    case 'quantile': {
      const s = need(stats, 'quantiles', dim);
      let edges = s.edges.map((e) => (int ? Math.ceil(e) : e));
      edges = [...new Set(edges)].filter((e) => s.min === null || e > s.min).sort((a, b) => a - b);
      return edgesDim(x, edges, int, s.min, s.max);
    }
    case 'top': {
      const values = need(stats, 'values', dim).values;
      return listDim(x, values.map((v) => [v]), values);
    }
    case 'groups':
      return listDim(x, b.groups.map((g) => g.values), b.groups.map((g) => g.name));
  }
}

function need<K extends BucketStats['kind']>(s: BucketStats | null, kind: K, dim: Dim): Extract<BucketStats, { kind: K }> {
  if (!s || s.kind !== kind) throw new Error(`Bucket stats missing for ${dim.field} (${dim.bucket.kind})`);
  return s as Extract<BucketStats, { kind: K }>;
}

function noneDim(x: Sql, f: Field): CompiledDim {
  if (f.kind === 'temporal') {
    return { expr: sql`epoch_ms(${x}::TIMESTAMP)::DOUBLE`, label: (k) => (k === null ? MISSING : new Date(Number(k)).toISOString().replace('T', ' ').replace(/(\.000)?Z$/, '')) };
  }
  if (f.kind === 'other') return { expr: sql`${x}::VARCHAR`, label: (k) => (k === null ? MISSING : String(k)) };
  if (NUMERIC.has(f.kind)) return { expr: sql`${x}::DOUBLE`, label: (k) => (k === null ? MISSING : num(Number(k))) };
  return { expr: x, label: (k) => (k === null ? MISSING : String(k)) };
}

const DOW = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
// Fixed SQL text per validated unit: never user text.
const TRUNC: Partial<Record<DateUnit, string>> = { day: "'day'", week: "'week'", month: "'month'", quarter: "'quarter'", year: "'year'" };

function dateDim(x: Sql, unit: DateUnit): CompiledDim {
  if (unit === 'hour') return { expr: sql`hour(${x}::TIMESTAMP)::INTEGER`, label: (k) => (k === null ? MISSING : `${String(k).padStart(2, '0')}:00`) };
  if (unit === 'dow') return { expr: sql`isodow(${x}::TIMESTAMP)::INTEGER`, label: (k) => (k === null ? MISSING : DOW[Number(k)]) };
  // The explicit NULL branch matters: DuckDB 1.4 (native and WASM) groups a NULL input of this expression under a
  // garbage key (INT64 min, NaN as DOUBLE) instead of NULL, so the "(missing)" row would crash dateLabel.
  const expr = sql`CASE WHEN ${x} IS NULL THEN NULL ELSE epoch_ms(date_trunc(${raw(TRUNC[unit]!)}, ${x}::TIMESTAMP))::DOUBLE END`;
  return { expr, label: (k) => (k === null ? MISSING : dateLabel(Number(k), unit)) };
}

/** A truncated date's label: 2025-03-04, w/c 2025-03-03, 2025-03, 2025 Q1, 2025. */
export function dateLabel(ms: number, unit: DateUnit): string {
  const iso = new Date(ms).toISOString();
  if (unit === 'day') return iso.slice(0, 10);
  if (unit === 'week') return `w/c ${iso.slice(0, 10)}`;
  if (unit === 'month') return iso.slice(0, 7);
  if (unit === 'quarter') return `${iso.slice(0, 4)} Q${Math.floor(new Date(ms).getUTCMonth() / 3) + 1}`;
  return iso.slice(0, 4);
}

function widthDim(x: Sql, bins: number, int: boolean, s: { min: number | null; max: number | null }): CompiledDim {
  const lo = s.min ?? 0;
  const hi = s.max ?? 0;
  // Integers get whole-number widths so buckets read 18–29, 30–41; other numbers split [min, max] in N equal parts.
  const w = int ? Math.max(1, Math.ceil((hi - lo + 1) / bins)) : hi > lo ? (hi - lo) / bins : 1;
  const last = int ? Math.floor((hi - lo) / w) : bins - 1;
  const expr = sql`CASE WHEN ${x} IS NULL THEN NULL ELSE least(greatest(floor((${x}::DOUBLE - ${lo}) / ${w}), 0), ${last})::INTEGER END`;
  const label = (k: string | number | boolean | null) => {
    if (k === null) return MISSING;
    const a = lo + Number(k) * w;
    if (int) {
      const top = Math.min(a + w - 1, hi); // the last bucket stops at the maximum
      return top <= a ? num(a) : `${num(a)}–${num(top)}`;
    }
    return `${num(a)} – ${num(Number(k) === last ? hi : a + w)}`;
  };
  return { expr, label };
}

/** Buckets split at `edges` (each bucket holds its lower edge): below the first edge, between edges, from the last. */
function edgesDim(x: Sql, edges: number[], int: boolean, min: number | null, max: number | null): CompiledDim {
  const whens = edges.map((e, i) => sql` WHEN ${x} < ${e} THEN ${i}`);
  const expr = sql`CASE WHEN ${x} IS NULL THEN NULL${joinSql(whens, '')} ELSE ${edges.length} END::INTEGER`;
  const wholeEdges = int && edges.every(Number.isInteger);
  const label = (k: string | number | boolean | null) => {
    if (k === null) return MISSING;
    const i = Number(k);
    const a = i === 0 ? min : edges[i - 1];
    const b = i === edges.length ? max : edges[i];
    if (a === null) return `< ${num(b!)}`;
    if (b === null) return wholeEdges ? `${num(a)}+` : `≥ ${num(a)}`;
    if (!wholeEdges) return `${num(a)} – ${num(b)}`;
    // Whole numbers: [25, 35) reads 25–34; the last quantile bucket includes the maximum itself.
    const top = i === edges.length ? b : b - 1;
    return top <= a ? num(a) : `${num(a)}–${num(top)}`;
  };
  return { expr, label };
}

/** Text buckets: key i when the value is in lists[i], else `lists.length` ("Other"). */
function listDim(x: Sql, lists: string[][], names: string[]): CompiledDim {
  const whens = lists.flatMap((vs, i) => (vs.length ? [sql` WHEN ${x} IN (${joinSql(vs.map((v) => sql`${v}`), ', ')}) THEN ${i}`] : []));
  const n = lists.length;
  const expr = sql`CASE WHEN ${x} IS NULL THEN NULL${joinSql(whens, '')} ELSE ${n} END::INTEGER`;
  return { expr, label: (k) => (k === null ? MISSING : Number(k) < n ? names[Number(k)] : OTHER) };
}

const fmt = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });
const fmtBig = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A bucket edge as text: whole numbers in full (18, 45,000), others to 4 significant digits. */
export function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? fmtBig.format(v) : fmt.format(v);
}
