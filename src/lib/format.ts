// Number and date formatting for the UI, all through Intl (one place, consistent everywhere).

// Numbers and dates follow the user's locale (setFormatLocale(navigator.language) at start; en-US until then and in
// Node); money is in the open dataset's currency (setMoneyCurrency; US dollars until a dataset says otherwise).
let locale = 'en-US';
let currency = 'USD';
const build = (loc: string, code: string) => ({
  int: new Intl.NumberFormat(loc, { maximumFractionDigits: 0 }),
  dec: new Intl.NumberFormat(loc, { maximumFractionDigits: 2 }),
  exact: new Intl.NumberFormat(loc, { maximumFractionDigits: 6 }),
  compact: new Intl.NumberFormat(loc, { notation: 'compact', maximumFractionDigits: 1 }),
  money: new Intl.NumberFormat(loc, { style: 'currency', currency: code, maximumFractionDigits: 0 }),
  money2: new Intl.NumberFormat(loc, { style: 'currency', currency: code, maximumFractionDigits: 2 }),
  axis: new Intl.NumberFormat(loc, { style: 'currency', currency: code, notation: 'compact', maximumFractionDigits: 1 }),
  pct: new Intl.NumberFormat(loc, { style: 'percent', maximumFractionDigits: 1 }),
  day: new Intl.DateTimeFormat(loc, { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' }),
  month: new Intl.DateTimeFormat(loc, { timeZone: 'UTC', year: 'numeric', month: 'short' }),
  when: new Intl.DateTimeFormat(loc, { dateStyle: 'medium', timeStyle: 'short' }),
});
let f = build(locale, currency);

/** Show money in `code` (ISO 4217) from now on; an unknown code throws a RangeError and changes nothing. */
export function setMoneyCurrency(code: string): void {
  if (code === currency) return;
  f = build(locale, code);
  currency = code;
}
/** The currency money is shown in. */
export const moneyCurrency = (): string => currency;

/**
 * Format numbers and dates for `tag` (a BCP 47 locale such as the browser's "de-DE") from now on; a tag Intl does
 * not support leaves en-US. Returns the locale in use.
 */
export function setFormatLocale(tag: string | null | undefined): string {
  let next = 'en-US';
  try {
    if (tag && Intl.NumberFormat.supportedLocalesOf([tag]).length) next = tag;
  } catch {
    // a malformed tag: keep en-US
  }
  if (next !== locale) {
    f = build(next, currency);
    locale = next;
  }
  return locale;
}
/** The locale numbers and dates are formatted for. */
export const formatLocale = (): string => locale;

const dash = '—';
const ok = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** A moment of the user's own day (their time zone), e.g. when a result was computed: Dec 3, 2026, 10:05 AM. */
export const fmtWhen = (ms: number | null | undefined) => (ok(ms) ? f.when.format(ms) : dash);
/** Whole numbers: 12,345. */
export const fmtInt = (v: number | null | undefined) => (ok(v) ? f.int.format(v) : dash);
/** Up to two decimals: 1.25. */
export const fmtDec = (v: number | null | undefined) => (ok(v) ? f.dec.format(v) : dash);
/** Up to six decimals, for exact values (data tables, histogram bounds): 0.123457. */
export const fmtExact = (v: number | null | undefined) => (ok(v) ? f.exact.format(v) : dash);
/** Compact: 12.3K. */
export const fmtCompact = (v: number | null | undefined) => (ok(v) ? f.compact.format(v) : dash);
// Money, the same way on every screen: totals (revenue, a segment's or a band's revenue) in whole units, amounts per
// order or per user (AOV, revenue per member, CLV) with cents, chart axes compact. A screen never shows one kind
// of amount two ways (the pivot, whose cells mix both kinds, shows cents throughout).
/** Money totals, no cents: $12,345 (in the dataset's currency). */
export const fmtMoney = (v: number | null | undefined) => (ok(v) ? f.money.format(v) : dash);
/** Compact money for chart axes: $12.3K. */
export const fmtMoneyAxis = (v: number | null | undefined) => (ok(v) ? f.axis.format(v) : dash);
/** Money per order or per user, with cents: $12.34. */
export const fmtMoney2 = (v: number | null | undefined) => (ok(v) ? f.money2.format(v) : dash);
/** A ratio as percent: 0.123 -> 12.3%. */
export const fmtPct = (v: number | null | undefined) => (ok(v) ? f.pct.format(v) : dash);
/** An epoch-ms instant as a UTC day: Mar 4, 2025. */
export const fmtDay = (ms: number | null | undefined) => (ok(ms) ? f.day.format(ms) : dash);
/** An epoch-ms instant as a UTC month: Mar 2025. */
export const fmtMonth = (ms: number | null | undefined) => (ok(ms) ? f.month.format(ms) : dash);
/** An epoch-ms instant as YYYY-MM-DD (UTC), for inputs and URLs. */
export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** A duration in ms, in the largest fitting unit: 42 s, 3.5 min, 2.1 h, 1.5 d. */
export function fmtDuration(ms: number | null | undefined): string {
  if (!ok(ms)) return dash;
  const s = ms / 1000;
  if (s < 60) return `${f.dec.format(s)} s`;
  if (s < 3600) return `${f.dec.format(s / 60)} min`;
  if (s < 86400) return `${f.dec.format(s / 3600)} h`;
  return `${f.dec.format(s / 86400)} d`;
}
