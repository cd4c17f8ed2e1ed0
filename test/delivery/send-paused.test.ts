// A send paused while two worker processes deliver it: every lane of both
// stops within a second. Only the batch that saw the pause used to stop (the
// message was cached per worker): the others went on with their rows (658
// messages accepted in the 20 s after an error-rate pause). Nothing is lost:
// the rows not sent wait, pending, for the send to be resumed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { deliveryParts } from '../../src/delivery/worker.ts';
import { outboxTransport } from '../../src/delivery/outbox.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { pauseSend } from '../../src/store/ledger.ts';
import { sendRecipients } from '../../src/store/sends.ts';
import { cliBackends } from '../helpers/cli-database.ts';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.ts';
import { PUBLIC, SECRET, seedNewsroom, startSmtpSink, testConfig } from './newsroom-fixture.ts';
import { until } from '../helpers/until.ts';

for (const backend of await cliBackends()) {
  test(`${backend.name}: a pause stops every lane of two worker processes within a second; the rows not sent wait`, { timeout: 120_000 }, async () => {
    const db = await backend.create();
    const store = db.open();
    const accepted: Array<{ messageId: string; at: number }> = [];
    const sink = await startSmtpSink({
      server: {
        onData(stream, _session, cb) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const messageId = /^Message-ID: <([^>]+)>/im.exec(Buffer.concat(chunks).toString('latin1'))?.[1] ?? '';
            accepted.push({ messageId, at: Date.now() });
            cb(null, 'Ok: queued');
          });
        },
      },
    });
    const workers: WorkerProcess[] = [];
    try {
      await migrateToLatest(store);
      const newsroom = await seedNewsroom(store, 700);
      const clock = new FakeClock(Date.now());
      const parts = deliveryParts({ store, config: testConfig(), clock, transport: outboxTransport('/nonexistent', clock) });
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'test' });
      // Batches that take seconds (150 rows at 40 messages/s per worker): a pause lands mid-batch.
      const env = { ...db.env, PUBLIC_URL: PUBLIC, MATINALE_SECRET: SECRET, WORKER_BATCH: '150', SMTP_URL: `${sink.url}?pool=2&rate=40` };
      workers.push(...(await Promise.all([startWorkerProcess(env), startWorkerProcess(env)])));
      const busy = async () =>
        (await store.db.selectFrom('recipients').select('lease_owner').distinct().where('state', '=', 'sending').execute()).length === 2;
      await until(async () => accepted.length >= 60 && (await busy()), 'both workers to be sending');

      assert.ok(await pauseSend(store, send.id, 'paused by the newsroom', Date.now()));
      const pausedAt = Date.now();
      await new Promise((r) => setTimeout(r, 4_000));

      const late = accepted.filter((m) => m.at > pausedAt + 1_000);
      assert.equal(late.length, 0, `${late.length} messages accepted more than a second after the pause (the last ${Math.max(...accepted.map((m) => m.at)) - pausedAt} ms after)`);
      // Nothing lost: every row sent was received once, the others wait for the send to be resumed.
      await until(async () => (await sendRecipients(store, send.id)).every((r) => r.state !== 'sending'), 'the workers to give back the rows not sent', 10_000);
      const rows = await sendRecipients(store, send.id);
      const sent = rows.filter((r) => r.state === 'sent');
      assert.ok(sent.length < rows.length, 'the pause came mid-send');
      assert.deepEqual(new Set(rows.map((r) => r.state)), new Set(['sent', 'pending']));
      assert.deepEqual(accepted.map((m) => m.messageId).sort(), sent.map((r) => r.message_id).sort(), 'each sent row received once, nothing else');
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await sink.close();
      await store.close();
      await db.dispose();
    }
  });
}
