// Text for profile values: numbers through Intl, dates and times as UTC ISO text, text as itself.
import type { ColumnKind, TopValue } from '../../analyses/profile/index.ts';
import { isoTimestamp } from '../../components/grid/cells.ts';
import { fmtDec, fmtExact, fmtPct } from '../../lib/format.ts';


/** A UTC instant, without a midnight time of day ("2025-03-04" rather than "2025-03-04 00:00:00"). */
export function fmtInstant(ms: number): string {
  return isoTimestamp(ms).replace(/ 00:00:00$/, '');
}

/** A statistic of a column of `kind` (min, max, mean, median): dates as instants, numbers with two decimals. */
export function fmtStat(v: number | string | null, kind: ColumnKind): string {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  return kind === 'temporal' ? fmtInstant(v) : fmtDec(v);
}

/** A frequent value as stored (numbers in full precision, dates as instants, text verbatim). */
export function fmtTopValue(t: TopValue, kind: ColumnKind): string {
  if (t.num === null) return t.value;
  return kind === 'temporal' ? fmtInstant(t.num) : fmtExact(t.num);
}

/** A missing share, with "none" for exactly zero so a complete column reads at a glance. */
export function fmtMissing(v: number | null): string {
  if (v === null) return '—';
  return v === 0 ? 'none' : fmtPct(v);
}
