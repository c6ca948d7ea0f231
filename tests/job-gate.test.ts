// A worker's progress reports come through their own port and can land after the job's answer: the gate shows
// only the current job's reports.
// Run: node --import tsx --test tests/job-gate.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobGate } from '../src/lib/job-gate.ts';

test('a report that lands after its job ended is dropped; the next job reports again', () => {
  const gate = new JobGate();
  const shown: string[] = [];
  const first = gate.begin((s: string) => shown.push(s));
  first('a1');
  gate.end();
  first('a2 (late)');
  const second = gate.begin((s: string) => shown.push(s));
  first('a3 (late, while the second runs)');
  second('b1');
  gate.end();
  second('b2 (late)');
  assert.deepEqual(shown, ['a1', 'b1']);
});
