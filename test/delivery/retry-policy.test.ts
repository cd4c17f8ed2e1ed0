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

test('the error window counts the same as a count over every attempt in it, however long the send', () => {
  const policy = { windowMs: 1_000, threshold: 0.3, minAttempts: 20 };
  const w = new ErrorRateWindow(policy);
  const seen: Array<{ at: number; failed: boolean }> = [];
  let seed = 7;
  const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
  // 20,000 attempts over 40 s: the window slides past thousands of them, through the compactions.
  for (let i = 0; i < 20_000; i++) {
    const at = i * 2;
    // Failures come in bursts, so that the share crosses the threshold both ways.
    const failed = random() < (Math.floor(i / 3_000) % 2 ? 0.45 : 0.1);
    seen.push({ at, failed });
    // (At one attempt every 2 ms, the last 600 hold the whole window.)
    const inWindow = seen.slice(-600).filter((e) => e.at >= at - policy.windowMs);
    const failures = inWindow.filter((e) => e.failed).length;
    const expected = inWindow.length >= policy.minAttempts && failures / inWindow.length >= policy.threshold;
    const reason = w.record(9, failed, at);
    assert.equal(reason !== undefined, expected, `attempt ${i}`);
    if (reason) assert.match(reason, new RegExp(`^paused: ${failures} of the last ${inWindow.length} attempts failed`));
  }
});
