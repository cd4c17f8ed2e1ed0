import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { cliBackends, runMatinale } from '../helpers/cli-database.ts';
import { migrations } from '../../src/store/migrate.ts';
import { COLUMN_TYPES } from '../../src/store/dialect.ts';

const ALL = Object.keys(migrations(COLUMN_TYPES.sqlite));

for (const backend of await cliBackends()) {
  test(`${backend.name}: three \`matinale migrate\` at once on a fresh database all succeed and apply each migration once`, async () => {
    const db = await backend.create();
    try {
      const runs = await Promise.all([1, 2, 3].map(() => runMatinale(['migrate', '--json'], db.env)));
      for (const r of runs) assert.equal(r.status, 0, r.stderr);
      const applied = runs.flatMap((r) => (JSON.parse(r.stdout) as { applied: string[] }).applied);
      assert.deepEqual(applied.sort(), [...ALL].sort(), 'every migration applied by exactly one process');

      const store = db.open();
      try {
        const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(store.db);
        assert.deepEqual(rows.map((r) => r.name), ALL);
        // The schema is there, in this database (or schema) and empty.
        assert.deepEqual(await store.db.selectFrom('editions').select('id').execute(), []);
      } finally {
        await store.close();
      }

      const again = await runMatinale(['migrate'], db.env);
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /schema up to date/);
    } finally {
      await db.dispose();
    }
  });
}
