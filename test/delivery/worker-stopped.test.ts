// A worker stopped (SIGSTOP) past its lease, while another worker takes its
// rows, then continued (SIGCONT): it writes no message for a row whose lease
// it lost. Its lanes were waiting in the SMTP pool for a rate token when it
// stopped; they used to send as soon as it woke, without looking at the lease
// again (17 duplicates after a 75 s stop). The lease is now asked right before
// each message is written, and a lost lease drops what waits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { deliveryParts } from '../../src/delivery/worker.ts';
import { outboxTransport } from '../../src/delivery/outbox.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { getSend, sendRecipients } from '../../src/store/sends.ts';
import { cliBackends } from '../helpers/cli-database.ts';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.ts';
import { PUBLIC, SECRET, seedNewsroom, startSmtpSink, testConfig, type SmtpSink } from './newsroom-fixture.ts';
import { until } from '../helpers/until.ts';

/** What a sink accepted, and when (this process's clock). */
interface Accepted {
  to: string;
  at: number;
}

/** A sink that notes the time of each message it accepts. */
async function timedSink(accepted: Accepted[]): Promise<SmtpSink> {
  return startSmtpSink({
    server: {
      onData(stream, session, cb) {
        stream.resume();
        stream.on('end', () => {
          accepted.push({ to: session.envelope.rcptTo[0]!.address, at: Date.now() });
          cb(null, 'Ok: queued');
        });
      },
    },
  });
}

for (const backend of await cliBackends()) {
  test(`${backend.name}: a worker stopped past its lease (SIGSTOP) writes nothing, once continued, for the rows another worker took`, { timeout: 120_000 }, async () => {
    const db = await backend.create();
    const store = db.open();
    // Two sinks, one per worker, so that each message says which worker wrote it.
    const fromStopped: Accepted[] = [];
    const fromOther: Accepted[] = [];
    const sinkA = await timedSink(fromStopped);
    const sinkB = await timedSink(fromOther);
    const workers: WorkerProcess[] = [];
    try {
      await migrateToLatest(store);
      const newsroom = await seedNewsroom(store, 150);
      const clock = new FakeClock(Date.now());
      const parts = deliveryParts({ store, config: testConfig(), clock, transport: outboxTransport('/nonexistent', clock) });
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'test' });
      const env = { ...db.env, PUBLIC_URL: PUBLIC, MATINALE_SECRET: SECRET, WORKER_LEASE: '2s', WORKER_BATCH: '30' };
      // Slow relays (20 and 40 messages/s): the workers' lanes wait in the pool for rate tokens.
      const [a, b] = await Promise.all([
        startWorkerProcess({ ...env, SMTP_URL: `${sinkA.url}?pool=2&rate=20` }),
        startWorkerProcess({ ...env, SMTP_URL: `${sinkB.url}?pool=2&rate=40` }),
      ]);
      workers.push(a!, b!);
      await until(() => fromStopped.length >= 6, 'the first worker to be sending');

      process.kill(a!.pid, 'SIGSTOP');
      const held = await store.db.selectFrom('recipients').select('email').where('lease_owner', '=', a!.workerId).where('state', '=', 'sending').execute();
      assert.ok(held.length > 0, 'the stopped worker holds rows under lease');

      // The other worker takes every row, those of the stopped one once its lease has run out.
      await until(async () => (await getSend(store, send.id))!.status === 'done', 'the other worker to finish the send');
      const takenOver = held.filter((h) => fromOther.some((m) => m.to === h.email));
      assert.ok(takenOver.length > 0, 'the other worker delivered rows the stopped one had held');

      process.kill(a!.pid, 'SIGCONT');
      const continuedAt = Date.now();
      // Time for whatever was waiting in the stopped worker to go out, if it would.
      await new Promise((r) => setTimeout(r, 2_000));

      // Nothing written by the stopped worker once continued (each recipient
      // once among what it would write then and what the other worker wrote).
      const late = fromStopped.filter((m) => m.at >= continuedAt);
      assert.deepEqual(late.map((m) => m.to), [], 'nothing written by the stopped worker once continued');
      // Twice only what it wrote before it stopped and had not recorded yet
      // (results are recorded per batch): the other worker sent those again,
      // the at-least-once window of README guarantee 2.
      const counts = new Map<string, number>();
      for (const m of [...fromStopped, ...fromOther]) counts.set(m.to, (counts.get(m.to) ?? 0) + 1);
      const writtenBefore = new Set(fromStopped.map((m) => m.to));
      assert.deepEqual([...counts].filter(([to, n]) => n > 1 && !writtenBefore.has(to)), [], 'no other copies');
      assert.ok([...counts.values()].every((n) => n <= 2));
      const rows = await sendRecipients(store, send.id);
      assert.ok(rows.every((r) => r.state === 'sent'));
      assert.deepEqual([...counts.keys()].sort(), rows.map((r) => r.email).sort(), 'every recipient received it');
    } finally {
      for (const w of workers) {
        process.kill(w.pid, 'SIGCONT');
        await w.stop();
      }
      await sinkA.close();
      await sinkB.close();
      await store.close();
      await db.dispose();
    }
  });
}
