// A large import on PostgreSQL that builds the secondary indexes of the rows
// it adds beside each subscriber — `subscriptions` (publication and status,
// publication and id) and `consent_log` (subscriber) — once at its end
// instead of entry by entry, when the import rebuilds the address indexes
// anyway (subscriber-import-rebuild.ts) and each table is small next to the
// file.
//
// Why: every row COPY adds is one more entry in each index, a descent of the
// tree and a WAL record each, even at the right edge. For 1,000,000
// subscriptions the two secondary indexes cost 1.5 s of the COPY's 3.2 s;
// built by sorting after it, 0.5 s (bench/results/import.md).
//
// What it costs: dropping an index takes its table for the transaction
// (ACCESS EXCLUSIVE), as the address indexes take `subscribers`: readers of
// the two tables wait for the import's commit. A table busy for more than
// LOCK_WAIT_MS, or larger than the file, keeps its indexes and fills them as
// it goes. Unique indexes stay (the import's look-ups use them); a failure
// rolls the drop back with the rows.
import type pg from 'pg';
import { lockTableWithin } from './table-lock.ts';

/** The tables whose non-unique indexes an import may build at its end. */
const TABLES = ['subscriptions', 'consent_log'] as const;
/** How long the import waits for each table before it keeps that table's indexes. */
const LOCK_WAIT_MS = 3000;

interface DroppedIndex {
  /** As regclass prints it: quoted when it must be. */
  name: string;
  /** pg_get_indexdef: the CREATE INDEX statement that makes it again. */
  definition: string;
}

/**
 * Drops the secondary indexes of the tables that are no larger than the file
 * and can be had within LOCK_WAIT_MS; returns what builds them again (call it
 * before the commit, in the same transaction).
 */
export async function dropSecondaryIndexes(client: pg.PoolClient, expectedRows: number): Promise<() => Promise<void>> {
  const dropped: DroppedIndex[] = [];
  for (const table of TABLES) {
    const { rows: size } = await client.query<{ n: number }>(
      `select case when reltuples >= 0 then reltuples::float8 else (select count(*) from ${table})::float8 end as n from pg_class where oid = $1::regclass`,
      [table],
    );
    // Building sorts the whole table: it pays once the file is at least as large.
    if (size[0]!.n > expectedRows) continue;
    if (!(await lockTableWithin(client, table, LOCK_WAIT_MS))) continue;
    const { rows } = await client.query<DroppedIndex>(
      `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
       from pg_index i where i.indrelid = $1::regclass and not i.indisunique and not i.indisprimary and i.indisvalid
       order by 1`,
      [table],
    );
    if (rows.length) await client.query(`drop index ${rows.map((r) => r.name).join(', ')}`);
    dropped.push(...rows);
  }
  return async () => {
    for (const index of dropped) await client.query(index.definition);
  };
}
