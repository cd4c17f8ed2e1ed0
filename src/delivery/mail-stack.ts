// The one way out for every mail of a process: the transport the
// configuration names (the SMTP pool over SMTP_URL's relays, else the local
// outbox in DATA_DIR/outbox), built once by whoever starts the process
// (`serve`, `worker`, the CLI) and handed to everything that mails: the
// delivery worker for sends, the audience's transactional mailer for
// confirmations and welcomes. Same relays, options, rate limits, DKIM, return
// paths and outbox index for both.
import { join } from 'node:path';
import pino from 'pino';
import type { Mailer } from '../audience/mailer.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { DkimSigner } from './dkim.ts';
import { outboxTransport } from './outbox.ts';
import { ReturnPaths } from './return-path.ts';
import { mailDomainOf } from './send-message.ts';
import { smtpPool } from './smtp-pool.ts';
import { transactionalMailer } from './transactional-mail.ts';
import type { Transport } from './transport.ts';
import type { DeliveryLogger } from './worker-batch.ts';

/** The transport of the configuration: SMTP_URL's relays, else the outbox. Build it once per process. */
export function transportOf(config: Config, clock: Clock, logger: DeliveryLogger = deliveryLogger()): Transport {
  return config.smtpUrls.length ? smtpPool(config.smtpUrls, { clock, logger }) : outboxTransport(join(config.dataDir, 'outbox'), clock);
}

/** What names and signs every message of the newsroom: the mail domain, the DKIM key, the return-path key. */
export function mailIdentity(config: Config) {
  const mailDomain = mailDomainOf({ dkimDomain: config.dkim?.domain, publicUrl: config.publicUrl });
  return {
    mailDomain,
    dkim: config.dkim ? new DkimSigner(config.dkim) : undefined,
    // Signed, so that the inbound handler believes the bounce reports that come back to it.
    returnPaths: new ReturnPaths(config.secret, mailDomain),
  };
}

/** A logger to stderr, as the worker's: ids and outcomes, never an address. */
export function deliveryLogger(): DeliveryLogger {
  return pino({ base: { pid: process.pid }, redact: ['token', 'secret', 'password'] }, pino.destination(2));
}

/** The audience's mailer over the process's transport. */
export function mailerOf(config: Config, transport: Transport, clock: Clock, logger: DeliveryLogger = deliveryLogger()): Mailer {
  return transactionalMailer({ transport, clock, logger, ...mailIdentity(config) });
}
