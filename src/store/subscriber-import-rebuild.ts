// An import on PostgreSQL that rebuilds the two unique indexes of addresses
// (`subscribers.email`, `subscribers.email_hash`) instead of filling them row
// by row, when the file is large next to the list it joins (a newsroom's
// first list, a migration from another tool).
//
// Why: one of the two is filled in random order whatever the import does
// (the keyed hash and the address cannot both be in order), and an entry put
// into a large index at random costs PostgreSQL three to five times what the
// same entry costs in an index built by sorting. Built at the end, inside
// the import's transaction, each takes 0.6–1.4 s of CPU for 1,000,000 rows
// (shared with parallel workers), against 4–5 s for the two filled row by row
// during the COPY (bench/results/import.md).
//
// What it costs: dropping an index takes the table for the transaction
// (ACCESS EXCLUSIVE): sign-ups, a send's snapshot, the dashboard's list wait
// for the import to commit, seconds per million rows. It is taken only for a
// file of at least REBUILD_MIN_ROWS rows and at least as many as the table
// holds, and only if the table can be had within LOCK_WAIT_MS; otherwise the
// import fills the indexes as it goes (subscriber-import-copy.ts). A failure
// rolls back the rows and the drop together: the indexes are never missing
// outside the import's transaction.
//
// With the table to itself, no other transaction adds a subscriber, so the
// unique indexes' work per chunk is done without them:
// - subscribers held before the import are looked up in a temporary copy of
//   their hashes and addresses, indexed (none when the table was empty);
// - an address repeated from an earlier chunk is found by the hashes written
//   so far (seen-hashes.ts), each possible repeat checked in the table;
// - ids are counted in Node from one `nextval`, the sequence set past the
//   file's size at once and past the last id at the end, never back. Ids
//   drawn by nobody else can collide with them: no other session can insert a
//   subscriber until the commit, and an id drawn meanwhile (another import's,
//   beyond the file's size) can only make that other import's COPY fail on the
//   primary key after this commit, and that import looks up and writes its
//   chunk again. Not used when the sequence caches values in sessions. So the
//   COPY text of a chunk is written as its rows come, every row taken as new,
//   and no chunk needs a savepoint: nothing can make it conflict.
// Rebuilding the indexes checks it all once more: a repeat that got through
// fails the whole import, with nothing written.
import type pg from 'pg';
import { type Chunk, Fate, type Found, foundQuery, markFound } from './import-chunk.ts';
import { SeenHashes } from './seen-hashes.ts';
import { timed, type ImportTrace } from './import-trace.ts';
import { dropSecondaryIndexes } from './import-secondary-indexes.ts';
import { lockTableWithin } from './table-lock.ts';

/** Whether an import rebuilds the address indexes: when the file is large next to the table, always, or never. */
export type IndexRebuild = 'auto' | 'always' | 'never';

/** Below this many rows a file fills the indexes as it goes: the lock is not worth its seconds. */
export const REBUILD_MIN_ROWS = 100_000;
/** Above this many, the table of hashes seen (seen-hashes.ts: 32 MiB for 3,000,000) would hold too much memory. */
export const REBUILD_MAX_ROWS = 3_000_000;
/** How long the import waits for the subscribers table before filling the indexes as it goes. */
const LOCK_WAIT_MS = 3000;

/** The unique constraints dropped and built again: on these columns, whatever their name. */
const ADDRESS_COLUMNS = ['email', 'email_hash'];

/** Whether a file of `expectedRows` rows should rebuild the indexes of a table of `tableRows` subscribers ('auto'). */
export function rebuildPays(expectedRows: number, tableRows: number): boolean {
  // Rebuilding sorts the whole table: it pays once the file is at least as large.
  return expectedRows >= REBUILD_MIN_ROWS && expectedRows <= REBUILD_MAX_ROWS && expectedRows >= tableRows;
}

interface Dropped {
  name: string;
  definition: string;
}

/** What an import rebuilding the address indexes does differently per chunk, and at its end. */
export interface IndexRebuilder {
  /** Marks the rows held before the import, suppressed, or repeated from an earlier chunk. */
  lookUp(chunk: Chunk, order: Int32Array, fate: Uint8Array, existingId: Map<number, number>): Promise<void>;
  /** The id of the next new subscriber. */
  nextId(): number;
  /** Builds the dropped indexes again (before the commit). */
  rebuild(): Promise<void>;
}

/**
 * Takes the subscribers table and drops its address indexes when the import
 * should and can; undefined when it fills them as it goes. Runs inside the
 * import's transaction, on its connection.
 */
