import { test } from 'node:test';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import assert from 'node:assert/strict';
import { parseRelayUrl, smtpPool } from '../../src/delivery/smtp-pool.ts';
import { systemClock } from '../../src/clock.ts';
import type { OutgoingMessage, SubmitResult } from '../../src/delivery/transport.ts';
import { judgeRefusal } from '../../src/delivery/retry-policy.ts';
import { startSmtpSink } from './newsroom-fixture.ts';

/** What the retry policy makes of a result: the pool only reports it. */
const verdict = (r: SubmitResult) => (r.ok ? 'sent' : judgeRefusal(r).kind);

function message(n: number, to = `reader${n}@example.net`): OutgoingMessage {
  const messageId = `1.${n}.matinale@example.org`;
  const raw = Buffer.from(`From: a@example.org\r\nTo: <${to}>\r\nMessage-ID: <${messageId}>\r\nSubject: n${n}\r\n\r\n.a line that starts with a dot\r\nbody ${n}\r\n`);
  return { from: `bounces+1-${n}@example.org`, to, raw, messageId };
}

test('relay URLs carry the pool and rate options', () => {
  const r = parseRelayUrl('smtp://user%40x:p%3Ass@relay.example.net:2525?pool=3&rate=40&hourly=1000&tls=insecure');
  assert.deepEqual(
    { host: r.host, port: r.port, secure: r.secure, auth: r.auth, pool: r.poolSize, rate: r.perSecond, hourly: r.perHour, reject: r.rejectUnauthorized },
    { host: 'relay.example.net', port: 2525, secure: false, auth: { user: 'user@x', pass: 'p:ss' }, pool: 3, rate: 40, hourly: 1000, reject: false },
  );
  assert.equal(parseRelayUrl('smtps://relay.example.net').port, 465);
  assert.ok(!r.description.includes('p:ss') && !r.description.includes('user'));
  assert.throws(() => parseRelayUrl('http://relay.example.net'), /smtp:\/\//);
  assert.throws(() => parseRelayUrl('smtp://relay.example.net?pool=0'), /pool/);
  assert.equal(r.plaintext, false);
  const clear = parseRelayUrl('smtp://u:p@relay.internal:25?tls=none');
  assert.deepEqual({ plaintext: clear.plaintext, reject: clear.rejectUnauthorized }, { plaintext: true, reject: true });
  assert.throws(() => parseRelayUrl('smtps://relay.example.net?tls=none'), /tls=none contradicts smtps/);
  assert.throws(() => parseRelayUrl('smtp://relay.example.net?tls=nnoe'), /tls must be insecure or none/);
});

test('messages go through a few reused, authenticated connections, byte for byte (dot-stuffing undone)', async () => {
  const sink = await startSmtpSink({ auth: { user: 'matinale', pass: 's3cret' } });
  const transport = smtpPool([`${sink.url}?pool=3`], { clock: systemClock });
  try {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => transport.submit(message(i))));
    assert.ok(results.every((r) => r.ok && r.code === 250), JSON.stringify(results[0]));
    assert.equal(sink.received.length, 40);
    assert.ok(sink.connections <= 3, `${sink.connections} connections for 40 messages`);
    const m = sink.received.find((x) => x.to[0] === 'reader7@example.net')!;
    assert.deepEqual(m.raw, message(7).raw);
    assert.equal(m.from, 'bounces+1-7@example.org');
  } finally {
    await transport.close();
    await sink.close();
  }
});

test('a relay named by an IPv6 literal (smtp://[::1]:port) is reached', async () => {
  assert.equal(parseRelayUrl('smtp://[2001:db8::25]:587').host, '2001:db8::25');
  const sink = await startSmtpSink({ host: '::1', auth: { user: 'matinale', pass: 's3cret' } });
  const transport = smtpPool([sink.url], { clock: systemClock });
  try {
    assert.match(sink.url, /@\[::1\]:\d+$/);
    const r = await transport.submit(message(1));
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(sink.received.length, 1);
  } finally {
    await transport.close();
    await sink.close();
  }
});

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

