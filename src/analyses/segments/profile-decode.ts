// Decode segmentProfileSql's rows into typed segment profiles, with the metrics the dataset cannot give named.
import type { Table } from 'apache-arrow';
import { toRows, type Row } from '../../lib/rows.ts';
import { CHURN_LABELS } from './builtin/index.ts';
import {
  CHURN_COLUMNS, NONE_LABEL, PROFILE_TOPS, TOP_N, profileSources, profileUnavailable, type ProfileColumns, type ProfileMetric,
  type ProfileSources,
} from './profile.ts';

/** One entry of a top list; `amount` is revenue for categories and users for sources and countries. */
export interface TopEntry {
  label: string;
  amount: number;
  /** amount / the segment's revenue (categories) or users (sources, countries); null when that is 0 or unknown. */
  share: number | null;
}

/** The most common label of a demographic segmentation in a segment. */
export interface Dominant {
  label: string;
  users: number;
  /** users / all the segment's users (unknowns included in the denominator). */
  share: number;
}

/** One segment's profile. Every metric is null when the dataset lacks its column (see `unavailable`). */
export interface SegmentProfile {
  /** The stored value; null for users without one. */
  value: string | null;
  /** What to show: the value, or NONE_LABEL. */
  label: string;
  users: number;
  userShare: number;
  revenue: number | null;
  /** null also when the whole dataset has no revenue. */
  revenueShare: number | null;
  orders: number | null;
  buyers: number | null;
  /** revenue / orders; null without orders. */
  aov: number | null;
  /** orders / buyers; null without buyers. */
  ordersPerCustomer: number | null;
  /** buyers / users. */
  conversion: number | null;
  /** Over buyers; null without buyers. */
  medianDaysSinceLastPurchase: number | null;
  /** Over users with a score; null when none has one. */
  avgEngagement: number | null;
  /** Means of the stored predictions over users that have one; null when none has (or none is stored). */
  avgChurn: number | null;
  avgClv: number | null;
  avgAlive: number | null;
  /** Users per churn-risk label, in CHURN_LABELS order. */
  churnMix: { label: string; users: number }[] | null;
  /** Up to 3 each, best first; [] when the segment has none. */
  topCategories: TopEntry[] | null;
  topSources: TopEntry[] | null;
  topCountries: TopEntry[] | null;
  /** null when unavailable or when no user of the segment has a known label. */
  ageGroup: Dominant | null;
  gender: Dominant | null;
  incomeBracket: Dominant | null;
}

/** A decoded profile: the rows in display order, and why some metrics are null everywhere. */
export interface SegmentProfileResult {
  column: string;
  rows: SegmentProfile[];
  unavailable: Partial<Record<ProfileMetric, string>>;
  sources: ProfileSources;
}

function n(row: Row, key: string): number | null {
  const v = row[key];
  if (v === null) return null;
  if (typeof v === 'number') return v;
  throw new Error(`Segment profile: column ${key} should be a number, got ${typeof v}`);
}

function tops(row: Row, prefix: string, count: number, total: number | null): TopEntry[] {
  const out: TopEntry[] = [];
  for (let k = 1; k <= count; k++) {
    const label = row[`${prefix}_${k}`];
    if (label === null) break;
    const amount = n(row, `${prefix}_${k}_amount`) ?? 0;
    out.push({ label: String(label), amount, share: total ? amount / total : null });
  }
  return out;
}

/** Decode the statement built by segmentProfileSql(column, cols) with the same arguments. */
export function decodeSegmentProfile(table: Table, column: string, cols: ProfileColumns): SegmentProfileResult {
  const unavailable = profileUnavailable(cols);
  const prefix = Object.fromEntries(PROFILE_TOPS.map((t) => [t.key, t.prefix])) as Record<(typeof PROFILE_TOPS)[number]['key'], string>;
  const rows = toRows(table).map((row): SegmentProfile => {
    const value = row.value === null ? null : String(row.value);
    const users = n(row, 'users') ?? 0;
    const revenue = n(row, 'revenue');
    const list = (key: ProfileMetric, p: string, total: number | null) => (unavailable[key] ? null : tops(row, p, TOP_N, total));
    const dominant = (key: ProfileMetric, p: string): Dominant | null => {
      if (unavailable[key]) return null;
      const [top] = tops(row, p, 1, users);
      return top ? { label: top.label, users: top.amount, share: top.share ?? 0 } : null;
    };
    return {
      value,
      label: value ?? NONE_LABEL,
      users,
      userShare: n(row, 'user_share') ?? 0,
      revenue,
      revenueShare: n(row, 'revenue_share'),
      orders: n(row, 'orders'),
      buyers: n(row, 'buyers'),
      aov: n(row, 'aov'),
      ordersPerCustomer: n(row, 'orders_per_customer'),
      conversion: n(row, 'conversion'),
      medianDaysSinceLastPurchase: n(row, 'median_days'),
      avgEngagement: n(row, 'avg_engagement'),
      avgChurn: n(row, 'avg_churn'),
      avgClv: n(row, 'avg_clv'),
      avgAlive: n(row, 'avg_alive'),
      churnMix: unavailable.churnMix ? null : CHURN_LABELS.map((label, i) => ({ label, users: n(row, CHURN_COLUMNS[i]) ?? 0 })),
      topCategories: list('topCategories', prefix.topCategories, revenue),
      topSources: list('topSources', prefix.topSources, users),
      topCountries: list('topCountries', prefix.topCountries, users),
      ageGroup: dominant('ageGroup', prefix.ageGroup),
      gender: dominant('gender', prefix.gender),
      incomeBracket: dominant('incomeBracket', prefix.incomeBracket),
    };
  });
  return { column, rows, unavailable, sources: profileSources(cols) };
}
