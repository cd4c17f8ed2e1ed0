// The SMTP transport: for each relay of SMTP_URL a pool of reused connections
// (our own SMTP client, smtp-client.ts: STARTTLS when offered, AUTH over TLS, PIPELINING
// of the envelope, after the previous body, where offered), each relay under its own rate limit. Several relays
// share the load by their weights (`weight=3` takes three messages for one of a
// relay of weight 1; smooth weighted round robin, relay-choice.ts). A relay
// that cannot be reached (connection refused, no greeting in time, a session
// that cannot be opened) is set aside for a while, with one log line, and the
// message goes to another relay at once: nothing of it was written. While every
// relay is set aside, messages try them all the same, as with one relay: the
// failure goes to the retry policy, which waits or pauses the send.
// A transactional mail (`OutgoingMessage.transactional`) goes ahead of list
// messages, both for the next rate token and for the next free connection.
//
// Each relay's options ride on its URL (relay-url.ts).
import type { Clock } from '../clock.ts';
import { RateLimiter, realSleep, type Sleep } from './rate-limit.ts';
import { parseRelayUrl, type RelaySettings } from './relay-url.ts';
import { RelayChoice, type SetAsidePolicy } from './relay-choice.ts';
import { SmtpSession, type SmtpClientOptions, type SmtpError, type SmtpReply, type SmtpTimeouts } from './smtp-client.ts';
import { NotSent, type OutgoingMessage, type RelayLimits, type SubmitOptions, type SubmitResult, type Transport } from './transport.ts';
import { WaitQueue } from './wait-queue.ts';

export { parseRelayUrl, type RelaySettings } from './relay-url.ts';

/** One open session of the pool, with how many messages it has carried. */
class Session {
  messages = 0;
  private constructor(private readonly client: SmtpSession) {}

  static async open(options: SmtpClientOptions): Promise<Session> {
    return new Session(await SmtpSession.open(options));
  }

  get broken(): boolean {
    return this.client.broken;
  }

  /** What the relay said it takes, in this session's EHLO. */
  get limits(): { maxSize?: number; smtputf8: boolean } {
    const maxSize = this.client.maxSize;
    return { ...(maxSize ? { maxSize } : {}), smtputf8: this.client.offers('SMTPUTF8') };
  }

  send(message: OutgoingMessage, mayWriteBody?: () => boolean, handOn?: () => boolean): Promise<SmtpReply> {
    this.messages++;
    return this.client.send({ from: message.from, to: message.to }, message.raw, mayWriteBody, handOn);
  }

  /** Back to a clean state after a refused envelope or message (RSET); false if the session is not usable. */
  async reset(): Promise<boolean> {
    try {
      await this.client.reset();
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    this.client.close();
  }
}

/** The pool of one relay. */
class RelayPool {
  private idle: Session[] = [];
  private open = 0;
  private readonly waiters = new WaitQueue<Session>();
  /** Messages waiting for or using a connection of this relay. */
  load = 0;
  readonly limiter: RateLimiter;

  closed = false;
  /** How each session of this relay is opened. */
  private readonly session: SmtpClientOptions;

  constructor(
    readonly relay: RelaySettings,
    clock: Clock,
    sleep: Sleep,
    timeouts: Partial<SmtpTimeouts> | undefined,
  ) {
    // The relay's settings name what the client needs (host, port, TLS, credentials);
    // the timeouts its URL sets win over those passed in code.
    this.session = { ...relay, timeouts: { ...timeouts, ...relay.timeouts } };
    this.limiter = new RateLimiter({ perSecond: relay.perSecond, perHour: relay.perHour }, clock, sleep);
  }

