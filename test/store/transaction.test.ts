import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { inTransaction, isInTransaction } from '../../src/store/transaction.ts';

for (const backend of await testBackends()) {
  test(`${backend.name}: a multi-row write that fails half-way leaves no row behind`, async () => {
    const store = await backend.open();
    try {
      await assert.rejects(
        inTransaction(store, async (tx) => {
          for (const email of ['a@example.org', 'b@example.org']) {
            await tx.db.insertInto('people').values({ name: email, email, pgp_key: null, created_at: 1 }).execute();
          }
          // The third row breaks the unique address: the first two must go too.
          await tx.db.insertInto('people').values({ name: 'again', email: 'a@example.org', pgp_key: null, created_at: 1 }).execute();
        }),
      );
      const rows = await store.db.selectFrom('people').select('id').execute();
      assert.equal(rows.length, 0);
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: an error thrown by the work itself rolls back, a success commits`, async () => {
    const store = await backend.open();
    try {
      await assert.rejects(
        inTransaction(store, async (tx) => {
          await tx.db.insertInto('audit_log').values({ actor: 'x', action: 'a', subject_type: 't', subject_id: null, details: null, at: 1 }).execute();
          throw new Error('changed my mind');
        }),
        /changed my mind/,
      );
      const id = await inTransaction(store, async (tx) => {
        assert.ok(isInTransaction(tx));
        const row = await tx.db
          .insertInto('audit_log')
          .values({ actor: 'x', action: 'b', subject_type: 't', subject_id: null, details: null, at: 1 })
          .returning('id')
          .executeTakeFirstOrThrow();
        return row.id;
      });
      const rows = await store.db.selectFrom('audit_log').select(['id', 'action']).execute();
      assert.deepEqual(rows, [{ id, action: 'b' }]);
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: a nested unit of work joins the outer transaction and fails with it`, async () => {
    const store = await backend.open();
    try {
      await assert.rejects(
        inTransaction(store, async (tx) => {
          await inTransaction(tx, async (inner) => {
            await inner.db.insertInto('audit_log').values({ actor: 'x', action: 'inner', subject_type: 't', subject_id: null, details: null, at: 1 }).execute();
          });
          throw new Error('outer fails');
        }),
      );
      assert.equal((await store.db.selectFrom('audit_log').select('id').execute()).length, 0);
    } finally {
      await store.dispose();
    }
  });
}
