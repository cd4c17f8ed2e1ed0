// A relay's rate limit: messages per second and per hour as the operator set
// them, as two token buckets. When the relay answers 421/451 ("slow down") the
// per-second rate halves (down to a floor); after a quiet period it climbs back
// by a tenth at a time up to the operator's rate (additive recovery, like TCP).
// Transactional mail (a confirmation a reader waits for) takes the next token
// before any list message: list messages wait while one is waiting.

import type { Clock } from '../clock.ts';

export interface RateLimitSettings {
  /** Messages per second; Infinity for none. */
  perSecond: number;
  /** Messages per hour; Infinity for none. */
  perHour: number;
}

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

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
    if (!Number.isFinite(this.rate)) return;
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

/** One relay's limiter; `acquire` before every message. */
export class RateLimiter {
  private readonly second: Bucket;
  private readonly hour: Bucket;
  private queue: Promise<void> = Promise.resolve();
  private firstQueue: Promise<void> = Promise.resolve();
  /** Transactional messages waiting for a token, and what list messages wait on meanwhile. */
  private firstWaiting = 0;
  private firstDone?: { promise: Promise<void>; resolve: () => void };
  private lastChange: number;
  /** Lowest rate the limiter goes down to after "slow down" answers. */
  readonly floor: number;
  /** Quiet time after which the rate climbs back a step. */
  readonly recoverAfterMs = 30_000;

  constructor(
    readonly settings: RateLimitSettings,
    private readonly clock: Clock,
    private readonly sleep: Sleep = realSleep,
  ) {
    const now = clock.now();
    const perSecond = settings.perSecond;
    this.second = new Bucket(perSecond, 1000, Number.isFinite(perSecond) ? Math.max(1, perSecond) : Infinity, now);
    this.hour = new Bucket(settings.perHour, 3_600_000, Number.isFinite(settings.perHour) ? Math.max(1, settings.perHour / 60) : Infinity, now);
    this.floor = Number.isFinite(perSecond) ? Math.max(0.1, perSecond / 32) : 1;
    this.lastChange = now;
  }

  /** The current per-second rate (lower than the operator's after "slow down"). */
  get currentRate(): number {
    return this.second.rate;
  }

  /** Waits for the right to send one message; `first` (transactional mail) goes ahead of the others. */
  acquire(first = false): Promise<void> {
    if (!first) {
      const turn = this.queue.then(() => this.take(false));
      this.queue = turn.catch(() => {});
      return turn;
    }
    this.firstWaiting++;
    const turn = this.firstQueue.then(() => this.take(true)).finally(() => {
      if (--this.firstWaiting > 0) return;
      this.firstDone?.resolve();
      this.firstDone = undefined;
    });
    this.firstQueue = turn.catch(() => {});
    return turn;
  }

  private async take(first: boolean): Promise<void> {
    for (;;) {
      if (!first && this.firstWaiting > 0) {
        await this.afterFirst();
        continue;
      }
      const now = this.clock.now();
      this.recover(now);
      this.second.refill(now);
      this.hour.refill(now);
      const wait = Math.max(this.second.wait(), this.hour.wait());
      if (wait === 0) {
        this.second.take();
        this.hour.take();
        return;
      }
      await this.sleep(wait);
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

  /** The relay said 421/451: halve the rate. */
  slowDown(): void {
    const now = this.clock.now();
    const base = Number.isFinite(this.second.rate) ? this.second.rate : 100;
    this.second.refill(now);
    this.second.rate = Math.max(this.floor, base / 2);
    this.second.capacity = Math.max(1, this.second.rate);
    this.second.tokens = Math.min(this.second.tokens, this.second.capacity);
    this.lastChange = now;
  }

  private recover(now: number): void {
    const target = this.settings.perSecond;
    if (this.second.rate === target || now - this.lastChange < this.recoverAfterMs) return;
    this.second.refill(now);
    const step = Number.isFinite(target) ? target / 10 : this.second.rate / 2;
    const next = this.second.rate + step;
    this.second.rate = Number.isFinite(target) ? Math.min(target, next) : next > 10_000 ? Infinity : next;
    this.second.capacity = Number.isFinite(this.second.rate) ? Math.max(1, this.second.rate) : Infinity;
    this.lastChange = now;
  }
}
