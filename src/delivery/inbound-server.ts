// The SMTP listener for mail that comes back: it takes mail for the mail
// domain's `unsubscribe+…`, `bounces+…` and `complaints` addresses only (any
// other recipient: 550 at RCPT, so nothing is ever relayed), up to a size
// limit, without authentication or STARTTLS (it sits behind the MX or on a
// private network), and hands each message to the handler. A message is
// answered 250 once handled or dropped, and 451 when the handler failed (the
// store), so that the sending server tries again later.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Config, ListenAddress } from '../config.ts';
import type { Clock } from '../clock.ts';
import type { Store } from '../store/db.ts';
import { INBOUND_SIZE_LIMIT, handleInbound, inboundAddress, inboundDeps } from './inbound-mail.ts';
import type { DeliveryLogger } from './worker-batch.ts';

export interface InboundServerOptions {
  listen: ListenAddress;
  mailDomain: string;
  /** Handles one message for its envelope recipients; throws to have it retried. */
  handle(raw: Buffer, recipients: string[]): Promise<unknown>;
  logger: DeliveryLogger;
  /** Default INBOUND_SIZE_LIMIT (10 MiB). */
  sizeLimit?: number;
}

export interface InboundServer {
  /** Where it listens (the port the system chose for port 0). */
  readonly address: ListenAddress;
  close(): Promise<void>;
}

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

/** Starts listening; resolves once the socket is bound. */
export async function startInboundServer(options: InboundServerOptions): Promise<InboundServer> {
  const size = options.sizeLimit ?? INBOUND_SIZE_LIMIT;
  const server = new SMTPServer({
    name: options.mailDomain,
    banner: 'Matinale inbound mail',
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    size,
    maxClients: 50,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!inboundAddress(address.address, options.mailDomain)) return callback(smtpError(550, '5.1.1 no such user here'));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let length = 0;
      stream.on('data', (chunk: Buffer) => {
        length += chunk.length;
        // Past the limit the rest is read and thrown away: the answer is 552 either way.
        if (length <= size) chunks.push(chunk);
      });
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        if (stream.sizeExceeded || length > size) return callback(smtpError(552, '5.3.4 message too big'));
        const recipients = session.envelope.rcptTo.map((r) => r.address);
        options.handle(Buffer.concat(chunks), recipients).then(
          () => callback(null, '2.0.0 accepted'),
          (err: Error) => {
            options.logger.error({ inbound: 'listener', err: err.message }, 'inbound mail not handled: the sender will retry');
            callback(smtpError(451, '4.3.0 temporary failure, try again later'));
          },
        );
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
