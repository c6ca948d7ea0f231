// The Predictions screen's Node side: the same shop in native DuckDB, read through the same readPredictInput and
// run through the same pure modules as the prediction worker (src/ml/predict.ts). The check this serves is the
// issue's: the same seed gives the same predictions in Node and in the browser. What the models compute is tested
// against independent references in tests/ml-*.test.ts and tests/predict-*.test.ts.
import { openNodeDb } from '../src/db/node-db.ts';
import { loadShop, type GenParams } from '../src/data/generator/index.ts';
import { readPredictInput } from '../src/analyses/predict/input.ts';
import { runChurn, runClv, runValue, type ChurnResult, type ClvResult, type ValueResult } from '../src/ml/predict.ts';
import type { PredictView } from '../src/views/predict/url-spec.ts';

export interface NodePredictions {
  users: string[];
  clvUsers: string[];
  churn: ChurnResult;
  value: ValueResult;
  clv: ClvResult;
}

export async function nodePredictions(params: GenParams, v: PredictView): Promise<NodePredictions> {
  const db = await openNodeDb({ threads: 1 });
  try {
    await loadShop(db, params);
    const input = await readPredictInput(db, v);
    const { labelled, current, clv } = input;
    const lab = { data: labelled.data, rows: labelled.rows, cols: labelled.cols };
    const cur = { data: current.data, rows: current.rows, cols: current.cols };
    return {
      users: current.userIds, clvUsers: clv.userIds,
      churn: runChurn(lab, labelled.churned!, cur, { seed: v.seed, threshold: v.threshold }),
      value: runValue(lab, labelled.futureRevenue!, labelled.priorRevenue!, cur, { seed: v.seed }),
      clv: runClv(clv, { months: v.months, monthlyDiscount: v.discount, purchaseDays: v.horizon }),
    };
  } finally {
    await db.close();
  }
}
