// How fast to send to one relay, set from its answers the way TCP sets its
// window (AIMD: additive increase, multiplicative decrease). A relay tells us
// to slow down in two ways: a 421 ("closing", about the whole connection),
// and a share of 4xx answers that grows as we push. Single 4xx answers are
// mostly about one reader (greylisting, a full mailbox) and say nothing about
// our rate: judged one by one they throttled a healthy relay to a crawl (a
// steady 10 % of 451 cut three workers to 2.7 messages/s). So the answers are
// judged by rounds (at least `roundMs` and `minAnswers`): a round whose 4xx
// share stays within `tolerance` raises the rate by a step; a round above it,
// and not easing since the last, lowers it; a 421 halves it at once, once per
// round. The rate never goes below a floor, nor above the operator's.

import type { Clock } from '../clock.ts';

export interface CongestionPolicy {
  /** Shortest round over which answers are judged together. */
  roundMs: number;
  /** Fewest answers in a round before its share is judged. */
  minAnswers: number;
  /** Share of 4xx answers in a round that is no sign of congestion (greylisting, full mailboxes). */
  tolerance: number;
  /** Factor of the rate after a round whose 4xx share is too high and not easing. */
  shareDecrease: number;
  /** Factor of the rate after a 421. */
  closingDecrease: number;
  /** Rounds of additive increase from nothing back to the operator's rate. */
  increaseRounds: number;
}

export const DEFAULT_CONGESTION_POLICY: CongestionPolicy = {
  roundMs: 1000,
  minAnswers: 30,
  tolerance: 0.25,
  shareDecrease: 0.75,
  closingDecrease: 0.5,
  increaseRounds: 20,
};

/** One relay's sending rate, adjusted from its answers. */
export class CongestionControl {
  private current: number;
  /**
   * With no operator's rate (Infinity), what the relay took when it first
   * asked us to slow down: the steps of recovery are counted from it, and the
   * limit is lifted again at twice it.
   */
  private reference = Infinity;
  private roundStart: number;
  private answers = 0;
  private temporary = 0;
  private closedThisRound = false;
  /** The 4xx share of the last judged round. */
  private lastShare = 0;
  /** Answers per second in the last judged round. */
  private lastThroughput = 0;
  /** Lowest rate the controller goes down to, in messages per second. */
  readonly floor: number;

  constructor(
    /** The operator's rate in messages per second, Infinity for none. */
    readonly ceiling: number,
    private readonly clock: Clock,
    readonly policy: CongestionPolicy = DEFAULT_CONGESTION_POLICY,
  ) {
    this.current = ceiling;
    this.floor = Number.isFinite(ceiling) ? Math.max(0.1, ceiling / 32) : 1;
    this.roundStart = clock.now();
  }

  /** Messages per second allowed now (Infinity: no limit). */
  get rate(): number {
    return this.current;
  }

  /**
   * Counts one relay answer: its SMTP code, or null when there was none (a
   * lost connection, a timeout), which says nothing about our rate.
   */
  answer(code: number | null): void {
    if (code === null) return;
    const now = this.clock.now();
    this.answers++;
    if (code >= 400 && code < 500) this.temporary++;
    if (code === 421 && !this.closedThisRound) {
      this.decrease(this.policy.closingDecrease, now);
      // A new round at the new rate; the 421s of the pool's other connections
      // land in it and cut nothing more.
      this.newRound(now);
      this.closedThisRound = true;
      return;
    }
    if (now - this.roundStart >= this.policy.roundMs && this.answers >= this.policy.minAnswers) this.judgeRound(now);
  }

  private judgeRound(now: number): void {
    const share = this.temporary / this.answers;
    this.lastThroughput = this.answers / ((now - this.roundStart) / 1000);
    if (share <= this.policy.tolerance) this.increase();
    // Above the tolerance: slow down unless the share is already easing since
    // the last round (a slowdown taking effect is not met with another).
    // Without a limit (no operator's rate, no 421 yet) a share alone sets none:
    // the rate to start from would be a guess (idle time counts in a round).
    else if (share >= this.lastShare && !this.closedThisRound && Number.isFinite(this.current)) this.decrease(this.policy.shareDecrease, now);
    this.lastShare = share;
    this.newRound(now);
  }

  private newRound(now: number): void {
    this.roundStart = now;
    this.answers = 0;
    this.temporary = 0;
    this.closedThisRound = false;
  }

  private decrease(factor: number, now: number): void {
    if (!Number.isFinite(this.current)) {
      // No operator's rate: start from what the relay was taking.
      const seconds = Math.max(now - this.roundStart, this.policy.roundMs) / 1000;
      this.reference = Math.max(this.floor, this.lastThroughput, this.answers / seconds);
      this.current = this.reference;
    }
    this.current = Math.max(this.floor, this.current * factor);
  }

  private increase(): void {
    if (!Number.isFinite(this.current)) return;
    if (Number.isFinite(this.ceiling)) {
      this.current = Math.min(this.ceiling, this.current + this.ceiling / this.policy.increaseRounds);
      return;
    }
    this.current += this.reference / this.policy.increaseRounds;
    if (this.current >= 2 * this.reference) this.current = Infinity;
  }
}
