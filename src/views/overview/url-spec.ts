// The Overview spec <-> URL query parameters (short keys), validated on the way in.
import { DEFAULT_OVERVIEW, validateOverviewSpec, type OverviewSpec } from '../../analyses/overview/index.ts';
import { messageOf } from '../../errors.ts';

/** Read the spec from URL parameters; a bad URL falls back to defaults with a message saying why. */
export function specFromParams(p: URLSearchParams, churn: OverviewSpec['churn'] = DEFAULT_OVERVIEW.churn): { spec: OverviewSpec; error: string | null } {
  const x: Record<string, unknown> = { churn };
  if (p.has('from')) x.from = p.get('from');
  if (p.has('to')) x.to = p.get('to');
  if (p.has('grain')) x.grain = p.get('grain');
  if (p.has('geo')) x.geo = p.get('geo');
  if (p.has('medium') || p.has('high')) {
    x.churn = {
      medium: p.has('medium') ? Number(p.get('medium')) : churn.medium,
      high: p.has('high') ? Number(p.get('high')) : churn.high,
    };
  }
  if (p.has('seg')) {
    try {
      x.segment = JSON.parse(p.get('seg')!);
    } catch {
      x.segment = 'not JSON';
    }
  }
  try {
    return { spec: validateOverviewSpec(x), error: null };
  } catch (err) {
    return { spec: validateOverviewSpec({ churn }), error: `The link's settings were ignored: ${messageOf(err)}` };
  }
}

/** Write the spec as URL parameters, omitting defaults (churn: the dataset's stored bands) so links stay short. */
export function specToParams(s: OverviewSpec, churn: OverviewSpec['churn'] = DEFAULT_OVERVIEW.churn): Record<string, string | null> {
  const d = { ...DEFAULT_OVERVIEW, churn };
  return {
    from: s.from,
    to: s.to,
    grain: s.grain === d.grain ? null : s.grain,
    geo: s.geo === d.geo ? null : s.geo,
    medium: s.churn.medium === d.churn.medium ? null : String(s.churn.medium),
    high: s.churn.high === d.churn.high ? null : String(s.churn.high),
    seg: s.segment ? JSON.stringify(s.segment) : null,
  };
}
