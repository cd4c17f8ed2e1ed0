// Planner statistics. After a bulk write (an import of many subscribers) the
// planners of both backends still believe the tables are small and choose
// plans that are quadratic at scale: PostgreSQL read a publication's
// 1,000,000 subscriptions page by page in ~100 s instead of seconds, scanning
// and sorting every row after the page for each page. Refreshing the
// statistics right after the bulk write, instead of waiting for autovacuum,
// gives them the real sizes.
import { sql } from 'kysely';
import type { Store } from './db.ts';
import type { Database } from './schema.ts';

/** Refreshes the planner's statistics of `tables` (`ANALYZE`, the same word on both backends); call it after a bulk write. */
export async function refreshStatistics(store: Store, tables: ReadonlyArray<keyof Database>): Promise<void> {
  for (const table of tables) await sql`analyze ${sql.table(table)}`.execute(store.db);
}
