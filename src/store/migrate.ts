// Brings the schema up to date. Safe when several processes start at once:
// PostgreSQL serialises them with Kysely's advisory lock; on SQLite the whole
// run happens inside one `BEGIN IMMEDIATE` transaction, so a second process
// waits for the first (busy timeout) and then finds nothing left to do.
import { Migrator, sql, type Migration, type MigrationResultSet, type Kysely } from 'kysely';
import type { Store } from './db.ts';
import type { ColumnTypes } from './dialect.ts';
import { initial } from './migrations/0001-initial.ts';
import { delivery } from './migrations/0003-delivery.ts';
import { subscriptionsKeyset } from './migrations/0004-subscriptions-keyset.ts';
import { bulkImport } from './migrations/0005-bulk-import.ts';
import { editionDrafts } from './migrations/0006-edition-drafts.ts';
import { archiveSearch } from './migrations/0007-archive-search.ts';
import { tips } from './migrations/0008-tips.ts';
import { ledgerSnapshot } from './migrations/0009-ledger-snapshot.ts';
import { claimIndex } from './migrations/0010-claim-index.ts';
import { learnedWords } from './migrations/0011-learned-words.ts';
import { subscriptionsKeys } from './migrations/0012-subscriptions-keys.ts';

/** Every migration, in order; names never change once released. */
export function migrations(t: ColumnTypes): Record<string, Migration> {
  return {
    '0001-initial': initial(t),
    '0003-delivery': delivery(t),
    '0004-subscriptions-keyset': subscriptionsKeyset(),
    '0005-bulk-import': bulkImport(t),
    '0006-edition-drafts': editionDrafts(t),
    '0007-archive-search': archiveSearch(t),
    '0008-tips': tips(t),
    '0009-ledger-snapshot': ledgerSnapshot(),
    '0010-claim-index': claimIndex(),
    '0011-learned-words': learnedWords(t),
    '0012-subscriptions-keys': subscriptionsKeys(),
  };
}

/** Applies the migrations not yet applied; returns the names applied now. */
export async function migrateToLatest(store: Store): Promise<string[]> {
  const provider = { getMigrations: async () => migrations(store.columnTypes) };
  let result: MigrationResultSet;
  if (store.capabilities.dialect === 'sqlite') {
    result = await store.db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const migrator = new Migrator({ db: conn as Kysely<unknown>, provider, disableTransactions: true });
        const r = await migrator.migrateToLatest();
        await sql`${sql.raw(r.error ? 'rollback' : 'commit')}`.execute(conn);
        return r;
      } catch (err) {
        await sql`rollback`.execute(conn).catch(() => {});
        throw err;
      }
    });
  } else {
    // Kysely looks for its own tables in every schema unless told which one:
    // name ours, so that another schema's `kysely_migration` never counts.
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db);
    const migrationTableSchema = rows[0]?.schema;
    if (!migrationTableSchema) throw new Error('PostgreSQL has no current schema: check search_path');
    result = await new Migrator({ db: store.db, provider, migrationTableSchema }).migrateToLatest();
  }
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${(result.error as Error).message}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
