// One SMTP client session to a relay, written for one job: submitting many
// pre-encoded 7-bit messages over one reused connection, fast (it replaced
// nodemailer's SMTPConnection, whose byte-by-byte DATA path was most of the
// worker's time; see smtp-data.ts for how a message is written).
//
// What it speaks: the greeting, EHLO (HELO when EHLO is refused), STARTTLS when
// offered (a refusal is an error, never a fall back to clear text), AUTH PLAIN
// or LOGIN over TLS only unless the relay is on a loopback address or the
// operator allows clear text, PIPELINING of MAIL FROM + RCPT TO + DATA (after
// the previous body) when offered, SIZE= and SMTPUTF8 on MAIL FROM, RSET, QUIT; each reply awaited no
// less than RFC 5321 says (smtp-timeouts.ts). Errors carry the relay's code,
// reply and the command answered, with a `code` of our own (smtp-reply.ts),
// so the retry policy can tell a bounce from a relay that refuses us or a lost
// connection.
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { connectSocket, defaultName, isLoopback, startTls } from './smtp-connect.ts';
import type { MessageData } from './message-bytes.ts';
import { dotStuffed, envelopeLines } from './smtp-data.ts';
import { ehloKeywords, ReplyReader, refused, replyError, SmtpError, type SmtpReply } from './smtp-reply.ts';
import { authenticate } from './smtp-auth.ts';
import { RFC_TIMEOUTS, type SmtpTimeouts } from './smtp-timeouts.ts';

export { ReplyReader, SmtpError, type SmtpReply } from './smtp-reply.ts';
export type { SmtpTimeouts } from './smtp-timeouts.ts';
export { dotStuffed, needsSmtputf8 } from './smtp-data.ts';
export { isLoopback } from './smtp-connect.ts';

export interface SmtpClientOptions {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (smtps://, port 465). */
  secure: boolean;
  /** Refuse a relay certificate that does not verify (false only for a self-signed relay on the same host). */
  rejectUnauthorized: boolean;
  auth?: { user: string; pass: string };
  /**
   * No TLS on a plain connection (SMTP_URL `tls=none`): STARTTLS is not tried
   * even when offered, and credentials may be sent in clear. For a relay the
   * operator reaches over a private path, or whose STARTTLS is broken. Without
   * it, credentials only go over TLS, or in clear to a loopback address.
   */
  plaintext?: boolean;
  /** The name we give in EHLO; by default this host's name when it is qualified, else our address literal. */
  name?: string;
  /** Over RFC 5321's minimums (smtp-timeouts.ts); each reply's wait counts from when we wait for it. */
  timeouts?: Partial<SmtpTimeouts>;
}

const ENVELOPE = ['MAIL FROM', 'RCPT TO', 'DATA'] as const;

interface Waiter {
  resolve(reply: SmtpReply): void;
  reject(err: SmtpError): void;
  timeoutMs: number;
  what: string;
}

/** An open, greeted (and, when asked, secured and authenticated) SMTP session; one message at a time. */
export class SmtpSession {
  /** EHLO keywords (upper case) with their parameters; empty after HELO. */
  readonly extensions = new Map<string, string>();
  /** Set once the connection is lost, timed out, or closed by us: the session must not be reused. */
  broken = false;
  private socket: Socket | TLSSocket;
  private readonly reader = new ReplyReader();
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  /** A body written but held back in the socket, to leave with the next envelope. */
  private corked = false;
  /** close() was called with replies still awaited: QUIT once they are in. */
  private quitWhenAnswered = false;
  private readonly timeouts: SmtpTimeouts;
  private readonly onData = (chunk: Buffer) => this.received(chunk);
  private readonly offersKeyword = (keyword: string) => this.offers(keyword);
  /** Whether the relay offered PIPELINING (read once per EHLO: asked twice per message). */
  private pipelining = false;
  /** The waits for the three replies of a pipelined envelope. */
  private readonly envelopeWaits: ReadonlyArray<readonly [string, number]>;
  /** Where the TCP connection goes, read once connected (a destroyed socket forgets it). */
  private readonly remoteAddress: string | undefined;

