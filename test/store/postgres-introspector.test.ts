import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { testBackends, TEST_DATABASE_URL } from '../helpers/store.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';

const postgres = (await testBackends()).find((b) => b.name === 'postgres');

test('postgres: introspection sees only the store’s schema, and migrations survive other schemas being dropped meanwhile', { skip: !postgres }, async () => {
  const store = await postgres!.open();
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  let churn = true;
  // Another process creating and dropping schemas all along (as parallel tests do).
  const churning = (async () => {
    for (let i = 0; churn; i++) {
      const name = `churn_${process.pid}_${i}`;
      await admin.query(`create schema ${name}`);
      await admin.query(`create table ${name}.editions (id int)`);
      await admin.query(`drop schema ${name} cascade`);
    }
  })();
  try {
    for (let i = 0; i < 20; i++) assert.deepEqual(await migrateToLatest(store), []);
    const tables = await store.db.introspection.getTables();
    assert.ok(tables.every((t) => t.schema === store.options.schema));
    assert.ok(tables.some((t) => t.name === 'editions'));
    assert.ok(!tables.some((t) => t.name === 'kysely_migration'));
    const withInternal = await store.db.introspection.getTables({ withInternalKyselyTables: true });
    assert.ok(withInternal.some((t) => t.name === 'kysely_migration'));
    const editions = tables.find((t) => t.name === 'editions')!;
    const id = editions.columns.find((c) => c.name === 'id')!;
    assert.equal(id.isNullable, false);
    assert.equal(editions.columns.find((c) => c.name === 'subject')?.isNullable, true);
  } finally {
    churn = false;
    await churning;
    await admin.end();
    await store.dispose();
  }
});
