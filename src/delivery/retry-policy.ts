// What a failed attempt means, and when to try a recipient again.
//
// The relay's answer decides a reader's fate only when it is about the reader:
// the enhanced status code (RFC 3463) and the command it answered say whether
// the reader's mailbox is gone (a bounce: the address is suppressed), the
// reader's mailbox refused this once (failed, the reader kept), or the relay
// refused the newsroom, the sender or the message (a failure of the send: the
// row is failed and can be resent, nobody is suppressed, the send pauses).
// The SMTP pool only reports what the relay said; these rules judge it. The
// table is in README.md ("What the relay's answer decides").
//
// Temporary failures are tried again with exponential backoff and jitter (so
// that a relay that came back is not hit by every retry in the same second),
// up to a deadline counted from the start of the send, after which the row is
// failed: a morning briefing delivered at noon is worse than a clear "failed"
// the newsroom can resend.

export interface RetryPolicy {
  /** Delay after the first failure. */
  baseDelayMs: number;
  /** Longest delay between two attempts. */
  maxDelayMs: number;
  /** No attempt starts later than this after the send started. */
  deadlineMs: number;
  /** Attempts at most, the first one included. */
  maxAttempts: number;
  /**
   * Refusals to RCPT TO without a status that names the mailbox (a bare 550,
   * 5.0.0, 5.4.x), given to this many readers of a send in a row, are the
   * relay refusing the send, not so many dead mailboxes. Default `DEFAULT_UNCLEAR_RUN`.
   */
  unclearRefusalsInARow?: number;
}

export const DEFAULT_UNCLEAR_RUN = 5;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 30_000,
  maxDelayMs: 15 * 60_000,
  deadlineMs: 4 * 60 * 60_000,
  maxAttempts: 8,
  unclearRefusalsInARow: DEFAULT_UNCLEAR_RUN,
};

/** When to try again after `attempts` attempts, or null to give up (failed). */
export function nextAttemptAt(
  policy: RetryPolicy,
  attempts: number,
  now: number,
  sendStartedAt: number,
  random: () => number = Math.random,
): number | null {
  if (attempts >= policy.maxAttempts) return null;
  const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  // "Equal jitter": at least half the delay, so retries never bunch at zero.
  const at = now + Math.round(delay / 2 + random() * (delay / 2));
  return at > sendStartedAt + policy.deadlineMs ? null : at;
}

/** A relay's refusal as the transport reports it: its code, its reply, the command it answered. */
export interface RelayRefusal {
  /** The reply's code; null when the relay did not answer (no connection, a timeout, TLS). */
  code: number | null;
  /** The relay's whole reply ("550 5.1.1 …"), or our description of what went wrong. */
  response: string;
  /** What the reply answered: CONN (the greeting), EHLO, STARTTLS, AUTH …, MAIL FROM, RCPT TO, DATA. */
  command?: string;
}

/**
 * What a failed attempt means:
 * - `retry`: temporary, tried again later; `aboutSend` when it says the relay
 *   or the connection is in trouble (counted by the error-rate pause), not
 *   when it is about one reader (greylisting, a busy mailbox);
 * - `bounce`: the reader's mailbox does not exist or is disabled: bounced, suppressed;
 * - `mailbox`: the reader's mailbox refused this message (full): failed, the reader kept;
 * - `send`: the relay refused the newsroom, the sender or the message: failed
 *   (resendable), nobody suppressed, the send paused with the answer;
 * - `unclear`: a refusal to RCPT TO that does not say why: the reader's bounce
 *   when it stands alone, a failure of the send when many readers get it in a row.
 */
export type Verdict = { kind: 'retry'; aboutSend: boolean } | { kind: 'bounce' | 'mailbox' | 'send' | 'unclear' };

/** The enhanced status code (RFC 3463, RFC 2034) at the head of a reply, when it has one that agrees with its code. */
export function enhancedStatus(refusal: RelayRefusal): { class: number; subject: number; detail: number } | undefined {
  const m = /^(\d)\d\d[ -]([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])/.exec(refusal.response);
  // "The class sub-code … MUST match the first digit of the reply code" (RFC 2034): one that does not is not believed.
  if (!m || refusal.code === null || m[1] !== String(Math.floor(refusal.code / 100)) || m[1] !== m[2]) return undefined;
  return { class: Number(m[2]), subject: Number(m[3]), detail: Number(m[4]) };
}

