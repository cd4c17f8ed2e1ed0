// What one attempt's result makes of its ledger row, within a batch: the
// retry policy's verdict on the relay's answer (retry-policy.ts) turned into
// the row's outcome, whether the attempt counts against the send in the error
// window, and the reason to pause when the relay refused the send. Unclear
// refusals (a bare 5xx to RCPT TO) are the readers' bounces until the run they
// belong to says otherwise; the batch asks for the rows judged again before
// it records them (`settled`).
import type { ClaimedRecipient, Outcome } from './ledger.ts';
import { DEFAULT_UNCLEAR_RUN, judgeRefusal, nextAttemptAt, UnclearRefusals, withoutAddresses, type RetryPolicy } from './retry-policy.ts';
import type { SubmitResult } from './transport.ts';

/** One attempt, judged. */
export interface Judged {
  outcome: Outcome;
  /** A failure about the send (the relay, the path to it): counted by the error-rate pause. */
  aboutSend: boolean;
  /** Set when the relay refused the send: the reason it pauses with. */
  refusal?: string;
}

interface Unclear {
  row: ClaimedRecipient;
  outcome: Outcome;
  startedAt: number;
}

/** The outcomes of one batch's attempts. */
export class BatchOutcomes {
  private readonly unclear: UnclearRefusals<Unclear>;
  /** Outcomes judged again after they were returned (a run of unclear refusals). */
  private readonly rejudged = new Map<number, Outcome>();

  constructor(
    private readonly policy: RetryPolicy,
    private readonly random?: () => number,
  ) {
    this.unclear = new UnclearRefusals(this.limit);
  }

  private get limit(): number {
    return this.policy.unclearRefusalsInARow ?? DEFAULT_UNCLEAR_RUN;
  }

  /** Judges the result of one attempt at `row` of a send started at `startedAt`. */
  judge(row: ClaimedRecipient, messageId: string, result: SubmitResult, startedAt: number, now: number): Judged {
    const base = { id: row.id, messageId, code: result.code, response: result.response };
    if (result.ok) {
      this.unclear.interrupt(row.sendId);
      return { outcome: { ...base, state: 'sent', code: result.code }, aboutSend: false };
    }
    const verdict = judgeRefusal(result);
    // A mailbox status shows the relay judging readers one by one: the unclear refusals before it were theirs.
    // A temporary failure shows nothing either way, and leaves the run as it is.
    if (verdict.kind === 'bounce' || verdict.kind === 'mailbox') this.unclear.interrupt(row.sendId);
    const refusal = (what: string) =>
      `paused: the relay refused ${what}: ${oneLine(withoutAddresses(result.response))} (to ${result.command ?? 'the connection'}); the rows it refused are failed and can be resent; fix the cause, then resume`;
    switch (verdict.kind) {
      case 'bounce':
        return { outcome: { ...base, state: 'bounced' }, aboutSend: false };
      case 'mailbox':
        return { outcome: { ...base, state: 'failed' }, aboutSend: false };
      case 'send':
        return { outcome: { ...base, state: 'failed' }, aboutSend: true, refusal: refusal('the send') };
      case 'unclear': {
        // The reader's bounce for now; failed instead if the run it starts or extends turns out to be the relay refusing the send.
        const outcome: Outcome = { ...base, state: 'bounced' };
        const refused = this.unclear.add(row.sendId, { row, outcome, startedAt });
        for (const u of refused) this.rejudged.set(u.row.id, { ...u.outcome, state: 'failed' });
        if (refused.length === 0) return { outcome, aboutSend: false };
        return { outcome, aboutSend: true, refusal: refusal(`${this.limit} readers in a row without saying why`) };
      }
      case 'retry':
        return { outcome: this.retry(base, row, startedAt, now), aboutSend: verdict.aboutSend };
    }
  }

  /**
   * The outcomes to record, once the batch's attempts are over: as judged, or
   * as judged again. Unclear refusals whose run the batch ended are tried
   * again rather than suppressed on a guess.
   */
  settled(outcomes: readonly Outcome[], now: number): Outcome[] {
    for (const u of this.unclear.open()) this.rejudged.set(u.row.id, this.retry(u.outcome, u.row, u.startedAt, now));
    return outcomes.map((o) => this.rejudged.get(o.id) ?? o);
  }

  private retry(base: Omit<Outcome, 'state' | 'nextAttemptAt'>, row: ClaimedRecipient, startedAt: number, now: number): Outcome {
    const at = nextAttemptAt(this.policy, row.attempts, now, startedAt, this.random);
    return at === null ? { ...base, state: 'failed' } : { ...base, state: 'retry', nextAttemptAt: at };
  }
}

/** A reply of several lines ("550-5.7.1 …" continued) as one line, cut at a length a status line can show. */
function oneLine(reply: string): string {
  const line = reply.replace(/\r?\n\d{3}[ -](?:\d\.\d{1,3}\.\d{1,3} )?/g, ' ').replace(/\s+/g, ' ');
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
