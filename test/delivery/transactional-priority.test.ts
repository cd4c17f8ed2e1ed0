// A confirmation mail is not queued behind a running list send: with a worker
// saturating a rate-limited relay (every lane's messages waiting for rate
// tokens), the mail the reader waits for goes out within about one token's
// time. Real sockets, a real worker loop, one transport for both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../src/clock.ts';
import { mailerOf, transportOf } from '../../src/delivery/mail-stack.ts';
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

test('a confirmation mail goes out at once while a list send saturates a rate-limited relay', { timeout: 60_000 }, async () => {
  const store = await sqlite!.open();
  const sink = await startSmtpSink();
  // 40 messages/s over 40 connections: a batch of 100 has 80 messages in flight, waiting for tokens (2 s of them).
  const config = testConfig({ smtpUrls: [`${sink.url}?rate=${RATE}&pool=40`] });
  const transport = transportOf(config, systemClock);
  const logger = memoryLogger();
  const mailer = mailerOf(config, transport, systemClock, logger);
  const newsroom = await seedNewsroom(store, 200);
  const parts = deliveryParts({ store, config, clock: systemClock, transport, logger });
  const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'editor@example.org' });
  const worker = startWorker({ store, config, clock: systemClock, transport, logger, scheduler: false, pollMs: 20, policy: { batchSize: 100 } });
  try {
    // Past the bucket's first burst: from here every list message waits for its token.
    await until(() => sink.received.length >= 60, 'the list send under way');
    const started = performance.now();
    await mailer.send({ from: 'Tech Matin <matin@techmatin.example.org>', to: 'ann@example.org', subject: 'Confirmez votre inscription', text: 'https://techmatin.example.org/confirm/x' });
    const latency = performance.now() - started;
    const at = sink.received.findIndex((m) => m.to[0] === 'ann@example.org');
    assert.ok(at >= 0, 'the confirmation reached the relay');
    const listBefore = sink.received.slice(0, at).length;
    assert.ok(newsroom.active.length - listBefore >= 40, `the list send was still running: ${listBefore} of ${newsroom.active.length} sent before`);
    // One token is 25 ms; behind the list messages waiting it would be about 2 s.
    assert.ok(latency < 700, `the confirmation took ${Math.round(latency)} ms`);

    await until(async () => (await getSend(store, send.id))!.status === 'done', 'the send done');
    assert.equal(sink.received.filter((m) => m.to[0] !== 'ann@example.org').length, newsroom.active.length, 'every list message went out too');
  } finally {
    await worker.stop();
    await transport.close();
    await sink.close();
    await store.dispose();
  }
});
