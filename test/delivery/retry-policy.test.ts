import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextAttemptAt, type RetryPolicy } from '../../src/delivery/retry-policy.ts';
import { ErrorRateWindow } from '../../src/delivery/error-rate.ts';

const policy: RetryPolicy = { baseDelayMs: 60_000, maxDelayMs: 600_000, deadlineMs: 3_600_000, maxAttempts: 6 };

test('backs off exponentially with jitter, capped, until the deadline or the attempts run out', () => {
  const start = 0;
  assert.equal(nextAttemptAt(policy, 1, 0, start, () => 0), 30_000, 'at least half the delay');
  assert.equal(nextAttemptAt(policy, 1, 0, start, () => 1), 60_000);
  assert.equal(nextAttemptAt(policy, 3, 0, start, () => 1), 240_000);
  assert.equal(nextAttemptAt(policy, 5, 0, start, () => 1), 600_000, 'capped');
  assert.equal(nextAttemptAt(policy, 6, 0, start, () => 0), null, 'out of attempts');
  assert.equal(nextAttemptAt(policy, 2, 3_550_000, start, () => 1), null, 'past the deadline');
  const spread = new Set(Array.from({ length: 50 }, () => nextAttemptAt(policy, 2, 0, start)));
  assert.ok(spread.size > 10, 'jitter spreads retries');
});

test('the error window pauses only past the threshold, over enough attempts, within the window', () => {
  const w = new ErrorRateWindow({ windowMs: 60_000, threshold: 0.5, minAttempts: 10 });
  for (let i = 0; i < 9; i++) assert.equal(w.record(1, true, i), undefined, 'too few attempts to judge');
  assert.match(w.record(1, true, 10)!, /10 of the last 10 attempts failed/);
  for (let i = 0; i < 20; i++) assert.equal(w.record(2, i % 3 === 0, i), undefined, 'a third failing is under the threshold');
  // Old failures leave the window.
  for (let i = 0; i < 9; i++) w.record(3, true, 0);
  for (let i = 0; i < 10; i++) assert.equal(w.record(3, false, 120_000 + i), undefined);
});
