// RFM settings: serialisable (UI state, URL, test fixture) and validated on the way in. The scores themselves
// have no knobs (orders, revenue and recency come from user_metrics; the tie rule is fixed, see sql.ts).
import { StrataError } from '../../errors.ts';
import { has, obj, only } from '../validate.ts';

/** What an RFM statement returns beside the scores. */
export interface RfmSpec {
  /**
   * Also return each user's recency_days, frequency and monetary (the values the scores rank), for the user
   * list, CSV export and anyone checking a score in a spreadsheet. Off: exactly user_id, r, f, m, cell, label.
   */
  values: boolean;
}

/** Scores and labels only. */
export const DEFAULT_RFM: RfmSpec = { values: false };

const KEYS = ['values'];

/** Check an untrusted value and return a fresh RfmSpec; missing keys take defaults, unknown keys throw. */
export function validateRfmSpec(x: unknown): RfmSpec {
  const o = obj(x, 'The RFM settings');
  only(o, KEYS, 'RFM setting');
  if (has(o, 'values') && typeof o.values !== 'boolean') throw new StrataError('"values" must be true or false.');
  return { values: has(o, 'values') ? (o.values as boolean) : DEFAULT_RFM.values };
}
