// Formatting a pivot value by its kind (counts, money, numbers, shares, dates).
import type { ValueKind } from '../../analyses/pivot/index.ts';
import { fmtDay, fmtInt, fmtMoney2, fmtDec, fmtPct } from '../../lib/format.ts';

/** A value as the table and tooltips show it; missing values are a dash. */
export function fmtValue(v: number | null | undefined, kind: ValueKind): string {
  if (v === null || v === undefined) return '–';
  switch (kind) {
    case 'count': return fmtInt(v);
    case 'money': return fmtMoney2(v);
    case 'ratio': return fmtPct(v);
    case 'date': return fmtDay(v);
    default: return fmtDec(v);
  }
}
