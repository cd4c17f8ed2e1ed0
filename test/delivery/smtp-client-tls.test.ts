// TLS and credentials in SmtpSession: STARTTLS when offered, smtps:// from the
// first byte, AUTH PLAIN or LOGIN, and never a password in clear to a relay
// that is not on this machine unless the operator said tls=none. A relay that
// offers STARTTLS then refuses it, or stays silent in the handshake, gets
// nothing more. No error ever shows the password.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmtpSession, isLoopback, type SmtpError } from '../../src/delivery/smtp-client.ts';
import { startSmtpSink } from './newsroom-fixture.ts';
import { externalAddress } from '../helpers/external-address.ts';
import { client, envelope, rawRelay, rejection } from './smtp-client-fixture.ts';

// ---------------------------------------------------------------------------
// Against smtp-server, a real relay.

test('STARTTLS when offered (EHLO again after it), and a certificate that does not verify is refused when asked', async () => {
  let secure = false;
  const sink = await startSmtpSink({
    server: {
      disabledCommands: ['AUTH'],
      onMailFrom(_address, session, cb) {
        secure = session.secure;
        cb();
      },
    },
  });
  try {
    const session = await SmtpSession.open(client(sink.port));
    assert.equal((await session.send(envelope, Buffer.from('Subject: tls\r\n\r\nhi\r\n'))).code, 250);
    assert.equal(secure, true);
    assert.equal(session.offers('STARTTLS'), false, 'the extensions are those of the EHLO after STARTTLS');
    session.close();
    const err = await rejection(SmtpSession.open(client(sink.port, { rejectUnauthorized: true })));
    assert.equal(err.code, 'ETLS');
    assert.equal(err.command, 'STARTTLS');
  } finally {
    await sink.close();
  }
});

test('smtps:// speaks TLS from the first byte', async () => {
  let secure = false;
  const sink = await startSmtpSink({
    server: {
      secure: true,
      onMailFrom(_address, session, cb) {
        secure = session.secure;
        cb();
      },
    },
  });
  const session = await SmtpSession.open(client(sink.port, { secure: true }));
  try {
    assert.equal((await session.send(envelope, Buffer.from('Subject: smtps\r\n\r\nhi\r\n'))).code, 250);
    assert.equal(secure, true);
    assert.equal(sink.received[0]!.raw.toString(), 'Subject: smtps\r\n\r\nhi\r\n');
  } finally {
    session.close();
    await sink.close();
  }
});

test('AUTH PLAIN, AUTH LOGIN when only it is offered, and wrong credentials are an EAUTH error that never shows the password', async () => {
  for (const methods of [['PLAIN', 'LOGIN'], ['LOGIN']]) {
    let used = '';
    const sink = await startSmtpSink({
      auth: { user: 'matinale', pass: 's3cret' },
      server: {
        authMethods: methods,
        onAuth(auth, _session, cb) {
          used = auth.method;
          if (auth.username === 'matinale' && auth.password === 's3cret') return cb(null, { user: auth.username });
          cb(new Error('Invalid username or password'));
        },
      },
    });
    try {
      const session = await SmtpSession.open(client(sink.port, { auth: { user: 'matinale', pass: 's3cret' } }));
      assert.equal((await session.send(envelope, Buffer.from('Subject: auth\r\n\r\nhi\r\n'))).code, 250);
      assert.equal(used, methods[0]);
      session.close();
      const err = await rejection(SmtpSession.open(client(sink.port, { auth: { user: 'matinale', pass: 'hunter2-wrong' } })));
      assert.equal(err.code, 'EAUTH');
      assert.equal(err.responseCode, 535);
      assert.equal(err.command, `AUTH ${methods[0]}`);
      const shown = JSON.stringify({ ...err, message: err.message, stack: err.stack });
      assert.ok(!shown.includes('hunter2') && !shown.includes(Buffer.from('hunter2-wrong').toString('base64')), shown);
    } finally {
      await sink.close();
    }
  }
});

// ---------------------------------------------------------------------------
// TLS before credentials, and a handshake that never ends.

const AUTH_EHLO = '250-raw.example.net\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n';
const STARTTLS_EHLO = '250-raw.example.net\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n';
const credentials = { user: 'matinale', pass: 'hunter2-relay' };
const acceptAuth = (c: string) => (c.startsWith('AUTH') ? '235 2.7.0 ok\r\n' : undefined);

function assertNoSecret(err: SmtpError): void {
  const shown = JSON.stringify({ ...err, message: err.message, stack: err.stack });
  assert.ok(!shown.includes('hunter2') && !shown.includes(Buffer.from(`\0matinale\0${credentials.pass}`).toString('base64')), shown);
}