/** What the relay's refusal of one attempt means (the table in README.md). */
export function judgeRefusal(refusal: RelayRefusal): Verdict {
  const { code, command } = refusal;
  // No answer at all (connection refused or lost, a timeout, TLS): the relay or the path to it.
  if (code === null) return { kind: 'retry', aboutSend: true };
  const status = enhancedStatus(refusal);
  const toRecipient = command === 'RCPT TO';
  // In our one-recipient transactions, DATA's answers (to the command or to the message) are the recipient's too, but
  // only a status that names the mailbox makes them about the reader (RFC 5321 §3.3, RFC 3463).
  const toMessage = command === 'DATA';
  if (code < 500) {
    // 421 closes the session: the relay's state, whatever command it came after.
    if (code === 421 || !toRecipient) return { kind: 'retry', aboutSend: true };
    // At RCPT TO: greylisting (4.7.x, or no status) and mailbox states (4.1.x, 4.2.x) are about the reader;
    // the relay's own system (4.3.x: storage, 4.5.x: protocol) is about the send.
    return { kind: 'retry', aboutSend: status !== undefined && (status.subject === 3 || status.subject === 5) };
  }
  if (!toRecipient && !toMessage) return { kind: 'send' };
  if (status) {
    const { subject, detail } = status;
    // X.1.7 and X.1.8 are the sender's address: the envelope of every message of the send.
    if (subject === 1 && detail !== 7 && detail !== 8) return { kind: 'bounce' };
    if (subject === 2) {
      // X.2.2 mailbox full is "a persistent transient failure" (RFC 3463): the reader may make room.
      if (detail === 2) return { kind: 'mailbox' };
      // X.2.3 is the message's length: every reader's message is as long.
      if (detail !== 3) return { kind: 'bounce' };
    }
    // X.0.x (undefined) and X.4.x (routing) may be one reader's domain as well as the relay's: judged by how many share it.
    if (toRecipient && (subject === 0 || subject === 4)) return { kind: 'unclear' };
    // X.1.7/8, X.2.3, X.3 system, X.5 protocol, X.6 content, X.7 policy and security, and X.0/X.4 to the message.
    return { kind: 'send' };
  }
  // No status: at RCPT TO, told apart by how many readers get it in a row; to the message, the message.
  return toRecipient ? { kind: 'unclear' } : { kind: 'send' };
}

/**
 * The unclear refusals of one batch, per send, in the order they came. A run
 * of them broken by an answer that shows the relay taking readers one by one
 * (a message accepted, a mailbox status) stands as the readers' bounces; a run
 * that reaches the limit is the relay refusing the send, and so is every
 * unclear refusal of that send after it; a run still open when the batch ends
 * is not judged yet (see `open`).
 */
export class UnclearRefusals<T> {
  private readonly runs = new Map<number, { members: T[]; refused: boolean }>();

  constructor(private readonly limit: number) {}

  /** The relay took or judged a reader of the send (2xx, a mailbox status): the run so far stands as bounces. */
  interrupt(sendId: number): void {
    const run = this.runs.get(sendId);
    if (run && !run.refused) this.runs.delete(sendId);
  }

  /**
   * Adds one unclear refusal. Returns the members that are now failures of the
   * send: the whole run when this one brings it to the limit, this one alone
   * once the send was judged refused, none while the run is shorter.
   */
  add(sendId: number, member: T): T[] {
    let run = this.runs.get(sendId);
    if (!run) this.runs.set(sendId, (run = { members: [], refused: false }));
    if (run.refused) return [member];
    run.members.push(member);
    if (run.members.length < this.limit) return [];
    run.refused = true;
    return run.members;
  }

  /**
   * The members of runs still open below the limit: the batch ended before
   * their run was broken or long enough. They are tried again, so that the
   * next batch judges them among more answers, rather than suppressed on a guess.
   */
  open(): T[] {
    return [...this.runs.values()].filter((r) => !r.refused).flatMap((r) => r.members);
  }
}

/** A relay's reply for the newsroom to read, with the readers' addresses it may quote taken out (they stay on the rows). */
export function withoutAddresses(reply: string): string {
  return reply.replace(/<[^<>\s]*@[^<>\s]*>/g, '<…>').replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, '…');
}