test('the relay’s code, answer and the command answered are kept: 5.1.1 to RCPT is a bounce, 4xx a retry, a 5xx to MAIL FROM the relay refusing the send', async () => {
  const sink = await startSmtpSink({
    rcpt: (address) =>
      address.startsWith('gone') ? { code: 550, message: '5.1.1 User unknown' } : address.startsWith('busy') ? { code: 421, message: '4.7.0 Slow down' } : undefined,
    server: {
      onMailFrom(address, _session, cb) {
        if (address.address.startsWith('bounces+9')) {
          const err = new Error('5.7.1 Sender refused') as Error & { responseCode: number };
          err.responseCode = 554;
          return cb(err);
        }
        cb();
      },
    },
  });
  const transport = smtpPool([`${sink.url}?pool=1`], { clock: systemClock });
  try {
    const gone = await transport.submit(message(1, 'gone@example.net'));
    assert.deepEqual(gone, { ok: false, code: 550, response: '550 5.1.1 User unknown', command: 'RCPT TO', slowDown: false });
    assert.equal(verdict(gone), 'bounce');
    const busy = await transport.submit(message(2, 'busy@example.net'));
    assert.equal(busy.ok, false);
    assert.equal(verdict(busy), 'retry');
    assert.equal(!busy.ok && busy.slowDown, true);
    const refused = { ...message(3), from: 'bounces+9-3@example.org' };
    const r = await transport.submit(refused);
    assert.equal(verdict(r), 'send', 'not a bounce');
    assert.equal(!r.ok && r.code, 554);
    assert.equal(!r.ok && r.command, 'MAIL FROM');
    // The connection is still usable after the refusals.
    assert.ok((await transport.submit(message(4))).ok);
  } finally {
    await transport.close();
    await sink.close();
  }
});

test('a 421 at the end of DATA (the relay hangs up) is temporary; the next message gets a new connection', async () => {
  let refuse = true;
  const sink = await startSmtpSink({
    server: {
      onData(stream, _session, cb) {
        stream.on('data', () => {});
        stream.on('end', () => {
          if (!refuse) return cb(null, 'Ok');
          refuse = false;
          cb(Object.assign(new Error('4.3.2 Shutting down'), { responseCode: 421 }));
        });
      },
    },
  });
  const transport = smtpPool([sink.url], { clock: systemClock });
  try {
    const first = await transport.submit(message(1));
    assert.equal(first.ok, false);
    assert.equal(verdict(first), 'retry');
    assert.equal(!first.ok && first.code, 421);
    assert.ok((await transport.submit(message(2))).ok);
  } finally {
    await transport.close();
    await sink.close();
  }
});

