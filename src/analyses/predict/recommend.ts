// The marketing playbook: a documented rule table applied to a segment's figures (or one customer's, as a segment
// of one) against all users'. Each recommendation carries the rule and the figures that fired it. Rules are tried
// in order; every rule that fires is listed (the first is the headline). RFM segment names add their classic action.
import type { SegmentFigures } from './playbook.ts';
import { fmtDec, fmtMoney, fmtPct } from '../../lib/format.ts';

export interface Recommendation {
  id: string;
  action: string;
  /** The rule in words ("mean churn probability ≥ 50%"). */
  rule: string;
  /** The figures that fired it ("churn risk 62% ≥ 50%"). */
  figures: string;
}

/** The thresholds of the rule table (README: "Playbook rules"). */
export const RULES = { highValue: 1.5, lowValue: 0.5, highRisk: 0.5, lowEngagement: 0.5 } as const;

/** The figures a rule reads: a segment's (or a customer's) and all users'. */
export type Figures = Pick<SegmentFigures, 'clv' | 'churn' | 'alive' | 'eventsPerUser'> & { segment: string | null };

interface Rule {
  id: string;
  action: string;
  rule: string;
  fire(s: Figures, all: Figures): string | null;
}

const ok = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

export const PLAYBOOK_RULES: readonly Rule[] = [
  {
    id: 'priority-retention', action: 'Priority retention: personal outreach and service recovery for valuable customers about to leave',
    rule: `mean CLV ≥ ${RULES.highValue} × all users' and mean churn probability ≥ ${fmtPct(RULES.highRisk)}`,
    fire: (s, a) => ok(s.clv.mean) && ok(a.clv.mean) && ok(s.churn.mean) && s.clv.mean >= RULES.highValue * a.clv.mean && s.churn.mean >= RULES.highRisk
      ? `CLV ${fmtMoney(s.clv.mean)} ≥ ${RULES.highValue} × ${fmtMoney(a.clv.mean)}; churn risk ${fmtPct(s.churn.mean)} ≥ ${fmtPct(RULES.highRisk)}` : null,
  },
  {
    id: 'vip', action: 'VIP / loyalty programme: early access, rewards and recognition (not discounts)',
    rule: `mean CLV ≥ ${RULES.highValue} × all users'`,
    fire: (s, a) => ok(s.clv.mean) && ok(a.clv.mean) && s.clv.mean >= RULES.highValue * a.clv.mean ? `CLV ${fmtMoney(s.clv.mean)} ≥ ${RULES.highValue} × ${fmtMoney(a.clv.mean)}` : null,
  },
  {
    id: 'win-back', action: 'Win-back campaign: a personal offer or reminder before they go',
    rule: `mean churn probability ≥ ${fmtPct(RULES.highRisk)}`,
    fire: (s) => ok(s.churn.mean) && s.churn.mean >= RULES.highRisk ? `churn risk ${fmtPct(s.churn.mean)} ≥ ${fmtPct(RULES.highRisk)}` : null,
  },
  {
    id: 'onboarding', action: 'Onboarding and activation: guides, first-purchase incentive, product discovery',
    rule: `events per user < ${RULES.lowEngagement} × all users'`,
    fire: (s, a) => s.eventsPerUser < RULES.lowEngagement * a.eventsPerUser ? `${fmtDec(s.eventsPerUser)} events per user < ${RULES.lowEngagement} × ${fmtDec(a.eventsPerUser)}` : null,
  },
  {
    id: 'upsell', action: 'Bundles and upsell: raise the basket with bundles, thresholds for free shipping, complements',
    rule: `mean CLV < ${RULES.lowValue} × all users'`,
    fire: (s, a) => ok(s.clv.mean) && ok(a.clv.mean) && s.clv.mean < RULES.lowValue * a.clv.mean ? `CLV ${fmtMoney(s.clv.mean)} < ${RULES.lowValue} × ${fmtMoney(a.clv.mean)}` : null,
  },
  {
    id: 'potential', action: 'Under-performing with potential: likely to stay but spending below average — cross-sell and personalised picks',
    // Churn risk, not P(alive) alone: BG/NBD gives every one-time buyer P(alive) = 1 (drop-out happens only after a
    // repeat purchase), which would flag lapsed one-time buyers as "active".
    rule: "mean churn probability < all users', mean probability alive ≥ all users' and mean CLV < all users'",
    fire: (s, a) => ok(s.alive.mean) && ok(a.alive.mean) && ok(s.clv.mean) && ok(a.clv.mean) && ok(s.churn.mean) && ok(a.churn.mean) &&
      s.churn.mean < a.churn.mean && s.alive.mean >= a.alive.mean && s.clv.mean < a.clv.mean
      ? `churn risk ${fmtPct(s.churn.mean)} < ${fmtPct(a.churn.mean)}; P(alive) ${fmtPct(s.alive.mean)} ≥ ${fmtPct(a.alive.mean)}; CLV ${fmtMoney(s.clv.mean)} < ${fmtMoney(a.clv.mean)}` : null,
  },
];

/** The classic action per RFM segment name (src/analyses/rfm). */
export const RFM_ACTIONS: Readonly<Record<string, string>> = {
  Champions: 'Reward them: early access, loyalty perks; ask for reviews and referrals',
  Loyal: 'Upsell higher-value products; invite to the loyalty programme',
  'Potential Loyalist': 'Offer membership or a loyalty programme; recommend related products',
  New: 'Onboarding: welcome series, help with the first weeks',
  Promising: 'Build the habit: free shipping or a trial of another category',
  'Need Attention': 'Limited-time offers based on what they bought',
  'About to Sleep': 'Reactivate with popular products and a small incentive',
  'At Risk': 'Personalised win-back emails; remind them what they liked',
  "Can't Lose Them": 'Win them back: talk to them, new products, renewals',
  Hibernating: 'Relevant offers and discounts; recreate brand value',
  Lost: 'Revive interest with an outreach campaign, or stop spending on them',
  'No Purchase': 'Convert: a first-purchase offer and social proof',
};

/** Every rule that fires for `s` against `all`, in rule order, then the RFM action when `s` is an RFM segment. */
export function recommend(s: Figures, all: Figures): Recommendation[] {
  const out: Recommendation[] = [];
  for (const r of PLAYBOOK_RULES) {
    const figures = r.fire(s, all);
    if (figures) out.push({ id: r.id, action: r.action, rule: r.rule, figures });
  }
  const rfm = s.segment !== null ? RFM_ACTIONS[s.segment] : undefined;
  if (rfm) out.push({ id: 'rfm', action: rfm, rule: `RFM segment “${s.segment}”`, figures: `segment ${s.segment}` });
  return out;
}