  async submit(message: OutgoingMessage, options: SubmitOptions = {}): Promise<PoolResult> {
    const { signal } = options;
    this.load++;
    try {
      const first = message.transactional === true;
      try {
        await this.limiter.acquire(first, signal);
      } catch (err) {
        throw signal?.aborted ? notSent(signal) : err;
      }
      let session: Session;
      try {
        session = await this.take(first, signal);
      } catch (err) {
        if (signal?.aborted) throw notSent(signal);
        // No session could be opened: nothing of the message was written, another relay may take it.
        this.lastOpenError = err as SmtpError;
        return { ...this.failure(err as SmtpError), unreachable: !this.closed };
      }
      // The last moment before the message is written: whatever allowed it
      // (the lease on its row, the send running) is asked again after the waits.
      let go: boolean;
      try {
        go = !signal?.aborted && (!options.mayWrite || (await options.mayWrite()));
      } catch (err) {
        this.give(session);
        throw err;
      }
      if (!go) {
        this.give(session);
        throw signal?.aborted ? notSent(signal) : new NotSent('dropped before it was written');
      }
      // Once the body is written, a message waiting for a connection may have
      // this one (pipelined after the body, smtp-client.ts); not when the
      // session is to close: the reply to this body is still to come on it.
      let handedOn = false;
      const handOn = () => {
        if (!this.waiters.length || this.closed || session.broken || session.messages >= this.relay.maxMessagesPerConnection) return false;
        handedOn = true;
        this.give(session);
        return true;
      };
      try {
        const reply = await session.send(message, options.mayWriteBody, handOn);
        if (!handedOn) this.give(session);
        this.limiter.answered(reply.code);
        return { ok: true, code: reply.code, response: reply.text };
      } catch (err) {
        const e = err as SmtpError;
        if (e.code === 'EWITHDRAWN') {
          this.discard(session);
          throw new NotSent('withdrawn before its body was written');
        }
        // Handed on, the session is the next message's: the end of DATA ended
        // this transaction whatever the reply, and a lost connection is seen by that message.
        if (handedOn) return this.failure(e);
        // A refused envelope or message leaves a working session: reset and reuse it
        // (a 421 "closing" marks the session broken in the client).
        if (e.responseCode && !session.broken && (await session.reset())) this.give(session);
        else this.discard(session);
        return this.failure(e);
      }
    } finally {
      this.load--;
    }
  }

  /**
   * Opens the pool's sessions ahead of its first messages (`Transport.warm`).
   * One that cannot be opened fails the first message waiting for a
   * session, as if that message had opened it; with none waiting, it is left
   * to the messages to come, which open their own.
   */
  warm(): void {
    while (!this.closed && this.open < this.relay.poolSize) {
      this.open++;
      Session.open(this.session).then(
        (session) => this.give(session),
        (err: Error) => {
          this.open--;
          this.waiters.next()?.reject(err);
        },
      );
    }
  }

  /** What the relay takes, from a session's EHLO (an idle one, or one opened for this); undefined when it cannot be reached. */
  async limits(): Promise<RelayLimits | SmtpError> {
    let session: Session;
    try {
      session = await this.take(false);
    } catch (err) {
      return err as SmtpError;
    }
    const limits = { relay: this.relay.description, ...session.limits };
    this.give(session);
    return limits;
  }

  private failure(e: SmtpError): SubmitResult {
    const code = typeof e.responseCode === 'number' ? e.responseCode : null;
    const response = (e.response ?? `${e.code ?? 'ERROR'} ${e.message}`).trim();
    const slowDown = code === 421 || code === 451;
    this.limiter.answered(code);
    // What the refusal means (the reader's bounce, the relay refusing the send,
    // a retry) is the retry policy's to judge: the pool reports what was said, and to what.
    return { ok: false, code, response, ...(e.command ? { command: e.command } : {}), slowDown };
  }

  private async take(first = false, signal?: AbortSignal): Promise<Session> {
    for (;;) {
      const s = this.idle.pop();
      if (!s) break;
      if (!s.broken) return s;
      this.open--;
    }
    if (this.open < this.relay.poolSize) {
      this.open++;
      try {
        return await Session.open(this.session);
      } catch (err) {
        this.open--;
        this.wakeOne();
        throw err;
      }
    }
    // Dropped from the queue at once if its signal aborts (wait-queue.ts). Once
    // out of the queue it gets what it was given: a session opened for it
    // after its signal aborted is given back by `submit`, unused.
    return new Promise((resolve, reject) => this.waiters.add({ signal, resolve, reject }, first));
  }

  private give(session: Session): void {
    if (this.closed || session.broken || session.messages >= this.relay.maxMessagesPerConnection) return this.discard(session);
    const waiter = this.waiters.next();
    if (waiter) waiter.resolve(session);
    else this.idle.push(session);
  }

