import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testBackends } from '../helpers/store.ts';
import { refreshStatistics } from '../../src/store/statistics.ts';

for (const backend of await testBackends()) {
  test(`${backend.name}: refreshing statistics after a bulk write tells the planner the real size`, async () => {
    const store = await backend.open();
    try {
      const rows = Array.from({ length: 500 }, (_, i) => ({ email: `r${i}@example.org`, email_hash: `h${i}`, name: null, created_at: 1, updated_at: 1, erased_at: null }));
      await store.db.insertInto('subscribers').values(rows).execute();
      await refreshStatistics(store, ['subscribers', 'subscriptions']);
      if (backend.name === 'postgres') {
        const { rows: stats } = await sql<{ n: number }>`select reltuples::int as n from pg_class where oid = 'subscribers'::regclass`.execute(store.db);
        assert.equal(stats[0]?.n, 500);
      } else {
        const { rows: stats } = await sql<{ stat: string }>`select stat from sqlite_stat1 where tbl = 'subscribers' limit 1`.execute(store.db);
        assert.match(stats[0]?.stat ?? '', /^500\b/);
      }
    } finally {
      await store.dispose();
    }
  });
}
