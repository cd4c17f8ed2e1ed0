// The second look of a batch at its readers: who unsubscribed, was
// suppressed or erased since the claim (which looked first).
import type { Clock } from '../clock.ts';

/**
 * Which rows of a batch may no longer be mailed: their reader unsubscribed,
 * was suppressed or erased since the claim (which checked the same at claim time).
 */
export interface Recheck {
  /** The rows among `ids` whose reader left; reads only. */
  goneAmong(ids: readonly number[]): Promise<number[]>;
  /** Sets `suppressed` those of `ids` still gone and still held by this worker; returns them. */
  setSuppressed(workerId: string, ids: readonly number[], now: number): Promise<number[]>;
}

/**
 * The rows of one batch whose reader left since the claim. The claim looked
 * at the subscriptions and the suppression list; this looks again once that
 * look is older than `maxAgeMs`, in one query for the rows not yet tried, so
 * that a slow batch does not mail someone who unsubscribed (or bounced, or
 * complained) a minute ago. Lanes share one query in flight.
 */
export class ReadersWhoLeft {
  private readonly gone = new Set<number>();
  private checking: Promise<void> | undefined;

  constructor(
    private readonly recheck: Recheck | undefined,
    private readonly clock: Clock,
    private readonly maxAgeMs: number,
    private checkedAt: number,
    private readonly onError: (err: Error) => void,
  ) {}

  has(id: number): boolean {
    return this.gone.has(id);
  }

  refresh(untried: () => number[]): Promise<void> {
    const recheck = this.recheck;
    if (!recheck || this.clock.now() - this.checkedAt < this.maxAgeMs) return Promise.resolve();
    this.checking ??= (async () => {
      const at = this.clock.now();
      try {
        const ids = untried().filter((id) => !this.gone.has(id));
        if (ids.length) for (const id of await recheck.goneAmong(ids)) this.gone.add(id);
      } catch (err) {
        // The claim's look stands; asked again only after another `maxAgeMs`, not before every message.
        this.onError(err as Error);
      }
      this.checkedAt = at;
    })().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }
}
