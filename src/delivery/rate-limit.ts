// A relay's rate limit: messages per second and per hour as the operator set
// them, as two token buckets. The per-second rate follows the relay's answers
// (congestion.ts: lower after a 421 or a rising share of 4xx, back up step by
// step while the share is low), never above the operator's.
// Transactional mail (a confirmation a reader waits for) takes the next token
// before any list message: list messages wait while one is waiting.

import type { Clock } from '../clock.ts';
import { CongestionControl, type CongestionPolicy } from './congestion.ts';

export interface RateLimitSettings {
  /** Messages per second; Infinity for none. */
  perSecond: number;
  /** Messages per hour; Infinity for none. */
  perHour: number;
}

/** Waits `ms`; may end early once `signal` is aborted. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

class Bucket {
  tokens: number;
  constructor(
    public rate: number,
    private readonly perMs: number,
    public capacity: number,
    private last: number,
  ) {
    this.tokens = capacity;
  }
  refill(now: number): void {
    if (!Number.isFinite(this.rate)) {
      // Counted from now once a rate is set again.
      this.last = now;
      return;
    }
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.rate) / this.perMs);
    this.last = now;
  }
  /** Milliseconds until one token is there. */
  wait(): number {
    if (!Number.isFinite(this.rate) || this.tokens >= 1) return 0;
    return Math.ceil(((1 - this.tokens) * this.perMs) / this.rate);
  }
  take(): void {
    if (Number.isFinite(this.rate)) this.tokens -= 1;
  }
}

const READY = Promise.resolve();

/** One relay's limiter; `acquire` before every message, `answered` after. */
export class RateLimiter {
  private readonly second: Bucket;
  private readonly hour: Bucket;
  private queue: Promise<void> = Promise.resolve();
  private firstQueue: Promise<void> = Promise.resolve();
  /** Transactional messages waiting for a token, and what list messages wait on meanwhile. */
  private firstWaiting = 0;
  private firstDone?: { promise: Promise<void>; resolve: () => void };
  /** List messages in the queue, waiting for their turn or a token. */
  private queued = 0;
  private readonly congestion: CongestionControl;

  constructor(
    readonly settings: RateLimitSettings,
    private readonly clock: Clock,
    private readonly sleep: Sleep = realSleep,
    congestion?: CongestionPolicy,
  ) {
    const now = clock.now();
    const perSecond = settings.perSecond;
    this.second = new Bucket(perSecond, 1000, Number.isFinite(perSecond) ? Math.max(1, perSecond) : Infinity, now);
    this.hour = new Bucket(settings.perHour, 3_600_000, Number.isFinite(settings.perHour) ? Math.max(1, settings.perHour / 60) : Infinity, now);
    this.congestion = new CongestionControl(perSecond, clock, congestion);
  }

  /** The current per-second rate (lower than the operator's while the relay asks us to slow down). */
  get currentRate(): number {
    return this.second.rate;
  }

  /** Lowest per-second rate the relay's answers can bring it to. */
  get floor(): number {
    return this.congestion.floor;
  }

  /**
   * Waits for the right to send one message, in turn with the other callers;
   * `first` (transactional mail) goes ahead of the others. Rejects with the
   * signal's reason once `signal` is aborted (the message is no longer to be
   * sent): a caller that gave up holds up nobody.
   */
  acquire(first = false, signal?: AbortSignal): Promise<void> {
    // No limit in force (no operator's rate, the relay never asked us to slow
    // down) and nobody in the queue: the token is there. Taken without a turn
    // in the queue, which cost each message a chain of promises and a listener.
    if (!first && this.queued === 0 && this.firstWaiting === 0 && !Number.isFinite(this.second.rate) && !Number.isFinite(this.hour.rate)) {
      return signal?.aborted ? Promise.reject(signal.reason) : READY;
    }
    let turn: Promise<void>;
    if (!first) {
      this.queued++;
      turn = this.queue.then(() => this.take(false, signal)).finally(() => this.queued--);
      this.queue = turn.catch(() => {});
    } else {
      this.firstWaiting++;
      turn = this.firstQueue.then(() => this.take(true, signal)).finally(() => {
        if (--this.firstWaiting > 0) return;
        this.firstDone?.resolve();
        this.firstDone = undefined;
      });
      this.firstQueue = turn.catch(() => {});
    }
    if (!signal) return turn;
    // Given up at once, not when its turn comes (behind a long wait at a low rate).
    return new Promise<void>((resolve, reject) => {
      const abort = () => reject(signal.reason);
      signal.addEventListener('abort', abort, { once: true });
      turn.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
    });
  }

  private async take(first: boolean, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      if (!first && this.firstWaiting > 0) {
        await this.afterFirst();
        continue;
      }
      const now = this.clock.now();
      this.second.refill(now);
      this.hour.refill(now);
      const wait = Math.max(this.second.wait(), this.hour.wait());
      if (wait === 0) {
        this.second.take();
        this.hour.take();
        return;
      }
      await this.sleep(wait, signal);
    }
  }

  private afterFirst(): Promise<void> {
    if (!this.firstDone) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.firstDone = { promise, resolve };
    }
    return this.firstDone.promise;
  }

  /** The relay's answer to one message (its code, null for none): the rate follows them. */
  answered(code: number | null): void {
    this.congestion.answer(code);
    const rate = this.congestion.rate;
    if (rate === this.second.rate) return;
    this.second.refill(this.clock.now());
    this.second.rate = rate;
    this.second.capacity = Number.isFinite(rate) ? Math.max(1, rate) : Infinity;
    this.second.tokens = Math.min(this.second.tokens, this.second.capacity);
  }
}
