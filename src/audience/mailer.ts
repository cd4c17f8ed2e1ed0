// What the audience needs to send its one-off transactional mails
// (confirmation, welcome, "already subscribed"), declared here and implemented
// by delivery (delivery/transactional-mail.ts): every mail leaves through the
// process's one delivery transport, with the same relays, DKIM, signed return
// path and outbox as a send's messages. Bulk sending belongs to delivery.

export interface Mail {
  /** `Name <address>` or a bare address. */
  from: string;
  /** The reader's address. */
  to: string;
  replyTo?: string;
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
}

/**
 * Sends one mail. Resolves once the relay took it, or refused it for good
 * (a 5xx about the mailbox: nothing more can be done, and the reader's page
 * must not tell a stranger whether an address exists). Rejects when it could
 * not be sent now (relay down, 4xx, the relay refusing us): the caller shows
 * an error and the reader tries again.
 */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/** A mailer for callers that send no mail (import, export, erasure, the inbound handler): a mail would be a bug. */
export const NO_MAILER: Mailer = {
  send() {
    return Promise.reject(new Error('this command sends no mail: it was built without a mailer (pass one from delivery/mail-stack.ts)'));
  },
};
