// Several relays in SMTP_URL, over real sockets: the load goes by their
// weights, and a relay that cannot be reached (a closed port; one that takes
// the TCP connection and never greets) is set aside with one log line while
// the other carries the send to its end, every row sent once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { systemClock } from '../../src/clock.ts';
import { parseRelayUrl, smtpPool } from '../../src/delivery/smtp-pool.ts';
import { RelayChoice } from '../../src/delivery/relay-choice.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { deliveryParts, deliveryWorker } from '../../src/delivery/worker.ts';
import { getSend, sendRecipients } from '../../src/store/sends.ts';
import { testBackends } from '../helpers/store.ts';
import { memoryLogger, seedNewsroom, startSmtpSink, testConfig } from './newsroom-fixture.ts';
import type { OutgoingMessage } from '../../src/delivery/transport.ts';

function message(n: number): OutgoingMessage {
  const to = `reader${n}@example.net`;
  const raw = Buffer.from(`From: a@example.org\r\nTo: <${to}>\r\nSubject: n${n}\r\n\r\nbody ${n}\r\n`);
  return { from: `bounces+1-${n}@example.org`, to, raw, messageId: `1.${n}.matinale@example.org` };
}

/** A port nothing listens on: one the system gave us, closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A server that accepts TCP connections and never says a word; counts them. */
async function silentServer(): Promise<{ server: Server; port: number; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

test('relay URLs carry a weight; a weight that is not a positive number is refused', () => {
  assert.equal(parseRelayUrl('smtp://relay.example.net').weight, 1);
  assert.equal(parseRelayUrl('smtp://relay.example.net?weight=3').weight, 3);
  assert.throws(() => parseRelayUrl('smtp://relay.example.net?weight=0'), /weight must be a positive number/);
  assert.throws(() => parseRelayUrl('smtp://relay.example.net?weight=lots'), /weight must be a positive number/);
});

test('the choice follows the weights over any stretch, and a relay set aside comes back after its time, doubling', () => {
  let now = 0;
  const logger = memoryLogger();
  const choice = new RelayChoice(
    [
      { description: 'a', weight: 3 },
      { description: 'b', weight: 1 },
    ],
    { now: () => now },
    logger,
  );
  const picks = Array.from({ length: 8 }, () => choice.next());
  assert.deepEqual(picks.filter((i) => i === 0).length, 6);
  for (let k = 0; k < 8; k += 4) assert.equal(picks.slice(k, k + 4).filter((i) => i === 1).length, 1, `every four messages, one to b: ${picks}`);

  choice.unreachable(0, 'ECONNECTION refused');
  choice.unreachable(0, 'ECONNECTION refused'); // a second message in flight fails too: no second line
  assert.equal(logger.lines.length, 1);
  assert.match(logger.lines[0]!.msg, /relay a set aside for 30 s: ECONNECTION refused/);
  assert.deepEqual(Array.from({ length: 4 }, () => choice.next()), [1, 1, 1, 1]);
  now += 30_000;
  assert.equal(choice.isUp(0), true, 'its time has come: tried again');
  choice.unreachable(0, 'ECONNECTION refused');
  assert.match(logger.lines[1]!.msg, /set aside for 60 s/);
  now += 60_000;
  choice.reached(0);
  assert.match(logger.lines[2]!.msg, /relay a answers again/);
  choice.unreachable(0, 'ECONNECTION refused');
  assert.match(logger.lines[3]!.msg, /set aside for 30 s/, 'the doubling starts over once it answered');
  // Every relay set aside: they are all tried all the same, as a single relay is.
  choice.unreachable(1, 'ETIMEDOUT');
  assert.ok([0, 1].includes(choice.next()));
});

test('weights 3:1 spread 400 messages about 3:1 between two real relays', async () => {
  const a = await startSmtpSink();
  const b = await startSmtpSink();
  const transport = smtpPool([`${a.url}?pool=3&weight=3`, `${b.url}?pool=3`], { clock: systemClock });
  try {
    const results = await Promise.all(Array.from({ length: 400 }, (_, i) => transport.submit(message(i))));
    assert.ok(results.every((r) => r.ok));
    assert.equal(a.received.length + b.received.length, 400);
    assert.ok(a.received.length >= 280 && a.received.length <= 320, `${a.received.length} : ${b.received.length}`);
  } finally {
    await transport.close();
    await a.close();
    await b.close();
  }
});

test('messages waiting for a relay that never greets go elsewhere once it is set aside, not one greeting timeout each', async () => {
  const silent = await silentServer();
  const good = await startSmtpSink();
  const logger = memoryLogger();
  // One connection to the silent relay and most of the weight: nine messages queue behind its one greeting.
  const transport = smtpPool([`smtp://127.0.0.1:${silent.port}?pool=1&weight=9&greetingTimeout=1s`, `${good.url}?pool=2`], { clock: systemClock, logger });
  try {
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => transport.submit(message(i))));
    const seconds = (Date.now() - started) / 1000;
    assert.ok(results.every((r) => r.ok), JSON.stringify(results.filter((r) => !r.ok)));
    assert.equal(good.received.length, 10);
    // The failed greeting frees its slot and the next waiter starts opening before the relay is set aside: two tries at most.
    assert.ok(silent.connections() <= 2, `${silent.connections()} tries of the silent relay, not one per waiting message`);
    assert.ok(seconds < 4, `all delivered ${seconds} s after the start: about one greeting timeout, not nine`);
    assert.equal(logger.lines.filter((l) => /set aside/.test(l.msg)).length, 1);
  } finally {
    await transport.close();
    await good.close();
    await silent.close();
  }
});

