// The Clusters screen's Node side: the same shop in native DuckDB, its feature matrix read with the feature SQL,
// and the clustering run by the same pure modules the ML worker runs (src/ml). The check this serves is the
// issue's: the same seed gives the same assignment in Node and in the browser's worker. What a run computes is
// tested against independent references in tests/ml-*.test.ts.
import { openNodeDb } from '../src/db/node-db.ts';
import { loadShop, type GenParams } from '../src/data/generator/index.ts';
import { toRows } from '../src/lib/rows.ts';
import { decodeFields, fieldsSql } from '../src/analyses/fields.ts';
import { checkFeatures, decodeFeatureMatrix, decodeTextStats, featureMatrixSql, textStatsSql, type FeatureColumn } from '../src/ml/features.ts';
import { runClustering, type ClusterRun, type ClusterSpec } from '../src/ml/pipeline.ts';

export interface NodeClusters {
  userIds: string[];
  run: ClusterRun;
  /** The matrix as read (before transforms), row-major, and its columns. */
  raw: Float64Array;
  columns: FeatureColumn[];
}

/** Cluster the shop's users on features `ids` by `spec`, in Node. */
export async function nodeClusters(params: GenParams, ids: readonly string[], spec: ClusterSpec): Promise<NodeClusters> {
  const db = await openNodeDb({ threads: 1 });
  try {
    await loadShop(db, params);
    const f = fieldsSql();
    const fields = decodeFields(await db.query(f.text, f.params));
    const feats = checkFeatures(ids, fields);
    const ts = textStatsSql(feats);
    const stats = decodeTextStats(ts ? toRows(await db.query(ts.text, ts.params)) : [], feats);
    const { sql, columns } = featureMatrixSql(feats, stats);
    const table = await db.query(sql.text, sql.params);
    const { data, userIds } = decodeFeatureMatrix(table, columns);
    return { userIds, raw: data.slice(), columns, run: runClustering({ data, rows: table.numRows, cols: columns.length }, columns, spec) };
  } finally {
    await db.close();
  }
}
