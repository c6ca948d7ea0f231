// The segment profiles as one JSON-serialisable summary ("Export insights"): per segmentation its sizes, revenue
// by segment, dominant demographics, top category and traffic source, and the segment bringing the most revenue.
// Only plain objects, strings, finite numbers and null: JSON.stringify round-trips it exactly.
import type { ProfileMetric } from './profile.ts';
import type { Dominant, SegmentProfileResult, TopEntry } from './profile-decode.ts';

/** One segment's size. `segment` is the shown label; `value` is null for the users without one. */
export interface SegmentSize {
  segment: string;
  value: string | null;
  users: number;
  share: number;
}

/** One segment's revenue. */
export interface SegmentRevenue {
  segment: string;
  revenue: number;
  share: number | null;
  aov: number | null;
}

/** One segment's insight lines. */
export interface SegmentHighlights {
  segment: string;
  ageGroup: Dominant | null;
  gender: Dominant | null;
  incomeBracket: Dominant | null;
  /** The category with the most purchase revenue (amount = revenue). */
  topCategory: TopEntry | null;
  /** The traffic source with the most users (amount = users). */
  topSource: TopEntry | null;
}

/** Everything known about one segmentation. */
export interface SegmentationInsight {
  column: string;
  name: string;
  users: number;
  /** null when the dataset has no revenue column. */
  revenue: number | null;
  sizes: SegmentSize[];
  /** null when the dataset has no revenue column. */
  revenueBySegment: SegmentRevenue[] | null;
  /**
   * The segment with the most revenue; ties go to the one listed first (the segmentation's order). The users
   * without a segment never count; null when no segment has any revenue.
   */
  topRevenueSegment: SegmentRevenue | null;
  segments: SegmentHighlights[];
  /** Metrics the dataset cannot give, with the reason. */
  unavailable: Partial<Record<ProfileMetric, string>>;
}

/** The insights document. */
export interface SegmentInsights {
  kind: 'strata-segment-insights';
  version: 1;
  segmentations: SegmentationInsight[];
}

/** Build the insights document from decoded profiles, each with the name the user knows it by. */
export function segmentInsights(profiles: readonly { name: string; profile: SegmentProfileResult }[]): SegmentInsights {
  return {
    kind: 'strata-segment-insights',
    version: 1,
    segmentations: profiles.map(({ name, profile }): SegmentationInsight => {
      const rows = profile.rows;
      const hasRevenue = !profile.unavailable.revenue;
      const revenueBySegment = hasRevenue
        ? rows.map((r) => ({ segment: r.label, revenue: r.revenue ?? 0, share: r.revenueShare, aov: r.aov }))
        : null;
      let top: SegmentRevenue | null = null;
      for (let i = 0; i < rows.length; i++) {
        const rev = revenueBySegment?.[i];
        if (rows[i].value !== null && rev && rev.revenue > 0 && (!top || rev.revenue > top.revenue)) top = rev;
      }
      return {
        column: profile.column,
        name,
        users: rows.reduce((s, r) => s + r.users, 0),
        revenue: hasRevenue ? rows.reduce((s, r) => s + (r.revenue ?? 0), 0) : null,
        sizes: rows.map((r) => ({ segment: r.label, value: r.value, users: r.users, share: r.userShare })),
        revenueBySegment,
        topRevenueSegment: top,
        segments: rows.map((r) => ({
          segment: r.label,
          ageGroup: r.ageGroup,
          gender: r.gender,
          incomeBracket: r.incomeBracket,
          topCategory: r.topCategories?.[0] ?? null,
          topSource: r.topSources?.[0] ?? null,
        })),
        unavailable: { ...profile.unavailable },
      };
    }),
  };
}
