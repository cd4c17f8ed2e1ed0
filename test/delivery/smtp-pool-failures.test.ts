// How a relay's refusals and failures come out of smtpPool, and what the
// retry policy makes of them: the relay's code, answer and the command it
// answered are kept (a bounce, a retry, or the relay refusing the send); a
// 421, a reset connection, a relay that never greets, refuses connections or
// hangs up on each is a temporary failure. Every message waiting settles
// quickly, and never more connections at once than the pool.
import { test } from 'node:test';
import { createServer, type AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import { smtpPool } from '../../src/delivery/smtp-pool.ts';
import { systemClock } from '../../src/clock.ts';
import { startSmtpSink } from './newsroom-fixture.ts';
import { message, verdict } from './smtp-pool-fixture.ts';

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
