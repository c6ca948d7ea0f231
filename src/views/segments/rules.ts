// How each built-in segmentation assigns its labels, as rows a screen (and the printed report) can show: the same
// tables the SQL is written from, so what the page says is what the rules do.
import {
  AGE_GROUPS, CENSUS_REGIONS, CHURN_LABELS, CUSTOMER_RULES, ENGAGEMENT_RULES, GENDER_VALUES, INCOME_BRACKETS,
  SCORE_BANDS, SCORE_COMPONENTS, SCORE_METHOD, TRAFFIC_RULES, type Options,
} from '../../analyses/segments/builtin/index.ts';
import { RFM_SEGMENTS, RFM_TIE_RULE, NO_PURCHASE } from '../../analyses/rfm/index.ts';

/** One rule: the label it gives and the condition, in words. */
export interface RuleRow {
  label: string;
  rule: string;
}

/** What a segmentation's rules say: an order note, the rule rows, and notes below them. */
export interface RuleTable {
  note: string;
  rows: RuleRow[];
  after: string[];
}

const fill = (text: string, opts: Options) => text.replace(/\{(\w+)\}/g, (_, k: string) => String(opts[k] ?? `{${k}}`));

/** The rules of built-in `id` with its current options (thresholds filled in); null for an unknown id. */
export function ruleTable(id: string, opts: Options = {}): RuleTable | null {
  switch (id) {
    case 'engagement-level':
      return { note: 'First match wins, in this order.', rows: ENGAGEMENT_RULES.map((r) => ({ ...r })), after: [] };
    case 'engagement-score':
      return {
        note: 'A score from 0 to 100 per user, the sum of four components; the label is its band.',
        rows: [
          ...SCORE_COMPONENTS.map((c) => ({ label: `${c.points} points`, rule: c.what })),
          ...SCORE_BANDS.map((b, i) => ({ label: b.label, rule: i + 1 < SCORE_BANDS.length ? `score ${b.from} to under ${SCORE_BANDS[i + 1].from}` : `score ${b.from} to 100` })),
        ],
        after: [SCORE_METHOD],
      };
    case 'customer-segment':
      return { note: 'First match wins, in this order; every comparison includes its threshold.', rows: CUSTOMER_RULES.map((r) => ({ label: r.label, rule: fill(r.rule, opts) })), after: [] };
    case 'churn-risk': {
      const m = opts.medium ?? 90;
      const h = opts.high ?? 180;
      return {
        note: 'Days from the last purchase to the last day in the data (the Overview’s churn bands: one setting for both).',
        rows: [
          { label: CHURN_LABELS[0], rule: `at most ${m} days` },
          { label: CHURN_LABELS[1], rule: `${m + 1} to ${h} days` },
          { label: CHURN_LABELS[2], rule: `more than ${h} days` },
          { label: CHURN_LABELS[3], rule: 'never purchased' },
        ],
        after: [],
      };
    }
    case 'age-group':
      return { note: 'Whole years of users.age.', rows: [...AGE_GROUPS.map((g) => ({ label: g.label, rule: g.to >= 120 ? `${g.from} and over` : `${g.from} to ${g.to}` })), { label: 'Unknown', rule: 'no age, or not a plausible age' }], after: [] };
    case 'gender':
      return { note: 'Case-insensitive, trimmed; any other value is kept as written.', rows: Object.entries(GENDER_VALUES).map(([label, vs]) => ({ label, rule: vs.join(', ') + (label === 'Unknown' ? ', or empty' : '') })), after: [] };
    case 'income-bracket':
      return {
        note: 'By percentile of users.income among users who have one.',
        rows: [...INCOME_BRACKETS.map((b, i) => ({ label: b.label, rule: i === 0 ? `top ${100 - b.minBelowPct}%` : `at least ${b.minBelowPct}% of incomes below, under ${INCOME_BRACKETS[i - 1].minBelowPct}%` })), { label: 'Unknown', rule: 'no income' }],
        after: [],
      };
    case 'traffic-source':
      return {
        note: 'From the source and medium of the user’s first touch (earliest event with either), case-insensitive; first match wins (source in the list or medium in the list).',
        rows: [...TRAFFIC_RULES.map((r) => ({ label: r.label, rule: [r.mediums.length ? `medium: ${r.mediums.join(', ')}` : '', r.sources.length ? `source: ${r.sources.join(', ')}` : ''].filter(Boolean).join('; ') })), { label: 'Other', rule: 'any other source or medium' }, { label: 'Unknown', rule: 'no event with a source or medium' }],
        after: [],
      };
    case 'census-region':
      return { note: 'US states (full name or two-letter code) to their census region.', rows: [...CENSUS_REGIONS.map((r) => ({ label: r, rule: `US states of the ${r}` })), { label: 'Other', rule: 'a country other than the United States' }, { label: 'Unknown', rule: 'no state, or not a US state' }], after: [] };
    case 'country':
      return { note: 'Trimmed, one spelling per name (USA, U.S. → United States).', rows: [{ label: 'Unknown', rule: 'blank or missing' }], after: [] };
    case 'city':
      return { note: 'Trimmed, one spelling per case-insensitive name.', rows: [{ label: 'Unknown', rule: 'blank or missing' }], after: [] };
    case 'rfm':
      return {
        note: 'Recency, frequency (orders) and monetary (revenue) scores 1–5 over buyers; the segment comes from R and F, first match wins.',
        rows: [...RFM_SEGMENTS.map((s) => ({ label: s.label, rule: `R ${range(s.r)}, F ${range(s.f)}: ${s.description.toLowerCase()}` })), { label: NO_PURCHASE, rule: 'never purchased (no scores)' }],
        after: [RFM_TIE_RULE],
      };
    default:
      return null;
  }
}

function range([a, b]: readonly [number, number] | readonly number[]): string {
  return a === b ? String(a) : `${a}–${b}`;
}
