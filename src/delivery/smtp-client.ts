// One SMTP client session to a relay, written for one job: submitting many
// pre-encoded 7-bit messages over one reused connection, fast. It replaces
// nodemailer's SMTPConnection in the pool, whose DATA path (a byte-by-byte
// dot-stuffing transform, then many small socket writes) was most of the
// worker's time. Here a message's Buffer is scanned for "\n." with
// Buffer.indexOf (nearly always absent: the template is quoted-printable) and
// written as slices of itself plus the terminator in one writev, uncopied.
//
// What it speaks: the greeting, EHLO (HELO when EHLO is refused), STARTTLS when
// offered (a refusal is an error, never a fall back to clear text), AUTH PLAIN
// or LOGIN when credentials are given, over TLS only unless the relay is on a
// loopback address or the operator allows clear text, PIPELINING of
// MAIL FROM + RCPT TO + DATA when offered, RSET, QUIT. Errors carry the
// relay's code and reply and the command they answer (`responseCode`,
// `response`, `command`), with a `code` of our own, so the pool can tell a
// bounce from a relay that refuses us or a lost connection.
import { BlockList, connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { hostname } from 'node:os';

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
  timeouts?: Partial<SmtpTimeouts>;
}

export interface SmtpTimeouts {
  connectMs: number;
  greetingMs: number;
  /** How long any later reply may take, counted from when we wait for it. */
  replyMs: number;
}

const DEFAULT_TIMEOUTS: SmtpTimeouts = { connectMs: 30_000, greetingMs: 30_000, replyMs: 120_000 };

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

/**
 * Cuts the bytes of a connection into replies, whatever the TCP chunks:
 * a reply may arrive split anywhere (even byte by byte), several may arrive
 * in one chunk, and a multi-line reply ("250-…" lines, then "250 …") is one.
 */
