// One feature ranking from several importance measures ("what distinguishes these segments?").
//
// Inputs, each one value per feature (all the same length d), any of them may be left out:
// - impurity: the forest's mean decrease in Gini (forest.ts impurityImportance);
// - permutation: the mean drop in held-out accuracy when the feature is shuffled (forest.ts permutationImportance);
// - mutualInfo: I(feature; cluster) in nats (mutual-info.ts).
// Rule: each given measure has its negative values clipped to 0 (a shuffle that helps by chance means "no
// importance") and is normalised to sum 1. The combined score of a feature is the plain mean of its normalised
// values over the measures that carry information; a measure whose clipped values are all 0 carries none and is
// left out of the mean rather than counted as zeros. The scores therefore sum to 1 (or are all 0 when no measure
// carries information). The ranking lists feature indexes by score, highest first; equal scores keep feature order.
import { StrataError } from '../errors.ts';

/** Per-feature importance measures to combine; give at least one. */
export interface ImportanceInputs {
  impurity?: ArrayLike<number>;
  permutation?: ArrayLike<number>;
  mutualInfo?: ArrayLike<number>;
}

/** The combined importance. */
export interface CombinedImportance {
  /** Per feature, the mean of the normalised measures (sums to 1, or all 0). */
  score: Float64Array;
  /** Feature indexes, most important first (ties: lower index first). */
  ranking: Int32Array;
  /** Each given measure clipped at 0 and normalised to sum 1 (all 0 when it carried no information). */
  parts: { impurity?: Float64Array; permutation?: Float64Array; mutualInfo?: Float64Array };
  /** How many measures entered the mean. */
  used: number;
}

/** Clip each measure at 0, normalise it to sum 1, average over the informative ones, rank. */
export function combineImportance(inputs: ImportanceInputs): CombinedImportance {
  const names = ['impurity', 'permutation', 'mutualInfo'] as const;
  const given = names.filter((k) => inputs[k] !== undefined);
  if (given.length === 0) throw new StrataError('Combining importances needs at least one measure.');
  const d = inputs[given[0]]!.length;
  const score = new Float64Array(d);
  const parts: CombinedImportance['parts'] = {};
  let used = 0;
  for (const k of given) {
    const v = inputs[k]!;
    if (v.length !== d) throw new StrataError(`The ${k} importances have ${v.length} values, not ${d}.`);
    const p = new Float64Array(d);
    let sum = 0;
    for (let j = 0; j < d; j++) {
      const a = v[j];
      if (Number.isNaN(a) || a === Infinity) throw new StrataError(`The ${k} importance of feature ${j + 1} is not a number (${a}).`);
      p[j] = a > 0 ? a : 0;
      sum += p[j];
    }
    if (sum > 0) {
      for (let j = 0; j < d; j++) {
        p[j] /= sum;
        score[j] += p[j];
      }
      used++;
    }
    parts[k] = p;
  }
  if (used > 1) for (let j = 0; j < d; j++) score[j] /= used;
  const ranking = Int32Array.from({ length: d }, (_, j) => j).sort((a, b) => score[b] - score[a] || a - b);
  return { score, ranking, parts, used };
}
