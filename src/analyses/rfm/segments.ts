// The named RFM segments as data: one rule per segment on the R and F scores, printed by the UI and README and
// turned into the SQL CASE (sql.ts). The rules cover each of the 25 (R, F) cells exactly once, so a user is in
// one segment whatever the order; the order is still the one the CASE tests them in.
//
//        F=1             F=2                 F=3                 F=4              F=5
// R=5    New             Potential Loyalist  Potential Loyalist  Champions        Champions
// R=4    Promising       Potential Loyalist  Potential Loyalist  Loyal            Loyal
// R=3    About to Sleep  About to Sleep      Need Attention      Loyal            Loyal
// R=2    Hibernating     Hibernating         At Risk             At Risk          Can't Lose Them
// R=1    Lost            Lost                At Risk             At Risk          Can't Lose Them
//
// This is the widely used R-F map (e.g. the "[1-2][1-2] Hibernating, [1-2][3-4] At Risk, [1-2]5 Can't Lose,
// 3[1-2] About to Sleep, 33 Need Attention, [3-4][4-5] Loyal, 41 Promising, 51 New, [4-5][2-3] Potential
// Loyalist, 5[4-5] Champions" table), with its Hibernating cells split so the oldest (R=1) are Lost.
// M is not in the rules: it colours the R x F grid and is in the cell code (R-F-M).

/** A segment rule: R and F scores each within an inclusive range. */
export interface RfmSegmentRule {
  label: string;
  r: readonly [lo: number, hi: number];
  f: readonly [lo: number, hi: number];
  /** One line for people: who these buyers are. */
  description: string;
}

/** The segment rules in first-match order. */
export const RFM_SEGMENTS: readonly RfmSegmentRule[] = [
  { label: 'Champions', r: [5, 5], f: [4, 5], description: 'Bought very recently and buy often' },
  { label: 'Loyal', r: [3, 4], f: [4, 5], description: 'Buy often and fairly recently' },
  { label: 'Potential Loyalist', r: [4, 5], f: [2, 3], description: 'Recent buyers with a few orders' },
  { label: 'New', r: [5, 5], f: [1, 1], description: 'Bought very recently, lowest frequency (often their first order)' },
  { label: 'Promising', r: [4, 4], f: [1, 1], description: 'Recent, low frequency' },
  { label: 'Need Attention', r: [3, 3], f: [3, 3], description: 'Middle recency and frequency' },
  { label: 'About to Sleep', r: [3, 3], f: [1, 2], description: 'Middle recency, low frequency' },
  { label: "Can't Lose Them", r: [1, 2], f: [5, 5], description: 'Bought the most often, but long ago' },
  { label: 'At Risk', r: [1, 2], f: [3, 4], description: 'Bought often, but long ago' },
  { label: 'Hibernating', r: [2, 2], f: [1, 2], description: 'Low frequency, long ago' },
  { label: 'Lost', r: [1, 1], f: [1, 2], description: 'Low frequency, longest ago' },
];

/** The label of users without a purchase (their scores and cell are NULL). */
export const NO_PURCHASE = 'No Purchase'; // as the churn-risk segmentation spells it

/** Every label a user can get, segments first (the order charts and legends use). */
export const RFM_LABELS: readonly string[] = [...RFM_SEGMENTS.map((s) => s.label), NO_PURCHASE];

/** The segment of an (R, F) pair of scores 1-5, by the first rule that matches. */
export function rfmSegment(r: number, f: number): string {
  const rule = RFM_SEGMENTS.find((s) => r >= s.r[0] && r <= s.r[1] && f >= s.f[0] && f <= s.f[1]);
  if (!rule) throw new RangeError(`No RFM segment for R=${r}, F=${f} (scores are whole numbers 1-5)`);
  return rule.label;
}
