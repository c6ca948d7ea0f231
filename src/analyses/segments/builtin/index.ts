// The built-in rule-based segmentations (issue 12), in display order; RFM lives elsewhere.
import type { BuiltinSegmentation } from './common.ts';
import { segmentation as engagementLevel } from './engagement-level.ts';
import { segmentation as engagementScore } from './engagement-score.ts';
import { segmentation as ageGroup } from './age-group.ts';
import { segmentation as gender } from './gender.ts';
import { segmentation as incomeBracket } from './income-bracket.ts';
import { segmentation as trafficSource } from './traffic-source.ts';
import { segmentation as censusRegion } from './census-region.ts';
import { segmentation as country } from './country.ts';
import { segmentation as city } from './city.ts';
import { segmentation as customerSegment } from './customer-segment.ts';
import { segmentation as churnRisk } from './churn-risk.ts';

export type { BuiltinSegmentation, Columns, Need, Options } from './common.ts';
export { dataNeedsSql, decodeDataNeeds } from './data-needs.ts';
export { ENGAGEMENT_RULES } from './engagement-level.ts';
export { SCORE_BANDS, SCORE_COMPONENTS, SCORE_METHOD, componentsSql, scoreCtes } from './engagement-score.ts';
export { AGE_GROUPS } from './age-group.ts';
export { GENDER_VALUES } from './gender.ts';
export { INCOME_BRACKETS } from './income-bracket.ts';
export { TRAFFIC_RULES, type TrafficRule } from './traffic-source.ts';
export { CENSUS_REGIONS, STATE_REGIONS, US_COUNTRY_NAMES } from './census-region.ts';
export { COUNTRY_ALIASES } from './country.ts';
export { CUSTOMER_DEFAULTS, CUSTOMER_RULES } from './customer-segment.ts';
export { CHURN_LABELS } from './churn-risk.ts';

/** Every built-in segmentation, in display order. */
export const BUILTIN_SEGMENTATIONS: readonly BuiltinSegmentation[] = [
  engagementLevel, engagementScore, customerSegment, churnRisk, ageGroup, gender, incomeBracket, trafficSource,
  censusRegion, country, city,
];

/** The built-in segmentation with this id, or undefined. */
export function builtinSegmentation(id: string): BuiltinSegmentation | undefined {
  return BUILTIN_SEGMENTATIONS.find((s) => s.id === id);
}
