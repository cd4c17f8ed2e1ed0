import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';

for (const backend of await testBackends()) {
  test(`${backend.name}: migrations create every table and a second run applies nothing`, async () => {
    const store = await backend.open();
    try {
      const tables = (await store.db.introspection.getTables()).map((t) => t.name).sort();
      for (const name of ['publications', 'editions', 'edition_versions', 'subscribers', 'subscriptions', 'consent_log', 'suppressions', 'sends', 'recipients', 'tips', 'audit_log', 'users', 'sessions', 'people', 'memberships']) {
        assert.ok(tables.includes(name), `table ${name} exists`);
      }
      assert.deepEqual(await migrateToLatest(store), []);
    } finally {
      await store.dispose();
    }
  });
}
