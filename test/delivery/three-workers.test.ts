// Three `matinale worker` processes share one send on PostgreSQL, as an
// operator scales out: every reader gets the edition exactly once (counted at
// the relay, a sink of our own over real sockets), every ledger row is sent in
// one attempt, and each worker carried a part of it (its log's batches).
// bench/million.ts is the same at 1,000,000 readers into Postfix's smtp-sink.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { getSend, sendRecipients } from '../../src/store/sends.ts';
import { cliBackends, runMatinale } from '../helpers/cli-database.ts';
import { startRecordingSink } from '../helpers/recording-sink.ts';
import { until } from '../helpers/until.ts';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.ts';
import { PUBLIC, SECRET, seedNewsroom } from './newsroom-fixture.ts';

/** What a worker's log says it sent: the sum of `sent` over its `delivery batch` lines. */
function sentInLog(stderr: string): number {
  let sent = 0;
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; sent?: number };
    if (entry.msg === 'delivery batch') sent += entry.sent ?? 0;
  }
  return sent;
}

for (const backend of (await cliBackends()).filter((b) => b.name === 'postgres')) {
  test(`${backend.name}: three worker processes share a send, every reader once, each worker some`, { timeout: 240_000 }, async () => {
    const db = await backend.create();
    const store = db.open();
    const sink = await startRecordingSink();
    const workers: WorkerProcess[] = [];
    try {
      await migrateToLatest(store);
      const newsroom = await seedNewsroom(store, 1500);
      const env = {
        ...db.env,
        // 150 messages a second per worker: the send lasts seconds, longer than an idle worker's poll (1 s),
        // so that two fast workers cannot finish it while the third sleeps.
        SMTP_URL: `${sink.url}?pool=2&rate=150`,
        PUBLIC_URL: PUBLIC,
        MATINALE_SECRET: SECRET,
        // Small claims, so that the three take turns on a list this short.
        WORKER_BATCH: '25',
      };
      // The three are ready (signal handlers in place, store open) before the send starts: none has a head start.
      workers.push(...(await Promise.all([0, 1, 2].map((i) => startWorkerProcess({ ...env, DATA_DIR: `${db.env.DATA_DIR}-${i}` })))));
      const started = await runMatinale(['send', String(newsroom.editionId), '--now'], env, { timeoutMs: 60_000 });
      assert.equal(started.status, 0, started.stderr);
      const send = await store.db.selectFrom('sends').selectAll().where('edition_id', '=', newsroom.editionId).executeTakeFirstOrThrow();
      await until(async () => (await getSend(store, send.id))?.status === 'done', 'the send to be done', 180_000, 200);
      const stopped = await Promise.all(workers.splice(0).map((w) => w.stop()));

      const rows = await sendRecipients(store, send.id);
      assert.equal(rows.length, newsroom.active.length);
      assert.deepEqual(
        rows.filter((r) => r.state !== 'sent' || r.attempts !== 1).map((r) => [r.email, r.state, r.attempts]),
        [],
        'every row sent, in one attempt',
      );
      const twice = [...sink.accepted].filter(([, n]) => n !== 1);
      assert.deepEqual(twice, [], 'no reader got it twice');
      assert.deepEqual([...sink.accepted.keys()].sort(), [...newsroom.active].sort(), 'every reader got it');

      const perWorker = stopped.map((s) => sentInLog(s.stderr));
      assert.equal(perWorker.reduce((a, b) => a + b, 0), newsroom.active.length, `per worker: ${perWorker.join(', ')}`);
      assert.ok(
        perWorker.every((n) => n > 0),
        `each worker sent some: ${perWorker.join(', ')}`,
      );
      for (const s of stopped) assert.equal(s.code, 0, s.stderr);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await sink.close();
      await store.close();
      await db.dispose();
    }
  });
}
