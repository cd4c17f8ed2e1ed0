// What a relay says and what goes wrong with it: the error every SMTP failure
// is (our code, the relay's code and reply, the command answered), and the
// reader that cuts a connection's bytes into whole replies.

/**
 * What went wrong, in the shape the pool classifies: `code` is ours
 * (ECONNECTION, ETIMEDOUT, ETLS, EAUTH, EPROTOCOL, EENVELOPE, EMESSAGE),
 * `responseCode` and `response` are the relay's when it answered, `command`
 * is what it answered to (CONN, EHLO, HELO, STARTTLS, AUTH PLAIN, AUTH LOGIN,
 * MAIL FROM, RCPT TO, DATA, RSET).
 */
export class SmtpError extends Error {
  code: string;
  responseCode?: number;
  response?: string;
  command?: string;
  constructor(message: string, code: string, fields: { responseCode?: number; response?: string; command?: string } = {}) {
    super(message);
    this.name = 'SmtpError';
    this.code = code;
    if (fields.responseCode !== undefined) this.responseCode = fields.responseCode;
    if (fields.response !== undefined) this.response = fields.response;
    if (fields.command !== undefined) this.command = fields.command;
  }
}

/** One complete reply: its code and its lines as received (without CRLF). */
export interface SmtpReply {
  code: number;
  /** The text of each line after the code and its separator. */
  lines: string[];
  /** The whole reply, lines joined by "\n": what the ledger keeps. */
  text: string;
}

/** Far beyond any real reply line (RFC 5321: 512): a peer sending more is not a relay. */
const MAX_LINE = 64 * 1024;
const NOTHING = Buffer.alloc(0);

/**
 * Cuts the bytes of a connection into replies, whatever the TCP chunks:
 * a reply may arrive split anywhere (even byte by byte), several may arrive
 * in one chunk, and a multi-line reply ("250-…" lines, then "250 …") is one.
 */
export class ReplyReader {
  private pending: Buffer = NOTHING;
  private lines: string[] = [];

  /** Feeds received bytes; returns the replies they complete, in order. */
  push(chunk: Buffer): SmtpReply[] {
    const buffer = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const replies: SmtpReply[] = [];
    let start = 0;
    for (;;) {
      const eol = buffer.indexOf(0x0a, start);
      if (eol < 0) break;
      const end = eol > start && buffer[eol - 1] === 0x0d ? eol - 1 : eol;
      const line = buffer.toString('utf8', start, end);
      start = eol + 1;
      if (!/^[2-5]\d\d(?:[ -]|$)/.test(line)) throw new SmtpError(`the relay sent a line that is not an SMTP reply: ${JSON.stringify(line.slice(0, 80))}`, 'EPROTOCOL');
      this.lines.push(line);
      // "250-" continues the reply; "250 " or a bare "250" ends it.
      if (line[3] === '-') continue;
      const lines = this.lines;
      this.lines = [];
      // Nearly every reply is one line (each of a message's four): no join for it.
      const text = lines.length === 1 ? line : lines.join('\n');
      replies.push({ code: Number(line.slice(0, 3)), lines: lines.map((l) => l.slice(4)), text });
    }
    if (buffer.length - start > MAX_LINE) throw new SmtpError(`the relay sent a line longer than ${MAX_LINE} bytes`, 'EPROTOCOL');
    // Copied, so that a big chunk is not kept alive by a few leftover bytes.
    this.pending = start >= buffer.length ? NOTHING : Buffer.from(buffer.subarray(start));
    return replies;
  }

  /** Forgets what was received and not yet a reply (after STARTTLS nothing sent in clear may be believed). */
  clear(): void {
    this.pending = NOTHING;
    this.lines = [];
  }
}

/** The keywords of an EHLO reply (upper case) with their parameters. */
export function ehloKeywords(ehlo: SmtpReply): Map<string, string> {
  const keywords = new Map<string, string>();
  for (const line of ehlo.lines.slice(1)) {
    const [keyword, ...rest] = line.trim().split(/[ =]/);
    if (!keyword) continue;
    const key = keyword.toUpperCase();
    // Some relays list AUTH twice ("AUTH PLAIN", "AUTH=LOGIN"): the methods add up.
    const before = keywords.get(key);
    const params = rest.join(' ').toUpperCase();
    keywords.set(key, before ? `${before} ${params}` : params);
  }
  return keywords;
}

/** The error for a reply that refuses a step. */
export function replyError(message: string, code: string, command: string, reply: SmtpReply): SmtpError {
  return new SmtpError(`${message}: ${reply.text}`, code, { responseCode: reply.code, response: reply.text, command });
}

/** The error for a reply that refuses a step of the envelope, if it does. */
export function refused(command: 'MAIL FROM' | 'RCPT TO' | 'DATA', reply: SmtpReply): SmtpError | undefined {
  if (command === 'MAIL FROM') return reply.code === 250 ? undefined : replyError('the relay refused the sender', 'EENVELOPE', command, reply);
  if (command === 'RCPT TO') return reply.code === 250 || reply.code === 251 ? undefined : replyError('the relay refused the recipient', 'EENVELOPE', command, reply);
  return reply.code === 354 ? undefined : replyError('the relay refused DATA', 'EMESSAGE', command, reply);
}
