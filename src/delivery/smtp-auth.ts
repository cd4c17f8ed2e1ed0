// Authentication of an SMTP session (RFC 4954): AUTH PLAIN, or LOGIN when
// only that is offered. The session decides whether credentials may be sent
// at all (over TLS, or to a loopback relay: smtp-client.ts); the password is
// only ever written to the socket, never into an error or a log.
import { replyError, type SmtpReply } from './smtp-reply.ts';

/** What authenticating needs of a session: writing a line, and awaiting the reply to it. */
export interface AuthExchange {
  write(line: string): void;
  expectReply(what: string): Promise<SmtpReply>;
}

/** Authenticates with `auth`, by the methods the relay listed after AUTH in its EHLO; rejects with EAUTH when refused. */
export async function authenticate(session: AuthExchange, offered: string, auth: { user: string; pass: string }): Promise<void> {
  const methods = new Set(offered.split(/\s+/));
  if (methods.has('PLAIN') || !methods.has('LOGIN')) {
    session.write(`AUTH PLAIN ${Buffer.from(`\0${auth.user}\0${auth.pass}`, 'utf8').toString('base64')}\r\n`);
    const reply = await session.expectReply('AUTH PLAIN');
    if (reply.code !== 235) throw replyError('the relay refused our credentials', 'EAUTH', 'AUTH PLAIN', reply);
    return;
  }
  session.write('AUTH LOGIN\r\n');
  let reply = await session.expectReply('AUTH LOGIN');
  for (const secret of [auth.user, auth.pass]) {
    if (reply.code !== 334) throw replyError('the relay refused our credentials', 'EAUTH', 'AUTH LOGIN', reply);
    session.write(`${Buffer.from(secret, 'utf8').toString('base64')}\r\n`);
    reply = await session.expectReply('AUTH LOGIN');
  }
  if (reply.code !== 235) throw replyError('the relay refused our credentials', 'EAUTH', 'AUTH LOGIN', reply);
}
