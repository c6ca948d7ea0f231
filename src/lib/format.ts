// Number and date formatting for the UI, all through Intl (one place, consistent everywhere).

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const dec = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
// Money is shown in the open dataset's currency (setMoneyCurrency; US dollars until a dataset says otherwise).
let currency = 'USD';
const moneyFormats = (code: string) => ({
  money: new Intl.NumberFormat('en-US', { style: 'currency', currency: code, maximumFractionDigits: 0 }),
  money2: new Intl.NumberFormat('en-US', { style: 'currency', currency: code, maximumFractionDigits: 2 }),
  compact: new Intl.NumberFormat('en-US', { style: 'currency', currency: code, notation: 'compact', maximumFractionDigits: 2 }),
  axis: new Intl.NumberFormat('en-US', { style: 'currency', currency: code, notation: 'compact', maximumFractionDigits: 1 }),
});
let m = moneyFormats(currency);

/** Show money in `code` (ISO 4217) from now on; an unknown code throws a RangeError and changes nothing. */
export function setMoneyCurrency(code: string): void {
  if (code === currency) return;
  m = moneyFormats(code);
  currency = code;
}
/** The currency money is shown in. */
export const moneyCurrency = (): string => currency;
const pct = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });
const day = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' });
const month = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', year: 'numeric', month: 'short' });

const dash = '—';
const ok = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** Whole numbers: 12,345. */
export const fmtInt = (v: number | null | undefined) => (ok(v) ? int.format(v) : dash);
/** Up to two decimals: 1.25. */
export const fmtDec = (v: number | null | undefined) => (ok(v) ? dec.format(v) : dash);
/** Compact: 12.3K. */
export const fmtCompact = (v: number | null | undefined) => (ok(v) ? compact.format(v) : dash);
/** Money, no cents: $12,345 (in the dataset's currency). */
export const fmtMoney = (v: number | null | undefined) => (ok(v) ? m.money.format(v) : dash);
/** Compact money for chart axes: $12.3K. */
export const fmtMoneyAxis = (v: number | null | undefined) => (ok(v) ? m.axis.format(v) : dash);
/** Money for a KPI card: exact below a million, compact above ($8.91M). */
export const fmtMoneyKpi = (v: number | null | undefined) => (ok(v) ? (Math.abs(v) >= 1e6 ? m.compact.format(v) : m.money.format(v)) : dash);
/** Money with cents: $12.34. */
export const fmtMoney2 = (v: number | null | undefined) => (ok(v) ? m.money2.format(v) : dash);
/** A ratio as percent: 0.123 -> 12.3%. */
export const fmtPct = (v: number | null | undefined) => (ok(v) ? pct.format(v) : dash);
/** An epoch-ms instant as a UTC day: Mar 4, 2025. */
export const fmtDay = (ms: number | null | undefined) => (ok(ms) ? day.format(ms) : dash);
/** An epoch-ms instant as a UTC month: Mar 2025. */
export const fmtMonth = (ms: number | null | undefined) => (ok(ms) ? month.format(ms) : dash);
/** An epoch-ms instant as YYYY-MM-DD (UTC), for inputs and URLs. */
export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** A duration in ms, in the largest fitting unit: 42 s, 3.5 min, 2.1 h, 1.5 d. */
export function fmtDuration(ms: number | null | undefined): string {
  if (!ok(ms)) return dash;
  const s = ms / 1000;
  if (s < 60) return `${dec.format(s)} s`;
  if (s < 3600) return `${dec.format(s / 60)} min`;
  if (s < 86400) return `${dec.format(s / 3600)} h`;
  return `${dec.format(s / 86400)} d`;
}
