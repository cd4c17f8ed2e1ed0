// What delivery needs to hand one message to the outside world. Declared here,
// implemented by the SMTP pool (smtp-pool.ts) and the local outbox (outbox.ts);
// tests swap it.
import type { MessageData } from './message-bytes.ts';

/** One spliced message and its envelope. */
export interface OutgoingMessage {
  /** Envelope sender (VERP return path): bounces come back to an address naming the recipient. */
  from: string;
  to: string;
  /** The message: one Buffer, or the pieces it was spliced from (message-bytes.ts). */
  raw: MessageData;
  messageId: string;
  /**
   * A transactional mail (confirmation, welcome): one reader waits for it, so
   * it goes ahead of list messages waiting for a rate token or a connection.
   */
  transactional?: boolean;
}

/**
 * What the relay said, as it said it: its code, its reply and the command the
 * reply answered (absent when it did not answer: no connection, a timeout).
 * What a refusal means (the reader's bounce, a failure of the send, a retry)
 * is judged by the retry policy (retry-policy.ts), not by the transport.
 * `slowDown` is a 421/451: the relay asks us to send more slowly.
 */
export type SubmitResult =
  | { ok: true; code: number; response: string }
  | { ok: false; code: number | null; response: string; command?: string; slowDown?: boolean };

/** What one relay said it takes (its EHLO), for the checks before a send starts. */
export interface RelayLimits {
  /** The relay, as logs name it (never with a password). */
  relay: string;
  /** The largest message it takes (SIZE), when it states one. */
  maxSize?: number;
  /** Whether it carries UTF-8 addresses (SMTPUTF8). */
  smtputf8: boolean;
}

/**
 * What may still stop a message before it goes out. A message can wait long
 * in a transport (for a rate token, for a connection, or in a process that
 * was stopped), and what allowed it may no longer hold when its turn comes:
 * the worker's lease on the row, the send still running.
 */
export interface SubmitOptions {
  /** Once aborted, the message is dropped if it is still waiting. */
  signal?: AbortSignal;
  /** Asked after every wait, right before the message is written: false drops it. */
  mayWrite?: () => Promise<boolean>;
  /**
   * Asked at the very last moment, when the relay has accepted the envelope
   * and waits for the message (a process may stop in between): false
   * withdraws it, and the relay discards it.
   */
  mayWriteBody?: () => boolean;
}

/** What `submit` throws for a message dropped (SubmitOptions) before any of it reached the relay. */
export class NotSent extends Error {
  readonly code = 'ENOTSENT';
}

export interface Transport {
  /** For logs: `outbox`, `smtp relay.example.net:587`… never with a password. */
  readonly description: string;
  /**
   * Submits one message; never throws for a relay's refusal, only returns it.
   * Throws `NotSent` when `options` dropped it: nothing of it was written.
   */
  submit(message: OutgoingMessage, options?: SubmitOptions): Promise<SubmitResult>;
  /** How many messages it can usefully have in flight at once. */
  readonly concurrency: number;
  /**
   * What each relay it can reach takes, read from a session (opened if none
   * is). Absent when anything goes (the outbox keeps every message).
   */
  limits?(): Promise<RelayLimits[]>;
  /**
   * Opens the connections its first messages will take, in the background,
   * while the caller gets them ready (`send --now --wait`: while the send
   * starts). Absent where nothing needs opening.
   */
  warm?(): void;
  close(): Promise<void>;
}
