// The whole path through the links of real mails: subscribe on the site, read
// the confirmation mail from a real SMTP server started here, follow its link,
// get the welcome mail, and leave through its List-Unsubscribe one-click POST
// as a mailbox provider sends it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { testBackends } from '../helpers/store.ts';
import { newsroom, subscribeThroughForm } from '../web/harness.ts';
import { linkInText, readMail, type ReadMail } from './mail-reader.ts';

/** An SMTP server that keeps every message it receives. */
async function smtpSink(): Promise<{ url: string; received: ReadMail[]; close(): Promise<void> }> {
  const received: ReadMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push(readMail(Buffer.concat(chunks).toString('utf8')));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

for (const backend of await testBackends()) {
  test(`${backend.name}: subscribe, confirm through the mail's link, get the welcome mail, leave through its one-click link`, async () => {
    const smtp = await smtpSink();
    const n = await newsroom(backend, { smtpUrls: [smtp.url] });
    try {
      const subscribed = await subscribeThroughForm(n.app, 'tech-matin', { email: 'reader@example.org', name: 'Reader' });
      assert.equal(subscribed.statusCode, 200);

      assert.equal(smtp.received.length, 1);
      const confirmation = smtp.received[0]!;
      assert.equal(confirmation.to, 'reader@example.org');
      assert.equal(confirmation.subject, 'Confirmez votre inscription à Tech Matin');
      const confirmUrl = new URL(linkInText(confirmation, '/confirm/'));
      // A scanner opens the link first: nothing happens.
      assert.equal((await n.app.inject({ method: 'GET', url: confirmUrl.pathname })).statusCode, 200);
      assert.equal(smtp.received.length, 1);
      // The reader presses the button.
      const confirmed = await n.app.inject({ method: 'POST', url: confirmUrl.pathname });
      assert.match(confirmed.body, /est confirmée/);

      assert.equal(smtp.received.length, 2);
      const welcome = smtp.received[1]!;
      assert.equal(welcome.subject, 'Bienvenue dans Tech Matin');
      assert.equal(welcome.headers.get('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
      const listUnsubscribe = /^<([^>]+)>$/.exec(welcome.headers.get('list-unsubscribe') ?? '')?.[1];
      assert.ok(listUnsubscribe, 'List-Unsubscribe header');
      assert.equal(listUnsubscribe, linkInText(welcome, '/unsubscribe/'));

      const oneClick = await n.app.inject({
        method: 'POST',
        url: new URL(listUnsubscribe).pathname,
        payload: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(oneClick.statusCode, 200);
      const row = await n.store.db
        .selectFrom('subscriptions')
        .innerJoin('subscribers', 'subscribers.id', 'subscriptions.subscriber_id')
        .select(['subscriptions.status', 'subscribers.email_hash'])
        .where('subscribers.email', '=', 'reader@example.org')
        .executeTakeFirstOrThrow();
      assert.equal(row.status, 'unsubscribed');
      const suppressed = await n.store.db.selectFrom('suppressions').select('reason').where('email_hash', '=', row.email_hash).execute();
      assert.deepEqual(suppressed, [{ reason: 'unsubscribe' }]);
      const log = await n.store.db.selectFrom('consent_log').select(['action', 'method']).orderBy('id').execute();
      assert.deepEqual(log.map((l) => `${l.action}/${l.method}`), ['subscribe-request/form', 'confirm/link', 'unsubscribe/one-click']);
    } finally {
      await n.close();
      await smtp.close();
    }
  });
}
