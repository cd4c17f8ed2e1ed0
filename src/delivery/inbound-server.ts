// The SMTP listener for mail that comes back: it takes mail for the mail
// domain's `unsubscribe+…`, `bounces+…` and `complaints` addresses only (any
// other recipient: 550 at RCPT, so nothing is ever relayed), up to a size
// limit, without authentication or STARTTLS (it sits behind the MX or on a
// private network), and hands each message to the handler. A message is
// answered 250 once handled or dropped, and 451 when the handler failed (the
// store), so that the sending server tries again later.
// It is open to whoever reaches its port, so nothing one client does may shut
// it for the others (inbound-limits.ts): a few connections per client address
// (421 past them), a short idle timeout, a cap on recipients per message
// (452, RFC 5321 §4.5.3.1.10), and bounded memory. Of each message only its
// head is kept (INBOUND_KEEP_BYTES): what the handler reads (the report's
// parts, the original's headers) comes first in every report, and the rest
// of a large message (the original's body) is counted for the size limit and
// thrown away as it arrives. The heads held by all sessions together stay
// under a budget; a message that would pass it is answered 451, and its
// sender tries again later.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Config, ListenAddress } from '../config.ts';
import type { Clock } from '../clock.ts';
import type { Store } from '../store/db.ts';
import { INBOUND_SIZE_LIMIT, handleInbound, inboundAddress, inboundDeps } from './inbound-mail.ts';
import { ByteBudget, ClientSlots, clientOf } from './inbound-limits.ts';
import type { DeliveryLogger } from './worker-batch.ts';

/** The head of a message kept for the handler; the rest is counted and dropped. */
export const INBOUND_KEEP_BYTES = 1024 * 1024;

/** The listener's limits; each has a default fit for production. */
export interface InboundLimits {
  /** The largest message taken in (552 past it). Default INBOUND_SIZE_LIMIT (10 MiB). */
  sizeLimit: number;
  /** Connections at once, all clients together. Default 50. */
  maxClients: number;
  /** Connections at once from one client address (421 past them). Default 5. */
  maxClientsPerAddress: number;
  /**
   * A session silent this long is closed. Default 30 s: shorter than RFC
   * 5321's 5 minutes for a general MTA, as the only peers are MTAs and mail
   * programs that talk at once, and a slow one tries again.
   */
  idleTimeoutMs: number;
  /** RCPT commands per message (452 past them). Default 100, the least RFC 5321 §4.5.3.1.8 lets a server buffer. */
  maxRecipients: number;
  /** Bytes of each message kept for the handler. Default INBOUND_KEEP_BYTES (1 MiB). */
  keepBytes: number;
  /** Bytes kept by every session together, received or being handled (451 past them). Default 16 MiB. */
  bytesInFlight: number;
}

export const DEFAULT_INBOUND_LIMITS: InboundLimits = {
  sizeLimit: INBOUND_SIZE_LIMIT,
  maxClients: 50,
  maxClientsPerAddress: 5,
  idleTimeoutMs: 30_000,
  maxRecipients: 100,
  keepBytes: INBOUND_KEEP_BYTES,
  bytesInFlight: 16 * 1024 * 1024,
};

export interface InboundServerOptions {
  listen: ListenAddress;
  mailDomain: string;
  /** Handles one message (its head, see INBOUND_KEEP_BYTES) for its envelope recipients; throws to have it retried. */
  handle(raw: Buffer, recipients: string[]): Promise<unknown>;
  logger: DeliveryLogger;
  limits?: Partial<InboundLimits>;
}

export interface InboundServer {
  /** Where it listens (the port the system chose for port 0). */
  readonly address: ListenAddress;
  close(): Promise<void>;
}

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

