// A real Postfix with message_size_limit (test/helpers/postfix.ts): the send
// whose message is bigger pauses before any reader is tried, and each MAIL FROM
// states SIZE=, so that Postfix refuses a message too big before its body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { getSend, sendRecipients } from '../../src/store/sends.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { deliveryParts, deliveryWorker } from '../../src/delivery/worker.ts';
import { smtpPool } from '../../src/delivery/smtp-pool.ts';
import { testBackends } from '../helpers/store.ts';
import { postfixUnavailable, startPostfix } from '../helpers/postfix.ts';
import { memoryLogger, seedNewsroom, startSmtpSink, testConfig } from './newsroom-fixture.ts';

const skip = postfixUnavailable();

test('Postfix with message_size_limit 20000: the send pauses before any reader is tried, and SIZE= makes Postfix refuse a big message at MAIL FROM', { skip, timeout: 60_000 }, async () => {
  const [backend] = await testBackends();
  const store = await backend!.open();
  const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
  const sink = await startSmtpSink();
  const postfix = await startPostfix({ relayTo: { host: '127.0.0.1', port: sink.port }, settings: { message_size_limit: '20000' } });
  const transport = smtpPool([postfix.url], { clock });
  /** Waits (a few seconds at most) for Postfix to log a line. */
  const logged = async (pattern: RegExp) => {
    for (let i = 0; i < 100 && !pattern.test(postfix.log()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(postfix.log(), pattern);
  };
  try {
    const newsroom = await seedNewsroom(store, 8);
    const parts = deliveryParts({ store, config: testConfig(), clock, transport, logger: memoryLogger() });
    const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'editor@example.org' });
    const worker = deliveryWorker(store, parts, 'w1');
    while ((await worker.runBatch()) > 0);

    const paused = (await getSend(store, send.id))!;
    assert.equal(paused.status, 'paused');
    assert.match(paused.status_reason ?? '', /^the message is [\d,]+ bytes and the relay smtp:\/\/127\.0\.0\.1:\d+ takes at most 20,000 \(its SIZE\): no reader was tried/);
    const rows = await sendRecipients(store, send.id);
    assert.ok(rows.length > 0 && rows.every((r) => r.state === 'pending' && r.attempts === 0), JSON.stringify(rows.map((r) => [r.state, r.attempts])));
    // Postfix saw a session (its EHLO told the limit) and never a MAIL FROM:
    // its summary of the session, once our pool closes it, counts no mail command.
    await transport.close();
    await logged(/disconnect from localhost\S* ehlo=1/);
    assert.doesNotMatch(postfix.log(), /\bmail=\d/);

    // A message of that size submitted anyway: SIZE= on MAIL FROM, refused there, before any byte of the body.
    const raw = Buffer.concat([Buffer.from('Subject: big\r\n\r\n'), Buffer.alloc(30_000, 'x\r\n')]);
    const again = smtpPool([postfix.url], { clock });
    const r = await again.submit({ from: 'bounces+1-1@example.org', to: 'reader@example.net', raw, messageId: 'big.1' });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.code, 552, JSON.stringify(r));
    await again.close();
    await logged(/reject: MAIL from localhost\S*: 552 5\.3\.4 Message size exceeds fixed limit/);
    assert.deepEqual(postfix.submitted(), []);
    assert.equal(sink.received.length, 0);
  } finally {
    await transport.close();
    await postfix.stop();
    await sink.close();
    await store.close();
  }
});
