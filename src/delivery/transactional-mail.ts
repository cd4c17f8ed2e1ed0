// The audience's one-off mails (confirmation, welcome, "already subscribed")
// through the delivery transport, like a send's messages: the same relays and
// their options (tls=none, tls=insecure, rate, pool), the same DKIM signature,
// a signed return path, and the outbox's index when no relay is set. They go
// ahead of list messages waiting in the pool (`transactional`): a reader who
// just asked for a confirmation link does not wait behind a morning send.
//
// A refusal is judged by the retry policy as for a send (judgeRefusal), but
// never touches the ledger nor the suppression list: a status that names the
// reader's mailbox (gone, disabled, full: the reader mistyped it, or a stranger
// typed a dead address) is logged and the mail given up; anything temporary,
// the relay refusing us or the message, or a refusal that does not say why, is
// thrown for the caller to show.
import { createHash, randomBytes } from 'node:crypto';
import type { Mail, Mailer } from '../audience/mailer.ts';
import type { Clock } from '../clock.ts';
import type { DkimSigner, HeaderLine } from './dkim.ts';
import { judgeRefusal, withoutAddresses } from './retry-policy.ts';
import type { ReturnPaths } from './return-path.ts';
import type { OutgoingMessage, SubmitResult, Transport } from './transport.ts';
import type { DeliveryLogger } from './worker-batch.ts';

export interface TransactionalDeps {
  transport: Transport;
  /** Domain of the Message-ID and of the return path (mailDomainOf). */
  mailDomain: string;
  dkim?: DkimSigner;
  returnPaths: ReturnPaths;
  clock: Clock;
  logger: DeliveryLogger;
}

/** Thrown when a transactional mail could not be sent now; the relay's answer is kept (never the address). */
export class MailNotSentError extends Error {
  readonly relayCode: number | null;
  constructor(
    readonly messageId: string,
    result: Extract<SubmitResult, { ok: false }>,
  ) {
    super(`the mail ${messageId} was not sent: ${withoutAddresses(result.response)}`);
    this.relayCode = result.code;
  }
}

/** The envelope address of `to`: the part in angle brackets when there is one. */
function addressOf(to: string): string {
  return (/<([^<>]+)>\s*$/.exec(to)?.[1] ?? to).trim();
}

/** One transactional mail as the transport takes it: MIME-encoded, 7-bit, CRLF, DKIM-signed when a key is set. */
export async function transactionalMessage(mail: Mail, deps: Pick<TransactionalDeps, 'mailDomain' | 'dkim' | 'returnPaths'>, now: number): Promise<OutgoingMessage> {
  const key = randomBytes(8).toString('hex');
  const messageId = `t.${key}.matinale@${deps.mailDomain}`;
  // The SMTP client wants CRLF line ends; the composer leaves the parts' own newlines as given.
  const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');
  // Nodemailer's composer (a dozen CommonJS files) loads with the first transactional mail, not with every worker.
  const { default: MailComposer } = await import('nodemailer/lib/mail-composer/index.js');
  const composer = new MailComposer({
    from: mail.from,
    to: mail.to,
    ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    subject: mail.subject,
    text: crlf(mail.text),
    ...(mail.html ? { html: crlf(mail.html) } : {}),
    headers: mail.headers ?? {},
    messageId: `<${messageId}>`,
    date: new Date(now),
  });
  const built = crlf((await composer.compile().build()).toString('latin1'));
  // Names and text are encoded; only an address with a UTF-8 local part stays 8-bit, which needs SMTPUTF8 all the way.
  if (/[^\t\r\n\x20-\x7e]/.test(built)) {
    throw new Error(`the mail "${mail.subject}" has an address with a non-ASCII local part in From, Reply-To or To: transactional mails are sent without SMTPUTF8, use an ASCII address`);
  }
  const split = built.indexOf('\r\n\r\n');
  const head = built.slice(0, split + 2);
  // Simple body canonicalization hashes the body as sent: one CRLF at its end, no empty lines after.
  const body = built.slice(split + 4).replace(/(\r\n)*$/, '\r\n');
  const signature = deps.dkim ? deps.dkim.signatureHeader(headerLines(head), createHash('sha256').update(body, 'latin1'), now) : '';
  return {
    from: deps.returnPaths.addressForMail(key),
    to: addressOf(mail.to),
    raw: Buffer.from(`${signature}${head}\r\n${body}`, 'latin1'),
    messageId,
    transactional: true,
  };
}

/** The header lines of a message head (folded values kept as written). */
function headerLines(head: string): HeaderLine[] {
  const lines: HeaderLine[] = [];
  for (const line of head.split('\r\n')) {
    if (line === '') continue;
    const last = lines[lines.length - 1];
    if (/^[ \t]/.test(line) && last) last.value += `\r\n${line}`;
    else {
      const colon = line.indexOf(':');
      lines.push({ name: line.slice(0, colon), value: line.slice(colon + 1).replace(/^ /, '') });
    }
  }
  return lines;
}

/** The audience's mailer over the delivery transport. */
export function transactionalMailer(deps: TransactionalDeps): Mailer {
  return {
    async send(mail) {
      const message = await transactionalMessage(mail, deps, deps.clock.now());
      const result = await deps.transport.submit(message);
      if (result.ok) return;
      const verdict = judgeRefusal(result).kind;
      if (verdict === 'bounce' || verdict === 'mailbox') {
        // The reader's mailbox refused it: no ledger row, no suppression (nobody consented yet, or the
        // subscription is days old); the pending subscription is purged unconfirmed in time.
        deps.logger.warn({ mail: message.messageId, code: result.code, response: withoutAddresses(result.response) }, 'transactional mail refused by the reader’s mailbox');
        return;
      }
      // 'unclear' too: a bare 5xx may be the relay refusing every mail (no relaying for us), which must not pass silently.
      throw new MailNotSentError(message.messageId, result);
    },
  };
}
