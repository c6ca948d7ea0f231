// Segment exports without the DOM: the profile summary as CSV, and the statement behind "every user with every
// segment" (run it, then rowsCsv(toRows(table)) from src/lib/rows-csv.ts and downloadText, as Funnels does).
// CSV fields go through the pivot's csvField: RFC 4180 quoting, and text a spreadsheet would run as a formula
// (=, +, -, @, tab, CR first) is prefixed with '.
import { csvField } from '../pivot/csv.ts';
import { ident, raw, sql, type Sql } from '../../sql/quote.ts';
import { StrataError } from '../../errors.ts';
import { CHURN_LABELS } from './builtin/index.ts';
import { TOP_N } from './profile.ts';
import type { Dominant, SegmentProfile, TopEntry } from './profile-decode.ts';

const nth = (p: string, unit: string) => Array.from({ length: TOP_N }, (_, i) => [`${p}_${i + 1}`, `${p}_${i + 1}_${unit}`]).flat();

/** The summary's columns, in order. Shares are fractions (0.25 = 25%); an empty cell is "not available". */
export const PROFILE_CSV_HEADER: readonly string[] = [
  'segmentation', 'segment', 'users', 'user_share', 'revenue', 'revenue_share', 'orders', 'buyers', 'aov',
  'orders_per_customer', 'purchase_conversion', 'median_days_since_last_purchase', 'avg_engagement_score',
  'avg_predicted_churn', 'avg_predicted_clv', 'avg_p_alive',
  ...CHURN_LABELS.map((l) => `churn_${l.toLowerCase().replace(/ /g, '_')}`),
  ...nth('top_category', 'revenue'), ...nth('top_source', 'users'), ...nth('top_country', 'users'),
  'age_group', 'age_group_share', 'gender', 'gender_share', 'income_bracket', 'income_bracket_share',
];

type Cell = string | number | null;

function topCells(list: readonly TopEntry[] | null): Cell[] {
  return Array.from({ length: TOP_N }, (_, i) => (list?.[i] ? [list[i].label, list[i].amount] : [null, null])).flat();
}

const dominantCells = (d: Dominant | null): Cell[] => (d ? [d.label, d.share] : [null, null]);

/** CSV (CRLF) of one segmentation's profile: a line per segment with every metric, named `name` in column 1. */
export function profileSummaryCsv(name: string, rows: readonly SegmentProfile[]): string {
  const lines = [PROFILE_CSV_HEADER.map(csvField).join(',')];
  for (const r of rows) {
    const cells: Cell[] = [
      name, r.label, r.users, r.userShare, r.revenue, r.revenueShare, r.orders, r.buyers, r.aov, r.ordersPerCustomer,
      r.conversion, r.medianDaysSinceLastPurchase, r.avgEngagement, r.avgChurn, r.avgClv, r.avgAlive,
      ...CHURN_LABELS.map((_, i) => r.churnMix?.[i].users ?? null),
      ...topCells(r.topCategories), ...topCells(r.topSources), ...topCells(r.topCountries),
      ...dominantCells(r.ageGroup), ...dominantCells(r.gender), ...dominantCells(r.incomeBracket),
    ];
    lines.push(cells.map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/**
 * Every user of `users` (by user_id) with every segmentation column, user_id first, then `columns` in the order
 * given (pass listSegmentations(db).map((r) => r.column)); users without a user_segments row get empty cells.
 * Headers are the column names (the `s.<column>` field ids).
 */
export function segmentUsersCsvSql(columns: readonly string[]): Sql {
  if (new Set(columns).size !== columns.length || columns.includes('user_id')) {
    throw new StrataError('Each segmentation column may be exported once, and user_id is always the first column.');
  }
  // Without segmentations user_segments may not exist yet: the users alone.
  if (!columns.length) return sql`SELECT u.user_id FROM users u ORDER BY u.user_id`;
  const list = columns.map((c) => `, s.${ident(c)}`).join('');
  return sql`SELECT u.user_id${raw(list)} FROM users u LEFT JOIN user_segments s ON s.user_id = u.user_id ORDER BY u.user_id`;
}
