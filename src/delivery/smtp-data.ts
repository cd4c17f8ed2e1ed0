// The bytes of a message on the wire: its DATA (dot-stuffed, message-bytes.ts)
// and the parameters of its MAIL FROM.
import { SmtpError } from './smtp-reply.ts';
import type { MessageData } from './message-bytes.ts';

export { dotStuffed } from './message-bytes.ts';

/**
 * Whether a message needs SMTPUTF8: an envelope address or a header outside
 * ASCII (RFC 6531/6532). Only the headers are looked at: the bodies this
 * platform writes are quoted-printable, 7-bit.
 */
export function needsSmtputf8(envelope: { from: string; to: string }, raw: MessageData): boolean {
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(envelope.from + envelope.to)) return true;
  // A spliced message knows it from its template and values: its headers are not read again per message.
  if (!Buffer.isBuffer(raw)) return raw.utf8Headers;
  const end = raw.indexOf('\r\n\r\n');
  return /[\x80-\xff]/.test(raw.toString('latin1', 0, end < 0 ? raw.length : end));
}

/**
 * The MAIL FROM and RCPT TO lines of a message, with their CRLF. An address
 * with a line break, a control character or a bracket is refused
 * (EENVELOPE): it would let an address write commands of its own.
 */
export function envelopeLines(offers: (keyword: string) => boolean, envelope: { from: string; to: string }, raw: MessageData): { mail: string; rcpt: string } {
  for (const [address, command] of [
    [envelope.from, 'MAIL FROM'],
    [envelope.to, 'RCPT TO'],
  ] as const) {
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x1f\x7f<>]/.test(address)) throw new SmtpError(`invalid address ${JSON.stringify(address)}`, 'EENVELOPE', { command });
  }
  return { mail: `MAIL FROM:<${envelope.from}>${mailParameters(offers, envelope, raw)}\r\n`, rcpt: `RCPT TO:<${envelope.to}>\r\n` };
}

/**
 * The parameters of a message's MAIL FROM: its size where the relay takes
 * SIZE (RFC 1870: octets, CRLFs counted, before dot-stuffing), so that a
 * relay refuses a message too big before any byte of it; SMTPUTF8 (with
 * BODY=8BITMIME when offered) for a message whose envelope or headers are
 * UTF-8. A relay without SMTPUTF8 would mangle such a message: refused here,
 * before any command is sent.
 */
export function mailParameters(offers: (keyword: string) => boolean, envelope: { from: string; to: string }, raw: MessageData): string {
  let params = '';
  if (offers('SIZE')) params += ` SIZE=${raw.length}`;
  if (needsSmtputf8(envelope, raw)) {
    if (!offers('SMTPUTF8')) {
      throw new SmtpError('the message has a UTF-8 address (in its envelope or headers) and the relay does not offer SMTPUTF8', 'EMESSAGE', { command: 'MAIL FROM' });
    }
    params += offers('8BITMIME') ? ' BODY=8BITMIME SMTPUTF8' : ' SMTPUTF8';
  }
  return params;
}
