// The lease a worker holds on the rows of one batch. Another worker may claim
// a row once its lease has expired, so a live worker must not let it expire
// while it works, and must not send for a row it no longer holds: either would
// mail that reader twice. The lease is renewed when half spent, checked before
// each message (timers run late on a loaded machine, so a background renewal
// alone is not enough) and also renewed on a timer, for a message that takes
// long. Every row of the batch stays under lease until its result is recorded.
import type { Clock } from '../clock.ts';
import type { Ledger } from './ledger.ts';
import { NotSent } from './transport.ts';

export interface LeaseDeps {
  ledger: Pick<Ledger, 'renew'>;
  workerId: string;
  clock: Clock;
  leaseMs: number;
  onRenewalError?: (err: Error) => void;
}

/** The lease on one claimed batch: which rows are still held, and until when. */
export class BatchLease {
  private readonly held: Set<number>;
  private until: number;
  private renewing: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly lostController = new AbortController();
  /** Set once a renewal finds a row taken (or the lease ran out): the batch stops sending. */
  lost = false;

  /** Aborted when the lease is lost: what of the batch still waits to be sent is dropped. */
  get signal(): AbortSignal {
    return this.lostController.signal;
  }

  /** `claimedAt` is the time read before the claim, so the local lease never outlasts the stored one. */
  constructor(
    private readonly deps: LeaseDeps,
    ids: readonly number[],
    claimedAt: number,
  ) {
    this.held = new Set(ids);
    this.until = claimedAt + deps.leaseMs;
  }

  /** Renews in the background too, for a single message that takes long; `stop` ends it. */
  start(): void {
    this.timer = setInterval(() => void this.renewIfHalfSpent(), Math.max(50, Math.floor(this.deps.leaseMs / 4)));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Whether this worker still holds the row (a renewal may have found it taken). */
  holds(id: number): boolean {
    return this.held.has(id);
  }

  /**
   * Called before each message: true when the row may be sent now, the lease
   * being held with at least half of it left. False once any row was found
   * taken, or the lease could not be renewed before it ran out: the batch stops.
   */
  async mayDeliver(id: number): Promise<boolean> {
    if (this.lost) return false;
    await this.renewIfHalfSpent();
    if (this.deps.clock.now() >= this.until) this.markLost('the lease ran out before it could be renewed');
    return !this.lost && this.held.has(id);
  }

  /**
   * Whether the row is held now, without asking the ledger: the last look
   * before a message's bytes. The local lease never outlasts the stored one,
   * so while it runs nobody else can have claimed the row.
   */
  stillHolds(id: number): boolean {
    return !this.lost && this.held.has(id) && this.deps.clock.now() < this.until;
  }

  /** Renews the rows still held once half the lease is spent; one renewal at a time. */
  renewIfHalfSpent(): Promise<void> {
    if (this.lost || this.deps.clock.now() < this.until - this.deps.leaseMs / 2) return Promise.resolve();
    this.renewing ??= this.renew().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  private async renew(): Promise<void> {
    // Read before the query: the stored lease then ends no earlier than the local one.
    const until = this.deps.clock.now() + this.deps.leaseMs;
    let still: number[];
    try {
      still = await this.deps.ledger.renew(this.deps.workerId, [...this.held], until);
    } catch (err) {
      // The lease stands until it runs out; `mayDeliver` stops the batch then.
      this.deps.onRenewalError?.(err as Error);
      return;
    }
    const kept = new Set(still);
    for (const id of this.held) {
      if (!kept.has(id)) {
        this.held.delete(id);
        this.markLost('a row of the batch was claimed by another worker');
      }
    }
    this.until = until;
  }

  private markLost(why: string): void {
    if (this.lost) return;
    this.lost = true;
    this.lostController.abort(new NotSent(`lease lost: ${why}`));
  }
}
