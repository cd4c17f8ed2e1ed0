// The claims of a worker, some made ahead: once the last rows of a batch are
// handed to the transport, the next batch is claimed while those messages are
// still on the wire, and the next batch to start takes it at once. On
// PostgreSQL a claim is a round trip (and the server's work for it); made
// after a batch ended, it left the connections waiting for it.
//
// A batch claimed ahead is held under its lease like any other: its lease
// runs from the claim, and the batch that takes it renews it from there
// (lease.ts). One that no batch takes (the worker stops, the callers ask for
// another send) is given back, pending again with its attempt not counted, as
// untried rows are: never lost, never sent twice, only later.
import type { Clock } from '../clock.ts';
import type { ClaimedRecipient, Ledger } from './ledger.ts';

/** The rows of one claim and the time it was made (the start of their lease). */
export interface Claim {
  rows: ClaimedRecipient[];
  claimedAt: number;
}

type Ahead = { sendId?: number; claimedAt: number } & ({ rows: ClaimedRecipient[] } | { error: unknown });

/** Claims of one worker, with at most one made ahead per batch in progress. */
export class ClaimsAhead {
  private readonly ahead: Array<Promise<Ahead>> = [];
  private inProgress = 0;
  private closed = false;

  constructor(
    private readonly ledger: Pick<Ledger, 'claim' | 'release'>,
    private readonly request: { workerId: string; leaseMs: number; limit: number },
    private readonly clock: Clock,
  ) {}

  /** Runs one batch: `work` gets the claim made ahead for it, if any, else one made now. */
  async batch<T>(sendId: number | undefined, work: (claim: Claim) => Promise<T>): Promise<T> {
    this.inProgress++;
    try {
      return await work(await this.next(sendId));
    } finally {
      this.inProgress--;
    }
  }

  /** Claims the next batch now, for the next one to start; not beyond one per batch in progress, nor once closed. */
  claimAhead(sendId: number | undefined): void {
    if (this.closed || this.ahead.length >= this.inProgress) return;
    const claimedAt = this.clock.now();
    // Settled either way: a failure waits for the batch that takes it (an unhandled rejection would end the process).
    this.ahead.push(
      this.claim(sendId, claimedAt).then(
        (rows): Ahead => ({ sendId, claimedAt, rows }),
        (error: unknown): Ahead => ({ sendId, claimedAt, error }),
      ),
    );
  }

  /** Gives back the claims made ahead that no batch took; none is made ahead after. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.ahead.length) await this.giveBack(await this.ahead.shift()!);
  }

  private async next(sendId: number | undefined): Promise<Claim> {
    const ahead = this.ahead.shift();
    if (ahead) {
      const claimed = await ahead;
      if (claimed.sendId === sendId) {
        if ('error' in claimed) throw claimed.error;
        return claimed;
      }
      // Made for another send than this batch asks for: not this batch's to deliver.
      await this.giveBack(claimed);
    }
    const claimedAt = this.clock.now();
    return { rows: await this.claim(sendId, claimedAt), claimedAt };
  }

  private claim(sendId: number | undefined, now: number): Promise<ClaimedRecipient[]> {
    return this.ledger.claim({ ...this.request, now, sendId });
  }

  private async giveBack(claimed: Ahead): Promise<void> {
    if (!('rows' in claimed) || claimed.rows.length === 0) return;
    await this.ledger.release(this.request.workerId, claimed.rows.map((r) => r.id), this.clock.now());
  }
}
