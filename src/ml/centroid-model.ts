// A saved clustering as a "nearest centre" model: the run's per-column transforms (median imputation, log1p,
// center / scale) and each cluster's centre (the mean of its users' preprocessed rows, noise left out). Stored in
// the clustering segmentation's definition, so a typed customer can be placed in a learned segment later, in any
// page: the typed values go through the same transforms and the nearest centre (Euclidean, in the run's scaled
// space) gives the segment. For k-means this is its own assignment rule; for a Gaussian mixture it is the nearest
// mean (not the likeliest component), for agglomerative and DBSCAN the nearest cluster mean (DBSCAN would call a
// point far from every core point noise) — the screen says which.
import type { Matrix } from './matrix.ts';

/** One kept column's transform, as preprocess.ts recorded it. */
export interface CentroidColumn {
  name: string;
  field: string;
  encoding: string;
  median: number;
  log1p: boolean;
  center: number;
  scale: number;
}

export interface CentroidModel {
  algorithm: string;
  columns: CentroidColumn[];
  /** k × d, row c = centre of cluster c in the scaled space. */
  centres: number[][];
  names: string[];
  /** The user fields the run read (to read a stored customer's values the same way). */
  fieldIds: string[];
}

/** The mean preprocessed row of each cluster (k × d); rows labelled outside 0..k-1 (noise) are left out. */
export function clusterMeans(x: Matrix, labels: Int32Array, k: number): Matrix {
  const { rows: n, cols: d } = x;
  if (labels.length !== n) throw new RangeError(`${n} rows but ${labels.length} labels.`);
  const out = new Float64Array(k * d);
  const size = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (c < 0 || c >= k) continue;
    size[c]++;
    for (let j = 0; j < d; j++) out[c * d + j] += x.data[i * d + j];
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) out[c * d + j] = size[c] ? out[c * d + j] / size[c] : NaN;
  return { data: out, rows: k, cols: d };
}

/** A column's value after the run's transforms; a missing or non-finite value takes the run's median. */
export function transformValue(c: CentroidColumn, v: number | null | undefined): number {
  const y = v !== null && v !== undefined && Number.isFinite(v) ? v : c.median;
  return ((c.log1p ? Math.log1p(y) : y) - c.center) / c.scale;
}

export interface NearestCentre {
  /** Cluster index (0-based) and its name. */
  cluster: number;
  name: string;
  /** Euclidean distance to every centre, in cluster order (NaN for a cluster without users). */
  distances: number[];
  /** Columns that were not given and took the run's median. */
  imputed: string[];
}

/** The nearest centre to the customer whose values are `values` (by column name; absent = the median). */
export function nearestCentre(model: CentroidModel, values: Readonly<Record<string, number | null | undefined>>): NearestCentre {
  const z = model.columns.map((c) => transformValue(c, values[c.name]));
  const imputed = model.columns.filter((c) => { const v = values[c.name]; return v === null || v === undefined || !Number.isFinite(v); }).map((c) => c.name);
  let best = -1;
  let bestD = Infinity;
  const distances = model.centres.map((centre, c) => {
    let s = 0;
    for (let j = 0; j < z.length; j++) s += (z[j] - centre[j]) ** 2;
    const d = Math.sqrt(s);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
    return d;
  });
  if (best < 0) throw new RangeError('The clustering has no centre with users.');
  return { cluster: best, name: model.names[best] ?? `Cluster ${best + 1}`, distances, imputed };
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The centroid model in a clustering segmentation's definition (JSON written by the Clusters screen), or null when
 * it holds none (saved before centres were kept) or it does not read as one. The definition is data: every field
 * is checked.
 */
export function readCentroidModel(definition: string | null): CentroidModel | null {
  if (!definition) return null;
  let d: Record<string, unknown>;
  try {
    d = JSON.parse(definition) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (!d || typeof d !== 'object' || typeof d.algorithm !== 'string' || !Array.isArray(d.model) || !Array.isArray(d.centres) || !Array.isArray(d.names)) return null;
  const columns: CentroidColumn[] = [];
  for (const c of d.model as unknown[]) {
    const o = c as Record<string, unknown>;
    if (!o || typeof o.name !== 'string' || typeof o.field !== 'string' || typeof o.encoding !== 'string' || typeof o.log1p !== 'boolean'
      || !finite(o.median) || !finite(o.center) || !finite(o.scale) || !(o.scale > 0)) return null;
    columns.push({ name: o.name, field: o.field, encoding: o.encoding, median: o.median, log1p: o.log1p, center: o.center, scale: o.scale });
  }
  const centres: number[][] = [];
  for (const row of d.centres as unknown[]) {
    if (!Array.isArray(row) || row.length !== columns.length) return null;
    // A cluster without users is stored as nulls (JSON has no NaN): it is never nearest.
    centres.push(row.map((v) => (finite(v) ? v : Infinity)));
  }
  const names = (d.names as unknown[]).map((n, i) => (typeof n === 'string' ? n : `Cluster ${i + 1}`));
  if (!columns.length || !centres.length || names.length !== centres.length) return null;
  const fieldIds = Array.isArray(d.fieldIds) ? d.fieldIds.filter((f): f is string => typeof f === 'string') : [...new Set(columns.map((c) => c.field))];
  return { algorithm: d.algorithm, columns, centres, names, fieldIds };
}

/** The definition fields that carry the model (merged into the Clusters screen's definition object). */
export function centroidDefinition(transforms: readonly CentroidColumn[], centres: Matrix): { model: CentroidColumn[]; centres: (number | null)[][] } {
  const rows: (number | null)[][] = [];
  for (let c = 0; c < centres.rows; c++) {
    rows.push(Array.from(centres.data.subarray(c * centres.cols, (c + 1) * centres.cols), (v) => (Number.isFinite(v) ? v : null)));
  }
  return {
    model: transforms.map((t) => ({ name: t.name, field: t.field, encoding: t.encoding, median: t.median, log1p: t.log1p, center: t.center, scale: t.scale })),
    centres: rows,
  };
}