  private constructor(
    socket: Socket,
    private readonly options: SmtpClientOptions,
  ) {
    this.socket = socket;
    this.remoteAddress = socket.remoteAddress;
    this.timeouts = { ...RFC_TIMEOUTS, ...options.timeouts };
    this.envelopeWaits = [
      ['MAIL FROM', this.timeouts.commandMs],
      ['RCPT TO', this.timeouts.commandMs],
      ['DATA', this.timeouts.dataStartMs],
    ];
    this.watch(socket);
    socket.on('data', this.onData);
  }

  /** Connects, reads the greeting, says EHLO, upgrades with STARTTLS when offered, authenticates when credentials are given. */
  static async open(options: SmtpClientOptions): Promise<SmtpSession> {
    const socket = await connectSocket(options, { ...RFC_TIMEOUTS, ...options.timeouts }.connectMs);
    const session = new SmtpSession(socket, options);
    try {
      await session.handshake();
      return session;
    } catch (err) {
      session.destroy();
      throw err;
    }
  }

  /** Whether the relay offered this EHLO keyword. */
  offers(keyword: string): boolean {
    return this.extensions.has(keyword.toUpperCase());
  }

  private async handshake(): Promise<void> {
    const greeting = await this.expectReply('CONN', this.timeouts.greetingMs);
    if (greeting.code !== 220) throw replyError('the relay refused the connection', 'EPROTOCOL', 'CONN', greeting);
    await this.hello();
    let encrypted = this.options.secure;
    if (!encrypted && !this.options.plaintext && this.offers('STARTTLS')) {
      this.write('STARTTLS\r\n');
      const reply = await this.expectReply('STARTTLS');
      // Going on in clear after a refusal would send the password (AUTH) in
      // clear to a relay that expects TLS. Without credentials too: a relay
      // that offers STARTTLS normally encrypts, so a refusal is a fault of
      // its own (454: "TLS not available due to temporary reason", RFC 3207)
      // or someone in the path; the readers' messages wait for a retry
      // rather than cross in clear. The operator who wants clear text says
      // so with tls=none, which does not try STARTTLS at all.
      if (reply.code !== 220) throw replyError('the relay offered STARTTLS then refused it; not going on without TLS', 'ETLS', 'STARTTLS', reply);
      await this.upgrade();
      await this.hello();
      encrypted = true;
    }
    if (!this.options.auth) return;
    // No STARTTLS offered (or the offer stripped from EHLO by someone in the
    // path): the credentials would cross the network readable. A loopback
    // relay's bytes never leave this host, so it is spared.
    if (!encrypted && !this.options.plaintext && !isLoopback(this.remoteAddress)) {
      throw new SmtpError(
        `the relay ${this.options.host}:${this.options.port} does not offer STARTTLS: credentials are not sent without TLS (tls=none on SMTP_URL allows it, for a private path)`,
        'ETLS',
        { command: 'EHLO' },
      );
    }
    await authenticate({ write: (line) => this.write(line), expectReply: (what) => this.expectReply(what) }, this.extensions.get('AUTH') ?? '', this.options.auth);
  }

  private async hello(): Promise<void> {
    const name = this.options.name ?? defaultName(this.socket);
    this.extensions.clear();
    this.pipelining = false;
    this.write(`EHLO ${name}\r\n`);
    const ehlo = await this.expectReply('EHLO');
    if (ehlo.code === 250) {
      for (const [key, params] of ehloKeywords(ehlo)) this.extensions.set(key, params);
      this.pipelining = this.extensions.has('PIPELINING');
      return;
    }
    if (ehlo.code < 500) throw replyError('the relay refused EHLO', 'EPROTOCOL', 'EHLO', ehlo);
    this.write(`HELO ${name}\r\n`);
    const helo = await this.expectReply('HELO');
    if (helo.code !== 250) throw replyError('the relay refused HELO', 'EPROTOCOL', 'HELO', helo);
  }

  private async upgrade(): Promise<void> {
    const plain = this.socket as Socket;
    plain.off('data', this.onData);
    // Bytes that came in clear after the 220 could be an attacker's: dropped.
    this.reader.clear();
    const secure = await startTls(plain, this.options, this.timeouts.connectMs);
    this.socket = secure;
    this.watch(secure);
    secure.on('data', this.onData);
  }

