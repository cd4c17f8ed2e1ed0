// TLS and credentials through smtpPool: STARTTLS when the relay offers it,
// wrong credentials are the relay refusing the send (not a bounce), a relay
// that offers STARTTLS then refuses it gets no AUTH, and credentials never go
// in clear to a relay elsewhere that does not offer STARTTLS unless the URL
// says tls=none. No result ever shows the password.
import { test } from 'node:test';
import { createServer, type AddressInfo, type Server } from 'node:net';
import assert from 'node:assert/strict';
import { smtpPool } from '../../src/delivery/smtp-pool.ts';
import { systemClock } from '../../src/clock.ts';
import { startSmtpSink } from './newsroom-fixture.ts';
import { externalAddress } from '../helpers/external-address.ts';
import { message, verdict } from './smtp-pool-fixture.ts';

test('wrong credentials are the relay refusing the send, not a bounce', async () => {
  const sink = await startSmtpSink({ auth: { user: 'matinale', pass: 's3cret' } });
  const url = sink.url.replace('s3cret', 'wrong');
  const transport = smtpPool([url], { clock: systemClock });
  try {
    const r = await transport.submit(message(1));
    assert.equal(r.ok, false);
    assert.equal(verdict(r), 'send');
    assert.equal(!r.ok && r.code, 535);
    assert.equal(!r.ok && r.command, 'AUTH PLAIN');
  } finally {
    await transport.close();
    await sink.close();
  }
});

test('STARTTLS is used when the relay offers it', async () => {
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
  const transport = smtpPool([`${sink.url}?tls=insecure`], { clock: systemClock });
  try {
    const r = await transport.submit(message(1));
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(secure, true);
  } finally {
    await transport.close();
    await sink.close();
  }
});

interface TlsLessRelay {
  server: Server;
  port: number;
  commands: string[];
}

/** A relay without TLS: it offers STARTTLS and answers it `starttls`, or does not offer it (undefined); it accepts any credentials. */
async function tlsLessRelay(host: string, starttls: string | undefined): Promise<TlsLessRelay> {
  const commands: string[] = [];
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.write('220 plain ESMTP\r\n');
    let pending = '';
    let data = false;
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      const lines = pending.split('\r\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (data) {
          if (line === '.') {
            data = false;
            socket.write('250 queued\r\n');
          }
          continue;
        }
        commands.push(line);
        const verb = line.split(/[ :]/)[0]!.toUpperCase();
        if (verb === 'EHLO') socket.write(`250-plain\r\n${starttls ? '250-STARTTLS\r\n' : ''}250 AUTH PLAIN\r\n`);
        else if (verb === 'STARTTLS') socket.write(starttls ?? '502 no\r\n');
        else if (verb === 'AUTH') socket.write('235 ok\r\n');
        else if (verb === 'DATA') {
          data = true;
          socket.write('354 go\r\n');
        } else socket.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, port: (server.address() as AddressInfo).port, commands };
}

test('a relay that offers STARTTLS and refuses it with a 5xx refuses the send: no AUTH, no bounce', async () => {
  const relay = await tlsLessRelay('127.0.0.1', '554 5.7.3 TLS is broken here\r\n');
  const transport = smtpPool([`smtp://matinale:hunter2@127.0.0.1:${relay.port}`], { clock: systemClock });
  try {
    const r = await transport.submit(message(1));
    assert.equal(r.ok, false);
    assert.equal(verdict(r), 'send', 'not a bounce');
    assert.equal(!r.ok && r.code, 554);
    assert.ok(!relay.commands.some((c) => c.startsWith('AUTH') || c.startsWith('MAIL')), JSON.stringify(relay.commands));
    assert.ok(!JSON.stringify(r).includes('hunter2'));
  } finally {
    await transport.close();
    await new Promise((resolve) => relay.server.close(resolve));
  }
});

test('credentials and a relay elsewhere without STARTTLS: a temporary ETLS failure and no AUTH, unless the URL says tls=none', { skip: !externalAddress && 'no non-loopback IPv4 interface on this host' }, async () => {
  const relay = await tlsLessRelay(externalAddress!, undefined);
  const url = `smtp://matinale:hunter2@${externalAddress}:${relay.port}`;
  const strict = smtpPool([url], { clock: systemClock });
  const clear = smtpPool([`${url}?tls=none`], { clock: systemClock });
  try {
    const r = await strict.submit(message(1));
    assert.equal(r.ok, false);
    assert.equal(verdict(r), 'retry');
    assert.equal(!r.ok && r.code, null);
    assert.match(!r.ok ? r.response : '', /^ETLS .*does not offer STARTTLS/);
    assert.ok(!JSON.stringify(r).includes('hunter2'));
    assert.ok(!relay.commands.some((c) => c.startsWith('AUTH')));
    const ok = await clear.submit(message(2));
    assert.ok(ok.ok, JSON.stringify(ok));
    assert.ok(relay.commands.some((c) => c.startsWith('AUTH PLAIN ')));
  } finally {
    await strict.close();
    await clear.close();
    await new Promise((resolve) => relay.server.close(resolve));
  }
});
