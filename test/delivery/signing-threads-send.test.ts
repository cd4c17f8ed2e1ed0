// Sends signed on the signing threads, through real SMTP servers: what
// arrived verifies (mailauth and python3-dkim), a thread that dies in the
// middle of a batch costs a retry and nothing else (every reader once), and
// `send --now --wait` and `matinale worker` with their threads exit when
// they are done or told to stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { FakeClock } from '../../src/clock.ts';
import { DkimSigner } from '../../src/delivery/dkim.ts';
import { messageBuilder, type MessageBuilder } from '../../src/delivery/message-builder.ts';
import { SigningThreads } from '../../src/delivery/signing-threads.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { smtpPool } from '../../src/delivery/smtp-pool.ts';
import { deliveryParts, deliveryWorker } from '../../src/delivery/worker.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { getSend, sendRecipients } from '../../src/store/sends.ts';
import { cliBackends, runMatinale } from '../helpers/cli-database.ts';
import { testBackends } from '../helpers/store.ts';
import { startWorkerProcess } from '../helpers/worker-process.ts';
import { dkimKey } from './message-fixture.ts';
import { memoryLogger, PUBLIC, SECRET, seedNewsroom, startSmtpSink, testConfig, type ReceivedMessage } from './newsroom-fixture.ts';

/** Checks every message's DKIM signature with mailauth, and a few with python3-dkim (Debian's python3-dkim) when it is there. */
async function assertSigned(received: ReceivedMessage[], now: number): Promise<void> {
  const { txt } = dkimKey();
  const resolver = async (name: string, type: string) => {
    if (type === 'TXT' && name === 'matin._domainkey.example.org') return [[txt]];
    throw Object.assign(new Error(`no ${type} ${name}`), { code: 'ENOTFOUND' });
  };
  for (const m of received) {
    const r = (await dkimVerify(m.raw, { resolver, curTime: new Date(now) })).results[0]!;
    assert.equal(r.status.result, 'pass', `${m.to[0]}: ${JSON.stringify(r.status)}`);
  }
  if (!existsSync('/usr/bin/python3') || spawnSync('/usr/bin/python3', ['-c', 'import dkim']).status !== 0) {
    if (process.env.CI) assert.fail('python3-dkim is needed in CI');
    return;
  }
  const script = `
import sys, dkim
ok = dkim.verify(sys.stdin.buffer.read(), dnsfunc=lambda name, timeout=5: ${JSON.stringify(txt)}.encode() if name == b'matin._domainkey.example.org.' else None)
sys.exit(0 if ok else 1)`;
  for (const m of received.slice(0, 3)) {
    const run = spawnSync('/usr/bin/python3', ['-c', script], { input: m.raw });
    assert.equal(run.status, 0, `python3-dkim refuses the signature of what arrived: ${run.stderr}`);
  }
}