/** Starts listening; resolves once the socket is bound. */
export async function startInboundServer(options: InboundServerOptions): Promise<InboundServer> {
  const limits = { ...DEFAULT_INBOUND_LIMITS, ...options.limits };
  const slots = new ClientSlots(limits.maxClientsPerAddress);
  const budget = new ByteBudget(limits.bytesInFlight);
  /** RCPT commands of the message under way, per session (refused ones too). */
  const rcptCommands = new Map<string, number>();
  const server = new SMTPServer({
    name: options.mailDomain,
    banner: 'Matinale inbound mail',
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    size: limits.sizeLimit,
    maxClients: limits.maxClients,
    socketTimeout: limits.idleTimeoutMs,
    // A PTR lookup per connection is a wait (up to 1.5 s) for a name nobody reads.
    disableReverseLookup: true,
    logger: false,
    onConnect(session, callback) {
      if (!slots.take(session.id, clientOf(session.remoteAddress))) {
        return callback(smtpError(421, '4.7.0 too many connections from your address, try again later'));
      }
      callback();
    },
    onClose(session) {
      slots.give(session.id);
      rcptCommands.delete(session.id);
    },
    onMailFrom(_address, session, callback) {
      rcptCommands.set(session.id, 0);
      callback();
    },
    onRcptTo(address, session, callback) {
      const count = (rcptCommands.get(session.id) ?? 0) + 1;
      rcptCommands.set(session.id, count);
      if (count > limits.maxRecipients) return callback(smtpError(452, '4.5.3 too many recipients'));
      if (!inboundAddress(address.address, options.mailDomain)) return callback(smtpError(550, '5.1.1 no such user here'));
      callback();
    },
    onData(stream, session, callback) {
      // The head of the message, copied out of the stream's chunks so that
      // what is counted against the budget is all that is held.
      let head: Buffer[] = [];
      let kept = 0;
      let length = 0;
      let overBudget = false;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        budget.give(kept);
        head = [];
      };
      stream.on('data', (chunk: Buffer) => {
        length += chunk.length;
        // Past the size limit, past the head, or over the budget: read and thrown away.
        if (overBudget || length > limits.sizeLimit || kept >= limits.keepBytes) return;
        const part = chunk.subarray(0, limits.keepBytes - kept);
        if (!budget.take(part.length)) {
          overBudget = true;
          release();
          return;
        }
        head.push(Buffer.from(part));
        kept += part.length;
      });
      stream.on('error', (err) => {
        release();
        callback(err);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded || length > limits.sizeLimit) {
          release();
          return callback(smtpError(552, '5.3.4 message too big'));
        }
        if (overBudget) {
          options.logger.warn({ inbound: 'listener', bytesInFlight: limits.bytesInFlight }, 'inbound mail deferred: too many bytes in flight');
          return callback(smtpError(451, '4.3.2 too much mail at once, try again later'));
        }
        const raw = Buffer.concat(head, kept);
        head = [];
        const recipients = session.envelope.rcptTo.map((r) => r.address);
        options
          .handle(raw, recipients)
          .then(
            () => callback(null, '2.0.0 accepted'),
            (err: Error) => {
              options.logger.error({ inbound: 'listener', err: err.message }, 'inbound mail not handled: the sender will retry');
              callback(smtpError(451, '4.3.0 temporary failure, try again later'));
            },
          )
          .finally(release);
      });
    },
  });
  // A client dropping its connection is its business; a listener error is logged, never thrown.
  server.on('error', (err) => options.logger.warn({ inbound: 'listener', err: err.message }, 'inbound SMTP connection error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.listen.port, options.listen.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const bound = server.server.address() as AddressInfo;
  return {
    address: { host: options.listen.host, port: bound.port },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** How a person reads where the listener is: `smtp://127.0.0.1:2525`. */
export function inboundUrl({ host, port }: ListenAddress): string {
  return `smtp://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The listener on the configured store, as `serve` and `matinale inbound` run it. */
export function listenForInbound(config: Config, store: Store, options: { listen: ListenAddress; logger: DeliveryLogger; clock?: Clock }): Promise<InboundServer> {
  const deps = inboundDeps(config, store, { logger: options.logger, ...(options.clock ? { clock: options.clock } : {}) });
  return startInboundServer({
    listen: options.listen,
    mailDomain: deps.mailDomain,
    logger: options.logger,
    handle: (raw, recipients) => handleInbound(deps, raw, recipients),
  });
}
