// What a bulk import of subscribers spends its time on, made cheaper without
// giving up a guarantee (bench/results/import.md has the measures):
//
// - The consent log loses its two foreign keys. They only ever set a log row's
//   subscriber or publication to null when that row was deleted, and PostgreSQL
//   checked each of them with a trigger per inserted row: 7 of the 30 seconds
//   of writing 1,000,000 imported addresses. Publications are never deleted by
//   the platform; the one place that deletes subscribers (purge of the
//   unconfirmed, `deleteSubscribersWithoutSubscriptions`) clears their log
//   rows' subscriber id in the same transaction, as the foreign key did. Every
//   log row is written in the transaction that found or created its
//   subscriber, and ids are never reused (identity, AUTOINCREMENT), so a log
//   row never points to someone else.
// - On PostgreSQL, addresses and their keyed hashes compare byte by byte
//   (`COLLATE "C"`), as they always did on SQLite: a hash has no language, and
//   no query orders addresses. The database's default collation made every
//   comparison in their unique indexes a locale comparison.
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { ColumnTypes } from '../dialect.ts';

export function bulkImport(t: ColumnTypes) {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      if (db.getExecutor().adapter instanceof PostgresAdapter) {
        // The constraints were named by PostgreSQL, not by us: found in the catalog.
        const { rows } = await sql<{ name: string }>`select conname as name from pg_constraint
          where conrelid = 'consent_log'::regclass and contype = 'f'`.execute(db);
        for (const r of rows) await db.schema.alterTable('consent_log').dropConstraint(r.name).execute();
        await sql`alter table subscribers alter column email type text collate "C", alter column email_hash type text collate "C"`.execute(db);
        await sql`alter table suppressions alter column email_hash type text collate "C"`.execute(db);
        return;
      }
      // SQLite cannot drop a constraint: the table is rebuilt, ids kept.
      await db.schema
        .createTable('consent_log_next')
        .addColumn('id', t.id, (c) => t.idColumn(c))
        .addColumn('subscriber_id', t.ref)
        .addColumn('publication_id', t.ref)
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('wording_version', 'text')
        .addColumn('ip_hash', 'text')
        .addColumn('details', 'text')
        .addColumn('at', t.time, (c) => c.notNull())
        .execute();
      await sql`insert into consent_log_next (id, subscriber_id, publication_id, action, method, wording_version, ip_hash, details, at)
        select id, subscriber_id, publication_id, action, method, wording_version, ip_hash, details, at from consent_log`.execute(db);
      await db.schema.dropTable('consent_log').execute();
      await db.schema.alterTable('consent_log_next').renameTo('consent_log').execute();
      await db.schema.createIndex('consent_log_subscriber').on('consent_log').column('subscriber_id').execute();
    },
  };
}
