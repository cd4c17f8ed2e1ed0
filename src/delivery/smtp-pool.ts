// The SMTP transport: for each relay of SMTP_URL a pool of reused connections
// (nodemailer's SMTPConnection: STARTTLS when offered, AUTH, PIPELINING of the
// envelope where offered), each relay under its own rate limit. Several relays
// share the load: a message goes to the relay with the fewest messages waiting.
//
// Relay options ride on its URL's query string, set by the operator:
//   smtp://user:pass@relay.example.net:587?pool=5&rate=50&hourly=100000
//   pool: connections (default 5); rate: messages/s; hourly: messages/hour;
//   maxMessages: messages per connection before it is renewed (default 1000);
//   tls=insecure: accept a self-signed certificate (a relay on the same host).
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type { Clock } from '../clock.ts';
import { redact } from '../store/db.ts';
import { RateLimiter, realSleep, type Sleep } from './rate-limit.ts';
import type { OutgoingMessage, SubmitResult, Transport } from './transport.ts';

export interface RelaySettings {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
  poolSize: number;
  perSecond: number;
  perHour: number;
  maxMessagesPerConnection: number;
  rejectUnauthorized: boolean;
  description: string;
}

/** Reads one relay URL (`smtp://…` or `smtps://…`) with its pool and rate options. */
export function parseRelayUrl(url: string): RelaySettings {
  const u = new URL(url);
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new Error(`SMTP_URL must start with smtp:// or smtps:// (got ${redact(url)})`);
  const secure = u.protocol === 'smtps:';
  const q = u.searchParams;
  const num = (name: string, fallback: number) => {
    const v = q.get(name);
    if (v === null) return fallback;
    const n = Number(v);
    if (!(n > 0)) throw new Error(`SMTP_URL option ${name} must be a positive number (got ${v})`);
    return n;
  };
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
    poolSize: Math.floor(num('pool', 5)),
    perSecond: num('rate', Infinity),
    perHour: num('hourly', Infinity),
    maxMessagesPerConnection: Math.floor(num('maxMessages', 1000)),
    rejectUnauthorized: q.get('tls') !== 'insecure',
    description: `${u.protocol}//${u.hostname}:${u.port || (secure ? 465 : 587)}`,
  };
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

/** One open SMTP session, used for one message at a time. */
class Session {
  messages = 0;
  broken = false;
  /** Fails the message in flight when the connection dies under it (nodemailer then never calls back). */
  private abort: ((err: SmtpError) => void) | undefined;
  private constructor(private readonly connection: SMTPConnection) {}

  static open(relay: RelaySettings): Promise<Session> {
    return new Promise((resolve, reject) => {
      const connection = new SMTPConnection({
        host: relay.host,
        port: relay.port,
        secure: relay.secure,
        tls: { rejectUnauthorized: relay.rejectUnauthorized },
        connectionTimeout: 30_000,
        greetingTimeout: 30_000,
        socketTimeout: 120_000,
      });
      const session = new Session(connection);
      let settled = false;
      const fail = (err: SmtpError) => {
        session.broken = true;
        session.abort?.(err);
        if (!settled) {
          settled = true;
          reject(err);
        }
      };
      connection.on('error', (err: SmtpError) => fail(err));
      connection.on('end', () => fail(Object.assign(new Error('the relay closed the connection'), { code: 'ECONNECTION' })));
      connection.connect(() => {
        // The end of DATA (".\r\n") is a small write of its own: with Nagle's
        // algorithm it waits for the ACK of the body, which the relay delays
        // (up to 40 ms) while it has nothing to answer. One stall per message.
        (connection as unknown as { _socket?: { setNoDelay?(on: boolean): void } })._socket?.setNoDelay?.(true);
        if (!relay.auth) {
          settled = true;
          return resolve(session);
        }
        connection.login(relay.auth, (err) => {
          if (err) {
            fail(err as SmtpError);
            return connection.close();
          }
          settled = true;
          resolve(session);
        });
      });
    });
  }

  send(message: OutgoingMessage): Promise<SMTPConnection.SentMessageInfo> {
    this.messages++;
    return new Promise((resolve, reject) => {
      if (this.broken) return reject(Object.assign(new Error('the connection is closed'), { code: 'ECONNECTION' }));
      let done = false;
      const finish = (err: SmtpError | null, info?: SMTPConnection.SentMessageInfo) => {
        if (done) return;
        done = true;
        this.abort = undefined;
        if (err) reject(err);
        else resolve(info!);
      };
      this.abort = (err) => finish(err);
      this.connection.send({ from: message.from, to: [message.to] }, message.raw, (err, info) => finish(err as SmtpError | null, info));
    });
  }

