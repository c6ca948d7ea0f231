// The comparison grid's columns: what each shows (text), its number for heat shading, and the metric whose absence
// hides it. Pure, so the printed report and the screen show the same figures.
import type { Dominant, SegmentProfile, TopEntry } from '../../analyses/segments/profile-decode.ts';
import type { ProfileMetric } from '../../analyses/segments/profile.ts';
import { fmtDec, fmtInt, fmtMoney, fmtMoney2, fmtPct } from '../../lib/format.ts';

/** One column of the grid. */
export interface ProfileColumn {
  key: string;
  label: string;
  help: string;
  /** The metric that, when unavailable, hides this column. */
  metric?: ProfileMetric;
  text: (r: SegmentProfile) => string;
  /** The value shaded (numeric columns only). */
  num?: (r: SegmentProfile) => number | null;
}

const tops = (xs: TopEntry[] | null, fmt: (n: number) => string) => (xs && xs.length ? xs.map((x) => `${x.label} (${fmt(x.amount)})`).join(', ') : '—');
const dominant = (d: Dominant | null) => (d ? `${d.label} (${fmtPct(d.share)})` : '—');

/** Every column in display order. */
export const PROFILE_METRICS: readonly ProfileColumn[] = [
  { key: 'users', label: 'Users', help: 'Users in the segment', text: (r) => fmtInt(r.users), num: (r) => r.users },
  { key: 'userShare', label: '% users', help: 'Share of all users', text: (r) => fmtPct(r.userShare), num: (r) => r.userShare },
  { key: 'revenue', label: 'Revenue', help: 'Purchase revenue of the segment’s users', metric: 'revenue', text: (r) => fmtMoney(r.revenue), num: (r) => r.revenue },
  { key: 'revenueShare', label: '% revenue', help: 'Share of all revenue', metric: 'revenue', text: (r) => fmtPct(r.revenueShare), num: (r) => r.revenueShare },
  { key: 'aov', label: 'AOV', help: 'Revenue ÷ orders', metric: 'orders', text: (r) => fmtMoney2(r.aov), num: (r) => r.aov },
  { key: 'ordersPerCustomer', label: 'Orders / customer', help: 'Orders ÷ users with at least one order', metric: 'orders', text: (r) => fmtDec(r.ordersPerCustomer), num: (r) => r.ordersPerCustomer },
  { key: 'conversion', label: 'Purchase conv.', help: 'Users with an order ÷ users', metric: 'buyers', text: (r) => fmtPct(r.conversion), num: (r) => r.conversion },
  { key: 'avgEngagement', label: 'Avg engagement', help: 'Mean engagement score (0–100)', metric: 'avgEngagement', text: (r) => fmtDec(r.avgEngagement), num: (r) => r.avgEngagement },
  { key: 'avgChurn', label: 'Predicted churn', help: 'Mean predicted churn probability (Predictions screen)', metric: 'avgChurn', text: (r) => fmtPct(r.avgChurn), num: (r) => r.avgChurn },
  { key: 'avgClv', label: 'Predicted CLV', help: 'Mean predicted customer lifetime value (BG/NBD + Gamma-Gamma)', metric: 'avgClv', text: (r) => fmtMoney2(r.avgClv), num: (r) => r.avgClv },
  { key: 'avgAlive', label: 'P(alive)', help: 'Mean probability the customer is still active (BG/NBD)', metric: 'avgAlive', text: (r) => fmtPct(r.avgAlive), num: (r) => r.avgAlive },
  { key: 'medianDays', label: 'Median days since purchase', help: 'Over the segment’s buyers', metric: 'medianDays', text: (r) => fmtInt(r.medianDaysSinceLastPurchase), num: (r) => r.medianDaysSinceLastPurchase },
  {
    key: 'churnMix', label: 'Churn risk (low / med / high / none)', help: 'Users per churn-risk band', metric: 'churnMix',
    text: (r) => (r.churnMix ? r.churnMix.map((c) => fmtPct(r.users ? c.users / r.users : 0)).join(' / ') : '—'),
  },
  { key: 'topCategories', label: 'Top categories (revenue)', help: 'Categories the segment spends most on', metric: 'topCategories', text: (r) => tops(r.topCategories, fmtMoney) },
  { key: 'topSources', label: 'Top traffic sources (users)', help: 'Traffic source categories with the most users', metric: 'topSources', text: (r) => tops(r.topSources, fmtInt) },
  { key: 'topCountries', label: 'Top countries (users)', help: 'Countries with the most users', metric: 'topCountries', text: (r) => tops(r.topCountries, fmtInt) },
  { key: 'ageGroup', label: 'Age group', help: 'The most common age group', metric: 'ageGroup', text: (r) => dominant(r.ageGroup) },
  { key: 'gender', label: 'Gender', help: 'The most common gender', metric: 'gender', text: (r) => dominant(r.gender) },
  { key: 'incomeBracket', label: 'Income', help: 'The most common income bracket', metric: 'incomeBracket', text: (r) => dominant(r.incomeBracket) },
];

/** A translucent accent from `lo` (clear) to `hi` (strongest); nothing for a missing value or a flat column. */
export function heat(x: number | null, lo: number, hi: number): string | undefined {
  if (x === null || !Number.isFinite(x) || hi <= lo) return undefined;
  const t = (x - lo) / (hi - lo);
  return `rgba(56, 189, 248, ${(0.05 + 0.4 * t).toFixed(3)})`;
}
