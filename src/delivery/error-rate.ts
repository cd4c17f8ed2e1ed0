// Watches the share of failed attempts per send over a sliding time window, so
// that a send stops itself (paused, with the reason) when a relay or a list is
// in trouble, instead of burning through the whole list. Each worker watches
// what it sees; the pause it writes stops every worker.

export interface ErrorRatePolicy {
  windowMs: number;
  /** Share of failed attempts (0..1) that pauses the send. */
  threshold: number;
  /** Attempts in the window before the share is judged. */
  minAttempts: number;
}

export const DEFAULT_ERROR_RATE_POLICY: ErrorRatePolicy = { windowMs: 5 * 60_000, threshold: 0.2, minAttempts: 50 };

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

  /** Counts one attempt's result; returns the reason to pause, if the threshold is crossed. */
  record(sendId: number, failed: boolean, now: number): string | undefined {
    let window = this.sends.get(sendId);
    if (!window) this.sends.set(sendId, (window = new SendWindow()));
    window.push(now, failed);
    window.expire(now - this.policy.windowMs);
    const attempts = window.size;
    if (attempts < this.policy.minAttempts) return undefined;
    const share = window.failures / attempts;
    if (share < this.policy.threshold) return undefined;
    return `paused: ${window.failures} of the last ${attempts} attempts failed (${Math.round(share * 100)}% ≥ ${Math.round(this.policy.threshold * 100)}%) within ${Math.round(this.policy.windowMs / 60_000)} min; check the relay's answers, then resume`;
  }

  /** Forgets a send (finished or paused). */
  forget(sendId: number): void {
    this.sends.delete(sendId);
  }
}
