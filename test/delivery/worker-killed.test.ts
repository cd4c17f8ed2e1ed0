import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { FakeClock } from '../../src/clock.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { deliveryParts } from '../../src/delivery/worker.ts';
import { outboxTransport } from '../../src/delivery/outbox.ts';
import { getSend, sendRecipients } from '../../src/store/sends.ts';
import { testBackends } from '../helpers/store.ts';
import { seedNewsroom, startSmtpSink, testConfig } from './newsroom-fixture.ts';

function spawnWorker(name: string, storeOptions: object, smtp: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/delivery/worker-child.ts'], {
    env: { ...process.env, MATINALE_TEST_STORE: JSON.stringify(storeOptions), MATINALE_TEST_SMTP: smtp, MATINALE_TEST_WORKER: name },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker ${name} exited (${code}) before it was ready`)));
  });
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const backend of await testBackends()) {
  const workers = backend.name === 'postgres' ? 3 : 1;
  test(`${backend.name}: a worker killed mid-send (SIGKILL) loses nothing; ${workers === 3 ? 'the two other workers finish' : 'another worker finishes'} it`, { timeout: 180_000 }, async () => {
    const store = await backend.open();
    // Each message takes a little while, so that the kill lands mid-batch.
    const sink = await startSmtpSink({
      server: {
        onData(stream, session, cb) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const raw = Buffer.concat(chunks);
            const messageId = /^Message-ID: <([^>]+)>/im.exec(raw.toString('utf8'))?.[1] ?? '';
            sink.received.push({ from: '', to: session.envelope.rcptTo.map((r) => r.address), raw, messageId });
            setTimeout(() => cb(null, `Ok: queued as ${messageId}`), 15);
          });
        },
      },
    });
    const children: ChildProcess[] = [];
    try {
      const newsroom = await seedNewsroom(store, 500);
      const clock = new FakeClock(Date.now());
      const parts = deliveryParts({ store, config: testConfig(), clock, transport: outboxTransport('/nonexistent', clock), logger: undefined });
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'test' });
      const url = `${sink.url}?pool=2`;
      children.push(...(await Promise.all(Array.from({ length: workers }, (_, i) => spawnWorker(`w${i + 1}`, store.options, url)))));

      // Kill the first worker while it holds rows under lease, mid-send.
      const holding = async () =>
        (await store.db.selectFrom('recipients').select('id').where('lease_owner', '=', 'w1').where('state', '=', 'sending').execute()).length > 0;
      await until(async () => sink.received.length >= 30 && (await holding()), 'the first worker to be busy');
      const victim = children[0]!;
      victim.kill('SIGKILL');
      await new Promise((r) => victim.once('exit', r));
      const receivedAtKill = sink.received.length;
      // Read at once, well within the lease: nobody can have claimed these rows yet.
      const heldByVictim = await store.db.selectFrom('recipients').select('id').where('lease_owner', '=', 'w1').where('state', '=', 'sending').execute();
      if (workers === 1) children.push(await spawnWorker('w2', store.options, url));

      await until(async () => (await getSend(store, send.id))!.status === 'done', 'the send to finish');
      const rows = await sendRecipients(store, send.id);
      assert.equal(rows.length, newsroom.active.length);
      assert.ok(rows.every((r) => r.state === 'sent'), 'every recipient ends sent: nothing lost');
      assert.ok(receivedAtKill < rows.length, 'the kill happened mid-send');

      const receivedIds = new Map<string, number>();
      for (const m of sink.received) receivedIds.set(m.messageId, (receivedIds.get(m.messageId) ?? 0) + 1);
      for (const r of rows) assert.ok(receivedIds.has(r.message_id!), `${r.email} was received with the ledger's Message-ID`);
      assert.equal(receivedIds.size, rows.length, 'nothing received that the ledger does not know');
      // Only what the dead worker had in flight may have gone out twice: a
      // live worker never loses its lease, so nothing else is sent again.
      const twice = [...receivedIds.values()].filter((n) => n > 1).length;
      assert.ok(twice <= heldByVictim.length, `${twice} duplicates, at most the ${heldByVictim.length} rows the killed worker held`);
      assert.ok([...receivedIds.values()].every((n) => n <= 2));
      const byWorker = new Set(rows.map((r) => r.id));
      assert.equal(byWorker.size, rows.length);
    } finally {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
      await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
      await sink.close();
      await store.dispose();
    }
  });
}
