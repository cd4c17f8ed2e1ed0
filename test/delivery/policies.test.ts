// Delivery's policies set by the operator (WORKER_BATCH, RETRY_*, PAUSE_*,
// SEND_GRACE…), read from the environment by loadConfig and honoured by the
// entry points every process uses: startWorker (`matinale worker`, and the
// worker `serve` starts) and followSend (`matinale send --wait`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, systemClock, type Clock } from '../../src/clock.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { followSend } from '../../src/delivery/follow-send.ts';
import { outboxTransport } from '../../src/delivery/outbox.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { DEFAULT_GRACE_MS, deliveryParts, startWorker, workerPolicyOf } from '../../src/delivery/worker.ts';
import { DEFAULT_WORKER_POLICY } from '../../src/delivery/worker-batch.ts';
import type { Store } from '../../src/store/db.ts';
import { getSend } from '../../src/store/sends.ts';
import { testBackends, type TestStore } from '../helpers/store.ts';
import { memoryLogger, PUBLIC, SECRET, seedNewsroom, startSmtpSink } from './newsroom-fixture.ts';
import { until } from '../helpers/until.ts';

const MINUTE = 60_000;

/** The operator's environment: a fresh DATA_DIR (outbox there unless SMTP_URL) and the given settings. */
function configFrom(dataDir: string, settings: Record<string, string> = {}): Config {
  return loadConfig({ DATA_DIR: dataDir, PUBLIC_URL: PUBLIC, MATINALE_SECRET: SECRET, ...settings });
}

/** What requestSend needs, without a transport of its own (a relay pool left open): the worker under test delivers. */
function sendDeps(store: Store, config: Config, clock: Clock = systemClock) {
  return deliveryParts({ store, config, clock, logger: memoryLogger(), transport: outboxTransport('/nonexistent', clock) }).sendDeps;
}