  /**
   * Submits one message: the envelope (pipelined when the relay offers
   * PIPELINING), then the dot-stuffed message. Resolves with the relay's reply
   * to the end of DATA (2xx); rejects with an SmtpError otherwise. After a
   * refusal with a code the session is in a known state and `reset()` makes it
   * ready for the next message. `mayWriteBody`, asked once the relay said 354,
   * may still withdraw the message (EWITHDRAWN): the connection is dropped
   * without the final dot, so the relay discards the message.
   *
   * With PIPELINING, `handOn` is called once the body is written, before its
   * reply: true when the caller gave the session to a waiting message, whose
   * envelope then leaves in the same write (RFC 2920, 3.1: the content may
   * open a group). Replies are taken in order (this end of DATA first), and
   * the next body goes only after its own 354 (README, The SMTP client).
   */
  async send(envelope: { from: string; to: string }, raw: MessageData, mayWriteBody?: () => boolean, handOn?: () => boolean): Promise<SmtpReply> {
    if (this.broken) throw new SmtpError('the connection to the relay is closed', 'ECONNECTION');
    if (this.busy) throw new Error('an SMTP session sends one message at a time');
    const { mail, rcpt } = envelopeLines(this.offersKeyword, envelope, raw);
    this.busy = true;
    // Whether this message still holds the session (not yet handed on).
    let holding = true;
    try {
      if (this.pipelining) {
        this.write(mail + rcpt + 'DATA\r\n');
        // All three replies are awaited before any is judged, so that none is
        // left to be taken for the answer to a later command; then judged in
        // order: a refused RCPT is reported as such even when the relay hung up
        // before answering DATA (as it does after a 421).
        const settled = await this.expectEach(this.envelopeWaits);
        const data = settled[2];
        for (const [i, command] of ENVELOPE.entries()) {
          const s = settled[i]!;
          if (s instanceof Error) throw s;
          const refusal = refused(command, s);
          if (!refusal) continue;
          // A relay that answers 354 though it refused the envelope gets an
          // empty message (RFC 2920, 3.1), never the body; the refusal stands.
          if (!(data instanceof Error) && data?.code === 354) {
            this.write('.\r\n');
            await this.expectReply('DATA', this.timeouts.dataEndMs);
          }
          throw refusal;
        }
      } else {
        for (const [command, line] of [
          ['MAIL FROM', mail],
          ['RCPT TO', rcpt],
          ['DATA', 'DATA\r\n'],
        ] as const) {
          this.write(line);
          const refusal = refused(command, await this.expectReply(command, command === 'DATA' ? this.timeouts.dataStartMs : this.timeouts.commandMs));
          if (refusal) throw refusal;
        }
      }
      if (mayWriteBody && !mayWriteBody()) {
        this.destroy();
        throw new SmtpError('the message was withdrawn before it was written', 'EWITHDRAWN');
      }
      // Corked: the stuffed slices and the terminator leave in one writev, with the next envelope when one follows.
      this.socket.cork();
      this.corked = true;
      for (const b of dotStuffed(raw)) this.socket.write(b);
      // Awaited before the session is handed on: the next message's replies come after this one's.
      const ending = this.expectReply('DATA', this.timeouts.dataEndMs);
      if (this.pipelining && handOn) {
        holding = false;
        this.busy = false;
        if (handOn()) setImmediate(() => this.flush());
        else this.flush();
      } else this.flush();
      const end = await ending;
      if (end.code < 200 || end.code >= 300) throw replyError('the relay refused the message', 'EMESSAGE', 'DATA', end);
      return end;
    } finally {
      if (holding) this.busy = false;
    }
  }

