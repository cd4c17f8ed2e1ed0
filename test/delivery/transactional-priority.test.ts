// A confirmation mail is not queued behind a running list send: with a worker
// saturating a rate-limited relay (every lane's messages waiting for rate
// tokens), the mail the reader waits for goes out within about one token's
// time. Real sockets, a real worker loop, one transport for both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../src/clock.ts';
import { mailIdentity, transportOf } from '../../src/delivery/mail-stack.ts';
import { transactionalMessage } from '../../src/delivery/transactional-mail.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { deliveryParts, startWorker } from '../../src/delivery/worker.ts';
import { getSend } from '../../src/store/sends.ts';
import { testBackends } from '../helpers/store.ts';
import { memoryLogger, seedNewsroom, startSmtpSink, testConfig } from './newsroom-fixture.ts';

const [sqlite] = await testBackends();
const RATE = 40;

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

test('a confirmation mail goes out at once while a list send saturates a rate-limited relay', { timeout: 90_000 }, async () => {
  const store = await sqlite!.open();
  const sink = await startSmtpSink();
  // 40 messages/s over 10 connections; four lanes of batches of 45, each with 20 messages submitted at once:
  // about 80 list messages wait for rate tokens (2 s of them), at most 10 are on the wire.
  const config = testConfig({ smtpUrls: [`${sink.url}?rate=${RATE}&pool=10`] });
  const transport = transportOf(config, systemClock);
  const logger = memoryLogger();
  const newsroom = await seedNewsroom(store, 200);
  const parts = deliveryParts({ store, config, clock: systemClock, transport, logger });
  const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'editor@example.org' });
  const worker = startWorker({ store, config, clock: systemClock, transport, logger, scheduler: false, pollMs: 20, lanes: 4, policy: { batchSize: 45 } });
  try {
    // Past the bucket's first burst: from here every list message waits for its token.
    await until(() => sink.received.length >= 60, 'the list send under way');
    // Built first, as the mailer does, so that only the transport's wait is counted.
    const mail = { from: 'Tech Matin <matin@techmatin.example.org>', to: 'ann@example.org', subject: 'Confirmez votre inscription', text: 'https://techmatin.example.org/confirm/x' };
    const message = await transactionalMessage(mail, mailIdentity(config), Date.now());
    assert.equal(message.transactional, true);
    const before = sink.received.length;
    const started = performance.now();
    assert.equal((await transport.submit(message)).ok, true);
    const latency = Math.round(performance.now() - started);
    const at = sink.received.findIndex((m) => m.to[0] === 'ann@example.org');
    assert.ok(at >= 0, 'the confirmation reached the relay');
    assert.ok(newsroom.active.length - at >= 40, `the list send was still running: ${at} of ${newsroom.active.length} sent before`);
    // Counted in messages rather than milliseconds (the machine may be loaded): only list messages already on
    // the wire (10 connections) may pass it, never the ~80 waiting for tokens (about 80 passed it without priority).
    const overtaking = at - before;
    assert.ok(overtaking <= 20, `${overtaking} list messages went out between the confirmation's submission and its arrival (${latency} ms)`);

    await until(async () => (await getSend(store, send.id))!.status === 'done', 'the send done', 60_000);
    assert.equal(sink.received.filter((m) => m.to[0] !== 'ann@example.org').length, newsroom.active.length, 'every list message went out too');
  } finally {
    await worker.stop();
    await transport.close();
    await sink.close();
    await store.dispose();
  }
});

test('a transactional message takes the next free connection ahead of list messages waiting for one', { timeout: 30_000 }, async () => {
  // One connection, a relay that takes 20 ms per message: 30 list messages queue for the connection.
  const sink = await startSmtpSink({
    server: {
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          sink.received.push({ from: '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks), messageId: '' });
          setTimeout(() => cb(null, 'ok'), 20);
        });
      },
    },
  });
  const transport = transportOf(testConfig({ smtpUrls: [`${sink.url}?pool=1`] }), systemClock);
  try {
    const message = (to: string, transactional: boolean) => ({ from: 'bounces@example.org', to, raw: Buffer.from(`Subject: ${to}\r\n\r\nx\r\n`), messageId: to, transactional });
    const list = Array.from({ length: 30 }, (_, i) => transport.submit(message(`reader${i}@example.net`, false)));
    await until(() => sink.received.length >= 1, 'the first list message');
    const confirmation = transport.submit(message('ann@example.org', true));
    const results = await Promise.all([...list, confirmation]);
    assert.ok(results.every((r) => r.ok), JSON.stringify(results.find((r) => !r.ok)));
    const at = sink.received.findIndex((m) => m.to[0] === 'ann@example.org');
    // Behind the message on the wire (and the one handed the connection with it), never behind the 28 still waiting.
    assert.ok(at >= 1 && at <= 3, `the confirmation was message ${at + 1} of ${sink.received.length}`);
  } finally {
    await transport.close();
    await sink.close();
  }
});
