// The claim of the delivery ledger (store/ledger-claim.ts), on both backends:
// workers claiming at the same time take disjoint rows and together every due
// row once; readers who left since the snapshot end suppressed, never
// returned; running sends are walked in id order, each send's rows in id
// order, up to the limit; a paused send waits. On PostgreSQL a claim half way
// through a send reads about its batch, not the rows already sent nor every
// row left, and the question whether rows are left reads one, whatever
// statistics the planner has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { requestSend } from '../../src/delivery/sends.ts';
import { deliveryParts } from '../../src/delivery/worker.ts';
import { AudienceKeys } from '../../src/audience/keys.ts';
import { claimRecipients, type ClaimedRow } from '../../src/store/ledger-claim.ts';
import { hasRowsToDeliver, pauseSend, recordResults } from '../../src/store/ledger.ts';
import { inTransaction } from '../../src/store/transaction.ts';
import { openStore } from '../../src/store/db.ts';
import { endSubscription } from '../../src/store/subscriptions.ts';
import { testBackends } from '../helpers/store.ts';
import { memoryLogger, SECRET, seedNewsroom, testConfig } from '../delivery/newsroom-fixture.ts';

const NOW = Date.parse('2026-03-02T05:00:00Z');

for (const backend of await testBackends()) {
  test(`${backend.name}: workers claiming at once take every due row once, and readers who left end suppressed`, { timeout: 120_000 }, async () => {
    const store = await backend.open();
    try {
      const newsroom = await seedNewsroom(store, 1_000);
      const parts = deliveryParts({ store, config: testConfig(), clock: { now: () => NOW }, logger: memoryLogger() });
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'editor@example.org' });
      // After the snapshot: three readers unsubscribe, a fourth bounces elsewhere (suppressed).
      const [a, b, c, d] = [newsroom.active[10]!, newsroom.active[400]!, newsroom.active[899]!, newsroom.active[500]!];
      for (const email of [a, b, c]) await endSubscription(store, newsroom.subscriberIds.get(email)!, newsroom.publicationId, NOW);
      const keys = new AudienceKeys(SECRET);
      await store.db.insertInto('suppressions').values({ publication_id: newsroom.publicationId, email_hash: keys.addressHash(d), reason: 'hard-bounce', created_at: NOW }).execute();

      // Five workers (PostgreSQL: five connections of the pool, SKIP LOCKED) claim 37 rows at a time until nothing is left.
      const byWorker = new Map<string, ClaimedRow[]>();
      await Promise.all(
        ['w1', 'w2', 'w3', 'w4', 'w5'].map(async (workerId) => {
          const mine: ClaimedRow[] = [];
          for (;;) {
            const rows = await claimRecipients(store, { workerId, now: NOW, leaseMs: 60_000, limit: 37 });
            if (rows.length === 0) break;
            assert.deepEqual(rows.map((r) => r.id), [...rows.map((r) => r.id)].sort((x, y) => x - y), 'a batch comes in id order');
            mine.push(...rows);
          }
          byWorker.set(workerId, mine);
        }),
      );
      const claimed = [...byWorker.values()].flat();
      const ids = claimed.map((r) => r.id);
      assert.equal(new Set(ids).size, ids.length, 'no row claimed twice');
      const gone = new Set([a, b, c, d]);
      assert.deepEqual(claimed.map((r) => r.email).sort(), newsroom.active.filter((e) => !gone.has(e)).sort());
      for (const r of claimed) {
        assert.equal(r.sendId, send.id);
        assert.equal(r.publicationId, newsroom.publicationId);
        assert.equal(r.subscriberId, newsroom.subscriberIds.get(r.email));
        assert.equal(r.attempts, 1);
      }

      const rows = await store.db.selectFrom('recipients').select(['id', 'email', 'state', 'lease_owner', 'lease_expires_at', 'attempts']).where('send_id', '=', send.id).execute();
      const owner = new Map([...byWorker].flatMap(([w, mine]) => mine.map((r) => [r.id, w] as const)));
      for (const row of rows) {
        if (gone.has(row.email)) {
          assert.deepEqual([row.state, row.lease_owner, row.lease_expires_at, row.attempts], ['suppressed', null, null, 1], row.email);
        } else {
          assert.deepEqual([row.state, row.lease_owner, row.lease_expires_at], ['sending', owner.get(row.id), NOW + 60_000], row.email);
        }
      }
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: a claim walks the running sends in id order up to its limit, each send's rows in id order; a paused send waits`, async () => {
    const store = await backend.open();
    try {
      const newsroom = await seedNewsroom(store, 12);
      const parts = deliveryParts({ store, config: testConfig(), clock: { now: () => NOW }, logger: memoryLogger() });
      const list = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'editor@example.org' });
      // A test send goes to the given addresses whatever their subscription: an unsubscribed reader's included.
      const tests = ['desk1@example.org', newsroom.unsubscribed[0]!, 'desk3@example.org'];
      const testSend = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, test: tests, createdBy: 'editor@example.org' });
      assert.ok(testSend.id > list.id);
      const listIds = (await store.db.selectFrom('recipients').select('id').where('send_id', '=', list.id).orderBy('id').execute()).map((r) => r.id);
      const testIds = (await store.db.selectFrom('recipients').select('id').where('send_id', '=', testSend.id).orderBy('id').execute()).map((r) => r.id);
      assert.equal(listIds.length, newsroom.active.length);

      const first = await claimRecipients(store, { workerId: 'w1', now: NOW, leaseMs: 60_000, limit: listIds.length - 2 });
      assert.deepEqual(first.map((r) => r.id), listIds.slice(0, -2));
      const second = await claimRecipients(store, { workerId: 'w1', now: NOW, leaseMs: 60_000, limit: 3 });
      assert.deepEqual(second.map((r) => r.id), [...listIds.slice(-2), testIds[0]]);
      assert.deepEqual(second.map((r) => r.sendId), [list.id, list.id, testSend.id]);

      // Paused, the test send's rows wait; asked for by its id, nothing else comes.
      assert.equal(await pauseSend(store, testSend.id, 'paused by the test', NOW), true);
      assert.deepEqual(await claimRecipients(store, { workerId: 'w2', now: NOW, leaseMs: 60_000, limit: 10 }), []);
      await store.db.updateTable('sends').set({ status: 'running', status_reason: null }).where('id', '=', testSend.id).execute();
      const third = await claimRecipients(store, { workerId: 'w2', now: NOW, leaseMs: 60_000, limit: 10, sendId: list.id });
      assert.deepEqual(third, []);
      const fourth = await claimRecipients(store, { workerId: 'w2', now: NOW, leaseMs: 60_000, limit: 10, sendId: testSend.id });
      assert.deepEqual(fourth.map((r) => [r.id, r.email]), [
        [testIds[1], tests[1]],
        [testIds[2], tests[2]],
      ]);
    } finally {
      await store.dispose();
    }
  });
}

