// When to try a recipient again after a temporary failure: exponential backoff
// with jitter (so that a relay that came back is not hit by every retry in the
// same second), up to a deadline counted from the start of the send, after
// which the row is failed: a morning briefing delivered at noon is worse than
// a clear "failed" the newsroom can resend.

export interface RetryPolicy {
  /** Delay after the first failure. */
  baseDelayMs: number;
  /** Longest delay between two attempts. */
  maxDelayMs: number;
  /** No attempt starts later than this after the send started. */
  deadlineMs: number;
  /** Attempts at most, the first one included. */
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 30_000,
  maxDelayMs: 15 * 60_000,
  deadlineMs: 4 * 60 * 60_000,
  maxAttempts: 8,
};

/** When to try again after `attempts` attempts, or null to give up (failed). */
export function nextAttemptAt(
  policy: RetryPolicy,
  attempts: number,
  now: number,
  sendStartedAt: number,
  random: () => number = Math.random,
): number | null {
  if (attempts >= policy.maxAttempts) return null;
  const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  // "Equal jitter": at least half the delay, so retries never bunch at zero.
  const at = now + Math.round(delay / 2 + random() * (delay / 2));
  return at > sendStartedAt + policy.deadlineMs ? null : at;
}
