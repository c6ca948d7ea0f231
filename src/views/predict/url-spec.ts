// The Predictions screen's settings <-> one URL parameter ("p", JSON), validated on the way in.
import { StrataError } from '../../errors.ts';
import { jsonParamText, readJsonParam } from '../../state/url-json.ts';
import type { ChurnTarget } from '../../analyses/predict/churn-sql.ts';

export interface PredictView {
  /** Churn / value horizon H in days: the label looks this far past the cutoff. */
  horizon: number;
  /** Churn = no purchase (default) or no activity at all in the horizon. */
  target: ChurnTarget;
  /** Classification threshold for precision / recall and the confusion matrix. */
  threshold: number;
  /** Churn-band cut-offs: Low < medium <= Medium < high <= High. */
  medium: number;
  high: number;
  /** CLV horizon in months and monthly discount rate. */
  months: number;
  discount: number;
  seed: number;
  /** The segmentation the playbook profiles (a stored column), or null for the default (RFM when stored). */
  by: string | null;
  /** The customer shown in "One customer" (a user id), or null. */
  user: string | null;
}

export const DEFAULT_PREDICT: PredictView = { horizon: 90, target: 'purchase', threshold: 0.5, medium: 0.3, high: 0.6, months: 12, discount: 0.01, seed: 1, by: null, user: null };

const num = (v: unknown, lo: number, hi: number, what: string, whole = false): number => {
  if (typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi && (!whole || Number.isInteger(v))) return v;
  throw new StrataError(`The ${what} must be ${whole ? 'a whole number' : 'a number'} from ${lo} to ${hi}.`);
};

const segmentationColumn = (v: unknown): string => {
  if (typeof v === 'string' && /^[a-z][a-z0-9_]{0,62}$/.test(v)) return v;
  throw new StrataError('The playbook segmentation must be a stored segmentation column such as "rfm".');
};

const userId = (v: unknown): string => {
  if (typeof v === 'string' && v.length >= 1 && v.length <= 200) return v;
  throw new StrataError('The customer must be a user id of 1 to 200 characters.');
};

/** Check untrusted settings; missing keys take the defaults. */
export function validatePredictView(x: unknown): PredictView {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new StrataError('The prediction settings must be an object.');
  const o = x as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!(k in DEFAULT_PREDICT)) throw new StrataError(`Unknown prediction setting ${JSON.stringify(k)}.`);
  const v = { ...DEFAULT_PREDICT, ...o };
  if (v.target !== 'purchase' && v.target !== 'activity') throw new StrataError('The churn definition must be "purchase" or "activity".');
  const out: PredictView = {
    horizon: num(v.horizon, 7, 730, 'horizon (days)', true),
    target: v.target,
    threshold: num(v.threshold, 0.01, 0.99, 'threshold'),
    medium: num(v.medium, 0.01, 0.99, 'medium-risk cut-off'),
    high: num(v.high, 0.01, 0.99, 'high-risk cut-off'),
    months: num(v.months, 1, 120, 'CLV horizon (months)', true),
    discount: num(v.discount, 0, 0.5, 'monthly discount rate'),
    seed: num(v.seed, 0, 2 ** 31 - 1, 'seed', true),
    by: v.by === null ? null : segmentationColumn(v.by),
    user: v.user === null ? null : userId(v.user),
  };
  if (out.medium >= out.high) throw new StrataError('The medium-risk cut-off must be below the high-risk one.');
  return out;
}

export function predictFromParams(p: URLSearchParams): { view: PredictView; error: string | null } {
  const r = readJsonParam(p, 'p', validatePredictView, () => ({ ...DEFAULT_PREDICT }), "The link's prediction settings were ignored");
  return { view: r.value, error: r.error };
}

export function predictToParams(v: PredictView): Record<string, string | null> {
  return { p: jsonParamText(v, DEFAULT_PREDICT) };
}