for (const backend of (await testBackends()).filter((b) => b.name === 'postgres')) {
  for (const statistics of ['none', 'taken when every row was pending'] as const) {
    test(`${backend.name}: a claim half way through a send reads about its batch (statistics: ${statistics})`, { timeout: 120_000 }, async () => {
      const store = await backend.open();
      try {
        const newsroom = await seedNewsroom(store, 3_000);
        const parts = deliveryParts({ store, config: testConfig(), clock: { now: () => NOW }, logger: memoryLogger() });
        const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'editor@example.org' });
        if (statistics !== 'none') await sql`analyze recipients`.execute(store.db);
        // Half the send claimed and sent, as workers leave it.
        const claim = (limit: number) => claimRecipients(store, { workerId: 'w1', now: NOW, leaseMs: 60_000, limit });
        for (let sent = 0; sent < newsroom.active.length / 2; ) {
          const rows = await claim(100);
          await recordResults(store, 'w1', rows.map((r) => ({ id: r.id, state: 'sent', message_id: `m${r.id}`, relay_code: 250, relay_response: '250 ok', next_attempt_at: null })), NOW);
          sent += rows.length;
        }
        await claim(1);
        // The rows the next claim of 20 reads, counted by the server for its
        // transaction, on a session of its own (a session's counts not yet
        // reported include its earlier transactions).
        const own = openStore({ ...store.options, maxConnections: 1 });
        const read = await inTransaction(own, async (tx) => {
          assert.equal((await claimRecipients(tx, { workerId: 'w2', now: NOW, leaseMs: 60_000, limit: 20 })).length, 20);
          const { rows } = await sql<{ n: number }>`
            select coalesce(sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)), 0)::int as n
            from pg_stat_xact_user_tables where relname = 'recipients'`.execute(tx.db);
          return rows[0]!.n;
        }).finally(() => own.close());
        assert.ok(read < 100, `the claim read ${read} rows of the ledger for a batch of 20 (${newsroom.active.length} rows, half sent)`);

        // And the worker's question after each batch, whether the send has rows left, reads one.
        const again = openStore({ ...store.options, maxConnections: 1 });
        const asked = await inTransaction(again, async (tx) => {
          assert.equal(await hasRowsToDeliver(tx, send.id), true);
          const { rows } = await sql<{ n: number }>`
            select coalesce(sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)), 0)::int as n
            from pg_stat_xact_user_tables where relname = 'recipients'`.execute(tx.db);
          return rows[0]!.n;
        }).finally(() => again.close());
        assert.ok(asked <= 2, `asking whether rows are left read ${asked} rows of the ledger`);
      } finally {
        await store.dispose();
      }
    });
  }
}
