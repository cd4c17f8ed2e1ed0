// The consent log without foreign keys (migration 0005): rows and ids survive
// the migration, and deleting a subscriber still leaves its log rows without
// a subscriber, as ON DELETE SET NULL did. On every backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Migrator } from 'kysely';
import { freshDatabase, testBackends } from '../helpers/store.ts';
import { openStore } from '../../src/store/db.ts';
import { migrateToLatest, migrations } from '../../src/store/migrate.ts';
import { appendConsent, consentOfSubscriber } from '../../src/store/consent-log.ts';
import { deleteSubscribersWithoutSubscriptions, ensureSubscriber, importDetails } from '../../src/store/subscribers.ts';
import { inTransaction } from '../../src/store/transaction.ts';

test('an imported row\'s consent details are the JSON of its consent source and subscription time, whatever came before', () => {
  const sources = ['salon 2025', 'salon 2025', null, 'quote " back\\slash\ttab « é »', 'salon 2025', null];
  sources.forEach((consentSource, i) => {
    const row = { email: 'a@example.org', emailHash: 'h', name: null, createdAt: Date.UTC(2025, i, 1, 6), consentSource };
    const expected = JSON.stringify({ consentSource, subscribedAt: new Date(row.createdAt).toISOString() });
    assert.equal(importDetails(row), expected);
  });
});

for (const backend of await testBackends()) {
  test(`${backend.name}: migration 0005 keeps every consent log row with its id, and later rows get later ids`, async () => {
    const fresh = await freshDatabase(backend.name);
    const store = openStore(fresh.options);
    try {
      const migrator = new Migrator({
        db: store.db,
        provider: { getMigrations: async () => migrations(store.columnTypes) },
        ...(fresh.options.schema ? { migrationTableSchema: fresh.options.schema } : {}),
      });
      const before = await migrator.migrateTo('0004-subscriptions-keyset');
      assert.equal(before.error, undefined);
      const ann = await ensureSubscriber(store, { email: 'ann@example.org', emailHash: 'h-ann', name: null, at: 1 });
      for (const action of ['subscribe', 'confirm', 'unsubscribe']) {
        await appendConsent(store, { subscriberId: ann.id, publicationId: null, action, method: 'form', details: { n: action }, at: 2 });
      }
      const old = await store.db.selectFrom('consent_log').selectAll().orderBy('id').execute();

      // 0005 runs first; later migrations (0006-tips…) follow it.
      assert.equal((await migrateToLatest(store))[0], '0005-bulk-import');
      assert.deepEqual(await store.db.selectFrom('consent_log').selectAll().orderBy('id').execute(), old);
      await appendConsent(store, { subscriberId: ann.id, publicationId: null, action: 'erase', method: 'admin', at: 3 });
      const log = await consentOfSubscriber(store, ann.id);
      assert.deepEqual(log.map((l) => l.action), ['subscribe', 'confirm', 'unsubscribe', 'erase']);
      const ids = (await store.db.selectFrom('consent_log').select('id').orderBy('id').execute()).map((r) => Number(r.id));
      assert.ok(ids[3]! > ids[2]!, `a new row's id (${ids[3]}) comes after the migrated ones (${ids[2]})`);
    } finally {
      await store.close();
      await fresh.drop();
    }
  });

  test(`${backend.name}: deleting a subscriber keeps its consent log rows, with no subscriber`, async () => {
    const store = await backend.open();
    try {
      const gone = await ensureSubscriber(store, { email: 'gone@example.org', emailHash: 'h-gone', name: null, at: 1 });
      const stays = await ensureSubscriber(store, { email: 'stays@example.org', emailHash: 'h-stays', name: null, at: 1 });
      for (const s of [gone, stays]) await appendConsent(store, { subscriberId: s.id, publicationId: null, action: 'subscribe', method: 'form', at: 2 });
      const deleted = await inTransaction(store, (tx) => deleteSubscribersWithoutSubscriptions(tx, [gone.id]));
      assert.equal(deleted, 1);
      const rows = await store.db.selectFrom('consent_log').select(['subscriber_id', 'action']).orderBy('id').execute();
      assert.deepEqual(
        rows.map((r) => [r.subscriber_id === null ? null : Number(r.subscriber_id), r.action]),
        [
          [null, 'subscribe'],
          [Number(stays.id), 'subscribe'],
        ],
      );
    } finally {
      await store.dispose();
    }
  });
}
