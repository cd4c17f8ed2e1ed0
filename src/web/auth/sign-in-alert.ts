// The mail that tells a member their account is being guessed at: sent once
// per window of the sign-in brake, through the platform's transactional mail
// path (audience's mailer: the relay, or the local outbox). It names no client
// address and no password: only what happened and what still works.
import type { Mail, Mailer } from '../../audience/mailer.ts';

/** The alert for `to` after `failures` wrong passwords within `windowMinutes`. */
export function signInAlertMail(to: string, publicUrl: string, failures: number, windowMinutes: number): Mail {
  const host = new URL(publicUrl).hostname;
  const text = [
    `There were ${failures} wrong passwords for your newsroom account ${to} at ${publicUrl}/newsroom within ${windowMinutes} minutes.`,
    '',
    `Each network they came from may not try your account again for ${windowMinutes} minutes, and further attempts are slowed down.`,
    'Your password still works: you can sign in as usual.',
    '',
    'If it was you, there is nothing to do.',
    'If it was not, your password held. Make sure it is long and used nowhere else, and tell your newsroom’s admin.',
  ].join('\n');
  return {
    from: `Matinale newsroom <no-reply@${host}>`,
    to,
    subject: 'Wrong passwords for your newsroom account',
    text,
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

/**
 * Sends the alert without holding up or failing the sign-in answer. A failure
 * is logged by its codes only: a relay's message may quote the address.
 */
export function sendSignInAlert(mailer: Mailer, mail: Mail, log: { warn(obj: object, msg: string): void }): void {
  mailer.send(mail).catch((err: { code?: unknown; responseCode?: unknown }) =>
    log.warn({ code: err?.code, responseCode: err?.responseCode }, 'sign-in alert mail not sent'),
  );
}