export async function startIndexRebuild(
  client: pg.PoolClient,
  o: { publicationId: number; runAt: number; method: string; sequence: string; expectedRows: number; mode: IndexRebuild },
  trace?: ImportTrace,
): Promise<IndexRebuilder | undefined> {
  if (o.mode === 'never') return undefined;
  // Ids are counted here (below): not if sessions may hold values of the sequence in their cache.
  const { rows: sequence } = await client.query<{ cache: string }>('select seqcache::text as cache from pg_sequence where seqrelid = $1::regclass', [o.sequence]);
  if (Number(sequence[0]?.cache ?? 2) !== 1) return undefined;
  if (o.mode === 'auto') {
    // The planner's estimate is enough to decide (-1: never analysed, then counted).
    const { rows } = await client.query<{ n: number }>(
      `select case when reltuples >= 0 then reltuples::bigint else (select count(*) from subscribers) end::float8 as n
       from pg_class where oid = 'subscribers'::regclass`,
    );
    if (!rebuildPays(o.expectedRows, rows[0]!.n)) return undefined;
  }

  const taken = await timed(trace, 'take-table', async () => {
    // Asked for, it waits as long as it takes.
    if (o.mode === 'always') {
      await client.query('lock table subscribers in access exclusive mode');
      return true;
    }
    // Busy (a long send's snapshot, say): fill the indexes as usual rather than keep everyone waiting.
    return lockTableWithin(client, 'subscribers', LOCK_WAIT_MS);
  });
  if (!taken) return undefined;

  const held = await timed(trace, 'lookup', async () => {
    const { rows } = await client.query<{ n: number; top: string }>('select count(*)::integer as n, coalesce(max(id), 0)::text as top from subscribers');
    const { n, top } = rows[0]!;
    // Empty when the table was: a few milliseconds, and one query for both cases.
    await client.query('create temporary table import_held on commit drop as select id, email_hash, email from subscribers');
    await client.query('create index on import_held (email_hash)');
    await client.query('create index on import_held (email)');
    await client.query('analyze import_held');
    return { n, top };
  });

  const { rows: constraints } = await client.query<Dropped & { column: string }>(
    `select c.conname as name, pg_get_constraintdef(c.oid) as definition, a.attname as column
     from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
     where c.conrelid = 'subscribers'::regclass and c.contype = 'u' and cardinality(c.conkey) = 1`,
  );
  const dropped = constraints.filter((c) => ADDRESS_COLUMNS.includes(c.column));
  if (dropped.length) {
    await client.query(`alter table subscribers ${dropped.map((c) => `drop constraint ${quoteName(c.name)}`).join(', ')}`);
  }

  // The subscriptions' and consent log's own secondary indexes, built at the end too when their tables are small.
  const buildSecondary = await dropSecondaryIndexes(client, o.expectedRows);

  const seen = new SeenHashes(o.expectedRows);
  const firstId = Number((await client.query<{ id: string }>('select nextval($1::regclass)::text as id', [o.sequence])).rows[0]!.id);
  let nextId = firstId;
  // Others draw after the file's ids (its line count bounds its rows, but for a file whose lines end with CR alone).
  await client.query('select setval($1::regclass, $2)', [o.sequence, firstId + Math.max(o.expectedRows, 1)]);

  return {
    async lookUp(chunk, order, fate, existingId) {
      await timed(trace, 'lookup', async () => {
        const anySuppression = (await client.query('select 1 from suppressions where publication_id = $1 limit 1', [o.publicationId])).rowCount! > 0;
        if (held.n > 0 || anySuppression) {
          // Suppressions, and subscribers held before the import with their subscription to the publication.
          const { rows } = await client.query<Found>(
            foundQuery('import_held'),
            [o.publicationId, Array.from(order, (i) => chunk.hashes[i]!)],
          );
          markFound(rows, order, fate, existingId, o);
        }
        if (held.n > 0) {
          // An address held under another hash (the secret changed) is left as it is.
          const fresh = rowsOf(fate, Fate.new);
          const { rows } = await client.query<{ k: number }>(
            `select i.k::integer as k from unnest($1::text[]) with ordinality as i(e, k) join import_held b on b.email = i.e collate "C"`,
            [fresh.map((i) => chunk.emails[i]!)],
          );
          for (const r of rows) fate[fresh[r.k - 1]!] = Fate.unchanged;
        }
        // Repeats of an earlier chunk's new subscribers: only the rows whose first bits were seen are looked
        // for. The others are noted at once: a chunk written again (after a conflict) finds its own rows
        // noted, and looks for them in vain.
        const maybe: number[] = [];
        for (let i = 0; i < fate.length; i++) if (fate[i] === Fate.new && seen.add(chunk.hashes[i]!)) maybe.push(i);
        if (maybe.length) {
          const { rows } = await client.query<{ k: number }>(
            `select i.k::integer as k from unnest($1::text[]) with ordinality as i(h, k)
             where exists (select 1 from subscribers s where s.email_hash = i.h collate "C" and s.id > $2)`,
            [maybe.map((i) => chunk.hashes[i]!), held.top],
          );
          for (const r of rows) fate[maybe[r.k - 1]!] = Fate.duplicate;
        }
      });
    },

    nextId() {
      return nextId++;
    },

    async rebuild() {
      await timed(trace, 'rebuild', async () => {
        // The sequence goes on after the last id counted, and never back (others may have drawn since).
        await client.query('select setval($1::regclass, greatest($2::bigint, pg_sequence_last_value($1::regclass)))', [o.sequence, nextId - 1]);
        // Each index is built by one sort of its table: this is a ceiling, not an allocation, shared by a
        // parallel build's workers. At 256 MB the builds of 1,000,000 rows took 1.9-2.4 s, at 1 GB 1.8-1.9 s
        // (bench/results/import.md); REBUILD_MAX_ROWS bounds what the sorts can take (a few hundred MB).
        await client.query(`set local maintenance_work_mem = '1GB'`);
        for (const c of dropped) await client.query(`alter table subscribers add constraint ${quoteName(c.name)} ${c.definition}`);
        await buildSecondary();
      });
    },
  };
}

/** The rows of a chunk with this fate, in order. */
function rowsOf(fate: Uint8Array, which: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < fate.length; i++) if (fate[i] === which) out.push(i);
  return out;
}

/** A name from the catalogue, quoted as an identifier. */
function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
