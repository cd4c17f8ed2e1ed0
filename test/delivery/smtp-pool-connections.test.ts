// How smtpPool holds its connections: the relay URL's pool and rate options,
// a few authenticated connections reused for many messages (byte for byte,
// dot-stuffing undone), a relay named by an IPv6 literal, the load shared by
// several relays, and warm(), which opens the connections before the first
// message. Against smtp-server (startSmtpSink), a real relay.
import { test } from 'node:test';
import { createServer, type AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import { parseRelayUrl, smtpPool } from '../../src/delivery/smtp-pool.ts';
import { systemClock } from '../../src/clock.ts';
import { startSmtpSink } from './newsroom-fixture.ts';
import { message } from './smtp-pool-fixture.ts';

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
