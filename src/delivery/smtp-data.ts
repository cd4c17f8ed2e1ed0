// The bytes of a message on the wire: a message's Buffer is scanned for "\n."
// with Buffer.indexOf (nearly always absent: the template is quoted-printable)
// and written as slices of itself plus the terminator in one writev, uncopied;
// and the parameters of its MAIL FROM.
import { SmtpError } from './smtp-reply.ts';

const DOT = Buffer.from('.', 'latin1');
const DOT_CRLF = Buffer.from('.\r\n', 'latin1');
const CRLF_DOT_CRLF = Buffer.from('\r\n.\r\n', 'latin1');

/**
 * The DATA bytes of a message as slices of it: a dot before every line that
 * begins with one (the first line too), then the terminator. No byte of the
 * message is copied; a message without "\n." is one slice. Lines are stuffed
 * after any LF, as relays (and smtp-server) read a bare LF as a line end.
 */
export function dotStuffed(raw: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  if (raw.length > 0 && raw[0] === 0x2e) out.push(DOT);
  for (let at = raw.indexOf('\n.', 0, 'latin1'); at >= 0; at = raw.indexOf('\n.', at + 2, 'latin1')) {
    out.push(raw.subarray(from, at + 1), DOT);
    from = at + 1;
  }
  if (from < raw.length) out.push(raw.subarray(from));
  const endsWithCrlf = raw.length >= 2 && raw[raw.length - 2] === 0x0d && raw[raw.length - 1] === 0x0a;
  out.push(endsWithCrlf ? DOT_CRLF : CRLF_DOT_CRLF);
  return out;
}

/**
 * Whether a message needs SMTPUTF8: an envelope address or a header outside
 * ASCII (RFC 6531/6532). Only the headers are looked at: the bodies this
 * platform writes are quoted-printable, 7-bit.
 */
export function needsSmtputf8(envelope: { from: string; to: string }, raw: Buffer): boolean {
  const end = raw.indexOf('\r\n\r\n');
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(envelope.from + envelope.to) || /[\x80-\xff]/.test(raw.toString('latin1', 0, end < 0 ? raw.length : end));
}

/**
 * The parameters of a message's MAIL FROM: its size where the relay takes
 * SIZE (RFC 1870: octets, CRLFs counted, before dot-stuffing), so that a
 * relay refuses a message too big before any byte of it; SMTPUTF8 (with
 * BODY=8BITMIME when offered) for a message whose envelope or headers are
 * UTF-8. A relay without SMTPUTF8 would mangle such a message: refused here,
 * before any command is sent.
 */
export function mailParameters(offers: (keyword: string) => boolean, envelope: { from: string; to: string }, raw: Buffer): string {
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