for (const backend of await testBackends()) {
  test(`${backend.name}: signed on the signing threads, every reader gets one message whose signature verifies; a thread that dies costs a retry, not a message`, { timeout: 120_000 }, async () => {
    const store = await backend.open();
    const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
    const sink = await startSmtpSink();
    const logger = memoryLogger();
    const threads = new SigningThreads({ size: 1, logger });
    try {
      const newsroom = await seedNewsroom(store, 60);
      const transport = smtpPool([`${sink.url}?pool=3`], { clock });
      const parts = deliveryParts({ store, config: testConfig({ dkim: dkimKey().dkim, delivery: { retry: {}, errorRate: {}, signingThreads: 1 } }), clock, transport, logger });
      await parts.builder.close();
      // The pool, its thread started and ready first (a thread ended before it loads counts as one that
      // cannot start), then ended as a crash would end it while it holds signatures: tried every tenth
      // message until one such end is logged (an answer already on its way makes an end that loses none).
      await threads.rsa(new DkimSigner(dkimKey().dkim), 'warm-up');
      const onThreads = messageBuilder(parts.links, parts.mailDomain, threads);
      const lostAtAnEnd = () => logger.lines.some((l) => l.msg.startsWith('signing thread ended') && (l.obj as { inFlight: number }).inFlight > 0);
      let asked = 0;
      const builder: MessageBuilder = {
        build(message, recipient, now) {
          const built = onThreads.build(message, recipient, now);
          // After the pool's own hand-over of this turn: the request is posted, then the thread dies.
          if (++asked % 10 === 0 && !lostAtAnEnd()) {
            setImmediate(() => {
              if (threads.inFlight > 0) void threads.workers[0]?.terminate();
            });
          }
          return built;
        },
        close: () => threads.close(),
      };
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'editor@example.org' });
      const worker = deliveryWorker(store, { ...parts, builder }, 'w1', { batchSize: 25 });
      for (let round = 0; round < 20; round++) {
        while ((await worker.runBatch()) > 0);
        if ((await getSend(store, send.id))!.status === 'done') break;
        // The retried rows are due after their backoff.
        clock.advance(10 * 60_000);
      }
      await transport.close();

      assert.equal((await getSend(store, send.id))!.status, 'done');
      const rows = await sendRecipients(store, send.id);
      assert.ok(rows.every((r) => r.state === 'sent'), 'nothing lost');
      const retried = rows.filter((r) => r.attempts > 1);
      assert.ok(retried.length > 0, 'the messages in flight when the thread died were retried');
      const ended = logger.lines.filter((l) => l.msg.startsWith('signing thread ended'));
      assert.ok(ended.length >= 1 && ended.every((l) => l.level === 'error'));
      const lost = ended.reduce((sum, l) => sum + (l.obj as { inFlight: number }).inFlight, 0);
      assert.equal(lost, retried.length, 'each message in flight at an end is one retried row');
      // Each reader once: a message that could not be built was never written.
      assert.equal(sink.received.length, rows.length);
      assert.deepEqual(sink.received.map((m) => m.to[0]).sort(), rows.map((r) => r.email).sort());
      for (const row of rows) assert.equal(sink.received.find((m) => m.to[0] === row.email)!.messageId, row.message_id);
      await assertSigned(sink.received, clock.now());
    } finally {
      await threads.close();
      await sink.close();
      await store.dispose();
    }
  });
}

/** The environment of a command that signs with DKIM on one signing thread, through the sink; the key file is written in the database's folder. */
function signingEnv(db: { dir: string; env: NodeJS.ProcessEnv }, sinkUrl: string): NodeJS.ProcessEnv {
  const keyFile = join(db.dir, 'dkim.pem');
  writeFileSync(keyFile, dkimKey().dkim.privateKey, { mode: 0o600 });
  return {
    ...db.env,
    SMTP_URL: `${sinkUrl}?pool=2`,
    PUBLIC_URL: PUBLIC,
    MATINALE_SECRET: SECRET,
    DKIM_DOMAIN: 'example.org',
    DKIM_SELECTOR: 'matin',
    DKIM_PRIVATE_KEY_FILE: keyFile,
    SIGNING_THREADS: '1',
  };
}

for (const backend of await cliBackends()) {
  test(`${backend.name}: send --now --wait signs on its thread and exits once the send is done`, { timeout: 120_000 }, async () => {
    const db = await backend.create();
    const store = db.open();
    const sink = await startSmtpSink();
    try {
      await migrateToLatest(store);
      const newsroom = await seedNewsroom(store, 30);
      const env = signingEnv(db, sink.url);
      // A command whose thread held the process open would be killed after a minute, and fail here.
      const run = await runMatinale(['send', String(newsroom.editionId), '--now', '--wait'], env, { timeoutMs: 60_000 });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(sink.received.length, newsroom.active.length);
      assert.doesNotMatch(run.stderr, /signing thread/);
      await assertSigned(sink.received, Date.now());
    } finally {
      await sink.close();
      await store.close();
      await db.dispose();
    }
  });
}

for (const backend of await cliBackends()) {
  test(`${backend.name}: matinale worker signs on its thread and exits 0 on SIGTERM`, { timeout: 120_000 }, async () => {
    const db = await backend.create();
    const store = db.open();
    const sink = await startSmtpSink();
    try {
      await migrateToLatest(store);
      const newsroom = await seedNewsroom(store, 30);
      const env = signingEnv(db, sink.url);
      // Started here, delivered by the worker.
      const started = await runMatinale(['send', String(newsroom.editionId), '--now'], env, { timeoutMs: 60_000 });
      assert.equal(started.status, 0, started.stderr);
      const worker = await startWorkerProcess(env);
      for (let i = 0; i < 600 && sink.received.length < newsroom.active.length; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(sink.received.length, newsroom.active.length);
      // Its thread, idle or not, does not keep it from ending.
      const stopped = await worker.stop();
      assert.equal(stopped.code, 0, stopped.stderr);
      await assertSigned(sink.received, Date.now());
    } finally {
      await sink.close();
      await store.close();
      await db.dispose();
    }
  });
}