  private discard(session: Session): void {
    session.close();
    this.open--;
    this.wakeOne();
  }

  /** A connection slot freed: let a waiter open a new session. */
  private wakeOne(): void {
    if (this.closed) return;
    const waiter = this.waiters.next();
    if (!waiter) return;
    this.open++;
    Session.open(this.session).then(waiter.resolve, (err: Error) => {
      this.open--;
      waiter.reject(err);
      // The slot is free again. Without this the next waiter would wait for a
      // session nobody is opening: when the relay is down every open fails,
      // and all the waiters beyond the first few never settled.
      this.wakeOne();
    });
  }

  /**
   * The relay was set aside: the messages waiting for one of its connections
   * go elsewhere now rather than each wait for a session that would fail the
   * same way (a relay that never greets costs a whole greeting timeout per try).
   */
  failWaiting(): void {
    const err = this.lastOpenError ?? new Error(`the relay ${this.relay.description} was set aside`);
    for (const w of this.waiters.takeAll()) w.reject(err);
  }

  /** Why the last session could not be opened: what the waiters sent elsewhere are told. */
  private lastOpenError: SmtpError | undefined;

  close(): void {
    // Sessions still carrying a message are closed when they come back (give).
    this.closed = true;
    for (const s of this.idle) s.close();
    this.idle = [];
    this.open = 0;
    for (const w of this.waiters.takeAll()) w.reject(new Error('the SMTP pool is closing'));
  }
}

/** The error for a message dropped by its signal: its reason when it is one. */
function notSent(signal: AbortSignal): NotSent {
  const reason: unknown = signal.reason;
  return reason instanceof NotSent ? reason : new NotSent(reason instanceof Error ? reason.message : 'dropped before it was written');
}

/** What a relay's pool answers: the transport's result, and whether the relay could not be reached at all. */
type PoolResult = SubmitResult & { unreachable?: boolean };

/** Where the transport says that a relay was set aside and that it came back. */
export interface RelayLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** A transport over one or several relays (SMTP_URL). */
export function smtpPool(
  urls: readonly string[],
  options: { clock: Clock; sleep?: Sleep; timeouts?: Partial<SmtpTimeouts>; logger?: RelayLogger; setAside?: SetAsidePolicy },
): Transport {
  if (urls.length === 0) throw new Error('smtpPool needs at least one relay URL');
  const pools = urls.map((u) => new RelayPool(parseRelayUrl(u), options.clock, options.sleep ?? realSleep, options.timeouts));
  const choice = new RelayChoice(
    pools.map((p) => ({ description: p.relay.description, weight: p.relay.weight })),
    options.clock,
    options.logger ?? { info: () => {}, warn: () => {} },
    options.setAside,
  );
  return {
    description: `smtp ${pools.map((p) => p.relay.description).join(', ')}`,
    concurrency: pools.reduce((n, p) => n + p.relay.poolSize, 0),
    async submit(message, submitOptions) {
      // Each relay at most once per message: one that cannot be reached is set
      // aside and the next one is tried; the last failure is the answer.
      const tried = new Set<number>();
      for (;;) {
        const i = choice.next(tried);
        tried.add(i);
        const { unreachable, ...result } = await pools[i]!.submit(message, submitOptions);
        if (!unreachable) {
          choice.reached(i);
          return result;
        }
        // Those waiting for it go elsewhere too, when there is an elsewhere; alone, each message tries it (and fails) as before.
        if (choice.unreachable(i, result.response) && choice.hasAnother(new Set([i]))) pools[i]!.failWaiting();
        if (!choice.hasAnother(tried)) return result;
      }
    },
    async limits() {
      const known = await Promise.all(
        pools.map(async (p, i) => {
          if (!choice.isUp(i)) return undefined;
          const limits = await p.limits();
          if (!(limits instanceof Error)) return limits;
          if (!p.closed) choice.unreachable(i, limits.message);
          return undefined;
        }),
      );
      return known.filter((l): l is RelayLimits => l !== undefined);
    },
    warm() {
      for (const p of pools) p.warm();
    },
    async close() {
      for (const p of pools) p.close();
    },
  };
}
