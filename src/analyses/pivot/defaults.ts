// A first pivot that fits whatever dataset is open: users by country when there is one, else by the first
// low-cardinality-looking text column of users, else by sign-up month, else just the totals.
import type { Field } from '../fields.ts';
import { DEFAULT_PIVOT, type PivotSpec } from './spec.ts';

const PREFERRED = ['u.country', 'u.acquisition_source', 'u.device', 'u.region', 'u.gender'];
const ID_LIKE = /(^|_)(id|name|email|phone|first_name|last_name|address|city|zip|postcode)$/i;

/** DEFAULT_PIVOT when its row field exists, otherwise a users pivot on a field this dataset has. */
export function defaultPivotFor(fields: readonly Field[]): PivotSpec {
  const has = (id: string) => fields.some((f) => f.id === id);
  const base: PivotSpec = structuredClone(DEFAULT_PIVOT);
  const preferred = PREFERRED.find(has);
  if (preferred) return { ...base, rows: [{ field: preferred, bucket: { kind: 'top', n: 10 } }] };
  const text = fields.find((f) => f.source === 'u' && f.kind === 'text' && !ID_LIKE.test(f.column));
  if (text) return { ...base, rows: [{ field: text.id, bucket: { kind: 'top', n: 10 } }] };
  const date = fields.find((f) => f.source === 'u' && f.kind === 'temporal') ?? fields.find((f) => f.id === 'm.first_seen');
  if (date) return { ...base, rows: [{ field: date.id, bucket: { kind: 'date', unit: 'month' } }] };
  return { ...base, rows: [] };
}
