// Saved clustering runs: what the Clusters screen stores in a model segmentation's definition, read back for the
// "Saved clusterings" list (and its "Use these settings"). The definition is data (it could have been written by
// an older version): every field is checked, and anything unreadable is simply left out of the summary.
import type { SegmentationRecord } from '../../data/segments-store.ts';
import { validateClustersView, type ClustersView } from './url-spec.ts';

export interface SavedRun {
  column: string;
  name: string;
  algorithm: string;
  k: number;
  silhouette: number | null;
  sizes: number[];
  noise: number;
  names: string[];
  features: string[];
  updatedAt: number;
  stale: boolean;
  /** The settings to run it again, when the definition holds them in a form the screen accepts. */
  view: ClustersView | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The clustering runs among `records` (model segmentations with a clustering definition), newest first. */
export function savedRuns(records: readonly SegmentationRecord[], dataVersion: string | null): SavedRun[] {
  const out: SavedRun[] = [];
  for (const r of records) {
    if (r.kind !== 'model' || !r.definition) continue;
    let d: Record<string, unknown>;
    try {
      d = JSON.parse(r.definition) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (!d || typeof d !== 'object' || typeof d.algorithm !== 'string') continue;
    const sizes = Array.isArray(d.sizes) ? d.sizes.map((x) => num(x) ?? 0) : [];
    const spec = (d.spec ?? {}) as Record<string, unknown>;
    const pre = (spec.preprocessing ?? {}) as Record<string, unknown>;
    let view: ClustersView | null = null;
    try {
      view = validateClustersView({
        features: Array.isArray(d.fieldIds) ? d.fieldIds : null,
        ...(d.users && typeof d.users === 'object' ? { users: d.users } : {}),
        algorithm: spec.algorithm, seed: spec.seed,
        ...(spec.algorithm === 'dbscan' ? {} : { k: spec.k }), // DBSCAN finds its own k
        ...(typeof pre.log1p === 'boolean' ? { log1p: pre.log1p } : {}),
        ...(typeof pre.scaling === 'string' ? { scaling: pre.scaling } : {}),
        ...(typeof spec.covariance === 'string' ? { covariance: spec.covariance } : {}),
        ...(typeof spec.linkage === 'string' ? { linkage: spec.linkage } : {}),
        ...(num(spec.eps) !== null ? { eps: spec.eps } : {}),
        ...(num(spec.minPts) !== null ? { minPts: spec.minPts } : {}),
      });
    } catch {
      view = null;
    }
    const quality = (d.quality ?? {}) as Record<string, unknown>;
    out.push({
      column: r.column, name: r.name, algorithm: d.algorithm, k: sizes.length, silhouette: num(quality.silhouette), sizes,
      noise: num(d.noise) ?? 0, names: strings(d.names), features: strings(d.features), updatedAt: r.updatedAt,
      stale: dataVersion !== null && r.dataVersion !== null && r.dataVersion !== dataVersion, view,
    });
  }
  return out.sort((a, b) => b.updatedAt - a.updatedAt);
}