test('the worker policy in force: code over the operator’s settings over the defaults, field by field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'matinale-policy-'));
  try {
    assert.deepEqual(workerPolicyOf(configFrom(dir).delivery), DEFAULT_WORKER_POLICY, 'nothing set: the defaults');
    const config = configFrom(dir, { WORKER_BATCH: '5', WORKER_LEASE: '2m', RETRY_FIRST_DELAY: '10s', RETRY_MAX_ATTEMPTS: '3', PAUSE_ERROR_RATE: '50%', PAUSE_WINDOW: '1m' });
    const policy = workerPolicyOf(config.delivery, { leaseMs: 30_000, retry: { ...DEFAULT_WORKER_POLICY.retry, maxAttempts: 2 } });
    assert.equal(policy.batchSize, 5);
    assert.equal(policy.leaseMs, 30_000, 'code wins');
    assert.deepEqual(policy.retry, { ...DEFAULT_WORKER_POLICY.retry, maxAttempts: 2 }, 'a whole retry policy from code wins');
    assert.deepEqual(workerPolicyOf(config.delivery).retry, { ...DEFAULT_WORKER_POLICY.retry, baseDelayMs: 10_000, maxAttempts: 3 });
    assert.deepEqual(policy.errorRate, { ...DEFAULT_WORKER_POLICY.errorRate, threshold: 0.5, windowMs: MINUTE });
    const parts = (c: Config) => deliveryParts({ store: {} as never, config: c, logger: memoryLogger() });
    assert.equal(parts(configFrom(dir)).graceMs, DEFAULT_GRACE_MS);
    assert.equal(parts(configFrom(dir, { SEND_GRACE: '15m' })).graceMs, 15 * MINUTE);
    // A first delay above the default longest delay is refused, not silently cut to it.
    assert.throws(() => workerPolicyOf(configFrom(dir, { RETRY_FIRST_DELAY: '30m' }).delivery), /RETRY_MAX_DELAY \(15 minutes\) must not be shorter than RETRY_FIRST_DELAY \(30 minutes\)/);
    assert.equal(workerPolicyOf(configFrom(dir, { RETRY_FIRST_DELAY: '30m', RETRY_MAX_DELAY: '1h' }).delivery).retry.baseDelayMs, 30 * MINUTE);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const backend of await testBackends()) {
  async function fixture(): Promise<{ store: TestStore; dir: string; close(): Promise<void> }> {
    const store = await backend.open();
    const dir = mkdtempSync(join(tmpdir(), 'matinale-policy-'));
    return { store, dir, close: async () => (await store.dispose(), rmSync(dir, { recursive: true, force: true })) };
  }

  test(`${backend.name}: a worker started from a configuration with WORKER_BATCH=1 claims one row per batch`, { timeout: 120_000 }, async () => {
    const f = await fixture();
    try {
      const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
      const newsroom = await seedNewsroom(f.store, 6);
      const config = configFrom(f.dir, { WORKER_BATCH: '1' });
      const logger = memoryLogger();
      const running = startWorker({ store: f.store, config, clock, logger, scheduler: false, pollMs: 20 });
      try {
        const send = await requestSend(deliveryParts({ store: f.store, config, clock, logger }).sendDeps, { editionId: newsroom.editionId, createdBy: 'test' });
        await until(async () => (await getSend(f.store, send.id))!.status === 'done', 'the send to finish');
      } finally {
        await running.stop();
      }
      const batches = logger.lines.filter((l) => l.msg === 'delivery batch').map((l) => (l.obj as { claimed: number }).claimed);
      assert.ok(batches.length >= newsroom.active.length, `one batch per recipient at least (${batches.length})`);
      assert.deepEqual(new Set(batches), new Set([1]));
    } finally {
      await f.close();
    }
  });

  test(`${backend.name}: RETRY_MAX_ATTEMPTS=1 fails a row after one temporary failure (451) of a real SMTP server`, { timeout: 120_000 }, async () => {
    const f = await fixture();
    const sink = await startSmtpSink({ rcpt: (address) => (address.startsWith('reader00002') ? { code: 451, message: '4.3.0 Try again later' } : undefined) });
    try {
      const newsroom = await seedNewsroom(f.store, 3);
      // The system clock: the relay's 451 slows the rate limiter down, which waits in real time.
      const config = configFrom(f.dir, { SMTP_URL: sink.url, RETRY_MAX_ATTEMPTS: '1' });
      const logger = memoryLogger();
      const running = startWorker({ store: f.store, config, logger, scheduler: false, pollMs: 20 });
      try {
        const send = await requestSend(sendDeps(f.store, config), { editionId: newsroom.editionId, createdBy: 'test' });
        await until(async () => (await getSend(f.store, send.id))!.status === 'done', 'the send to finish (with the default policy the row would wait 30 s for its retry)');
        const rows = await f.store.db.selectFrom('recipients').select(['email', 'state', 'attempts', 'relay_code']).where('send_id', '=', send.id).orderBy('email').execute();
        assert.deepEqual(
          rows.map((r) => [r.email, r.state, r.attempts]),
          [
            ['reader00001@example.net', 'sent', 1],
            ['reader00002@example.net', 'failed', 1],
            ['reader00003@example.net', 'sent', 1],
          ],
        );
        assert.equal(rows[1]!.relay_code, 451);
      } finally {
        await running.stop();
      }
    } finally {
      await sink.close();
      await f.close();
    }
  });

  test(`${backend.name}: PAUSE_ERROR_RATE and PAUSE_MIN_ATTEMPTS pause a send that the defaults (100 attempts) would keep going`, { timeout: 120_000 }, async () => {
    const f = await fixture();
    const sink = await startSmtpSink({ rcpt: () => ({ code: 451, message: '4.3.0 Try again later' }) });
    try {
      // 10 readers: every one refused, the share is surely at least 50 % from the 9th attempt (n / (n + 3²)).
      const newsroom = await seedNewsroom(f.store, 12);
      const config = configFrom(f.dir, { SMTP_URL: sink.url, PAUSE_ERROR_RATE: '50%', PAUSE_MIN_ATTEMPTS: '4' });
      const logger = memoryLogger();
      const running = startWorker({ store: f.store, config, logger, scheduler: false, pollMs: 20 });
      try {
        const send = await requestSend(sendDeps(f.store, config), { editionId: newsroom.editionId, createdBy: 'test' });
        await until(async () => (await getSend(f.store, send.id))!.status === 'paused', 'the send to pause');
        assert.match((await getSend(f.store, send.id))!.status_reason!, /of the last \d+ attempts failed \(100%, surely at least 5\d% ≥ 50%\)/);
      } finally {
        await running.stop();
      }
    } finally {
      await sink.close();
      await f.close();
    }
  });

  test(`${backend.name}: SEND_GRACE shorter than the delay turns a scheduled send into missed, in the worker's scheduler and in \`send --wait\``, { timeout: 120_000 }, async () => {
    for (const [entry, grace] of [
      ['worker', '10m'],
      ['worker', undefined],
      ['send --wait', '10m'],
    ] as const) {
      const f = await fixture();
      try {
        // Monday 2026-03-30, 06:00 in Paris is 04:00Z; the process comes back half an hour late.
        const newsroom = await seedNewsroom(f.store, 3, { date: '2026-03-30' });
        const clock: Clock & { set(iso: string): void } = new FakeClock(Date.parse('2026-03-30T03:00:00Z'));
        const at = Date.parse('2026-03-30T04:00:00Z');
        const late = configFrom(f.dir, grace ? { SEND_GRACE: grace } : {});
        const send = await requestSend(sendDeps(f.store, late, clock), { editionId: newsroom.editionId, at, createdBy: 'test' });
        clock.set('2026-03-30T04:30:00Z');
        if (entry === 'worker') {
          const running = startWorker({ store: f.store, config: late, clock, logger: memoryLogger(), pollMs: 20 });
          try {
            await until(async () => (await getSend(f.store, send.id))!.status !== 'scheduled', 'the scheduler tick');
          } finally {
            await running.stop();
          }
        } else {
          const parts = deliveryParts({ store: f.store, config: late, clock, logger: memoryLogger() });
          const final = await followSend({ store: f.store, parts, sendId: send.id, workerId: 'cli', onProgress: () => {}, sleep: async () => {} });
          await parts.transport.close();
          assert.equal(final.status, 'missed');
        }
        const row = (await getSend(f.store, send.id))!;
        if (!grace) {
          assert.notEqual(row.status, 'missed', 'the default grace (2 hours) covers half an hour');
          continue;
        }
        assert.equal(row.status, 'missed', `${entry}: 30 minutes late with a grace of ${grace}`);
        assert.match(row.status_reason!, /^missed: due at 2026-03-30T04:00:00.000Z/);
      } finally {
        await f.close();
      }
    }
  });
}
