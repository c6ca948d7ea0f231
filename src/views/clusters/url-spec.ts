// The Clusters screen's settings <-> one URL parameter ("c", JSON), validated on the way in.
import { StrataError } from '../../errors.ts';
import { jsonParamText, readJsonParam } from '../../state/url-json.ts';
import type { Algorithm } from '../../ml/pipeline.ts';
import { validateFilter, type FilterGroup } from '../../analyses/filter/spec.ts';
import { LinkBudget } from '../../analyses/limits.ts';

export interface ClustersView {
  /** Field ids, or null for the default features. */
  features: string[] | null;
  algorithm: Algorithm;
  k: number;
  seed: number;
  log1p: boolean;
  scaling: 'standard' | 'robust' | 'none';
  covariance: 'diag' | 'full';
  linkage: 'ward' | 'average' | 'complete';
  eps: number | null;
  minPts: number;
  /** k-means: mini-batch (for 1M+ users) instead of full Lloyd passes. */
  miniBatch: boolean;
  /** Which users to cluster (empty: all); the others get no label. */
  users: FilterGroup;
}

export const DEFAULT_CLUSTERS: ClustersView = {
  features: null, algorithm: 'kmeans', k: 4, seed: 42, log1p: true, scaling: 'standard', covariance: 'diag', linkage: 'ward', eps: null, minPts: 5, miniBatch: false,
  users: { op: 'and', items: [] },
};

const oneOf = <T extends string>(v: unknown, list: readonly T[], what: string): T => {
  if (typeof v === 'string' && (list as readonly string[]).includes(v)) return v as T;
  throw new StrataError(`The ${what} must be one of ${list.join(', ')}.`);
};
const int = (v: unknown, lo: number, hi: number, what: string): number => {
  if (typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi) return v;
  throw new StrataError(`The ${what} must be a whole number from ${lo} to ${hi}.`);
};

/** Check untrusted settings; missing keys take the defaults. */
export function validateClustersView(x: unknown): ClustersView {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new StrataError('The clustering settings must be an object.');
  const o = x as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!(k in DEFAULT_CLUSTERS)) throw new StrataError(`Unknown clustering setting ${JSON.stringify(k)}.`);
  const v = { ...DEFAULT_CLUSTERS, ...o };
  if (v.features !== null && (!Array.isArray(v.features) || v.features.length > 60 || !v.features.every((f) => typeof f === 'string' && /^[eums]\..{1,200}$/.test(f)))) {
    throw new StrataError('The features must be a list of at most 60 field ids such as "m.orders".');
  }
  if (typeof v.log1p !== 'boolean') throw new StrataError('"log1p" must be true or false.');
  if (typeof v.miniBatch !== 'boolean') throw new StrataError('"miniBatch" must be true or false.');
  if (v.eps !== null && !(typeof v.eps === 'number' && v.eps > 0 && Number.isFinite(v.eps))) throw new StrataError('eps must be a positive number.');
  return {
    features: v.features as string[] | null,
    algorithm: oneOf(v.algorithm, ['kmeans', 'gmm', 'agglomerative', 'dbscan'] as const, 'algorithm'),
    k: int(v.k, 1, 50, 'number of clusters (k)'),
    seed: int(v.seed, 0, 2 ** 31 - 1, 'seed'),
    log1p: v.log1p,
    scaling: oneOf(v.scaling, ['standard', 'robust', 'none'] as const, 'scaling'),
    covariance: oneOf(v.covariance, ['diag', 'full'] as const, 'covariance'),
    linkage: oneOf(v.linkage, ['ward', 'average', 'complete'] as const, 'linkage'),
    eps: v.eps as number | null,
    minPts: int(v.minPts, 1, 10_000, 'minimum points'),
    miniBatch: v.miniBatch,
    users: validateFilter(v.users, new LinkBudget()),
  };
}

export function clustersFromParams(p: URLSearchParams): { view: ClustersView; error: string | null } {
  const r = readJsonParam(p, 'c', validateClustersView, () => ({ ...DEFAULT_CLUSTERS }), "The link's clustering settings were ignored");
  return { view: r.value, error: r.error };
}

export function clustersToParams(v: ClustersView): Record<string, string | null> {
  return { c: jsonParamText(v, DEFAULT_CLUSTERS) };
}