for (const backend of (await testBackends()).filter((b) => b.name === 'sqlite')) {
  for (const down of ['a closed port', 'a relay that never greets'] as const) {
    test(`${backend.name}: with one of two relays down (${down}) the send finishes on the other, every row once, one log line`, { timeout: 60_000 }, async () => {
      const store = await backend.open();
      const sink = await startSmtpSink();
      const silent = down === 'a relay that never greets' ? await silentServer() : undefined;
      const deadUrl = silent ? `smtp://127.0.0.1:${silent.port}?greetingTimeout=1s&pool=2` : `smtp://127.0.0.1:${await closedPort()}?pool=2`;
      const logger = memoryLogger();
      // The dead relay first and heavier: it is chosen first, and would take most messages.
      const transport = smtpPool([`${deadUrl}&weight=3`, `${sink.url}?pool=2`], { clock: systemClock, logger });
      try {
        const newsroom = await seedNewsroom(store, 40);
        const parts = deliveryParts({ store, config: testConfig(), clock: systemClock, transport, logger });
        const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'test' });
        const worker = deliveryWorker(store, parts, 'w1', { batchSize: 10 });
        while ((await worker.runBatch()) > 0);

        assert.equal((await getSend(store, send.id))?.status, 'done');
        const rows = await sendRecipients(store, send.id);
        assert.equal(rows.length, newsroom.active.length);
        assert.ok(rows.every((r) => r.state === 'sent' && r.attempts === 1), JSON.stringify(rows.filter((r) => r.state !== 'sent' || r.attempts !== 1)));
        const received = sink.received.map((m) => m.to[0]).sort();
        assert.deepEqual(received, [...newsroom.active].sort(), 'each reader once, all through the relay that answers');
        const asides = logger.lines.filter((l) => /set aside/.test(l.msg));
        assert.equal(asides.length, 1, JSON.stringify(logger.lines.map((l) => l.msg)));
        assert.equal(asides[0]!.level, 'warn');
        assert.match(asides[0]!.msg, silent ? /set aside for 30 s: the relay did not answer CONN within 1000 ms/ : /set aside for 30 s: could not connect to the relay .*ECONNREFUSED/);
        if (silent) assert.ok(silent.connections() >= 1, 'the silent relay was tried');
      } finally {
        await transport.close();
        await sink.close();
        await silent?.close();
        await store.dispose();
      }
    });
  }
}
