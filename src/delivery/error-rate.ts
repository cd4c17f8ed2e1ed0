// Watches the share of attempts per send that failed because of the relay or
// the path to it (retry-policy.ts: `aboutSend`; not greylisting, not a
// reader's mailbox) over a sliding time window, so that a send stops itself
// (paused, with the reason) when the relay is in trouble, instead of burning
// through the whole list. Each worker watches what it sees; the pause it
// writes stops every worker.
//
// The share is judged by what it surely is, not by what it looks like: a
// send pauses when the lower bound of the share's confidence interval (Wilson
// score, `standardErrors` wide) reaches the threshold. The observed share of
// a few dozen attempts swings widely (12 % of real failures read as 24 % over
// 50 attempts, and paused sends); the bound only crosses the threshold when
// the failures are many or the attempts numerous enough to be sure.

export interface ErrorRatePolicy {
  windowMs: number;
  /** Share of failed attempts (0..1) that pauses the send. */
  threshold: number;
  /** Attempts in the window before the share is judged. */
  minAttempts: number;
  /** How sure the pause must be: the width, in standard errors, of the one-sided bound on the share. Default 3 (99.9 %). */
  standardErrors?: number;
}

const DEFAULT_STANDARD_ERRORS = 3;

export const DEFAULT_ERROR_RATE_POLICY: ErrorRatePolicy = { windowMs: 5 * 60_000, threshold: 0.2, minAttempts: 100, standardErrors: DEFAULT_STANDARD_ERRORS };

/** The lower bound of the Wilson score interval of `failures` out of `n`, `z` standard errors wide. */
export function shareLowerBound(failures: number, n: number, z: number): number {
  if (n === 0) return 0;
  const p = failures / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return Math.max(0, (centre - margin) / (1 + z2 / n));
}

/**
 * The attempts of one send within the window, oldest first, with the count of
 * failures among them kept as they come and go: judging the share costs the
 * same whatever the size of the send (a count over the whole window at every
 * attempt grew with the square of it).
 */
class SendWindow {
  private at: number[] = [];
  private failed: boolean[] = [];
  /** Index of the oldest attempt still in the window. */
  private head = 0;
  failures = 0;

  get size(): number {
    return this.at.length - this.head;
  }

  push(at: number, failed: boolean): void {
    this.at.push(at);
    this.failed.push(failed);
    if (failed) this.failures++;
  }

  /** Lets go of the attempts older than `from`. */
  expire(from: number): void {
    while (this.head < this.at.length && this.at[this.head]! < from) {
      if (this.failed[this.head]) this.failures--;
      this.head++;
    }
    // Drop the expired prefix now and then, not at every attempt: amortised O(1).
    if (this.head > 1024 && this.head * 2 > this.at.length) {
      this.at = this.at.slice(this.head);
      this.failed = this.failed.slice(this.head);
      this.head = 0;
    }
  }
}

/** Attempts per send within the window; says when the error share is too high. */
export class ErrorRateWindow {
  private readonly sends = new Map<number, SendWindow>();

  constructor(private readonly policy: ErrorRatePolicy) {}

  /** Counts one attempt's result (`failed`: about the send); returns the reason to pause, if the threshold is crossed. */
  record(sendId: number, failed: boolean, now: number): string | undefined {
    let window = this.sends.get(sendId);
    if (!window) this.sends.set(sendId, (window = new SendWindow()));
    window.push(now, failed);
    window.expire(now - this.policy.windowMs);
    const attempts = window.size;
    if (attempts < this.policy.minAttempts) return undefined;
    const bound = shareLowerBound(window.failures, attempts, this.policy.standardErrors ?? DEFAULT_STANDARD_ERRORS);
    if (bound < this.policy.threshold) return undefined;
    const pct = (x: number) => `${Math.round(x * 100)}%`;
    return `paused: ${window.failures} of the last ${attempts} attempts failed (${pct(window.failures / attempts)}, surely at least ${pct(bound)} ≥ ${pct(this.policy.threshold)}) within ${Math.round(this.policy.windowMs / 60_000)} min; check the relay's answers, then resume`;
  }

  /** Forgets a send (finished or paused). */
  forget(sendId: number): void {
    this.sends.delete(sendId);
  }
}
