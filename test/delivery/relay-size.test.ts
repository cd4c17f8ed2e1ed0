// A relay's SIZE (issue 9: the relay said SIZE 20000 and a 46 KB message went
// anyway, bounced for every reader tried). The worker, as `matinale worker`
// builds it, against smtp-server sinks with a size limit, on both backends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { getSend, sendRecipients } from '../../src/store/sends.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { deliveryParts, deliveryWorker } from '../../src/delivery/worker.ts';
import { smtpPool } from '../../src/delivery/smtp-pool.ts';
import { testBackends } from '../helpers/store.ts';
import { memoryLogger, seedNewsroom, startSmtpSink, testConfig } from './newsroom-fixture.ts';

const LIMIT = 20_000;

/** A sink with a size limit that notes every MAIL FROM's SIZE= (undefined when absent). */
async function sizedSink(size: number) {
  const mailFrom: Array<string | undefined> = [];
  const sink = await startSmtpSink({
    server: {
      size,
      onMailFrom(address, _session, cb) {
        const args = address.args as Record<string, string> | false;
        mailFrom.push(args ? args.SIZE : undefined);
        cb();
      },
    },
  });
  return Object.assign(sink, { mailFrom });
}

for (const backend of await testBackends()) {
  test(`${backend.name}: a message bigger than the relay's SIZE pauses the send before any reader is tried, naming the size and the limit`, { timeout: 60_000 }, async () => {
    const store = await backend.open();
    const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
    const sink = await sizedSink(LIMIT);
    const transport = smtpPool([sink.url], { clock });
    try {
      const newsroom = await seedNewsroom(store, 12);
      const logger = memoryLogger();
      const parts = deliveryParts({ store, config: testConfig(), clock, transport, logger });
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'editor@example.org' });
      const suppressionsBefore = await store.db.selectFrom('suppressions').select('email_hash').execute();
      const worker = deliveryWorker(store, parts, 'w1', { batchSize: 5 });
      assert.equal(await worker.runBatch(), 5, 'a batch was claimed');
      // Nothing more to claim: the send is paused, its rows wait for a resume.
      assert.equal(await worker.runBatch(), 0);

      const paused = (await getSend(store, send.id))!;
      assert.equal(paused.status, 'paused');
      const m = /^the message is ([\d,]+) bytes and the relay (\S+) takes at most 20,000 \(its SIZE\): no reader was tried/.exec(paused.status_reason ?? '');
      assert.ok(m, paused.status_reason ?? 'no reason');
      assert.ok(Number(m[1]!.replace(/,/g, '')) > LIMIT);
      assert.equal(m[2], `smtp://127.0.0.1:${sink.port}`);
      // No reader was tried: no MAIL FROM reached the relay, every row is pending with no attempt, nobody suppressed.
      assert.deepEqual(sink.mailFrom, []);
      assert.equal(sink.received.length, 0);
      const rows = await sendRecipients(store, send.id);
      assert.equal(rows.length, newsroom.active.length);
      for (const row of rows) {
        assert.equal(row.state, 'pending', row.email);
        assert.equal(row.attempts, 0, row.email);
        assert.equal(row.relay_code, null);
      }
      assert.deepEqual(await store.db.selectFrom('suppressions').select('email_hash').execute(), suppressionsBefore);
      assert.ok(logger.lines.some((l) => l.level === 'warn' && l.msg === 'send paused'));
    } finally {
      await transport.close();
      await sink.close();
      await store.close();
    }
  });
}

test('within the relay’s SIZE the send goes out, each MAIL FROM stating the message’s exact size', { timeout: 60_000 }, async () => {
  const [backend] = await testBackends();
  const store = await backend!.open();
  const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
  const sink = await sizedSink(10 * 1024 * 1024);
  const transport = smtpPool([sink.url], { clock });
  try {
    const newsroom = await seedNewsroom(store, 6);
    const parts = deliveryParts({ store, config: testConfig(), clock, transport, logger: memoryLogger() });
    const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'editor@example.org' });
    const worker = deliveryWorker(store, parts, 'w1');
    while ((await worker.runBatch()) > 0);
    assert.equal((await getSend(store, send.id))!.status, 'done');
    assert.equal(sink.received.length, newsroom.active.length);
    assert.equal(sink.mailFrom.length, sink.received.length);
    // smtp-server gives the body as received, dot-stuffing undone: the size stated is its size.
    const sizes = sink.received.map((r) => String(r.raw.length)).sort();
    assert.deepEqual([...sink.mailFrom].sort(), sizes);
    assert.ok(sink.received.every((r) => r.raw.length > LIMIT), 'the same edition the small relay refused');
  } finally {
    await transport.close();
    await sink.close();
    await store.close();
  }
});