test('loopback addresses: 127.0.0.0/8, ::1 and 127.x mapped into IPv6; nothing else', () => {
  for (const a of ['127.0.0.1', '127.10.20.30', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) assert.equal(isLoopback(a), true, a);
  for (const a of ['128.0.0.1', '192.0.2.2', '10.0.0.1', 'fd00::2', '::ffff:192.0.2.2', '::', 'localhost', '', undefined]) assert.equal(isLoopback(a), false, String(a));
});

test('a relay that offers STARTTLS then refuses it is an ETLS error: nothing more in clear, no AUTH, with or without credentials', async () => {
  for (const answer of ['454 4.7.0 TLS not available due to temporary reason\r\n', '554 5.7.3 not today\r\n']) {
    const relay = await rawRelay({ ehlo: STARTTLS_EHLO, answer: (c) => (c === 'STARTTLS' ? answer : acceptAuth(c)) });
    try {
      for (const auth of [credentials, undefined]) {
        const err = await rejection(SmtpSession.open(client(relay.port, auth ? { auth } : {})));
        assert.equal(err.code, 'ETLS');
        assert.equal(err.command, 'STARTTLS');
        assert.equal(err.responseCode, Number(answer.slice(0, 3)));
        assert.match(err.message, /offered STARTTLS then refused it/);
        assertNoSecret(err);
      }
      assert.deepEqual(
        relay.commands.map((c) => c.split(' ')[0]),
        ['EHLO', 'STARTTLS', 'EHLO', 'STARTTLS'],
        'nothing after the refusal, the password least of all',
      );
    } finally {
      await relay.close();
    }
  }
});

test('tls=none (plaintext): STARTTLS is not tried even when offered, and the credentials go in clear as the operator asked', async () => {
  const relay = await rawRelay({ ehlo: STARTTLS_EHLO, answer: (c) => (c === 'STARTTLS' ? '454 4.7.0 broken\r\n' : acceptAuth(c)) });
  const session = await SmtpSession.open(client(relay.port, { auth: credentials, plaintext: true }));
  try {
    assert.equal((await session.send(envelope, Buffer.from('Subject: clear\r\n\r\nx\r\n'))).code, 250);
    assert.ok(!relay.commands.includes('STARTTLS'));
    assert.match(relay.commands[1]!, /^AUTH PLAIN /);
  } finally {
    session.close();
    await relay.close();
  }
});

test('credentials go in clear to a loopback relay without STARTTLS, but not to one on another address: ETLS, and no AUTH', { skip: !externalAddress && 'no non-loopback IPv4 interface on this host' }, async () => {
  const local = await rawRelay({ ehlo: AUTH_EHLO, answer: acceptAuth });
  const remote = await rawRelay({ host: externalAddress!, ehlo: AUTH_EHLO, answer: acceptAuth });
  try {
    const session = await SmtpSession.open(client(local.port, { auth: credentials }));
    session.close();
    assert.match(local.commands[1]!, /^AUTH PLAIN /);

    const err = await rejection(SmtpSession.open(client(remote.port, { host: externalAddress!, auth: credentials })));
    assert.equal(err.code, 'ETLS');
    assert.equal(err.command, 'EHLO');
    assert.match(err.message, /does not offer STARTTLS.*tls=none/);
    assertNoSecret(err);
    assert.ok(!remote.commands.some((c) => c.startsWith('AUTH')), JSON.stringify(remote.commands));

    // Without credentials a relay without STARTTLS is still used in clear, as nodemailer did.
    const anonymous = await SmtpSession.open(client(remote.port, { host: externalAddress! }));
    assert.equal((await anonymous.send(envelope, Buffer.from('Subject: anon\r\n\r\nx\r\n'))).code, 250);
    anonymous.close();
    // And tls=none lets the operator send them in clear.
    const allowed = await SmtpSession.open(client(remote.port, { host: externalAddress!, auth: credentials, plaintext: true }));
    allowed.close();
    assert.ok(remote.commands.some((c) => c.startsWith('AUTH PLAIN ')));
  } finally {
    await local.close();
    await remote.close();
  }
});

test('a relay that says 220 to STARTTLS and then stays silent: the handshake times out with the connect timeout and the socket is closed', async () => {
  const relay = await rawRelay({ ehlo: STARTTLS_EHLO, answer: (c) => (c === 'STARTTLS' ? '220 2.0.0 go ahead\r\n' : undefined), muteAfter: 'STARTTLS' });
  let guard: NodeJS.Timeout | undefined;
  try {
    const started = Date.now();
    const hung = new Promise<never>((_, reject) => {
      guard = setTimeout(() => reject(new Error('open() still pending after 5 s')), 5_000);
    });
    const err = await rejection(Promise.race([SmtpSession.open(client(relay.port, { timeouts: { connectMs: 150 } })), hung]));
    assert.equal(err.code, 'ETIMEDOUT', err.message);
    assert.equal(err.command, 'STARTTLS');
    assert.match(err.message, /TLS handshake .* within 150 ms/);
    assert.ok(Date.now() - started < 2_000);
    for (let i = 0; i < 100 && relay.openSockets() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(relay.openSockets(), 0, 'the client closed its connection');
  } finally {
    clearTimeout(guard);
    await relay.close();
  }
});
