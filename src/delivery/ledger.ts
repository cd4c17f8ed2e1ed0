// What delivery needs from the delivery ledger (one row per recipient of a
// send). Declared here, by its consumer; store-ledger.ts builds it over the
// store's ledger queries (SQLite or PostgreSQL), tests may swap it. See
// README.md for the guarantees.
import type { ClaimedRow, ClaimRequest } from '../store/ledger-claim.ts';
import type { MessageTemplate } from './message-template.ts';

/** A ledger row a worker holds under lease: the store's row, as it is. */
export type ClaimedRecipient = ClaimedRow;

/** The final or intermediate result of one attempt. */
export type Outcome =
  | { id: number; state: 'sent'; messageId: string; code: number; response: string }
  | { id: number; state: 'bounced'; messageId: string; code: number | null; response: string }
  | { id: number; state: 'failed'; messageId: string; code: number | null; response: string }
  | { id: number; state: 'retry'; messageId: string; code: number | null; response: string; nextAttemptAt: number };

/** What a worker needs to know of a running send. */
export interface SendForDelivery {
  id: number;
  publicationId: number;
  kind: 'list' | 'test' | 'resend';
  status: string;
  startedAt: number;
  template: MessageTemplate;
}

/** Which rows a claim asks for (store/ledger-claim.ts). */
export type ClaimOptions = ClaimRequest;

export interface Ledger {
  /**
   * Takes up to `limit` rows of running sends that are due (pending with
   * next_attempt_at ≤ now, or held under a lease that has expired), marks them
   * `sending` under this worker's lease, and returns them. Rows whose address
   * was suppressed or unsubscribed since the snapshot are set `suppressed` and not returned.
   */
  claim(options: ClaimOptions): Promise<ClaimedRecipient[]>;
  /**
   * Extends the lease of the rows this worker still holds (`sending`, leased
   * to it); returns their ids. A row missing from the answer was claimed by
   * another worker after this worker's lease expired.
   */
  renew(workerId: string, ids: readonly number[], until: number): Promise<number[]>;
  /**
   * Records the outcomes of a batch, in one transaction. Only rows still
   * `sending` under this worker's lease take a result: a row another worker
   * claimed meanwhile keeps that worker's.
   */
  record(workerId: string, outcomes: readonly Outcome[], now: number): Promise<void>;
  /**
   * Gives back rows this worker claimed but did not attempt (its batch
   * stopped): `pending` again, due now, the claim's attempt not counted.
   */
  release(workerId: string, ids: readonly number[], now: number): Promise<void>;
  /** The send and its message, if it is still running. */
  sendForDelivery(sendId: number): Promise<SendForDelivery | undefined>;
  /** Marks the send done when no row is left to deliver; true when this call did it. */
  finishIfComplete(sendId: number, now: number): Promise<boolean>;
  /** Recipients of a send per state (for the summary line of a finished send). */
  counts(sendId: number): Promise<Record<string, number>>;
  /** Pauses a running send, with the reason the newsroom will read. */
  pause(sendId: number, reason: string, now: number): Promise<boolean>;
  /** Those of `sendIds` still running (not paused, cancelled, failed or done): read often, kept cheap. */
  runningAmong(sendIds: readonly number[]): Promise<number[]>;
}