  /** Back to a clean state after a refused envelope or message (RSET); false if the session is not usable. */
  reset(): Promise<boolean> {
    return new Promise((resolve) => {
      try {
        this.connection.reset((err) => resolve(!err));
      } catch {
        resolve(false);
      }
    });
  }

  close(): void {
    this.broken = true;
    try {
      this.connection.quit();
    } catch {
      this.connection.close();
    }
  }
}

/** The pool of one relay. */
class RelayPool {
  private idle: Session[] = [];
  private open = 0;
  private waiters: Array<(s: Session | Error) => void> = [];
  /** Messages waiting for or using a connection of this relay. */
  load = 0;
  readonly limiter: RateLimiter;

  constructor(
    readonly relay: RelaySettings,
    clock: Clock,
    sleep: Sleep,
  ) {
    this.limiter = new RateLimiter({ perSecond: relay.perSecond, perHour: relay.perHour }, clock, sleep);
  }

  async submit(message: OutgoingMessage): Promise<SubmitResult> {
    this.load++;
    try {
      await this.limiter.acquire();
      let session: Session;
      try {
        session = await this.take();
      } catch (err) {
        return this.failure(err as SmtpError);
      }
      try {
        const info = await session.send(message);
        this.give(session);
        const response = String(info.response ?? '');
        return { ok: true, code: Number(/^\d{3}/.exec(response)?.[0] ?? 250), response };
      } catch (err) {
        const e = err as SmtpError;
        // A refused envelope or message leaves a working session: reset and reuse it.
        if (e.responseCode && !session.broken && e.responseCode !== 421 && (await session.reset())) this.give(session);
        else this.discard(session);
        return this.failure(e);
      }
    } finally {
      this.load--;
    }
  }

  private failure(e: SmtpError): SubmitResult {
    const code = typeof e.responseCode === 'number' ? e.responseCode : null;
    const response = (e.response ?? `${e.code ?? 'ERROR'} ${e.message}`).trim();
    // Only a 5xx about this recipient or this message is a bounce; a 5xx to
    // our greeting, AUTH or MAIL FROM is the relay refusing us, not the reader.
    const aboutRecipient = e.command === 'RCPT TO' || e.command === 'DATA' || e.command === 'DATA.' || e.code === 'EENVELOPE' || e.code === 'EMESSAGE';
    const permanent = code !== null && code >= 500 && aboutRecipient && e.command !== 'MAIL FROM';
    const slowDown = code === 421 || code === 451;
    if (slowDown) this.limiter.slowDown();
    return { ok: false, permanent, code, response, slowDown };
  }

  private async take(): Promise<Session> {
    for (;;) {
      const s = this.idle.pop();
      if (!s) break;
      if (!s.broken) return s;
      this.open--;
    }
    if (this.open < this.relay.poolSize) {
      this.open++;
      try {
        return await Session.open(this.relay);
      } catch (err) {
        this.open--;
        this.wakeOne();
        throw err;
      }
    }
    return new Promise((resolve, reject) => this.waiters.push((s) => (s instanceof Error ? reject(s) : resolve(s))));
  }

  private give(session: Session): void {
    if (session.broken || session.messages >= this.relay.maxMessagesPerConnection) return this.discard(session);
    const waiter = this.waiters.shift();
    if (waiter) waiter(session);
    else this.idle.push(session);
  }

  private discard(session: Session): void {
    session.close();
    this.open--;
    this.wakeOne();
  }

  /** A connection slot freed: let a waiter open a new session. */
  private wakeOne(): void {
    const waiter = this.waiters.shift();
    if (!waiter) return;
    this.open++;
    Session.open(this.relay).then(waiter, (err: Error) => {
      this.open--;
      waiter(err);
    });
  }

  close(): void {
    for (const s of this.idle) s.close();
    this.idle = [];
    this.open = 0;
    for (const w of this.waiters.splice(0)) w(new Error('the SMTP pool is closing'));
  }
}

/** A transport over one or several relays (SMTP_URL). */
export function smtpPool(urls: readonly string[], options: { clock: Clock; sleep?: Sleep }): Transport {
  if (urls.length === 0) throw new Error('smtpPool needs at least one relay URL');
  const pools = urls.map((u) => new RelayPool(parseRelayUrl(u), options.clock, options.sleep ?? realSleep));
  return {
    description: `smtp ${pools.map((p) => p.relay.description).join(', ')}`,
    concurrency: pools.reduce((n, p) => n + p.relay.poolSize, 0),
    submit(message) {
      let best = pools[0]!;
      for (const p of pools) if (p.load / p.relay.poolSize < best.load / best.relay.poolSize) best = p;
      return best.submit(message);
    },
    async close() {
      for (const p of pools) p.close();
    },
  };
}
