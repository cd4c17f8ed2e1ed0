// The one-off transactional mails of the audience (confirmation, welcome,
// "already subscribed"): one message at a time, through nodemailer to the
// first relay of SMTP_URL, or into the local outbox (DATA_DIR/outbox, one .eml
// per message) when no relay is set. Bulk sending belongs to delivery.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Config } from '../config.ts';

export interface Mail {
  /** `Name <address>` or a bare address. */
  from: string;
  to: string;
  replyTo?: string;
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
}

/** What the audience needs to send one mail; tests swap it. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/** Sends through an SMTP relay (`smtp://…` or `smtps://…`). */
export function smtpMailer(url: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(mail) {
      await transport.sendMail(toNodemailer(mail));
    },
  };
}

/** Writes each message as an .eml file in `dir`, in the order sent. */
export function outboxMailer(dir: string): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    async send(mail) {
      const info = await transport.sendMail(toNodemailer(mail));
      // Confirmation and welcome mails hold the reader's address and signed links: owner-only, as delivery's outbox.
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      // Time first so that a directory listing is in sending order.
      const name = `${Date.now().toString().padStart(15, '0')}-${randomBytes(4).toString('hex')}.eml`;
      writeFileSync(join(dir, name), info.message as Buffer, { flag: 'wx', mode: 0o600 });
    },
  };
}

/** The mailer the configuration asks for: the first relay, else the outbox. */
export function mailerFor(config: Config): Mailer {
  const relay = config.smtpUrls[0];
  return relay ? smtpMailer(relay) : outboxMailer(join(config.dataDir, 'outbox'));
}

function toNodemailer(mail: Mail) {
  return {
    from: mail.from,
    to: mail.to,
    ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    subject: mail.subject,
    text: mail.text,
    ...(mail.html ? { html: mail.html } : {}),
    headers: mail.headers ?? {},
  };
}
