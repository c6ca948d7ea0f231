// The Predictions screen's pure parts: its URL settings (defaults, round trip, refusals) and the export statement.
// Run: TZ=UTC node --import tsx --test tests/predict-view.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PREDICT, predictFromParams, predictToParams, validatePredictView } from '../src/views/predict/url-spec.ts';
import { predictionsCsvSql } from '../src/data/predictions-store.ts';

test('settings: defaults, a round trip through the URL, and clear refusals', () => {
  assert.deepEqual(predictFromParams(new URLSearchParams('')).view, DEFAULT_PREDICT);
  const v = { ...DEFAULT_PREDICT, horizon: 60, target: 'activity' as const, medium: 0.2, high: 0.7, months: 24, discount: 0.02, seed: 9 };
  const p = new URLSearchParams(Object.entries(predictToParams(v)).filter((e): e is [string, string] => e[1] !== null));
  assert.deepEqual(predictFromParams(p).view, v);
  assert.throws(() => validatePredictView({ horizon: 3 }), /horizon \(days\) must be a whole number from 7 to 730/);
  assert.throws(() => validatePredictView({ medium: 0.7, high: 0.6 }), /medium-risk cut-off must be below the high-risk one/);
  assert.throws(() => validatePredictView({ target: 'visits' }), /"purchase" or "activity"/);
  assert.throws(() => validatePredictView({ depth: 1 }), /Unknown prediction setting "depth"/);
  const bad = predictFromParams(new URLSearchParams('p=notjson'));
  assert.deepEqual(bad.view, DEFAULT_PREDICT);
  assert.match(bad.error ?? '', /prediction settings were ignored/);
});

test('the export: the stored prediction columns only, every user with one of them', () => {
  assert.equal(predictionsCsvSql(['rfm', 'predicted_churn', 'p_alive']).text,
    'SELECT user_id, predicted_churn, p_alive FROM user_segments WHERE predicted_churn IS NOT NULL OR p_alive IS NOT NULL ORDER BY user_id');
  assert.throws(() => predictionsCsvSql(['rfm']), /train the models first/);
});