  /** The largest message the relay takes (EHLO SIZE, RFC 1870), or undefined when it states no limit. */
  get maxSize(): number | undefined {
    const n = Number((this.extensions.get('SIZE') ?? '').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  }

  /** Back to a clean state after a refused envelope or message (RSET). */
  async reset(): Promise<void> {
    if (this.broken) throw new SmtpError('the connection to the relay is closed', 'ECONNECTION');
    this.write('RSET\r\n');
    const reply = await this.expectReply('RSET');
    if (reply.code !== 250) throw replyError('the relay refused RSET', 'EPROTOCOL', 'RSET', reply);
  }

  /**
   * Says QUIT and closes without waiting for the relay's answer to it; the
   * socket is destroyed if the relay does not close it soon. A message
   * already written (handed on) still gets its reply first: QUIT follows it.
   */
  close(): void {
    if (this.broken) return;
    this.broken = true;
    if (this.waiters.length) this.quitWhenAnswered = true;
    else this.quit();
  }

  private quit(): void {
    this.quitWhenAnswered = false;
    const socket = this.socket;
    socket.end('QUIT\r\n');
    setTimeout(() => socket.destroy(), 2_000).unref();
  }

  /** Closes at once, without QUIT. */
  destroy(): void {
    this.broken = true;
    this.failWaiters(new SmtpError('the session was closed', 'ECONNECTION'));
    this.socket.destroy();
  }

  private watch(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on('error', (err: NodeJS.ErrnoException) => this.lost(new SmtpError(`the connection to the relay was lost (${err.code ?? err.message})`, 'ECONNECTION')));
    socket.on('close', () => this.lost(new SmtpError('the relay closed the connection', 'ECONNECTION')));
  }

  private lost(err: SmtpError): void {
    this.broken = true;
    this.failWaiters(err);
    this.socket.destroy();
  }

  private failWaiters(err: SmtpError): void {
    this.stopTimer();
    for (const w of this.waiters.splice(0)) w.reject(Object.assign(new SmtpError(err.message, err.code), { command: w.what }));
  }

  private write(text: string): void {
    // UTF-8 for an SMTPUTF8 address; every other command is ASCII.
    this.socket.write(text, 'utf8');
    // After a body still corked (handed on): both leave now, in one writev.
    this.flush();
  }

  /** Writes what is corked, once. */
  private flush(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }

  /**
   * The replies to pipelined commands, in order, each the reply or the error
   * that ended its wait: one promise for them all, as they are judged together.
   */
  private expectEach(waits: ReadonlyArray<readonly [string, number]>): Promise<Array<SmtpReply | SmtpError>> {
    if (this.broken) return Promise.resolve(waits.map(([what]) => new SmtpError('the connection to the relay is closed', 'ECONNECTION', { command: what })));
    return new Promise((resolve) => {
      const settled: Array<SmtpReply | SmtpError> = [];
      let left = waits.length;
      const settle = (i: number, outcome: SmtpReply | SmtpError) => {
        settled[i] = outcome;
        if (--left === 0) resolve(settled);
      };
      const idle = this.waiters.length === 0;
      for (const [i, [what, timeoutMs]] of waits.entries()) this.waiters.push({ resolve: (r) => settle(i, r), reject: (e) => settle(i, e), timeoutMs, what });
      if (idle) this.startTimer();
    });
  }

  private expectReply(what: string, timeoutMs = this.timeouts.commandMs): Promise<SmtpReply> {
    if (this.broken) return Promise.reject(new SmtpError('the connection to the relay is closed', 'ECONNECTION', { command: what }));
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject, timeoutMs, what });
      if (this.waiters.length === 1) this.startTimer();
    });
  }

  private received(chunk: Buffer): void {
    let replies: SmtpReply[];
    try {
      replies = this.reader.push(chunk);
    } catch (err) {
      return this.lost(err as SmtpError);
    }
    for (const reply of replies) {
      const waiter = this.waiters.shift();
      if (!waiter) {
        // A reply nobody asked for (often a 421 before the relay hangs up):
        // the conversation is out of step, so the session ends.
        return this.lost(replyError('the relay sent a reply to no command', reply.code === 421 ? 'ECONNECTION' : 'EPROTOCOL', 'NONE', reply));
      }
      if (reply.code === 421) this.broken = true;
      waiter.resolve(reply);
    }
    if (replies.length) {
      this.stopTimer();
      if (this.waiters.length) this.startTimer();
      else if (this.quitWhenAnswered) this.quit();
    }
  }

  private startTimer(): void {
    const head = this.waiters[0];
    if (!head) return;
    this.timer = setTimeout(() => {
      const err = new SmtpError(`the relay did not answer ${head.what} within ${head.timeoutMs} ms`, 'ETIMEDOUT', { command: head.what });
      this.broken = true;
      const waiters = this.waiters.splice(0);
      for (const w of waiters) w.reject(w === head ? err : new SmtpError(err.message, 'ETIMEDOUT', { command: w.what }));
      this.socket.destroy();
    }, head.timeoutMs);
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}


