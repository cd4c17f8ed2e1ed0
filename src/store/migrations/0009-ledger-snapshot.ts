// The snapshot of a send (one INSERT … SELECT of every mailable reader into
// the ledger) at a million readers: on PostgreSQL its two foreign keys cost
// more than half of it (bench/results/snapshot.md), a trigger per inserted row
// each, checking a send and a subscriber that the very statement had just
// joined. They go, as the consent log's did (0005). What they did is done by
// the code: sends are never deleted by the platform (no cascade to stand in
// for), and the one deletion of subscribers (the purge of the unconfirmed,
// `deleteSubscribersWithoutSubscriptions`) clears their ledger rows'
// subscriber id in its own transaction, as ON DELETE SET NULL did. Every
// ledger row is written with the id of a send the same transaction holds
// (store/sends.ts), and ids are never reused.
//
// SQLite keeps them: its checks cost little beside the rest, and it cannot
// drop a constraint without rebuilding the ledger.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

export function ledgerSnapshot() {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
      // Named by PostgreSQL, not by us: found in the catalog.
      const { rows } = await sql<{ name: string }>`select conname as name from pg_constraint
        where conrelid = 'recipients'::regclass and contype = 'f'`.execute(db);
      for (const r of rows) await db.schema.alterTable('recipients').dropConstraint(r.name).execute();
    },
  };
}