export class ReplyReader {
  private pending: Buffer = Buffer.alloc(0);
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
      replies.push({ code: Number(line.slice(0, 3)), lines: lines.map((l) => l.slice(4)), text: lines.join('\n') });
    }
    if (buffer.length - start > MAX_LINE) throw new SmtpError(`the relay sent a line longer than ${MAX_LINE} bytes`, 'EPROTOCOL');
    // Copied, so that a big chunk is not kept alive by a few leftover bytes.
    this.pending = start >= buffer.length ? Buffer.alloc(0) : Buffer.from(buffer.subarray(start));
    return replies;
  }

  /** Forgets what was received and not yet a reply (after STARTTLS nothing sent in clear may be believed). */
  clear(): void {
    this.pending = Buffer.alloc(0);
    this.lines = [];
  }
}

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
  private readonly timeouts: SmtpTimeouts;
  private readonly onData = (chunk: Buffer) => this.received(chunk);
  /** Where the TCP connection goes, read once connected (a destroyed socket forgets it). */
  private readonly remoteAddress: string | undefined;

  private constructor(
    socket: Socket,
    private readonly options: SmtpClientOptions,
  ) {
    this.socket = socket;
    this.remoteAddress = socket.remoteAddress;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.watch(socket);
    socket.on('data', this.onData);
  }

  /** Connects, reads the greeting, says EHLO, upgrades with STARTTLS when offered, authenticates when credentials are given. */
  static async open(options: SmtpClientOptions): Promise<SmtpSession> {
    const socket = await connectSocket(options, { ...DEFAULT_TIMEOUTS, ...options.timeouts }.connectMs);
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
    await this.authenticate(this.options.auth);
  }

  private async hello(): Promise<void> {
    const name = this.options.name ?? defaultName(this.socket);
    this.extensions.clear();
    this.write(`EHLO ${name}\r\n`);
    const ehlo = await this.expectReply('EHLO');
    if (ehlo.code === 250) {
      for (const line of ehlo.lines.slice(1)) {
        const [keyword, ...rest] = line.trim().split(/[ =]/);
        if (!keyword) continue;
        const key = keyword.toUpperCase();
        // Some relays list AUTH twice ("AUTH PLAIN", "AUTH=LOGIN"): the methods add up.
        const before = this.extensions.get(key);
        const params = rest.join(' ').toUpperCase();
        this.extensions.set(key, before ? `${before} ${params}` : params);
      }
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
    const limitMs = this.timeouts.connectMs;
    const secure = await new Promise<TLSSocket>((resolve, reject) => {
      const s = tlsConnect({
        socket: plain,
        host: this.options.host,
        ...(isIP(this.options.host) ? {} : { servername: this.options.host }),
        rejectUnauthorized: this.options.rejectUnauthorized,
      });
      // No reply is awaited during the handshake, so no reply timer runs: a
      // relay that said 220 and then stays silent would hold open() (and the
      // worker's shutdown) forever. The handshake gets the connection's time,
      // as it does for smtps://, and the sockets are destroyed when it runs out.
      const timer = setTimeout(() => {
        s.destroy();
        plain.destroy();
        reject(new SmtpError(`the TLS handshake with the relay did not finish within ${limitMs} ms`, 'ETIMEDOUT', { command: 'STARTTLS' }));
      }, limitMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        s.destroy();
        reject(new SmtpError(`TLS negotiation with the relay failed: ${err.message}`, 'ETLS', { command: 'STARTTLS' }));
      };
      s.once('error', fail);
      s.once('secureConnect', () => {
        clearTimeout(timer);
        s.off('error', fail);
        resolve(s);
      });
    });
    this.socket = secure;
    this.watch(secure);
    secure.on('data', this.onData);
  }

  private async authenticate(auth: { user: string; pass: string }): Promise<void> {
    const methods = new Set((this.extensions.get('AUTH') ?? '').split(/\s+/));
    // The password is only ever written to the socket, never into an error or a log.
    if (methods.has('PLAIN') || !methods.has('LOGIN')) {
      this.write(`AUTH PLAIN ${Buffer.from(`\0${auth.user}\0${auth.pass}`, 'utf8').toString('base64')}\r\n`);
      const reply = await this.expectReply('AUTH PLAIN');
      if (reply.code !== 235) throw replyError('the relay refused our credentials', 'EAUTH', 'AUTH PLAIN', reply);
      return;
    }
    this.write('AUTH LOGIN\r\n');
    let reply = await this.expectReply('AUTH LOGIN');
    for (const secret of [auth.user, auth.pass]) {
      if (reply.code !== 334) throw replyError('the relay refused our credentials', 'EAUTH', 'AUTH LOGIN', reply);
      this.write(`${Buffer.from(secret, 'utf8').toString('base64')}\r\n`);
      reply = await this.expectReply('AUTH LOGIN');
    }
    if (reply.code !== 235) throw replyError('the relay refused our credentials', 'EAUTH', 'AUTH LOGIN', reply);
  }

  /**
   * Submits one message: the envelope (pipelined when the relay offers
   * PIPELINING), then the dot-stuffed message. Resolves with the relay's reply
   * to the end of DATA (2xx); rejects with an SmtpError otherwise. After a
   * refusal with a code the session is in a known state and `reset()` makes it
   * ready for the next message. `mayWriteBody`, asked once the relay said 354,
   * may still withdraw the message (EWITHDRAWN): the connection is dropped
   * without the final dot, so the relay discards the message.
   */
  async send(envelope: { from: string; to: string }, raw: Buffer, mayWriteBody?: () => boolean): Promise<SmtpReply> {
    if (this.broken) throw new SmtpError('the connection to the relay is closed', 'ECONNECTION');
    if (this.busy) throw new Error('an SMTP session sends one message at a time');
    for (const address of [envelope.from, envelope.to]) {
      // A line break or bracket would let an address write commands of its own.
      if (/[\r\n<>]/.test(address)) throw new SmtpError(`invalid address ${JSON.stringify(address)}`, 'EENVELOPE', { command: address === envelope.from ? 'MAIL FROM' : 'RCPT TO' });
    }
    this.busy = true;
    try {
      const mail = `MAIL FROM:<${envelope.from}>\r\n`;
      const rcpt = `RCPT TO:<${envelope.to}>\r\n`;
      if (this.offers('PIPELINING')) {
        this.write(mail + rcpt + 'DATA\r\n');
        // All three replies are awaited before any is judged, so that none is
        // left to be taken for the answer to a later command; then judged in
        // order: a refused RCPT is reported as such even when the relay hung up
        // before answering DATA (as it does after a 421).
        const settled = await Promise.allSettled([this.expectReply('MAIL FROM'), this.expectReply('RCPT TO'), this.expectReply('DATA')]);
        const data = settled[2].status === 'fulfilled' ? settled[2].value : undefined;
        for (const [i, command] of (['MAIL FROM', 'RCPT TO', 'DATA'] as const).entries()) {
          const s = settled[i]!;
          if (s.status === 'rejected') throw s.reason;
          const refusal = refused(command, s.value);
          if (!refusal) continue;
          // A relay that answers 354 though it refused the envelope gets an
          // empty message (RFC 2920, 3.1), never the body; the refusal stands.
          if (data?.code === 354) {
            this.write('.\r\n');
            await this.expectReply('DATA');
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
          const refusal = refused(command, await this.expectReply(command));
          if (refusal) throw refusal;
        }
      }
      if (mayWriteBody && !mayWriteBody()) {
        this.destroy();
        throw new SmtpError('the message was withdrawn before it was written', 'EWITHDRAWN');
      }
      this.writeAll(dotStuffed(raw));
      const end = await this.expectReply('DATA');
      if (end.code < 200 || end.code >= 300) throw replyError('the relay refused the message', 'EMESSAGE', 'DATA', end);
      return end;
    } finally {
      this.busy = false;
    }
  }

  /** Back to a clean state after a refused envelope or message (RSET). */
  async reset(): Promise<void> {
    if (this.broken) throw new SmtpError('the connection to the relay is closed', 'ECONNECTION');
    this.write('RSET\r\n');
    const reply = await this.expectReply('RSET');
    if (reply.code !== 250) throw replyError('the relay refused RSET', 'EPROTOCOL', 'RSET', reply);
  }

  /** Says QUIT and closes without waiting for the relay; the socket is destroyed if the relay does not close it soon. */
  close(): void {
    if (this.broken) return;
    this.broken = true;
    this.failWaiters(new SmtpError('the session was closed', 'ECONNECTION'));
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
    this.socket.write(text, 'latin1');
  }

  /** Several buffers in one writev: corked, they leave in one system call. */
  private writeAll(buffers: Buffer[]): void {
    this.socket.cork();
    for (const b of buffers) this.socket.write(b);
    this.socket.uncork();
  }

  private expectReply(what: string, timeoutMs = this.timeouts.replyMs): Promise<SmtpReply> {
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

/** The error for a reply that refuses a step of the envelope, if it does. */
function refused(command: 'MAIL FROM' | 'RCPT TO' | 'DATA', reply: SmtpReply): SmtpError | undefined {
  if (command === 'MAIL FROM') return reply.code === 250 ? undefined : replyError('the relay refused the sender', 'EENVELOPE', command, reply);
  if (command === 'RCPT TO') return reply.code === 250 || reply.code === 251 ? undefined : replyError('the relay refused the recipient', 'EENVELOPE', command, reply);
  return reply.code === 354 ? undefined : replyError('the relay refused DATA', 'EMESSAGE', command, reply);
}

function replyError(message: string, code: string, command: string, reply: SmtpReply): SmtpError {
  return new SmtpError(`${message}: ${reply.text}`, code, { responseCode: reply.code, response: reply.text, command });
}

function connectSocket(options: SmtpClientOptions, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const target = `${options.host}:${options.port}`;
    const socket: Socket = options.secure
      ? tlsConnect({
          host: options.host,
          port: options.port,
          ...(isIP(options.host) ? {} : { servername: options.host }),
          rejectUnauthorized: options.rejectUnauthorized,
        })
      : netConnect({ host: options.host, port: options.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SmtpError(`connecting to the relay ${target} timed out after ${timeoutMs} ms`, 'ETIMEDOUT', { command: 'CONN' }));
    }, timeoutMs);
    const onError = (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // An error without a system call on smtps:// is the TLS handshake's (a certificate refused).
      const code = options.secure && !err.syscall ? 'ETLS' : 'ECONNECTION';
      reject(new SmtpError(`could not connect to the relay ${target} (${err.code ?? err.message})`, code, { command: 'CONN' }));
    };
    socket.once('error', onError);
    socket.once(options.secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether an address is a loopback one (127.0.0.0/8, ::1, and 127.x mapped into IPv6): traffic to it stays on this host. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  return LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** This host's name when it is a qualified one, else the address literal of our end of the connection. */
function defaultName(socket: Socket): string {
  const name = hostname();
  if (name.includes('.')) return name;
  const address = socket.localAddress ?? '127.0.0.1';
  return isIP(address) === 6 ? `[IPv6:${address}]` : `[${address}]`;
}
