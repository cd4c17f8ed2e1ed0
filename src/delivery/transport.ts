// What delivery needs to hand one message to the outside world. Declared here,
// implemented by the SMTP pool (smtp-pool.ts) and the local outbox (outbox.ts);
// tests swap it.

/** One spliced message and its envelope. */
export interface OutgoingMessage {
  /** Envelope sender (VERP return path): bounces come back to an address naming the recipient. */
  from: string;
  to: string;
  raw: Buffer;
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

export interface Transport {
  /** For logs: `outbox`, `smtp relay.example.net:587`… never with a password. */
  readonly description: string;
  /** Submits one message; never throws for a relay's refusal, only returns it. */
  submit(message: OutgoingMessage): Promise<SubmitResult>;
  /** How many messages it can usefully have in flight at once. */
  readonly concurrency: number;
  /**
   * What each relay it can reach takes, read from a session (opened if none
   * is). Absent when anything goes (the outbox keeps every message).
   */
  limits?(): Promise<RelayLimits[]>;
  close(): Promise<void>;
}
