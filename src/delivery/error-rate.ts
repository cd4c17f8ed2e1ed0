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

/** How many slices a window is counted in: its memory, whatever the rate or the size of the send. */
const SLICES = 1000;

/**
 * The attempts of one send within the window, counted per slice of a
 * thousandth of the window (300 ms of 5 minutes), with the counts of the
 * whole window kept as slices come and go: judging the share costs the same
 * whatever the size of the send, and so does the memory (a list of every
 * attempt of the last 5 minutes held 900,000 of them at 3,000 messages/s).
 * An attempt leaves the window with its slice, at most a slice late.
 */
class SendWindow {
  private readonly width: number;
  /** Ring of slices: the slice number each holds, its attempts and failures. */
  private readonly keys = new Float64Array(SLICES + 24).fill(-1);
  private readonly attempts = new Uint32Array(SLICES + 24);
  private readonly failed = new Uint32Array(SLICES + 24);
  /** The oldest slice number still counted. */
  private oldest = -Infinity;
  size = 0;
  failures = 0;

  constructor(windowMs: number) {
    this.width = Math.max(1, Math.ceil(windowMs / SLICES));
  }

  push(at: number, failed: boolean): void {
    // A lane's clock read a moment before another's lands in the oldest slice still counted.
    const key = Math.max(Math.floor(at / this.width), this.oldest);
    const i = this.slot(key);
    if (this.keys[i] !== key) this.drop(i, key);
    this.attempts[i]!++;
    this.size++;
    if (failed) {
      this.failed[i]!++;
      this.failures++;
    }
  }

  /** Lets go of the attempts older than `from`. */
  expire(from: number): void {
    const first = Math.floor(from / this.width);
    if (first <= this.oldest) return;
    if (this.oldest === -Infinity) {
      this.oldest = first;
      return;
    }
    if (first - this.oldest >= this.keys.length) {
      for (let i = 0; i < this.keys.length; i++) this.drop(i, -1);
    } else {
      for (let k = this.oldest; k < first; k++) {
        const i = this.slot(k);
        if (this.keys[i] === k) this.drop(i, -1);
      }
    }
    this.oldest = first;
  }

  private slot(key: number): number {
    const n = this.keys.length;
    return ((key % n) + n) % n;
  }

  /** Empties slot `i` of the ring for slice `key`. */
  private drop(i: number, key: number): void {
    this.size -= this.attempts[i]!;
    this.failures -= this.failed[i]!;
    this.attempts[i] = 0;
    this.failed[i] = 0;
    this.keys[i] = key;
  }
}

/** Attempts per send within the window; says when the error share is too high. */
export class ErrorRateWindow {
  private readonly sends = new Map<number, SendWindow>();

  constructor(private readonly policy: ErrorRatePolicy) {}

  /** Counts one attempt's result (`failed`: about the send); returns the reason to pause, if the threshold is crossed. */
  record(sendId: number, failed: boolean, now: number): string | undefined {
    let window = this.sends.get(sendId);
    if (!window) this.sends.set(sendId, (window = new SendWindow(this.policy.windowMs)));
    window.expire(now - this.policy.windowMs);
    window.push(now, failed);
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
