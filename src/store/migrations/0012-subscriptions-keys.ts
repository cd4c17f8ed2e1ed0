// An import of 1,000,000 readers on PostgreSQL: the two foreign keys of
// `subscriptions` cost more than its heap and four indexes together
// (bench/results/import.md: a trigger per inserted row each, 11 s of CPU for
// COPY's 990,000 rows against 4 s without them), checking a subscriber and a
// publication the very import had just created or looked up. They go, as the
// consent log's did (0005) and the ledger's (0009). What they did is done by
// the code:
// - ON DELETE CASCADE from publications: publications are never deleted by the
//   platform. An import locks its publication `FOR KEY SHARE` once, as the key
//   did for every row.
// - ON DELETE CASCADE from subscribers: the one deletion of subscribers (the
//   purge of the unconfirmed, `deleteSubscribersWithoutSubscriptions`) deletes
//   only subscribers left without subscription, and deletes any subscription
//   of theirs that another transaction committed meanwhile, in its
//   transaction, as the cascade did. Erasure keeps the subscriber's row.
// - The check that the subscriber exists: every subscription is created with
//   the id of a subscriber the same transaction created or locked
//   `FOR KEY SHARE` (`createSubscription`, the import), so a purge running at
//   the same moment waits for it and then deletes the new subscription with
//   its subscriber, as the cascade did; ids are never reused.
//
// SQLite keeps them: its checks cost little beside the rest, and it cannot
// drop a constraint without rebuilding the table.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

export function subscriptionsKeys() {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
      // Named by PostgreSQL, not by us: found in the catalog.
      const { rows } = await sql<{ name: string }>`select conname as name from pg_constraint
        where conrelid = 'subscriptions'::regclass and contype = 'f'`.execute(db);
      for (const r of rows) await db.schema.alterTable('subscriptions').dropConstraint(r.name).execute();
    },
  };
}
