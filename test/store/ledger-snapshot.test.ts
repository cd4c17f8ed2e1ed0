// The snapshot of a list send (one INSERT … SELECT, rows in address order,
// its count from the statement) and the ledger without foreign keys on
// PostgreSQL (migration 0009): deleting a subscriber still leaves their ledger
// rows, with no subscriber, as ON DELETE SET NULL did. On every backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testBackends } from '../helpers/store.ts';
import { startSend } from '../../src/delivery/send-start.ts';
import { insertSend, sendRecipients } from '../../src/store/sends.ts';
import { deleteSubscribersWithoutSubscriptions } from '../../src/store/subscribers.ts';
import { inTransaction } from '../../src/store/transaction.ts';
import { seedNewsroom } from '../delivery/newsroom-fixture.ts';

for (const backend of await testBackends()) {
  test(`${backend.name}: the snapshot takes every mailable reader in address order and says how many; a deleted subscriber's ledger rows stay`, async () => {
    const store = await backend.open();
    try {
      const now = Date.parse('2026-03-02T04:00:00Z');
      // Readers in an order that is not the addresses': the snapshot sorts them.
      const newsroom = await seedNewsroom(store, 14, { now });
      await store.db.updateTable('subscribers').set({ email: sql`'z' || email` }).where('id', '=', newsroom.subscriberIds.get(newsroom.active[0]!)!).execute();
      await store.db.updateTable('editions').set({ status: 'scheduled' }).where('id', '=', newsroom.editionId).execute();
      const send = await insertSend(store, { edition_id: newsroom.editionId, publication_id: newsroom.publicationId, kind: 'list', status: 'scheduled', scheduled_for: now, created_by: 't', created_at: now });

      const n = await startSend(store, send.id, 'template', now);
      const rows = await sendRecipients(store, send.id);
      assert.equal(n, newsroom.active.length);
      assert.equal(rows.length, n);
      const expected = newsroom.active.map((e, i) => (i === 0 ? `z${e}` : e)).sort();
      assert.deepEqual(rows.map((r) => r.email), expected, 'in address order (by id), the suppressed and the unsubscribed left out');
      assert.ok(rows.every((r) => r.state === 'pending' && r.attempts === 0 && r.next_attempt_at === now && r.subscriber_id !== null));

      // The purge deletes a subscriber who holds no subscription any more: their ledger row stays, without them.
      const leaving = rows[3]!;
      await store.db.deleteFrom('subscriptions').where('subscriber_id', '=', leaving.subscriber_id!).execute();
      assert.equal(await inTransaction(store, (tx) => deleteSubscribersWithoutSubscriptions(tx, [leaving.subscriber_id!])), 1);
      const after = await sendRecipients(store, send.id);
      assert.equal(after.length, rows.length);
      assert.deepEqual(after.find((r) => r.id === leaving.id), { ...leaving, subscriber_id: null });
      assert.ok(after.filter((r) => r.id !== leaving.id).every((r) => r.subscriber_id !== null), 'the others keep theirs');

      if (backend.name === 'postgres') {
        const fks = await sql<{ n: string }>`select count(*) as n from pg_constraint where conrelid = 'recipients'::regclass and contype = 'f'`.execute(store.db);
        assert.equal(Number(fks.rows[0]!.n), 0, 'migration 0009: the ledger has no foreign key on PostgreSQL');
      }
    } finally {
      await store.dispose();
    }
  });
}
