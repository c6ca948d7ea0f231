// Everything the prediction models read, in three statements (plus the data's first and last day): the labelled
// customers as of the cutoff, the current customers as of the last day, and the CLV summaries as of the last day.
// The Predictions screen and the Node checks read through this one function.
import type { Db } from '../../db/types.ts';
import { toRows } from '../../lib/rows.ts';
import { StrataError } from '../../errors.ts';
import { DATA_DAYS_SQL, churnFeaturesSql, decodeChurnTable, trainingCutoff, type ChurnTable, type ChurnTarget } from './churn-sql.ts';
import { clvSummarySql, decodeClvSummary, type ClvSummary } from './clv-sql.ts';

export interface PredictInput {
  cutoff: string;
  lastDay: string;
  labelled: ChurnTable;
  current: ChurnTable;
  clv: ClvSummary;
}

export async function readPredictInput(db: Db, o: { horizon: number; target: ChurnTarget }): Promise<PredictInput> {
  const days = toRows(await db.query(DATA_DAYS_SQL))[0];
  if (!days?.last_day) throw new StrataError('This dataset has no events to learn from.');
  const firstDay = String(days.first_day), lastDay = String(days.last_day);
  const cutoff = trainingCutoff(firstDay, lastDay, o.horizon);
  const tq = churnFeaturesSql({ cutoff, horizonDays: o.horizon, target: o.target, label: true });
  const labelled = decodeChurnTable(await db.query(tq.text, tq.params));
  const sq = churnFeaturesSql({ cutoff: lastDay, horizonDays: o.horizon, target: o.target, label: false });
  const current = decodeChurnTable(await db.query(sq.text, sq.params));
  const cq = clvSummarySql(lastDay);
  const clv = decodeClvSummary(await db.query(cq.text, cq.params));
  return { cutoff, lastDay, labelled, current, clv };
}