test('a connection reset in the middle of a message is a temporary failure, without a code', async () => {
  const server = createServer((socket) => {
    socket.write('220 flaky ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      const line = chunk.toString();
      if (line.startsWith('EHLO')) socket.write('250-flaky\r\n250 PIPELINING\r\n');
      else if (line.startsWith('MAIL')) socket.resetAndDestroy();
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const transport = smtpPool([`smtp://127.0.0.1:${port}`], { clock: systemClock });
  try {
    const r = await transport.submit(message(1));
    assert.equal(r.ok, false);
    assert.equal(verdict(r), 'retry');
    assert.equal(!r.ok && r.code, null);
    assert.match(!r.ok ? r.response : '', /ECONNRESET|ECONNECTION|closed/i);
  } finally {
    await transport.close();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('several relays share the load', async () => {
  const a = await startSmtpSink();
  const b = await startSmtpSink();
  const transport = smtpPool([`${a.url}?pool=2`, `${b.url}?pool=2`], { clock: systemClock });
  try {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => transport.submit(message(i))));
    assert.ok(results.every((r) => r.ok));
    assert.equal(a.received.length + b.received.length, 40);
    assert.ok(a.received.length >= 10 && b.received.length >= 10, `${a.received.length} / ${b.received.length}`);
  } finally {
    await transport.close();
    await a.close();
    await b.close();
  }
});

test('a relay that never greets is a temporary failure once the injected greeting timeout passes', async () => {
  const server = createServer((socket) => socket.on('error', () => {}));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const transport = smtpPool([`smtp://127.0.0.1:${port}`], { clock: systemClock, timeouts: { greetingMs: 100 } });
  try {
    const r = await transport.submit(message(1));
    assert.equal(r.ok, false);
    assert.equal(verdict(r), 'retry');
    assert.equal(!r.ok && r.code, null);
    assert.match(!r.ok ? r.response : '', /^ETIMEDOUT .*within 100 ms/);
  } finally {
    await transport.close();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A port nothing listens on: one the system gave us, closed again. */
async function refusingPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves with the promise's value, or rejects when it takes longer than ms (a hang fails the test instead of stalling it). */
async function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

test('a relay that refuses connections: 20 concurrent messages all settle quickly as temporary failures (pool=5 and pool=1)', async () => {
  const port = await refusingPort();
  for (const pool of [5, 1]) {
    const transport = smtpPool([`smtp://127.0.0.1:${port}?pool=${pool}`], { clock: systemClock });
    try {
      const results = await within(5_000, Promise.all(Array.from({ length: 20 }, (_, i) => transport.submit(message(i)))), `pool=${pool}`);
      for (const r of results) {
        assert.equal(r.ok, false);
        assert.equal(verdict(r), 'retry');
        assert.equal(!r.ok && r.code, null);
        assert.match(!r.ok ? r.response : '', /^ECONNECTION .*ECONNREFUSED/);
      }
    } finally {
      await transport.close();
    }
  }
});

test('a relay that hangs up on every connection: every waiter settles, never more connections at once than the pool', async () => {
  let live = 0;
  let most = 0;
  let total = 0;
  const server = createServer((socket) => {
    total++;
    most = Math.max(most, ++live);
    socket.on('error', () => {});
    socket.on('close', () => live--);
    // Long enough for the other submits to queue behind the pool.
    setTimeout(() => socket.destroy(), 30);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const transport = smtpPool([`smtp://127.0.0.1:${port}?pool=3`], { clock: systemClock });
  try {
    const results = await within(5_000, Promise.all(Array.from({ length: 20 }, (_, i) => transport.submit(message(i)))), 'pool=3');
    assert.ok(
      results.every((r) => verdict(r) === 'retry' && !r.ok && r.code === null),
      JSON.stringify(results[0]),
    );
    assert.ok(most <= 3, `${most} connections at once`);
    assert.equal(total, 20, 'each message had its own attempt');
  } finally {
    await transport.close();
    await new Promise((resolve) => server.close(resolve));
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

const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && !i.internal && i.family === 'IPv4')?.address;

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

test('warm opens the connections before the first message, and the messages then take them; a relay that cannot be reached fails the first message waiting, at once', async () => {
  const sink = await startSmtpSink();
  const transport = smtpPool([`${sink.url}?pool=4`], { clock: systemClock });
  try {
    transport.warm!();
    for (let i = 0; i < 100 && sink.connections < 4; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(sink.connections, 4, 'opened before any message');
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => transport.submit(message(i))));
    assert.ok(results.every((r) => r.ok));
    assert.equal(sink.connections, 4, 'the warm connections carried them');
    assert.equal(sink.received.length, 12);
  } finally {
    await transport.close();
    await sink.close();
  }
  // A closed port: the warm sessions fail, and the message waiting behind them fails as if it had tried itself.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const down = smtpPool([`smtp://127.0.0.1:${port}?pool=2`], { clock: systemClock });
  try {
    down.warm!();
    const r = await down.submit(message(1));
    assert.equal(r.ok, false);
    assert.match(r.response, /ECONNREFUSED|ECONNECTION/);
  } finally {
    await down.close();
  }
});
