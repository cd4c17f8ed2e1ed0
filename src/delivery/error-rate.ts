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

/** Attempts per send within the window; says when the error share is too high. */
export class ErrorRateWindow {
  private readonly events = new Map<number, Array<{ at: number; failed: boolean }>>();

  constructor(private readonly policy: ErrorRatePolicy) {}

  /** Counts one attempt's result; returns the reason to pause, if the threshold is crossed. */
  record(sendId: number, failed: boolean, now: number): string | undefined {
    let list = this.events.get(sendId);
    if (!list) this.events.set(sendId, (list = []));
    list.push({ at: now, failed });
    const from = now - this.policy.windowMs;
    let drop = 0;
    while (drop < list.length && list[drop]!.at < from) drop++;
    if (drop) list.splice(0, drop);
    if (list.length < this.policy.minAttempts) return undefined;
    const failures = list.filter((e) => e.failed).length;
    const share = failures / list.length;
    if (share < this.policy.threshold) return undefined;
    return `paused: ${failures} of the last ${list.length} attempts failed (${Math.round(share * 100)}% ≥ ${Math.round(this.policy.threshold * 100)}%) within ${Math.round(this.policy.windowMs / 60_000)} min; check the relay's answers, then resume`;
  }

  /** Forgets a send (finished or paused). */
  forget(sendId: number): void {
    this.events.delete(sendId);
  }
}
